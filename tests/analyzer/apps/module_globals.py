from google.cloud import vision
client = vision.ImageAnnotatorClient()
response = client.label_detection(image=vision.Image(content=open('x.jpg','rb').read()))
labels = [l.description for l in response.label_annotations]

def is_food():
    return 'Food' in labels

if is_food():
    print("yum")
else:
    print("nope")
