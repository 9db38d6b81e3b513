"""The generator: a seed and a site set (dev or test) give a workload of scraped pages built
from real corpus stories, written to a folder, and the ground truth the scorer needs.

The counts per relation are those of docs/HARNESS2.md at `stories=320`; smaller workloads
(the smoke test) scale every count down and keep at least one of each.
"""

import gzip
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import corpus
import vocab
from render import ContentLine, PagePlan, Part, Site

BASE = {"copies": 100, "second_copies": 20, "headline_variants": 25, "updates": 60,
        "updates_other_site": 20, "third_versions": 15, "titleless": 30, "titleless_first": 10,
        "two_story": 50, "lookalike_pairs": 24, "internal_dateline": 20, "byte_copies": 30,
        "caption_dateline": 10}
# "SAN FRANCISCO, Jan. 9 /PRNewswire/ --", "BAGHDAD (AP) -", "LONDON - ": a dateline already there
_OWN_DATELINE = re.compile(r"^[A-Z][A-Z.' -]{2,}(, [A-Z][\w.]*|\s*\(|\s+[-\u2013\u2014])")
JUNK_KINDS = ["empty", "whitespace", "binary", "nul", "corrupt_gz"]


@dataclass
class Story:
    sid: str
    cs: corpus.CorpusStory
    title: str
    place: str
    country: str
    agency: str
    dt0: datetime
    versions: dict = field(default_factory=dict)  # v -> list[ContentLine]
    times: dict = field(default_factory=dict)  # v -> datetime
    n_lid: int = 0
    own_dateline: bool = False  # the corpus text opens with its own dateline: add none

    def lid(self) -> str:
        self.n_lid += 1
        return f"{self.sid}#{self.n_lid}"


def scaled(n_stories: int) -> dict:
    f = n_stories / 320
    return {k: max(1, round(v * f)) for k, v in BASE.items()}


def _extras(rng: random.Random, st: Story, kinds: set) -> list[ContentLine]:
    out = []
    city = st.place
    if "embed" in kinds:
        text, who, handle = vocab.embed(rng, city)
        d = st.dt0
        out += [ContentLine(st.lid(), "embed", text),
                ContentLine(st.lid(), "embed", f"\u2014 {who} (@{handle}) {vocab.MONTHS[d.month - 1]} {d.day}, {d.year}")]
    if "table" in kinds:
        out += [ContentLine(st.lid(), "table", t) for t in vocab.table(rng, "\t")]
    if "list" in kinds:
        out += [ContentLine(st.lid(), "list", t) for t in vocab.bullet_list(rng, city, "")]
    if "qa" in kinds:
        out += [ContentLine(st.lid(), "qa", t) for t in vocab.qa(rng, city)]
    return out


def _edit(rng: random.Random, text: str) -> str | None:
    ops = ["number", "synonym", "sentence"]
    rng.shuffle(ops)
    for op in ops:
        if op == "number":
            ms = list(re.finditer(r"\d+", text))
            if ms:
                m = rng.choice(ms)
                return text[: m.start()] + str(int(m.group()) + rng.randint(1, 9)) + text[m.end():]
        elif op == "synonym":
            hits = [m for m in re.finditer(r"\b[a-z]+\b", text) if m.group() in vocab.SYNONYMS]
            if hits:
                m = rng.choice(hits)
                return text[: m.start()] + vocab.SYNONYMS[m.group()] + text[m.end():]
        else:
            ss = re.split(r"(?<=[.!?])\s+", text)
            if len(ss) >= 2:
                return " ".join(ss[:-1])
    return None


