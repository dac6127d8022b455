# Independent checks that each add a finding, plus a ternary inside the returned dict: all of it decides.
from google.cloud import vision

vision_client = vision.ImageAnnotatorClient()


def inspect(image_bytes):
    image = vision.Image(content=image_bytes)
    names = [a.description.lower() for a in vision_client.label_detection(image=image).label_annotations]
    findings = []
    if "rust" in names or "corrosion" in names:
        findings.append("rust")
    if "crack" in names or "fracture" in names:
        findings.append("crack")
    return {"findings": findings, "surface": "wet" if "water" in names else "dry"}
