//! The JSON reader: crawler and extractor records to drafts.
//!
//! Accepted shapes (documented in `docs/EXTRACTION.md`):
//!
//! * an article object: one with a text field (`text`, `body`, `content`,
//!   `articleBody`, `article_body`, `maintext`, `raw_text`, `full_text`,
//!   `fulltext`, `body_text`) or an HTML field (`html`, `raw_html`,
//!   `content_html`, `body_html`, `html_content`, `article_html`);
//! * an array of article objects (one story each);
//! * a wrapper object whose `article`, `data`, `item`, `result`, `results`,
//!   `items`, `articles`, `objects`, `records`, `docs` or `entries` field
//!   holds one of the above (one level, as Zyte, Diffbot and search APIs
//!   wrap their results);
//! * NDJSON (`.ndjson`, `.jsonl`, or a `.json` file that only parses line
//!   by line): one of the above per line.
//!
//! A text value may be a string, a list of paragraph strings, or
//! `{"rendered": ...}`; a text value that carries paragraph markup is read
//! as HTML. When a record has both text and HTML, the text wins: it is
//! the crawler's own extraction, and the cheaper one.

use super::article::{Draft, Line};
use super::html;
use super::jsonld::{self, people, text, time};
use crate::model::{Reason, Rejection};
use serde_json::{Map, Value};

const TEXT_KEYS: &[&str] = &[
    "text",
    "body",
    "content",
    "articleBody",
    "article_body",
    "maintext",
    "raw_text",
    "full_text",
    "fulltext",
    "body_text",
];
const HTML_KEYS: &[&str] = &[
    "html",
    "raw_html",
    "content_html",
    "body_html",
    "html_content",
    "article_html",
];
const TITLE_KEYS: &[&str] = &["title", "headline"];
const URL_KEYS: &[&str] = &[
    "url",
    "canonical_url",
    "canonicalUrl",
    "link",
    "pageUrl",
    "page_url",
    "source_url",
    "sourceUrl",
    "mainEntityOfPage",
    "uri",
];
const PUBLISHED_KEYS: &[&str] = &[
    "datePublished",
    "published",
    "date",
    "published_at",
    "publishedAt",
    "publish_date",
    "date_publish",
    "pubDate",
    "published_time",
    "publication_date",
];
const MODIFIED_KEYS: &[&str] = &[
    "dateModified",
    "modified",
    "updated",
    "updated_at",
    "updatedAt",
    "date_modify",
    "modified_at",
    "last_modified",
];
const AUTHOR_KEYS: &[&str] = &["author", "authors", "byline", "creator"];
const SITE_KEYS: &[&str] = &[
    "site",
    "siteName",
    "site_name",
    "sitename",
    "publisher",
    "source",
    "source_domain",
    "hostname",
    "domain",
];
const WRAPPER_KEYS: &[&str] = &[
    "article", "data", "item", "result", "results", "items", "articles", "objects", "records",
    "docs", "entries",
];

/// Reads a `.json` file: one document, or NDJSON when only that parses.
///
/// # Errors
/// `decode` rejections, [`Reason::Malformed`] for invalid JSON,
/// [`Reason::UnknownShape`] for JSON that holds no article.
pub(crate) fn drafts(bytes: &[u8], lines_only: bool) -> Result<Vec<Draft>, Rejection> {
    let text = crate::decode::decode(bytes)?.text;
    let mut whole_error = None;
    if !lines_only {
        match serde_json::from_str::<Value>(&text) {
            Ok(v) => return from_value(&v, ""),
            Err(e) => whole_error = Some(format!("invalid JSON: {e}")),
        }
    }
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            // A `.json` file that is not NDJSON either: report the
            // whole-document error, which points at the real fault.
            Err(e) => {
                return Err(malformed(
                    whole_error.unwrap_or_else(|| format!("invalid JSON on line {}: {e}", n + 1)),
                ));
            }
        };
        out.extend(from_value(&v, &format!("line {}: ", n + 1))?);
    }
    if out.is_empty() {
        return Err(Rejection::new(
            "extract",
            Reason::UnknownShape,
            "the file holds no JSON record",
        ));
    }
    Ok(out)
}

fn malformed(m: String) -> Rejection {
    Rejection::new("extract", Reason::Malformed, m)
}

fn unknown(m: String) -> Rejection {
    Rejection::new("extract", Reason::UnknownShape, m)
}

/// The drafts of one JSON value (see the module docs for the shapes).
fn from_value(v: &Value, at: &str) -> Result<Vec<Draft>, Rejection> {
    match v {
        Value::Object(o) if is_article(o) => Ok(vec![record(o)?]),
        Value::Object(o) => {
            for k in WRAPPER_KEYS {
                match o.get(*k) {
                    Some(Value::Object(inner)) if is_article(inner) => {
                        return Ok(vec![record(inner)?]);
                    }
                    Some(Value::Array(a)) if !a.is_empty() => return array(a, at),
                    _ => {}
                }
            }
            let keys: Vec<&str> = o.keys().take(12).map(String::as_str).collect();
            Err(unknown(format!(
                "{at}no article in the JSON object: it needs a text field ({}) or an HTML field ({}); keys seen: {}",
                TEXT_KEYS.join(", "),
                HTML_KEYS.join(", "),
                keys.join(", ")
            )))
        }
        Value::Array(a) if !a.is_empty() => array(a, at),
        other => Err(unknown(format!(
            "{at}the JSON is {}, not an article object or a list of them",
            kind(other)
        ))),
    }
}

