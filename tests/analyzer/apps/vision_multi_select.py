# Every matching category triggers its own action (independent ifs): multi_select.
from google.cloud import vision

client = vision.ImageAnnotatorClient()
ANIMALS = ["dog", "cat", "bird"]
VEHICLES = ["car", "truck", "bicycle"]


def tag_photo(image):
    labels = client.label_detection(image=image).label_annotations
    names = {l.description.lower() for l in labels}
    tags = []
    if names & set(ANIMALS):
        tags.append("animals")
    if names.intersection(VEHICLES):
        tags.append("vehicles")
    if "beach" in names:
        tags.append("holiday")
    return tags
