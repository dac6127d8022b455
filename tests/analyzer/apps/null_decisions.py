# The output is only printed, stored or returned: no decision.
import json
import sqlite3

import boto3
from google.cloud import vision

client = vision.ImageAnnotatorClient()
rekognition = boto3.client("rekognition")


def show(image):
    response = client.label_detection(image=image)
    for label in response.label_annotations:
        print(label.description, label.score)


def store(image_bytes, db):
    response = rekognition.detect_labels(Image={"Bytes": image_bytes})
    names = [l["Name"] for l in response["Labels"]]
    db.execute("INSERT INTO photos(labels) VALUES (?)", (json.dumps(names),))


def describe(image):
    labels = client.label_detection(image=image).label_annotations
    return ", ".join(l.description for l in labels)


def caller(image):
    text = describe(image)
    print(text)
