"""Diagnostics on decision abstracts, each with the quick fix where one is obvious.

Three app bugs that the abstract makes visible:
- a listed label that the API's vocabulary can never return (nearest real labels in the message);
- a case-sensitive comparison against labels the API capitalises ('food' vs 'Food');
- a label list the analyzer could not resolve (customization cannot use it).
When no listed label at all is in a dataset's vocabulary, the vocabulary is the wrong one for this
app rather than the app being wrong: one informational note replaces the per-label warnings.

Positions come from the analyzer's optional ``Category.label_spans`` / ``labels_at`` when present;
otherwise the quoted label is searched in the document, near the list when its place is known.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from lsprotocol import types as lsp

from ..abstract import Category, Decision, Site
from ..decision import label_matches, unmatched_labels
from .vocab import nearest_labels

SOURCE = "chameleon"
CODE_UNKNOWN = "unknown-label"
CODE_CASE = "case-sensitive-label"
CODE_UNRESOLVED = "unresolved-labels"
CODE_OUT_OF_VOCABULARY = "labels-outside-vocabulary"

VocabFor = Callable[[Site], "tuple[str, list[str]] | None"]


def span_range(span: dict[str, Any] | None) -> lsp.Range | None:
    """An analyzer span (1-based lines and columns) as an LSP range."""
    if not isinstance(span, dict) or not span.get("line"):
        return None
    line = int(span["line"]) - 1
    col = max(int(span.get("column") or 1) - 1, 0)
    end_line = int(span.get("end_line") or span["line"]) - 1
    end_col = span.get("end_column")
    end_col = max(int(end_col) - 1, col) if end_col else col
    if end_line == line and end_col <= col:
        end_col = col + 1
    return lsp.Range(lsp.Position(line, col), lsp.Position(end_line, end_col))


def site_range(site: Site) -> lsp.Range:
    r = span_range(
        {"line": site.line, "column": site.column, "end_line": site.end_line, "end_column": site.end_column}
    )
    assert r is not None
    return r


def _same_file(span: dict[str, Any] | None, site: Site) -> bool:
    return not isinstance(span, dict) or span.get("file") in (None, "", site.file)


@dataclass
class LabelLocator:
    """Finds where a listed label is written in the current document."""

    lines: list[str]
    _cache: dict[tuple[str, int], lsp.Range | None] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> "LabelLocator":
        return cls(text.splitlines())

    def find(self, label: str, near_line: int | None, within: lsp.Range | None = None) -> lsp.Range | None:
        """The quoted literal ``label`` (with its quotes), in ``within`` if given, else nearest ``near_line``."""
        key = (label, near_line or -1)
        if within is None and key in self._cache:
            return self._cache[key]
        pat = re.compile(r"""(['"])""" + re.escape(label) + r"\1")
        if within is not None:
            lo, hi = within.start.line, within.end.line
        else:
            lo, hi = 0, len(self.lines) - 1
        best: tuple[int, lsp.Range] | None = None
        for i in range(max(lo, 0), min(hi, len(self.lines) - 1) + 1):
            for m in pat.finditer(self.lines[i]):
                dist = abs(i - ((near_line or 1) - 1))
                rng = lsp.Range(lsp.Position(i, m.start()), lsp.Position(i, m.end()))
                if best is None or dist < best[0]:
                    best = (dist, rng)
        result = best[1] if best else None
        if within is None:
            self._cache[key] = result
        return result


def _foreign_span(cat: Category, label: str) -> dict[str, Any] | None:
    """Where ``label`` is written when its list lives in another module: {"file", line/column span}."""
    at = getattr(cat, "labels_at", None)
    for sp in getattr(cat, "label_spans", None) or []:
        if isinstance(sp, dict) and sp.get("label") == label and isinstance(at, dict) and at.get("file"):
            return {"file": at["file"], **{k: sp.get(k) for k in ("line", "column", "end_line", "end_column")}}
    return None


def _label_range(site: Site, cat: Category, label: str, loc: LabelLocator) -> lsp.Range:
    spans = getattr(cat, "label_spans", None)
    at = getattr(cat, "labels_at", None)
    if not _same_file(at, site):
        return site_range(site)  # the list lives in another module: point at the call here
    if isinstance(spans, list):
        for sp in spans:
            if isinstance(sp, dict) and sp.get("label") == label:
                r = span_range(sp)
                if r is not None:
                    return r
    within = span_range(at) if isinstance(at, dict) else None
    r = loc.find(label, (at or {}).get("line") if isinstance(at, dict) else cat.line, within)
    if r is None and within is not None:
        r = loc.find(label, within.start.line + 1)
    return r or site_range(site)


def _where(cat: Category, site: Site) -> str:
    at = getattr(cat, "labels_at", None)
    if _same_file(at, site) or not isinstance(at, dict):
        return ""
    return f" (listed in {at.get('file')}, line {at.get('line')})"


def _case_variant(label: str, decision: Decision, vocabulary: list[str]) -> str | None:
    """How the API writes ``label`` (e.g. 'Food' for 'food'), when it only differs by case."""
    variants: Counter[str] = Counter()
    folded = label.casefold()
    for v in vocabulary:
        if not label_matches(v, label, decision.match, True):
            continue
        for w in [v, *v.split()]:
            if w.casefold() == folded:
                variants[w] += 1
                break
    return variants.most_common(1)[0][0] if variants else None


def lower_insert_position(lines: list[str], compare_at: dict[str, Any] | None, site: Site) -> lsp.Position | None:
    """Where ``.lower()`` goes to make the app's comparison case-insensitive, when that is obvious.

    Only for a one-line comparison with a single ``==``/``!=``/``in``/``not in`` whose label side
    is an expression (not a literal): ``label.description in [...]`` -> after ``label.description``.
    """
    if not _same_file(compare_at, site):
        return None
    r = span_range(compare_at)
    if r is None or r.start.line != r.end.line or r.start.line >= len(lines):
        return None
    seg = lines[r.start.line][r.start.character : r.end.character]
    if not seg.isascii():
        return None  # ast offsets are bytes; keep the arithmetic trivially right
    try:
        node = ast.parse(seg.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Compare) or len(node.ops) != 1:
        return None
    if not isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.In, ast.NotIn)):
        return None
    literal = (ast.List, ast.Tuple, ast.Set, ast.Constant)
    target = node.comparators[0] if isinstance(node.left, literal) else node.left
    if isinstance(target, literal) or target.end_col_offset is None:
        return None
    lead = len(seg) - len(seg.lstrip())
    return lsp.Position(r.start.line, r.start.character + lead + target.end_col_offset)


