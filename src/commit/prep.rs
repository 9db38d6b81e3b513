//! The writer's pure per-block work, done before the writer sees a file:
//! each body block's id (blake3 of its match key), word count and
//! fingerprint payload. `ingest` computes it on its reader thread, so the
//! single writer (the bottleneck: one core) spends its time on decisions
//! and the store instead. Pure: the same parsed file and [`Shape`] give the
//! same [`Prep`], so where it was computed never changes a decision; a
//! writer given no prep (or a prep of another shape) computes it itself.

use crate::fingerprint::{Payload, Scratch, Shape, fingerprint, word_count};
use crate::model::{Block, BlockId, Parsed};

/// One body block, prepared.
#[derive(Debug)]
pub struct BlockPrep {
    /// `BlockId::of_key` of the match key.
    pub id: BlockId,
    /// Words of the match key (at least 1: the block's weight).
    pub words: u32,
    /// The near-duplicate payload, for blocks long enough to have one.
    pub payload: Option<Payload>,
}

impl BlockPrep {
    /// Prepares one block.
    #[must_use]
    pub fn of(b: &Block, shape: &Shape, s: &mut Scratch) -> BlockPrep {
        BlockPrep {
            id: BlockId::of_key(&b.key),
            words: u32::try_from(word_count(&b.key)).unwrap_or(u32::MAX).max(1),
            payload: fingerprint(&b.key, shape, s),
        }
    }
}

/// Every story's body blocks, prepared, in `Story::body` order.
#[derive(Debug)]
pub struct Prep {
    pub(super) shape: Shape,
    pub(super) stories: Vec<Vec<BlockPrep>>,
}

impl Prep {
    /// Prepares a parsed file for a writer of this shape.
    #[must_use]
    pub fn of(parsed: &Parsed, shape: &Shape) -> Prep {
        let mut s = Scratch::default();
        Prep {
            shape: *shape,
            stories: parsed
                .stories
                .iter()
                .map(|st| st.body().map(|b| BlockPrep::of(b, shape, &mut s)).collect())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::{Committer, Input};
    use crate::config::DedupParams;
    use crate::store::Store;
    use std::sync::Arc;

    /// Files with exact, near and new paragraphs, written for this test.
    fn files() -> Vec<(String, String)> {
        let base = [
            "The harbour board voted on Tuesday to extend the night ferry service until the end of the year, citing strong demand from shift workers on the east shore.",
            "Officials said the extra crossings would cost about four hundred thousand a month and would be paid for from the regional transport levy without a fare rise.",
            "A spokesperson for the ferry workers union welcomed the decision but warned that crews were already stretched and that new hiring would be needed soon.",
        ];
        let edited = base[1].replace("four hundred thousand", "four hundred and ten thousand");
        vec![
            (
                "a.txt".into(),
                format!(
                    "Night ferries stay\n\n{}\n\n{}\n\n{}\n",
                    base[0], base[1], base[2]
                ),
            ),
            (
                "b.txt".into(),
                format!(
                    "Ferry service extended\n\n{}\n\n{edited}\n\n{}\n",
                    base[0], base[2]
                ),
            ),
            (
                "c.txt".into(),
                format!(
                    "Other news\n\nA short line.\n\n{}\n\nThe library reopens on Monday after a long renovation of its reading rooms and the roof over the children's wing.\n",
                    base[2]
                ),
            ),
        ]
    }

    fn run(prepare: Option<Shape>) -> Vec<String> {
        let mut c = Committer::new(Arc::new(Store::memory()), DedupParams::default())
            .expect("a writer on a memory store")
            .with_clock(|| "2026-01-01T00:00:00Z".into());
        let mut log = Vec::new();
        for (name, text) in files() {
            let mut input: Input = crate::ingest::input(name, text.as_bytes());
            if let Some(shape) = &prepare {
                input.prepare(shape);
            }
            let (_, events) = c.commit(input).expect("the memory store applies");
            log.extend(
                events
                    .iter()
                    .map(|e| String::from_utf8(e.to_json()).expect("events are JSON text")),
            );
        }
        log
    }

    #[test]
    fn a_prepared_file_is_decided_exactly_as_an_unprepared_one() {
        let shape = Shape::of(&DedupParams::default());
        let plain = run(None);
        assert!(
            plain.iter().any(|e| e.contains("\"jaccard\"")),
            "the fixture has a near-duplicate: {plain:?}"
        );
        assert_eq!(run(Some(shape)), plain);
    }

    #[test]
    fn a_prep_of_another_shape_is_ignored() {
        let mut other = Shape::of(&DedupParams::default());
        other.shingle_words += 1;
        assert_eq!(run(Some(other)), run(None));
    }
}
