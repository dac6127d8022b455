from google.cloud import vision
client = vision.ImageAnnotatorClient()
FOOD = ['Food', 'Fruit']

def check(path):
    print "checking", path
    try:
        labels = client.label_detection(image=vision.Image(content=open(path).read())).label_annotations
    except Exception, e:
        print e
        return None
    for label in labels:
        if label.description in FOOD:
            print "food!"
            return 'compost'
    return 'trash'
