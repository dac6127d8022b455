"""Forum bot (Google NL classify_text): move a new thread to its board; tech first, then arts,
then the community board."""

from google.cloud import language_v1


def board_for(thread_text):
    client = language_v1.LanguageServiceClient()
    document = language_v1.Document(content=thread_text, type_=language_v1.Document.Type.PLAIN_TEXT)
    names = [c.name for c in client.classify_text(document=document).categories]
    if any(n.startswith("/Computers & Electronics") for n in names):
        return "tech"
    elif any(n.startswith("/Arts & Entertainment") for n in names):
        return "arts"
    elif any(n.startswith("/People & Society") for n in names):
        return "community"
    else:
        return "general"
