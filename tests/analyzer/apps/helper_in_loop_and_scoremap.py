import boto3
rek = boto3.client('rekognition')
FOOD = ['Apple', 'Banana']
PAPER = ['Paper', 'Cardboard']

def category_of(name):
    if name in FOOD:
        return 'compost'
    if name in PAPER:
        return 'recycle'
    return None

def sort(photo):
    for l in rek.detect_labels(Image={'Bytes': photo})['Labels']:
        c = category_of(l['Name'])
        if c:
            return c
    return 'trash'

def dog(photo):
    resp = rek.detect_labels(Image={'Bytes': photo})
    conf = {label['Name']: label['Confidence'] for label in resp['Labels']}
    if conf.get('Dog', 0) > 80:
        return 'dog'
    return 'no dog'

def all_bins(photo):
    out = []
    for l in rek.detect_labels(Image={'Bytes': photo})['Labels']:
        out.append(category_of(l['Name']))
    return out
