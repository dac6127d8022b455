"""Unit tests of the language server's pure parts: settings, rendering, diagnostics, last-good merge."""

from __future__ import annotations

from pathlib import Path

from chameleon_server.abstract import Category, Decision, Default, Site
from chameleon_server.lsp import diagnostics as diag
from chameleon_server.lsp.documents import Document, analyze_document, site_at, site_on_line
from chameleon_server.lsp.render import Customization, customization_title, hover_markdown, metrics_phrase, summary
from chameleon_server.lsp.settings import Settings, parse_settings
from chameleon_server.lsp.vocab import Vocabularies, nearest_labels

FIXTURES = Path(__file__).parent / "fixtures"
VOCAB = ["Food", "Fast food", "Snack", "Produce", "Plastic", "Glass", "Paper", "Cardboard", "Shoe", "Sneakers"]


def _site(labels_a=("food", "snack"), labels_b=("plastic", "cardbord"), ci=True, line=5) -> Site:
    return Site(
        file="app.py", api="google.vision.label_detection", task="image_classification",
        line=line, column=16, end_line=line, end_column=52,
        decision=Decision(
            type="multi_choice", ordering="output_rank", match="exact", case_insensitive=ci, top_k=3,
            categories=[
                Category(name="compost", labels=list(labels_a), line=line + 3, outcome="return 'Compost this'"),
                Category(name="recycle", labels=list(labels_b), line=line + 5, outcome="return 'Recycle this'"),
            ],
            default=Default(line=line + 7, outcome="return 'This is trash'"),
        ),
    )


def test_settings_from_init_options_and_changes():
    s = parse_settings({"chameleon": {"trainerUrl": "http://127.0.0.1:9/", "token": "t", "jobOptions": {"tiny": True}}})
    assert s.trainer_url == "http://127.0.0.1:9"
    assert s.resolved_token() == "t"
    assert s.job_options == {"tiny": True}
    s2 = parse_settings({"dataset": "fashion", "trainerUrl": None}, s)  # inner object, explicit null resets
    assert s2.trainer_url is None and s2.dataset == "fashion" and s2.token == "t"
    assert parse_settings(None, s2) == s2 and parse_settings("garbage", s2) == s2


def test_token_file_setting(tmp_path):
    tf = tmp_path / "token"
    tf.write_text("secret\n")
    assert Settings(token_file=str(tf)).resolved_token() == "secret"
    assert Settings(token_file=str(tmp_path / "missing")).resolved_token() is None


def test_summary_and_titles():
    d = _site().decision
    assert summary(d) == "multi-choice · 2 categories · output-rank · top 3"
    assert metrics_phrase({"generic_error": 0.29, "customized_error": 0.13}) == "incorrect decisions 29% → 13%"
    assert customization_title(Customization("m1", stale=False, metrics={"generic_error": 0.29, "customized_error": 0.134})) == (
        "customized · incorrect decisions 29% → 13%"
    )
    assert customization_title(Customization("m1", stale=True)) == "stale: the decision logic changed"


def test_hover_lists_categories_and_matched_model_labels():
    md = hover_markdown(_site(), ("lsptest", VOCAB))
    assert "**google.vision.label_detection**" in md
    assert "multi-choice" in md and "output-rank" in md
    assert "**compost**" in md and "`food`, `snack`" in md and "`return 'Compost this'`" in md
    assert "model labels: Food, Snack" in md  # case-insensitive exact match resolves to the API's labels
    assert "Default → `return 'This is trash'`" in md
    assert "top 3" in md and "Vocabulary: lsptest (10 labels)" in md


def test_hover_without_decision():
    s = _site()
    s.decision = None
    assert "not used in a decision" in hover_markdown(s)


def test_unknown_label_diagnostic_with_nearest_and_quick_fix():
    text = "\n\n\n\nx = client.label_detection(image=image)\nA = ['food', 'snack']\nB = ['plastic', 'cardbord']\n"
    site = _site()
    ds = diag.diagnose(site, text, ("lsptest", VOCAB))
    assert [d.code for d in ds] == [diag.CODE_UNKNOWN]
    d = ds[0]
    assert "'cardbord'" in d.message and "'Cardboard'" in d.message
    assert (d.range.start.line, d.range.start.character, d.range.end.character) == (6, 16, 26)
    fixes = diag.quick_fixes("file:///app.py", text.splitlines(), d)
    assert fixes and fixes[0].title == "Replace 'cardbord' with 'Cardboard'"
    edit = fixes[0].edit.changes["file:///app.py"][0]
    assert edit.new_text == "'Cardboard'"


def test_case_sensitive_diagnostic():
    text = "x = 1\nif label.description in ['shoe', 'Sneakers']:\n"
    site = _site(labels_a=("shoe", "Sneakers"), labels_b=(), ci=False, line=1)
    ds = diag.diagnose(site, text, ("lsptest", VOCAB))
    assert [d.code for d in ds] == [diag.CODE_CASE]
    assert "case-sensitive" in ds[0].message and "'Shoe'" in ds[0].message
    fix = diag.quick_fixes("file:///a.py", text.splitlines(), ds[0])[0]
    assert fix.edit.changes["file:///a.py"][0].new_text == "'Shoe'"


