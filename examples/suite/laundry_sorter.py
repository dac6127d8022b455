"""Laundry robot: pick the basket for the garment pile it sees. The first confident label (in the
API's ranked order) that names a known kind of garment decides."""

import sys

from google.cloud import vision

TOPS = ["shirt", "t-shirt", "top", "sweater"]
BOTTOMS = ["trousers", "pants", "jeans"]
SHOES = ["shoe", "footwear", "sneakers"]


def basket(path):
    client = vision.ImageAnnotatorClient()
    with open(path, "rb") as f:
        response = client.label_detection(image=vision.Image(content=f.read()))
    for label in response.label_annotations:
        if label.score < 0.7:
            continue
        name = label.description.lower()
        if name in TOPS:
            return "tops basket"
        if name in BOTTOMS:
            return "bottoms basket"
        if name in SHOES:
            return "shoe rack"
    return "sort by hand"


if __name__ == "__main__":
    print(basket(sys.argv[1]))
