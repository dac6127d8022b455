import os
import boto3

rek = boto3.client("rekognition")
PETS = {"Dog", "Cat"}

def scan_folder(folder):
    results = {}
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "rb") as f:
            resp = rek.detect_labels(Image={"Bytes": f.read()}, MinConfidence=85)
        results[name] = [l["Name"] for l in resp["Labels"]]
    moved = 0
    for name, labels in results.items():
        if PETS & set(labels):
            os.rename(os.path.join(folder, name), os.path.join(folder, "pets", name))
            moved += 1
    return moved
