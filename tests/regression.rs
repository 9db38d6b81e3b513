//! Regressions from fuzzing, and the fuzz targets' invariants as a short
//! proptest smoke that runs in CI (plus the log escaping of drop-folder names) (the cargo-fuzz build alone takes longer
//! than CI's budget for it; see docs/RELIABILITY.md for the long runs).
//!
//! Each fuzz finding gets a test here with a minimal self-written input.

use proptest::prelude::*;
use shingled::config::{Config, DedupParams};
use shingled::fingerprint::{Payload, Scratch, Shape, fingerprint, verify, word_count};
use shingled::normalize::{match_key, normalize};

/// decode: text or a rejection; accepted text has LF only and no BOM.
fn decode_invariants(data: &[u8]) {
    if let Ok(d) = shingled::decode::decode(data) {
        assert!(!d.text.contains('\r'), "CR left in {data:?}");
        assert!(!d.text.starts_with('\u{feff}'), "BOM left in {data:?}");
        assert!(!d.text.trim().is_empty(), "whitespace accepted: {data:?}");
    }
}

/// normalize: stories or a rejection; keys are match keys of the stored
/// text; match keys are idempotent; the result is deterministic.
fn normalize_invariants(text: &str) {
    let k = match_key(text);
    assert_eq!(match_key(&k), k, "match_key not idempotent on {text:?}");
    let Ok(parsed) = normalize(text) else { return };
    assert!(!parsed.stories.is_empty(), "no story: {text:?}");
    for b in parsed.stories.iter().flat_map(|s| &s.blocks) {
        assert_eq!(
            b.key,
            match_key(&b.text),
            "key is not match_key(text) in {text:?}"
        );
        assert!(!b.text.is_empty(), "empty block in {text:?}");
    }
    assert_eq!(
        normalize(text).ok(),
        Some(parsed),
        "not deterministic: {text:?}"
    );
}

/// fingerprint: payloads round-trip, fingerprints are shingles, a block
/// verifies as itself.
fn fingerprint_invariants(text: &str, k: usize, w: usize, extra: usize) {
    let p = DedupParams {
        shingle_words: k,
        window: w,
        min_fuzzy_words: k + extra,
        ..DedupParams::default()
    };
    let key = match_key(text);
    let mut s = Scratch::default();
    let Some(a) = fingerprint(&key, &Shape::of(&p), &mut s) else {
        assert!(word_count(&key) < p.min_fuzzy_words, "{key:?}");
        return;
    };
    assert_eq!(a.words() as usize, word_count(&key));
    let sh: Vec<u32> = a.shingles().collect();
    assert!(sh.windows(2).all(|x| x[0] < x[1]), "{key:?}");
    assert!(
        a.fingerprints().all(|f| sh.binary_search(&f).is_ok()),
        "{key:?}"
    );
    assert_eq!(Payload::from_bytes(a.as_bytes().to_vec()).as_ref(), Ok(&a));
    if !sh.is_empty() {
        assert!(verify::classify(&a, &a, &p, false).is_some(), "{key:?}");
    }
}

/// Fragments that steer the normalizer into its rules (datelines, bylines,
/// captions, times, chrome, odd Unicode, line endings).
const PIECES: &[&str] = &[
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "\u{a0}",
    "\u{200b}",
    "\u{feff}",
    "\u{301}",
    "ﬁ",
    "Ａ",
    "By Jane Doe",
    "KYIV, Ukraine (AP) — ",
    "LONDON (Reuters) - ",
    "Photo: ",
    "(AP Photo/Max)",
    "Updated 12:30 GMT, 3 March 2024",
    "Published: Tue 5 Mar 2024 09:15 EST",
    "© 2024 News Ltd",
    "Share this article",
    "Skip to content",
    "Advertisement",
    "Read more:",
    "Jane Doe reported from Kyiv.",
    "The council approved the budget on Tuesday after a long debate.",
    "“Quoted,” she said.",
    "Shares rose 5% to $3.2 billion.",
    "1.",
    "•",
    "-",
    "—",
    "...",
    "#",
    "<p>",
    "</div>",
    "&amp;",
    "Ελληνικά",
    "日本語のテキスト",
    "العربية",
    "İstanbul",
    "ß",
    "Σ",
    "ǅ",
    "\u{0}",
    "\u{7f}",
    "\u{85}",
];

