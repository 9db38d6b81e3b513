//! The seed page (`shared/seed/000_...txt`) end to end through decode and
//! normalize, plus encoding equivalence and binary rejection.
//!
//! The seed is read from `SHINGLED_SEED` or from `../shared/seed/` next to
//! the crate; a missing seed fails loudly instead of skipping.

use shingled::decode::decode;
use shingled::model::{BlockKind, Parsed, Reason, Story};
use shingled::normalize::normalize;

fn seed_bytes() -> Vec<u8> {
    let path = std::env::var("SHINGLED_SEED").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/seed/000_5fd76cd318a97683.txt"
        )
        .to_owned()
    });
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("SEED FILE MISSING: cannot read {path}: {e}. Set SHINGLED_SEED to the seed file.")
    })
}

fn parse(bytes: &[u8]) -> Parsed {
    let d = decode(bytes).expect("seed decodes");
    normalize(&d.text).expect("seed normalizes")
}

fn of_kind(s: &Story, kind: BlockKind) -> Vec<&str> {
    s.blocks
        .iter()
        .filter(|b| b.kind == kind)
        .map(|b| b.text.as_str())
        .collect()
}

#[test]
fn seed_has_two_stories_with_expected_shape() {
    let p = parse(&seed_bytes());
    assert_eq!(p.stories.len(), 2, "stories: {:#?}", p.stories);
    let (one, two) = (&p.stories[0], &p.stories[1]);

    // Story 1: the headline once, as title block and Story.title.
    let title = one.title.as_deref().expect("story 1 title");
    assert!(
        title.starts_with("Belarus leader hosts US envoy"),
        "{title}"
    );
    assert!(!one.title_inferred);
    let titles = of_kind(one, BlockKind::Title);
    assert_eq!(titles, vec![title]);
    assert_eq!(
        one.published.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-12-12T21:55:00")
    );
    assert_eq!(
        one.updated.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-12-12T22:00:00")
    );
    assert_eq!(one.published.and_then(|t| t.offset_minutes), None);
    assert_eq!(of_kind(one, BlockKind::Timestamp).len(), 1);
    let paras = of_kind(one, BlockKind::Paragraph);
    assert_eq!(paras.len(), 14, "{paras:#?}");
    assert!(paras[0].starts_with("Authoritarian President"));
    assert!(paras[1].starts_with("Lukashenko met with"));
    assert!(paras[13].starts_with("There are still about"));
    assert_eq!(of_kind(one, BlockKind::Caption).len(), 1);
    assert!(one.dateline.is_none());

    // Story 2: no headline on the page, so an inferred one.
    assert!(two.title_inferred);
    let t2 = two.title.as_deref().expect("story 2 title");
    assert!(t2.starts_with("A senior Kremlin official"), "{t2}");
    assert!(t2.chars().count() <= 120, "{t2}");
    assert!(two.dateline.as_deref().is_some_and(|d| d.contains("KYIV")));
    let paras = of_kind(two, BlockKind::Paragraph);
    assert_eq!(paras.len(), 27, "{paras:#?}");
    assert!(paras[0].starts_with("KYIV, Ukraine (AP)"));
    assert!(paras[1].starts_with("Moscow will give"));
    assert!(paras[26].starts_with("Ukraine’s air force said"));
    let credits = of_kind(two, BlockKind::Credit);
    assert_eq!(credits.len(), 1, "{credits:?}");
    assert!(credits[0].contains("reported from"));
    assert_eq!(of_kind(two, BlockKind::Caption).len(), 1);
    assert!(two.published.is_none());
    assert!(of_kind(two, BlockKind::Title).is_empty());

    // Chrome is kept as boilerplate blocks and counted; repeats dropped.
    assert!(p.boilerplate >= 4, "boilerplate {}", p.boilerplate);
    let bp: usize = p
        .stories
        .iter()
        .map(|s| of_kind(s, BlockKind::Boilerplate).len())
        .sum();
    assert_eq!(bp, p.boilerplate);
    // Title x3 -> 2 dropped, "News" x3 -> 2, each caption x2 -> 1 each.
    assert_eq!(p.repeats_dropped, 6);
    for s in &p.stories {
        for b in s.blocks.iter().filter(|b| b.kind == BlockKind::Paragraph) {
            assert!(!b.text.contains("https://"), "{}", b.text);
        }
    }
}

