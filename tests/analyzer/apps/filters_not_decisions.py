from google.cloud import vision
client = vision.ImageAnnotatorClient()
GENERIC = ['Font', 'Rectangle', 'Pattern']
ANIMALS = ['Dog', 'Cat']

def tags(image):
    out = []
    for l in client.label_detection(image=image).label_annotations:
        if l.description not in GENERIC:
            out.append(l.description)
    return out

def animals(image):
    found = []
    for l in client.label_detection(image=image).label_annotations:
        if l.description in ANIMALS:
            found.append(l.description)
    if found:
        return 'animal'
    return 'no animal'
