"""An app's decision resolved against a model's vocabulary: what the loss and the evaluation need.

Resolution uses ``chameleon_server.decision.resolve`` (the app's match mode and case rule), so the
labels the loss pushes are exactly the labels that would trigger the app's branches. The effective
threshold combines the app's ``min_score`` with the API's own score cut, and the effective ``k``
the app's ``top_k`` with the API's output size.
"""

from __future__ import annotations

from dataclasses import dataclass

from chameleon_server.abstract import Decision, Site
from chameleon_server.decision import acceptable, resolve, unmatched_labels

from .api import CustomizeError


@dataclass
class AppSpec:
    decision: Decision
    vocabulary: list[str]
    resolved: list[list[str]]  # per category, the vocabulary labels that trigger it
    cat_index: list[list[int]]  # the same as vocabulary indices
    unmatched: list[tuple[int, str]]  # listed labels that match no vocabulary label
    threshold: float  # effective score threshold (0..1)
    top_k: int  # effective k (0 = no cap)

    @property
    def type(self) -> str:
        return self.decision.type

    @property
    def app_label_indices(self) -> list[int]:
        return sorted({i for c in self.cat_index for i in c})

    def summary(self) -> dict:
        return {"categories": [{"name": c.name, "labels": c.labels, "resolved": r}
                               for c, r in zip(self.decision.categories, self.resolved)],
                "unmatched": [{"category": self.decision.categories[i].name, "label": lab} for i, lab in self.unmatched],
                "threshold": self.threshold, "top_k": self.top_k}


def build_spec(site: Site, vocabulary: list[str], output_top_k: int, output_min_score: float) -> AppSpec:
    """Resolve the site's decision; raise ``CustomizeError`` when there is nothing to learn."""
    d = site.decision
    if d is None:
        raise CustomizeError(f"{site.file}:{site.line}: {site.api} has no decision to customize for")
    if not d.categories:
        raise CustomizeError(f"{site.file}:{site.line}: the decision has no categories")
    if d.type == "score_range":
        if any(c.range is None for c in d.categories):
            raise CustomizeError("score_range categories need a range")
        return AppSpec(d, vocabulary, [[] for _ in d.categories], [[] for _ in d.categories], [], 0.0, 0)
    if not vocabulary:
        raise CustomizeError(f"a {d.type} decision needs a labelled dataset, this one only has scores")
    resolved = resolve(d, vocabulary)
    if not any(resolved):
        listed = sorted({lab for c in d.categories for lab in c.labels})
        raise CustomizeError(f"none of the app's labels {listed} matches any label the model can output "
                             f"(match={d.match}, case_insensitive={d.case_insensitive}); e.g. {vocabulary[:8]}")
    index = {v: i for i, v in enumerate(vocabulary)}
    cat_index = [[index[v] for v in r] for r in resolved]
    thr = max(output_min_score, d.min_score if d.min_score is not None else 0.0)
    ks = [k for k in (output_top_k, d.top_k) if k]
    return AppSpec(d, vocabulary, resolved, cat_index, unmatched_labels(d, vocabulary), thr, min(ks) if ks else 0)


def truth_sets(spec: AppSpec, labels: list[list[str]] | None = None, scores: list[float] | None = None) -> list[set]:
    """Per example, the set of acceptable outcomes (``chameleon_server.decision.acceptable``)."""
    d = spec.decision
    if d.type == "score_range":
        return [acceptable(d, true_score=s) for s in scores or []]
    return [acceptable(d, true_labels=labs) for labs in labels or []]
