//! The command line, with the real binary on real files and a real sled
//! store: `ingest`, `export`, `log`, `show`, `stats`, `normalize`.

use crate::util::{self, Env};
use serde_json::Value;

/// An article written for these tests (not corpus text).
const HARBOUR: &str = "Harbour bridge reopens after six months of repairs\n\n\
By Test Writer\n\n\
PORTSMOUTH, England (AP) — The old harbour bridge reopened to traffic on Monday after six months of repairs that cost the city more than it had planned.\n\n\
Engineers replaced the deck plates and repainted the steel arches, the council said in a statement on Monday morning.\n\n\
Local shop owners said the closure had cut their trade by a third during the busiest months of the year.\n\n\
The council expects the bridge to carry about 20,000 vehicles a day once the summer season begins.\n";

fn articles(o: &Value) -> &Vec<Value> {
    o["articles"].as_array().expect("articles array")
}

#[test]
fn a_file_dropped_twice_is_unchanged_and_makes_no_second_article() {
    let env = Env::new();
    let f = env.file("harbour.txt", HARBOUR);
    let out = env.ingest(&[&f, &f]);
    assert_eq!(out[0]["outcome"], "ingested");
    assert_eq!(articles(&out[0])[0]["change"], "created");
    assert_eq!(out[1]["outcome"], "unchanged");
    assert_eq!(articles(&out[1])[0]["id"], articles(&out[0])[0]["id"]);
    let export = env.json_lines(&["export"]);
    assert_eq!(export.len(), 1, "one canonical article");
    let log = env.json_lines(&["log"]);
    assert_eq!(log.len(), 1, "the same name and bytes add no second event");
}

#[test]
fn the_same_bytes_under_another_name_log_file_unchanged() {
    let env = Env::new();
    let a = env.file("a.txt", HARBOUR);
    let b = env.file("b.txt", HARBOUR);
    let out = env.ingest(&[&a, &b]);
    assert_eq!(out[1]["outcome"], "unchanged");
    let log = env.json_lines(&["log"]);
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["kind"], "file.unchanged");
    assert_eq!(log[1]["file"], "b.txt");
    assert_eq!(log[1]["article"], articles(&out[0])[0]["id"]);
    assert_eq!(log[1]["articles"][0], articles(&out[0])[0]["id"]);
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut v = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        let b = if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        };
        v.extend_from_slice(&b);
    }
    v
}

fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '—' => 0x97,
            '’' => 0x92,
            c if (c as u32) < 0x80 => c as u8,
            c => panic!("no cp1252 byte for {c:?} in this test"),
        })
        .collect()
}

#[test]
fn encodings_and_line_endings_yield_the_same_article() {
    let env = Env::new();
    let text = HARBOUR.replace("more than", "more than the mayor’s");
    let copies = [
        ("utf8.txt", text.clone().into_bytes()),
        (
            "bom.txt",
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        ),
        ("le.txt", utf16(&text, false)),
        ("be.txt", utf16(&text, true)),
        ("cp1252.txt", windows_1252(&text)),
        ("crlf.txt", text.replace('\n', "\r\n").into_bytes()),
        ("cr.txt", text.replace('\n', "\r").into_bytes()),
    ];
    let paths: Vec<_> = copies.iter().map(|(n, b)| env.file(n, b)).collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let out = env.ingest(&refs);
    let first = articles(&out[0])[0]["id"].clone();
    assert_eq!(articles(&out[0])[0]["change"], "created");
    for o in &out[1..] {
        assert_eq!(o["outcome"], "ingested", "{o}");
        let a = &articles(o)[0];
        assert_eq!(a["id"], first, "{} must be the same article", o["file"]);
        assert_eq!(a["change"], "duplicate", "{o}");
    }
    let export = env.json_lines(&["export"]);
    assert_eq!(export.len(), 1);
    assert_eq!(export[0]["sources"].as_array().map(Vec::len), Some(7));
    let text_blocks: Vec<&str> = export[0]["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .map(|b| b["text"].as_str().expect("text"))
        .collect();
    assert!(
        text_blocks.iter().any(|t| t.contains("mayor’s")),
        "{text_blocks:?}"
    );
}

#[test]
fn binary_empty_and_blank_files_are_rejected_with_reason_codes() {
    let env = Env::new();
    let cases: [(&str, &[u8], &str); 6] = [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n\t \r\n", "whitespace_only"),
        ("nul.txt", b"some text\0\0\0with nul bytes\0", "binary"),
        (
            "gz.txt",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
            "binary",
        ),
        ("doc.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary"),
        ("zip.txt", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "binary"),
    ];
    let paths: Vec<_> = cases.iter().map(|(n, b, _)| env.file(n, b)).collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let out = env.ingest(&refs);
    for ((name, _, reason), o) in cases.iter().zip(&out) {
        assert_eq!(o["file"], *name);
        assert_eq!(o["outcome"], "quarantined", "{o}");
        assert_eq!(o["reason"], *reason, "{o}");
        assert!(articles(o).is_empty());
    }
    let log = env.json_lines(&["log"]);
    assert_eq!(log.len(), cases.len());
    assert!(log.iter().all(|e| e["kind"] == "file.quarantined"));
    let stats: Value = serde_json::from_str(&env.run_ok(&["stats"])).expect("stats json");
    assert_eq!(stats["quarantined"], 6);
    assert_eq!(stats["articles"], 0);
}

#[test]
fn the_seed_becomes_two_articles_with_the_export_fields() {
    let env = Env::new();
    let seed = util::seed();
    let out = env.ingest(&[&seed]);
    assert_eq!(out[0]["outcome"], "ingested");
    assert_eq!(articles(&out[0]).len(), 2, "two stories, two articles");
    let export = env.json_lines(&["export"]);
    assert_eq!(export.len(), 2);
    for a in &export {
        for k in [
            "id",
            "version",
            "title",
            "title_inferred",
            "published",
            "updated",
            "dateline",
            "byline",
            "blocks",
            "sources",
        ] {
            assert!(a.get(k).is_some(), "export line lacks {k}: {a}");
        }
        assert_eq!(a["sources"][0]["file"], "000_5fd76cd318a97683.txt");
        for b in a["blocks"].as_array().expect("blocks") {
            let kind = b["kind"].as_str().expect("kind");
            assert!(["paragraph", "caption", "credit"].contains(&kind), "{kind}");
        }
    }
    let inferred: Vec<bool> = export
        .iter()
        .map(|a| a["title_inferred"].as_bool().expect("bool"))
        .collect();
    assert_eq!(inferred.iter().filter(|b| **b).count(), 1);
    let id = export[0]["id"].as_str().expect("id");
    let shown = env.run_ok(&["show", id]);
    assert!(shown.contains(id));
    let as_json = env.json_lines(&["show", id, "--json"]);
    assert_eq!(as_json[0], export[0]);
}

#[test]
fn the_change_log_is_gap_free_over_many_files_and_since_filters() {
    let env = Env::new();
    let mut paths = Vec::new();
    for i in 0..60 {
        let body = format!(
            "Story number {i} about the county fair\n\n\
             The county fair opened its gates on day {i} with {n} visitors counted by noon.\n\n\
             Organisers said the pumpkin contest drew entries from {m} farms this year.\n",
            n = 100 + i * 7,
            m = 3 + i
        );
        paths.push(env.file(&format!("f{i:03}.txt"), body));
        if i % 10 == 0 {
            paths.push(env.file(&format!("bad{i}.txt"), b""));
        }
    }
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    env.ingest(&refs);
    let log = env.json_lines(&["log"]);
    let seqs: Vec<u64> = log
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect();
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(seqs, expected, "gap-free from 1");
    assert_eq!(seqs.len(), 66);
    let tail = env.json_lines(&["log", "--since", "60"]);
    assert_eq!(tail.len(), 6);
    assert_eq!(tail[0]["seq"], 61);
}

#[test]
fn normalize_is_a_dry_run_that_prints_stories() {
    let env = Env::new();
    let f = env.file("harbour.txt", HARBOUR);
    let out = std::process::Command::new(util::bin())
        .arg("normalize")
        .arg(&f)
        .output()
        .expect("run");
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["stories"].as_array().map(Vec::len), Some(1));
    assert!(
        !env.path("store").exists(),
        "normalize must not touch the store"
    );
}

