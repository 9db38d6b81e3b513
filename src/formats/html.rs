//! The HTML reader: bytes to a [`Draft`] (charset, html5ever parse,
//! metadata, main-content extraction).
//!
//! html5ever never fails: any byte soup becomes a tree, as in a browser.
//! So "malformed" here means a file with no markup at all (not HTML), or
//! markup nested deeper than [`MAX_DEPTH`]: html5ever's tree builder scans
//! its stack of open elements on every insertion, so its time grows with
//! the square of the depth (measured: 20,000 nested `<div>`s take 4 s,
//! 80,000 take 150 s), and a hostile 400 KB file could stall a worker. A
//! linear pre-scan refuses such a file before parsing. A page whose tree
//! holds no article is `no_content` from the builder.

use super::article::{Draft, Line};
use super::dom::Dom;
use super::segment::{self, Hint, XBlock};
use super::{charset, extract, meta, prune};
use crate::model::{Reason, Rejection};
use scraper::Html;

/// Reads an HTML page.
///
/// # Errors
/// `decode` rejections for empty / binary / undecodable bytes,
/// [`Reason::Malformed`] when the text has no markup.
pub(crate) fn draft(bytes: &[u8]) -> Result<Draft, Rejection> {
    let (text, _) = charset::html_text(bytes)?;
    page(&text)
}

/// Reads an HTML page already decoded.
///
/// # Errors
/// [`Reason::Malformed`] when the text has no markup.
pub(crate) fn page(text: &str) -> Result<Draft, Rejection> {
    if !has_markup(text) {
        return Err(Rejection::new(
            "extract",
            Reason::Malformed,
            "the .html file holds no HTML markup (no element tag)",
        ));
    }
    let doc = parse(text)?;
    let dom = Dom::new(&doc);
    let m = meta::page_meta(&dom);
    let x = extract::extract(&dom, m.title.as_deref());
    let title = m.title.clone().or(x.headline);
    Ok(Draft {
        title,
        head: x.head.into_iter().map(line).collect(),
        body: x.body.into_iter().map(line).collect(),
        tail: x.tail.into_iter().map(line).collect(),
        published: m.published,
        updated: m.updated,
        author: m.author,
        url: m.url,
        site: m.site,
        exact_body: x.marked,
    })
}

/// The HTML extractor's output before normalization, for evaluation and
/// debugging (`examples/eval_extract.rs` scores it next to the stored
/// article).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The page's metadata.
    pub meta: meta::PageMeta,
    /// Short lines between headline and body.
    pub head: Vec<String>,
    /// The body blocks.
    pub body: Vec<String>,
}

/// Runs the HTML reader without the normalizer.
///
/// # Errors
/// As [`draft`].
pub fn extract_html(bytes: &[u8]) -> Result<Extracted, Rejection> {
    let d = draft(bytes)?;
    let texts = |v: Vec<Line>| v.into_iter().map(|l| l.text).collect();
    Ok(Extracted {
        meta: meta::PageMeta {
            title: d.title,
            published: d.published,
            updated: d.updated,
            author: d.author,
            url: d.url,
            site: d.site,
        },
        head: texts(d.head),
        body: texts(d.body),
    })
}

/// The blocks of an HTML fragment that is already an article body (a
/// crawler record's `html` field without `<body>`): furniture and
/// link lists are dropped, nothing is scored.
pub(crate) fn fragment(text: &str) -> Result<Vec<Line>, Rejection> {
    let doc = parse(text)?;
    let dom = Dom::new(&doc);
    let f = prune::flags(&dom);
    Ok(segment::blocks(&dom, &f, 0)
        .into_iter()
        .filter(|b| b.link_density() <= 0.5 && b.text.chars().any(char::is_alphanumeric))
        .map(line)
        .collect())
}

/// The deepest element nesting accepted; real article pages stay under a
/// few hundred.
pub const MAX_DEPTH: usize = 512;

/// Parses `text` after checking its nesting depth.
fn parse(text: &str) -> Result<Html, Rejection> {
    if nesting_depth(text, MAX_DEPTH) > MAX_DEPTH {
        return Err(Rejection::new(
            "extract",
            Reason::Malformed,
            format!("the markup nests deeper than {MAX_DEPTH} elements"),
        ));
    }
    Ok(Html::parse_document(text))
}

