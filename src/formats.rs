//! File formats of the drop folder: plain text, HTML pages, JSON crawler
//! records, each optionally gzip- or zstd-compressed. Pure: bytes and a
//! file name in, a [`Parsed`] page (and where it came from) out.
//!
//! | name ends with | read as |
//! |---|---|
//! | `.html`, `.htm`, `.xhtml`, `.shtml` | HTML page ([`html`]: charset, html5ever, metadata, main-content extraction) |
//! | `.json` | one JSON document (or NDJSON when only that parses) ([`json`]) |
//! | `.ndjson`, `.jsonl` | one JSON record per line |
//! | `.gz`, `.zst` | inflated under [`DEFAULT_MAX_UNCOMPRESSED`], then by the inner name (`a.html.gz` is HTML); a bare `a.gz` is sniffed |
//! | anything else | plain text: `decode` then `normalize` |
//!
//! The compression is chosen by the extension only: a gzip stream named
//! `.txt` is a binary text file (quarantined by `decode`), and a `.gz`
//! that does not inflate is `corrupt_compressed`. One level only: the
//! inner bytes of `a.gz.gz` are read as text and rejected as binary.
//!
//! HTML and JSON drafts go through the same normalizer as text files (see
//! [`article`]), so the same story arriving in any format yields the same
//! block keys.

mod article;
mod charset;
mod compress;
mod dom;
mod extract;
mod html;
mod json;
mod jsonld;
mod meta;
mod prune;
mod segment;
mod times;

pub use article::Provenance;
pub use compress::{Compression, inflate};
pub use html::{Extracted, extract_html};
pub use meta::{PageMeta, strip_site};
pub use times::parse_time;

use crate::model::{Parsed, Rejection};
use crate::{decode, normalize};

/// The default cap on a compressed file's inflated size: 64 MiB, far above
/// any article page (the largest benchmark page is under 2 MiB) and small
/// enough that a bomb cannot take the daemon's memory.
pub const DEFAULT_MAX_UNCOMPRESSED: u64 = 64 * 1024 * 1024;

/// How a file's content is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text.
    Text,
    /// An HTML page.
    Html,
    /// A JSON document.
    Json,
    /// One JSON record per line.
    Ndjson,
}

/// Limits for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes a compressed file may inflate to.
    pub max_uncompressed: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_uncompressed: DEFAULT_MAX_UNCOMPRESSED,
        }
    }
}

/// What a file was read as, and what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The stories, as the text path makes them.
    pub parsed: Parsed,
    /// One entry per story of `parsed` (same order): its URL and site when
    /// the file gave them (all `None` for plain text).
    pub provenance: Vec<Provenance>,
    /// The content format.
    pub format: Format,
    /// The compression it was wrapped in.
    pub compression: Option<Compression>,
}

/// The compression and content format a file name says. `None` as format
/// means "sniff" (a bare `a.gz`).
#[must_use]
pub fn detect(name: &str) -> (Option<Compression>, Option<Format>) {
    let (compression, inner) = match extension(name) {
        Some(e) if e.eq_ignore_ascii_case("gz") => (Some(Compression::Gzip), strip_ext(name)),
        Some(e) if e.eq_ignore_ascii_case("zst") => (Some(Compression::Zstd), strip_ext(name)),
        _ => (None, name),
    };
    let format = match extension(inner).map(str::to_ascii_lowercase).as_deref() {
        Some("html" | "htm" | "xhtml" | "shtml") => Some(Format::Html),
        Some("json") => Some(Format::Json),
        Some("ndjson" | "jsonl") => Some(Format::Ndjson),
        None if compression.is_some() => None,
        _ => Some(Format::Text),
    };
    (compression, format)
}

fn extension(name: &str) -> Option<&str> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (stem, ext) = base.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then_some(ext)
}

