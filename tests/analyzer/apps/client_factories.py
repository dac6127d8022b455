from google.cloud import vision
import boto3
from mylib import make_client

def get_client():
    return vision.ImageAnnotatorClient.from_service_account_json("key.json")

def rek():
    return boto3.client("rekognition")

class Wrapper:
    def detect_labels(self, x):
        return []

def make_wrapper():
    return Wrapper()

def a(img):
    return get_client().label_detection(image=img)

def b(img):
    c = vision.ImageAnnotatorClient.from_service_account_file("k.json")
    return c.label_detection(image=img)

def c(img):
    return rek().detect_labels(Image={"Bytes": img})

def d(img):
    return make_wrapper().detect_labels(img)

def e(img):
    return make_client().label_detection(image=img)
