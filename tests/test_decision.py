"""Decision semantics (shared/design.md, "Ground truth of a decision") and the abstract contract."""

import json

import pytest

from chameleon_server.abstract import Abstract, AbstractFormatError, Category, Decision, Site
from chameleon_server.decision import acceptable, decide, is_correct, label_matches, resolve, unmatched_labels


def _d(type_, cats, **kw):
    return Decision(type=type_, categories=[Category(name=n, labels=l) for n, l in cats], **kw)


@pytest.mark.parametrize(
    "out,lab,match,ci,expected",
    [
        ("Food", "food", "exact", False, False),
        ("Food", "food", "exact", True, True),
        ("Fast food", "fast", "first_word", True, True),
        ("Fast food", "food", "first_word", True, False),
        ("Fast food", "food", "word", True, True),
        ("Seafood", "food", "substring", True, True),
        ("Plastic bottle", "plastic", "prefix", True, True),
        ("Bottle", "plastic", "prefix", True, False),
    ],
)
def test_label_matches(out, lab, match, ci, expected):
    assert label_matches(out, lab, match, ci) is expected


def test_output_rank_takes_first_ranked_label_and_accepts_any_true_category():
    d = _d("multi_choice", [("compost", ["food"]), ("recycle", ["plastic"])], ordering="output_rank",
           match="first_word", case_insensitive=True)
    ranked = [("Plastic bag", 0.9), ("Food", 0.8)]
    assert decide(d, ranked) == 1
    assert acceptable(d, ["Food", "Plastic"]) == {0, 1}
    assert acceptable(d, ["Tree"]) == {None}
    assert is_correct(d, 1, ["Food", "Plastic"])


def test_category_priority_follows_code_order():
    d = _d("multi_choice", [("compost", ["food"]), ("recycle", ["plastic"])], ordering="category_priority",
           case_insensitive=True)
    assert decide(d, [("Plastic", 0.9), ("Food", 0.8)]) == 0
    assert acceptable(d, ["plastic", "food"]) == {0}


def test_min_score_and_top_k_filter_outputs():
    d = _d("true_false", [("food", ["food"])], min_score=0.7, top_k=2)
    assert decide(d, [("food", 0.6)]) is False
    assert decide(d, [("a", 0.99), ("b", 0.98), ("food", 0.97)]) is False
    assert decide(d, [("a", 0.99), ("food", 0.97)]) is True


def test_multi_select_is_exact_set():
    d = _d("multi_select", [("a", ["x"]), ("b", ["y"]), ("c", ["z"])])
    assert decide(d, [("x", 0.9), ("z", 0.5)]) == frozenset({0, 2})
    assert not is_correct(d, frozenset({0}), ["x", "z"])


def test_score_range_first_range_in_code_order():
    d = Decision(type="score_range", categories=[
        Category(name="neg", range=(None, -0.25)), Category(name="pos", range=(0.25, None))])
    assert decide(d, score=-0.5) == 0
    assert decide(d, score=0.0) is None
    assert acceptable(d, true_score=0.9) == {1}


def test_resolve_and_unmatched_against_vocabulary():
    d = _d("true_false", [("recycle", ["plastic", "Glass", "tin"])], match="first_word", case_insensitive=False)
    vocab = ["Plastic", "plastic bottle", "Glass", "Paper"]
    assert resolve(d, vocab) == [["plastic bottle", "Glass"]]
    assert unmatched_labels(d, vocab) == [(0, "tin")]


def test_abstract_round_trips_the_spec_example():
    doc = {
        "version": 1,
        "sites": [{
            "file": "app.py", "api": "google.vision.label_detection", "task": "image_classification",
            "line": 24, "column": 19, "end_line": 24, "end_column": 52,
            "decision": {
                "type": "multi_choice", "ordering": "output_rank", "match": "first_word",
                "case_insensitive": True, "min_score": None, "top_k": None,
                "categories": [
                    {"name": "compost", "labels": ["food", "snack", "produce"], "line": 39, "outcome": "return 'Compost this'"},
                    {"name": "recycle", "labels": ["plastic", "glass", "paper"], "line": 43, "outcome": "return 'Recycle this'"},
                ],
                "default": {"line": 50, "outcome": "return 'This is trash'"},
            },
        }],
    }
    a = Abstract.from_json(json.dumps(doc))
    assert a.to_dict() == doc


def test_decision_hash_ignores_positions_but_not_labels():
    s1 = Site.from_dict({"file": "a.py", "api": "google.vision.label_detection", "line": 1, "column": 1,
                         "decision": {"type": "true_false", "categories": [{"name": "c", "labels": ["x"], "line": 3}]}})
    s2 = Site.from_dict({**s1.to_dict(), "line": 40})
    s2.decision.categories[0].line = 50
    assert s1.decision_hash() == s2.decision_hash()
    s2.decision.categories[0].labels.append("y")
    assert s1.decision_hash() != s2.decision_hash()


@pytest.mark.parametrize("bad", ["[]", "{}", '{"version": 2, "sites": []}', "not json",
                                 '{"sites": [{"api": "x", "decision": {"type": "maybe"}}]}'])
def test_bad_abstracts_are_rejected_clearly(bad):
    with pytest.raises(AbstractFormatError):
        Abstract.from_json(bad)
