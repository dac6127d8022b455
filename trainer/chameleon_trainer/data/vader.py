"""Human-rated sentences from the vaderSentiment sdist (hutto_ICWSM_2014): tweets, movie reviews,
Amazon reviews and NYT editorial snippets, each with the mean of ~20 human ratings on -4..4.
The score is mapped to -1..1 (``analyze_sentiment``'s range). ``scripts/setup.d/30-data.sh`` fetches
and extracts it into the cache."""

from __future__ import annotations

from pathlib import Path

from ..paths import cache_root

FILES = ["tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets"]


def data_dir() -> Path:
    return cache_root() / "data" / "vader"


def load_sentences() -> list[tuple[str, float]]:
    """(text, score in -1..1) pairs in file order."""
    d = data_dir()
    if not (d / "tweets_GroundTruth.txt").exists():
        raise FileNotFoundError(f"VADER sentences not found in {d}: run scripts/setup.d/30-data.sh")
    out = []
    for name in FILES:
        for line in (d / f"{name}_GroundTruth.txt").read_bytes().decode("utf-8", "replace").splitlines():
            parts = line.rstrip("\r").split("\t", 2)
            if len(parts) != 3:
                continue
            try:
                score = float(parts[1])
            except ValueError:
                continue
            text = " ".join(parts[2].split())
            if text:
                out.append((text, max(-1.0, min(1.0, score / 4.0))))
    return out
