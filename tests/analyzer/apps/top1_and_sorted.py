from google.cloud import vision
client = vision.ImageAnnotatorClient()
def guess(image):
    response = client.label_detection(image=image)
    best = response.label_annotations[0]
    if best.description.lower() in ('dog', 'cat') and best.score > 0.9:
        return 'pet'
    return 'unknown'

def top3(image):
    labels = sorted(client.label_detection(image=image).label_annotations, key=lambda l: l.score, reverse=True)
    top = [l.description for l in labels[:3]]
    if 'Food' in top:
        return 'food'
    elif 'Drink' in top:
        return 'drink'
    return None
