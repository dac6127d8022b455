# annotate_image with a feature list; object localization via batch_annotate_images.
from google.cloud import vision_v1

client = vision_v1.ImageAnnotatorClient()


def is_food(uri):
    request = {
        "image": {"source": {"image_uri": uri}},
        "features": [{"type_": vision_v1.Feature.Type.LABEL_DETECTION, "max_results": 3}],
    }
    response = client.annotate_image(request)
    for annotation in response.label_annotations:
        if annotation.description.lower().split()[0] == "food":
            return True
    return False


def count_people(content):
    features = [vision_v1.Feature(type_=vision_v1.Feature.Type.OBJECT_LOCALIZATION)]
    requests = [vision_v1.AnnotateImageRequest(image=vision_v1.Image(content=content), features=features)]
    result = client.batch_annotate_images(requests=requests)
    objects = result.responses[0].localized_object_annotations
    people = [o for o in objects if o.name == "Person" and o.score > 0.5]
    if len(people) > 0:
        return "occupied"
    return "empty"
