from google.cloud import vision

from pkg import labels as L
from pkg.vision_helpers import get_label_names


def bin_for(content):
    names = get_label_names(vision.ImageAnnotatorClient(), content)
    if any(n in L.FOOD for n in names):
        return "compost"
    if any(n in L.PAPER for n in names):
        return "paper"
    return "landfill"
