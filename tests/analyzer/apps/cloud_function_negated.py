from google.cloud import vision, storage

vision_client = vision.ImageAnnotatorClient()
SAFE = ['Cat', 'Dog']

def process(event, context):
    uri = f"gs://{event['bucket']}/{event['name']}"
    image = vision.Image(source=vision.ImageSource(image_uri=uri))
    labels = vision_client.label_detection(image=image).label_annotations
    label_names = []
    for label in labels:
        label_names.append(label.description)
    if not any(name in SAFE for name in label_names):
        storage.Client().bucket(event['bucket']).blob(event['name']).delete()
