//! The change-log event format. Pure.
//!
//! The change log is append-only; one event per decision, stamped with a
//! gap-free sequence number by the single writer (`commit`). Its JSON line
//! is the public interface downstream tools follow (`shingled log`), so the
//! fields below are stable: `seq`, `at`, `kind`, `article`, `version`,
//! `file`, `blake3` are always present (null when they do not apply); the
//! others appear only when they apply.

use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// A story became a new canonical article.
    #[serde(rename = "article.created")]
    Created,
    /// A story became a new version of an existing article.
    #[serde(rename = "article.updated")]
    Updated,
    /// A story was already contained in an existing article; its source was
    /// added to that article.
    #[serde(rename = "article.duplicate")]
    Duplicate,
    /// The file's bytes were already ingested under another name.
    #[serde(rename = "file.unchanged")]
    Unchanged,
    /// The file was rejected.
    #[serde(rename = "file.quarantined")]
    Quarantined,
}

impl EventKind {
    /// The public event name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "article.created",
            EventKind::Updated => "article.updated",
            EventKind::Duplicate => "article.duplicate",
            EventKind::Unchanged => "file.unchanged",
            EventKind::Quarantined => "file.quarantined",
        }
    }

    /// The `change` name used in `ingest` output for article events.
    #[must_use]
    pub fn change_name(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            _ => "duplicate",
        }
    }
}

/// How one block of a story was matched against what was already stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockMatch {
    /// The block's id (32 hex digits).
    pub block: String,
    /// Its kind in the story.
    pub kind: String,
    /// `new`, `exact`, `revision`, `extension`, `truncation`, `contained`,
    /// or `boilerplate` (known boilerplate, dropped).
    pub relation: String,
    /// The stored block it matched, when it matched one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
    /// Jaccard of the shingle sets (fuzzy matches only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jaccard: Option<f64>,
    /// Containment of the smaller shingle set in the larger (fuzzy only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containment: Option<f64>,
    /// `true` when the two blocks state different numbers (a long block
    /// revised with new figures; shorter ones never match then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numbers_differ: Option<bool>,
}

/// What changed between two versions of an article (block ids).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionDiff {
    /// Blocks new in this version.
    pub added: Vec<String>,
    /// Blocks of the previous version no longer present.
    pub removed: Vec<String>,
    /// `[old, new]` pairs of blocks that are revisions of each other.
    pub revised: Vec<[String; 2]>,
}

/// One change-log event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Gap-free sequence number, from 1.
    pub seq: u64,
    /// When it was committed (RFC 3339, UTC). Informational only: no
    /// decision depends on it.
    pub at: String,
    /// What happened.
    pub kind: EventKind,
    /// The article concerned (16 hex digits).
    pub article: Option<String>,
    /// Its version after the event.
    pub version: Option<u32>,
    /// The file name as dropped (no folder).
    pub file: Option<String>,
    /// blake3 of the file's bytes.
    pub blake3: Option<String>,
    /// Which story of the file (0-based) the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<u32>,
    /// For `file.unchanged`: every article the bytes produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub articles: Option<Vec<String>>,
    /// For `file.quarantined`: the reason code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `file.quarantined`: what was wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For `article.duplicate` and `article.updated`: the share of the
    /// story's content blocks found in the article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// For `article.updated`: what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<VersionDiff>,
    /// For article events: how each block of the story matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Vec<BlockMatch>>,
}

impl Event {
    /// An event with only the always-present fields set.
    #[must_use]
    pub fn new(seq: u64, at: &str, kind: EventKind) -> Self {
        Event {
            seq,
            at: at.to_string(),
            kind,
            article: None,
            version: None,
            file: None,
            blake3: None,
            story: None,
            articles: None,
            reason: None,
            message: None,
            score: None,
            diff: None,
            blocks: None,
        }
    }

    /// The JSON line (no newline).
    ///
    /// # Panics
    /// Never: the event has only JSON-safe fields (non-finite scores are
    /// written as null by serde_json).
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("BUG: events always serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_fields_are_always_present_and_extras_only_when_set() {
        let e = Event::new(7, "2026-01-01T00:00:00Z", EventKind::Quarantined);
        let v: serde_json::Value = serde_json::from_slice(&e.to_json()).expect("json");
        for k in ["seq", "at", "kind", "article", "version", "file", "blake3"] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["kind"], "file.quarantined");
        assert!(v.get("diff").is_none());
        let back: Event = serde_json::from_value(v).expect("round trip");
        assert_eq!(back, e);
    }
}
