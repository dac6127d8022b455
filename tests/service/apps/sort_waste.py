"""An ordinary app that sorts waste from photos with Google Cloud Vision (nothing ChameleonAPI-specific)."""

import sys

from google.cloud import vision

COMPOST = ["food", "tableware"]
RECYCLE = ["plastic", "glass", "paper"]


def sort_item(client, path):
    with open(path, "rb") as f:
        image = vision.Image(content=f.read())
    response = client.label_detection(image=image)
    for label in response.label_annotations:
        word = label.description.lower().split()[0]
        if word in COMPOST:
            return "compost"
        if word in RECYCLE:
            return "recycle"
    return "trash"


if __name__ == "__main__":
    client = vision.ImageAnnotatorClient()
    for path in sys.argv[1:]:
        print(f"{path}\t{sort_item(client, path)}")
