//! From a reader's draft (HTML or JSON) to the pipeline's [`Parsed`].
//!
//! The draft is rendered as the text format (`title`, blank line, one
//! paragraph per block, `<br>` as a line break) and run through
//! [`normalize::normalize`]. So a story that arrives as HTML from one site
//! and as text from another is cut into the same units with the same
//! `tidy` / `match_key` rules and the same classification: the only way to
//! guarantee equal block keys. What the markup knows better than the text
//! rules is then applied on top:
//!
//! * a block from a `figcaption` / caption element becomes a caption, one
//!   from a byline element a byline, one from a `<time>` / date element a
//!   timestamp, one from a dateline element a dateline (when the rules saw
//!   a plain paragraph or chrome);
//! * a block from the head or tail (outside the container) that the rules
//!   took for body text is chrome: it was outside the article container;
//! * between a story's first and last paragraph, a container block that
//!   the rules took for chrome is a paragraph: the rules decide where the
//!   article starts and ends (they know wire copy, comment openers and
//!   sign-offs), the container decides what lies inside (lists, tables and
//!   sub-headings that look like navigation to a text reader); when the
//!   site itself marked the container as its article body, every block of
//!   it is article text (measured: on modern pages with such markup the
//!   rules' rejections inside it are mostly real content, on 2008 table
//!   layouts found by scoring mostly chrome);
//! * the first story's times, byline and title come from the page's
//!   metadata when the page has them (machine-readable, with zones).

use super::segment::Hint;
use crate::model::{BlockKind, PageTime, Parsed, Rejection};
use crate::normalize::{self, match_key};
use std::collections::HashSet;

/// One block of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) text: String,
    pub(crate) hint: Hint,
}

impl Line {
    pub(crate) fn text(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            hint: Hint::Text,
        }
    }
}

/// An article as a reader found it, before normalization.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Draft {
    pub(crate) title: Option<String>,
    /// Short lines between headline and body (byline, time, lead caption).
    pub(crate) head: Vec<Line>,
    pub(crate) body: Vec<Line>,
    /// Short lines right after the body (credits, captions).
    pub(crate) tail: Vec<Line>,
    pub(crate) published: Option<PageTime>,
    pub(crate) updated: Option<PageTime>,
    pub(crate) author: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) site: Option<String>,
    /// The body is exactly the article (a container the site marked as its
    /// article body, or a record's HTML body fragment): every body block
    /// is article text, whatever the text rules think of it.
    pub(crate) exact_body: bool,
}

/// Where a stored article came from, when the file said so.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Provenance {
    /// Canonical URL of the article (absolute http(s)).
    pub url: Option<String>,
    /// Site name (`og:site_name`, publisher, the record's `site` field),
    /// else the URL's host.
    pub site: Option<String>,
}

/// Renders a draft as the text format.
pub(crate) fn render(d: &Draft) -> String {
    let mut parts: Vec<&str> = Vec::with_capacity(d.head.len() + d.body.len() + 1);
    if let Some(t) = &d.title {
        parts.push(t);
    }
    parts.extend(
        d.head
            .iter()
            .chain(&d.body)
            .chain(&d.tail)
            .map(|l| l.text.as_str()),
    );
    let mut out = parts.join("\n\n");
    out.push('\n');
    out
}

/// Match keys of every line of `lines` with a hint in `hints`, and of each
/// paragraph of them (a `<br><br>`-separated part, rendered with a blank
/// line): the normalizer may keep a paragraph's `<br>` lines apart or join
/// them into one block, and either way the block is the page's.
fn keys<'a>(lines: impl Iterator<Item = &'a Line>, pick: impl Fn(Hint) -> bool) -> HashSet<String> {
    lines
        .filter(|l| pick(l.hint))
        .flat_map(|l| l.text.split("\n\n"))
        .flat_map(|para| {
            let whole = para.contains('\n').then_some(para);
            para.split('\n').chain(whole)
        })
        .map(match_key)
        .filter(|k| !k.is_empty())
        .collect()
}

