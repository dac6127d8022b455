"""WordNet 3.0 hypernym chains read straight from Debian's ``wordnet-base`` data files.

Used to expand a leaf concept (``shirt``) into its ancestors (``garment``, ``clothing``, ...), the
way Cloud Vision returns a broad, hierarchical label set. No nltk needed: the format is simple.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

WORDNET_DIR = Path("/usr/share/wordnet")


@lru_cache(maxsize=4096)
def _synset_line(offset: str) -> str | None:
    path = WORDNET_DIR / "data.noun"
    if not path.exists():
        return None
    with path.open("rb") as f:  # offsets are byte offsets into data.noun
        f.seek(int(offset))
        return f.readline().decode("utf-8", "replace")


def _parse(line: str) -> tuple[list[str], list[str]]:
    """(lemmas, hypernym offsets) of one data.noun line."""
    parts = line.split(" | ")[0].split()
    w_cnt = int(parts[3], 16)
    lemmas = [parts[4 + 2 * i] for i in range(w_cnt)]
    i = 4 + 2 * w_cnt
    p_cnt = int(parts[i])
    hyper = []
    for j in range(p_cnt):
        sym, off = parts[i + 1 + 4 * j], parts[i + 2 + 4 * j]
        if sym in ("@", "@i"):
            hyper.append(off)
    return lemmas, hyper


def ancestors(offset: str, max_depth: int = 12) -> list[str]:
    """Display names of the synset and its first-hypernym chain, nearest first ("Shirt", "Garment", ...)."""
    out: list[str] = []
    cur: str | None = offset
    for _ in range(max_depth):
        if cur is None:
            break
        line = _synset_line(cur)
        if line is None:
            break
        lemmas, hyper = _parse(line)
        out.append(lemmas[0].replace("_", " ").capitalize())
        cur = hyper[0] if hyper else None
    return out


def available() -> bool:
    return (WORDNET_DIR / "data.noun").exists()
