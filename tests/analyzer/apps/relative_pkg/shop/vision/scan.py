from google.cloud import vision
from shop.labels import FRUIT
from ..labels import FRUIT as F2
from . import helpers

def scan(img):
    labels = vision.ImageAnnotatorClient().label_detection(image=img).label_annotations
    if any(l.description in FRUIT for l in labels):
        return "fruit"
    if any(l.description in F2 + helpers.VEG for l in labels):
        return "fruit2"