def _update(rng: random.Random, st: Story, prev: list[ContentLine]) -> list[ContentLine]:
    lines = list(prev)
    paras = [i for i, c in enumerate(lines) if c.kind == "paragraph"]
    edited = 0
    want = rng.randint(1, max(1, min(3, len(paras) // 2)))  # most of the text stays as it was
    for i in rng.sample(paras, len(paras)):
        if edited >= want:
            break
        new = _edit(rng, lines[i].text)
        if new and new != lines[i].text:
            lines[i] = ContentLine(st.lid(), "paragraph", new)
            edited += 1
    if rng.random() < 0.5 or edited == 0:
        at = rng.randint(1, len(lines))
        lines.insert(at, ContentLine(st.lid(), "paragraph", vocab.update_paragraph(rng)))
    paras = [i for i, c in enumerate(lines) if c.kind == "paragraph"]
    if rng.random() < 0.3 and len(paras) >= 4:
        del lines[rng.choice(paras[1:])]
    return lines


def _headline_variant(rng: random.Random, h: str) -> str:
    k = rng.randrange(4)
    if k == 0:
        return h.upper() if h != h.upper() else h.title()
    if k == 1:
        return h.title() if h != h.title() else h.lower().capitalize()
    if k == 2:
        return "UPDATE 1-" + h
    return "WATCH: " + h


class Workload:
    def __init__(self, sites: list[Site], seed: int, set_name: str, n_stories: int = 320):
        self.sites = sites
        self.seed = seed
        self.set_name = set_name
        self.rng = random.Random(f"harness2-{set_name}-{seed}")
        self.counts = scaled(n_stories)
        d = corpus.corpus_dir()
        dev, test = corpus.select(corpus.load(d), seed, n_stories)
        picked = dev if set_name == "dev" else test
        self.stories = [self._story(i, cs) for i, cs in enumerate(picked)]
        self.pages: list[dict] = []  # {"plan", "t", "relation", ...}

    # -- stories ------------------------------------------------------------------------
    def _story(self, i: int, cs: corpus.CorpusStory) -> Story:
        rng = self.rng
        place, country = rng.choice(vocab.PLACES)
        if cs.place:
            place = cs.place.upper()
            country = dict(vocab.PLACES).get(place, "United States")
        agency = "Reuters" if cs.source == "reuters-21578" else rng.choice(vocab.AGENCIES)
        dt0 = datetime(2024, 1, 1, 6) + timedelta(days=rng.randrange(700), minutes=rng.randrange(16 * 60))
        st = Story(f"s{i:03d}", cs, cs.title, place, country, agency, dt0)
        st.own_dateline = bool(_OWN_DATELINE.match(cs.paragraphs[0]))
        lines = [ContentLine(st.lid(), "paragraph", p) for p in cs.paragraphs]
        st.versions[1] = lines
        st.times[1] = dt0
        return st

    def _add_extras(self) -> None:
        rng = self.rng
        c = self.counts
        n = len(self.stories)
        quotas = {"embed": round(30 * n / 320) or 1, "table": round(20 * n / 320) or 1,
                  "list": round(20 * n / 320) or 1, "qa": round(15 * n / 320) or 1}
        for kind, q in quotas.items():
            for st in rng.sample(self.stories, q):
                lines = st.versions[1]
                at = min(2, len(lines) - 1)
                st.versions[1] = lines[:at] + _extras(rng, st, {kind}) + lines[at:]

    def _add_stock(self) -> None:
        """30 stories (at 320) carry one of the stock paragraphs before their last line. Its own
        random stream, so that adding it moved nothing else in the plan."""
        rng = random.Random(f"harness2-stock-{self.set_name}-{self.seed}")
        n = max(1, round(30 * len(self.stories) / 320))
        self.stock = {}
        for i, st in enumerate(rng.sample(self.stories, n)):
            lines = st.versions[1]
            c = ContentLine(f"{st.sid}#stock", "paragraph", vocab.STOCK[i % len(vocab.STOCK)])
            st.versions[1] = lines[:-1] + [c] + lines[-1:]
            self.stock[st.sid] = c.lid

    # -- planning -----------------------------------------------------------------------
    def _sites_for(self, st: Story, texts: list[str], exclude: Site | None = None, need_dateline=False) -> list[Site]:
        out = []
        for s in self.sites:
            if s is exclude:
                continue
            if need_dateline and s.dateline(st.place, st.country, st.agency, st.dt0)[0] is None:
                continue
            if s.can_hold(texts):
                out.append(s)
        return out

    def _page(self, relation: str, site: Site, parts: list[Part], published, updated=None, **kw) -> dict:
        rng = self.rng
        main_sid = parts[0].story
        others = [s.title for s in self.stories
                  if s.sid not in {p.story for p in parts} and site.can_hold([s.title])]
        plan = PagePlan(name="", site=site, parts=parts, published=published, updated=updated,
                        byline=kw.pop("byline", vocab.person(rng)), rec=rng.sample(others, 5),
                        captions=[], seed=f"{self.seed}-{len(self.pages)}", **kw)
        page = {"plan": plan, "t": rng.random(), "relation": relation, "story": main_sid}
        self.pages.append(page)
        return page

    def _part(self, st: Story, v: int, headline: str | None, dateline=True) -> Part:
        return Part(st.sid, v, st.versions[v], headline, st.place, st.country, st.agency,
                    dateline and not st.own_dateline)

    def _texts(self, st: Story) -> list[str]:
        return [c.text for v in st.versions.values() for c in v] + [st.title]

    def plan(self) -> None:
        rng = self.rng
        c = self.counts
        self._add_extras()
        self._add_stock()
        pool = list(self.stories)
        rng.shuffle(pool)
        # template look-alikes: Reuters earn/acq pairs first, then same-group stories
        groups: dict = {}
        for st in pool:
            if st.cs.group:
                groups.setdefault(st.cs.group, []).append(st)
        pairs = []
        used = set()
        order = sorted(groups, key=lambda g: (not g.startswith("reuters-earn"), not g.startswith("reuters-acq"), g))
        for g in order:
            mem = [s for s in groups[g] if s.sid not in used]
            while len(mem) >= 2 and len(pairs) < c["lookalike_pairs"]:
                a, b = mem.pop(), mem.pop()
                pairs.append((a, b))
                used |= {a.sid, b.sid}
        rest = [s for s in pool if s.sid not in used]
        upd = rest[: c["updates"]]
        rest = rest[c["updates"]:]
        mains = rest[: c["two_story"]]
        appended = rest[c["two_story"]: 2 * c["two_story"]]
        rest2 = rest[2 * c["two_story"]:]
        internal = [s for s in rest2 if len([x for x in s.versions[1] if x.kind == "paragraph"]) >= 3][: c["internal_dateline"]]
        internal_ids = {s.sid for s in internal}
        self.lookalikes = []
        primary: dict = {}
        for a, b in pairs:
            sites = [s for s in self._sites_for(a, self._texts(a) + self._texts(b))]
            site = rng.choice(sites)
            byline = vocab.person(rng)
            seed = f"{self.seed}-look-{a.sid}"
            pa = self._page("lookalike", site, [self._part(a, 1, a.title)], a.dt0, byline=byline)
            pb = self._page("lookalike", site, [self._part(b, 1, b.title)], a.dt0, byline=byline)
            pb["plan"].rec = pa["plan"].rec
            pa["plan"].seed = pb["plan"].seed = seed
            primary[a.sid], primary[b.sid] = pa, pb
            self.lookalikes.append((pa, pb))
        for st in self.stories:
            if st.sid in primary:
                continue
            site = rng.choice(self._sites_for(st, self._texts(st)))
            primary[st.sid] = self._page("primary", site, [self._part(st, 1, st.title)], st.dt0,
                                         internal_dateline=st.sid in internal_ids)
        self.primary = primary
        # updates
        self.update_classes = []
        for i, st in enumerate(upd):
            nv = 3 if i < c["third_versions"] else 2
            for v in range(2, nv + 1):
                st.versions[v] = _update(rng, st, st.versions[v - 1])
                st.times[v] = st.times[v - 1] + timedelta(minutes=rng.randint(40, 300))
            pages = [primary[st.sid]]
            psite = primary[st.sid]["plan"].site
            for v in range(2, nv + 1):
                other = i % 3 == 1 and i < 3 * c["updates_other_site"]
                sites = self._sites_for(st, self._texts(st), exclude=psite if other else None)
                site = psite if not other and psite in sites else rng.choice(sites)
                pages.append(self._page("update", site, [self._part(st, v, st.title)], st.dt0, st.times[v]))
            self.update_classes.append((st, pages, ["in_order", "reversed", "mixed"][i % 3]))
        # cross-site copies
        cands = [s for s in self.stories if s.sid not in used]
        copied = rng.sample(cands, c["copies"])
        n_var = 0
        for i, st in enumerate(copied):
            for _ in range(2 if i < c["second_copies"] else 1):
                site = rng.choice(self._sites_for(st, self._texts(st), exclude=primary[st.sid]["plan"].site))
                h = st.title
                if n_var < c["headline_variants"] and rng.random() < 0.3:
                    h = _headline_variant(rng, h)
                    n_var += 1
                self._page("copy", site, [self._part(st, 1, h)], st.dt0)
        self.n_headline_variants = n_var
        # title-less copies
        self.titleless_first = []
        for i, st in enumerate(rng.sample(cands, c["titleless"])):
            site = rng.choice(self._sites_for(st, self._texts(st)))
            pg = self._page("titleless", site, [self._part(st, 1, None)], st.dt0)
            if i < c["titleless_first"]:
                self.titleless_first.append(pg)
        # two-story pages
        self.two_story = []
        for i, (m, a) in enumerate(zip(mains, appended)):
            with_sep = i % 2 == 0
            main_dl = (i // 4) % 2 == 0
            sites = self._sites_for(m, self._texts(m) + self._texts(a), need_dateline=main_dl)
            site = rng.choice(sites)
            sep = rng.choice(["rule", "readnext", "more"]) if with_sep else None
            sep_head = with_sep and (i // 2) % 5 < 3
            a_dl = i % 5 != 4
            parts = [self._part(m, 1, m.title, dateline=main_dl),
                     self._part(a, 1, a.title if sep_head else None, dateline=a_dl)]
            pg = self._page("two_story", site, parts, m.dt0, separator=sep, sep_headline=sep_head)
            self.two_story.append((pg, m, a, with_sep, i % 4 in (0, 3)))
        # captions on 40% of pages
        n_capdl = 0
        for pg in self.pages:
            if pg["relation"] == "lookalike" or rng.random() >= 0.4:
                continue
            plan = pg["plan"]
            st = self._by_sid(plan.parts[0].story)
            for _ in range(rng.randint(1, 2)):
                who, ag = vocab.credit(rng)
                plan.captions.append((st.lid(), vocab.caption(rng, st.place), st.lid(), who, ag))
            plan.captions_twice = rng.random() < 0.5
            if n_capdl < c["caption_dateline"] and rng.random() < 0.25:
                plan.caption_dateline = True
                n_capdl += 1
        self._order()

    def _by_sid(self, sid: str) -> Story:
        return self.stories[int(sid[1:])]

    def _order(self) -> None:
        """Arrival times with the placements of the spec enforced."""
        rng = self.rng
        for st, pages, how in self.update_classes:
            ts = sorted(p["t"] for p in pages)
            if how == "reversed":
                ts.reverse()
            elif how == "mixed" and len(pages) == 3:
                ts = [ts[1], ts[0], ts[2]] if rng.random() < 0.5 else [ts[0], ts[2], ts[1]]
            elif how == "mixed":
                rng.shuffle(ts)
            for p, t in zip(pages, ts):
                p["t"] = t
        by_story: dict = {}
        for p in self.pages:
            by_story.setdefault(p["story"], []).append(p)
        for pg in self.titleless_first:
            pg["t"] = min(p["t"] for p in by_story[pg["story"]]) - 1e-6
        for pg, m, a, with_sep, standalone_first in self.two_story:
            own = [p["t"] for p in by_story.get(a.sid, [])]
            if standalone_first:
                pg["t"] = rng.uniform(max(own), max(own) + (1 - max(own)) * 0.9 + 1e-9)
            else:
                pg["t"] = rng.uniform(min(own) * 0.1, min(own))
            pg["standalone_first"] = standalone_first

    # -- output -------------------------------------------------------------------------
    def write(self, folder: Path, fmt: str = "text") -> dict:
        """Render every page into `folder`; returns the ground truth."""
        rng = self.rng
        c = self.counts
        folder.mkdir(parents=True, exist_ok=True)
        self.pages.sort(key=lambda p: p["t"])
        files: list[tuple[float, str, bytes, dict]] = []
        names = set()

        base_ext = ".html" if fmt == "html" else ".txt"

        def name(site_key: str, ext: str = base_ext) -> str:
            while True:
                n = f"{site_key}-{rng.getrandbits(40):010x}{ext}"
                if n not in names:
                    names.add(n)
                    return n

        truth_files = {}
        for pg in self.pages:
            plan = pg["plan"]
            plan.name = name(plan.site.key)
            data, lines = plan.site.render(plan, fmt)
            pg["name"] = plan.name
            rec = {"junk": False, "relation": pg["relation"], "site": plan.site.key,
                   "byte_copy_of": None,
                   "parts": [{"story": p.story, "version": p.version,
                              "role": "main" if i == 0 else "appended"} for i, p in enumerate(plan.parts)],
                   "captions_twice": plan.captions_twice,
                   "lines": [{"t": ln.text, "r": ln.role, "s": ln.story, "l": ln.lid, "k": ln.kind,
                              "v": ln.variants, "a": ln.aux} for ln in lines]}
            truth_files[plan.name] = rec
            files.append((pg["t"], plan.name, data, rec))
        originals = [f for f in files]
        for i in range(c["byte_copies"]):
            t, n0, data, rec = rng.choice(originals)
            site = rec["site"] if i % 2 == 0 else rng.choice([s.key for s in self.sites if s.key != rec["site"]])
            n = name(site)
            r2 = dict(rec, byte_copy_of=n0, relation="byte_copy")
            truth_files[n] = r2
            files.append((rng.uniform(t, 1.0) + 1e-9, n, data, r2))
        n_junk = max(len(JUNK_KINDS), round(15 * len(self.stories) / 320))
        for i in range(n_junk):
            kind = JUNK_KINDS[i % len(JUNK_KINDS)]
            site = rng.choice(self.sites).key
            if kind == "empty":
                data = b""
            elif kind == "whitespace":
                data = b" \n\t\n  \r\n" * rng.randint(1, 5)
            elif kind == "binary":
                data = b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(rng.randint(200, 2000)))
            elif kind == "nul":
                data = b"\x00" * rng.randint(16, 4096)
            else:
                good = gzip.compress(b"Some words that were meant to be a page.\n", mtime=0)
                data = good[:10] + bytes(rng.getrandbits(8) for _ in range(64))
            n = name(site, base_ext + ".gz" if kind == "corrupt_gz" else base_ext)
            rec = {"junk": True, "junk_kind": kind, "relation": "junk", "site": site, "parts": [], "lines": [],
                   "byte_copy_of": None, "captions_twice": False}
            truth_files[n] = rec
            files.append((rng.random(), n, data, rec))
        files.sort(key=lambda f: (f[0], f[1]))
        for _, n, data, _ in files:
            (folder / n).write_bytes(data)
        return self._truth([f[1] for f in files], truth_files)

    def _truth(self, order: list[str], files: dict) -> dict:
        stories = {}
        for st in self.stories:
            newest = max(st.versions)
            stories[st.sid] = {
                "cid": st.cs.cid, "title": st.title,
                "versions": {str(v): [c.lid for c in ls] for v, ls in st.versions.items()},
                "newest": newest,
            }
        counts = {
            "stories": len(self.stories),
            "files": len(order),
            "by_relation": {},
            "update_classes": len(self.update_classes),
            "update_orders": {},
            "two_story_with_separator": sum(1 for x in self.two_story if x[3]),
            "two_story_glued": sum(1 for x in self.two_story if not x[3]),
            "two_story_standalone_first": sum(1 for x in self.two_story if x[4]),
            "headline_variants": self.n_headline_variants,
            "titleless_first": len(self.titleless_first),
        }
        for f in files.values():
            counts["by_relation"][f["relation"]] = counts["by_relation"].get(f["relation"], 0) + 1
        for _, _, how in self.update_classes:
            counts["update_orders"][how] = counts["update_orders"].get(how, 0) + 1
        return {
            "seed": self.seed, "sites": self.set_name, "order": order, "files": files,
            "stories": stories, "counts": counts,
            "lookalikes": [[a["story"], a["name"], b["story"], b["name"]] for a, b in self.lookalikes],
            "two_story": [{"file": pg["name"], "main": m.sid, "appended": a.sid, "separator": ws,
                           "standalone_first": sf} for pg, m, a, ws, sf in self.two_story],
            "internal_dateline": [p["name"] for p in self.pages if p["plan"].internal_dateline],
            "update_orders": {st.sid: how for st, _, how in self.update_classes},
            "stock": self.stock,
        }


def generate(sites: list[Site], seed: int, set_name: str, folder: Path, n_stories: int = 320,
             fmt: str = "text") -> dict:
    """The same seed gives the same plan in both formats: `html` renders the same pages as HTML."""
    w = Workload(sites, seed, set_name, n_stories)
    w.plan()
    truth = w.write(folder, fmt)
    truth["format"] = fmt
    return truth
