"""Job request validation never lets anything but a clear BadJobRequest out (no 500s), whatever JSON arrives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from svc_helpers import SITE

from chameleon_trainer.service.jobspec import BadJobRequest, JobSpec, build_spec

DATASETS = [{"name": "fashion-scenes", "apis": ["google.vision.label_detection"]}]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_body_is_a_spec_or_a_clear_error(body):
    try:
        spec = build_spec(body, DATASETS)
    except BadJobRequest as e:
        assert str(e)
    else:
        assert isinstance(spec, JobSpec)


site_keys = st.sampled_from(["api", "line", "decision", "file", "column", "task"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(site_keys, json_values, max_size=6), st.dictionaries(st.sampled_from(
    ["type", "categories", "match", "ordering", "min_score", "top_k", "default"]), json_values, max_size=7))
def test_mangled_sites_are_a_spec_or_a_clear_error(site_over, decision_over):
    site = dict(SITE, **site_over)
    if isinstance(site.get("decision"), dict):
        site["decision"] = dict(site["decision"], **decision_over)
    try:
        build_spec({"abstract": site, "dataset": "fashion-scenes"}, DATASETS)
    except BadJobRequest as e:
        assert str(e)


def test_valid_requests_round_trip():
    spec = build_spec({"abstract": {"version": 1, "sites": [SITE]}, "options": {"tiny": True}, "seed": 3}, DATASETS)
    assert spec.dataset == "fashion-scenes" and spec.seed == 3 and spec.options == {"tiny": True}
    again = JobSpec.from_dict(spec.to_dict())
    assert again.site.decision_hash() == spec.site.decision_hash() and again.dataset == spec.dataset


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from(["vision", "nl", "rekognition", "comprehend"]))
def test_serving_parsers_only_raise_wire_errors(body, kind):
    from chameleon_trainer.serving import formats

    parse = {"vision": formats.parse_vision, "nl": formats.parse_nl_document,
             "rekognition": formats.parse_detect_labels, "comprehend": formats.parse_detect_sentiment}[kind]
    for b in (body, {"requests": [body]}, {"requests": [{"image": body, "features": [{"type": 4}]}]},
              {"Image": body}, {"document": body}, {"Text": body}):
        try:
            parse(b)
        except formats.WireError as e:
            assert str(e)
