"""Text helpers shared by the generator and the scorer: the comparison key, word 3-grams,
typography transforms and byte encodings.

The key is deliberately coarse (NFKC, case-folded, every non-alphanumeric run is one space) so
that typography a site applies (curly quotes, dashes, non-breaking spaces) never decides a match;
wording does.
"""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def key(text: str) -> str:
    """Comparison key: NFKC, case-folded, non-alphanumeric runs to one space, trimmed."""
    t = unicodedata.normalize("NFKC", text or "").casefold()
    return _NON_ALNUM.sub(" ", t).strip()


def words(text: str) -> list[str]:
    k = key(text)
    return k.split() if k else []


def trigrams(text: str) -> set[tuple[str, str, str]]:
    w = words(text)
    return {tuple(w[i : i + 3]) for i in range(len(w) - 2)}


def shingles5(text: str) -> set[tuple[str, ...]]:
    """The corpus README's near-duplicate shingles: lowercase \\w+ runs, 5-word windows."""
    w = re.findall(r"\w+", text.lower())
    return {tuple(w[i : i + 5]) for i in range(len(w) - 4)}


def curly(text: str) -> str:
    """Straight quotes to typographic ones (opening after start/space/bracket)."""
    out = []
    prev = " "
    for ch in text:
        if ch == '"':
            out.append("\u201c" if prev in " ([{\u2014\u2013-" else "\u201d")
        elif ch == "'":
            out.append("\u2018" if prev in " ([{\u2014\u2013-" else "\u2019")
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


def straight(text: str) -> str:
    for a, b in (("\u201c", '"'), ("\u201d", '"'), ("\u2018", "'"), ("\u2019", "'"), ("\u201e", '"')):
        text = text.replace(a, b)
    return text


def double_hyphen(text: str) -> str:
    return text.replace("\u2014", "--").replace("\u2013", "--")


def encode(text: str, encoding: str) -> bytes:
    """Bytes of a page in a site's encoding (raises UnicodeEncodeError when it cannot hold it)."""
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if encoding == "utf-16le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "cp1252":
        return text.encode("cp1252")
    raise ValueError(encoding)


def can_encode(text: str, encoding: str) -> bool:
    try:
        encode(text, encoding)
        return True
    except UnicodeEncodeError:
        return False