fn text_from(pieces: &[usize]) -> String {
    pieces.iter().map(|&i| PIECES[i % PIECES.len()]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn smoke_decode(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        decode_invariants(&data);
    }

    #[test]
    fn smoke_decode_text_like(pieces in proptest::collection::vec(any::<usize>(), 0..200), bad in any::<u8>()) {
        let mut b = text_from(&pieces).into_bytes();
        let at = b.len() / 2;
        b.insert(at, bad);
        decode_invariants(&b);
    }

    #[test]
    fn smoke_normalize(pieces in proptest::collection::vec(any::<usize>(), 0..300)) {
        normalize_invariants(&text_from(&pieces));
    }

    #[test]
    fn smoke_normalize_any_string(s in any::<String>()) {
        normalize_invariants(&s);
    }

    #[test]
    fn smoke_fingerprint(pieces in proptest::collection::vec(any::<usize>(), 0..200), k in 1usize..=8, w in 1usize..=64, extra in 0usize..16) {
        fingerprint_invariants(&text_from(&pieces), k, w, extra);
    }

    #[test]
    fn smoke_payload_bytes(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(a) = Payload::from_bytes(data) {
            let _ = (a.words(), a.fingerprints().count(), a.numbers().len());
            let _ = verify::classify(&a, &a, &DedupParams::default(), false);
        }
    }

    #[test]
    fn smoke_escape_leaves_no_control_character(name in proptest::collection::vec(any::<u8>(), 0..300)) {
        use std::os::unix::ffi::OsStrExt;
        let e = shingled::telemetry::escape(std::ffi::OsStr::from_bytes(&name));
        prop_assert!(!e.chars().any(char::is_control), "{:?}", e);
        if name.is_ascii() && !name.iter().any(|b| b.is_ascii_control() || *b == b'\\') {
            prop_assert_eq!(e.as_bytes(), &name[..]);
        }
    }

    #[test]
    fn smoke_escape_leaves_no_format_character(pieces in proptest::collection::vec(0usize..12, 0..40)) {
        // Names mixing letters with bidi controls, zero-width characters,
        // separators and a BOM: none of these survives (Unicode Cf, Zl, Zp).
        let parts = ["a", "é", "中", ".txt", "\u{202E}", "\u{2066}", "\u{200B}",
                     "\u{200D}", "\u{FEFF}", "\u{2028}", "\u{00AD}", "\u{061C}"];
        let name: String = pieces.iter().map(|&i| parts[i]).collect();
        let e = shingled::telemetry::escape(std::ffi::OsStr::new(&name));
        let unsafe_chars = regex::Regex::new(r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]").expect("class");
        prop_assert!(!unsafe_chars.is_match(&e), "{:?}", e);
        let kept: String = name.chars().filter(|c| !unsafe_chars.is_match(&c.to_string())).collect();
        let visible: String = e.split("\\u{").enumerate()
            .map(|(i, s)| if i == 0 { s } else { s.split_once('}').map_or(s, |(_, r)| r) })
            .collect();
        prop_assert_eq!(visible, kept, "letters are kept, in order");
    }

    #[test]
    fn smoke_config(s in "[\\[\\]a-z_.=\"0-9 \n]{0,200}") {
        let _ = Config::from_toml(&s);
        let full = format!("[paths]\ndrop=\"d\"\narchive=\"a\"\nquarantine=\"q\"\nstore=\"s\"\n{s}");
        let _ = Config::from_toml(&full);
    }

    #[test]
    fn smoke_formats(sel in 0usize..6, pieces in proptest::collection::vec(any::<usize>(), 0..200)) {
        let name = ["a.txt", "a.html", "a.json", "a.ndjson", "a.htm", "a.jsonl"][sel];
        let text = text_from(&pieces);
        let body = match sel {
            1 | 4 => format!("<html><body><article><h1>T</h1>{text}</article></body></html>"),
            2 => serde_json::json!({"title": "T", "text": text}).to_string(),
            3 | 5 => format!("{}\n", serde_json::json!({"title": "T", "body": text})),
            _ => text,
        };
        if let Ok(a) = shingled::formats::analyze(name, body.as_bytes()) {
            prop_assert!(!a.parsed.stories.is_empty());
            for b in a.parsed.stories.iter().flat_map(|s| &s.blocks) {
                prop_assert_eq!(&b.key, &match_key(&b.text));
            }
        }
    }
}