/// Elements that never hold children, or whose end tag the parser implies
/// when a sibling starts (`<p>`, `<li>`, `<td>`): not counted as depth.
const FLAT: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th",
    "tbody", "thead", "tfoot", "colgroup", "rb", "rt", "rp", "!doctype",
];

/// An estimate of the deepest element nesting, from start and end tags
/// alone (comments, `script` and `style` content skipped), in one linear
/// pass; stops counting once past `limit`.
fn nesting_depth(text: &str, limit: usize) -> usize {
    let b = text.as_bytes();
    let (mut i, mut depth, mut max) = (0usize, 0usize, 0usize);
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        i += off + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let close = b.get(i) == Some(&b'/');
        let start = i + usize::from(close);
        let len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'!')
            .count();
        if len == 0 {
            continue;
        }
        let name = text
            .get(start..start + len)
            .unwrap_or("")
            .to_ascii_lowercase();
        let end = b[start..]
            .iter()
            .position(|&c| c == b'>')
            .map_or(b.len(), |e| start + e);
        let self_closing = end > 0 && b.get(end - 1) == Some(&b'/');
        i = end.min(b.len());
        if FLAT.contains(&name.as_str()) || self_closing {
            continue;
        }
        if close {
            depth = depth.saturating_sub(1);
        } else if name == "script" || name == "style" {
            let tag = format!("</{name}");
            i = find_ci(b, i, tag.as_bytes()).unwrap_or(b.len());
        } else {
            depth += 1;
            max = max.max(depth);
            if max > limit {
                break;
            }
        }
    }
    max
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ci(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

/// Whether `text` is a full page (`<html>` / `<body>` / doctype) rather
/// than a fragment.
pub(crate) fn is_full_page(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    head.contains("<html") || head.contains("<body") || head.contains("<!doctype html")
}

/// Whether `text` contains at least one element tag (`<p`, `</div`,
/// `<!doctype`), as opposed to prose with a stray `<`.
pub(crate) fn has_markup(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// Whether a JSON text field holds HTML rather than plain text: it has
/// paragraph or line-break markup.
pub(crate) fn looks_like_html(text: &str) -> bool {
    let lower: String = text
        .chars()
        .take(20_000)
        .collect::<String>()
        .to_ascii_lowercase();
    ["</p>", "<br", "</div>", "<p>", "<p ", "</h2>", "</li>"]
        .iter()
        .any(|t| lower.contains(t))
}

fn line(b: XBlock) -> Line {
    Line {
        text: b.text,
        hint: match b.hint {
            Hint::Heading(_) => Hint::Text,
            h => h,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_markup_is_malformed() {
        let r = page("just <<< some text >>> with brackets").expect_err("not html");
        assert_eq!(r.reason, Reason::Malformed);
        assert!(has_markup("<p>x"));
        assert!(!has_markup("a < b and c > d"));
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("{}<p>text</p>", "<div>".repeat(100_000));
        let started = std::time::Instant::now();
        let r = page(&deep).expect_err("too deep");
        assert_eq!(r.reason, Reason::Malformed);
        assert!(started.elapsed().as_secs() < 2);
        assert_eq!(
            nesting_depth(
                "<div><p>a<p>b<br><img src=x></div><div><span>c</span></div>",
                99
            ),
            2
        );
        assert_eq!(
            nesting_depth("<script>'<div><div><div>'</script><div></div>", 99),
            1
        );
        let many = "<div><span>x</span></div>".repeat(10_000);
        assert_eq!(nesting_depth(&many, MAX_DEPTH), 2);
    }

    #[test]
    fn fragments_and_full_pages() {
        assert!(is_full_page("<!DOCTYPE html><html><body>x</body></html>"));
        assert!(!is_full_page("<p>One.</p><p>Two.</p>"));
        let l = fragment("<p>One.</p><script>x()</script><p>Two <a href=x>t</a> words.</p>")
            .expect("parses");
        let t: Vec<&str> = l.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(t, ["One.", "Two t words."]);
        assert!(looks_like_html("<p>One.</p>"));
        assert!(!looks_like_html("One < two."));
    }
}
