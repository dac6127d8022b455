"""Review responder: reply to a product review according to its sentiment (AWS Comprehend)."""

import boto3

comprehend = boto3.client("comprehend")


def respond(review):
    result = comprehend.detect_sentiment(Text=review, LanguageCode="en")
    sentiment = result["Sentiment"]
    if sentiment == "POSITIVE":
        return "Thank you! Share it with a friend?"
    elif sentiment == "NEGATIVE":
        return open_ticket(review)
    elif sentiment == "MIXED":
        return "Thanks, tell us what we can improve."
    return "Thanks for your review."


def open_ticket(review):
    return "A support agent will contact you."
