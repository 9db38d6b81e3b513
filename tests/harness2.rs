//! The second quality harness (`scripts/harness2`, docs/HARNESS2.md) end to end on a tiny
//! workload: its generator, the real binary, its scorer. A smoke test of the harness, not a
//! quality gate (the figures are judged on the full workloads in docs/HARNESS2.md): the JSON
//! must carry every figure the spec names, each a share in [0, 1] or null when its class is
//! empty, and the figures that are guarantees of the project (the change log is sane, junk is
//! quarantined, the same files give the same log, the same bytes are `unchanged`) must be 1.

use crate::util;
use std::path::Path;
use std::process::Command;

const FIGURES: &[&str] = &[
    "cluster_precision",
    "cluster_recall",
    "cluster_f1",
    "two_story_split",
    "two_story_split_sep",
    "two_story_split_glued",
    "two_story_split_standalone_first",
    "two_story_split_standalone_after",
    "false_split",
    "false_split_internal_dateline",
    "title_exact",
    "title_exact_first_page_titleless",
    "block_precision",
    "paragraph_recall",
    "update_newest",
    "update_exact",
    "lookalikes_apart",
    "captions_once",
    "caption_recall",
    "quarantine_correct",
    "junk_quarantined",
    "good_not_quarantined",
    "changelog_sane",
    "deterministic",
    "byte_copies_unchanged",
    "stock_kept",
];

fn python(script: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new("python3")
        .arg(root.join("scripts/harness2").join(script))
        .args(args)
        .env("SHINGLED_CORPUS", util::corpus())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 must be installed to run the harness (README: tests)")
}

#[test]
fn harness2_on_a_tiny_workload_reports_every_figure() {
    tiny_workload("text");
}

#[test]
fn harness2_on_a_tiny_html_workload_reports_every_figure() {
    tiny_workload("html");
}

fn tiny_workload(format: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let json = dir.path().join("figures.json");
    let dumps = dir.path().join("failures.json");
    let bin = util::bin();
    let args: Vec<&std::ffi::OsStr> = vec![
        "--sites".as_ref(),
        "dev".as_ref(),
        "--seed".as_ref(),
        "3".as_ref(),
        "--stories".as_ref(),
        "24".as_ref(),
        "--bin".as_ref(),
        bin.as_os_str(),
        "--json".as_ref(),
        json.as_os_str(),
        "--dumps".as_ref(),
        dumps.as_os_str(),
        "--format".as_ref(),
        format.as_ref(),
    ];
    let out = python("run.py", &args);
    assert!(
        out.status.success(),
        "harness2 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("run.py wrote its JSON"))
            .expect("the figures are JSON");
    for f in FIGURES {
        let x = &v["figures"][f];
        assert!(
            x.is_null() || x.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x)),
            "figure {f} is {x}"
        );
    }
    for f in [
        "cluster_f1",
        "block_precision",
        "paragraph_recall",
        "title_exact",
    ] {
        assert!(
            v["figures"][f].is_f64(),
            "figure {f} must be measured: {}",
            v["figures"][f]
        );
    }
    for f in [
        "changelog_sane",
        "quarantine_correct",
        "deterministic",
        "byte_copies_unchanged",
    ] {
        assert_eq!(
            v["figures"][f].as_f64(),
            Some(1.0),
            "figure {f}: {}",
            v["figures"]
        );
    }
    assert!(
        v["workload"]["files"].as_u64().unwrap_or(0) > 40,
        "{}",
        v["workload"]
    );
    assert!(dumps.is_file(), "dev sites write failure dumps");
}

#[test]
fn harness2_scorer_selftest_passes() {
    let out = python("selftest.py", &[]);
    assert!(
        out.status.success(),
        "selftest failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
