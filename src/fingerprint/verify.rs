//! Verification: is a candidate found through shared fingerprints really a
//! near-duplicate, and how? Pure: exact set arithmetic on the two blocks'
//! sorted shingle hashes, never an estimate.
//!
//! With `J` the Jaccard of the shingle sets, `C` the containment of the
//! smaller set in the larger and `a_only`/`b_only` the shingles found on
//! one side only:
//!
//! | relation | when |
//! |---|---|
//! | `extension` | `C ≥ containment`, smaller side ≥ `min_containment_shingles`, and the story's block adds more than it lost |
//! | `truncation` | the same with the roles swapped: the story's block is an older, shorter copy |
//! | `contained` | the story's block sits inside a stored block it is less than `quote_max_share` of (a pull quote) |
//! | `revision` | otherwise, `J ≥ revision_jaccard` (a typo fixed, a clause reworded) |
//!
//! A pair of equal word count that both gains and loses shingles, at most
//! `k` (the shingle size) each, is a one-word edit and never a containment
//! relation, even when the right word's shingles already occur elsewhere
//! in the block.
//!
//! A stored block wholly inside a much longer story block is an
//! `extension` too: paragraphs run together by another site's extractor.
//! A verdict is *minor* when the story's block loses nothing and adds at
//! most two shingles (a word or two at an edge, such as a wire sign-off run
//! into the last paragraph).
//!
//! **Numbers rule.** Two blocks *conflict on numbers* when each states a
//! number the other lacks (`rose 5%` against `rose 7%`; a dividend notice
//! with other amounts and dates). Adding or dropping a number is no
//! conflict (an update appends "about 20,000 people"). A conflicting pair
//! shorter than `numbers_min_words` (the smaller side) is refused outright:
//! at that length the numbers are the fact, and templated wire notices
//! differ only there. A longer conflicting pair can only be a `revision`
//! (flagged `numbers_differ`), never `extension`, `truncation` or
//! `contained`, so it can never make a story a duplicate. Known
//! boilerplate is exempt (`© 2007` against `© 2008` is still the footer).

use super::Payload;
use crate::config::DedupParams;
use crate::dedup::Relation;

/// Shingle-set sizes and their intersection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overlap {
    /// Shared shingles.
    pub inter: usize,
    /// Shingles of the story's block.
    pub a: usize,
    /// Shingles of the stored block.
    pub b: usize,
}

#[allow(clippy::cast_precision_loss)]
fn share(x: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { x as f64 / of as f64 }
}

impl Overlap {
    /// |A ∩ B| / |A ∪ B|.
    #[must_use]
    pub fn jaccard(&self) -> f64 {
        share(self.inter, self.a + self.b - self.inter)
    }

    /// |A ∩ B| / min(|A|, |B|).
    #[must_use]
    pub fn containment(&self) -> f64 {
        share(self.inter, self.a.min(self.b))
    }
}

/// Intersection size of two sorted, unique sequences.
pub fn intersect(a: impl Iterator<Item = u32>, b: impl Iterator<Item = u32>) -> usize {
    let mut a = a.peekable();
    let mut b = b.peekable();
    let mut n = 0;
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => {
                a.next();
            }
            std::cmp::Ordering::Greater => {
                b.next();
            }
            std::cmp::Ordering::Equal => {
                n += 1;
                a.next();
                b.next();
            }
        }
    }
    n
}

/// The overlap of two payloads' shingle sets.
#[must_use]
pub fn overlap(a: &Payload, b: &Payload) -> Overlap {
    Overlap {
        inter: intersect(a.shingles(), b.shingles()),
        a: a.shingle_count(),
        b: b.shingle_count(),
    }
}

