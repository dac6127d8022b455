"""What's in my fridge: list groceries to buy."""
import io
from google.cloud import vision

STAPLES = {"Milk": "dairy", "Cheese": "dairy", "Egg": "protein", "Apple": "fruit", "Banana": "fruit"}

class Fridge:
    def __init__(self, client=None):
        self.client = client or vision.ImageAnnotatorClient()

    def contents(self, photo_path):
        with io.open(photo_path, "rb") as f:
            img = vision.Image(content=f.read())
        objs = self.client.object_localization(image=img).localized_object_annotations
        return {o.name for o in objs if o.score >= 0.6}

    def shopping_list(self, photo_path):
        seen = self.contents(photo_path)
        missing = []
        for item in STAPLES:
            if item not in seen:
                missing.append(item)
        return missing
