from google.cloud import vision
client = vision.ImageAnnotatorClient()
FOOD = ["Food", "Fruit"]
PLASTIC = ["Plastic", "Bottle"]

def classify(labels):
    for l in labels:
        if l.description in FOOD:
            return "compost"
        if l.description in PLASTIC:
            return "recycle"
    return "trash"

def main(img):
    bin_ = classify(client.label_detection(image=img).label_annotations)
    if bin_ == "compost":
        green()
    elif bin_ == "recycle":
        blue()
    else:
        black()

def main2(img):
    category = None
    for l in client.label_detection(image=img).label_annotations:
        if l.description in FOOD:
            category = "compost"
            break
        elif l.description in PLASTIC:
            category = "recycle"
            break
    if category is None:
        category = "trash"
    print(category)
