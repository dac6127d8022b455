# Comprehend: a score range on SentimentScore, label test on Sentiment elsewhere.
import boto3

client = boto3.client(service_name="comprehend", region_name="eu-west-1")


def urgency(message):
    result = client.detect_sentiment(Text=message, LanguageCode="en")
    negative = result["SentimentScore"]["Negative"]
    if negative > 0.9:
        return "page on-call"
    if negative > 0.5:
        return "ticket"
    return "ignore"
