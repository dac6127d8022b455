"""Lost-and-found camera: raise an alert when a bag is left in view. Only the top 3 labels are
requested (the camera pays per label)."""

import sys

from google.cloud import vision


def bag_left_behind(content):
    client = vision.ImageAnnotatorClient()
    response = client.label_detection(image=vision.Image(content=content), max_results=3)
    names = [label.description.lower() for label in response.label_annotations]
    if "bag" in names or "handbag" in names:
        return "ALERT: unattended bag"
    return "ok"


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as f:
        print(bag_left_behind(f.read()))
