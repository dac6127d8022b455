"""Marketing site (Google NL analyze_sentiment): glowing quotes go on the home page, positive ones
on the reviews page, the rest are archived."""

from google.cloud import language_v1

client = language_v1.LanguageServiceClient()


def placement(quote):
    document = language_v1.Document(content=quote, type_=language_v1.Document.Type.PLAIN_TEXT)
    score = client.analyze_sentiment(request={"document": document}).document_sentiment.score
    if score >= 0.6:
        return "home page"
    elif score >= 0.2:
        return "reviews page"
    else:
        return "archive"