fn strip_ext(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// [`analyze_with`] under the default [`Limits`].
///
/// # Errors
/// The [`Rejection`] of the stage that refused the file.
pub fn analyze(name: &str, bytes: &[u8]) -> Result<Analysis, Rejection> {
    analyze_with(name, bytes, &Limits::default())
}

/// Reads one dropped file by its name's extension (see the module docs).
///
/// # Errors
/// The [`Rejection`] of the stage that refused the file: `decompress`
/// (`corrupt_compressed`, `too_large_uncompressed`), `decode`, `extract`
/// (`malformed`, `unknown_shape`) or `normalize` (`no_content`).
pub fn analyze_with(name: &str, bytes: &[u8], limits: &Limits) -> Result<Analysis, Rejection> {
    let (compression, format) = detect(name);
    let inflated;
    let content = match compression {
        Some(c) => {
            inflated = inflate(c, bytes, limits.max_uncompressed)?;
            &inflated[..]
        }
        None => bytes,
    };
    let format = format.unwrap_or_else(|| sniff(content));
    let (parsed, provenance) = match format {
        Format::Text => {
            let parsed = normalize::normalize(&decode::decode(content)?.text)?;
            let n = parsed.stories.len();
            (parsed, vec![Provenance::default(); n])
        }
        Format::Html => {
            let (parsed, p) = article::build(&html::draft(content)?)?;
            let n = parsed.stories.len();
            (parsed, vec![p; n])
        }
        Format::Json | Format::Ndjson => {
            records(&json::drafts(content, format == Format::Ndjson)?)?
        }
    };
    Ok(Analysis {
        parsed,
        provenance,
        format,
        compression,
    })
}

/// Builds every record and joins the stories into one page. Records with
/// no content are skipped (a feed line with an empty body); the file is
/// `no_content` only when none has any.
fn records(drafts: &[article::Draft]) -> Result<(Parsed, Vec<Provenance>), Rejection> {
    let mut all = Parsed {
        stories: Vec::new(),
        boilerplate: 0,
        repeats_dropped: 0,
    };
    let mut prov = Vec::new();
    let mut last_err = None;
    for d in drafts {
        match article::build(d) {
            Ok((p, pv)) => {
                prov.extend(std::iter::repeat_n(pv, p.stories.len()));
                all.stories.extend(p.stories);
                all.boilerplate += p.boilerplate;
                all.repeats_dropped += p.repeats_dropped;
            }
            Err(e) => last_err = Some(e),
        }
    }
    if all.stories.is_empty() {
        return Err(last_err.unwrap_or_else(|| {
            Rejection::new(
                "extract",
                crate::model::Reason::UnknownShape,
                "no JSON record",
            )
        }));
    }
    let mut line = 0u32;
    for b in all.stories.iter_mut().flat_map(|s| &mut s.blocks) {
        line = line.saturating_add(1);
        b.line = line;
    }
    Ok((all, prov))
}

/// The format of inflated bytes with no inner extension: markup is HTML,
/// a leading `{` or `[` that parses is JSON, anything else text.
fn sniff(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(4096)];
    let start = head
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(head)
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&head[..0], |p| &head[p..]);
    match start.first() {
        Some(b'<') if html::has_markup(&String::from_utf8_lossy(start)) => Format::Html,
        Some(b'{' | b'[') if serde_json::from_slice::<serde_json::Value>(bytes).is_ok() => {
            Format::Json
        }
        Some(b'{')
            if bytes
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .all(|l| serde_json::from_slice::<serde_json::Value>(l).is_ok()) =>
        {
            Format::Ndjson
        }
        _ => Format::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_choose_formats() {
        assert_eq!(detect("a.html"), (None, Some(Format::Html)));
        assert_eq!(detect("dir/A.HTM"), (None, Some(Format::Html)));
        assert_eq!(
            detect("a.html.gz"),
            (Some(Compression::Gzip), Some(Format::Html))
        );
        assert_eq!(
            detect("a.jsonl.zst"),
            (Some(Compression::Zstd), Some(Format::Ndjson))
        );
        assert_eq!(
            detect("a.txt.gz"),
            (Some(Compression::Gzip), Some(Format::Text))
        );
        assert_eq!(detect("a.gz"), (Some(Compression::Gzip), None));
        assert_eq!(detect("a.txt"), (None, Some(Format::Text)));
        assert_eq!(detect("README"), (None, Some(Format::Text)));
        assert_eq!(detect(".gz"), (None, Some(Format::Text)));
    }

    #[test]
    fn sniffing_bare_gz() {
        assert_eq!(sniff(b"  <!doctype html><p>x"), Format::Html);
        assert_eq!(sniff(b"{\"text\":\"x\"}"), Format::Json);
        assert_eq!(
            sniff(b"{\"text\":\"x\"}\n{\"text\":\"y\"}\n"),
            Format::Ndjson
        );
        assert_eq!(sniff(b"[Photo] A caption"), Format::Text);
        assert_eq!(sniff(b"Plain text < with a bracket"), Format::Text);
    }
}
