"""Tidies a wardrobe from photos: shoes go on the rack, bags on the hook, the rest in the drawer.
An ordinary Google Cloud Vision app; nothing in it knows about ChameleonAPI."""

import sys

from google.cloud import vision

SHOES = ["sandal", "sneakers", "boot"]
BAGS = ["bag", "handbag"]


def place(client, path):
    with open(path, "rb") as f:
        image = vision.Image(content=f.read())
    labels = client.label_detection(image=image).label_annotations
    for label in labels:
        name = label.description.lower()
        if name in SHOES:
            return "shoe rack"
        if name in BAGS:
            return "hook"
    return "drawer"


if __name__ == "__main__":
    client = vision.ImageAnnotatorClient()
    for path in sys.argv[1:]:
        print(f"{path}\t{place(client, path)}")
