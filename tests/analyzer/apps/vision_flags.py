# Flags set in a loop over labels, decided after the loop (category priority).
from google.cloud import vision as gv


def check(image_bytes):
    client = gv.ImageAnnotatorClient()
    response = client.label_detection(image=gv.Image(content=image_bytes), max_results=10)
    is_dog = False
    is_cat = False
    for label in response.label_annotations:
        if label.description == "Dog" or label.description == "Puppy":
            is_dog = True
        if label.description in ("Cat", "Kitten"):
            is_cat = True
    if is_dog:
        bark()
    elif is_cat:
        meow()
    else:
        print("nobody home")


def bark():
    print("woof")


def meow():
    print("meow")
