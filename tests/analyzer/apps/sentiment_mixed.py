# Sentiment with magnitude and a ternary; keywords lower-cased in a comprehension.
from google.cloud import language_v1 as lang

client = lang.LanguageServiceClient()
KEYWORDS = [w.lower() for w in ["Refund", "Broken"]]


def mood(text):
    doc = lang.Document(content=text, type_=lang.Document.Type.PLAIN_TEXT)
    s = client.analyze_sentiment(document=doc).document_sentiment
    label = "happy" if s.score > 0.3 and s.magnitude > 0.5 else "not happy"
    return label


def words_in(text, client2):
    resp = client2.classify_text(document={"content": text, "type_": 1})
    names = [c.name.lower() for c in resp.categories]
    if any(k in n for n in names for k in KEYWORDS):
        return "complaint"
    return "other"
