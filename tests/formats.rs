//! File formats: HTML pages, JSON records and compressed files join the
//! same pipeline as text. Fixtures are written for these tests.

use crate::util::Env;
use serde_json::Value;
use shingled::formats::{self, Analysis, Format, Limits};
use shingled::model::{BlockKind, Reason};
use std::io::Write;

const TITLE: &str = "Harbour ferry service returns after winter storms";
const PARAS: [&str; 5] = [
    "PORTSMOUTH, England — The harbour ferry resumed its crossings on Tuesday after winter storms damaged both landing stages, the operator said.",
    "Crews rebuilt the pontoons in six weeks, working at low tide and through two further storms that delayed the delivery of steel.",
    "A ferry leaves the rebuilt landing stage on Tuesday morning.",
    "Commuters said the crossing saves them forty minutes each way compared with the road route around the harbour.",
    "The operator expects to carry about 3,000 passengers a day once the summer timetable begins in May.",
];

/// The story as a crawler saves the page: chrome, share bar, related
/// links, comments and footer around an `<article>`.
fn page() -> String {
    format!(
        r##"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{TITLE} | Harbour Courier</title>
<meta property="og:title" content="{TITLE}">
<meta property="og:site_name" content="Harbour Courier">
<link rel="canonical" href="https://courier.example/news/ferry-returns">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle",
 "headline":"{TITLE}","datePublished":"2025-03-04T08:15:00+00:00","dateModified":"2025-03-04T10:00:00+00:00",
 "author":{{"@type":"Person","name":"Test Writer"}},"publisher":{{"@type":"Organization","name":"Harbour Courier"}}}}</script>
<style>.x{{color:red}}</style></head>
<body><header class="site-header"><a href="/">Harbour Courier</a>
<nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav></header>
<main><article>
<h1>{TITLE}</h1>
<p class="byline">By <a rel="author" href="/staff/tw">Test Writer</a></p>
<time datetime="2025-03-04T08:15:00Z">4 March 2025</time>
<div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<div class="article-body">
<p>{p0}</p>
<p>{p1}</p>
<figure><img src="ferry.jpg" alt=""><figcaption>{p2}</figcaption></figure>
<div class="ad-slot">Advertisement</div>
<p>{p3}</p>
<p>{p4}</p>
</div>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/a">Bridge repairs run over budget</a></li><li><a href="/b">Storm closes the seafront road again</a></li></ul></aside>
</article>
<section id="comments"><h2>Comments (2)</h2><p>Great news for commuters, finally!</p><p>About time the council did something.</p></section>
</main>
<footer><p>© 2025 Harbour Courier. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"##,
        p0 = PARAS[0],
        p1 = PARAS[1],
        p2 = PARAS[2],
        p3 = PARAS[3],
        p4 = PARAS[4],
    )
}

fn text_version() -> String {
    format!("{TITLE}\n\nBy Test Writer\n\n{}\n", PARAS.join("\n\n"))
}

