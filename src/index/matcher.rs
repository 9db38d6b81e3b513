//! The near-duplicate tier end to end: candidates from the [`Index`],
//! verification of each on its stored payload, the best verified match.
//! The index and the verification are pure; loading a candidate's payload
//! is the caller's closure (the store for the writer, a vector for the
//! peers benchmark), so this module does no I/O itself.

use super::{Hit, Index, QueryScratch};
use crate::config::DedupParams;
use crate::fingerprint::Payload;
use crate::fingerprint::verify::{Verdict, classify};
use crate::model::BlockId;

/// A verified near-duplicate of a query block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// The stored block.
    pub id: BlockId,
    /// How the query relates to it.
    pub verdict: Verdict,
    /// The stored block is known boilerplate.
    pub boilerplate: bool,
}

/// Whether `a` is a better match than `b`: higher Jaccard, then higher
/// containment, then the smaller block id (a total, order-free ranking).
#[must_use]
pub fn better(a: &Match, b: &Match) -> bool {
    let (x, y) = (&a.verdict, &b.verdict);
    x.jaccard
        .total_cmp(&y.jaccard)
        .then(x.containment.total_cmp(&y.containment))
        .then(b.id.cmp(&a.id))
        .is_gt()
}

/// The index plus its reusable query buffers.
#[derive(Debug, Default)]
pub struct Matcher {
    /// The index (the writer inserts into it after each applied file).
    pub index: Index,
    scratch: QueryScratch,
    hits: Vec<Hit>,
}

impl Matcher {
    /// A matcher over an index.
    #[must_use]
    pub fn new(index: Index) -> Matcher {
        Matcher {
            index,
            ..Matcher::default()
        }
    }

    /// The best verified near-duplicate of `query` among indexed blocks.
    /// `load` fetches a candidate's payload (a missing one is skipped);
    /// `is_boilerplate` says whether a stored block is known boilerplate.
    ///
    /// # Errors
    /// The first error of `load`.
    pub fn best<E, P: std::borrow::Borrow<Payload>>(
        &mut self,
        query: &Payload,
        p: &DedupParams,
        mut load: impl FnMut(&BlockId) -> Result<Option<P>, E>,
        is_boilerplate: impl Fn(&BlockId) -> bool,
    ) -> Result<Option<Match>, E> {
        self.index.candidates(
            query.fingerprints(),
            p.max_postings,
            p.max_verify,
            &mut self.scratch,
            &mut self.hits,
        );
        let mut best: Option<Match> = None;
        for hit in &self.hits {
            let Some(stored) = load(&hit.id)? else {
                continue;
            };
            let bp = is_boilerplate(&hit.id);
            if let Some(verdict) = classify(query, stored.borrow(), p, bp) {
                let m = Match {
                    id: hit.id,
                    verdict,
                    boilerplate: bp,
                };
                if best.as_ref().is_none_or(|b| better(&m, b)) {
                    best = Some(m);
                }
            }
        }
        Ok(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::Relation;
    use crate::fingerprint::{Scratch, Shape, fingerprint};
    use std::collections::BTreeMap;

    struct Fixture {
        m: Matcher,
        stored: BTreeMap<BlockId, Payload>,
        p: DedupParams,
    }

    impl Fixture {
        fn new() -> Fixture {
            Fixture {
                m: Matcher::default(),
                stored: BTreeMap::new(),
                p: DedupParams::default(),
            }
        }

        fn fp(&self, text: &str) -> Payload {
            let key = crate::normalize::match_key(text);
            fingerprint(&key, &Shape::of(&self.p), &mut Scratch::default()).expect("long")
        }

        fn add(&mut self, text: &str) -> BlockId {
            let id = BlockId::of_key(&crate::normalize::match_key(text));
            let p = self.fp(text);
            self.m.index.insert(id, p.fingerprints());
            self.stored.insert(id, p);
            id
        }

        fn best(&mut self, text: &str) -> Option<Match> {
            let q = self.fp(text);
            let stored = &self.stored;
            self.m
                .best(
                    &q,
                    &self.p,
                    |id| Ok::<_, ()>(stored.get(id).cloned()),
                    |_| false,
                )
                .expect("no load errors")
        }
    }

    const A: &str = "The old harbour bridge reopened to traffic on Monday after six months of \
                     repairs that cost the city more than it had planned.";
    const B: &str = "Engineers replaced the deck plates and repainted the steel arches, the \
                     council said in a statement on Monday morning.";

    #[test]
    fn finds_the_revision_among_unrelated_blocks() {
        let mut f = Fixture::new();
        let a = f.add(A);
        f.add(B);
        let m = f.best(&A.replace("repairs", "repair work")).expect("found");
        assert_eq!(m.id, a);
        assert_eq!(m.verdict.relation, Relation::Revision);
    }

    #[test]
    fn prefers_the_closest_of_two_versions() {
        let mut f = Fixture::new();
        let v1 = f.add(A);
        let v2 = f.add(&format!("{A} The mayor cut a ribbon at noon."));
        let m = f
            .best(&format!("{A} The mayor cut a ribbon at noon in the rain."))
            .expect("found");
        assert_eq!(m.id, v2);
        let m = f.best(&A.replace("Monday", "Tuesday")).expect("found");
        assert_eq!(m.id, v1);
    }

    #[test]
    fn nothing_when_nothing_is_close() {
        let mut f = Fixture::new();
        f.add(A);
        assert!(f.best(B).is_none());
    }
}
