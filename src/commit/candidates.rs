//! The candidate articles of a story: those its matched blocks belong to,
//! read in their current version (boilerplate left out) with the blocks of
//! their earlier versions, and which of the story's revised blocks an
//! article already holds elsewhere (text paragraphed differently).

use super::story::Item;
use super::summaries::Summary;
use super::{Committer, Overlay};
use crate::dedup::{Candidate, CandidateBlock, Relation};
use crate::fingerprint::Payload;
use crate::fingerprint::verify::{novelty_in, shingle_pool};
use crate::model::{ArticleId, BlockId};
use crate::normalize;
use crate::store;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A block of a candidate article with its payload.
type Held = (BlockId, Arc<Payload>);

/// At most this many candidate articles (those most of the story's blocks
/// point to) are read and scored per story.
const MAX_CANDIDATES: usize = 8;
/// Earlier versions looked at for an article's history (what an older
/// copy may still hold).
const MAX_HISTORY: u32 = 16;
/// New shingles a re-paragraphed block may have that the article lacks:
/// the `k - 1` shingles spanning one paragraph join.
const MAX_JOIN_SHINGLES: usize = 2;
/// ... and at least this many of its new shingles must come from the
/// article's other blocks (text moved between paragraphs, not an edit).
const MIN_MOVED_SHINGLES: usize = 3;

impl Committer {
    /// The articles the story's blocks point to, most-pointed first, as
    /// candidates in their current version (boilerplate left out) with the
    /// blocks of their earlier versions.
    pub(super) fn candidates(
        &self,
        ov: &Overlay,
        items: &[Item<'_>],
    ) -> Result<Vec<Candidate>, store::Error> {
        let mut votes: BTreeMap<ArticleId, usize> = BTreeMap::new();
        for it in items {
            let matched = match it.m.matched {
                Some(m) if m != it.m.id => self.block_rec(ov, &m)?,
                _ => None,
            };
            let mut seen = BTreeSet::new();
            for a in it
                .rec
                .iter()
                .chain(matched.iter())
                .flat_map(|r| &r.articles)
            {
                if seen.insert(*a) {
                    *votes.entry(*a).or_default() += 1;
                }
            }
        }
        let mut ranked: Vec<(ArticleId, usize)> = votes.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut out = Vec::new();
        for (aid, _) in ranked.into_iter().take(MAX_CANDIDATES) {
            let Some(h) = self.head(ov, &aid)? else {
                continue;
            };
            let Some(sum) = self.summary(ov, &aid, h.version)? else {
                continue;
            };
            let blocks: Vec<CandidateBlock> = sum
                .blocks
                .iter()
                .filter(|b| !self.is_boilerplate(ov, &b.id))
                .map(|b| CandidateBlock {
                    id: b.id,
                    weight: b.words.max(1),
                })
                .collect();
            let history: Vec<BlockId> = sum
                .old
                .iter()
                .copied()
                .filter(|id| !blocks.iter().any(|c| c.id == *id))
                .collect();
            out.push(Candidate {
                id: aid,
                version: h.version,
                blocks,
                history,
                title: sum.title.clone(),
                covered: vec![],
            });
        }
        Ok(out)
    }

    /// What a candidate needs of an article version (see
    /// `commit::summaries`): from the cache, else read and, when nothing
    /// came from this file's overlay, cached.
    fn summary(
        &self,
        ov: &Overlay,
        aid: &ArticleId,
        version: u32,
    ) -> Result<Option<Arc<Summary>>, store::Error> {
        if let Some(s) = self.summaries.get(aid, version) {
            return Ok(Some(s));
        }
        let pending = |v: u32| ov.versions.contains_key(&(*aid, v));
        let Some(v) = self.version(ov, aid, version)? else {
            return Ok(None);
        };
        let mut from_overlay = pending(version);
        let mut old = Vec::new();
        for n in version.saturating_sub(MAX_HISTORY).max(1)..version {
            from_overlay |= pending(n);
            if let Some(o) = self.version(ov, aid, n)? {
                old.extend(o.blocks.iter().map(|b| b.id));
            }
        }
        old.sort_unstable();
        old.dedup();
        let s = Arc::new(Summary {
            title: v.title.as_deref().map(normalize::match_key),
            blocks: v.blocks,
            old,
        });
        if !from_overlay {
            self.summaries.put(*aid, version, Arc::clone(&s));
        }
        Ok(Some(s))
    }

    /// A payload from this file's pending blocks or the store.
    fn payload_of(&self, ov: &Overlay, id: &BlockId) -> Result<Option<Arc<Payload>>, store::Error> {
        match ov.pending.iter().find(|(p, _)| p == id) {
            Some((_, p)) => Ok(Some(Arc::new(p.clone()))),
            None => self.payloads.get(&self.store, id),
        }
    }

    /// Fills `c.covered`: revised story blocks whose new shingles the
    /// candidate already holds in its other blocks.
    pub(super) fn coverage(
        &self,
        ov: &Overlay,
        items: &[Item<'_>],
        c: &mut Candidate,
    ) -> Result<(), store::Error> {
        // the article's blocks and the pool of all their shingles, built
        // once per candidate
        let mut others: Option<(Vec<Held>, Vec<u32>)> = None;
        for it in items {
            let (Some(q), Some(m)) = (&it.payload, it.m.matched) else {
                continue;
            };
            // only a block that kept all of the matched one and grew can be
            // the same text paragraphed differently (an edit loses words)
            let grew = it.m.relation == Relation::Extension;
            if !grew || it.m.minor || !c.blocks.iter().any(|b| b.id == m) {
                continue;
            }
            if others.is_none() {
                let mut v = Vec::new();
                for b in &c.blocks {
                    if let Some(p) = self.payload_of(ov, &b.id)? {
                        v.push((b.id, p));
                    }
                }
                let pool = shingle_pool(&v.iter().map(|(_, p)| &**p).collect::<Vec<_>>());
                others = Some((v, pool));
            }
            let Some((all, pool)) = &others else {
                continue;
            };
            let Some((_, matched)) = all.iter().find(|(id, _)| *id == m) else {
                continue;
            };
            // the pool holds the matched block's shingles as well, which
            // `novelty_in` never looks up (see there)
            let (elsewhere, nowhere) = novelty_in(q, matched, pool);
            if elsewhere >= MIN_MOVED_SHINGLES && nowhere <= MAX_JOIN_SHINGLES {
                c.covered.push(it.m.id);
            }
        }
        c.covered.sort_unstable();
        Ok(())
    }
}
