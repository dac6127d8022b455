"""Replies to product reviews by their sentiment (AWS Comprehend via boto3)."""

import sys

import boto3


def reply(client, review):
    result = client.detect_sentiment(Text=review, LanguageCode="en")
    if result["Sentiment"] == "POSITIVE":
        return "thanks"
    if result["Sentiment"] == "NEGATIVE":
        return "ticket"
    return "ack"


if __name__ == "__main__":
    client = boto3.client("comprehend")
    for review in sys.argv[1:]:
        print(f"{review}\t{reply(client, review)}")
