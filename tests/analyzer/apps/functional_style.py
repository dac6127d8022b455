# next() / filter() / ternaries / map(lambda): functional ways to ask "is any label in the list?".
from google.cloud import vision

client = vision.ImageAnnotatorClient()
FOOD = ["Food", "Fruit"]


def first_food(img):
    labels = client.label_detection(image=img).label_annotations
    found = next((l for l in labels if l.description in FOOD), None)
    if found:
        return "food"
    return "no food"


def any_food(img):
    labels = client.label_detection(image=img).label_annotations
    matches = list(filter(lambda l: l.description in FOOD, labels))
    if matches:
        return "food"
    return None


def top_pet(img):
    labels = client.label_detection(image=img).label_annotations
    top = labels[0].description if labels else None
    if top == "Dog" or top == "Cat":
        return "pet"
    return "other"


def lowered(img):
    labels = client.label_detection(image=img).label_annotations
    names = set(map(lambda l: l.description.lower(), labels))
    if "dog" in names or "cat" in names:
        return "pet"
    return "other"
