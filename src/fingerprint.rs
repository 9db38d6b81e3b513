//! Shingles, winnowed fingerprints and number tokens of a block's match
//! key. Pure: the same key and [`Shape`] always give the same [`Payload`]
//! bytes, on every machine and in every process, because every hash is
//! xxh3-64 with a fixed seed (never a per-process random hasher), cut to
//! 32 bits.
//!
//! Why these choices (see `docs/DEDUP.md` for the measurements):
//! - **Word 3-gram shingles.** Word 5-grams collapse on news paragraphs
//!   (median 24 words): one edit in a 15-word paragraph drops 5-gram
//!   Jaccard to about 0.4, 3-gram Jaccard stays near 0.6.
//! - **Winnowing** (Schleimer et al. 2003) with a window of `w` shingles
//!   keeps about `2/(w+1)` of the shingles as index keys and guarantees that
//!   any shared run of `w + k - 1` words (6 with k=3, w=4) yields a shared
//!   fingerprint, wherever it sits in either block: containment (an update
//!   that adds a sentence, a pull quote) is found, not only resemblance.
//! - **32-bit hashes.** A false shingle equality between two blocks of 30
//!   shingles has a chance of about 2e-7; halving the stored and indexed
//!   bytes is worth it.
//! - **Number tokens** (words holding a digit) are kept aside as a sorted
//!   multiset so verification can refuse to call `5%` and `7%` the same
//!   fact (see [`verify`]).
//!
//! The [`Payload`] is also the stored form (the `x` records of the store):
//! raw little-endian bytes, no serde, so rebuilding the index at start-up
//! is a scan plus a few loads per record.

mod payload;
pub mod verify;

pub use payload::{Payload, PayloadError};

use crate::config::DedupParams;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Seed of the shingle hash. Changing it changes every stored payload.
pub const SHINGLE_SEED: u64 = 0x7368_696e_676c_6564; // "shingled"
/// Seed of the number-token hash.
pub const NUMBER_SEED: u64 = 0x6e75_6d62_6572_7331; // "numbers1"
/// Version of the payload byte layout.
pub const FORMAT: u32 = 1;

/// Everything that shapes stored payloads and the index built from them.
/// Recorded in the store's meta; a store written with another shape must
/// be reindexed (`shingled reindex`) before use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape {
    /// Payload layout version ([`FORMAT`]).
    pub format: u32,
    /// Hash seed of shingles ([`SHINGLE_SEED`]).
    pub shingle_seed: u64,
    /// Hash seed of number tokens ([`NUMBER_SEED`]).
    pub number_seed: u64,
    /// Words per shingle.
    pub shingle_words: u32,
    /// Winnowing window, in shingles.
    pub window: u32,
    /// Blocks with fewer words get no payload: they only match exactly.
    pub min_fuzzy_words: u32,
}

impl Shape {
    /// The shape the configured parameters ask for.
    #[must_use]
    pub fn of(p: &DedupParams) -> Shape {
        let small = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Shape {
            format: FORMAT,
            shingle_seed: SHINGLE_SEED,
            number_seed: NUMBER_SEED,
            shingle_words: small(p.shingle_words),
            window: small(p.window),
            min_fuzzy_words: small(p.min_fuzzy_words),
        }
    }

    /// One line for messages: `k=3 w=4 min_words=10 format=1`.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "shingle_words={} window={} min_fuzzy_words={} format={} seeds={:x}/{:x}",
            self.shingle_words,
            self.window,
            self.min_fuzzy_words,
            self.format,
            self.shingle_seed,
            self.number_seed
        )
    }
}

/// Number of words in a match key (words are separated by spaces).
#[must_use]
pub fn word_count(key: &str) -> usize {
    key.split(' ').filter(|w| !w.is_empty()).count()
}

/// Whether a word is a number token (`5`, `2008`, `1st`, `3m`).
fn is_number(word: &str) -> bool {
    word.chars().any(char::is_numeric)
}

/// Reusable buffers, so fingerprinting a block allocates only its payload.
#[derive(Debug, Default)]
pub struct Scratch {
    words: Vec<(usize, usize)>,
    seq: Vec<u32>,
    picked: Vec<u32>,
    numbers: Vec<u32>,
}

