//! Types that cross stage boundaries. Pure: plain data, no I/O.
//!
//! A dropped file becomes a [`Parsed`] page (one or more [`Story`]s of typed
//! [`Block`]s) in `normalize`; `commit` turns stories into canonical articles
//! and change-log events. The kind names here are a public interface: they
//! appear in `normalize`, `export` and `log` output.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of a block. Serialized in lower case (`"paragraph"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// The story's headline.
    Title,
    /// A published / updated time line.
    Timestamp,
    /// A wire dateline such as `KYIV, Ukraine (AP) —`.
    Dateline,
    /// `By NAME` lines.
    Byline,
    /// Reporter credits such as `NAME reported from CITY.`
    Credit,
    /// Body text, including headings inside the body.
    Paragraph,
    /// Photo captions.
    Caption,
    /// Site chrome: navigation, promos, share buttons. Counted, never stored
    /// in an article.
    Boilerplate,
}

impl BlockKind {
    /// The public name of the kind.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Title => "title",
            BlockKind::Timestamp => "timestamp",
            BlockKind::Dateline => "dateline",
            BlockKind::Byline => "byline",
            BlockKind::Credit => "credit",
            BlockKind::Paragraph => "paragraph",
            BlockKind::Caption => "caption",
            BlockKind::Boilerplate => "boilerplate",
        }
    }

    /// Whether blocks of this kind are stored as article body blocks
    /// (the `blocks` array of `export`).
    #[must_use]
    pub fn is_body(self) -> bool {
        matches!(
            self,
            BlockKind::Paragraph | BlockKind::Caption | BlockKind::Credit
        )
    }
}

impl fmt::Display for BlockKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One typed block of a story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// What the block is.
    pub kind: BlockKind,
    /// The text as it will be stored: original wording, Unicode NFC,
    /// whitespace tidied (runs collapsed to one space, trimmed).
    pub text: String,
    /// What hashing sees: NFKC, case-folded, quotes and dashes folded,
    /// punctuation and whitespace collapsed. See `normalize::match_key`.
    pub key: String,
    /// 1-based line in the decoded file where the block starts (for
    /// debugging rules and for the block-label evaluation).
    pub line: u32,
}

/// A parsed timestamp as read from the page. `offset_minutes` is `None`
/// when the page gave no zone; the time is then written without an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageTime {
    /// Year, e.g. 2025.
    pub year: i32,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Hour 0-23.
    pub hour: u8,
    /// Minute 0-59.
    pub minute: u8,
    /// Second 0-59.
    pub second: u8,
    /// UTC offset in minutes, when the page gave one.
    pub offset_minutes: Option<i16>,
}

impl PageTime {
    /// RFC 3339 text; without an offset when the page had none
    /// (`2025-12-12T21:55:00`).
    #[must_use]
    pub fn to_rfc3339(&self) -> String {
        let base = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        match self.offset_minutes {
            None => base,
            Some(0) => format!("{base}Z"),
            Some(m) => {
                let sign = if m < 0 { '-' } else { '+' };
                let m = m.unsigned_abs();
                format!("{base}{sign}{:02}:{:02}", m / 60, m % 60)
            }
        }
    }
}

/// One story of a page: its metadata and its blocks in page order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Story {
    /// The headline, or an inferred one (see `title_inferred`).
    pub title: Option<String>,
    /// True when the page had no headline for this story and the title was
    /// derived from its first paragraph.
    pub title_inferred: bool,
    /// When the story was first published, as read from the page.
    pub published: Option<PageTime>,
    /// When it was last updated, as read from the page.
    pub updated: Option<PageTime>,
    /// The wire dateline (`KYIV, Ukraine (AP) —`), if any.
    pub dateline: Option<String>,
    /// The byline (`By NAME`), if any.
    pub byline: Option<String>,
    /// The page's canonical URL, when the file said (HTML, JSON input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The publishing site's name, when the file said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Every block of the story in page order, boilerplate included (it is
    /// counted, then dropped by `commit`). Within-file repeats are already
    /// removed.
    pub blocks: Vec<Block>,
}

impl Story {
    /// The blocks that make the article body (paragraphs, captions, credits).
    pub fn body(&self) -> impl Iterator<Item = &Block> {
        self.blocks.iter().filter(|b| b.kind.is_body())
    }
}