def test_unresolved_label_list_diagnostic():
    site = _site()
    site.decision.categories[1] = Category(name="recycle", labels=[], unresolved="read from a file at run time", line=9)
    ds = diag.diagnose(site, "\n" * 10, None)
    assert [d.code for d in ds] == [diag.CODE_UNRESOLVED]
    assert "read from a file" in ds[0].message


def test_no_label_diagnostics_without_vocabulary_or_for_score_ranges():
    assert diag.diagnose(_site(labels_b=("nonsense",)), "", None) == []
    s = _site()
    s.decision.type = "score_range"
    assert diag.diagnose(s, "", ("v", VOCAB)) == []


def test_vocabularies_from_a_directory():
    v = Vocabularies([FIXTURES / "vocab"])
    assert v.default_dataset("google.vision.label_detection") == "lsptest_vision"
    name, labels = v.for_site("google.vision.label_detection")
    assert name == "lsptest_vision" and "Cardboard" in labels
    assert v.for_site("google.language.analyze_sentiment") is None
    v.put_model("m1", ["X"])
    assert v.for_site("google.vision.label_detection", model_id="m1") == ("model m1", ["X"])
    assert nearest_labels("cardbord", labels)[0] == "Cardboard"


def test_configured_dataset_only_applies_to_the_apis_it_serves():
    v = Vocabularies()  # the trainer's packaged vocabularies
    name, labels = v.for_site("google.vision.label_detection", dataset="fortunes")
    assert name == "fashion-scenes" and "Shoe" in labels  # fortunes is a text dataset: ignored for Vision
    name, labels = v.for_site("google.language.classify_text", dataset="fortunes")
    assert name == "fortunes" and any(l.startswith("/") for l in labels)


def test_site_lookup():
    a, b = _site(line=5), _site(line=20)
    assert site_at([a, b], 5, 20) is a
    assert site_at([a, b], 5, 3) is None  # before the call's column
    assert site_at([a, b], 6) is None
    assert site_on_line([a, b], 20, "google.vision.label_detection") is b


def test_broken_file_keeps_last_good_abstracts():
    """A syntax error that hides a call site keeps its last good abstract, moved with its line."""
    good = "import x\nr = c.label_detection(image=i)\nz = 1\n"
    site = _site(line=2)

    def analyze(source, path, ws=None):  # stands in for an analyzer that loses the site on bad syntax
        return [site] if source == good else []

    doc = Document(uri="file:///a.py", path="/a.py", text=good)
    assert analyze_document(doc, analyze) == [site]
    doc.text = "import x\n\ndef broken(:\nr = c.label_detection(image=i)\nz = 1\n"
    kept = analyze_document(doc, analyze)
    assert len(kept) == 1 and kept[0].line == 4 and kept[0].decision.categories[0].line == 7
    doc.text = "import x\nz = 1\n"  # parses again, and the call is really gone
    assert analyze_document(doc, analyze) == []


def test_lower_insert_position():
    site = _site(ci=False, line=1)
    pos = lambda line, at: diag.lower_insert_position([line], {"line": 1, "column": at[0], "end_line": 1, "end_column": at[1]}, site)  # noqa: E731
    line = "    if label.description in ['shoe']:"
    p = pos(line, (8, 37))
    assert line[: p.character] + ".lower()" + line[p.character :] == "    if label.description.lower() in ['shoe']:"
    line = "    if 'shoe' == name:"
    p = pos(line, (8, 22))
    assert line[: p.character] == "    if 'shoe' == name"
    assert pos("    if a < b:", (8, 13)) is None  # not an equality or membership test
    assert pos("    if 'a' in ['a']:", (8, 20)) is None  # nothing to lower-case


def test_a_vocabulary_about_something_else_gives_one_note_not_a_warning_per_label():
    site = _site(labels_a=("cat", "kitten"), labels_b=("dog",))
    ds = diag.diagnose(site, "", ("fashion", VOCAB))
    assert [d.code for d in ds] == [diag.CODE_OUT_OF_VOCABULARY]
    assert ds[0].severity == diag.lsp.DiagnosticSeverity.Information and "None of the 3 labels" in ds[0].message
    # a customized model's own vocabulary is authoritative: every label is checked
    ds = diag.diagnose(site, "", ("model m1", VOCAB))
    assert [d.code for d in ds] == [diag.CODE_UNKNOWN] * 3


def test_hover_when_the_vocabulary_covers_none_of_the_labels():
    md = hover_markdown(_site(labels_a=("cat",), labels_b=("dog",)), ("fashion", VOCAB))
    assert "model labels" not in md
    assert "Vocabulary: fashion (10 labels) — none of these labels is in it" in md


async def test_local_service_that_cannot_start_says_why(tmp_path):
    """An interpreter without the project (nor torch): a clear message, not a hang."""
    import shutil

    import pytest

    from chameleon_server.lsp.service import LocalService, ServiceError

    py = shutil.which("python3", path="/usr/bin")
    if py is None:
        pytest.skip("no system python3 to stand in for an interpreter without the trainer extra")
    with pytest.raises(ServiceError, match="lacks the trainer extra"):
        await LocalService(tmp_path / "trainer", start_timeout=30, python=py).ensure()
