# classify_text: substring tests on category paths with a confidence filter.
from google.cloud import language


def label_ticket(text):
    client = language.LanguageServiceClient()
    doc = language.Document(content=text, type_=language.Document.Type.PLAIN_TEXT)
    categories = client.classify_text(document=doc).categories
    relevant = [c.name for c in categories if c.confidence > 0.6]
    for name in relevant:
        if "Computers & Electronics" in name:
            return "tech-support"
        elif "Finance" in name:
            return "billing"
    return "general"
