"""Sorts photos with the Vision REST API directly (requests + an API key), no client library."""

import base64
import os
import sys

import requests

API_URL = "https://vision.googleapis.com/v1/images:annotate"


def sort_item(path):
    with open(path, "rb") as f:
        content = base64.b64encode(f.read()).decode()
    body = {"requests": [{"image": {"content": content}, "features": [{"type": "LABEL_DETECTION", "maxResults": 1}]}]}
    r = requests.post(API_URL, params={"key": os.environ.get("VISION_API_KEY", "none")}, json=body, timeout=10)
    r.raise_for_status()
    labels = r.json()["responses"][0].get("labelAnnotations", [])
    return "compost" if any(l["description"] in ("Food", "Tableware") for l in labels) else "other"


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(f"{path}\t{sort_item(path)}")
