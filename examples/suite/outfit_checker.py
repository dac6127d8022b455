"""Outfit checker (AWS Rekognition): list which parts of an outfit a mirror selfie shows."""

import boto3

rekognition = boto3.client("rekognition", region_name="us-east-1")


def outfit_parts(image_bytes):
    response = rekognition.detect_labels(Image={"Bytes": image_bytes}, MinConfidence=70)
    names = {label["Name"] for label in response["Labels"]}
    parts = []
    if "Top" in names or "Sweater" in names or "Shirt" in names:
        parts.append("top")
    if "Trousers" in names or "Pants" in names or "Dress" in names:
        parts.append("bottom")
    if "Footwear" in names:
        parts.append("shoes")
    if "Handbag" in names or "Bag" in names:
        parts.append("accessory")
    return parts