/// The payload of a match key, or `None` when the key has fewer than
/// `min_fuzzy_words` words (such blocks only ever match exactly).
#[must_use]
pub fn fingerprint(key: &str, shape: &Shape, s: &mut Scratch) -> Option<Payload> {
    let k = shape.shingle_words.max(1) as usize;
    s.words.clear();
    let mut start = None;
    for (i, c) in key.char_indices() {
        match (c == ' ', start) {
            (true, Some(b)) => {
                s.words.push((b, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(b) = start {
        s.words.push((b, key.len()));
    }
    let n_words = s.words.len();
    if n_words < (shape.min_fuzzy_words as usize).max(k) {
        return None;
    }
    // Shingle hashes in text order: xxh3 of the k words' span of the key.
    s.seq.clear();
    for i in 0..=n_words - k {
        let span = &key[s.words[i].0..s.words[i + k - 1].1];
        s.seq.push(low32(xxh3_64_with_seed(
            span.as_bytes(),
            shape.shingle_seed,
        )));
    }
    winnow(&s.seq, shape.window.max(1) as usize, &mut s.picked);
    s.numbers.clear();
    let skip = dateline_date_end(key, &s.words);
    for &(b, e) in &s.words[skip..] {
        let w = &key[b..e];
        if is_number(w) {
            s.numbers
                .push(low32(xxh3_64_with_seed(w.as_bytes(), shape.number_seed)));
        }
    }
    s.numbers.sort_unstable();
    s.seq.sort_unstable();
    s.seq.dedup();
    s.picked.sort_unstable();
    s.picked.dedup();
    Some(Payload::build(
        u32::try_from(n_words).unwrap_or(u32::MAX),
        &s.seq,
        &s.picked,
        &s.numbers,
    ))
}

/// Month names as they appear in match keys of wire datelines.
const MONTHS: [&str; 24] = [
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
];

/// The number of leading words that form a dateline's date (`bahrain
/// march 1`, `ramallah dec 29 2007`), or 0. A re-sent wire story carries
/// the next day's date in its dateline; that is no conflicting fact, so
/// these numbers are left out of the number tokens (they stay in the
/// shingles).
fn dateline_date_end(key: &str, words: &[(usize, usize)]) -> usize {
    let word = |i: usize| words.get(i).map(|&(b, e)| &key[b..e]);
    let short_number = |w: &str| w.len() <= 2 && w.bytes().all(|c| c.is_ascii_digit());
    for i in 0..words.len().min(8) {
        let w = word(i).unwrap_or_default();
        if MONTHS.contains(&w) && word(i + 1).is_some_and(short_number) {
            let year =
                word(i + 2).is_some_and(|y| y.len() == 4 && y.bytes().all(|c| c.is_ascii_digit()));
            return i + 2 + usize::from(year);
        }
    }
    0
}

#[allow(clippy::cast_possible_truncation)]
fn low32(h: u64) -> u32 {
    h as u32
}

/// Winnowing: the minimum hash of every window of `w` consecutive shingles
/// (the rightmost on ties), each selected position recorded once. A
/// sequence shorter than `2w` keeps every shingle, so short blocks still
/// get enough index keys to be found.
fn winnow(seq: &[u32], w: usize, out: &mut Vec<u32>) {
    out.clear();
    if seq.len() < 2 * w {
        out.extend_from_slice(seq);
        return;
    }
    let mut last = usize::MAX;
    for start in 0..=seq.len() - w {
        let mut m = start;
        for j in start + 1..start + w {
            if seq[j] <= seq[m] {
                m = j;
            }
        }
        if m != last {
            out.push(seq[m]);
            last = m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> Shape {
        Shape::of(&DedupParams::default())
    }

    fn fp(key: &str) -> Payload {
        fingerprint(key, &shape(), &mut Scratch::default()).expect("long enough")
    }

    const LONG: &str = "the old harbour bridge reopened to traffic on monday after six months \
                        of repairs that cost the city more than it had planned";

    #[test]
    fn short_keys_get_no_payload_they_only_match_exactly() {
        let s = shape();
        let mut sc = Scratch::default();
        assert!(fingerprint("shares rose 5 percent on monday", &s, &mut sc).is_none());
        assert!(fingerprint("one two three four five six seven eight nine", &s, &mut sc).is_none());
        assert!(
            fingerprint(
                "one two three four five six seven eight nine ten",
                &s,
                &mut sc
            )
            .is_some()
        );
    }

    #[test]
    fn the_same_key_always_gives_the_same_bytes() {
        assert_eq!(fp(LONG).as_bytes(), fp(LONG).as_bytes());
        // Pinned: a change here means stored payloads changed; bump FORMAT
        // or a seed and say so in the release notes (stores must reindex).
        let first = fp(LONG).shingles().next().expect("shingles");
        assert_eq!(first, fp(LONG).shingles().min().expect("min"));
        assert_eq!(
            low32(xxh3_64_with_seed(b"the old harbour", SHINGLE_SEED)),
            low32(xxh3_64_with_seed(b"the old harbour", 0x7368_696e_676c_6564))
        );
    }

    #[test]
    fn shingles_are_word_trigrams_sorted_and_unique() {
        let p = fp(LONG);
        assert_eq!(p.words(), 23);
        assert_eq!(p.shingle_count(), 21);
        let v: Vec<u32> = p.shingles().collect();
        assert!(v.windows(2).all(|w| w[0] < w[1]));
        let want = low32(xxh3_64_with_seed(b"harbour bridge reopened", SHINGLE_SEED));
        assert!(v.contains(&want));
    }

    #[test]
    fn winnowing_keeps_about_two_in_five_and_every_window_is_covered() {
        let p = fp(LONG);
        let fps: Vec<u32> = p.fingerprints().collect();
        assert!(fps.len() >= 5 && fps.len() <= 12, "{}", fps.len());
        // every window of 4 consecutive shingles holds a fingerprint
        let s = shape();
        let words: Vec<&str> = LONG.split(' ').collect();
        let seq: Vec<u32> = words
            .windows(3)
            .map(|w| low32(xxh3_64_with_seed(w.join(" ").as_bytes(), s.shingle_seed)))
            .collect();
        for win in seq.windows(4) {
            assert!(win.iter().any(|h| fps.contains(h)));
        }
    }

    #[test]
    fn a_shared_run_of_six_words_shares_a_fingerprint() {
        let a = fp(
            "completely different opening words here then the harbour bridge reopened to \
                    traffic on monday and more",
        );
        let b = fp(
            "another story starts like this and mentions that the harbour bridge reopened \
                    to traffic on monday as well today",
        );
        let fa: Vec<u32> = a.fingerprints().collect();
        assert!(b.fingerprints().any(|h| fa.contains(&h)));
    }

    #[test]
    fn numbers_are_a_sorted_multiset() {
        let a =
            fp("the council said 20000 vehicles a day and 5 lanes would use the bridge from june");
        let b =
            fp("the council said 5 lanes and 20000 vehicles a day would use the bridge from june");
        let c =
            fp("the council said 20000 vehicles a day and 7 lanes would use the bridge from june");
        assert_eq!(a.numbers(), b.numbers());
        assert_ne!(a.numbers(), c.numbers());
        assert_eq!(a.numbers().len(), 8);
        assert!(fp(LONG).numbers().is_empty());
    }

    #[test]
    fn a_dateline_date_is_no_number_token() {
        let a = fp(
            "bahrain march 1 saudi arabian oil minister said the kingdom would keep to the 18 dlr price",
        );
        let b = fp(
            "bahrain march 2 saudi arabian oil minister said the kingdom would keep to the 18 dlr price",
        );
        assert_eq!(a.numbers(), b.numbers());
        assert_eq!(a.numbers().len(), 4, "only 18 is a number token");
        let c = fp(
            "ramallah dec 29 2007 xinhua palestinian negotiators said 3 settlements would be frozen",
        );
        assert_eq!(c.numbers().len(), 4);
        // a date further into the text is a fact
        let d =
            fp("the council said the bridge would reopen to traffic on march 3 after the repairs");
        assert_eq!(d.numbers().len(), 4);
    }

    #[test]
    fn payload_round_trips_and_rejects_damage() {
        let p = fp(LONG);
        let back = Payload::from_bytes(p.as_bytes().to_vec()).expect("valid");
        assert_eq!(back, p);
        let mut cut = p.as_bytes().to_vec();
        cut.pop();
        assert!(Payload::from_bytes(cut).is_err());
        let mut bad = p.into_bytes();
        bad[0] = 99;
        assert!(Payload::from_bytes(bad).is_err());
        assert!(Payload::from_bytes(vec![1, 2]).is_err());
    }

    #[test]
    fn the_boilerplate_flag_round_trips_also_on_bare_payloads() {
        let mut p = fp(LONG);
        assert!(!p.boilerplate());
        p.set_boilerplate(true);
        let back = Payload::from_bytes(p.into_bytes()).expect("valid");
        assert!(back.boilerplate());
        assert_eq!(back.shingle_count(), 21);
        let mut b = Payload::bare(3);
        b.set_boilerplate(true);
        let b = Payload::from_bytes(b.into_bytes()).expect("valid");
        assert!(b.boilerplate() && b.shingle_count() == 0 && b.words() == 3);
        assert_eq!(b.fingerprints().count(), 0);
    }

    #[test]
    fn the_payload_is_compact() {
        let p = fp(LONG);
        assert_eq!(
            p.as_bytes().len(),
            12 + 4 * 21 + 3,
            "12-byte header, 4 per shingle, mask"
        );
    }
}
