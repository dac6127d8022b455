from google.cloud import vision
client = vision.ImageAnnotatorClient()

def crowded(img):
    objects = client.object_localization(image=img).localized_object_annotations
    people = sum(1 for o in objects if o.name == "Person")
    return people >= 3
