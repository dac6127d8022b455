"""Newsletter builder (Google NL classify_text): tag each submitted snippet with every section it
belongs to."""

from google.cloud import language_v1


def sections(snippet):
    client = language_v1.LanguageServiceClient()
    document = language_v1.Document(content=snippet, type_=language_v1.Document.Type.PLAIN_TEXT)
    names = [c.name for c in client.classify_text(document=document).categories]
    tags = set()
    for name in names:
        if name.startswith("/Computers & Electronics"):
            tags.add("tech")
        if name.startswith("/Food & Drink"):
            tags.add("kitchen")
        if name.startswith("/Sports"):
            tags.add("sports")
        if name.startswith("/Arts & Entertainment"):
            tags.add("culture")
    return sorted(tags)
