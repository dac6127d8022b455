"""Text topics from Debian's ``fortunes``: one category per file, named like ``classify_text``'s paths.

A text's true labels are its category path and every ancestor path (``/Computers & Electronics/
Programming`` also carries ``/Computers & Electronics``), the hierarchy Google NL's categories have.
Files without a clear topic (``fortunes``, ``cookie``, ``zippy``...) are left out.
"""

from __future__ import annotations

from pathlib import Path

FORTUNES_DIR = Path("/usr/share/games/fortunes")

CATEGORY_OF_FILE: dict[str, str] = {
    "art": "/Arts & Entertainment/Visual Art & Design",
    "computers": "/Computers & Electronics",
    "linux": "/Computers & Electronics/Software/Operating Systems",
    "debian": "/Computers & Electronics/Software/Operating Systems",
    "perl": "/Computers & Electronics/Programming",
    "definitions": "/Reference/Dictionaries",
    "drugs": "/Health/Substance Abuse",
    "education": "/Jobs & Education/Education",
    "ethnic": "/People & Society/Ethnic & Identity Groups",
    "food": "/Food & Drink",
    "humorists": "/Arts & Entertainment/Humor",
    "kids": "/People & Society/Family & Relationships/Kids",
    "law": "/Law & Government/Legal",
    "literature": "/Books & Literature",
    "love": "/People & Society/Family & Relationships/Romance",
    "magic": "/Hobbies & Leisure/Magic",
    "medicine": "/Health/Medical",
    "men-women": "/People & Society/Men & Women",
    "news": "/News",
    "pets": "/Pets & Animals/Pets",
    "people": "/People & Society",
    "politics": "/Law & Government/Politics",
    "riddles": "/Games/Puzzles & Brainteasers",
    "science": "/Science",
    "songs-poems": "/Arts & Entertainment/Music & Audio",
    "sports": "/Sports",
    "startrek": "/Arts & Entertainment/TV & Video",
    "tao": "/People & Society/Religion & Belief",
    "wisdom": "/People & Society/Self-Help & Motivational",
    "work": "/Jobs & Education/Jobs",
}


def path_labels(path: str) -> list[str]:
    """``/A/B/C`` -> ``["/A/B/C", "/A/B", "/A"]``."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) for i in range(len(parts), 0, -1)]


def vocabulary() -> list[str]:
    vocab: set[str] = set()
    for p in CATEGORY_OF_FILE.values():
        vocab.update(path_labels(p))
    return sorted(vocab)


def load_texts(max_per_file: int = 350, min_chars: int = 20, max_chars: int = 700) -> list[tuple[str, str]]:
    """(text, category path) pairs, deduplicated, in a deterministic order."""
    if not FORTUNES_DIR.exists():
        raise FileNotFoundError(f"fortunes not found in {FORTUNES_DIR} (Debian package fortunes)")
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in sorted(CATEGORY_OF_FILE):
        f = FORTUNES_DIR / name
        if not f.exists():
            continue
        raw = f.read_bytes().decode("utf-8", "replace")
        n = 0
        for chunk in raw.split("\n%\n"):
            text = " ".join(chunk.replace("%", " ").split())
            if not (min_chars <= len(text) <= max_chars) or text in seen:
                continue
            seen.add(text)
            out.append((text, CATEGORY_OF_FILE[name]))
            n += 1
            if n >= max_per_file:
                break
    return out
