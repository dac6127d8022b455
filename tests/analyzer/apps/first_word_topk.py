# first_word matching, or-chains of ==, top-k slice, score filter in a comprehension.
from google.cloud import vision

client = vision.ImageAnnotatorClient()


def kind(image):
    labels = client.label_detection(image=image).label_annotations
    top = [l for l in labels if l.score >= 0.75][:3]
    for l in top:
        word = l.description.lower().split()[0]
        if word == "dog" or word == "puppy":
            return "dog"
        if word == "cat":
            return "cat"
    return "other"
