import os
import requests
import httpx

KEY = os.environ["GOOGLE_API_KEY"]
NL = "https://language.googleapis.com/v1/documents"
VISION_URL = "https://vision.googleapis.com/v1/images:annotate?key=" + KEY

def sentiment(text):
    r = requests.post(f"{NL}:analyzeSentiment?key={KEY}",
                      json={"document": {"type": "PLAIN_TEXT", "content": text}, "encodingType": "UTF8"})
    score = r.json()["documentSentiment"]["score"]
    if score >= 0.2:
        return "positive"
    if score <= -0.2:
        return "negative"
    return "neutral"

def topic(text):
    r = requests.post(NL + ":classifyText", params={"key": KEY}, json={"document": {"type": "PLAIN_TEXT", "content": text}})
    cats = r.json().get("categories", [])
    if cats and cats[0]["name"].startswith("/Sports"):
        return "sports"
    return "other"

async def is_dog(b64):
    payload = {"requests": [{"image": {"content": b64}, "features": [{"type": "LABEL_DETECTION", "maxResults": 3}]}]}
    async with httpx.AsyncClient() as c:
        r = await c.post(VISION_URL, json=payload)
    anns = r.json()["responses"][0].get("labelAnnotations", [])
    return any(a["description"] == "Dog" for a in anns)
