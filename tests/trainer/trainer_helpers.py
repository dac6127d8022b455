"""Helpers for the trainer tests: small sites and decisions."""

from __future__ import annotations

from chameleon_server.abstract import Category, Decision, Site


def site(api: str, task: str, decision: Decision | None) -> Site:
    return Site(file="app.py", api=api, task=task, line=3, column=5, end_line=3, end_column=30, decision=decision)


def label_decision(type_: str, cats: list[tuple[str, list[str]]], **kw) -> Decision:
    return Decision(type=type_, categories=[Category(name=n, labels=l) for n, l in cats], **kw)


