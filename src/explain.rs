//! `shingled explain ID`: why an article holds each of its blocks (the
//! relation recorded when the block entered it, to which stored block,
//! with which scores; where the block was first seen), which sources fed
//! it, and its versions with their diffs. Reads the store directly (the
//! change-log events already carry every per-block decision), so it works
//! offline and changes nothing.

use crate::changelog::{BlockMatch, Event, VersionDiff};
use crate::config::Config;
use crate::model::{ArticleId, BlockId};
use crate::store::{self, Store};
use serde::Serialize;

mod text;
pub use text::{block_text, text};

/// Why `explain` (or `reindex`) could not answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The daemon holds the store.
    #[error(
        "the store {path} is locked by a running shingled daemon; `shingled {command}` opens the \
         store directly, so stop the daemon first (e.g. `systemctl stop shingled`) and run it again"
    )]
    DaemonRunning {
        /// Store folder.
        path: std::path::PathBuf,
        /// The command that needs the store.
        command: &'static str,
    },
    /// No such article or block.
    #[error(
        "no article (16 hex digits) or block (12 to 32 hex digits, as `explain` prints them, \
         `b:` optional) with id {0}"
    )]
    NotFound(String),
    /// A short block id that more than one block starts with.
    #[error("the block id {0} is ambiguous (several blocks start with it); give more digits")]
    Ambiguous(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Opens the store for an offline command, turning "locked" into advice.
///
/// # Errors
/// [`Error::DaemonRunning`] when the daemon holds it; [`Error::Store`].
pub fn open_offline(cfg: &Config, command: &'static str) -> Result<Store, Error> {
    Store::open(&cfg.paths.store, cfg.store.cache_capacity).map_err(|e| match e {
        store::Error::Locked { path } => Error::DaemonRunning { path, command },
        e => Error::Store(e),
    })
}

/// One source that fed the article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceLine {
    /// File name as dropped.
    pub file: String,
    /// When received.
    pub received: String,
    /// Its change-log event.
    pub seq: u64,
    /// `created`, `updated` or `duplicate`.
    pub change: String,
    /// The article version after it.
    pub version: Option<u32>,
    /// Its score against the article (updates and duplicates).
    pub score: Option<f64>,
}

/// One version of the article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionLine {
    /// Version number.
    pub version: u32,
    /// The event that made it.
    pub seq: u64,
    /// The file that made it.
    pub file: Option<String>,
    /// Content blocks in it.
    pub blocks: usize,
    /// What it changed (absent for version 1).
    pub diff: Option<VersionDiff>,
}

/// Why the article holds one of its current blocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockLine {
    /// Block id.
    pub id: String,
    /// Kind in this article.
    pub kind: String,
    /// Stored text.
    pub text: String,
    /// The first version of this article holding it.
    pub since_version: u32,
    /// How it matched when it entered the article (relation, to what,
    /// scores), as recorded in that version's event.
    pub entered: Option<BlockMatch>,
    /// Where the block was first seen in the whole store.
    pub first_seq: u64,
    /// The file of that first sighting.
    pub first_file: Option<String>,
    /// Files whose copy of this article carried the block (any relation).
    pub fed_by: Vec<String>,
    /// Distinct articles holding it.
    pub articles_total: u32,
    /// Learned boilerplate since.
    pub boilerplate: bool,
}

/// The whole explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Article id.
    pub article: String,
    /// Current version.
    pub version: u32,
    /// Current title.
    pub title: Option<String>,
    /// Sources in arrival order.
    pub sources: Vec<SourceLine>,
    /// Versions, oldest first.
    pub versions: Vec<VersionLine>,
    /// Current blocks in order.
    pub blocks: Vec<BlockLine>,
}

fn event(store: &Store, seq: u64) -> Result<Option<Event>, store::Error> {
    match store.changes(seq.saturating_sub(1)).next() {
        Some(r) => {
            let (s, json) = r?;
            if s != seq {
                return Ok(None);
            }
            serde_json::from_slice(&json)
                .map(Some)
                .map_err(|e| store::Error::Corrupt {
                    prefix: 'c',
                    message: e.to_string(),
                })
        }
        None => Ok(None),
    }
}

