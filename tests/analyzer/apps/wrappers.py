# The app's own wrapper classes and functions named like the APIs are not API calls.
from rekognition_objects import RekognitionImage


def detect_labels(photo):
    return ["a", "b"]


def main(client):
    reko = RekognitionImage.from_file("x.jpg", client)
    labels = reko.detect_labels(10)
    for label in labels:
        if label.name == "Dog":
            print("dog")
    for name in detect_labels("y.jpg"):
        print(name)


class Detector:
    def detect_labels(self, image):
        return []

    def run(self, image):
        return self.detect_labels(image)
