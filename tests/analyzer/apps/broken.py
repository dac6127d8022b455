from google.cloud import vision

client = vision.ImageAnnotatorClient()
FOOD = ["food", "fruit"]


def good(image):
    labels = client.label_detection(image=image).label_annotations
    if any(l.description.lower() in FOOD for l in labels):
        return "compost"
    return "trash"


def being_typed(image):
    labels = client.label_detection(image=image).label_annotations
    for l in labels:
        if l.description ==
