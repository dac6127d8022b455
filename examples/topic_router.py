"""Newsroom router: send an article to the desk that covers its topic (Google NL classify_text)."""

from google.cloud import language_v1

DESKS = {
    "/Sports": "sports-desk",
    "/Finance": "business-desk",
    "/Business & Industrial": "business-desk",
    "/Science": "science-desk",
}


def route(text, client=None):
    client = client or language_v1.LanguageServiceClient()
    document = {"content": text, "type_": language_v1.Document.Type.PLAIN_TEXT}
    response = client.classify_text(request={"document": document})
    for category in response.categories:
        if category.confidence < 0.5:
            continue
        for prefix, desk in DESKS.items():
            if category.name.startswith(prefix):
                return desk
    return "general-desk"
