"""Robust parsing: an ``ast`` tree for any text, even while it is being typed.

``ast.parse`` is the fast path (C code; the editor re-analyses on every keystroke). When it fails,
the broken lines are patched one at a time (a line that opened a block becomes ``if True:``, any
other becomes ``pass``), which keeps the rest of the enclosing function analysable. If that does
not converge, ``parso``'s error-recovering tree gives the top-level statements that do parse.
Positions are always those of the original text.
"""

from __future__ import annotations

import ast
import re
import time
import warnings
from dataclasses import dataclass, field

MAX_SOURCE_CHARS = 8_000_000  # bigger files are reported, not analysed
MAX_REPAIRS = 40
REPAIR_BUDGET_S = 1.0


@dataclass
class Parsed:
    tree: ast.Module | None
    lines: list[str]
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # set when nothing could be analysed

    def col(self, lineno: int, col_offset: int) -> int:
        """1-based character column from ast's 0-based UTF-8 byte offset."""
        if 1 <= lineno <= len(self.lines):
            line = self.lines[lineno - 1]
            if not line.isascii():
                return len(line.encode("utf-8")[:col_offset].decode("utf-8", "replace")) + 1
        return col_offset + 1

    def span(self, node: ast.AST) -> dict[str, int]:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        return {
            "line": line,
            "column": self.col(line, getattr(node, "col_offset", 0)),
            "end_line": end_line,
            "end_column": self.col(end_line, getattr(node, "end_col_offset", None) or 0),
        }

    def line_text(self, lineno: int) -> str:
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1]
        return ""


_BLOCK_OPENER = re.compile(r"^\s*(if|elif|else|for|while|with|def|class|try|except|finally|async|match|case)\b")


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _next_code_line(lines: list[str], i: int) -> str | None:
    for j in range(i + 1, len(lines)):
        if lines[j].strip() and not lines[j].lstrip().startswith("#"):
            return lines[j]
    return None


_KEEP_OPENER = {  # a broken block opener keeps its role, so the blocks around it still fit
    "except": "except Exception:", "elif": "elif True:", "else": "else:", "finally": "finally:",
    "try": "try:", "def": "def _broken_():", "class": "class _Broken_:", "for": "for _ in ():",
    "while": "while False:", "case": "case _:",
}


def _patch(lines: list[str], idx: int) -> bool:
    """Replace line ``idx`` (0-based) by something that parses at the same indentation."""
    if not (0 <= idx < len(lines)):
        return False
    line = lines[idx]
    ind = _indent(line)
    nxt = _next_code_line(lines, idx)
    opens_block = nxt is not None and len(_indent(nxt)) > len(ind)
    word = (line.strip().split() or [""])[0].rstrip(":")
    if word == "async":
        word = (line.strip().split() + ["", ""])[1].rstrip(":")
    if opens_block and word in _KEEP_OPENER:
        new = ind + _KEEP_OPENER[word]
    elif opens_block:
        new = ind + "if True:"
    elif line.strip() in ("", "pass"):
        return False
    else:
        new = ind + "pass"
    if new == line:
        return False
    lines[idx] = new
    return True


def _repair(source: str) -> tuple[ast.Module | None, int]:
    lines = source.split("\n")
    deadline = time.perf_counter() + REPAIR_BUDGET_S
    repairs = 0
    while repairs < MAX_REPAIRS and time.perf_counter() < deadline:
        try:
            return ast.parse("\n".join(lines)), repairs
        except SyntaxError as e:
            idx = (e.lineno or 1) - 1
            msg = str(e.msg or "")
            if "unexpected indent" in msg or "unindent does not match" in msg:
                # The block opener above was patched to 'pass': make it open a block instead.
                j = idx - 1
                while j >= 0 and not lines[j].strip():
                    j -= 1
                if j >= 0 and lines[j].strip() == "pass":
                    lines[j] = _indent(lines[j]) + "if True:"
                    repairs += 1
                    continue
            if not _patch(lines, min(idx, len(lines) - 1)):
                # The reported line is fine (say an unclosed bracket further up): drop the line above.
                if not _patch(lines, idx - 1):
                    return None, repairs
            repairs += 1
        except (ValueError, RecursionError, MemoryError, OverflowError):
            return None, repairs
    return None, repairs


def _parso_chunks(source: str) -> ast.Module | None:
    """Top-level statements that parse on their own, at their original line numbers."""
    try:
        import parso
    except ImportError:  # pragma: no cover - parso is a declared dependency
        return None
    try:
        module = parso.parse(source, error_recovery=True)
    except Exception:
        return None
    body: list[ast.stmt] = []
    for child in module.children:
        if child.type in ("error_node", "error_leaf", "endmarker", "newline"):
            continue
        code = child.get_code(include_prefix=False)
        line = child.start_pos[0]
        if child.start_pos[1] != 0:
            continue
        try:
            sub = ast.parse("\n" * (line - 1) + code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        body.extend(sub.body)
    return ast.Module(body=body, type_ignores=[])


def parse(source: str) -> Parsed:
    """Never raises. ``tree`` is None only when nothing at all could be parsed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes etc. in the user's code are not our business
        return _parse(source)


def _parse(source: str) -> Parsed:
    if not isinstance(source, str):
        return Parsed(None, [], error="source is not text")
    lines = source.split("\n")
    if len(source) > MAX_SOURCE_CHARS:
        return Parsed(None, lines, error=f"file too large to analyse ({len(source)} characters)")
    if "\x00" in source:
        source = source.replace("\x00", " ")
    try:
        return Parsed(ast.parse(source), lines)
    except SyntaxError as e:
        first = f"syntax error at line {e.lineno}: {e.msg}"
    except (ValueError, OverflowError) as e:
        first = f"cannot parse: {e}"
    except (RecursionError, MemoryError):
        return Parsed(None, lines, error="code nested too deeply to analyse")
    tree, n = _repair(source)
    if tree is not None:
        return Parsed(tree, lines, notes=[f"{first}; analysed the rest ({n} line(s) skipped)"])
    tree = _parso_chunks(source)
    if tree is not None and tree.body:
        return Parsed(tree, lines, notes=[f"{first}; analysed the top-level statements that parse"])
    return Parsed(None, lines, error=first)
