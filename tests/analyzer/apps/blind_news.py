from google.cloud import language

ROUTES = [
    ("/Sports", "sports@news.example"),
    ("/Business", "business@news.example"),
]

def route(article, client: language.LanguageServiceClient):
    cats = client.classify_text(document=language.Document(content=article, type_=language.Document.Type.PLAIN_TEXT)).categories
    if not cats:
        return "desk@news.example"
    best = max(cats, key=lambda c: c.confidence)
    if best.name.startswith("/Sports"):
        return "sports@news.example"
    if best.name.startswith("/Business"):
        return "business@news.example"
    return "desk@news.example"
