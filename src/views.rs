//! Read-side views of the store: the `export` line, the `show` text and the
//! `stats` counts. Used by the CLI directly when no daemon runs, and by the
//! daemon's API when one does, so both print the same thing.

use crate::model::ArticleId;
use crate::store::records::{ArticleHead, Counts};
use crate::store::{self, Store};
use serde::Serialize;

/// One body block of an exported article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportBlock {
    /// Block id (32 hex digits).
    pub id: String,
    /// `paragraph`, `caption` or `credit`.
    pub kind: &'static str,
    /// Stored text.
    pub text: String,
}

/// One source of an exported article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportSource {
    /// The file name as dropped (no folder).
    pub file: String,
    /// blake3 of its bytes.
    pub blake3: String,
    /// When it was received (RFC 3339).
    pub received: String,
    /// The page's canonical URL (null when unknown, e.g. plain text).
    pub url: Option<String>,
    /// The publishing site (null when unknown).
    pub site: Option<String>,
}

/// The `export` line of an article at its current version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportLine {
    /// Article id.
    pub id: String,
    /// Current version.
    pub version: u32,
    /// Title.
    pub title: Option<String>,
    /// Whether the title was inferred.
    pub title_inferred: bool,
    /// Published time (RFC 3339).
    pub published: Option<String>,
    /// Updated time (RFC 3339).
    pub updated: Option<String>,
    /// Dateline.
    pub dateline: Option<String>,
    /// Byline.
    pub byline: Option<String>,
    /// Body blocks in order.
    pub blocks: Vec<ExportBlock>,
    /// Every source that fed the article.
    pub sources: Vec<ExportSource>,
}

/// The export line of one article head.
///
/// # Errors
/// [`store::Error`] reading the version or its blocks.
pub fn export_line(store: &Store, head: &ArticleHead) -> Result<ExportLine, store::Error> {
    let v = store
        .version(&head.id, head.version)?
        .ok_or_else(|| store::Error::Corrupt {
            prefix: 'v',
            message: format!("article {} has no version {}", head.id, head.version),
        })?;
    let mut blocks = Vec::with_capacity(v.blocks.len());
    for b in &v.blocks {
        let text = store.block(&b.id)?.map(|r| r.text).unwrap_or_default();
        blocks.push(ExportBlock {
            id: b.id.to_hex(),
            kind: b.kind.as_str(),
            text,
        });
    }
    Ok(ExportLine {
        id: head.id.to_hex(),
        version: head.version,
        title: v.title,
        title_inferred: v.title_inferred,
        published: v.published,
        updated: v.updated,
        dateline: v.dateline,
        byline: v.byline,
        blocks,
        sources: head
            .sources
            .iter()
            .map(|s| ExportSource {
                file: s.file.clone(),
                blake3: s.blake3.to_hex(),
                received: s.received.clone(),
                url: s.url.clone(),
                site: s.site.clone(),
            })
            .collect(),
    })
}

/// Looks an article up by its hex id.
///
/// # Errors
/// [`store::Error`].
pub fn find(store: &Store, id: &str) -> Result<Option<ExportLine>, store::Error> {
    let Some(aid) = ArticleId::from_hex(id) else {
        return Ok(None);
    };
    match store.head(&aid)? {
        Some(h) => export_line(store, &h).map(Some),
        None => Ok(None),
    }
}

/// An article as readable text (`show`).
#[must_use]
pub fn show_text(a: &ExportLine) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let title = a.title.as_deref().unwrap_or("(untitled)");
    let inferred = if a.title_inferred {
        " [title inferred]"
    } else {
        ""
    };
    let _ = writeln!(s, "{title}{inferred}");
    let _ = writeln!(s, "id {} version {}", a.id, a.version);
    for (k, v) in [
        ("published", &a.published),
        ("updated", &a.updated),
        ("dateline", &a.dateline),
        ("byline", &a.byline),
    ] {
        if let Some(v) = v {
            let _ = writeln!(s, "{k}: {v}");
        }
    }
    for b in &a.blocks {
        let _ = writeln!(s);
        match b.kind {
            "paragraph" => {
                let _ = writeln!(s, "{}", b.text);
            }
            kind => {
                let _ = writeln!(s, "[{kind}] {}", b.text);
            }
        }
    }
    let _ = writeln!(s);
    for src in &a.sources {
        let _ = writeln!(
            s,
            "source: {} {} {}",
            src.file,
            src.received,
            &src.blake3[..16]
        );
    }
    s
}

/// What `stats` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Canonical articles.
    pub articles: u64,
    /// Article versions.
    pub versions: u64,
    /// Distinct blocks.
    pub blocks: u64,
    /// Distinct source files ingested.
    pub sources: u64,
    /// Change-log length (last seq; the log is gap-free from 1).
    pub changelog: u64,
    /// Boilerplate blocks seen in ingested files.
    pub boilerplate_seen: u64,
    /// Blocks learned as boilerplate.
    pub boilerplate_learned: u64,
    /// Files quarantined.
    pub quarantined: u64,
    /// Store size on disk in bytes.
    pub store_bytes: u64,
}

/// The store's counts.
///
/// # Errors
/// [`store::Error`].
pub fn stats(store: &Store) -> Result<Stats, store::Error> {
    let c: Counts = store.counts()?;
    Ok(Stats {
        articles: c.articles,
        versions: c.versions,
        blocks: c.blocks,
        sources: c.sources,
        changelog: store.last_seq()?,
        boilerplate_seen: c.boilerplate_seen,
        boilerplate_learned: c.boilerplate_learned,
        quarantined: c.quarantined,
        store_bytes: store.size_on_disk(),
    })
}
