# A label list read from a file at run time cannot be resolved statically.
from google.cloud import vision

with open("allowed.txt") as f:
    ALLOWED = [line.strip() for line in f]


def allowed(image, client: vision.ImageAnnotatorClient):
    response = client.label_detection(image=image)
    for label in response.label_annotations:
        if label.description in ALLOWED:
            return True
    return False
