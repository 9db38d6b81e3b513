//! Page metadata: title, times, author, canonical URL, site name.
//!
//! Sources by priority (first found wins):
//!
//! | field | sources |
//! |---|---|
//! | title | `og:title`, `twitter:title`, JSON-LD `headline`, first `h1`, `<title>`; the site name is cut off (`Story - Site`) |
//! | published | JSON-LD `datePublished`, `article:published_time` and similar meta tags, `<time itemprop=datePublished>` / `<time pubdate>`, the first `<time datetime>` outside navigation |
//! | updated | JSON-LD `dateModified`, `article:modified_time`, `og:updated_time`, similar meta tags |
//! | author | JSON-LD `author`, `author` / `article:author` / `byl` / `parsely-author` meta tags |
//! | url | `<link rel=canonical>`, `og:url`, JSON-LD `url` / `mainEntityOfPage` (absolute http(s) only) |
//! | site | `og:site_name`, JSON-LD `publisher.name`, `application-name` |
//!
//! JSON-LD goes first for times because it carries a zone more often than
//! the meta tags do, and it is what search engines check.

use super::dom::{Dom, Kind};
use super::jsonld;
use super::times::parse_time;
use crate::model::PageTime;
use crate::normalize::match_key;

/// Metadata of one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMeta {
    /// The headline, site name removed.
    pub title: Option<String>,
    /// First publication time.
    pub published: Option<PageTime>,
    /// Last modification time.
    pub updated: Option<PageTime>,
    /// Author name(s), as the page gives them.
    pub author: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Site (publication) name.
    pub site: Option<String>,
}

const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "published_time",
    "og:published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date",
    "date",
    "article.published",
    "originalpublicationdate",
];
const UPDATED_KEYS: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "article:updated_time",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
    "article.updated",
];
const AUTHOR_KEYS: &[&str] = &[
    "author",
    "article:author",
    "byl",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
];
const TITLE_KEYS: &[&str] = &["og:title", "twitter:title"];
const SITE_KEYS: &[&str] = &["og:site_name", "application-name"];

/// Separators between a headline and a site name in `<title>`.
const SEPARATORS: &[&str] = &[
    " | ", " - ", " – ", " — ", " :: ", " · ", " » ", " • ", " // ",
];

/// Reads the metadata of a parsed page.
pub(crate) fn page_meta(dom: &Dom<'_>) -> PageMeta {
    let mut metas: Vec<(String, &str)> = Vec::new();
    let mut canonical = None;
    let mut doc_title = None;
    let mut scripts: Vec<String> = Vec::new();
    for i in 0..dom.len() {
        match dom.tag(i) {
            "meta" => {
                let key = dom
                    .attr(i, "property")
                    .or_else(|| dom.attr(i, "name"))
                    .or_else(|| dom.attr(i, "itemprop"));
                if let (Some(k), Some(v)) = (key, dom.attr(i, "content")) {
                    metas.push((k.trim().to_ascii_lowercase(), v));
                }
            }
            "link" if canonical.is_none() => {
                let rel = dom.attr(i, "rel").unwrap_or("");
                if rel
                    .split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    canonical = dom.attr(i, "href").and_then(jsonld::absolute);
                }
            }
            "title" if doc_title.is_none() => doc_title = Some(dom.text(i)),
            "script"
                if dom
                    .attr(i, "type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                scripts.push(raw_text(dom, i));
            }
            _ => {}
        }
    }
    let meta = |keys: &[&str]| -> Option<&str> {
        keys.iter().find_map(|k| {
            metas
                .iter()
                .find(|(mk, v)| mk == k && !v.trim().is_empty())
                .map(|(_, v)| *v)
        })
    };
    let meta_time = |keys: &[&str]| {
        keys.iter().find_map(|k| {
            metas
                .iter()
                .filter(|(mk, _)| mk == k)
                .find_map(|(_, v)| parse_time(v))
        })
    };
    let ld = jsonld::article(scripts.iter().map(String::as_str)).unwrap_or_default();

    let site = meta(SITE_KEYS)
        .and_then(clean)
        .or_else(|| ld.publisher.clone());
    let h1 = dom
        .elements_named("h1")
        .map(|i| dom.text(i))
        .find(|t| !t.is_empty());
    let title = meta(TITLE_KEYS)
        .and_then(clean)
        .or(ld.headline.clone())
        .or(h1)
        .or(doc_title.and_then(|t| clean(&t)))
        .map(|t| strip_site(&t, site.as_deref()));
    let author = ld.author.clone().or_else(|| {
        meta(AUTHOR_KEYS)
            .filter(|a| !a.trim_start().starts_with("http"))
            .and_then(clean)
    });
    PageMeta {
        title,
        published: ld
            .published
            .or_else(|| meta_time(PUBLISHED_KEYS))
            .or_else(|| time_element(dom)),
        updated: ld.modified.or_else(|| meta_time(UPDATED_KEYS)),
        author,
        url: canonical
            .or_else(|| meta(&["og:url"]).and_then(jsonld::absolute))
            .or(ld.url),
        site,
    }
}

/// Whitespace-collapsed, non-empty, and short enough to be a title or a
/// name (an unclosed `<title>` swallows the rest of the page as text).
fn clean(s: &str) -> Option<String> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty() && t.chars().count() <= MAX_FIELD).then_some(t)
}

/// The longest title, author or site name taken from a page.
const MAX_FIELD: usize = 300;

