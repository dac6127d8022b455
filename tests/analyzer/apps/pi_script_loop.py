import io, time
from google.cloud import vision
from picamera import PiCamera

client = vision.ImageAnnotatorClient()
camera = PiCamera()
RECYCLABLE = ['Bottle', 'Plastic bottle', 'Tin can', 'Paper']

def feed_cat():
    pass

def walk_dog():
    pass

ACTIONS = {'Cat': feed_cat, 'Dog': walk_dog}

while True:
    stream = io.BytesIO()
    camera.capture(stream, format='jpeg')
    response = client.label_detection(image=vision.Image(content=stream.getvalue()))
    labels = response.label_annotations
    recyclable = False
    for label in labels:
        if label.description in RECYCLABLE:
            recyclable = True
            break
    if recyclable:
        servo_left()
    else:
        servo_right()
    time.sleep(1)

def pets(image):
    for label in client.label_detection(image=image).label_annotations:
        action = ACTIONS.get(label.description)
        if action:
            action()
            break
