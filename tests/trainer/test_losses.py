"""Each decision-aware loss pushes the right logits in the right direction on tiny hand-made batches."""

import math

import torch

from chameleon_server.abstract import Category, Decision
from chameleon_trainer.appspec import build_spec, truth_sets
from chameleon_trainer.losses import basic_loss, branch_interval, decision_loss, make_targets

from trainer_helpers import label_decision, site

VOCAB = ["shoe", "boot", "bag", "coat", "dress", "clothing"]


def _spec(d, top_k=10, min_score=0.5):
    return build_spec(site("google.vision.label_detection", "image_classification", d), VOCAB, top_k, min_score)


def _grad(spec, logits, true_labels):
    z = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
    tg = make_targets(spec, truth_sets(spec, true_labels))
    decision_loss(z, spec, tg).backward()
    return z.grad


def test_true_false_pushes_a_missing_category_up_and_a_false_one_down():
    spec = _spec(label_decision("true_false", [("footwear", ["shoe", "boot"])]))
    g = _grad(spec, [[-2.0, -3.0, 0, 0, 0, 0], [2.0, 1.0, 0, 0, 0, 0]], [["shoe"], ["bag"]])
    assert g[0, 0] < 0  # must fire: the best label of the category goes up
    assert g[1, 0] > 0  # must not fire: it goes down
    assert g[0, 2:].abs().sum() == 0  # labels the app ignores are untouched (no top-k here)


def test_top_k_crowding_pushes_the_needed_label_into_the_top_k_and_the_crowder_down():
    spec = _spec(label_decision("true_false", [("bags", ["bag"])], top_k=1))
    # 'bag' (index 2) scores 0.88 but 'clothing' (index 5) outranks it: with top_k=1 the app never sees 'bag'.
    g = _grad(spec, [[-5, -5, 2.0, -5, -5, 4.0]], [["bag", "clothing"]])
    assert g[0, 2] < 0 and g[0, 5] > 0


def test_multi_choice_output_rank_outranks_wrong_categories():
    d = label_decision("multi_choice", [("shoes", ["shoe"]), ("bags", ["bag"])], ordering="output_rank")
    spec = _spec(d)
    g = _grad(spec, [[1.0, -5, 3.0, -5, -5, -5]], [["shoe"]])
    assert g[0, 0] < 0 and g[0, 2] > 0


def test_multi_choice_category_priority_silences_earlier_categories_only():
    d = label_decision("multi_choice", [("coats", ["coat"]), ("dresses", ["dress"]), ("shoes", ["shoe"])],
                       ordering="category_priority")
    spec = _spec(d)
    g = _grad(spec, [[2.0, -5, -5, 2.0, -1.0, -5]], [["dress", "shoe"]])
    assert g[0, 3] > 0  # coat fires but comes first: push down
    assert g[0, 4] < 0  # dress is the correct choice: push up
    assert g[0, 0] == 0  # shoe is tested after dress: irrelevant


def test_multi_choice_default_silences_every_category():
    d = label_decision("multi_choice", [("coats", ["coat"]), ("shoes", ["shoe"])], ordering="output_rank")
    g = _grad(_spec(d), [[1.0, -5, -5, 1.0, -5, -5]], [["bag"]])
    assert g[0, 0] > 0 and g[0, 3] > 0


def test_multi_select_treats_categories_independently():
    d = label_decision("multi_select", [("shoes", ["shoe"]), ("bags", ["bag"])])
    g = _grad(_spec(d), [[-1.0, -5, 1.0, -5, -5, -5]], [["shoe"]])
    assert g[0, 0] < 0 and g[0, 2] > 0


def test_loss_is_small_when_decisions_are_confidently_right():
    spec = _spec(label_decision("true_false", [("footwear", ["shoe"])]))
    tg = make_targets(spec, truth_sets(spec, [["shoe"], ["bag"]]))
    right = decision_loss(torch.tensor([[8.0, -8, -8, -8, -8, -8], [-8.0, -8, -8, -8, -8, -8]]), spec, tg)
    wrong = decision_loss(torch.tensor([[-8.0, -8, -8, -8, -8, -8], [8.0, -8, -8, -8, -8, -8]]), spec, tg)
    assert right < 0.01 < 1.0 < wrong


def test_score_range_pushes_the_score_into_the_true_branch_interval():
    d = Decision(type="score_range", categories=[Category(name="neg", range=(None, -0.25)),
                                                 Category(name="pos", range=(0.25, None))])
    spec = build_spec(site("google.language.analyze_sentiment", "sentiment", d), [], 0, 0.0)
    assert branch_interval(spec, 0.0) == (-0.25, 0.25)
    assert branch_interval(spec, -0.8) == (-math.inf, -0.25)
    scores = [0.9, -0.9, 0.0]
    tg = make_targets(spec, truth_sets(spec, scores=scores), scores)
    z = torch.tensor([0.0, 0.0, 1.5], requires_grad=True)  # tanh: 0, 0, 0.9
    decision_loss(z, spec, tg).backward()
    assert z.grad[0] < 0 and z.grad[1] > 0 and z.grad[2] > 0


def test_basic_loss_only_touches_the_app_labels():
    spec = _spec(label_decision("true_false", [("footwear", ["shoe", "boot"])]))
    z = torch.zeros(1, 6, requires_grad=True)
    basic_loss(z, torch.tensor([[1.0, 0, 1, 0, 0, 1]]), spec, "labels").backward()
    assert z.grad[0, 0] < 0 and z.grad[0, 1] > 0 and z.grad[0, 2:].abs().sum() == 0
