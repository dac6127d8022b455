# Predicate helpers: the decision is made by the caller's if on their result.
import boto3

client = boto3.client("rekognition")
ALLOWED_PETS = ["Dog", "Cat"]


def has_label(labels, wanted, min_conf=90):
    for label in labels:
        if label["Name"] in wanted and label["Confidence"] >= min_conf:
            return True
    return False


def gate(photo_bytes):
    labels = client.detect_labels(Image={"Bytes": photo_bytes})["Labels"]
    if has_label(labels, ALLOWED_PETS):
        open_door()
    else:
        keep_closed()


def open_door():
    pass


def keep_closed():
    pass
