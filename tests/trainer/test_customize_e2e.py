"""End-to-end customization on the tiny datasets (seconds): model directory, predictor, progress,
cancellation and the input errors the service turns into 4xx."""

import json

import numpy as np
import pytest
import torch

from chameleon_server.abstract import Abstract, Category, Decision
from chameleon_server.decision import decide
from chameleon_trainer.api import (CancelledError, CustomizeError, CustomizeRequest, customize, generic_model_dir,
                                   list_datasets, load_predictor)
from chameleon_trainer.data import fashion
from chameleon_trainer.predictor import encode_png

from trainer_helpers import label_decision, site

MODEL_FILES = {"meta.json", "weights.pt", "vocabulary.json", "abstract.json", "metrics.json", "report.json",
               "report.png", "curves.png"}


def _vision(d):
    return site("google.vision.label_detection", "image_classification", d)


@pytest.fixture(scope="module")
def shoe_model(tmp_path_factory):
    d = label_decision("true_false", [("footwear", ["sneakers", "boot", "sandal"])], match="first_word",
                       case_insensitive=True, top_k=3)
    events = []
    out = customize(CustomizeRequest(site=_vision(d), dataset="fashion-scenes",
                                     out_dir=tmp_path_factory.mktemp("m") / "shoes", options={"tiny": True}),
                    progress=events.append)
    return out, d, events


def test_customize_writes_a_complete_model_directory(shoe_model):
    out, d, events = shoe_model
    assert MODEL_FILES <= {p.name for p in out.iterdir()}
    meta = json.loads((out / "meta.json").read_text())
    assert meta["abstract_hash"] == _vision(d).decision_hash()
    assert meta["task"] == "image_classification" and meta["dataset"] == "fashion-scenes"
    assert set(meta["stage_seconds"]) >= {"data", "generic", "basic", "customize", "evaluate"}
    m = json.loads((out / "metrics.json").read_text())
    for k in ("generic_error", "calibrated_error", "basic_error", "customized_error"):
        assert 0.0 <= m[k] <= 1.0
    assert m["n_test"] > 0
    assert Abstract.load(out / "abstract.json").sites[0].decision_hash() == meta["abstract_hash"]
    assert (out / "report.png").read_bytes()[:4] == b"\x89PNG"
    stages = [e.stage for e in events]
    assert stages.index("basic") < stages.index("customize") < stages.index("evaluate")
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp dirs left


def test_customized_model_beats_generic_on_a_crowded_top_k_decision(shoe_model):
    # With top_k=3 the shoe labels are crowded out by Fashion/Covering/...: the effect the loss targets.
    m = json.loads((shoe_model[0] / "metrics.json").read_text())
    assert m["customized_error"] < m["generic_error"]


def test_predictor_serves_ranked_labels_that_drive_the_same_decision(shoe_model):
    """Served outputs (PNG bytes in) are exactly the outputs the evaluation scored (features in)."""
    from chameleon_trainer.evaluate import decisions
    from chameleon_trainer.appspec import build_spec
    from chameleon_trainer.models import load_model
    from chameleon_trainer.outputs import head_logits, ranked_outputs

    out, d, _ = shoe_model
    pred = load_predictor(out)
    assert pred.task == "image_classification" and "Sneakers" in pred.vocabulary
    x, y = fashion.load_items("t10k")
    scenes = [[x[0], None, x[1], None], [None, x[2], x[3], x[4]], [None, None, None, x[5]]]
    outs = pred.predict_images([encode_png(fashion.render_scene(s)) for s in scenes])
    assert len(outs) == 3
    for ranked in outs:
        scores = [s for _, s in ranked]
        assert scores == sorted(scores, reverse=True) and all(0.5 <= s <= 1.0 for s in scores)
        assert len(ranked) <= pred.output_top_k and all(lab in pred.vocabulary for lab, _ in ranked)
    # The same scenes through the training-time feature path give the same ranked output and decisions.
    from chameleon_trainer.backbones import pixel_tile_features
    blank = np.zeros((28, 28), np.uint8)
    feats = torch.from_numpy(np.stack([pixel_tile_features(np.stack([t if t is not None else blank for t in s]))
                                       for s in scenes]))
    head, _, vocab = load_model(out)
    z = head_logits(head, feats)
    assert ranked_outputs(torch.sigmoid(z), vocab, 10, 0.5) == outs
    spec = build_spec(_vision(d), vocab, 10, 0.5)
    assert decisions(spec, z, 10, 0.5) == [decide(d, r) for r in outs]
    with pytest.raises(ValueError):
        pred.predict_images([b"not an image"])


def test_text_and_sentiment_customization(tmp_path):
    d = label_decision("multi_choice", [("tech", ["/Computers & Electronics"]), ("law", ["/Law & Government"])],
                       ordering="output_rank", match="prefix", min_score=0.5)
    s = site("google.language.classify_text", "text_classification", d)
    out = customize(CustomizeRequest(site=s, dataset="fortunes", out_dir=tmp_path / "t", options={"tiny": True}))
    pred = load_predictor(out)
    ranked = pred.predict_texts(["The kernel panicked after I recompiled the compiler."])[0]
    assert all(lab.startswith("/") for lab, _ in ranked)

    sr = Decision(type="score_range", categories=[Category(name="neg", range=(None, -0.25)),
                                                  Category(name="pos", range=(0.25, None))])
    s2 = site("google.language.analyze_sentiment", "sentiment", sr)
    out2 = customize(CustomizeRequest(site=s2, dataset="vader", out_dir=tmp_path / "s", options={"tiny": True}))
    (score, magnitude), = load_predictor(out2).predict_sentiment(["I love it. Great!"])
    assert -1.0 <= score <= 1.0 and magnitude >= 0.0


def test_cancellation_stops_mid_training_and_leaves_nothing(tmp_path):
    d = label_decision("true_false", [("bags", ["Bag"])])
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(CancelledError):
        customize(CustomizeRequest(site=_vision(d), dataset="fashion-scenes", out_dir=tmp_path / "c",
                                   options={"tiny": True}), should_stop=stop)
    assert not (tmp_path / "c").exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("dataset,decision,match", [
    ("no-such-dataset", label_decision("true_false", [("b", ["Bag"])]), "unknown dataset"),
    ("fashion-scenes", None, "no decision"),
    ("fashion-scenes", label_decision("true_false", [("b", ["pizza"])]), "matches any label"),
    ("fortunes", label_decision("true_false", [("b", ["Bag"])]), "image_classification"),
])
def test_bad_input_raises_customize_error(tmp_path, dataset, decision, match):
    with pytest.raises(CustomizeError, match=match):
        customize(CustomizeRequest(site=_vision(decision), dataset=dataset, out_dir=tmp_path / "x",
                                   options={"tiny": True}))
    assert not (tmp_path / "x").exists()


def test_datasets_and_generic_models_are_listed_and_cached():
    names = {d["name"]: d for d in list_datasets()}
    assert set(names) == {"fashion-scenes", "fortunes", "vader"}
    assert "google.vision.label_detection" in names["fashion-scenes"]["apis"]
    p = generic_model_dir("fashion-scenes", tiny=True)
    assert p == generic_model_dir("fashion-scenes", tiny=True)
    meta = json.loads((p / "meta.json").read_text())
    assert meta["kind"] == "generic" and meta["vocabulary_size"] == len(fashion.vocabulary())
