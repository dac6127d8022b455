"""Routes support messages: angry ones to a person, the rest by topic (Google Cloud Natural Language)."""

import sys

from google.cloud import language_v1


def route(client, text):
    document = language_v1.Document(content=text, type_=language_v1.Document.Type.PLAIN_TEXT)
    mood = client.analyze_sentiment(document=document).document_sentiment.score
    if mood < -0.5:
        return "escalate"
    for category in client.classify_text(document=document).categories:
        if category.name.startswith("/Computers"):
            return "it-desk"
        if category.name.startswith("/Law"):
            return "legal"
    return "general"


if __name__ == "__main__":
    client = language_v1.LanguageServiceClient()
    for line in sys.stdin:
        line = line.strip()
        if line:
            print(f"{line}\t{route(client, line)}")