#[test]
fn a_bad_config_exits_78_and_names_the_key() {
    let env = Env::with_extra("[intake]\nmax_file_bytes = 0\n");
    let out = env.command(&["stats"]).output().expect("run");
    assert_eq!(out.status.code(), Some(78));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("intake.max_file_bytes"), "{err}");
    let env = Env::with_extra("[intake]\nmax_file_bites = 3\n");
    let out = env.command(&["check-config"]).output().expect("run");
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_file_bites"));
}

#[test]
fn export_carries_each_sources_url_and_site_when_known() {
    let env = Env::new();
    let paragraphs: String = HARBOUR
        .split("\n\n")
        .skip(1)
        .map(|p| format!("<p>{}</p>\n", p.trim()))
        .collect();
    let html = format!(
        "<!doctype html><html><head><title>Harbour bridge reopens after six months of repairs | Coast Post</title>\n\
         <link rel=\"canonical\" href=\"https://news.example.org/harbour-bridge\">\n\
         <meta property=\"og:site_name\" content=\"Coast Post\">\n\
         <meta property=\"og:title\" content=\"Harbour bridge reopens after six months of repairs\"></head>\n\
         <body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\n\
         <article><h1>Harbour bridge reopens after six months of repairs</h1>\n{paragraphs}</article>\n\
         <footer>All rights reserved</footer></body></html>\n"
    );
    let text = env.file("harbour.txt", HARBOUR);
    let page = env.file("harbour.html", html);
    let out = env.ingest(&[&text, &page]);
    assert_eq!(out[1]["outcome"], "ingested", "{}", out[1]);
    assert_eq!(
        articles(&out[1])[0]["id"],
        articles(&out[0])[0]["id"],
        "the HTML copy joins the text article: {}",
        out[1]
    );
    let export = env.json_lines(&["export"]);
    assert_eq!(export.len(), 1);
    let sources = export[0]["sources"].as_array().expect("sources");
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0]["file"], "harbour.txt");
    assert!(sources[0]["url"].is_null() && sources[0]["site"].is_null());
    assert_eq!(sources[1]["url"], "https://news.example.org/harbour-bridge");
    assert_eq!(sources[1]["site"], "Coast Post");
}

/// Start-up and open errors print their cause once: error types keep the
/// cause in `source()` and `main` prints the chain (finding F6, fixed).
#[test]
fn a_store_path_that_is_a_regular_file_shows_the_os_cause_once() {
    let env = Env::new();
    let store = env.path("store");
    std::fs::write(&store, b"not a folder").expect("write");
    let out = env.command(&["run"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("shingled: "))
        .unwrap_or_else(|| panic!("no error line: {err}"));
    assert!(line.contains(&store.display().to_string()), "{line}");
    assert_eq!(
        line.matches("(os error 17)").count(),
        1,
        "the OS cause (EEXIST) exactly once: {line}"
    );
    // A read command opens the store itself: one cause, and the way out.
    let out = env.command(&["stats"]).output().expect("stats");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.matches("(os error").count() <= 1, "{err}");
    assert!(err.contains("shingled reingest"), "{err}");
}
