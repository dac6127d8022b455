# Categories loaded from JSON and handed to a helper; a matched label passed through (a filter);
# a matched label kept in a variable that is branched on later (a decision).
import json

from google.cloud import vision

client = vision.ImageAnnotatorClient()
with open("taxonomy.json", encoding="utf-8") as fh:
    TAXONOMY = json.load(fh)
PARTS = ["cpu", "motherboard", "power supply"]
PETS = ["Dog", "Cat"]


def category_for(names, taxonomy):
    for name in names:
        for section, words in taxonomy.items():
            if name in words:
                return section
    return "misc"


def classify(content):
    labels = client.label_detection(image=vision.Image(content=content)).label_annotations
    return category_for([l.description.lower() for l in labels], TAXONOMY)


def which_part(content):
    part = ""
    for label in client.label_detection(image=vision.Image(content=content)).label_annotations:
        if label.description.lower() in PARTS:
            part = label.description.replace(" ", "_")
    return part


def greet_pet(content):
    found = None
    for label in client.label_detection(image=vision.Image(content=content)).label_annotations:
        if label.description in PETS:
            found = label
            break
    if found:
        return f"Hello {found.description}"
    return "Who is there?"
