"""Real corpus stories, read at run time from ../shared/corpus (or $SHINGLED_CORPUS).

Nothing here stores corpus text: it only knows the folder layout (see the corpus README).
Stories are cleaned the way a wire desk's copy would arrive at a site: Reuters stories lose
their own dateline prefix, author line and `Reuter` sign-off (sites put their own back).
"""

import json
import os
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from textkit import shingles5, key, words

SOURCES = (
    "bbc-news-2225",
    "reuters-21578",
    "l3s-gn1-google-news-2008",
    "zyte-article-extraction-benchmark",
)


@dataclass
class CorpusStory:
    cid: str  # "<source>/<id>"
    source: str
    title: str
    paragraphs: list[str]
    place: str | None = None  # Reuters dateline city, if any
    group: str | None = None  # look-alike group: reuters topic or bbc category
    shingles: set = field(default_factory=set, repr=False)


def corpus_dir() -> Path:
    here = Path(__file__).resolve().parents[2]
    d = Path(os.environ.get("SHINGLED_CORPUS", here.parent / "shared" / "corpus"))
    if not (d / "README.md").exists():
        sys.exit(f"harness2: corpus not found at {d} (set SHINGLED_CORPUS)")
    return d


def _read(path: Path) -> tuple[str, list[str]]:
    text = path.read_text(encoding="utf-8")
    title, _, body = text.partition("\n\n")
    paras = [p.strip() for p in body.split("\n\n") if p.strip()]
    return title.strip(), paras


def _index(d: Path, source: str) -> list[dict]:
    data = json.loads((d / source / "index.json").read_text(encoding="utf-8"))
    return data["pages"] if isinstance(data, dict) else data


_REUTER_TAIL = re.compile(r"\s*\bReuter\s*$")


def _clean_reuters(rec: dict, paras: list[str]) -> tuple[list[str], str | None]:
    if rec.get("author") and paras and paras[0].startswith("By "):
        paras = paras[1:]
    place = None
    dl = (rec.get("dateline") or "").strip()
    if paras and dl and paras[0].startswith(dl):
        paras[0] = paras[0][len(dl) :].strip()
        place = dl.split(",")[0].strip().title()
    out = []
    for p in paras:
        p = _REUTER_TAIL.sub("", p).strip()
        if p and p != "Reuter":
            out.append(p)
    return out, place


def load(d: Path) -> list[CorpusStory]:
    """Every usable story: 3-30 paragraphs of at least 4 words, a title of at least 2 words."""
    out = []
    for source in SOURCES:
        for rec in _index(d, source):
            sid = str(rec.get("id"))
            path = d / source / "articles" / f"{sid}.txt"
            if not path.exists():
                continue
            title, paras = _read(path)
            place = None
            group = None
            if source == "reuters-21578":
                paras, place = _clean_reuters(rec, paras)
                topics = rec.get("topics") or []
                group = "reuters-" + topics[0] if topics else None
            elif source == "bbc-news-2225":
                group = "bbc-" + rec.get("category", "")
            paras = [p for p in paras if len(words(p)) >= 4]
            if not (3 <= len(paras) <= 30) or len(words(title)) < 2:
                continue
            if "?" in title and source.startswith("l3s"):
                continue  # titles with lost characters (see the corpus README)
            out.append(CorpusStory(f"{source}/{sid}", source, title, paras, place, group))
    out.sort(key=lambda s: s.cid)
    return out


def select(stories: list[CorpusStory], seed: int, n: int) -> tuple[list, list]:
    """Two disjoint sets of n stories (dev, test) for a seed: a seeded greedy walk that keeps a
    story only if its 5-word-shingle containment with every kept one is below 0.2 and its title
    key is new (the corpus holds real duplicate pairs, which would blur the ground truth)."""
    rng = random.Random(f"harness2-stories-{seed}")
    pool = list(stories)
    rng.shuffle(pool)
    kept: list[CorpusStory] = []
    postings: dict = {}
    titles: set = set()
    for s in pool:
        if len(kept) >= 2 * n:
            break
        tk = key(s.title)
        if tk in titles:
            continue
        sh = shingles5("\n".join(s.paragraphs))
        if not sh:
            continue
        counts: dict = {}
        for g in sh:
            for j in postings.get(g, ()):
                counts[j] = counts.get(j, 0) + 1
        if any(c / min(len(sh), len(kept[j].shingles)) >= 0.2 for j, c in counts.items()):
            continue
        s.shingles = sh
        j = len(kept)
        kept.append(s)
        titles.add(tk)
        for g in sh:
            postings.setdefault(g, []).append(j)
    if len(kept) < 2 * n:
        sys.exit(f"harness2: only {len(kept)} usable stories, need {2 * n}")
    return kept[0::2], kept[1::2]