def _diagnostic(
    rng: lsp.Range, severity: lsp.DiagnosticSeverity, code: str, message: str, data: dict[str, Any] | None = None
) -> lsp.Diagnostic:
    return lsp.Diagnostic(range=rng, severity=severity, source=SOURCE, code=code, message=message, data=data)


def _quoted(original: str, replacement: str) -> str:
    q = original[0] if original[:1] in ("'", '"') else "'"
    return f"{q}{replacement}{q}"


def diagnose(site: Site, text: str, vocabulary: tuple[str, list[str]] | None, loc: LabelLocator | None = None) -> list[lsp.Diagnostic]:
    """Diagnostics for one call site of the document whose text is ``text``."""
    d = site.decision
    if d is None:
        return []
    loc = loc or LabelLocator.of(text)
    out: list[lsp.Diagnostic] = []
    lower_at = None
    if not d.case_insensitive and all(lab == lab.lower() for c in d.categories for lab in c.labels):
        lower_at = lower_insert_position(loc.lines, getattr(d, "compare_at", None), site)
    for cat in d.categories:
        if cat.unresolved:
            at = getattr(cat, "labels_at", None)
            cmp_at = getattr(d, "compare_at", None)
            rng = (
                (span_range(at) if _same_file(at, site) else None)
                or (span_range(cmp_at) if _same_file(cmp_at, site) else None)
                or site_range(site)
            )
            out.append(
                _diagnostic(
                    rng,
                    lsp.DiagnosticSeverity.Information,
                    CODE_UNRESOLVED,
                    f"The labels of category '{cat.name}' could not be resolved statically ({cat.unresolved}); "
                    "customization cannot take this category into account. Write the labels as a literal list "
                    "or a module-level constant.",
                )
            )
    if vocabulary is None or d.type == "score_range":
        return out
    vname, vocab = vocabulary
    listed = [lab for c in d.categories for lab in c.labels]
    covered = [lab for lab in listed if any(label_matches(v, lab, d.match, True) for v in vocab)]
    if listed and not covered and not vname.startswith("model "):
        # Not one label in common: the stand-in dataset is about something else (fashion items vs
        # recycling), so per-label "never returned" warnings would be noise, not app bugs.
        out.append(
            _diagnostic(
                site_range(site),
                lsp.DiagnosticSeverity.Information,
                CODE_OUT_OF_VOCABULARY,
                f"None of the {len(listed)} labels this decision lists is in the '{vname}' vocabulary "
                f"({len(vocab)} labels) used for {site.api} here, so a model customized on it could not "
                "tell these categories apart. Set chameleon.dataset to a dataset that covers them.",
            )
        )
        return out
    for i, label in unmatched_labels(d, vocab):
        cat = d.categories[i]
        rng = _label_range(site, cat, label, loc)
        target = None if _same_file(getattr(cat, "labels_at", None), site) else _foreign_span(cat, label)
        variant = None if d.case_insensitive else _case_variant(label, d, vocab)
        if variant is not None:
            examples = [v for v in vocab if label_matches(v, label, d.match, True)][:3]
            out.append(
                _diagnostic(
                    rng,
                    lsp.DiagnosticSeverity.Warning,
                    CODE_CASE,
                    f"'{label}'{_where(cat, site)} never matches: the API capitalises its labels ("
                    + ", ".join(f"'{e}'" for e in examples)
                    + f") and this comparison is case-sensitive. Write '{variant}' or compare with .lower().",
                    {
                        "label": label,
                        "replacement": variant,
                        "category": cat.name,
                        "lowerAt": [lower_at.line, lower_at.character] if lower_at else None,
                        "target": target,
                    },
                )
            )
            continue
        near = nearest_labels(label, vocab)
        hint = (" Nearest real labels: " + ", ".join(f"'{n}'" for n in near) + ".") if near else ""
        out.append(
            _diagnostic(
                rng,
                lsp.DiagnosticSeverity.Warning,
                CODE_UNKNOWN,
                f"'{label}'{_where(cat, site)} is never returned by {site.api} (vocabulary: {vname}), so category '{cat.name}' cannot fire on it.{hint}",
                {"label": label, "suggestions": near, "category": cat.name, "target": target},
            )
        )
    return out