/// What `normalize` makes of one decoded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    /// The stories in page order (at least one).
    pub stories: Vec<Story>,
    /// Blocks classified as boilerplate across the whole page.
    pub boilerplate: usize,
    /// Blocks dropped because the same match key appeared earlier in the file.
    pub repeats_dropped: usize,
}

impl Parsed {
    /// Blocks of every kind in every story (what `[intake]
    /// max_blocks_per_file` caps).
    #[must_use]
    pub fn block_count(&self) -> usize {
        self.stories.iter().map(|s| s.blocks.len()).sum()
    }
}

/// Why a file was not ingested. The snake_case names are the public
/// reason codes (`ingest` output, change log, quarantine sidecars).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Zero bytes.
    Empty,
    /// Only whitespace after decoding.
    WhitespaceOnly,
    /// NUL bytes, a known binary magic number, or mostly non-text.
    Binary,
    /// Bytes that no supported encoding decodes to plausible text.
    Undecodable,
    /// Decoded text in which no story body was found (only chrome).
    NoContent,
    /// Larger than the configured size cap; not read.
    TooLarge,
    /// A symbolic link; never followed.
    Symlink,
    /// A FIFO, socket or device; never opened for reading.
    NotRegularFile,
    /// A regular file with more than one hard link.
    Hardlink,
    /// The daemon may not read the file.
    PermissionDenied,
    /// A structured file (JSON) whose shape holds no article this reader
    /// knows (see `formats::json`).
    UnknownShape,
    /// A structured file that does not parse (invalid JSON, an `.html`
    /// file with no markup at all).
    Malformed,
    /// A compressed file whose decompressed size passes the cap; never
    /// inflated past it.
    TooLargeUncompressed,
    /// A compressed file that is truncated or not a valid stream.
    #[serde(rename = "corrupt_compressed")]
    Corrupt,
    /// More blocks (all kinds, all stories, after within-file repeats are
    /// dropped) than `[intake] max_blocks_per_file`: refused before
    /// fingerprinting and commit, whose cost grows with the block count.
    TooManyBlocks,
}

impl Reason {
    /// Every reason, in declaration order (the metric series made at start).
    pub const ALL: [Reason; 15] = [
        Reason::Empty,
        Reason::WhitespaceOnly,
        Reason::Binary,
        Reason::Undecodable,
        Reason::NoContent,
        Reason::TooLarge,
        Reason::Symlink,
        Reason::NotRegularFile,
        Reason::Hardlink,
        Reason::PermissionDenied,
        Reason::UnknownShape,
        Reason::Malformed,
        Reason::TooLargeUncompressed,
        Reason::Corrupt,
        Reason::TooManyBlocks,
    ];

    /// The public reason code.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Empty => "empty",
            Reason::WhitespaceOnly => "whitespace_only",
            Reason::Binary => "binary",
            Reason::Undecodable => "undecodable",
            Reason::NoContent => "no_content",
            Reason::TooLarge => "too_large",
            Reason::Symlink => "symlink",
            Reason::NotRegularFile => "not_regular_file",
            Reason::Hardlink => "hardlink",
            Reason::PermissionDenied => "permission_denied",
            Reason::UnknownShape => "unknown_shape",
            Reason::Malformed => "malformed",
            Reason::TooLargeUncompressed => "too_large_uncompressed",
            Reason::Corrupt => "corrupt_compressed",
            Reason::TooManyBlocks => "too_many_blocks",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file rejected as data: a reason code, a human message and the stage
/// that decided. Never a daemon failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The reason code.
    pub reason: Reason,
    /// What was wrong, for a person.
    pub message: String,
    /// The pipeline stage that rejected it (`intake`, `decompress`,
    /// `decode`, `extract`, `normalize`).
    pub stage: &'static str,
}

impl Rejection {
    /// A rejection from `stage` with `reason`.
    pub fn new(stage: &'static str, reason: Reason, message: impl Into<String>) -> Self {
        Rejection {
            reason,
            message: message.into(),
            stage,
        }
    }
}

/// A 32-byte blake3 digest, shown as lower-case hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Hash32(pub [u8; 32]);

impl Hash32 {
    /// blake3 of `bytes`.
    #[must_use]
    pub fn of(bytes: &[u8]) -> Self {
        Hash32(*blake3::hash(bytes).as_bytes())
    }

