"""Review moderation (Google NL analyze_sentiment): strongly negative reviews are flagged for the
product team."""

from google.cloud import language_v1


def flag(review):
    client = language_v1.LanguageServiceClient()
    document = language_v1.Document(content=review, type_=language_v1.Document.Type.PLAIN_TEXT)
    score = client.analyze_sentiment(document=document).document_sentiment.score
    if score <= -0.5:
        return "flag for product team"
    return "publish"
