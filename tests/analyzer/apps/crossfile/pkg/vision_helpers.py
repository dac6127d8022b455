from google.cloud import vision


def get_label_names(client, content):
    """Names of the labels Cloud Vision sees in an image."""
    response = client.label_detection(image=vision.Image(content=content))
    return [label.description for label in response.label_annotations]
