"""Each fixture app and example against its reviewed golden abstract."""

from __future__ import annotations

import json

import pytest

from chameleon_server.abstract import Abstract

from analyzer_golden_support import GOLDEN, analyze_case, cases

CASES = cases()


@pytest.mark.parametrize("name,path", CASES, ids=[c[0] for c in CASES])
def test_golden(name, path):
    golden = GOLDEN / f"{name}.json"
    assert golden.exists(), f"no golden for {name}: run python tests/analyzer/analyzer_golden_support.py and review it"
    expected = json.loads(golden.read_text(encoding="utf-8"))
    got = analyze_case(path)
    assert got == expected
    # and the JSON round-trips through the contract's dataclasses unchanged
    assert Abstract.from_dict(got).to_dict() == got


def test_every_example_has_a_decision():
    for name, path in CASES:
        if name.startswith("examples__"):
            sites = analyze_case(path)["sites"]
            assert sites and all(s["decision"] is not None for s in sites), name