    /// Lower-case hex of all 32 bytes.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parses 64 hex digits.
    #[must_use]
    pub fn from_hex(s: &str) -> Option<Self> {
        let v = unhex(s)?;
        Some(Hash32(v.try_into().ok()?))
    }
}

impl fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", &self.to_hex()[..16])
    }
}

/// Identity of a block: the first 16 bytes of blake3(match key). 128 bits
/// keep accidental collisions out of reach at any archive size.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlockId(pub [u8; 16]);

impl BlockId {
    /// The id of a block with this match key.
    #[must_use]
    pub fn of_key(key: &str) -> Self {
        let h = blake3::hash(key.as_bytes());
        let mut id = [0u8; 16];
        id.copy_from_slice(&h.as_bytes()[..16]);
        BlockId(id)
    }

    /// Lower-case hex (32 digits): the public id.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parses 32 hex digits.
    #[must_use]
    pub fn from_hex(s: &str) -> Option<Self> {
        let v = unhex(s)?;
        Some(BlockId(v.try_into().ok()?))
    }
}

impl fmt::Debug for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b:{}", &self.to_hex()[..12])
    }
}

/// Identity of a canonical article: 8 bytes derived from the content hash
/// of the file that created it and the story's index in that file, so the
/// same input order always yields the same ids (no clock, no counter).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ArticleId(pub [u8; 8]);

impl ArticleId {
    /// The id of the article created by story `story` of the file `source`.
    #[must_use]
    pub fn derive(source: &Hash32, story: usize) -> Self {
        let mut h = blake3::Hasher::new();
        h.update(b"shingled.article.v1");
        h.update(&source.0);
        h.update(&(story as u64).to_be_bytes());
        let mut id = [0u8; 8];
        id.copy_from_slice(&h.finalize().as_bytes()[..8]);
        ArticleId(id)
    }

    /// Lower-case hex (16 digits): the public id.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parses 16 hex digits.
    #[must_use]
    pub fn from_hex(s: &str) -> Option<Self> {
        let v = unhex(s)?;
        Some(ArticleId(v.try_into().ok()?))
    }
}

impl fmt::Debug for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a:{}", self.to_hex())
    }
}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_hex() {
        let h = Hash32::of(b"x");
        assert_eq!(Hash32::from_hex(&h.to_hex()), Some(h));
        let b = BlockId::of_key("a b");
        assert_eq!(BlockId::from_hex(&b.to_hex()), Some(b));
        let a = ArticleId::derive(&h, 1);
        assert_eq!(ArticleId::from_hex(&a.to_hex()), Some(a));
        assert_ne!(a, ArticleId::derive(&h, 0));
    }

    #[test]
    fn the_block_cap_reason_has_one_public_code() {
        let r = Reason::TooManyBlocks;
        assert_eq!(r.as_str(), "too_many_blocks");
        let json = serde_json::to_string(&r).expect("serialize");
        assert_eq!(json, format!("\"{}\"", r.as_str()));
    }

    #[test]
    fn every_reason_is_listed_once_in_all() {
        // The match makes the compiler check that a new variant gets an index
        // here; the loop checks that ALL lists it at that index.
        fn index(r: Reason) -> usize {
            match r {
                Reason::Empty => 0,
                Reason::WhitespaceOnly => 1,
                Reason::Binary => 2,
                Reason::Undecodable => 3,
                Reason::NoContent => 4,
                Reason::TooLarge => 5,
                Reason::Symlink => 6,
                Reason::NotRegularFile => 7,
                Reason::Hardlink => 8,
                Reason::PermissionDenied => 9,
                Reason::UnknownShape => 10,
                Reason::Malformed => 11,
                Reason::TooLargeUncompressed => 12,
                Reason::Corrupt => 13,
                Reason::TooManyBlocks => 14,
            }
        }
        for (i, r) in Reason::ALL.iter().enumerate() {
            assert_eq!(index(*r), i, "{r}");
        }
    }

    #[test]
    fn page_time_without_zone_has_no_offset() {
        let t = PageTime {
            year: 2025,
            month: 12,
            day: 12,
            hour: 21,
            minute: 55,
            second: 0,
            offset_minutes: None,
        };
        assert_eq!(t.to_rfc3339(), "2025-12-12T21:55:00");
        let z = PageTime {
            offset_minutes: Some(-300),
            ..t
        };
        assert_eq!(z.to_rfc3339(), "2025-12-12T21:55:00-05:00");
    }
}
