//! formats: any bytes under any of the handled extensions give an analysis
//! or a rejection, never a panic; decompression stays under the cap. The
//! first input byte picks the file name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shingled::formats::{Limits, analyze_with};
use shingled::normalize::match_key;

const NAMES: &[&str] = &[
    "a.txt",
    "a.html",
    "a.json",
    "a.ndjson",
    "a.gz",
    "a.html.gz",
    "a.json.gz",
    "a.txt.gz",
    "a.zst",
    "a.html.zst",
    "a.htm",
    "a.jsonl",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(sel) % NAMES.len()];
    let limits = Limits {
        max_uncompressed: 4 << 20,
    };
    let Ok(a) = analyze_with(name, bytes, &limits) else {
        return;
    };
    assert!(
        !a.parsed.stories.is_empty(),
        "{name}: accepted with no story"
    );
    assert_eq!(
        a.provenance.len(),
        a.parsed.stories.len(),
        "{name}: provenance per story"
    );
    for b in a.parsed.stories.iter().flat_map(|s| &s.blocks) {
        assert_eq!(
            b.key,
            match_key(&b.text),
            "{name}: block key is not match_key(text)"
        );
    }
});