#[test]
fn seed_blocks_carry_lines_keys_and_are_unique() {
    let bytes = seed_bytes();
    let p = parse(&bytes);
    let text = String::from_utf8(bytes).expect("seed is UTF-8");
    let lines: Vec<&str> = text.split('\n').collect();
    let mut keys = std::collections::HashSet::new();
    let mut last_line = 0;
    for b in p.stories.iter().flat_map(|s| &s.blocks) {
        assert!(b.line > last_line, "lines increase");
        last_line = b.line;
        let src = lines[b.line as usize - 1];
        assert_eq!(
            shingled::normalize::tidy(src),
            b.text,
            "block starts at its line"
        );
        assert_eq!(b.key, shingled::normalize::match_key(&b.text));
        assert!(keys.insert(b.key.clone()), "repeat kept: {}", b.text);
    }
}

/// A small page of our own, with curly quotes and a pound sign that
/// Windows-1252 can encode.
const OWN: &str = "Skip to content\n\nCouncil approves new harbour budget\n\nBy Jane Doe\n\nPORTSMOUTH, England (AP) — The council approved the harbour budget on Tuesday, raising spending to £4 million after a long debate.\n\n“It’s a fair settlement,” the council leader said after the vote, adding that work would start in the spring.\n\nCritics said the plan did not do enough for the fishing fleet, which has shrunk by half in a decade.\n\nJohn Roe reported from London.\n\nRead more\n";

fn cp1252(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '£' => 0xa3,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '—' => 0x97,
            c if c.is_ascii() => c as u8,
            c => panic!("not in the test table: {c}"),
        })
        .collect()
}

fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xfe, 0xff]
    } else {
        vec![0xff, 0xfe]
    };
    for u in s.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn every_encoding_and_line_ending_gives_the_same_parse() {
    let base = parse(OWN.as_bytes());
    assert_eq!(base.stories.len(), 1);
    let s = &base.stories[0];
    assert_eq!(
        s.title.as_deref(),
        Some("Council approves new harbour budget")
    );
    assert_eq!(s.byline.as_deref(), Some("By Jane Doe"));
    assert_eq!(of_kind(s, BlockKind::Paragraph).len(), 3);
    assert_eq!(of_kind(s, BlockKind::Credit).len(), 1);
    assert_eq!(base.boilerplate, 2);
    assert!(of_kind(s, BlockKind::Paragraph)[0].contains("£4 million"));

    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(OWN.as_bytes());
    let crlf = OWN.replace('\n', "\r\n");
    let cr = OWN.replace('\n', "\r");
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("utf-8 bom", bom),
        ("utf-16le", utf16(OWN, false)),
        ("utf-16be", utf16(OWN, true)),
        ("windows-1252", cp1252(OWN)),
        ("crlf", crlf.clone().into_bytes()),
        ("cr", cr.into_bytes()),
        ("utf-16le crlf", utf16(&crlf, false)),
        ("windows-1252 crlf", cp1252(&crlf)),
    ];
    for (name, bytes) in variants {
        assert_eq!(parse(&bytes), base, "{name}");
    }
    let d = decode(&cp1252(OWN)).expect("1252");
    assert_eq!(d.encoding, "windows-1252");
}

#[test]
fn seed_in_other_encodings_parses_identically() {
    let bytes = seed_bytes();
    let base = parse(&bytes);
    let text = String::from_utf8(bytes).expect("seed is UTF-8");
    let crlf = text.replace('\n', "\r\n");
    for (name, b) in [
        ("utf-16le", utf16(&text, false)),
        ("utf-16be", utf16(&crlf, true)),
        ("cr", text.replace('\n', "\r").into_bytes()),
    ] {
        assert_eq!(parse(&b), base, "{name}");
    }
}

#[test]
fn binary_empty_and_blank_inputs_are_rejected() {
    let reason = |b: &[u8]| decode(b).err().map(|r| (r.reason, r.stage));
    assert_eq!(
        reason(b"some text\x00with a NUL"),
        Some((Reason::Binary, "decode"))
    );
    assert_eq!(
        reason(b"\x1f\x8b\x08\x00\x00\x00"),
        Some((Reason::Binary, "decode"))
    );
    assert_eq!(
        reason(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
        Some((Reason::Binary, "decode"))
    );
    assert_eq!(
        reason(b"PK\x03\x04\x14\x00\x00\x00"),
        Some((Reason::Binary, "decode"))
    );
    assert_eq!(reason(b""), Some((Reason::Empty, "decode")));
    assert_eq!(
        reason(b"   \n\n\t \r\n"),
        Some((Reason::WhitespaceOnly, "decode"))
    );
}

#[test]
fn chrome_only_text_is_no_content() {
    for text in [
        "Home\nNews\nSport\n\nSkip to content\n\nSubscribe to our newsletter\n",
        "Advertisement\n",
        "Copyright 2025 Example News. All rights reserved.\n",
    ] {
        let e = normalize(text).expect_err(text);
        assert_eq!(
            (e.reason, e.stage),
            (Reason::NoContent, "normalize"),
            "{text}"
        );
    }
}
