from google.cloud import vision

client = vision.ImageAnnotatorClient()
RECYCLABLE = ['plastic', 'glass', 'metal', 'paper']


def materials(image):
    labels = client.label_detection(image=image).label_annotations
    found = [l.description for l in labels if any(m in l.description.lower() for m in RECYCLABLE)]
    if len(found) == 0:
        found = ['Nothing recyclable']
    return found


class Moderator:
    def __init__(self):
        self.client = vision.ImageAnnotatorClient()
        self.blocked = ['weapon', 'gun', 'knife']

    def check(self, image):
        flags = []
        for label in self.client.label_detection(image=image).label_annotations:
            if label.score > 0.7 and any(term in label.description.lower() for term in self.blocked):
                flags.append(label.description)
        if flags:
            return "blocked"
        return "ok"


def defects(image):
    labels = client.label_detection(image=image).label_annotations
    is_defective = False
    for label in labels:
        if any(k in label.description.lower() for k in ['crack', 'scratch', 'dent']):
            is_defective = True
            break
    return {"defective": is_defective}
