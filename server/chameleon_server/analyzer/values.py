"""The abstract values the flow analysis tracks from an API call to the branches that use it.

A value says *what part of the API output* an expression holds (the whole response, the label
list, one label, its name as a string, a score...) and which transformations the app applied on
the way (lower-casing, ``split()[0]``, a ``[:3]`` slice, a score filter). A ``Test`` is a
condition over such a value: the labels it checks or the score range it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Kinds of values.
RESP = "resp"        # a whole response (or response JSON)
RESPS = "resps"      # a list of responses (batch_annotate_images().responses)
LIST = "list"        # list of annotations (labels, objects, categories, results)
ITEM = "item"        # one annotation
STR = "str"          # a label's name / description / transcript / Comprehend Sentiment
STRS = "strs"        # a collection of label strings
SCORE = "score"      # a number from the output (score, confidence, sentiment score)
SENT = "sent"        # a sentiment object (document_sentiment) or Comprehend SentimentScore
BOOL = "bool"        # the result of a test (stored in a variable or returned)
CHOICE = "choice"    # a variable assigned constants in branches that depend on the output


@dataclass(frozen=True)
class Cat:
    """One category as seen in a condition: a named label list."""

    name: str | None
    labels: tuple[str, ...]
    unresolved: str | None = None
    labels_at: tuple[tuple[str, Any], ...] | None = None  # frozen dict of the list literal's span
    label_spans: tuple[tuple[tuple[str, Any], ...], ...] | None = None


@dataclass(frozen=True)
class Test:
    """A condition that depends on an API output."""

    site: tuple
    cats: tuple[Cat, ...] = ()
    rng: tuple[float | None, float | None] | None = None
    negated: bool = False
    match: str = "exact"
    ci: bool = False
    top_k: int | None = None
    min_score: float | None = None
    loop: int | None = None  # id of the for-loop over the output whose item the test reads
    dict_key: str | None = None  # tests/lookups over the same dict are one decision
    compare_at: tuple[tuple[str, Any], ...] | None = None
    score_kind: str | None = None  # for rng tests: 'sentiment', 'confidence', 'magnitude'
    item_level: bool = False  # the test reads one label (not a whole collection)
    derived: bool = False  # a test on a value the app computed from an earlier test (flag, returned constant)
    ranked: bool = False  # derived from a flag set on the first matching label of a loop that exits
    approx: str | None = None  # how the abstract simplifies what the code does (becomes a site note)
    others: tuple = ()  # the same condition's tests on other API calls (`'Dog' in labels and 'EXIT' in text`)

    def negate(self) -> "Test":
        return fast_replace(self, negated=not self.negated, others=tuple(o.negate() for o in self.others))


@dataclass(frozen=True)
class Val:
    kind: str
    site: tuple
    api: str = ""
    top_k: int | None = None
    min_score: float | None = None
    ci: bool = False
    match: str = "exact"
    scale: float = 1.0
    score_kind: str | None = None
    loop: int | None = None
    test: Test | None = None  # BOOL; LIST/STRS filtered by a label test
    choice: tuple[tuple[Any, Test], ...] = ()  # CHOICE: (constant, test) pairs
    extra: tuple = field(default=())

    def but(self, **kw: Any) -> "Val":
        return fast_replace(self, **kw)


def fast_replace(obj: Any, **kw: Any) -> Any:
    """``dataclasses.replace`` without re-running ``__init__`` (it is on the keystroke path)."""
    new = object.__new__(type(obj))
    d = new.__dict__
    d.update(obj.__dict__)
    d.update(kw)
    return new


def span_tuple(span: dict[str, Any] | None) -> tuple[tuple[str, Any], ...] | None:
    return None if span is None else tuple(span.items())
