"""User data adapters: a folder of labelled images, a CSV of labelled texts, Open Images CSVs."""

import csv
import json

import numpy as np
import pytest

from chameleon_trainer.api import CustomizeError, CustomizeRequest, customize
from chameleon_trainer.data import adapters, fashion, fortunes
from chameleon_trainer.predictor import encode_png

from trainer_helpers import label_decision, site


def _scene_png(item):
    return encode_png(fashion.render_scene([item, None, None, None]))


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("imgs")
    x, y = fashion.load_items("t10k")
    for name, cls in (("Sneakers", 7), ("handbag", 8), ("Spaceship", 0)):
        (root / name).mkdir()
        for j, i in enumerate(np.flatnonzero(y == cls)[:12]):
            (root / name / f"{j}.png").write_bytes(_scene_png(x[i]))
    return root


def test_image_folder_customizes_and_reports_labels_the_model_cannot_output(image_folder, tmp_path):
    d = label_decision("true_false", [("shoes", ["Sneakers"])])
    s = site("google.vision.label_detection", "image_classification", d)
    out = customize(CustomizeRequest(site=s, dataset=f"images-folder:{image_folder}", out_dir=tmp_path / "m",
                                     options={"tiny": True}))
    m = json.loads((out / "metrics.json").read_text())
    assert m["user_data"] == {"n": 36, "unknown_labels": {"Spaceship": 12}}
    assert m["n_test"] == 36 - int(0.8 * 36)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["dataset"].startswith("images-folder:")


def test_label_mapping_is_case_insensitive(image_folder):
    items = adapters.to_vocabulary(adapters.load(f"images-folder:{image_folder}"), fashion.vocabulary())
    assert {tuple(lab) for lab in items.labels} == {("Sneakers",), ("Handbag",), ()}


def test_text_csv_and_task_mismatch(tmp_path):
    path = tmp_path / "texts.csv"
    pairs = fortunes.load_texts(max_per_file=3)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "labels"])
        for text, cat in pairs:
            w.writerow([text, "|".join(fortunes.path_labels(cat))])
    items = adapters.load(f"texts-csv:{path}")
    assert items.task == "text_classification" and len(items.inputs) == len(pairs)
    d = label_decision("true_false", [("tech", ["/Computers & Electronics"])], match="prefix")
    s = site("google.language.classify_text", "text_classification", d)
    out = customize(CustomizeRequest(site=s, dataset=f"texts-csv:{path}", out_dir=tmp_path / "m", options={"tiny": True}))
    assert json.loads((out / "metrics.json").read_text())["user_data"]["unknown_labels"] == {}
    vision = site("google.vision.label_detection", "image_classification", d)
    with pytest.raises(CustomizeError, match="text_classification data"):
        customize(CustomizeRequest(site=vision, dataset=f"texts-csv:{path}", out_dir=tmp_path / "x"))


def test_open_images_positives_and_verified_negatives(tmp_path):
    x, _ = fashion.load_items("t10k")
    (tmp_path / "img").mkdir()
    for i in range(3):
        (tmp_path / "img" / f"id{i}.jpg").write_bytes(_scene_png(x[i]))
    (tmp_path / "classes.csv").write_text("/m/01,Boot\n/m/02,Handbag\n")
    (tmp_path / "labels.csv").write_text("ImageID,Source,LabelName,Confidence\n"
                                         "id0,verification,/m/01,1\nid0,verification,/m/02,0\n"
                                         "id1,verification,/m/02,1\nid9,verification,/m/02,1\n")
    items = adapters.load(f"openimages:{tmp_path / 'labels.csv'},{tmp_path / 'classes.csv'},{tmp_path / 'img'}")
    assert items.labels == [["Boot"], ["Handbag"]]  # id9 has no image file
    assert items.negatives == [["Handbag"], []]


def test_unreadable_user_data_is_an_input_error(tmp_path):
    d = label_decision("true_false", [("shoes", ["Sneakers"])])
    s = site("google.vision.label_detection", "image_classification", d)
    with pytest.raises(CustomizeError, match="cannot read"):
        customize(CustomizeRequest(site=s, dataset=f"images-csv:{tmp_path / 'missing.csv'}", out_dir=tmp_path / "m"))
