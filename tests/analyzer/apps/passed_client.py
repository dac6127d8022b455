# A client passed in as an argument; the label test is in a helper that takes the labels.
def classify(client, image):
    response = client.label_detection(image=image)
    return decide(response.label_annotations)


def decide(annotations):
    names = [a.description.lower() for a in annotations if a.score > 0.7]
    if "cat" in names:
        return "cat"
    if "dog" in names:
        return "dog"
    return None
