"""Routes support tickets by topic and mood with Google Cloud Natural Language."""

import sys

from google.cloud import language_v1


def route(client, text):
    doc = language_v1.Document(content=text, type_=language_v1.Document.Type.PLAIN_TEXT)
    mood = client.analyze_sentiment(document=doc).document_sentiment.score
    if mood < -0.2:
        return "escalate"
    for category in client.classify_text(document=doc).categories:
        if category.name.startswith("/Computers"):
            return "it-desk"
    return "general"


if __name__ == "__main__":
    client = language_v1.LanguageServiceClient()
    for line in sys.argv[1:]:
        print(f"{line}\t{route(client, line)}")