fn words_of(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// Whether each side states a number the other lacks (sorted multisets).
#[must_use]
pub fn numbers_conflict(a: &Payload, b: &Payload) -> bool {
    let (x, y) = (a.numbers(), b.numbers());
    if x == y {
        return false;
    }
    // multiset differences by merging
    let (mut a_extra, mut b_extra) = (false, false);
    let mut xi = words_of(x).peekable();
    let mut yi = words_of(y).peekable();
    loop {
        match (xi.peek(), yi.peek()) {
            (Some(p), Some(q)) if p == q => {
                xi.next();
                yi.next();
            }
            (Some(p), Some(q)) if p < q => {
                a_extra = true;
                xi.next();
            }
            (Some(_), Some(_)) => {
                b_extra = true;
                yi.next();
            }
            (Some(_), None) => {
                a_extra = true;
                break;
            }
            (None, Some(_)) => {
                b_extra = true;
                break;
            }
            (None, None) => break,
        }
    }
    a_extra && b_extra
}

/// What a near-duplicate `a` of `matched` brings to an article whose other
/// blocks are `others`: `(elsewhere, nowhere)`, the counts of `a`'s
/// shingles missing from `matched` that the other blocks hold, and that no
/// block holds. The same text paragraphed differently has many `elsewhere`
/// and at most the `k - 1` shingles spanning a paragraph join `nowhere`.
#[must_use]
pub fn novelty<P: std::borrow::Borrow<Payload>>(
    a: &Payload,
    matched: &Payload,
    others: &[P],
) -> (usize, usize) {
    novelty_in(a, matched, &shingle_pool(others))
}

/// The sorted, distinct shingles of some blocks: the pool [`novelty_in`]
/// looks in.
#[must_use]
pub fn shingle_pool<P: std::borrow::Borrow<Payload>>(blocks: &[P]) -> Vec<u32> {
    let mut pool: Vec<u32> = blocks.iter().flat_map(|p| p.borrow().shingles()).collect();
    pool.sort_unstable();
    pool.dedup();
    pool
}

/// [`novelty`] against a prebuilt [`shingle_pool`], so that several blocks
/// can be checked against one article's blocks without rebuilding it. The
/// pool may hold `matched`'s own shingles too: only shingles of `a` missing
/// from `matched` are looked up, and those can never come from `matched`.
#[must_use]
pub fn novelty_in(a: &Payload, matched: &Payload, pool: &[u32]) -> (usize, usize) {
    let own: Vec<u32> = matched.shingles().collect();
    let (mut elsewhere, mut nowhere) = (0, 0);
    for h in a.shingles().filter(|h| own.binary_search(h).is_err()) {
        if pool.binary_search(&h).is_ok() {
            elsewhere += 1;
        } else {
            nowhere += 1;
        }
    }
    (elsewhere, nowhere)
}

/// A verified near-duplicate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// How the story's block relates to the stored one.
    pub relation: Relation,
    /// Jaccard of the shingle sets.
    pub jaccard: f64,
    /// Containment of the smaller set in the larger.
    pub containment: f64,
    /// The blocks conflict on numbers (only ever with `revision`).
    pub numbers_differ: bool,
    /// Shingles only the story's block has.
    pub novel: usize,
    /// Shingles only the stored block has.
    pub lost: usize,
}

impl Verdict {
    /// The story's block only adds a word or two at an edge and loses
    /// nothing (a wire sign-off run into the last paragraph): no new
    /// content, so it never makes a story an update on its own.
    #[must_use]
    pub fn minor(&self) -> bool {
        self.lost == 0 && self.novel <= 2
    }
}

