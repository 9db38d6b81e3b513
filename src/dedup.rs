//! Article-level decisions: is a story new, a new version of an existing
//! article, or a duplicate of one? Pure and deterministic: the same story
//! and candidates always give the same decision (candidates are ranked by
//! score, then by article id; no hash-map order, no clock).

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
}

/// An existing article the story's blocks point to, in its current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The article.
    pub id: ArticleId,
    /// Its current version.
    pub version: u32,
    /// Its current content blocks in order.
    pub blocks: Vec<BlockId>,
}

/// The verdict on one story.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// A new canonical article.
    Create,
    /// Already contained in `of`'s current version.
    Duplicate {
        /// The article.
        of: ArticleId,
        /// Share of the story's blocks found in it.
        score: f64,
    },
    /// A new version of `of`.
    Update {
        /// The article.
        of: ArticleId,
        /// Share of the story's blocks found in it.
        score: f64,
        /// What changed.
        diff: VersionDiff,
    },
}

/// How much of the story one candidate covers.
struct Cover {
    /// Story blocks matched to one of the candidate's blocks.
    matched: usize,
    /// Story blocks matched and adding nothing.
    contained: usize,
    /// Candidate blocks matched by some story block.
    candidate_matched: usize,
}

fn cover(story: &[MatchedBlock], c: &Candidate) -> Cover {
    let has = |id: &BlockId| c.blocks.contains(id);
    let mut matched = 0;
    let mut contained = 0;
    for b in story {
        let hit = b.matched.as_ref().is_some_and(has) || has(&b.id);
        if hit {
            matched += 1;
            if b.relation.adds_nothing() || has(&b.id) {
                contained += 1;
            }
        }
    }
    let candidate_matched = c
        .blocks
        .iter()
        .filter(|cb| {
            story
                .iter()
                .any(|b| b.id == **cb || b.matched == Some(**cb))
        })
        .count();
    Cover {
        matched,
        contained,
        candidate_matched,
    }
}

#[allow(clippy::cast_precision_loss)]
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Decides what a story is, given the candidate articles its blocks point
/// to.
#[must_use]
pub fn decide(story: &[MatchedBlock], candidates: &[Candidate], p: &DedupParams) -> Decision {
    if story.is_empty() {
        return Decision::Create;
    }
    let mut best: Option<(f64, f64, &Candidate, Cover)> = None;
    for c in candidates {
        let cv = cover(story, c);
        let score = ratio(cv.matched, story.len());
        let back = ratio(cv.candidate_matched, c.blocks.len());
        let key = score.max(back);
        let better = match &best {
            None => true,
            Some((bk, _, bc, _)) => key > *bk || (key == *bk && c.id < bc.id),
        };
        if better {
            best = Some((key, score, c, cv));
        }
    }
    let Some((key, score, c, cv)) = best else {
        return Decision::Create;
    };
    let contained = ratio(cv.contained, story.len());
    if contained >= p.article_duplicate {
        return Decision::Duplicate { of: c.id, score };
    }
    if key >= p.article_update {
        return Decision::Update {
            of: c.id,
            score,
            diff: diff(story, &c.blocks),
        };
    }
    Decision::Create
}

/// What a story changes relative to an article's current blocks.
#[must_use]
pub fn diff(story: &[MatchedBlock], old: &[BlockId]) -> VersionDiff {
    let mut d = VersionDiff::default();
    for b in story {
        if old.contains(&b.id) {
            continue;
        }
        match b.matched {
            Some(m) if old.contains(&m) => d.revised.push([m.to_hex(), b.id.to_hex()]),
            _ => d.added.push(b.id.to_hex()),
        }
    }
    for o in old {
        if !story.iter().any(|b| b.id == *o || b.matched == Some(*o)) {
            d.removed.push(o.to_hex());
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> BlockId {
        BlockId([n; 16])
    }

    fn exact(n: u8) -> MatchedBlock {
        MatchedBlock {
            id: id(n),
            relation: Relation::Exact,
            matched: Some(id(n)),
        }
    }

    fn new(n: u8) -> MatchedBlock {
        MatchedBlock {
            id: id(n),
            relation: Relation::New,
            matched: None,
        }
    }

    fn article(a: u8, blocks: &[u8]) -> Candidate {
        Candidate {
            id: ArticleId([a; 8]),
            version: 1,
            blocks: blocks.iter().map(|n| id(*n)).collect(),
        }
    }

    #[test]
    fn a_story_with_no_candidates_is_created() {
        let p = DedupParams::default();
        assert_eq!(decide(&[new(1), new(2)], &[], &p), Decision::Create);
    }

    #[test]
    fn the_same_blocks_again_are_a_duplicate() {
        let p = DedupParams::default();
        let d = decide(&[exact(1), exact(2)], &[article(9, &[1, 2])], &p);
        assert!(matches!(d, Decision::Duplicate { of, .. } if of == ArticleId([9; 8])));
    }

    #[test]
    fn an_older_shorter_copy_is_a_duplicate_not_a_rollback() {
        let p = DedupParams::default();
        let d = decide(&[exact(1), exact(2)], &[article(9, &[1, 2, 3, 4])], &p);
        assert!(matches!(d, Decision::Duplicate { .. }), "{d:?}");
    }

    #[test]
    fn added_paragraphs_make_an_update_with_a_diff() {
        let p = DedupParams::default();
        let d = decide(&[exact(1), exact(2), new(3)], &[article(9, &[1, 2])], &p);
        match d {
            Decision::Update { diff, .. } => {
                assert_eq!(diff.added, vec![id(3).to_hex()]);
                assert!(diff.removed.is_empty());
            }
            other => panic!("expected update, got {other:?}"),
        }
    }

    #[test]
    fn sharing_one_stock_paragraph_keeps_stories_apart() {
        let p = DedupParams::default();
        let d = decide(
            &[exact(1), new(2), new(3), new(4)],
            &[article(9, &[1, 5, 6, 7])],
            &p,
        );
        assert_eq!(d, Decision::Create);
    }

    #[test]
    fn ties_break_on_the_smaller_article_id() {
        let p = DedupParams::default();
        let d = decide(&[exact(1)], &[article(8, &[1]), article(3, &[1])], &p);
        assert!(matches!(d, Decision::Duplicate { of, .. } if of == ArticleId([3; 8])));
    }
}
