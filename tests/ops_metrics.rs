//! Issue #18, items 1 and 2, through the real daemon: what `/metrics`
//! says from the first scrape on, and the documented table and alert
//! rules (docs/OPERATIONS.md) checked against it and with promtool.

use crate::daemon_util::{
    START_TIMEOUT, api_get, archived, daemon_env, drop_in, start, wait_until,
};
use crate::util::Env;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

fn socket(env: &Env) -> PathBuf {
    env.path("store").join("shingled.sock")
}

fn scrape(env: &Env) -> String {
    let (status, body) = api_get(&socket(env), "/metrics");
    assert_eq!(status, 200, "{body}");
    body
}

/// The value of the series written exactly as `series` (name and labels).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

/// promtool on PATH, or a loud failure naming the setup script.
pub fn promtool() -> &'static str {
    let ok = Command::new("promtool")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "PROMTOOL IS MISSING: run scripts/test-setup.sh (the README test command does)"
    );
    "promtool"
}

fn operations_md() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/OPERATIONS.md");
    std::fs::read_to_string(p).expect("docs/OPERATIONS.md")
}

/// The metric names of the table in docs/OPERATIONS.md.
fn documented_metrics() -> Vec<(String, String)> {
    let doc = operations_md();
    let start = doc
        .find("<!-- metrics-table")
        .expect("metrics table marker");
    let end = doc
        .find("<!-- /metrics-table -->")
        .expect("metrics table end");
    doc[start..end]
        .lines()
        .filter_map(|l| {
            let mut cells = l.split('|').map(str::trim).skip(1);
            let name = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
            Some((name.to_string(), cells.next()?.to_string()))
        })
        .collect()
}

/// The metric families a scrape holds, by their `# TYPE` lines.
fn families(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let mut w = l.strip_prefix("# TYPE ")?.split_whitespace();
            Some((w.next()?.to_string(), w.next()?.to_string()))
        })
        .collect()
}

#[test]
fn every_documented_series_is_present_at_start_up() {
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    let text = scrape(&env);
    let documented: BTreeSet<(String, String)> = documented_metrics().into_iter().collect();
    assert!(documented.len() >= 15, "{documented:?}");
    assert_eq!(
        families(&text),
        documented,
        "docs/OPERATIONS.md's table and a first scrape disagree\n{text}"
    );
    // One series per label value, at zero, before any event.
    let zero = [
        r#"shingled_retries_total{stage="read"}"#,
        r#"shingled_retries_total{stage="flush"}"#,
        r#"shingled_retries_total{stage="archive"}"#,
        r#"shingled_files_total{outcome="ingested",reason="none"}"#,
        r#"shingled_files_total{outcome="unchanged",reason="none"}"#,
        r#"shingled_files_total{outcome="quarantined",reason="binary"}"#,
        r#"shingled_files_total{outcome="quarantined",reason="too_many_blocks"}"#,
        r#"shingled_skipped_names_total{rule="temporary"}"#,
        r#"shingled_rescans_total{cause="periodic"}"#,
        "shingled_watch_errors_total",
        "shingled_backlog_files",
        "shingled_oldest_pending_age_seconds",
        "shingled_changelog_durable_seq",
        "shingled_flush_seconds_count",
        "shingled_group_files_count",
    ];
    for s in zero {
        assert_eq!(
            value(&text, s),
            Some(0.0),
            "{s} should be 0 at start\n{text}"
        );
    }
    let version = env!("CARGO_PKG_VERSION");
    let info = text
        .lines()
        .find(|l| l.starts_with("shingled_build_info{"))
        .unwrap_or_else(|| panic!("no build info\n{text}"));
    assert!(
        info.contains(&format!(r#"version="{version}""#))
            && info.contains("schema=\"")
            && info.ends_with(" 1"),
        "{info}"
    );
    assert!(
        value(&text, "process_resident_memory_bytes").is_some_and(|v| v > 1e6),
        "{text}"
    );
    let start_time = value(&text, "process_start_time_seconds").expect("start time");
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    assert!(
        (now - start_time).abs() < 600.0,
        "start {start_time} vs now {now}"
    );
    // promtool's own linter accepts the exposition.
    let file = env.path("metrics.txt");
    std::fs::write(&file, &text).expect("write scrape");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{} check metrics < {}", promtool(), file.display()))
        .output()
        .expect("promtool");
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    d.stop();
}

#[test]
fn the_documented_alert_rules_pass_promtool_and_name_documented_metrics() {
    let doc = operations_md();
    let at = doc.find("<!-- alert-rules").expect("alert-rules marker");
    let block = &doc[at..];
    let start = block
        .find("```yaml\n")
        .expect("a yaml block after the marker")
        + 8;
    let len = block[start..].find("```").expect("end of the yaml block");
    let rules = &block[start..start + len];
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("shingled.rules.yml");
    std::fs::write(&file, rules).expect("write rules");
    let out = Command::new(promtool())
        .arg("check")
        .arg("rules")
        .arg(&file)
        .output()
        .expect("run promtool");
    assert!(
        out.status.success(),
        "promtool check rules failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let known: BTreeSet<String> = documented_metrics().into_iter().map(|(n, _)| n).collect();
    let used: BTreeSet<&str> = rules
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("shingled_"))
        .collect();
    assert!(used.len() >= 4, "{used:?}");
    for m in used {
        assert!(
            known.contains(m),
            "the alert rules use {m}, which the table does not document"
        );
    }
}

#[test]
fn the_oldest_pending_age_falls_to_zero_once_the_file_is_taken() {
    // No periodic rescan during the test: the gauge must follow intake
    // itself, not the next full scan.
    let env = daemon_env(&[
        ("intake.rescan_interval_s", "3600"),
        ("log.summary_interval_s", "1"),
    ]);
    let d = start(&env, &[]);
    // A producer that keeps the original mtime (cp -p): an hour old.
    let staged = env.file("kept-mtime.txt", crate::daemon_util::article(18, 1));
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&staged)
        .expect("open")
        .set_modified(hour_ago)
        .expect("set mtime");
    std::fs::rename(&staged, env.path("drop").join("kept-mtime.txt")).expect("rename in");
    wait_until(START_TIMEOUT, "the file archived", || {
        archived(&env).len() == 1
    });
    let mut last = String::new();
    let settled = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        last = scrape(&env);
        value(&last, "shingled_backlog_files") == Some(0.0)
            && value(&last, "shingled_oldest_pending_age_seconds") == Some(0.0)
    });
    assert!(
        settled,
        "backlog 0 must come with an oldest age of 0 within 10 s:\n{last}"
    );
    // The summary line says the same once the file is gone.
    wait_until(START_TIMEOUT, "a summary line after the file", || {
        summaries_after_outcome(&d)
            .iter()
            .any(|s| s["backlog"] == 0)
    });
    for s in summaries_after_outcome(&d) {
        if s["backlog"] == 0 {
            assert_eq!(s["oldest_pending_s"], 0, "{s}");
        }
    }
    drop_in(&env, "second.txt", crate::daemon_util::article(18, 2));
    wait_until(START_TIMEOUT, "the second file archived", || {
        archived(&env).len() == 2
    });
    d.stop();
}

fn summaries_after_outcome(d: &crate::daemon_util::Daemon) -> Vec<serde_json::Value> {
    let lines = d.log_lines();
    let Some(i) = lines
        .iter()
        .position(|l| l["target"] == "shingled::outcome")
    else {
        return Vec::new();
    };
    lines[i + 1..]
        .iter()
        .filter(|l| l["message"] == "summary")
        .cloned()
        .collect()
}
