#!/usr/bin/env python3
"""Peer article extractors for examples/eval_extract.rs.

Reads a manifest (JSON list of {"dataset", "id", "path"}; path is a
gzip-compressed HTML page), runs each peer on the raw page bytes (each does
its own charset detection, as in production) and prints one JSON line per
page and peer:

    {"tool": "trafilatura", "dataset": "zyte", "id": "...", "text": "...", "ms": 12.3}

The Rust harness scores every tool with the same tokenizer, so only the
extracted text crosses this boundary. Nothing here is part of the product.
"""

import argparse
import gzip
import json
import sys
import time

BLOCK_TAGS = {
    "p", "div", "section", "article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
    "h6", "blockquote", "pre", "figcaption", "figure", "table", "tr", "td", "th", "br",
    "dd", "dt", "header", "footer", "main", "aside",
}


def readability_text(html_bytes):
    """readability-lxml's summary as text, one line per block element."""
    import lxml.html
    from readability import Document

    summary = Document(html_bytes).summary(html_partial=True)
    root = lxml.html.fromstring(summary)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
    return root.text_content()


def trafilatura_text(html_bytes):
    import trafilatura

    return trafilatura.extract(html_bytes, include_comments=False) or ""


TOOLS = {"trafilatura": trafilatura_text, "readability-lxml": readability_text}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("manifest")
    ap.add_argument("--tools", default=",".join(TOOLS))
    args = ap.parse_args()
    with open(args.manifest, encoding="utf-8") as f:
        pages = json.load(f)
    tools = [t for t in args.tools.split(",") if t]
    for t in tools:
        if t not in TOOLS:
            sys.exit(f"unknown tool {t}")
    # Import once up front so that import time is not charged to a page.
    for t in tools:
        try:
            TOOLS[t](b"<html><body><p>warm up</p></body></html>")
        except Exception:  # noqa: BLE001 - a peer failing on a toy page is fine
            pass
    out = sys.stdout
    for page in pages:
        with gzip.open(page["path"], "rb") as f:
            raw = f.read()
        for t in tools:
            start = time.perf_counter()
            error = None
            try:
                text = TOOLS[t](raw)
            except Exception as e:  # noqa: BLE001 - recorded, scored as empty
                text, error = "", f"{type(e).__name__}: {e}"
            ms = (time.perf_counter() - start) * 1000.0
            rec = {"tool": t, "dataset": page["dataset"], "id": page["id"], "text": text, "ms": ms}
            if error:
                rec["error"] = error
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
