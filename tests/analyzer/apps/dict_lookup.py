# A dict from label to outcome: each distinct outcome is a category.
from google.cloud import vision

BINS = {
    "banana": "compost",
    "apple": "compost",
    "bottle": "recycling",
    "can": "recycling",
    "battery": "hazardous",
}

client = vision.ImageAnnotatorClient()


def which_bin(image):
    labels = client.label_detection(image=image).label_annotations
    for label in labels:
        bin_name = BINS.get(label.description.lower())
        if bin_name:
            return bin_name
    return "landfill"
