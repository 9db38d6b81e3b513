"""The page renderer: a site style (a `Site` subclass in sites_dev.py / sites_test.py) turns a
page plan into the bytes of a scraped plain-text page and a line-by-line ground truth.

Every line written carries a role: chrome roles (`chrome`, `masthead`, `breadcrumb`, `tags`,
`pagetitle`, `ad`, `separator`), metadata roles (`headline`, `timestamp`, `byline`, `dateline`)
or `content` with the story, the line id and its kind (`paragraph`, `caption`, `credit`,
`embed`, `table`, `list`, `qa`). Only content belongs in an article's blocks.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime

import textkit
from vocab import MONTHS, WEEKDAYS

MON3 = [m[:3] for m in MONTHS]
DAY3 = [d[:3] for d in WEEKDAYS]


@dataclass
class Line:
    text: str
    role: str
    story: str | None = None
    lid: str | None = None
    kind: str | None = None
    variants: list[str] = field(default_factory=list)  # other texts this line is known under
    aux: list[tuple[str, str, str]] = field(default_factory=list)  # (lid, kind, text) parts of it


@dataclass
class ContentLine:
    lid: str
    kind: str
    text: str


@dataclass
class Part:
    story: str
    version: int
    lines: list[ContentLine]
    headline: str | None  # None: title-less
    place: str
    country: str
    agency: str
    dateline_prefix: bool = True  # open with the site's dateline (when the site has one)


@dataclass
class PagePlan:
    name: str
    site: "Site"
    parts: list[Part]
    published: datetime
    updated: datetime | None
    byline: str
    rec: list[str]  # other stories' headlines for recommended lists
    captions: list[tuple[str, str, str, str, str]]  # (lid, text, lid_credit, photographer, agency)
    captions_twice: bool = False
    caption_dateline: bool = False  # the first caption opens with the story's dateline
    separator: str | None = None  # two-story pages: None (glued) or a separator kind
    sep_headline: bool = False
    internal_dateline: bool = False
    seed: str = ""


def hm12(dt: datetime, dots: bool = False) -> str:
    h = dt.hour % 12 or 12
    ap = ("a.m." if dots else "am") if dt.hour < 12 else ("p.m." if dots else "pm")
    return f"{h}:{dt.minute:02d} {ap}"


def wire_prefix(place: str, agency: str) -> str:
    return f"{place} ({agency}) - "


class Site:
    """Defaults; each site overrides what makes it itself."""

    key = "x"
    name = "Site"
    encoding = "utf-8"
    newline = "\n"
    para_sep = "blank"  # or "single"
    quotes: str | None = None  # "curly" | "straight" | None (as the story has them)
    dashes: str | None = None  # "--" turns em/en dashes into double hyphens
    nbsp = False  # non-breaking spaces in timestamp and byline lines
    trailing = ""  # appended to content lines (trailing spaces, tabs)
    ad_every = 0
    ad_text = "Advertisement"
    bullet = "\u2022 "
    table_sep = "  "
    headline_twice = False
    credit_inline = True

    # -- hooks -------------------------------------------------------------------------
    def top(self, rng: random.Random, p: PagePlan) -> list[Line]:
        return []

    def meta(self, rng: random.Random, p: PagePlan) -> list[Line]:
        return [Line(self.byline(p.byline), "byline")] + [
            Line(t, "timestamp") for t in self.timestamps(p.published, p.updated)
        ]

    def after_meta(self, rng: random.Random, p: PagePlan) -> list[Line]:
        return []

    def bottom(self, rng: random.Random, p: PagePlan) -> list[Line]:
        return []

    def byline(self, name: str) -> str:
        return f"By {name}"

    def timestamps(self, pub: datetime, upd: datetime | None) -> list[str]:
        out = [f"Published {pub.isoformat()}"]
        if upd:
            out.append(f"Updated {upd.isoformat()}")
        return out

    def dateline(self, place: str, country: str, agency: str, dt: datetime) -> tuple[str | None, str | None]:
        """(prefix for the first paragraph, or a line of its own); both None: no dateline."""
        return None, None

    def caption_lines(self, text: str, who: str, agency: str) -> list[tuple[str, str]]:
        if self.credit_inline:
            return [(f"{text} (Photo: {who}/{agency})", "caption")]
        return [(text, "caption"), (f"Photo: {who}/{agency}", "credit")]

    def separator_lines(self, rng: random.Random, kind: str, site_name: str) -> list[str]:
        return {"rule": ["* * *"], "readnext": ["Read next"], "more": [f"More from {site_name}"]}[kind]

    # -- helpers for subclasses ---------------------------------------------------------
    @staticmethod
    def rec_list(title: str, heads: list[str]) -> list[Line]:
        return [Line(title, "chrome")] + [Line(h, "related") for h in heads]

    # -- the renderer ---------------------------------------------------------------------
    def typography(self, text: str) -> str:
        if self.quotes == "curly":
            text = textkit.curly(text)
        elif self.quotes == "straight":
            text = textkit.straight(text)
        if self.dashes == "--":
            text = textkit.double_hyphen(text)
        return text

    def story_lines(self, rng: random.Random, p: PagePlan, part: Part, first: bool) -> list[Line]:
        out: list[Line] = []
        prefix, own = (None, None)
        if part.dateline_prefix:
            prefix, own = self.dateline(part.place, part.country, part.agency, p.published)
            if not first and prefix is None:
                # an appended wire story keeps the wire's dateline even where the site has none
                prefix, own = wire_prefix(part.place, part.agency), None
        if own:
            out.append(Line(own, "dateline", part.story))
        done_prefix = False
        n_para = 0
        middle = len([c for c in part.lines if c.kind == "paragraph"]) // 2
        for c in part.lines:
            text = c.text
            variants = []
            if c.kind == "paragraph":
                if prefix and not done_prefix:
                    variants = _suffix_variants(prefix, text)
                    text = prefix + text
                    done_prefix = True
                elif p.internal_dateline and first and n_para == middle and n_para > 0:
                    wp = wire_prefix(part.place, part.agency)
                    variants = _suffix_variants(wp, text)
                    text = wp + text
                n_para += 1
            elif c.kind == "list" and not c.text.endswith(":"):
                text = self.bullet + text
                variants = [c.text]
            aux = []
            if c.kind == "table":
                text = text.replace("\t", self.table_sep)
                # a row may come out cell by cell (HTML tables): each cell is the story's too
                aux = [(f"{c.lid}.c{j}", "cell", cell) for j, cell in enumerate(c.text.split("\t"))]
            out.append(Line(text, "content", part.story, c.lid, c.kind, variants, aux))
            if self.ad_every and c.kind == "paragraph" and n_para % self.ad_every == 0 and n_para < len(part.lines) - 1:
                out.append(Line(self.ad_text, "ad"))
        return out

    def caption_block(self, p: PagePlan, part: Part, cap, with_dateline: bool) -> list[Line]:
        lid, text, lid_credit, who, agency = cap
        variants = []
        if with_dateline:
            prefix, _ = self.dateline(part.place, part.country, part.agency, p.published)
            prefix = prefix or wire_prefix(part.place, part.agency)
            variants = _suffix_variants(prefix, text)
            text = prefix + text
        out = []
        for t, kind in self.caption_lines(text, who, agency):
            if kind == "caption":
                vs = list(variants)
                aux = []
                if self.credit_inline:
                    base = t[len(text):]
                    vs = [v + base for v in variants] + [text] + variants
                    aux = [(lid_credit, "credit", base.strip())]
                out.append(Line(t, "content", part.story, lid, "caption", vs, aux))
            else:
                out.append(Line(t, "content", part.story, lid_credit, "credit"))
        return out

    def build(self, p: PagePlan) -> tuple[list[Line], tuple[int, int, int]]:
        """The page's lines (typography applied) and where its zones end: the site's top
        chrome, the article's head (headline, byline, times, share bar), the article body."""
        rng = random.Random(p.seed)
        lines: list[Line] = []
        lines += self.top(rng, p)
        z_top = len(lines)
        main = p.parts[0]
        if main.headline:
            lines.append(Line(main.headline, "headline", main.story))
            if self.headline_twice:
                lines.append(Line(main.headline, "headline", main.story))
        lines += self.meta(rng, p)
        lines += self.after_meta(rng, p)
        z_head = len(lines)
        caps = [self.caption_block(p, main, c, p.caption_dateline and i == 0) for i, c in enumerate(p.captions)]
        if caps:
            lines += caps[0]
        body = self.story_lines(rng, p, main, True)
        if len(caps) > 1:
            at = max(1, len(body) // 2)
            body = body[:at] + caps[1] + body[at:]
        lines += body
        for part in p.parts[1:]:
            if p.separator:
                lines += [Line(t, "separator") for t in self.separator_lines(rng, p.separator, self.name)]
                if p.sep_headline and part.headline:
                    lines.append(Line(part.headline, "headline", part.story))
            lines += self.story_lines(rng, p, part, False)
        if p.captions_twice:
            for c in caps:
                lines += [Line(x.text, x.role, x.story, x.lid, x.kind, x.variants, x.aux) for x in c]
        z_body = len(lines)
        lines += self.bottom(rng, p)
        for ln in lines:
            ln.text = self.typography(ln.text)
            if self.nbsp and ln.role in ("timestamp", "byline"):
                ln.text = ln.text.replace(" ", "\u00a0")
            ln.variants = [self.typography(v) for v in ln.variants]
            ln.aux = [(a, k, self.typography(t)) for a, k, t in ln.aux]
        return lines, (z_top, z_head, z_body)

    def render(self, p: PagePlan, fmt: str = "text") -> tuple[bytes, list[Line]]:
        lines, zones = self.build(p)
        if fmt == "html":
            import html_page

            return html_page.render(self, p, lines, zones), lines
        sep = self.newline * (2 if self.para_sep == "blank" else 1)
        texts = [ln.text + (self.trailing if ln.role == "content" else "") for ln in lines]
        page = sep.join(texts) + self.newline
        return textkit.encode(page, self.encoding), lines

    def can_hold(self, texts: list[str]) -> bool:
        return all(textkit.can_encode(self.typography(t), self.encoding) for t in texts)


def _suffix_variants(prefix: str, text: str) -> list[str]:
    """A prefixed line is also known under each word-suffix of its prefix followed by the text
    (a normalizer may keep all, part or none of a dateline inside the paragraph)."""
    ws = prefix.split()
    return [" ".join(ws[i:]) + " " + text for i in range(1, len(ws))] + [text]
