//! normalize (segmentation and typing): any text gives stories or a
//! rejection, never a panic. Every block's key is the match key of its
//! stored text (what `reindex` and the boot-time index rebuild assume),
//! match keys are idempotent, and the result is deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shingled::normalize::{match_key, normalize};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let k = match_key(&text);
    assert_eq!(match_key(&k), k, "match_key is not idempotent");
    let Ok(parsed) = normalize(&text) else { return };
    assert!(!parsed.stories.is_empty(), "accepted with no story");
    for b in parsed.stories.iter().flat_map(|s| &s.blocks) {
        assert_eq!(
            b.key,
            match_key(&b.text),
            "block key is not match_key(text)"
        );
        assert!(!b.text.is_empty(), "empty block");
    }
    assert_eq!(normalize(&text).ok(), Some(parsed), "not deterministic");
});
