"""The same app on AWS Rekognition (boto3), with a confidence threshold."""

import sys

import boto3

COMPOST = ["Food", "Tableware"]


def is_compost(client, path):
    with open(path, "rb") as f:
        labels = client.detect_labels(Image={"Bytes": f.read()}, MaxLabels=5)["Labels"]
    return any(l["Name"] in COMPOST and l["Confidence"] > 70 for l in labels)


if __name__ == "__main__":
    client = boto3.client("rekognition")
    for path in sys.argv[1:]:
        print(f"{path}\t{'compost' if is_compost(client, path) else 'not compost'}")
