"""Garden helper: is the photo a plant, a pest, or neither? (AWS Rekognition DetectLabels)."""

import sys

import boto3

PLANTS = {"Plant", "Flower", "Tree", "Leaf", "Herb", "Vegetable"}
PESTS = {"Insect", "Snail", "Slug", "Aphid", "Caterpillar"}

rekognition = boto3.client("rekognition", region_name="us-east-1")


def detect(image_bytes):
    response = rekognition.detect_labels(Image={"Bytes": image_bytes}, MaxLabels=10, MinConfidence=70)
    return [label["Name"] for label in response["Labels"] if label["Confidence"] > 80]


def advise(image_bytes):
    names = detect(image_bytes)
    if any(name in PESTS for name in names):
        return "Pest spotted: check the leaves"
    elif any(name in PLANTS for name in names):
        return "Healthy plant"
    return "No plant in this photo"


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as f:
        print(advise(f.read()))
