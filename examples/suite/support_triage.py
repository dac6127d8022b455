"""Support inbox (Google NL analyze_sentiment): angry messages go to a human, happy ones get a
thank-you, the rest a standard reply."""

from google.cloud import language_v1

client = language_v1.LanguageServiceClient()


def triage(message):
    document = language_v1.Document(content=message, type_=language_v1.Document.Type.PLAIN_TEXT)
    sentiment = client.analyze_sentiment(request={"document": document}).document_sentiment
    if sentiment.score < -0.25:
        return "escalate to a human"
    elif sentiment.score > 0.25:
        return "send thank-you"
    else:
        return "standard reply"