/// The raw text of a `script` element (not collapsed).
fn raw_text(dom: &Dom<'_>, i: usize) -> String {
    let end = dom.nodes[i].end;
    (i + 1..end)
        .filter_map(|j| match dom.nodes[j].kind {
            Kind::Text(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// `<time itemprop=datePublished>` or `<time pubdate>`, else the first
/// `<time datetime>` that is not inside navigation, header or footer
/// furniture (where a "today's date" widget lives).
fn time_element(dom: &Dom<'_>) -> Option<PageTime> {
    let times: Vec<usize> = dom
        .elements_named("time")
        .filter(|&i| dom.attr(i, "datetime").is_some())
        .collect();
    let value = |i: usize| dom.attr(i, "datetime").and_then(parse_time);
    let marked = times.iter().copied().find(|&i| {
        dom.attr(i, "pubdate").is_some()
            || dom
                .attr(i, "itemprop")
                .is_some_and(|p| p.eq_ignore_ascii_case("datePublished"))
    });
    if let Some(t) = marked.and_then(value) {
        return Some(t);
    }
    times
        .into_iter()
        .filter(|&i| !in_furniture(dom, i))
        .find_map(value)
}

fn in_furniture(dom: &Dom<'_>, mut i: usize) -> bool {
    while let Some(p) = dom.parent(i) {
        if matches!(dom.tag(p), "nav" | "footer" | "aside") {
            return true;
        }
        i = p;
    }
    false
}

/// Cuts a site name off a title: the segment after (or before) a separator
/// that matches the site name; without a known site name, a trailing
/// segment of at most four words after a headline of at least four.
#[must_use]
pub fn strip_site(title: &str, site: Option<&str>) -> String {
    let site_key = site.map(match_key).filter(|k| !k.is_empty());
    for sep in SEPARATORS {
        let Some((head, tail)) = title.rsplit_once(sep) else {
            continue;
        };
        let (head, tail) = (head.trim(), tail.trim());
        if let Some(sk) = &site_key {
            let tk = match_key(tail);
            if !tk.is_empty()
                && (tk == *sk || sk.contains(&tk) || tk.contains(sk.as_str()))
                && !head.is_empty()
            {
                return head.to_owned();
            }
            if let Some((first, rest)) = title.split_once(sep) {
                let fk = match_key(first);
                if !fk.is_empty() && (fk == *sk || sk.contains(&fk)) && !rest.trim().is_empty() {
                    return rest.trim().to_owned();
                }
            }
        } else if tail.split_whitespace().count() <= 4 && head.split_whitespace().count() >= 4 {
            return head.to_owned();
        }
    }
    title.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn meta_of(html: &str) -> PageMeta {
        let doc = Html::parse_document(html);
        page_meta(&Dom::new(&doc))
    }

    #[test]
    fn og_tags_and_canonical() {
        let m = meta_of(
            r#"<html><head><title>Ignored | The Paper</title>
            <meta property="og:title" content="Bridge reopens after repairs | The Paper">
            <meta property="og:site_name" content="The Paper">
            <meta property="article:published_time" content="2025-03-01T09:30:00+00:00">
            <meta property="article:modified_time" content="2025-03-02T10:00:00Z">
            <meta name="author" content="Test Writer">
            <link rel="canonical" href="https://paper.example/bridge">
            </head><body><h1>Other</h1></body></html>"#,
        );
        assert_eq!(m.title.as_deref(), Some("Bridge reopens after repairs"));
        assert_eq!(m.site.as_deref(), Some("The Paper"));
        assert_eq!(
            m.published.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-03-01T09:30:00Z")
        );
        assert_eq!(
            m.updated.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-03-02T10:00:00Z")
        );
        assert_eq!(m.author.as_deref(), Some("Test Writer"));
        assert_eq!(m.url.as_deref(), Some("https://paper.example/bridge"));
    }

    #[test]
    fn json_ld_dates_win_and_time_element_is_the_fallback() {
        let m = meta_of(
            r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"LD title",
            "datePublished":"2024-05-06T07:08:09-04:00","dateModified":"2024-05-07T00:00:00Z",
            "author":{"@type":"Person","name":"Jo Reporter"},"publisher":{"name":"Daily Test"}}</script>
            <meta property="article:published_time" content="2020-01-01">"#,
        );
        assert_eq!(m.title.as_deref(), Some("LD title"));
        assert_eq!(
            m.published.map(|t| t.to_rfc3339()).as_deref(),
            Some("2024-05-06T07:08:09-04:00")
        );
        assert_eq!(
            m.updated.map(|t| t.to_rfc3339()).as_deref(),
            Some("2024-05-07T00:00:00Z")
        );
        assert_eq!(m.author.as_deref(), Some("Jo Reporter"));
        assert_eq!(m.site.as_deref(), Some("Daily Test"));
        let t = meta_of(
            r#"<nav><time datetime="2030-01-01">today</time></nav><article><h1>T</h1><time datetime="2008-01-14T10:00">Jan 14</time></article>"#,
        );
        assert_eq!(
            t.published.map(|t| t.to_rfc3339()).as_deref(),
            Some("2008-01-14T10:00:00")
        );
        assert_eq!(t.title.as_deref(), Some("T"));
    }

    #[test]
    fn site_names_are_cut_from_titles() {
        assert_eq!(
            strip_site("Bridge reopens - BBC News", Some("BBC News")),
            "Bridge reopens"
        );
        assert_eq!(
            strip_site("BBC News | Bridge reopens", Some("BBC News")),
            "Bridge reopens"
        );
        assert_eq!(
            strip_site("Harbour bridge reopens after repairs | Courier", None),
            "Harbour bridge reopens after repairs"
        );
        assert_eq!(strip_site("Cats - a history", None), "Cats - a history");
    }
}
