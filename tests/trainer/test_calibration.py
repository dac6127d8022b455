"""The calibrated baseline (thresholds retuned on validation) and folding it into a head."""

import torch

from chameleon_server.abstract import Category, Decision
from chameleon_trainer.appspec import build_spec, truth_sets
from chameleon_trainer.customize import fold_transform
from chameleon_trainer.evaluate import Transform, calibrate, error_rate
from chameleon_trainer.models import LabelHead, ScoreHead

from trainer_helpers import label_decision, site


def test_folding_the_transform_reproduces_the_calibrated_outputs():
    torch.manual_seed(0)
    head = LabelHead(8, 5, hidden=16).eval()
    x = torch.randn(7, 4, 8)
    t = Transform(offsets=torch.tensor([0.0, 1.5, 0.0, -2.0, 0.0]))
    want = t.apply(head(x))
    fold_transform(head, t)
    assert torch.allclose(head(x), want, atol=1e-5)
    s = ScoreHead(8, hidden=16).eval()
    xs = torch.randn(7, 8)
    ts = Transform(scale=1.7, shift=-0.3)
    want = ts.apply(s(xs))
    fold_transform(s, ts)
    assert torch.allclose(s(xs), want, atol=1e-5)


def test_calibration_lowers_an_app_threshold_the_generic_model_misses():
    vocab = ["shoe", "bag", "coat"]
    d = label_decision("true_false", [("shoes", ["shoe"])])
    spec = build_spec(site("google.vision.label_detection", "image_classification", d), vocab, 10, 0.5)
    # 'shoe' is present in the first half but the model scores it just under the API's 0.5 cut.
    z = torch.tensor([[-0.5, -3.0, -3.0]] * 10 + [[-4.0, -3.0, -3.0]] * 10)
    truths = truth_sets(spec, [["shoe"]] * 10 + [["bag"]] * 10)
    assert error_rate(spec, z, truths, 10, 0.5) == 0.5
    t = calibrate(spec, z, truths, 10, 0.5)
    assert error_rate(spec, t.apply(z), truths, 10, 0.5) == 0.0
    assert t.offsets[0] > 0 and t.offsets[1] == 0 and t.offsets[2] == 0


def test_score_range_calibration_rescales_a_shrunken_score():
    d = Decision(type="score_range", categories=[Category(name="neg", range=(None, -0.5)),
                                                 Category(name="pos", range=(0.5, None))])
    spec = build_spec(site("google.language.analyze_sentiment", "sentiment", d), [], 0, 0.0)
    true_scores = [-0.9, -0.8, 0.0, 0.8, 0.9]
    z = torch.atanh(torch.tensor(true_scores) * 0.5)  # a regressor that halves every score
    truths = truth_sets(spec, scores=true_scores)
    assert error_rate(spec, z, truths, 0, 0.0) == 0.8
    t = calibrate(spec, z, truths, 0, 0.0)
    assert error_rate(spec, t.apply(z), truths, 0, 0.0) == 0.0 and t.scale > 1.0
