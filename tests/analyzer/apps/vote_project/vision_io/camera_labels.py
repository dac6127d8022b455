"""Label names for each captured frame (the API call lives here; decisions are elsewhere)."""
from google.cloud import vision

_client = vision.ImageAnnotatorClient()


def frame_labels(path):
    with open(path, "rb") as fh:
        resp = _client.label_detection(image=vision.Image(content=fh.read()))
    names = []
    for ann in resp.label_annotations:
        names.append(ann.description)
    return names