/// Normalizes a draft and applies what the markup knows.
///
/// # Errors
/// The normalizer's [`Rejection`] (`no_content`).
pub(crate) fn build(d: &Draft) -> Result<(Parsed, Provenance), Rejection> {
    let mut parsed = normalize::normalize(&render(d))?;
    let all = || d.head.iter().chain(&d.body).chain(&d.tail);
    let captions = keys(all(), |h| h == Hint::Caption);
    let bylines = keys(all(), |h| h == Hint::Byline);
    let times = keys(all(), |h| h == Hint::Time);
    let datelines = keys(all(), |h| h == Hint::Dateline);
    let body_keys = keys(d.body.iter(), |_| true);
    let outside: HashSet<String> = keys(d.head.iter().chain(&d.tail), |_| true)
        .difference(&body_keys)
        .cloned()
        .collect();
    for s in &mut parsed.stories {
        for b in &mut s.blocks {
            let loose = matches!(b.kind, BlockKind::Paragraph | BlockKind::Boilerplate);
            let words = b.text.split_whitespace().count();
            if loose && captions.contains(&b.key) {
                b.kind = BlockKind::Caption;
            } else if loose && bylines.contains(&b.key) && words <= 20 {
                b.kind = BlockKind::Byline;
            } else if loose && datelines.contains(&b.key) && words <= 12 {
                b.kind = BlockKind::Dateline;
            } else if loose
                && times.contains(&b.key)
                && words <= 20
                && b.text.chars().any(|c| c.is_ascii_digit())
            {
                b.kind = BlockKind::Timestamp;
            } else if b.kind == BlockKind::Paragraph && outside.contains(&b.key) {
                b.kind = BlockKind::Boilerplate;
            }
        }
        // Inside the story's body span, the container is the authority:
        // list items, table rows and sub-headings that the text rules
        // score as chrome are article text when the page put them there.
        // A container the site marked as its body is trusted whole.
        let first = s.blocks.iter().position(|b| b.kind == BlockKind::Paragraph);
        let last = s
            .blocks
            .iter()
            .rposition(|b| b.kind == BlockKind::Paragraph);
        let span = match (first, last) {
            _ if d.exact_body => 0..s.blocks.len(),
            (Some(a), Some(z)) => a..z,
            _ => 0..0,
        };
        for b in &mut s.blocks[span] {
            if b.kind == BlockKind::Boilerplate && body_keys.contains(&b.key) {
                b.kind = BlockKind::Paragraph;
            }
        }
        if s.byline.is_none() {
            s.byline = s
                .blocks
                .iter()
                .find(|b| b.kind == BlockKind::Byline)
                .map(|b| b.text.clone());
        }
    }
    if let Some(first) = parsed.stories.first_mut() {
        first.published = d.published.or(first.published);
        first.updated = d.updated.or(first.updated);
        if first.byline.is_none() {
            first.byline = d.author.clone();
        }
        if (first.title.is_none() || first.title_inferred)
            && let Some(t) = d
                .title
                .as_deref()
                .map(normalize::tidy)
                .filter(|t| !t.is_empty())
        {
            first.title = Some(t);
            first.title_inferred = false;
        }
    }
    parsed.boilerplate = parsed
        .stories
        .iter()
        .flat_map(|s| &s.blocks)
        .filter(|b| b.kind == BlockKind::Boilerplate)
        .count();
    if !parsed
        .stories
        .iter()
        .flat_map(|s| &s.blocks)
        .any(|b| b.kind == BlockKind::Paragraph)
    {
        return Err(Rejection::new(
            "normalize",
            crate::model::Reason::NoContent,
            "no story body found in the extracted article",
        ));
    }
    let mut line = 0u32;
    for b in parsed.stories.iter_mut().flat_map(|s| &mut s.blocks) {
        line = line.saturating_add(1);
        b.line = line;
    }
    let site = d
        .site
        .clone()
        .or_else(|| d.url.as_deref().and_then(super::jsonld::host));
    Ok((
        parsed,
        Provenance {
            url: d.url.clone(),
            site,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: &str = "The old harbour bridge reopened to traffic on Monday after six months of repairs that cost the city more than it had planned.";
    const P2: &str = "Engineers replaced the deck plates and repainted the steel arches, the council said in a statement on Monday morning.";

    #[test]
    fn markup_hints_override_the_text_rules() {
        let d = Draft {
            title: Some("Harbour bridge reopens".into()),
            head: vec![Line {
                text: "Crowds on the reopened bridge".into(),
                hint: Hint::Caption,
            }],
            body: vec![Line::text(P1), Line::text(P2)],
            author: Some("Test Writer".into()),
            url: Some("https://news.example/bridge".into()),
            ..Draft::default()
        };
        let (p, prov) = build(&d).expect("builds");
        let s = &p.stories[0];
        assert_eq!(s.title.as_deref(), Some("Harbour bridge reopens"));
        assert!(
            s.blocks
                .iter()
                .any(|b| b.kind == BlockKind::Caption && b.text.starts_with("Crowds"))
        );
        assert_eq!(s.byline.as_deref(), Some("Test Writer"));
        assert_eq!(prov.site.as_deref(), Some("news.example"));
        let lines: Vec<u32> = s.blocks.iter().map(|b| b.line).collect();
        assert_eq!(
            lines,
            (1..=u32::try_from(lines.len()).expect("small")).collect::<Vec<_>>()
        );
    }

    #[test]
    fn br_separated_list_items_inside_the_body_stay_paragraphs() {
        // One container element holding `<br><br>`-separated items, each an
        // item line and a shop link on the next line: the normalizer joins
        // each item's two lines into one block, which the text rules take
        // for chrome. Between the story's paragraphs, they are the page's.
        let items = "1) Blue Harbour Models 4410 Lighthouse kit with a working lamp\n\
                     http://shop.example/2kQwZpT\n\n\
                     2) Northwind Games 2231 Harbour Pilot board game for four\n\
                     http://shop.example/9hTrXvB";
        let d = Draft {
            title: Some("Harbour bridge reopens".into()),
            body: vec![Line::text(P1), Line::text(items), Line::text(P2)],
            ..Draft::default()
        };
        let (p, _) = build(&d).expect("builds");
        let kinds: Vec<(BlockKind, &str)> = p.stories[0]
            .blocks
            .iter()
            .map(|b| (b.kind, b.text.as_str()))
            .collect();
        for needle in ["Lighthouse kit", "2kQwZpT", "Harbour Pilot", "9hTrXvB"] {
            let b = kinds.iter().find(|(_, t)| t.contains(needle));
            assert_eq!(
                b.map(|x| x.0),
                Some(BlockKind::Paragraph),
                "{needle}: {kinds:?}"
            );
        }
    }

    #[test]
    fn keys_equal_the_text_path() {
        let d = Draft {
            title: Some("Harbour bridge reopens".into()),
            body: vec![Line::text(P1), Line::text(P2)],
            ..Draft::default()
        };
        let (p, _) = build(&d).expect("builds");
        let text = normalize::normalize(&format!("Harbour bridge reopens\n\n{P1}\n\n{P2}\n"))
            .expect("text");
        let k = |p: &Parsed| {
            p.stories[0]
                .body()
                .map(|b| b.key.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(k(&p), k(&text));
    }
}
