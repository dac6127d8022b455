"""Majority vote over the frames' labels: recyclable vs. not."""
MATERIAL = {"Glass bottle": "recyclable", "Tin can": "recyclable", "Paper": "recyclable",
            "Plastic bag": "landfill", "Coffee cup": "landfill"}
IGNORED = []


def vote(names):
    votes = []
    for n in names:
        if n in IGNORED:
            continue
        if n in MATERIAL:
            votes.append(MATERIAL[n])
    good = votes.count("recyclable")
    bad = votes.count("landfill")
    return "recycle" if good > bad else "landfill"
