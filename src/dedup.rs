//! Article-level decisions: is a story new, a new version of an existing
//! article, or a duplicate of one? Pure and deterministic: the same story
//! and candidates always give the same decision (candidates are ranked by
//! score, then by article id; no hash-map order, no clock).
//!
//! Each story block takes a *role* against a candidate article:
//! - `same`: the block is in the current version, or is a truncation of /
//!   quote from one of its blocks (adds nothing);
//! - `old`: the block (or what it matched) is in an *earlier* version only:
//!   an older copy arriving late, never a reason to roll back;
//! - `revised`: a revision or extension of a current block;
//! - `added`: nothing in the article.
//!
//! Shares are weighted by words, so a stray one-line promo does not
//! outweigh a paragraph. With `total` the story's words:
//! - **duplicate** when nothing is revised, no long block (`min_fuzzy_words`
//!   words or more) new to the store is added, and `same + old ≥ article_duplicate × total`
//!   (short lines a site adds, such as a credit or a promo, are tolerated
//!   up to that share);
//! - **update** when the story is anchored in the article and either the
//!   story's linked share or the article's linked share reaches
//!   `article_update` (an update can double a short article), or
//!   `article_update_same_title` under the article's own title (a re-edit
//!   that re-paragraphs half the text keeps its headline; another outlet's
//!   rewrite around the same wire paragraphs does not);
//! - **create** otherwise.
//!
//! *Anchored* means at least `max(1, min(2, long blocks in the article))`
//! *long* story blocks (`min_fuzzy_words` words or more) are `same`, `old`
//! or a revision whose numbers agree (a pull quote is no anchor). So two
//! stories that share only one stock paragraph stay apart; templated wire
//! notices, which share short lines (`Pay March 31`) and differ in the
//! rest, never update each other (and are duplicates only under the same
//! title); a one-paragraph brief later expanded into a full story still
//! updates. An update also needs *evidence*: anchors of at least
//! `article_min_evidence_words` words in all, or the same title (two fund
//! notices can share a whole 15-word line and differ only in the fund's
//! name). A *minor* near-duplicate (a word run into a paragraph's end), and
//! one whose new words the article holds in its other blocks (paragraphs
//! split or run together differently), count as `same`.

use crate::changelog::VersionDiff;
use crate::config::DedupParams;
use crate::model::{ArticleId, BlockId};

/// How a story block relates to a stored block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    /// Nothing stored matches it.
    New,
    /// The same match key.
    Exact,
    /// High resemblance (e.g. a typo fixed, a number changed in a long block).
    Revision,
    /// The story's block contains the stored one and adds to it.
    Extension,
    /// The story's block is contained in the stored one (an older, shorter
    /// copy).
    Truncation,
    /// A short block quoted inside a longer one (a pull quote).
    Contained,
}

impl Relation {
    /// The public name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::New => "new",
            Relation::Exact => "exact",
            Relation::Revision => "revision",
            Relation::Extension => "extension",
            Relation::Truncation => "truncation",
            Relation::Contained => "contained",
        }
    }

    /// Whether a story block with this relation adds nothing that the
    /// matched stored block lacks.
    #[must_use]
    pub fn adds_nothing(self) -> bool {
        matches!(
            self,
            Relation::Exact | Relation::Truncation | Relation::Contained
        )
    }
}

/// A content block of the incoming story after block matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedBlock {
    /// The block's own id (blake3 of its match key).
    pub id: BlockId,
    /// How it relates to `matched`.
    pub relation: Relation,
    /// The stored block it matched (equal to `id` for `Exact`).
    pub matched: Option<BlockId>,
    /// Its weight: words in its match key (at least 1).
    pub weight: u32,
    /// A revision whose numbers conflict with the matched block's.
    pub numbers_differ: bool,
    /// A near-duplicate that only adds a word or two and loses nothing
    /// (see `fingerprint::verify::Verdict::minor`): it adds nothing.
    pub minor: bool,
}