/// Explains an article.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Store`].
pub fn article(store: &Store, id: &str) -> Result<Explanation, Error> {
    let not_found = || Error::NotFound(id.to_string());
    let aid = ArticleId::from_hex(id).ok_or_else(not_found)?;
    let head = store.head(&aid)?.ok_or_else(not_found)?;
    let mut sources = Vec::new();
    let mut source_events = Vec::new();
    for s in &head.sources {
        let e = event(store, s.seq)?;
        sources.push(SourceLine {
            file: s.file.clone(),
            received: s.received.clone(),
            seq: s.seq,
            change: e.as_ref().map_or("?", |e| e.kind.change_name()).into(),
            version: e.as_ref().and_then(|e| e.version),
            score: e.as_ref().and_then(|e| e.score),
        });
        if let Some(e) = e {
            source_events.push(e);
        }
    }
    let mut versions = Vec::new();
    let mut held: Vec<Vec<BlockId>> = Vec::new();
    let mut version_events = Vec::new();
    let mut current = None;
    for n in 1..=head.version {
        let Some(v) = store.version(&aid, n)? else {
            continue;
        };
        let e = event(store, v.seq)?;
        versions.push(VersionLine {
            version: n,
            seq: v.seq,
            file: e.as_ref().and_then(|e| e.file.clone()),
            blocks: v.blocks.len(),
            diff: e.as_ref().and_then(|e| e.diff.clone()),
        });
        held.push(v.blocks.iter().map(|b| b.id).collect());
        version_events.push(e);
        current = Some(v);
    }
    let current = current.ok_or_else(not_found)?;
    let mut blocks = Vec::new();
    for b in &current.blocks {
        let hex = b.id.to_hex();
        let since = held.iter().position(|h| h.contains(&b.id)).unwrap_or(0);
        let entered = version_events
            .get(since)
            .and_then(Option::as_ref)
            .and_then(|e| e.blocks.as_ref())
            .and_then(|bs| bs.iter().find(|m| m.block == hex).cloned());
        let rec = store.block(&b.id)?;
        let first_seq = rec.as_ref().map_or(0, |r| r.first_seq);
        let first_file = event(store, first_seq)?.and_then(|e| e.file);
        let fed_by = source_events
            .iter()
            .filter(|e| {
                e.blocks.as_ref().is_some_and(|bs| {
                    bs.iter()
                        .any(|m| m.block == hex || m.matched.as_deref() == Some(hex.as_str()))
                })
            })
            .filter_map(|e| e.file.clone())
            .collect();
        blocks.push(BlockLine {
            id: hex,
            kind: b.kind.as_str().into(),
            text: rec.as_ref().map(|r| r.text.clone()).unwrap_or_default(),
            since_version: u32::try_from(since + 1).unwrap_or(u32::MAX),
            entered,
            first_seq,
            first_file,
            fed_by,
            articles_total: rec.as_ref().map_or(0, |r| r.articles_total),
            boilerplate: rec.as_ref().is_some_and(|r| r.boilerplate),
        });
    }
    Ok(Explanation {
        article: aid.to_hex(),
        version: head.version,
        title: current.title,
        sources,
        versions,
        blocks,
    })
}

/// What the store knows of one block (`explain` with a 32-digit id).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockExplanation {
    /// Block id.
    pub id: String,
    /// Kind when first seen.
    pub kind: String,
    /// Stored text.
    pub text: String,
    /// Where it was first seen.
    pub first_seq: u64,
    /// The file of that first sighting.
    pub first_file: Option<String>,
    /// Distinct files that carried it.
    pub sources: u32,
    /// Articles holding it (capped list) and their total.
    pub articles: Vec<String>,
    /// Distinct articles in all.
    pub articles_total: u32,
    /// Learned boilerplate.
    pub boilerplate: bool,
    /// Shingles in its index payload (0: short, matches exactly only).
    pub shingles: usize,
}

/// The fewest hex digits taken as a block id prefix (what `explain` and
/// the change log's text forms print).
pub const MIN_BLOCK_PREFIX: usize = 12;

/// What an id given to `explain` names.
#[derive(Debug, Clone, PartialEq)]
pub enum Explained {
    /// An article (16 hex digits).
    Article(Explanation),
    /// A block (12 to 32 hex digits, optionally written `b:HEX`).
    Block(BlockExplanation),
}

/// Explains whatever `id` names: 16 hex digits are an article id (or, if
/// no article has it, a block id prefix); 12 to 32 digits, with or
/// without the `b:` that the text forms print, are a block id or prefix.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Ambiguous`], [`Error::Store`].
pub fn explain(store: &Store, id: &str) -> Result<Explained, Error> {
    let bare = id.strip_prefix("b:").unwrap_or(id);
    if bare.len() == 16 && !id.starts_with("b:") {
        match article(store, bare) {
            Err(Error::NotFound(_)) => {}
            r => return r.map(Explained::Article),
        }
    }
    block(store, id).map(Explained::Block)
}

/// Explains a block, given its id or a prefix of 12 digits or more (`b:`
/// optional).
///
/// # Errors
/// [`Error::NotFound`], [`Error::Ambiguous`], [`Error::Store`].
pub fn block(store: &Store, id: &str) -> Result<BlockExplanation, Error> {
    let bare = id.strip_prefix("b:").unwrap_or(id);
    if bare.len() < MIN_BLOCK_PREFIX {
        return Err(Error::NotFound(id.to_string()));
    }
    let mut found = store.blocks_by_hex_prefix(bare, 2)?;
    if found.len() > 1 {
        return Err(Error::Ambiguous(id.to_string()));
    }
    let (bid, rec) = found.pop().ok_or_else(|| Error::NotFound(id.to_string()))?;
    let shingles = store
        .index_payload(&bid)?
        .and_then(|b| crate::fingerprint::Payload::from_bytes(b).ok())
        .map_or(0, |p| p.shingle_count());
    Ok(BlockExplanation {
        id: bid.to_hex(),
        kind: rec.kind.as_str().into(),
        first_file: event(store, rec.first_seq)?.and_then(|e| e.file),
        first_seq: rec.first_seq,
        sources: rec.sources,
        articles: rec.articles.iter().map(ArticleId::to_hex).collect(),
        articles_total: rec.articles_total,
        boilerplate: rec.boilerplate,
        shingles,
        text: rec.text,
    })
}
