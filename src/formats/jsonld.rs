//! schema.org JSON-LD (`<script type="application/ld+json">`) and the JSON
//! value helpers that crawler records share with it: a person list as a
//! string, a URL out of `mainEntityOfPage`, a time out of a string or an
//! epoch number.
//!
//! Values are walked with an explicit stack and a depth cap: a hostile
//! page cannot nest its way into a stack overflow.

use super::times::{from_epoch, parse_time};
use crate::model::PageTime;
use serde_json::Value;

/// What the page's JSON-LD says about its article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LdArticle {
    pub(crate) headline: Option<String>,
    pub(crate) published: Option<PageTime>,
    pub(crate) modified: Option<PageTime>,
    pub(crate) author: Option<String>,
    pub(crate) publisher: Option<String>,
    pub(crate) url: Option<String>,
}

/// Objects deeper than this are not looked at.
const MAX_DEPTH: usize = 16;

/// Whether a schema.org `@type` is an article type (`NewsArticle`,
/// `BlogPosting`, `ReportageNewsArticle`, ...).
fn is_article_type(v: &Value) -> bool {
    let one = |s: &str| {
        let s = s.rsplit(['/', ':']).next().unwrap_or(s);
        s.ends_with("Article") || s.ends_with("Posting") || s == "Report"
    };
    match v {
        Value::String(s) => one(s),
        Value::Array(a) => a.iter().any(|x| x.as_str().is_some_and(one)),
        _ => false,
    }
}

/// The first article object in the JSON-LD scripts' texts, by document
/// order (`@graph` arrays and nesting included).
pub(crate) fn article<'a>(scripts: impl Iterator<Item = &'a str>) -> Option<LdArticle> {
    for s in scripts {
        let Ok(v) = serde_json::from_str::<Value>(s.trim().trim_end_matches(';')) else {
            continue;
        };
        let mut stack: Vec<(&Value, usize)> = vec![(&v, 0)];
        while let Some((v, depth)) = stack.pop() {
            match v {
                Value::Object(o) => {
                    if o.get("@type").is_some_and(is_article_type) {
                        return Some(LdArticle {
                            headline: o.get("headline").or_else(|| o.get("name")).and_then(text),
                            published: o
                                .get("datePublished")
                                .or_else(|| o.get("dateCreated"))
                                .and_then(time),
                            modified: o.get("dateModified").and_then(time),
                            author: o
                                .get("author")
                                .or_else(|| o.get("creator"))
                                .and_then(people),
                            publisher: o.get("publisher").and_then(people),
                            url: o
                                .get("url")
                                .and_then(url)
                                .or_else(|| o.get("mainEntityOfPage").and_then(url)),
                        });
                    }
                    if depth < MAX_DEPTH {
                        // Reverse so that the stack pops in document order.
                        let kids: Vec<&Value> = o
                            .values()
                            .filter(|x| x.is_object() || x.is_array())
                            .collect();
                        stack.extend(kids.into_iter().rev().map(|x| (x, depth + 1)));
                    }
                }
                Value::Array(a) if depth < MAX_DEPTH => {
                    stack.extend(a.iter().rev().map(|x| (x, depth + 1)));
                }
                _ => {}
            }
        }
    }
    None
}

/// A non-empty trimmed string value (also `{"rendered": ...}` as
/// WordPress writes titles).
pub(crate) fn text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Object(o) => return o.get("rendered").or_else(|| o.get("@value")).and_then(text),
        _ => return None,
    };
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// A time from a string or an epoch number.
pub(crate) fn time(v: &Value) -> Option<PageTime> {
    match v {
        Value::String(s) => parse_time(s),
        Value::Number(n) => n.as_i64().and_then(from_epoch),
        Value::Array(a) => a.iter().find_map(time),
        _ => None,
    }
}

/// Names from a person/organisation value: `"A"`, `{"name": "A"}`, or a
/// list of either, joined with `, `. URLs (author profile links) are not
/// names and are skipped.
pub(crate) fn people(v: &Value) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    let mut push = |v: &Value| {
        let n = match v {
            Value::Object(o) => o.get("name").and_then(text),
            other => text(other),
        };
        if let Some(n) = n
            && !n.starts_with("http")
            && !names.contains(&n)
        {
            names.push(n);
        }
    };
    match v {
        Value::Array(a) => a.iter().take(20).for_each(&mut push),
        other => push(other),
    }
    (!names.is_empty()).then(|| names.join(", "))
}

/// An absolute http(s) URL from a string or an `{"@id"|"url": ...}` object.
pub(crate) fn url(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim(),
        Value::Object(o) => return o.get("@id").or_else(|| o.get("url")).and_then(url),
        Value::Array(a) => return a.iter().find_map(url),
        _ => return None,
    };
    absolute(s)
}

/// `s` when it is an absolute http(s) URL without whitespace.
pub(crate) fn absolute(s: &str) -> Option<String> {
    let s = s.trim();
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        .then_some(s)
        .filter(|s| s.len() > 8 && !s.contains(char::is_whitespace))
        .map(str::to_owned)
}

/// The host of an absolute URL (`www.example.com`).
pub(crate) fn host(u: &str) -> Option<String> {
    let rest = u.split_once("://")?.1;
    let h = rest.split(['/', '?', '#']).next()?;
    let h = h
        .rsplit('@')
        .next()?
        .split(':')
        .next()?
        .to_ascii_lowercase();
    (!h.is_empty()).then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_article_in_graph() {
        let s = r#"{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"S"},
            {"@type":["NewsArticle"],"headline":"H","datePublished":"2019-11-19T18:00:07Z",
             "dateModified":"2019-11-20T08:00:00+01:00","author":[{"@type":"Person","name":"A B"},{"name":"C D"}],
             "publisher":{"@type":"Organization","name":"The Paper"},"mainEntityOfPage":{"@id":"https://ex.com/a"}}]}"#;
        let a = article([s].into_iter()).expect("article");
        assert_eq!(a.headline.as_deref(), Some("H"));
        assert_eq!(
            a.published.map(|t| t.to_rfc3339()).as_deref(),
            Some("2019-11-19T18:00:07Z")
        );
        assert_eq!(
            a.modified.map(|t| t.to_rfc3339()).as_deref(),
            Some("2019-11-20T08:00:00+01:00")
        );
        assert_eq!(a.author.as_deref(), Some("A B, C D"));
        assert_eq!(a.publisher.as_deref(), Some("The Paper"));
        assert_eq!(a.url.as_deref(), Some("https://ex.com/a"));
    }

    #[test]
    fn garbage_and_deep_values_are_harmless() {
        assert_eq!(article(["{not json", "[]", "\"x\""].into_iter()), None);
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(article([deep.as_str()].into_iter()), None);
    }

    #[test]
    fn urls_and_hosts() {
        assert_eq!(
            absolute(" https://a.b/c "),
            Some("https://a.b/c".to_owned())
        );
        assert_eq!(absolute("/relative"), None);
        assert_eq!(
            host("https://user@News.Example.com:8080/x?y").as_deref(),
            Some("news.example.com")
        );
    }
}