/// One block of a candidate's current version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CandidateBlock {
    /// The block.
    pub id: BlockId,
    /// Words in its match key (at least 1).
    pub weight: u32,
}

/// An existing article the story's blocks point to, in its current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The article.
    pub id: ArticleId,
    /// Its current version.
    pub version: u32,
    /// Its current content blocks in order, known boilerplate left out.
    pub blocks: Vec<CandidateBlock>,
    /// Blocks of its earlier versions that the current one lacks, sorted.
    pub history: Vec<BlockId>,
    /// The match key of its current title.
    pub title: Option<String>,
    /// Story blocks near-matched to one of its blocks whose new shingles
    /// its *other* blocks already hold (the same text paragraphed
    /// differently), sorted: they add nothing.
    pub covered: Vec<BlockId>,
}

impl Candidate {
    fn has(&self, id: &BlockId) -> bool {
        self.blocks.iter().any(|b| b.id == *id)
    }

    fn had(&self, id: &BlockId) -> bool {
        self.history.binary_search(id).is_ok()
    }
}

/// The verdict on one story.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// A new canonical article.
    Create,
    /// Already contained in `of`'s current version (or its history).
    Duplicate {
        /// The article.
        of: ArticleId,
        /// Share of the story's words found in it.
        score: f64,
    },
    /// A new version of `of`.
    Update {
        /// The article.
        of: ArticleId,
        /// Share of the story's words linked to it.
        score: f64,
        /// What changed.
        diff: VersionDiff,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Same,
    Old,
    Revised,
    Added,
}

fn role(b: &MatchedBlock, c: &Candidate) -> Role {
    if c.has(&b.id) {
        return Role::Same;
    }
    if c.had(&b.id) {
        return Role::Old;
    }
    match b.matched {
        Some(m) if c.has(&m) && (b.relation.adds_nothing() || b.minor) => Role::Same,
        Some(m) if c.has(&m) && c.covered.binary_search(&b.id).is_ok() => Role::Same,
        Some(m) if c.has(&m) => Role::Revised,
        Some(m) if c.had(&m) => Role::Old,
        _ => Role::Added,
    }
}

/// How a story measures against one candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Score {
    /// Share of the story's words that add nothing (`same` + `old`).
    contained: f64,
    /// Share of the story's words linked to the article.
    cover: f64,
    /// Share of the article's words linked from the story.
    back: f64,
    revised: bool,
    /// A long story block (`min_fuzzy_words` words or more) is `added` and
    /// new to the store: real new content, so never a duplicate.
    added_long: bool,
    /// Long story blocks (`min_fuzzy_words` or more) that are `same`,
    /// `old`, or revisions whose numbers agree.
    anchors: usize,
    /// Words of those anchors.
    evidence: u64,
    /// Long blocks in the article.
    long: usize,
}

#[allow(clippy::cast_precision_loss)]
fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl Score {
    /// Nothing revised, no long block added, and the short lines added
    /// stay under `1 - article_duplicate` of the story.
    fn adds_nothing(&self, p: &DedupParams) -> bool {
        !self.revised && !self.added_long && self.contained >= p.article_duplicate
    }
}