/// Classifies the story's block `a` against the stored block `b`;
/// `None` when they are not near-duplicates. `b_boilerplate` exempts a
/// stored known-boilerplate block from the numbers rule.
#[must_use]
pub fn classify(a: &Payload, b: &Payload, p: &DedupParams, b_boilerplate: bool) -> Option<Verdict> {
    let o = overlap(a, b);
    if o.inter == 0 {
        return None;
    }
    let (j, c) = (o.jaccard(), o.containment());
    let (a_only, b_only) = (o.a - o.inter, o.b - o.inter);
    let contains = c >= p.containment && o.a.min(o.b) >= p.min_containment_shingles;
    // One changed word alters at most `k` shingles on each side: a pair of
    // equal length that both gains and loses no more than that is an edit
    // (a typo fixed), whichever side happens to have more unique shingles.
    let k = p.shingle_words;
    let edit = a_only > 0 && b_only > 0 && a_only.max(b_only) <= k && a.words() == b.words();
    let mut relation = if contains && !edit && a_only > b_only {
        // the stored block is (nearly) inside the story's block: an update
        // added to it, or several stored paragraphs were run together
        Some(Relation::Extension)
    } else if contains && !edit && b_only > a_only {
        if share(o.a, o.b) >= p.quote_max_share {
            Some(Relation::Truncation)
        } else {
            Some(Relation::Contained)
        }
    } else if j >= p.revision_jaccard {
        Some(Relation::Revision)
    } else {
        None
    }?;
    let numbers_differ = !b_boilerplate && numbers_conflict(a, b);
    if numbers_differ {
        if a.words().min(b.words()) < u32::try_from(p.numbers_min_words).unwrap_or(u32::MAX) {
            return None;
        }
        relation = Relation::Revision;
    }
    Some(Verdict {
        relation,
        jaccard: j,
        containment: c,
        numbers_differ,
        novel: a_only,
        lost: b_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::{Scratch, Shape, fingerprint};

    fn fp(text: &str) -> Payload {
        let key = crate::normalize::match_key(text);
        fingerprint(
            &key,
            &Shape::of(&DedupParams::default()),
            &mut Scratch::default(),
        )
        .expect("long enough")
    }

    fn rel(a: &str, b: &str) -> Option<Relation> {
        classify(&fp(a), &fp(b), &DedupParams::default(), false).map(|v| v.relation)
    }

    const P: &str = "Engineers replaced the deck plates and repainted the steel arches of the old \
                     bridge, the council said in a statement on Monday morning.";

    #[test]
    fn a_typo_fixed_is_a_revision() {
        let fixed = P;
        let typo = P.replace("arches", "arhces");
        assert_eq!(rel(fixed, &typo), Some(Relation::Revision));
        let v = classify(&fp(fixed), &fp(&typo), &DedupParams::default(), false).expect("match");
        assert!(v.jaccard >= 0.6 && v.jaccard < 1.0, "{v:?}");
    }

    #[test]
    fn a_sentence_added_is_an_extension_and_the_old_copy_a_truncation() {
        let longer = format!("{P} Work on the approach roads will continue until the spring.");
        assert_eq!(rel(&longer, P), Some(Relation::Extension));
        assert_eq!(rel(P, &longer), Some(Relation::Truncation));
        let v = classify(&fp(P), &fp(&longer), &DedupParams::default(), false).expect("match");
        assert!((v.containment - 1.0).abs() < 1e-9);
        assert!(v.jaccard < 0.8);
    }

    #[test]
    fn a_pull_quote_is_contained() {
        let long = format!(
            "{P} The mayor told reporters that the bridge was the pride of the town and would \
             stand for another hundred years if it was looked after properly by everyone."
        );
        let quote =
            "the bridge was the pride of the town and would stand for another hundred years";
        assert_eq!(rel(quote, &long), Some(Relation::Contained));
        // the other way round the long paragraph extends the quote
        assert_eq!(rel(&long, quote), Some(Relation::Extension));
    }

    #[test]
    fn a_word_run_into_the_end_is_minor_but_a_typo_fix_is_not() {
        let signed = format!("{P} Reuter");
        let v = classify(&fp(&signed), &fp(P), &DedupParams::default(), false).expect("match");
        assert_eq!(v.relation, Relation::Extension);
        assert!(v.minor(), "{v:?}");
        let typo = P.replace("arches", "arhces");
        let v = classify(&fp(P), &fp(&typo), &DedupParams::default(), false).expect("match");
        assert!(!v.minor(), "{v:?}");
    }

    #[test]
    fn unrelated_paragraphs_do_not_match() {
        let other = "Local shop owners said the closure had cut their trade by a third during the \
                     busiest months of the year.";
        assert_eq!(rel(P, other), None);
    }

    #[test]
    fn numbers_that_change_refuse_a_short_or_medium_match() {
        let a = "Shares of the harbour company rose 5 percent in early trading on Monday after \
                 the bridge reopened to traffic.";
        let b = a.replace("5 percent", "7 percent");
        assert!(numbers_conflict(&fp(a), &fp(&b)));
        assert_eq!(rel(a, &b), None);
        // adding a number is no conflict: still an extension
        let c = format!("{a} About 20,000 vehicles crossed it.");
        assert!(!numbers_conflict(&fp(&c), &fp(a)));
        assert_eq!(rel(&c, a), Some(Relation::Extension));
    }

    #[test]
    fn templated_notices_with_other_numbers_never_match() {
        let n1 = "Harbour Holdings said its board declared a quarterly dividend of 15 cents per \
                  share, payable April 1 to shareholders of record on March 15.";
        let n2 = "Harbour Holdings said its board declared a quarterly dividend of 18 cents per \
                  share, payable April 8 to shareholders of record on March 20.";
        assert_eq!(rel(n1, n2), None);
    }

    #[test]
    fn in_a_long_paragraph_a_changed_number_is_only_a_revision() {
        let a = format!(
            "{P} Traffic officers said that about 20000 vehicles a day are expected to cross the \
             bridge once the summer season begins, and that the speed limit will stay low."
        );
        let b = a.replace("20000", "25000");
        let v = classify(&fp(&b), &fp(&a), &DedupParams::default(), false).expect("revision");
        assert_eq!(v.relation, Relation::Revision);
        assert!(v.numbers_differ);
        // and an extension that also changes a number is demoted to revision
        let c = format!("{b} Tolls will not be charged.");
        let v = classify(&fp(&c), &fp(&a), &DedupParams::default(), false).expect("revision");
        assert_eq!(v.relation, Relation::Revision);
    }

    #[test]
    fn known_boilerplate_ignores_the_numbers_rule() {
        let a = "Copyright 2007 The Harbour Gazette. All rights reserved. This material may not \
                 be published or redistributed.";
        let b = a.replace("2007", "2008");
        assert!(classify(&fp(&b), &fp(a), &DedupParams::default(), false).is_none());
        assert!(classify(&fp(&b), &fp(a), &DedupParams::default(), true).is_some());
    }

    #[test]
    fn text_paragraphed_differently_is_covered_by_the_other_blocks() {
        let second = "Work on the approach roads will continue until the spring, a spokesman for \
                      the council said.";
        let merged = format!("{P} {second}");
        let (elsewhere, nowhere) = novelty(&fp(&merged), &fp(P), &[fp(second)]);
        assert_eq!(nowhere, 2);
        assert!(elsewhere > 10);
        let (elsewhere, nowhere) = novelty::<Payload>(&fp(&merged), &fp(P), &[]);
        assert_eq!(elsewhere, 0);
        assert!(nowhere > 10);
    }

    #[test]
    fn a_pool_that_also_holds_the_matched_block_gives_the_same_counts() {
        let second = "Work on the approach roads will continue until the spring, a spokesman for \
                      the council said.";
        let merged = format!("{P} {second}");
        let (q, matched, other) = (fp(&merged), fp(P), fp(second));
        let with_matched = shingle_pool(&[&matched, &other]);
        assert_eq!(
            novelty_in(&q, &matched, &with_matched),
            novelty(&q, &matched, &[&other])
        );
        let only_matched = shingle_pool(&[&matched]);
        assert_eq!(
            novelty_in(&q, &matched, &only_matched),
            novelty::<Payload>(&q, &matched, &[])
        );
    }

    #[test]
    fn a_typo_fixed_near_a_repeated_phrase_is_still_a_revision() {
        let p = "Can this country compete, can this country prosper, unless we do something \
                 about the cost of the state, the minister asked the conference on Tuesday.";
        let typo = p.replace("prosper", "porsper");
        assert_eq!(rel(p, &typo), Some(Relation::Revision));
        assert_eq!(rel(&typo, p), Some(Relation::Revision));
    }

    #[test]
    fn intersect_counts_shared_values() {
        assert_eq!(
            intersect([1, 3, 5, 7].into_iter(), [2, 3, 7, 9].into_iter()),
            2
        );
        assert_eq!(intersect([].into_iter(), [2, 3].into_iter()), 0);
    }
}
