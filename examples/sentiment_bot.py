"""Support-desk triage: route a customer message by its sentiment (Google Cloud Natural Language)."""

from google.cloud import language_v1

client = language_v1.LanguageServiceClient()


def triage(text):
    document = language_v1.Document(content=text, type_=language_v1.Document.Type.PLAIN_TEXT)
    sentiment = client.analyze_sentiment(request={"document": document}).document_sentiment
    if sentiment.score < -0.25:
        return escalate_to_human(text)
    elif sentiment.score > 0.25:
        return "Thanks for the kind words!"
    else:
        return "Thanks, we will get back to you."


def escalate_to_human(text):
    return f"Escalated: {text}"
