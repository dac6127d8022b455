# Rules kept as tables: (label, outcome) pairs, (labels, outcome) pairs, and a dict of lists walked by hand.
from google.cloud import vision

client = vision.ImageAnnotatorClient()
RULES = [("Food", "compost"), ("Fruit", "compost"), ("Plastic", "recycle")]
GROUPS = [(["Dog", "Cat"], "pets"), (["Car", "Bicycle"], "vehicles")]
SECTIONS = {"produce": ["Apple", "Pear"], "bakery": ["Bread"]}


def names_of(img):
    return [l.description for l in client.label_detection(image=img).label_annotations]


def bin_for(img):
    names = names_of(img)
    for name, bin_ in RULES:
        if name in names:
            return bin_
    return "trash"


def album_for(img):
    names = [l.description for l in client.label_detection(image=img).label_annotations]
    for words, group in GROUPS:
        if any(w in names for w in words):
            return group
    return "misc"


def aisle_for(img):
    names = [l.description for l in client.label_detection(image=img).label_annotations]
    for section, words in SECTIONS.items():
        for w in words:
            if w in names:
                return section
    return "ask staff"
