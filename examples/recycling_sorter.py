"""Smart recycling bin: photograph an item, and tell the user which bin it goes in.

Google Cloud Vision label detection; the first label (in the API's ranked order) that names a
known material decides the bin.
"""

import sys

from google.cloud import vision

COMPOST = ["food", "fruit", "vegetable", "produce", "bread", "plant"]
RECYCLE = ["plastic", "bottle", "glass", "paper", "cardboard", "tin", "aluminium"]
DONATE = ["clothing", "shoe", "toy", "book"]


class Sorter:
    def __init__(self):
        self.client = vision.ImageAnnotatorClient()

    def labels_for(self, path):
        with open(path, "rb") as f:
            image = vision.Image(content=f.read())
        response = self.client.label_detection(image=image)
        return response.label_annotations

    def which_bin(self, path):
        for label in self.labels_for(path):
            if label.score < 0.6:
                continue
            name = label.description.lower()
            if name in COMPOST:
                return "Compost this"
            elif name in RECYCLE:
                return "Recycle this"
            elif name in DONATE:
                return "Donate this"
        return "This is trash"


if __name__ == "__main__":
    print(Sorter().which_bin(sys.argv[1]))
