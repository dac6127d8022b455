"""What an application decides, given a decision abstract and an API output.

Pure Python (no torch): the trainer uses it to score models, the serving tests use it to check the
redirected app, and the language server uses the matching rules to resolve labels against a model's
vocabulary. Semantics follow ``shared/design.md`` ("Ground truth of a decision").

An *outcome* is hashable so that sets of acceptable outcomes can be compared:
- ``true_false``: ``bool`` (the category fired or not);
- ``multi_choice`` and ``score_range``: the index of the chosen category, ``None`` for the default;
- ``multi_select``: a ``frozenset`` of category indices.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Sequence

from .abstract import Category, Decision

Outcome = Hashable
Ranked = Sequence[tuple[str, float]]  # (label, score in 0..1), best first


def label_matches(output_label: str, listed: str, match: str = "exact", case_insensitive: bool = False) -> bool:
    """Does one API output label satisfy one label the app lists, the way the app compares them?

    With ``case_insensitive`` both sides are case-folded: the app lower-cases the output, and a
    listed label written with capitals is reported by the editor as a bug rather than silently
    never matching here.
    """
    out, lab = (output_label.casefold(), listed.casefold()) if case_insensitive else (output_label, listed)
    if match == "exact":
        return out == lab
    if match == "first_word":
        words = out.split()
        return bool(words) and words[0] == lab
    if match == "word":
        return lab in out.split()
    if match == "substring":
        return bool(lab) and lab in out
    if match == "prefix":
        return bool(lab) and out.startswith(lab)
    raise ValueError(f"unknown match mode {match!r}")


def category_matches(output_label: str, category: Category, decision: Decision) -> bool:
    return any(label_matches(output_label, lab, decision.match, decision.case_insensitive) for lab in category.labels)


def resolve(decision: Decision, vocabulary: Iterable[str]) -> list[list[str]]:
    """Per category, the model labels (from its vocabulary) that trigger it."""
    vocab = list(vocabulary)
    return [[v for v in vocab if category_matches(v, c, decision)] for c in decision.categories]


def unmatched_labels(decision: Decision, vocabulary: Iterable[str]) -> list[tuple[int, str]]:
    """(category index, listed label) pairs that no model label can ever satisfy: app bugs."""
    vocab = list(vocabulary)
    out = []
    for i, c in enumerate(decision.categories):
        for lab in c.labels:
            if not any(label_matches(v, lab, decision.match, decision.case_insensitive) for v in vocab):
                out.append((i, lab))
    return out


def kept_outputs(decision: Decision, ranked: Ranked) -> list[tuple[str, float]]:
    """The outputs the app looks at: best first, cut to ``top_k``, then filtered by ``min_score``."""
    items = sorted(ranked, key=lambda x: -x[1])
    if decision.top_k is not None:
        items = items[: decision.top_k]
    if decision.min_score is not None:
        items = [x for x in items if x[1] >= decision.min_score]
    return items


def _first_range(decision: Decision, score: float) -> int | None:
    for i, c in enumerate(decision.categories):
        lo, hi = c.range if c.range is not None else (None, None)
        if (lo is None or score >= lo) and (hi is None or score <= hi):
            return i
    return None


def decide(decision: Decision, ranked: Ranked | None = None, score: float | None = None) -> Outcome:
    """The decision the app takes on a model's output, exactly as its code would."""
    if decision.type == "score_range":
        if score is None:
            raise ValueError("score_range decisions need a score")
        return _first_range(decision, score)
    kept = kept_outputs(decision, ranked or [])
    cats = decision.categories
    if decision.type == "true_false":
        return any(category_matches(lab, cats[0], decision) for lab, _ in kept) if cats else False
    if decision.type == "multi_select":
        return frozenset(i for i, c in enumerate(cats) if any(category_matches(lab, c, decision) for lab, _ in kept))
    if decision.type == "multi_choice":
        if decision.ordering == "output_rank":
            for lab, _ in kept:
                for i, c in enumerate(cats):
                    if category_matches(lab, c, decision):
                        return i
            return None
        for i, c in enumerate(cats):  # category_priority (the default ordering)
            if any(category_matches(lab, c, decision) for lab, _ in kept):
                return i
        return None
    raise ValueError(f"unknown decision type {decision.type!r}")


def acceptable(decision: Decision, true_labels: Iterable[str] = (), true_score: float | None = None) -> set[Outcome]:
    """The set of outcomes that are correct given the ground truth (usually one element).

    For ``multi_choice`` with ``output_rank`` a perfect output has no order, so any category with a
    true label is a correct choice; the default is correct only when none matches.
    """
    if decision.type == "score_range":
        if true_score is None:
            raise ValueError("score_range ground truth needs a true score")
        return {_first_range(decision, true_score)}
    labels = list(true_labels)
    cats = decision.categories
    hits = [i for i, c in enumerate(cats) if any(category_matches(lab, c, decision) for lab in labels)]
    if decision.type == "true_false":
        return {bool(hits)}
    if decision.type == "multi_select":
        return {frozenset(hits)}
    if decision.type == "multi_choice":
        if not hits:
            return {None}
        if decision.ordering == "output_rank":
            return set(hits)
        return {hits[0]}
    raise ValueError(f"unknown decision type {decision.type!r}")


def is_correct(decision: Decision, predicted: Outcome, true_labels: Iterable[str] = (), true_score: float | None = None) -> bool:
    return predicted in acceptable(decision, true_labels, true_score)


def describe_outcome(decision: Decision, outcome: Outcome) -> str:
    """A person-readable name for an outcome (for CLI tables and the side-by-side demo)."""
    cats = decision.categories
    if decision.type == "true_false":
        return (cats[0].name if cats else "match") if outcome else "no match"
    if decision.type == "multi_select":
        return "{" + ", ".join(cats[i].name for i in sorted(outcome)) + "}"  # type: ignore[arg-type]
    if outcome is None:
        return "default"
    return cats[outcome].name  # type: ignore[index]