fn array(a: &[Value], at: &str) -> Result<Vec<Draft>, Rejection> {
    let mut out = Vec::with_capacity(a.len());
    for (i, v) in a.iter().enumerate() {
        match v {
            Value::Object(o) if is_article(o) => out.push(record(o)?),
            other => {
                return Err(unknown(format!(
                    "{at}item {i} of the JSON array is {}, not an article object",
                    if other.is_object() {
                        "an object without a text or HTML field"
                    } else {
                        kind(other)
                    }
                )));
            }
        }
    }
    Ok(out)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an empty array",
        Value::Object(_) => "an object",
    }
}

fn is_article(o: &Map<String, Value>) -> bool {
    TEXT_KEYS.iter().chain(HTML_KEYS).any(|k| {
        o.get(*k)
            .is_some_and(|v| v.is_string() || v.is_array() || v.is_object())
    })
}

fn first<T>(o: &Map<String, Value>, keys: &[&str], f: impl Fn(&Value) -> Option<T>) -> Option<T> {
    keys.iter().find_map(|k| o.get(*k).and_then(&f))
}

/// A body value: a string, a list of paragraph strings, `{"rendered"}`.
fn body_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.replace("\r\n", "\n").replace('\r', "\n")),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n\n"),
        ),
        Value::Object(o) => o.get("rendered").and_then(body_text),
        _ => None,
    }
    .filter(|s| !s.trim().is_empty())
}

/// One article object as a draft.
fn record(o: &Map<String, Value>) -> Result<Draft, Rejection> {
    let mut d = if let Some(t) = first(o, TEXT_KEYS, body_text) {
        if html::looks_like_html(&t) {
            from_html(&t)?
        } else {
            Draft {
                body: vec![Line::text(t)],
                ..Draft::default()
            }
        }
    } else if let Some(h) = first(o, HTML_KEYS, body_text) {
        from_html(&h)?
    } else {
        Draft::default()
    };
    // The record's own fields win over what an embedded page says.
    d.title = first(o, TITLE_KEYS, text).or(d.title);
    d.url = first(o, URL_KEYS, jsonld::url).or(d.url);
    d.published = first(o, PUBLISHED_KEYS, time).or(d.published);
    d.updated = first(o, MODIFIED_KEYS, time).or(d.updated);
    d.author = first(o, AUTHOR_KEYS, people).or(d.author);
    d.site = first(o, SITE_KEYS, people).or(d.site);
    Ok(d)
}

fn from_html(h: &str) -> Result<Draft, Rejection> {
    if html::is_full_page(h) {
        html::page(h)
    } else {
        Ok(Draft {
            body: html::fragment(h)?,
            exact_body: true,
            ..Draft::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Draft {
        let mut v = drafts(s.as_bytes(), false).expect("reads");
        assert_eq!(v.len(), 1);
        v.remove(0)
    }

    #[test]
    fn common_field_names() {
        let d = one(
            r#"{"headline":"H","articleBody":"P one.\n\nP two.","url":"https://ex.com/a",
            "datePublished":"2020-01-02T03:04:05Z","dateModified":1577934245,"authors":["A","B"],"siteName":"Ex"}"#,
        );
        assert_eq!(d.title.as_deref(), Some("H"));
        assert_eq!(d.body, vec![Line::text("P one.\n\nP two.")]);
        assert_eq!(d.url.as_deref(), Some("https://ex.com/a"));
        assert_eq!(
            d.published.map(|t| t.to_rfc3339()).as_deref(),
            Some("2020-01-02T03:04:05Z")
        );
        assert!(d.updated.is_some());
        assert_eq!(d.author.as_deref(), Some("A, B"));
        assert_eq!(d.site.as_deref(), Some("Ex"));
    }

    #[test]
    fn wrappers_arrays_and_ndjson() {
        assert_eq!(
            one(r#"{"article":{"title":"T","text":"x"}}"#)
                .title
                .as_deref(),
            Some("T")
        );
        assert_eq!(
            drafts(br#"[{"text":"a"},{"body":"b"}]"#, false)
                .expect("array")
                .len(),
            2
        );
        assert_eq!(
            drafts(b"{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n", true)
                .expect("ndjson")
                .len(),
            2
        );
        assert_eq!(
            drafts(b"{\"text\":\"a\"}\n{\"text\":\"b\"}\n", false)
                .expect("ndjson as .json")
                .len(),
            2
        );
        let d = one(r#"{"title":"T","content":{"rendered":"<p>One.</p><p>Two.</p>"}}"#);
        assert_eq!(d.body.len(), 2);
    }

    #[test]
    fn wrong_shapes_and_bad_json() {
        let r = drafts(br#"{"title":"T","comments":[]}"#, false).expect_err("shape");
        assert_eq!(r.reason, Reason::UnknownShape);
        assert!(
            r.message.contains("keys seen: comments, title"),
            "{}",
            r.message
        );
        assert_eq!(
            drafts(b"[1,2]", false).expect_err("shape").reason,
            Reason::UnknownShape
        );
        assert_eq!(
            drafts(b"42", false).expect_err("shape").reason,
            Reason::UnknownShape
        );
        assert_eq!(
            drafts(b"{\"text\": ", false).expect_err("bad").reason,
            Reason::Malformed
        );
        let r = drafts(b"{\"text\":\"a\"}\n{oops\n", true).expect_err("bad line");
        assert!(r.message.contains("line 2"), "{}", r.message);
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(
            drafts(deep.as_bytes(), false).expect_err("deep").reason,
            Reason::Malformed
        );
    }
}
