"""Resolving an app's labels against a model vocabulary, and the input errors that stop a job early."""

import pytest

from chameleon_trainer.api import CustomizeError
from chameleon_trainer.appspec import build_spec
from chameleon_trainer.data import fashion, fortunes

from trainer_helpers import label_decision, site

VOCAB = ["Footwear", "Shoe", "Sneakers", "Athletic shoe", "Bag", "Handbag", "Clothing", "Top"]


def _site(d):
    return site("google.vision.label_detection", "image_classification", d)


def test_first_word_case_insensitive_resolves_to_vocabulary_labels():
    d = label_decision("multi_choice", [("shoes", ["athletic", "sneakers"]), ("bags", ["bag"])],
                       ordering="output_rank", match="first_word", case_insensitive=True)
    spec = build_spec(_site(d), VOCAB, output_top_k=10, output_min_score=0.5)
    assert spec.resolved == [["Sneakers", "Athletic shoe"], ["Bag"]]
    assert spec.cat_index == [[2, 3], [4]]
    assert spec.unmatched == []


def test_exact_case_sensitive_reports_labels_that_match_nothing():
    d = label_decision("true_false", [("bags", ["bag", "Handbag", "Backpack"])])
    spec = build_spec(_site(d), VOCAB, 10, 0.5)
    assert spec.resolved == [["Handbag"]]
    assert spec.unmatched == [(0, "bag"), (0, "Backpack")]


def test_effective_threshold_and_k_combine_app_and_api_cuts():
    d = label_decision("true_false", [("x", ["Bag"])], min_score=0.8, top_k=3)
    spec = build_spec(_site(d), VOCAB, output_top_k=10, output_min_score=0.5)
    assert (spec.threshold, spec.top_k) == (0.8, 3)
    d2 = label_decision("true_false", [("x", ["Bag"])], min_score=0.2)
    spec2 = build_spec(_site(d2), VOCAB, output_top_k=10, output_min_score=0.5)
    assert (spec2.threshold, spec2.top_k) == (0.5, 10)


def test_labels_matching_nothing_is_an_input_error():
    d = label_decision("true_false", [("x", ["pizza", "burger"])])
    with pytest.raises(CustomizeError, match="matches any label"):
        build_spec(_site(d), VOCAB, 10, 0.5)


def test_site_without_decision_is_an_input_error():
    with pytest.raises(CustomizeError, match="no decision"):
        build_spec(_site(None), VOCAB, 10, 0.5)


def test_fashion_vocabulary_has_google_style_parents_and_wordnet_hypernyms():
    labels = fashion.class_labels()
    sneaker = labels[fashion.CLASSES.index("Sneaker")]
    assert {"Sneakers", "Shoe", "Footwear"} <= set(sneaker)
    assert "Gym shoe" in sneaker  # WordNet's name for the synset
    assert "Entity" not in fashion.vocabulary()  # too general to be a label
    assert fashion.scene_labels([0, 7])[-2:] == ["Fashion", "Outfit"]
    assert "Outfit" not in fashion.scene_labels([8])


def test_fortunes_categories_carry_their_parent_paths():
    assert fortunes.path_labels("/Computers & Electronics/Programming") == [
        "/Computers & Electronics/Programming", "/Computers & Electronics"]
    vocab = fortunes.vocabulary()
    assert "/Computers & Electronics" in vocab and "/Sports" in vocab
