//! fingerprint: any match key and shape give a payload (or none for a
//! short key) that round-trips through its stored bytes, whose winnowed
//! fingerprints are a subset of its sorted unique shingles, and that
//! verifies as identical to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shingled::config::DedupParams;
use shingled::fingerprint::{Payload, Scratch, Shape, fingerprint, verify, word_count};
use shingled::normalize::match_key;

fuzz_target!(|data: &[u8]| {
    let (head, rest) = data.split_at(data.len().min(3));
    let mut p = DedupParams::default();
    if let [k, w, m] = *head {
        p.shingle_words = usize::from(k % 8) + 1;
        p.window = usize::from(w % 64) + 1;
        p.min_fuzzy_words = p.shingle_words + usize::from(m % 16);
    }
    let key = match_key(&String::from_utf8_lossy(rest));
    let shape = Shape::of(&p);
    let mut s = Scratch::default();
    let Some(a) = fingerprint(&key, &shape, &mut s) else {
        assert!(
            word_count(&key) < p.min_fuzzy_words.max(p.shingle_words),
            "long key got no payload"
        );
        return;
    };
    assert_eq!(a.words() as usize, word_count(&key));
    let sh: Vec<u32> = a.shingles().collect();
    assert!(
        sh.windows(2).all(|w| w[0] < w[1]),
        "shingles not sorted and unique"
    );
    assert!(
        a.fingerprints().all(|f| sh.binary_search(&f).is_ok()),
        "fingerprint is not a shingle"
    );
    if !sh.is_empty() {
        assert!(
            a.fingerprints().next().is_some(),
            "no fingerprint for a non-empty shingle set"
        );
    }
    let again = Payload::from_bytes(a.as_bytes().to_vec()).expect("own bytes decode");
    assert_eq!(again, a);
    let same = fingerprint(&key, &shape, &mut s).expect("deterministic");
    assert_eq!(same, a, "not deterministic");
    let o = verify::overlap(&a, &a);
    assert_eq!(o.inter, sh.len());
    assert!(!verify::numbers_conflict(&a, &a));
    if !sh.is_empty() {
        assert!(
            verify::classify(&a, &a, &p, false).is_some(),
            "a block is not like itself"
        );
    }
});
