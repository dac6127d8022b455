from google.cloud import vision

class BaseDetector:
    def __init__(self):
        self.client = vision.ImageAnnotatorClient()

    def labels(self, content):
        resp = self.client.label_detection(image=vision.Image(content=content))
        return resp.label_annotations
