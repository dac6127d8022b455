from google.cloud import language
from google.cloud.language import enums, types

def describe(score):
    mood = ""
    if 0.1 >= score >= -0.1:
        mood = "neutral"
    elif 0.1 <= score <= 0.5:
        mood = "somewhat positive"
    elif score >= 0.5:
        mood = "positive"
    elif -0.5 <= score <= -0.1:
        mood = "somewhat negative"
    else:
        mood = "negative"
    return mood

def run(text):
    client = language.LanguageServiceClient()
    doc = types.Document(content=text, type=enums.Document.Type.PLAIN_TEXT)
    result = client.analyze_sentiment(document=doc)
    overall = result.document_sentiment
    out = ""
    for s in result.sentences:
        out += describe(s.sentiment.score)
    out += "Overall: " + describe(overall.score)
    return out
