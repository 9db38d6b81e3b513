//! The records the store keeps. Pure data; encoded with postcard by
//! `store::codec`. Adding a field is a schema change (bump
//! `store::SCHEMA_VERSION`): postcard is not self-describing.

use crate::model::{ArticleId, BlockId, BlockKind, Hash32};
use serde::{Deserialize, Serialize};

/// A content-addressed block (key: [`BlockId`], blake3 of its match key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockRecord {
    /// Kind when first seen.
    pub kind: BlockKind,
    /// The stored text (original wording, NFC, whitespace tidied) of the
    /// first copy seen.
    pub text: String,
    /// Change-log seq of the event that first stored it.
    pub first_seq: u64,
    /// Distinct files whose stories contained it.
    pub sources: u32,
    /// Distinct articles that hold or held it (capped, see
    /// `commit::MAX_ARTICLES_PER_BLOCK`); `articles_total` counts them all.
    pub articles: Vec<ArticleId>,
    /// Distinct articles in all.
    pub articles_total: u32,
    /// Learned boilerplate: recurs across many unrelated articles.
    pub boilerplate: bool,
}

/// Where an article's copy came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The file name as dropped (no folder).
    pub file: String,
    /// blake3 of the whole file.
    pub blake3: Hash32,
    /// When it was received (RFC 3339, UTC).
    pub received: String,
    /// Which story of the file.
    pub story: u32,
    /// seq of the change-log event this source produced (its
    /// `article.created`, `.updated` or `.duplicate`), for `explain`.
    pub seq: u64,
    /// The page's canonical URL, when the file said (HTML, JSON).
    pub url: Option<String>,
    /// The publishing site, when the file said.
    pub site: Option<String>,
}

/// An article's identity and history; its versions are separate records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleHead {
    /// The article id.
    pub id: ArticleId,
    /// The current version (1-based).
    pub version: u32,
    /// Every source that fed the article, in arrival order.
    pub sources: Vec<SourceRef>,
    /// seq of `article.created`.
    pub created_seq: u64,
    /// seq of the last event that touched it.
    pub last_seq: u64,
}

/// One block of an article version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRef {
    /// The block.
    pub id: BlockId,
    /// Its kind in this article.
    pub kind: BlockKind,
    /// Words in its match key: its weight in article similarity.
    pub words: u32,
}

/// An article version: title, metadata and ordered block ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleVersion {
    /// 1-based version number.
    pub version: u32,
    /// Headline or inferred title.
    pub title: Option<String>,
    /// The title was inferred from the body.
    pub title_inferred: bool,
    /// RFC 3339 (no offset when the page gave none).
    pub published: Option<String>,
    /// RFC 3339 (no offset when the page gave none).
    pub updated: Option<String>,
    /// Wire dateline.
    pub dateline: Option<String>,
    /// Byline.
    pub byline: Option<String>,
    /// Body blocks in order.
    pub blocks: Vec<BlockRef>,
    /// seq of the event that made this version.
    pub seq: u64,
}

/// What a file (by blake3 of its bytes) produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// The name it was first dropped under.
    pub file: String,
    /// When it was first received.
    pub received: String,
    /// seq of its last change-log event.
    pub seq: u64,
    /// The (article, version) each of its stories went to, in story order.
    pub articles: Vec<(ArticleId, u32)>,
}

/// Counts kept up to date by the writer (what `stats` prints).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Canonical articles.
    pub articles: u64,
    /// Article versions in all.
    pub versions: u64,
    /// Distinct blocks stored.
    pub blocks: u64,
    /// Distinct source files ingested.
    pub sources: u64,
    /// Boilerplate blocks seen in ingested files (rules and learned).
    pub boilerplate_seen: u64,
    /// Blocks that became known (learned) boilerplate.
    pub boilerplate_learned: u64,
    /// Files quarantined (rejected).
    pub quarantined: u64,
}