Lines = Callable[[str], "tuple[str, list[str]] | None"]  # workspace-relative file -> (uri, lines)


def quick_fixes(
    uri: str, text_lines: list[str], diagnostic: lsp.Diagnostic, other_file: Lines | None = None
) -> list[lsp.CodeAction]:
    """Quick fixes for our own diagnostics: add ``.lower()`` to the comparison, or replace the label.

    A label is only replaced where the edit's range is exactly the quoted literal: the diagnostic's
    range, or, for a list imported from another module, the label's span there (``other_file``
    gives that module's uri and text).
    """
    if diagnostic.source != SOURCE or not isinstance(diagnostic.data, dict):
        return []
    if diagnostic.code == CODE_CASE:
        replacements = [diagnostic.data.get("replacement")]
    elif diagnostic.code == CODE_UNKNOWN:
        replacements = list(diagnostic.data.get("suggestions") or [])
    else:
        return []
    actions: list[lsp.CodeAction] = []
    lower_at = diagnostic.data.get("lowerAt") if diagnostic.code == CODE_CASE else None
    if isinstance(lower_at, list) and len(lower_at) == 2:
        pos = lsp.Position(int(lower_at[0]), int(lower_at[1]))
        actions.append(
            lsp.CodeAction(
                title="Compare case-insensitively (add .lower())",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(range=lsp.Range(pos, pos), new_text=".lower()")]}),
            )
        )
    edit_uri, lines, r = uri, text_lines, diagnostic.range
    target = diagnostic.data.get("target")
    if isinstance(target, dict):
        found = other_file(str(target.get("file"))) if other_file else None
        tr = span_range(target)
        if found is None or tr is None:
            return actions
        edit_uri, lines = found
        r = tr
    if r.start.line != r.end.line or r.start.line >= len(lines):
        return actions
    original = lines[r.start.line][r.start.character : r.end.character]
    label = diagnostic.data.get("label")
    if not original or original[1:-1] != label or original[0] not in "'\"":
        return actions  # the range is not the literal itself: no obvious replacement
    where = "" if edit_uri == uri else f" in {target.get('file')}"  # type: ignore[union-attr]
    for i, rep in enumerate(x for x in replacements if isinstance(x, str)):
        actions.append(
            lsp.CodeAction(
                title=f"Replace '{label}' with '{rep}'{where}",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=(i == 0 and not actions),
                edit=lsp.WorkspaceEdit(changes={edit_uri: [lsp.TextEdit(range=r, new_text=_quoted(original, rep))]}),
            )
        )
    return actions
