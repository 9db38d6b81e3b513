//! What the near-duplicate tier keeps across runs: the index is rebuilt
//! from the store on start, decisions do not depend on restarts, the
//! parameters that shape stored data are checked, `reindex` rebuilds them,
//! and `explain` reads it all back.

use crate::dedup_text::*;
use crate::util::Env;
use serde_json::Value;

fn files(env: &Env, list: &[(&str, String)]) -> Vec<std::path::PathBuf> {
    list.iter().map(|(n, t)| env.file(n, t)).collect()
}

fn ingest(env: &Env, paths: &[std::path::PathBuf]) -> Vec<Value> {
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    env.ingest(&refs)
}

fn stories() -> Vec<(&'static str, String)> {
    let longer = format!("{P2} {P2_MORE}");
    let typo = P3.replace("newspapers", "newpsapers");
    let mut v = vec![
        ("v1.txt", page(TITLE, &[P1, P2, &typo, P4])),
        ("v2.txt", page(TITLE, &[P1, &longer, P3, P4, P5])),
        (
            "v1-late.txt",
            page(&TITLE.to_uppercase(), &[P1, P2, &typo, P4]),
        ),
    ];
    for (i, (t, ps)) in OTHERS.iter().enumerate().take(6) {
        let name: &'static str = ["o0.txt", "o1.txt", "o2.txt", "o3.txt", "o4.txt", "o5.txt"][i];
        v.push((
            name,
            page(
                t,
                &[
                    ps[0],
                    "Collect vouchers at any Quay Herald branch this week.",
                    ps[1],
                ],
            ),
        ));
    }
    v
}

/// The change log without the wall-clock fields.
fn log_without_clock(env: &Env) -> Vec<Value> {
    env.json_lines(&["log"])
        .into_iter()
        .map(|mut e| {
            e.as_object_mut().map(|o| o.remove("at"));
            e
        })
        .collect()
}

#[test]
fn a_restart_rebuilds_the_index_and_changes_no_decision() {
    let one = Env::new();
    let paths = files(&one, &stories());
    ingest(&one, &paths);
    let split = Env::new();
    let paths2 = files(&split, &stories());
    // one process per file: every start rebuilds the index from the store
    for p in &paths2 {
        ingest(&split, std::slice::from_ref(p));
    }
    let (a, b) = (log_without_clock(&one), log_without_clock(&split));
    assert_eq!(a.len(), 9);
    assert_eq!(
        a, b,
        "same files in the same order give the same change log"
    );
    assert_eq!(
        b[1]["kind"], "article.updated",
        "the extension was found after a restart"
    );
    assert_eq!(b[2]["kind"], "article.duplicate");
    let stats: Value = serde_json::from_str(&split.run_ok(&["stats"])).expect("stats");
    assert_eq!(
        stats["boilerplate_learned"], 1,
        "learned boilerplate survives restarts"
    );
}

#[test]
fn changed_index_parameters_are_refused_until_reindex() {
    let env = Env::new();
    let paths = files(&env, &stories());
    ingest(&env, &paths[..2]);
    // a second config for the same store, with another winnowing window
    let wider = Env::new();
    let text = std::fs::read_to_string(&env.config).expect("config") + "[dedup]\nwindow = 5\n";
    std::fs::write(&wider.config, text).expect("write config");
    let out = wider
        .command(&["ingest", &paths[2].display().to_string()])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shingled reindex") && err.contains("window=5"),
        "{err}"
    );
    let report: Value = serde_json::from_str(&wider.run_ok(&["reindex"])).expect("report");
    assert_eq!(report["blocks"], 7, "{report}");
    assert_eq!(report["payloads"], 7);
    assert_eq!(report["rederived_mismatches"], 0);
    let out = wider.ingest(&[&paths[2]]);
    assert_eq!(out[0]["articles"][0]["change"], "duplicate", "{}", out[0]);
}

#[test]
fn explain_says_why_an_article_holds_each_block() {
    let env = Env::new();
    let paths = files(&env, &stories());
    let out = ingest(&env, &paths[..3]);
    let id = art(&out[0])["id"].as_str().expect("id").to_string();
    let text = env.run_ok(&["explain", &id]);
    for want in [
        "version 2",
        "v1.txt",
        "v2.txt",
        "v1-late.txt",
        "duplicate",
        "extension of",
        "revision of",
        "first seen",
    ] {
        assert!(text.contains(want), "explain lacks {want:?}:\n{text}");
    }
    let x: Value = serde_json::from_str(&env.run_ok(&["explain", &id, "--json"])).expect("json");
    assert_eq!(x["sources"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        x["versions"][1]["diff"]["revised"].as_array().map(Vec::len),
        Some(2)
    );
    let longer = format!("{P2} {P2_MORE}");
    let b = x["blocks"]
        .as_array()
        .and_then(|bs| bs.iter().find(|b| b["id"] == bid(&longer).as_str()))
        .expect("the extended paragraph");
    assert_eq!(b["since_version"], 2);
    assert_eq!(b["entered"]["relation"], "extension");
    assert_eq!(b["entered"]["matched"], bid(P2).as_str());
    assert_eq!(b["first_file"], "v2.txt");
    let p1 = &x["blocks"][0];
    assert_eq!(p1["first_file"], "v1.txt");
    assert_eq!(
        p1["fed_by"],
        serde_json::json!(["v1.txt", "v2.txt", "v1-late.txt"])
    );
    let blk = env.run_ok(&["explain", &bid(P1)]);
    assert!(
        blk.contains("near-duplicate tier") && blk.contains("v1.txt"),
        "{blk}"
    );
}

#[test]
fn explain_on_a_store_held_by_a_daemon_asks_to_stop_it() {
    let env = Env::new();
    let paths = files(&env, &stories());
    let out = ingest(&env, &paths[..1]);
    let id = art(&out[0])["id"].as_str().expect("id").to_string();
    let held = shingled::store::Store::open(&env.path("store"), 8 << 20).expect("hold the store");
    for args in [vec!["explain", id.as_str()], vec!["reindex"]] {
        let out = env.command(&args).output().expect("run");
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("stop the daemon"), "{err}");
    }
    drop(held);
}
