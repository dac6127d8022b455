# Client on self, labels stored on self in one method and decided in another; class-attribute lists.
from google.cloud import vision


class Bin:
    RECYCLABLE = ["Plastic", "Glass"] + ["Metal"]
    ORGANIC = ("Food", "Plant")

    def __init__(self):
        self.client = vision.ImageAnnotatorClient()
        self.labels = []

    def scan(self, image):
        response = self.client.label_detection(image=image)
        self.labels = [a.description for a in response.label_annotations[:5]]

    def lid_to_open(self):
        for name in self.labels:
            if name in self.RECYCLABLE:
                return "blue"
            if name in Bin.ORGANIC:
                return "green"
        return "black"