fn score(story: &[MatchedBlock], c: &Candidate, long: u32) -> Score {
    let (mut total, mut nothing, mut linked) = (0u64, 0u64, 0u64);
    let (mut revised, mut added_long, mut anchors, mut evidence) = (false, false, 0, 0);
    for b in story {
        let w = u64::from(b.weight.max(1));
        // a pull quote links a story to an article only loosely
        let anchor = b.weight >= long && b.relation != Relation::Contained;
        total += w;
        match role(b, c) {
            Role::Same | Role::Old => {
                nothing += w;
                linked += w;
            }
            Role::Revised => {
                linked += w;
                revised = true;
                if b.numbers_differ {
                    continue;
                }
            }
            Role::Added => {
                // a long block seen in other articles (a site's promo line,
                // a stock paragraph) is not this story's new content
                added_long |= anchor && b.relation == Relation::New;
                continue;
            }
        }
        if anchor {
            anchors += 1;
            evidence += w;
        }
    }
    let c_total: u64 = c.blocks.iter().map(|b| u64::from(b.weight.max(1))).sum();
    // an article block counts as linked for as much of it as the linking
    // story block can cover (a quote covers only a part of its paragraph)
    let c_linked: u64 = c
        .blocks
        .iter()
        .filter_map(|cb| {
            story
                .iter()
                .filter(|b| b.id == cb.id || b.matched == Some(cb.id))
                .map(|b| b.weight.min(cb.weight).max(1))
                .max()
        })
        .map(u64::from)
        .sum();
    Score {
        contained: ratio(nothing, total),
        cover: ratio(linked, total),
        back: ratio(c_linked, c_total),
        revised,
        added_long,
        anchors,
        evidence,
        long: c.blocks.iter().filter(|b| b.weight >= long).count(),
    }
}

/// Decides what a story is, given the candidate articles its blocks point
/// to. `title` is the match key of the story's title.
#[must_use]
pub fn decide(
    story: &[MatchedBlock],
    title: Option<&str>,
    candidates: &[Candidate],
    p: &DedupParams,
) -> Decision {
    if story.is_empty() {
        return Decision::Create;
    }
    let long = u32::try_from(p.min_fuzzy_words).unwrap_or(u32::MAX);
    let mut best: Option<(f64, &Candidate, Score)> = None;
    for c in candidates.iter().filter(|c| !c.blocks.is_empty()) {
        let s = score(story, c, long);
        // Short blocks (`Pay March 31`) are shared by unrelated notices:
        // a story linked only through them is a duplicate only under the
        // same title, and never an update.
        let same_title = title.is_some() && title == c.title.as_deref();
        let duplicate = s.adds_nothing(p) && (s.anchors >= 1 || same_title);
        // an article with two long blocks or more needs two anchors: a
        // story holding one of its paragraphs is no new version of it
        let need = 2.min(s.long).max(1);
        let evidence = s.evidence >= p.article_min_evidence_words as u64 || same_title;
        // held by a single anchor, an update must keep (nearly) all of the
        // article: a brief expanded, not two notes sharing one paragraph
        let kept = need > 1 || s.back >= p.article_duplicate;
        let bar = if same_title {
            p.article_update_same_title
        } else {
            p.article_update
        };
        let update = s.anchors >= need && evidence && kept && s.cover.max(s.back) >= bar;
        if !(duplicate || update) {
            continue;
        }
        let rank = s.cover + s.back;
        let better = match &best {
            None => true,
            Some((r, bc, _)) => rank > *r || (rank == *r && c.id < bc.id),
        };
        if better {
            best = Some((rank, c, s));
        }
    }
    let Some((_, c, s)) = best else {
        return Decision::Create;
    };
    if s.adds_nothing(p) {
        return Decision::Duplicate {
            of: c.id,
            score: s.contained,
        };
    }
    Decision::Update {
        of: c.id,
        score: s.cover,
        diff: diff(story, &c.blocks),
    }
}

/// What a story changes relative to an article's current blocks.
#[must_use]
pub fn diff(story: &[MatchedBlock], old: &[CandidateBlock]) -> VersionDiff {
    let has = |id: &BlockId| old.iter().any(|o| o.id == *id);
    let mut d = VersionDiff::default();
    for b in story {
        if has(&b.id) {
            continue;
        }
        match b.matched {
            Some(m) if has(&m) => d.revised.push([m.to_hex(), b.id.to_hex()]),
            _ => d.added.push(b.id.to_hex()),
        }
    }
    for o in old {
        if !story
            .iter()
            .any(|b| b.id == o.id || b.matched == Some(o.id))
        {
            d.removed.push(o.id.to_hex());
        }
    }
    d
}

#[cfg(test)]
mod tests;
