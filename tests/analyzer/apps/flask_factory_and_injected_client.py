from flask import Flask, request
from google.cloud import vision

def create_app():
    app = Flask(__name__)
    client = vision.ImageAnnotatorClient()

    @app.route("/scan", methods=["POST"])
    def scan():
        image = vision.Image(content=request.data)
        response = client.label_detection(image=image)
        if response.error.message:
            return {"error": response.error.message}, 500
        names = [l.description.lower() for l in response.label_annotations]
        if "hot dog" in names:
            return {"verdict": "hotdog"}
        return {"verdict": "not hotdog"}

    return app

class Classifier:
    def __init__(self, client):
        self.client = client
        self.recyclables = ["Plastic", "Glass"]

    def run(self, image):
        res = self.client.label_detection(image=image)
        for lab in res.label_annotations:
            if lab.description in self.recyclables:
                return "recycle"
        return "trash"
