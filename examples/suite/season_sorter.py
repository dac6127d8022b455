"""Second-hand shop (AWS Rekognition): file a donated item under a seasonal rack. Winter gear is
checked first."""

import boto3

WINTER = ["Coat", "Sweater", "Boot"]
SUMMER = ["Sandal", "T-shirt", "Dress"]


def rack_for(image_bytes, client=None):
    client = client or boto3.client("rekognition")
    labels = client.detect_labels(Image={"Bytes": image_bytes})["Labels"]
    found = [label["Name"] for label in labels if label["Confidence"] > 60]
    if any(name in WINTER for name in found):
        return "winter rack"
    if any(name in SUMMER for name in found):
        return "summer rack"
    return "all-season rack"
