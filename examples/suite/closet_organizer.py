"""Closet organizer app: tells the user where a photographed item belongs. Coats win over dresses,
dresses over shoes (a coat on a hanger in front of shoes goes to the hall closet)."""

from google.cloud import vision

client = vision.ImageAnnotatorClient()


def where_does_it_go(image_bytes):
    response = client.label_detection(image=vision.Image(content=image_bytes))
    labels = [label.description for label in response.label_annotations]
    if "Coat" in labels or "Jacket" in labels:
        return "hall closet"
    elif "Dress" in labels:
        return "wardrobe"
    elif "Sneakers" in labels or "Boot" in labels or "Sandal" in labels:
        return "shoe rack"
    else:
        return "drawer"
