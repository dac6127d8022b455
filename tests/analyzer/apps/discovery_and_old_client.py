import base64
from googleapiclient import discovery
from oauth2client.client import GoogleCredentials
from google.cloud import vision

def get_service():
    credentials = GoogleCredentials.get_application_default()
    return discovery.build('vision', 'v1', credentials=credentials)

def is_cat(photo_file):
    service = get_service()
    with open(photo_file, 'rb') as image:
        image_content = base64.b64encode(image.read())
    service_request = service.images().annotate(body={
        'requests': [{
            'image': {'content': image_content.decode('UTF-8')},
            'features': [{'type': 'LABEL_DETECTION', 'maxResults': 1}]
        }]
    })
    response = service_request.execute()
    label = response['responses'][0]['labelAnnotations'][0]['description']
    if label == 'cat':
        return True
    return False

def mood(text):
    service = discovery.build('language', 'v1')
    body = {'document': {'type': 'PLAIN_TEXT', 'content': text}}
    result = service.documents().analyzeSentiment(body=body).execute()
    if result['documentSentiment']['score'] > 0.3:
        return 'good'
    return 'bad'

def old_api(path):
    client = vision.Client()
    image = client.image(filename=path)
    labels = image.detect_labels(limit=5)
    for label in labels:
        if label.description in ('dog', 'puppy'):
            return 'dog'
    return 'other'
