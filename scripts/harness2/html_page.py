"""HTML renderings of the same pages: the same lines as the plain-text page, in markup.

Odd-numbered sites (D1, D3, ..., T1, T3, ...) use semantic markup (chrome in `<header>`/
`<nav>`/`<aside>`/`<footer>`, the story in `<article>`, `<figure>`/`<figcaption>`, `<time>`,
`<table>`, `<ul>`, an embedded post as the platforms' `<blockquote>`); even-numbered ones put
everything in `<div>`s, as template-built sites do. The `<title>` is `Headline | Site` (the site
name alone on a title-less copy); semantic sites also give `og:title`. The visible text is
exactly the plain-text page's lines, so the ground truth is the same.
"""

import zlib
from html import escape


def _num(text: str) -> int:
    """A stable number for image and link paths (Python's hash() changes per process)."""
    return zlib.crc32(text.encode("utf-8")) % 10**6


def semantic(site) -> bool:
    return int(site.key[1:]) % 2 == 1


def _charset(site) -> tuple[str, str]:
    """(declared charset, byte encoding for textkit)"""
    if site.encoding == "cp1252":
        return "windows-1252", "cp1252"
    if site.encoding == "utf-8-bom":
        return "utf-8", "utf-8-bom"
    return "utf-8", "utf-8"  # UTF-16 HTML is rare on the web: such sites serve UTF-8 HTML


def _line(ln, sem: bool, zone: str) -> str:
    t = escape(ln.text)
    r = ln.role
    if not sem:
        cls = {"headline": "hdl", "content": "txt", "timestamp": "dt", "byline": "by"}.get(r, "blk")
        if r == "content" and ln.kind == "caption":
            return f'<div class="img"><img src="/i/{_num(ln.lid)}.jpg" alt=""><div class="cap">{t}</div></div>'
        return f'<div class="{cls}">{t}</div>'
    if r == "headline":
        return f"<h1>{t}</h1>"
    if r == "timestamp":
        return f"<time>{t}</time>"
    if r == "byline":
        return f'<p class="byline">{t}</p>'
    if r == "dateline":
        return f'<p class="dateline">{t}</p>'
    if r in ("masthead",):
        return f'<div class="masthead">{t}</div>'
    if r == "breadcrumb":
        return f'<nav class="breadcrumb">{t}</nav>'
    if r == "related":
        return f'<li><a href="/story/{_num(ln.text)}">{t}</a></li>'
    if r == "ad":
        return f'<div class="ad-slot">{t}</div>'
    if r == "separator":
        return "<hr>" if not ln.text.strip(" *") else f'<h2 class="next">{t}</h2>'
    if r == "content":
        if ln.kind == "caption":
            return f'<figure><img src="/i/{_num(ln.lid)}.jpg" alt=""><figcaption>{t}</figcaption></figure>'
        if ln.kind == "credit":
            return f'<p class="credit">{t}</p>'
        return f"<p>{t}</p>"
    if zone == "top":
        return f'<nav><a href="/">{t}</a></nav>'
    if zone == "bottom":
        return f"<p>{t}</p>"
    return f'<div class="meta">{t}</div>'


def _body(lines, sem: bool, site) -> list[str]:
    """Story lines with structure: tables, lists and embedded posts grouped."""
    out = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        k = ln.kind if ln.role == "content" else None
        if sem and k == "table":
            rows = []
            while i < len(lines) and lines[i].role == "content" and lines[i].kind == "table":
                cells = [c for c in lines[i].text.split(site.table_sep) if c]
                tag = "th" if not rows else "td"
                rows.append("<tr>" + "".join(f"<{tag}>{escape(c)}</{tag}>" for c in cells) + "</tr>")
                i += 1
            out.append("<table>" + "".join(rows) + "</table>")
            continue
        if sem and k == "list" and not ln.text.endswith(":"):
            items = []
            while i < len(lines) and lines[i].role == "content" and lines[i].kind == "list" and not lines[i].text.endswith(":"):
                items.append(f"<li>{escape(lines[i].text[len(site.bullet):] if lines[i].text.startswith(site.bullet) else lines[i].text)}</li>")
                i += 1
            out.append("<ul>" + "".join(items) + "</ul>")
            continue
        if sem and k == "embed" and i + 1 < len(lines) and lines[i + 1].kind == "embed":
            post, close = lines[i].text, lines[i + 1].text
            text, _, code = post.rpartition(" pic.twitter.com/")
            out.append(f'<blockquote class="twitter-tweet"><p lang="en">{escape(text)} '
                       f'<a href="https://t.co/{escape(code)}">pic.twitter.com/{escape(code)}</a></p>'
                       f"{escape(close)}</blockquote>")
            i += 2
            continue
        out.append(_line(ln, sem, "body"))
        i += 1
    return out


def render(site, p, lines, zones) -> bytes:
    import textkit

    sem = semantic(site)
    z_top, z_head, z_body = zones
    charset, enc = _charset(site)
    head = p.parts[0].headline
    title = f"{head} | {site.name}" if head else site.name
    meta = f'<meta property="og:title" content="{escape(head)}">' if sem and head else ""
    top = [_line(ln, sem, "top") for ln in lines[:z_top]]
    ahead = [_line(ln, sem, "head") for ln in lines[z_top:z_head]]
    body = _body(lines[z_head:z_body], sem, site)
    bottom = lines[z_body:]
    nl = site.newline
    if sem:
        rel = [ln for ln in bottom if ln.role == "related"]
        rest = [ln for ln in bottom if ln.role != "related"]
        aside = []
        if rel:
            first = bottom.index(rel[0])
            label = bottom[first - 1] if first > 0 and bottom[first - 1].role == "chrome" else None
            if label is not None:
                rest = [ln for ln in rest if ln is not label]
            aside = ["<aside>" + (f"<h3>{escape(label.text)}</h3>" if label else "") + "<ul>"
                     + "".join(_line(ln, sem, "bottom") for ln in rel) + "</ul></aside>"]
        parts = (["<header>", *top, "</header>", "<main>", "<article>", "<header>", *ahead, "</header>",
                  *body, "</article>", *aside, "</main>", "<footer>"]
                 + [_line(ln, sem, "bottom") for ln in rest] + ["</footer>"])
    else:
        parts = (['<div id="top">', *top, "</div>", '<div id="wrap"><div class="col">', *ahead, *body,
                  "</div>", '<div class="rail">'] + [_line(ln, sem, "bottom") for ln in bottom] + ["</div></div>"])
    doc = (f'<!DOCTYPE html>{nl}<html lang="en">{nl}<head>{nl}<meta charset="{charset}">{nl}'
           f"<title>{escape(title)}</title>{nl}{meta}{nl}</head>{nl}<body>{nl}"
           + nl.join(parts) + f"{nl}</body>{nl}</html>{nl}")
    return textkit.encode(doc, enc)
