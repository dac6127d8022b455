"""The torch-free vocabularies the language server reads stay in sync with the trainer's, and the
benchmark suite's apps are analyzed into the abstracts kept next to them, with labels the APIs return."""

import json
from pathlib import Path

import pytest

from chameleon_server.abstract import Abstract
from chameleon_server.analyzer import analyze_source
from chameleon_server.decision import unmatched_labels
from chameleon_trainer import datasets

ROOT = Path(__file__).resolve().parents[2]
VOCAB_DIR = ROOT / "server" / "chameleon_server" / "vocabularies"
SUITE = sorted((ROOT / "examples" / "suite").glob("*.py"))


def test_exported_vocabularies_match_the_trainer():
    index = json.loads((VOCAB_DIR / "index.json").read_text())
    assert index == datasets.DEFAULT_DATASET_FOR_API
    for name in datasets.DATASETS:
        doc = json.loads((VOCAB_DIR / f"{name}.json").read_text())
        assert doc["labels"] == datasets.vocabulary(name), f"re-export {name}: datasets.export_vocabularies()"


def test_suite_spans_the_decision_types_over_the_three_datasets():
    kinds, sets = set(), set()
    for app in SUITE:
        for s in Abstract.load(app.with_suffix(".abstract.json")).with_decisions():
            kinds.add((s.decision.type, s.decision.ordering))
            sets.add(datasets.DEFAULT_DATASET_FOR_API[s.api])
    assert len(SUITE) >= 12
    assert {("true_false", None), ("multi_choice", "output_rank"), ("multi_choice", "category_priority"),
            ("multi_select", None), ("score_range", None)} <= kinds
    assert sets == {"fashion-scenes", "fortunes", "vader"}


@pytest.mark.parametrize("app", SUITE, ids=lambda p: p.stem)
def test_analyzer_reproduces_the_suite_abstract_and_labels_exist(app):
    from chameleon_trainer.bench import _strip

    want = [_strip(s.to_dict()) for s in Abstract.load(app.with_suffix(".abstract.json")).sites]
    got = [_strip(s.to_dict()) for s in analyze_source(app.read_text(), str(app))]
    assert got == want
    for s in Abstract.load(app.with_suffix(".abstract.json")).with_decisions():
        vocab = datasets.vocabulary(datasets.DEFAULT_DATASET_FOR_API[s.api])
        if s.decision.type != "score_range":
            assert unmatched_labels(s.decision, vocab) == []
