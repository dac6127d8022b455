from google.cloud import vision

def parse(path):
    client = vision.ImageAnnotatorClient()
    with open(path, "rb") as f:
        img = vision.Image(content=f.read())
    text = client.document_text_detection(image=img).full_text_annotation.text
    kind = []
    if "TOTAL" in text.upper():
        kind.append("receipt")
    if "INVOICE" in text.upper():
        kind.append("invoice")
    return kind
