"""Pet door: open only for cats, using the Vision REST API (images:annotate) with an API key."""

import base64
import os

import requests

API_URL = "https://vision.googleapis.com/v1/images:annotate"
CAT_LABELS = ("Cat", "Kitten", "Felidae")


def top_labels(image_path):
    with open(image_path, "rb") as f:
        content = base64.b64encode(f.read()).decode()
    body = {
        "requests": [{
            "image": {"content": content},
            "features": [{"type": "LABEL_DETECTION", "maxResults": 5}],
        }]
    }
    r = requests.post(API_URL, params={"key": os.environ["VISION_API_KEY"]}, json=body, timeout=10)
    r.raise_for_status()
    return r.json()["responses"][0].get("labelAnnotations", [])


def should_open(image_path):
    labels = top_labels(image_path)
    if any(lab["description"] in CAT_LABELS and lab["score"] >= 0.8 for lab in labels):
        return True
    return False
