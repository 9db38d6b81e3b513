//! Issue #18, items 4, 7 and 8, through the real binary: a permission
//! problem is not reported as damage (run as an unprivileged uid, since
//! the tests run as root), `stats` and `check` count sources alike, and
//! the JSON log keeps lists as lists and names every article of a file.

use crate::daemon_util::{
    START_TIMEOUT, archived, article, daemon_env, drop_in, start, wait_until,
};
use crate::util::Env;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::process::Output;

/// The unprivileged uid and gid the permission tests run the CLI as.
const NOBODY: u32 = 65534;

fn chmod(p: &std::path::Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn as_nobody(env: &Env, args: &[&str]) -> Output {
    let mut c = env.command(args);
    // std drops the supplementary groups when it sets the uid as root
    c.uid(NOBODY).gid(NOBODY);
    c.output().expect("run shingled as nobody")
}

fn assert_permission_message(o: &Output, what: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(77), "{what}: {} {err}", o.status);
    assert!(
        err.contains("permission denied") && err.contains("group `shingled`"),
        "{what}: {err}"
    );
    for damage in ["damaged", "reingest", "shingled check"] {
        assert!(
            !err.contains(damage),
            "{what}: a permission problem reads as damage: {err}"
        );
    }
}

#[test]
fn a_user_without_access_is_told_about_permissions_not_damage() {
    let env = daemon_env(&[]);
    let f = env.file("a.txt", article(4, 0));
    env.ingest(&[f.as_path()]);
    // The config is readable by all; the store is root's alone.
    chmod(env.dir.path(), 0o755);
    chmod(&env.config, 0o644);
    chmod(&env.path("store"), 0o700);
    for cmd in ["stats", "export", "explain", "check"] {
        let args: Vec<&str> = if cmd == "explain" {
            vec![cmd, "0123456789abcdef"]
        } else {
            vec![cmd]
        };
        assert_permission_message(&as_nobody(&env, &args), cmd);
    }
    // The daemon runs (as root) and its socket is 0660: still permissions.
    chmod(&env.path("store"), 0o755);
    let d = start(&env, &[]);
    let o = as_nobody(&env, &["stats"]);
    assert_permission_message(&o, "stats while the daemon runs");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("socket"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    d.stop();
}

#[test]
fn stats_and_check_count_the_same_sources() {
    let env = daemon_env(&[]);
    let a = env.file("a.txt", article(7, 0));
    let b = env.file("b.txt", article(7, 1));
    let copy = env.file("copy-of-a.txt", article(7, 0));
    let junk = env.file("junk.txt", b"\x00\x01\x02binary");
    let out = env.ingest(&[&a, &b, &copy, &junk]);
    let outcomes: Vec<&str> = out
        .iter()
        .map(|o| o["outcome"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        outcomes,
        ["ingested", "ingested", "unchanged", "quarantined"]
    );
    let stats: serde_json::Value = serde_json::from_str(&env.run_ok(&["stats"])).expect("stats");
    let check: serde_json::Value = serde_json::from_str(&env.run_ok(&["check"])).expect("check");
    assert_eq!(check["ok"], true, "{check}");
    assert_eq!(stats["sources"], 2, "{stats}");
    assert_eq!(
        check["sources"], stats["sources"],
        "check {check}\nstats {stats}"
    );
}

#[test]
fn the_json_log_has_lists_as_arrays_and_every_article_of_a_file() {
    let env = daemon_env(&[("log.summary_interval_s", "60")]);
    let d = start(&env, &[]);
    drop_in(
        &env,
        "two-stories.txt",
        std::fs::read(crate::util::seed()).expect("seed"),
    );
    wait_until(START_TIMEOUT, "the file archived", || {
        archived(&env).len() == 1
    });
    // the outcome line is written just after the move
    wait_until(START_TIMEOUT, "the outcome line", || {
        d.outcomes().iter().any(|l| l["file"] == "two-stories.txt")
    });
    let line = d
        .outcomes()
        .into_iter()
        .find(|l| l["file"] == "two-stories.txt")
        .expect("outcome line");
    let exported: Vec<String> = env
        .json_lines(&["export"])
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(exported.len(), 2, "the seed holds two stories");
    let logged: Vec<String> = line["articles"]
        .as_array()
        .unwrap_or_else(|| panic!("articles is a JSON array: {line}"))
        .iter()
        .map(|a| a.as_str().expect("id").to_string())
        .collect();
    let mut sorted = logged.clone();
    sorted.sort();
    let mut want = exported.clone();
    want.sort();
    assert_eq!(sorted, want, "{line}");
    assert_eq!(
        line["article"],
        logged[0].as_str(),
        "`article` stays the first"
    );
    // A reload's lists are arrays too.
    let text = std::fs::read_to_string(&env.config).expect("config");
    std::fs::write(
        &env.config,
        text.replace("summary_interval_s = 60", "summary_interval_s = 61"),
    )
    .expect("rewrite config");
    d.signal("HUP");
    d.wait_log("configuration reloaded", START_TIMEOUT);
    let reload = d
        .log_lines()
        .into_iter()
        .find(|l| l["message"] == "configuration reloaded")
        .expect("reload line");
    assert_eq!(
        reload["applied"],
        serde_json::json!(["log.summary_interval_s"]),
        "{reload}"
    );
    d.stop();
}