fn json_version() -> String {
    serde_json::json!({
        "headline": TITLE,
        "articleBody": PARAS.join("\n\n"),
        "url": "https://wire.example/ferry",
        "datePublished": "2025-03-04T08:15:00Z",
        "author": ["Test Writer"],
        "siteName": "Wire Example",
    })
    .to_string()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn body_keys(a: &Analysis) -> Vec<String> {
    a.parsed
        .stories
        .iter()
        .flat_map(|s| s.body())
        .map(|b| b.key.clone())
        .collect()
}

fn articles(o: &Value) -> &Vec<Value> {
    o["articles"].as_array().expect("articles array")
}

#[test]
fn the_same_story_as_html_json_and_text_has_the_same_body_keys() {
    let html = formats::analyze("ferry.html", page().as_bytes()).expect("html");
    let json = formats::analyze("ferry.json", json_version().as_bytes()).expect("json");
    let text = formats::analyze("ferry.txt", text_version().as_bytes()).expect("text");
    assert_eq!(html.format, Format::Html);
    assert_eq!(body_keys(&html), body_keys(&text), "HTML body = text body");
    assert_eq!(body_keys(&json), body_keys(&text), "JSON body = text body");
    let all: String = html
        .parsed
        .stories
        .iter()
        .flat_map(|s| &s.blocks)
        .map(|b| format!("{} ", b.text))
        .collect();
    for chrome in [
        "Related stories",
        "Great news",
        "All rights reserved",
        "Share on",
        "Sport",
    ] {
        assert!(!all.contains(chrome), "{chrome} leaked into {all}");
    }
}

#[test]
fn the_same_story_as_html_json_and_text_is_one_canonical_article() {
    let env = Env::new();
    let html = env.file("ferry.html", page());
    let json = env.file("ferry.json", json_version());
    let text = env.file("ferry.txt", text_version());
    let out = env.ingest(&[&html, &json, &text]);
    let first = &articles(&out[0])[0];
    assert_eq!(first["change"], "created", "{}", out[0]);
    for o in &out[1..] {
        assert_eq!(o["outcome"], "ingested", "{o}");
        let a = &articles(o)[0];
        assert_eq!(a["change"], "duplicate", "{o}");
        assert_eq!(
            a["id"], first["id"],
            "{} must be the first article",
            o["file"]
        );
    }
    assert_eq!(
        env.json_lines(&["export"]).len(),
        1,
        "one canonical article"
    );
}

#[test]
fn page_metadata_and_provenance() {
    let a = formats::analyze("ferry.html", page().as_bytes()).expect("html");
    let s = &a.parsed.stories[0];
    assert_eq!(s.title.as_deref(), Some(TITLE));
    assert!(!s.title_inferred);
    assert_eq!(
        s.published.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-03-04T08:15:00Z")
    );
    assert_eq!(
        s.updated.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-03-04T10:00:00Z")
    );
    assert!(
        s.byline
            .as_deref()
            .is_some_and(|b| b.contains("Test Writer")),
        "{:?}",
        s.byline
    );
    assert!(
        s.blocks
            .iter()
            .any(|b| b.kind == BlockKind::Caption && b.text == PARAS[2]),
        "{:?}",
        s.blocks
    );
    assert_eq!(a.provenance.len(), a.parsed.stories.len());
    assert_eq!(
        a.provenance[0].url.as_deref(),
        Some("https://courier.example/news/ferry-returns")
    );
    assert_eq!(a.provenance[0].site.as_deref(), Some("Harbour Courier"));
    let j = formats::analyze("ferry.json", json_version().as_bytes()).expect("json");
    assert_eq!(
        j.provenance[0].url.as_deref(),
        Some("https://wire.example/ferry")
    );
    assert_eq!(j.provenance[0].site.as_deref(), Some("Wire Example"));
    let t = formats::analyze("ferry.txt", text_version().as_bytes()).expect("text");
    assert_eq!(t.provenance[0], formats::Provenance::default());
}

#[test]
fn ndjson_lines_are_stories_and_compressed_files_are_read_by_inner_name() {
    let other = serde_json::json!({"title": "Second story", "text": "A different report about the tides, which ran higher than forecast on Sunday evening along the coast.\n\nThe coastguard said no one was hurt.", "url": "https://wire.example/tides"});
    let nd = format!("{}\n{}\n", json_version(), other);
    let a = formats::analyze("feed.ndjson", nd.as_bytes()).expect("ndjson");
    assert_eq!(a.parsed.stories.len(), 2);
    assert_eq!(
        a.provenance[1].url.as_deref(),
        Some("https://wire.example/tides")
    );
    let gz = formats::analyze("ferry.html.gz", &gzip(page().as_bytes())).expect("html.gz");
    assert_eq!(gz.format, Format::Html);
    let zst = zstd::stream::encode_all(json_version().as_bytes(), 3).expect("zstd");
    assert_eq!(
        formats::analyze("ferry.json.zst", &zst)
            .expect("json.zst")
            .format,
        Format::Json
    );
    let bare = formats::analyze("ferry.gz", &gzip(page().as_bytes())).expect("bare gz");
    assert_eq!(bare.format, Format::Html, "sniffed");
    assert_eq!(body_keys(&gz), body_keys(&bare));
}

#[test]
fn the_cap_is_injectable_and_enforced_without_inflating_everything() {
    let big = gzip(&vec![b'a'; 1 << 20]);
    let limits = Limits {
        max_uncompressed: 1000,
    };
    let r = formats::analyze_with("big.txt.gz", &big, &limits).expect_err("over cap");
    assert_eq!(r.reason, Reason::TooLargeUncompressed);
    assert_eq!(r.reason.as_str(), "too_large_uncompressed");
}

#[test]
fn broken_files_are_quarantined_with_reasons() {
    let env = Env::new();
    let page_gz = gzip(page().as_bytes());
    // A gzip bomb: 100 members of 1 MiB of zeros each, about 100 KB on disk,
    // 100 MiB inflated (over the 64 MiB cap).
    let member = gzip(&vec![0u8; 1 << 20]);
    let bomb: Vec<u8> = member
        .iter()
        .copied()
        .cycle()
        .take(member.len() * 100)
        .collect();
    assert!(bomb.len() < 200_000);
    let cases: [(&str, Vec<u8>, &str); 6] = [
        (
            "notes.html",
            b"just text, no markup << at all >>".to_vec(),
            "malformed",
        ),
        (
            "shape.json",
            br#"{"title": "x", "comments": []}"#.to_vec(),
            "unknown_shape",
        ),
        (
            "bad.json",
            br#"{"title": "x", "text": "#.to_vec(),
            "malformed",
        ),
        (
            "cut.html.gz",
            page_gz[..page_gz.len() / 2].to_vec(),
            "corrupt_compressed",
        ),
        ("bomb.txt.gz", bomb, "too_large_uncompressed"),
        (
            "chrome.html",
            b"<html><body><nav><a href=/>Home</a></nav></body></html>".to_vec(),
            "no_content",
        ),
    ];
    let paths: Vec<_> = cases.iter().map(|(n, b, _)| env.file(n, b)).collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let started = std::time::Instant::now();
    let out = env.ingest(&refs);
    assert!(
        started.elapsed().as_secs() < 60,
        "the bomb must not take long"
    );
    for ((name, _, reason), o) in cases.iter().zip(&out) {
        assert_eq!(o["file"], *name);
        assert_eq!(o["outcome"], "quarantined", "{o}");
        assert_eq!(o["reason"], *reason, "{o}");
    }
}
