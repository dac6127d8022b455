"""Shoe-shop catalog importer: keep only supplier photos that show footwear (Google Cloud Vision)."""

import shutil
import sys
from pathlib import Path

from google.cloud import vision

FOOTWEAR = {"Footwear", "Shoe"}


def shows_footwear(client, path):
    image = vision.Image(content=Path(path).read_bytes())
    labels = client.label_detection(image=image).label_annotations
    for label in labels:
        if label.description in FOOTWEAR:
            return True
    return False


def main(folder, dest):
    client = vision.ImageAnnotatorClient()
    for path in sorted(Path(folder).glob("*.png")):
        if shows_footwear(client, path):
            shutil.copy(path, dest)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
