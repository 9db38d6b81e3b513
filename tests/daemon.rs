//! `shingled run`: the real binary on temp folders. Arrival (rename-in,
//! temporary names, in-place writers, bursts), safety (links, FIFOs, big
//! and bad files), lifecycle (SIGTERM, SIGHUP, a second instance) and the
//! API with the CLI going through it.

use crate::daemon_util::*;
use crate::util::Env;
use serde_json::Value;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

fn drop_names(env: &Env) -> Vec<String> {
    names_under(&env.path("drop"))
}

#[test]
fn a_file_renamed_in_from_another_folder_is_ingested_and_archived() {
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    let text = article(1, 0);
    drop_in(&env, "story.txt", &text);
    wait_until(TIMEOUT, "story.txt archived", || {
        archived(&env) == ["story.txt"]
    });
    let path = archived_path(&env, "story.txt");
    let rel = path
        .strip_prefix(env.path("archive"))
        .expect("under archive");
    let parts: Vec<_> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(parts.len(), 4, "YYYY/MM/DD/name: {rel:?}");
    assert!(parts[0].len() == 4 && parts[1].len() == 2 && parts[2].len() == 2);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    assert!(drop_names(&env).is_empty());
    wait_until(TIMEOUT, "the outcome line", || !d.outcomes().is_empty());
    let o = &d.outcomes()[0];
    assert_eq!(o["file"], "story.txt");
    assert_eq!(o["outcome"], "ingested");
    assert_eq!(o["seq"], 1);
    assert_eq!(o["version"], 1);
    assert!(o["article"].as_str().is_some_and(|a| a.len() == 16), "{o}");
    assert_eq!(o["bytes"], text.len());
    assert!(o["duration_ms"].is_u64(), "{o}");
    d.stop();
    let log = change_log(&env);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["kind"], "article.created");
    assert_eq!(env.json_lines(&["export"]).len(), 1);
}

#[test]
fn temporary_names_are_left_alone_until_renamed() {
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    let drop = env.path("drop");
    let temp = [
        "late.txt.part",
        ".hidden.txt",
        "x.tmp",
        "y.crdownload",
        "z.txt~",
        "#auto#",
    ];
    for (i, n) in temp.iter().enumerate() {
        std::fs::write(drop.join(n), article(2, i)).expect("write temp");
    }
    // A marker renamed in after them: once it is archived, intake has seen
    // the temporary names too.
    drop_in(&env, "marker.txt", article(2, 99));
    wait_until(TIMEOUT, "marker archived", || {
        archived(&env) == ["marker.txt"]
    });
    std::thread::sleep(Duration::from_millis(800));
    let mut left = drop_names(&env);
    left.sort();
    let mut want: Vec<String> = temp.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(left, want, "temporary names stay in drop/");
    assert!(quarantined(&env).is_empty());
    std::fs::rename(drop.join("late.txt.part"), drop.join("late.txt")).expect("rename");
    wait_until(TIMEOUT, "late.txt archived", || {
        archived(&env).contains(&"late.txt".to_string())
    });
    wait_until(TIMEOUT, "two outcome lines", || d.outcomes().len() >= 2);
    std::thread::sleep(Duration::from_millis(300));
    let outcomes = d.outcomes();
    let files: Vec<&str> = outcomes.iter().filter_map(|o| o["file"].as_str()).collect();
    assert_eq!(
        files,
        ["marker.txt", "late.txt"],
        "read once each, nothing else"
    );
    d.stop();
}

#[test]
fn an_in_place_slow_writer_is_taken_only_when_complete() {
    let env = daemon_env(&[("intake.settle_ms", "1500")]);
    let d = start(&env, &[]);
    let text = article(3, 0);
    let bytes = text.as_bytes();
    let path = env.path("drop").join("slow.txt");
    let mut f = std::fs::File::create(&path).expect("create in place");
    let chunks: Vec<&[u8]> = bytes.chunks(bytes.len() / 8 + 1).collect();
    for c in &chunks {
        f.write_all(c).expect("write");
        f.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            archived(&env).is_empty(),
            "taken before the writer finished"
        );
    }
    drop(f);
    let done = Instant::now();
    wait_until(TIMEOUT, "slow.txt archived", || {
        archived(&env) == ["slow.txt"]
    });
    assert!(
        done.elapsed() >= Duration::from_millis(1_000),
        "taken before it settled"
    );
    assert_eq!(
        std::fs::read(archived_path(&env, "slow.txt")).expect("read"),
        bytes
    );
    d.stop();
    let log = change_log(&env);
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["blake3"], blake3::hash(bytes).to_hex().as_str());
}

#[test]
fn ten_thousand_files_dropped_at_once_are_all_ingested() {
    const N: usize = 10_000;
    let env = daemon_env(&[
        ("intake.settle_ms", "200"),
        ("intake.rescan_interval_s", "5"),
    ]);
    let staging = env.path("staging");
    std::fs::create_dir_all(&staging).expect("mkdir");
    let names: Vec<String> = (0..N).map(|i| format!("burst-{i:05}.txt")).collect();
    for (i, n) in names.iter().enumerate() {
        std::fs::write(staging.join(n), format!("{}\n\nItem {i}.\n", article(4, i)))
            .expect("stage");
    }
    let d = start(&env, &[]);
    let t = Instant::now();
    for n in &names {
        std::fs::rename(staging.join(n), env.path("drop").join(n)).expect("rename in");
    }
    wait_until(
        Duration::from_secs(900),
        "all 10,000 files archived",
        || names_under(&env.path("archive")).len() == N,
    );
    eprintln!(
        "BURST: {N} files ingested in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    assert!(drop_names(&env).is_empty());
    assert!(quarantined(&env).is_empty());
    let stats: Value = serde_json::from_str(&env.run_ok(&["stats"])).expect("stats JSON");
    assert_eq!(stats["sources"], N, "{stats}");
    d.stop();
    let log = change_log(&env);
    assert_eq!(log.len(), N);
    assert_log_sound(&log);
}

#[test]
fn unsafe_and_bad_files_are_quarantined_with_their_reason() {
    let env = daemon_env(&[("intake.max_file_bytes", "4000")]);
    let d = start(&env, &[]);
    let drop = env.path("drop");
    let target = env.file("target.txt", article(5, 0));
    std::os::unix::fs::symlink(&target, drop.join("link.txt")).expect("symlink");
    let fifo = std::process::Command::new("mkfifo")
        .arg(drop.join("pipe.txt"))
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    let h = env.file("hard.txt", article(5, 1));
    std::fs::hard_link(&h, drop.join("hard.txt")).expect("hard link");
    std::fs::create_dir(drop.join("folder")).expect("mkdir");
    drop_in(&env, "big.txt", "word ".repeat(1_000));
    drop_in(
        &env,
        "binary.bin",
        [0u8, 159, 146, 150, 0, 1, 2, 3, 0, 0, 7, 8],
    );
    drop_in(&env, "empty.txt", "");
    drop_in(&env, "good.txt", article(5, 2));
    let want = [
        ("link.txt", "symlink"),
        ("pipe.txt", "not_regular_file"),
        ("hard.txt", "hardlink"),
        ("big.txt", "too_large"),
        ("binary.bin", "binary"),
        ("empty.txt", "empty"),
    ];
    wait_until(TIMEOUT, "every bad file quarantined", || {
        quarantined(&env).len() == want.len() && archived(&env) == ["good.txt"]
    });
    wait_until(TIMEOUT, "one outcome line per file", || {
        d.outcomes().len() == 7
    });
    let listing = names_under(&env.path("quarantine"));
    for (name, reason) in want {
        assert!(
            listing.contains(&format!("{name}.error.json")),
            "{listing:?}"
        );
        let s = sidecar(&env, name);
        assert_eq!(s["reason"], reason, "{name}: {s}");
        assert_eq!(s["file"], name);
        for k in ["message", "stage", "at", "blake3"] {
            assert!(s.get(k).is_some(), "{name}: no {k} in {s}");
        }
    }
    assert_eq!(sidecar(&env, "binary.bin")["stage"], "decode");
    assert!(sidecar(&env, "binary.bin")["blake3"].is_string());
    assert!(
        sidecar(&env, "big.txt")["blake3"].is_null(),
        "too large: never read"
    );
    // The link itself was moved, never followed: its target is untouched.
    let link = env.path("quarantine").join("link.txt");
    assert!(
        link.symlink_metadata()
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
    assert!(target.is_file());
    // The folder is left alone, and logged once.
    assert_eq!(drop_names(&env), Vec::<String>::new());
    assert!(drop.join("folder").is_dir());
    let logged = d
        .log_lines()
        .iter()
        .filter(|l| l["file"] == "folder")
        .count();
    assert_eq!(logged, 1, "{}", d.log_text());
    let reasons: Vec<Value> = d.outcomes().iter().map(|o| o["reason"].clone()).collect();
    assert_eq!(reasons.len(), 7, "one outcome line per file: {reasons:?}");
    d.stop();
}

#[test]
fn a_quarantined_file_dropped_again_after_a_fix_is_evaluated_afresh() {
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    drop_in(&env, "fixme.txt", "");
    wait_until(TIMEOUT, "quarantined", || {
        quarantined(&env) == ["fixme.txt"]
    });
    drop_in(&env, "fixme.txt", article(6, 0));
    wait_until(TIMEOUT, "archived after the fix", || {
        archived(&env) == ["fixme.txt"]
    });
    // The same bad bytes again under the same name: quarantined again,
    // without overwriting the first one.
    drop_in(&env, "fixme.txt", "");
    wait_until(TIMEOUT, "quarantined twice", || {
        quarantined(&env).len() == 2
    });
    d.stop();
    let kinds: Vec<Value> = change_log(&env).iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(kinds, ["file.quarantined", "article.created"]);
}

#[test]
fn sigterm_mid_burst_loses_nothing() {
    const N: usize = 1_500;
    let env = daemon_env(&[("commit.group_max_files", "16")]);
    let staging = env.path("staging");
    std::fs::create_dir_all(&staging).expect("mkdir");
    let names: Vec<String> = (0..N).map(|i| format!("t-{i:04}.txt")).collect();
    for (i, n) in names.iter().enumerate() {
        let body = if i % 100 == 7 {
            String::new()
        } else {
            article(7, i)
        };
        std::fs::write(staging.join(n), body).expect("stage");
    }
    let mut d = start(&env, &[]);
    for n in &names {
        std::fs::rename(staging.join(n), env.path("drop").join(n)).expect("rename in");
    }
    wait_until(TIMEOUT, "some files done", || archived(&env).len() >= 20);
    let t = Instant::now();
    d.signal("TERM");
    let s = d.wait_exit(Duration::from_secs(60));
    assert!(s.success(), "exit {s}\n{}", d.log_text());
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "stopped in {:?}",
        t.elapsed()
    );
    let (a, q, left) = (archived(&env), quarantined(&env), drop_names(&env));
    assert_eq!(
        a.len() + q.len() + left.len(),
        N,
        "every file is somewhere, once"
    );
    assert!(
        !left.is_empty(),
        "the stop came mid-burst (else this test proves little)"
    );
    let logged = change_log(&env).len();
    assert_eq!(logged, a.len() + q.len(), "every moved file is in the log");
    let d = start(&env, &[]);
    wait_until(TIMEOUT, "the rest processed after restart", || {
        drop_names(&env).is_empty() && archived(&env).len() + quarantined(&env).len() == N
    });
    d.stop();
    let log = change_log(&env);
    assert_eq!(log.len(), N);
    assert_log_sound(&log);
    assert_eq!(quarantined(&env).len(), 15);
}

#[test]
fn sighup_reloads_live_settings_and_reports_the_rest() {
    let env = daemon_env(&[("intake.max_file_bytes", "100000")]);
    let d = start(&env, &[]);
    let big = format!("{}{}", article(8, 0), article(8, 1));
    assert!(big.len() > 1_000);
    drop_in(&env, "before.txt", &big);
    wait_until(TIMEOUT, "before.txt archived", || {
        archived(&env) == ["before.txt"]
    });
    assert!(!d.log_text().contains("\"level\":\"DEBUG\""));
    write_config(
        &env,
        &[
            ("intake.max_file_bytes", "1000"),
            ("log.level", "\"debug\""),
            (
                "paths.drop",
                &format!("\"{}/elsewhere\"", env.dir.path().display()),
            ),
        ],
    );
    d.signal("HUP");
    d.wait_log("configuration reloaded", TIMEOUT);
    d.wait_log("need a restart", TIMEOUT);
    let warn = d
        .log_lines()
        .into_iter()
        .find(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m.contains("need a restart"))
        })
        .expect("warning line");
    assert!(
        warn["not_applied"].to_string().contains("paths.drop"),
        "{warn}"
    );
    drop_in(&env, "after.txt", format!("{big} again"));
    drop_in(&env, "temp.part", "x");
    wait_until(TIMEOUT, "after.txt quarantined as too large", || {
        quarantined(&env) == ["after.txt"]
    });
    assert_eq!(sidecar(&env, "after.txt")["reason"], "too_large");
    d.wait_log("\"level\":\"DEBUG\"", TIMEOUT);
    assert!(
        !env.path("elsewhere").exists(),
        "the drop folder did not move"
    );
    d.stop();
}

#[test]
fn a_bad_config_on_sighup_keeps_the_running_one() {
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    std::fs::write(&env.config, "[paths]\nnonsense = 1\n").expect("write");
    d.signal("HUP");
    d.wait_log("config reload failed", TIMEOUT);
    drop_in(&env, "still.txt", article(9, 0));
    wait_until(TIMEOUT, "still ingesting", || {
        archived(&env) == ["still.txt"]
    });
    d.stop();
}

#[test]
fn a_second_instance_is_refused_with_a_clear_message() {
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    let t = Instant::now();
    let out = env.command(&["run"]).output().expect("second run");
    assert!(!out.status.success());
    assert!(t.elapsed() < Duration::from_secs(30), "fails fast");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already running"), "{err}");
    assert!(err.contains(&format!("pid {}", d.pid())), "{err}");
    let sock = env.path("store").join("shingled.sock");
    assert_eq!(
        api_get(&sock, "/health").0,
        200,
        "the first one still serves"
    );
    d.stop();
}

#[test]
fn a_config_error_exits_78() {
    let env = daemon_env(&[]);
    std::fs::write(&env.config, "[paths]\ndrop = 1\n").expect("write");
    let out = env.command(&["run"]).output().expect("run");
    assert_eq!(out.status.code(), Some(78));
}

#[test]
fn the_api_answers_and_the_cli_goes_through_it_while_the_daemon_runs() {
    let env = daemon_env(&[("api.tcp", "\"127.0.0.1:0\"")]);
    let d = start(&env, &[]);
    for i in 0..3 {
        drop_in(&env, &format!("a{i}.txt"), article(10, i));
    }
    drop_in(&env, "bad.bin", [0u8, 0, 0, 1]);
    wait_until(TIMEOUT, "all done", || {
        archived(&env).len() == 3 && quarantined(&env).len() == 1
    });
    let sock = env.path("store").join("shingled.sock");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&sock).expect("socket").permissions(),
    );
    assert_eq!(mode & 0o777, 0o660, "restrictive socket permissions");
    let (code, health) = api_get(&sock, "/health");
    assert_eq!(code, 200, "{health}");
    let h: Value = serde_json::from_str(&health).expect("health JSON");
    assert_eq!(h["status"], "ok");
    // Outcomes are counted after the moves: poll for them.
    wait_until(TIMEOUT, "the outcome counters", || {
        let m = api_get(&sock, "/metrics").1;
        m.contains("reason=\"none\"} 3") && m.contains("reason=\"binary\"} 1")
    });
    let (code, metrics) = api_get(&sock, "/metrics");
    assert_eq!(code, 200);
    for m in [
        "shingled_files_total{outcome=\"ingested\",reason=\"none\"} 3",
        "shingled_files_total{outcome=\"quarantined\",reason=\"binary\"} 1",
        "shingled_backlog_files",
        "shingled_oldest_pending_age_seconds",
        "shingled_commit_seconds_bucket",
        "shingled_flush_seconds_bucket",
        "shingled_index_blocks",
        "shingled_rescans_total",
    ] {
        assert!(metrics.contains(m), "no {m} in\n{metrics}");
    }
    // The same over loopback TCP, at the address the daemon logged.
    let addr = d
        .log_lines()
        .into_iter()
        .find_map(|l| l["addr"].as_str().map(String::from))
        .expect("TCP address logged");
    let mut s = std::net::TcpStream::connect(&addr).expect("tcp");
    s.write_all(b"GET /health HTTP/1.0\r\n\r\n").expect("write");
    let mut r = String::new();
    std::io::Read::read_to_string(&mut s, &mut r).expect("read");
    assert!(
        r.starts_with("HTTP/1.0 200") || r.starts_with("HTTP/1.1 200"),
        "{r}"
    );
    assert_eq!(api_get(&sock, "/nothing").0, 404);
    assert_eq!(api_get(&sock, "/articles/0000000000000000").0, 404);
    // The CLI while the daemon holds the store.
    let online: Vec<String> = ["export", "log", "stats"]
        .iter()
        .map(|c| env.run_ok(&[c]))
        .collect();
    let id = env.json_lines(&["export"])[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let show = env.run_ok(&["show", &id]);
    let show_json = env.run_ok(&["show", &id, "--json"]);
    let explain = env.run_ok(&["explain", &id]);
    let explain_json = env.run_ok(&["explain", &id, "--json"]);
    assert!(explain.contains(&id), "{explain}");
    let block =
        serde_json::from_str::<Value>(&explain_json).expect("explain JSON")["blocks"][0]["id"]
            .as_str()
            .expect("a block id")
            .to_string();
    let explain_block = env.run_ok(&["explain", &block]);
    let unknown = env
        .command(&["explain", "ffffffffffffffff"])
        .output()
        .expect("explain");
    assert!(!unknown.status.success());
    let log_since = env.run_ok(&["log", "--since", "2"]);
    let missing = env
        .command(&["show", "ffffffffffffffff"])
        .output()
        .expect("show");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no article with id"));
    d.stop();
    let offline: Vec<String> = ["export", "log", "stats"]
        .iter()
        .map(|c| env.run_ok(&[c]))
        .collect();
    assert_eq!(online[0], offline[0], "export");
    assert_eq!(online[1], offline[1], "log");
    let strip = |s: &str| {
        let mut v: Value = serde_json::from_str(s).expect("stats");
        v["store_bytes"] = Value::Null;
        v
    };
    assert_eq!(strip(&online[2]), strip(&offline[2]), "stats");
    assert_eq!(show, env.run_ok(&["show", &id]));
    assert_eq!(show_json, env.run_ok(&["show", &id, "--json"]));
    assert_eq!(log_since, env.run_ok(&["log", "--since", "2"]));
    assert_eq!(explain, env.run_ok(&["explain", &id]), "explain");
    assert_eq!(explain_json, env.run_ok(&["explain", &id, "--json"]));
    assert_eq!(explain_block, env.run_ok(&["explain", &block]));
}

#[test]
fn log_follow_streams_new_events_and_never_blocks_shutdown() {
    let env = daemon_env(&[]);
    let mut d = start(&env, &[]);
    drop_in(&env, "first.txt", article(11, 0));
    wait_until(TIMEOUT, "first archived", || archived(&env).len() == 1);
    let mut follow = env
        .command(&["log", "--follow"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("log --follow");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let out = follow.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(out).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let recv = |what: &str| {
        let l = rx
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|_| panic!("no line for {what}"));
        serde_json::from_str::<Value>(&l).expect("event JSON")
    };
    assert_eq!(recv("the existing event")["file"], "first.txt");
    drop_in(&env, "second.txt", article(11, 1));
    let e = recv("the new event");
    assert_eq!(
        (e["seq"].as_u64(), e["file"].as_str()),
        (Some(2), Some("second.txt"))
    );
    // An open stream must not hold up a graceful stop.
    d.signal("TERM");
    let s = d.wait_exit(Duration::from_secs(30));
    assert!(s.success(), "{s}\n{}", d.log_text());
    let t = Instant::now();
    loop {
        if follow.try_wait().expect("try_wait").is_some() {
            break;
        }
        assert!(
            t.elapsed() < TIMEOUT,
            "log --follow did not end with the daemon"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn log_follow_without_a_daemon_is_a_clear_error() {
    let env = daemon_env(&[]);
    let out = env.command(&["log", "--follow"]).output().expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no daemon is running"), "{err}");
}

/// The backlog found at start-up goes in arrival order (ctime), not by
/// mtime (which `touch -m`, `cp -p` or `rsync -t` set to anything) nor by
/// name (issue #19; this replaced the older "oldest mtime first" rule).
#[test]
fn the_backlog_is_taken_in_arrival_order_not_by_mtime_or_name() {
    let env = daemon_env(&[("intake.settle_ms", "0")]);
    let drop = env.path("drop");
    // In arrival order: name -> mtime (seconds since the epoch), neither
    // in arrival order.
    let plan = [
        ("d.txt", 4_000),
        ("b.txt", 1_000),
        ("e.txt", 3_000),
        ("a.txt", 2_000),
        ("c.txt", 5_000),
    ];
    let mut last = (0, 0);
    for (i, (name, secs)) in plan.iter().enumerate() {
        next_tick_after(&env, last);
        std::fs::write(drop.join(name), article(12, i)).expect("write");
        let ok = std::process::Command::new("touch")
            .arg("-m")
            .arg("-d")
            .arg(format!("@{secs}"))
            .arg(drop.join(name))
            .status()
            .expect("touch");
        assert!(ok.success());
        last = ctime_of(&drop.join(name));
    }
    let d = start(&env, &[]);
    wait_until(TIMEOUT, "all archived", || {
        archived(&env).len() == plan.len()
    });
    d.stop();
    let order: Vec<String> = change_log(&env)
        .iter()
        .map(|e| e["file"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(order, ["d.txt", "b.txt", "e.txt", "a.txt", "c.txt"]);
}

#[test]
fn a_replaced_drop_folder_is_watched_again() {
    let env = daemon_env(&[("intake.rescan_interval_s", "1")]);
    let d = start(&env, &[]);
    drop_in(&env, "one.txt", article(13, 0));
    wait_until(TIMEOUT, "one archived", || archived(&env).len() == 1);
    let drop = env.path("drop");
    std::fs::rename(&drop, env.path("drop.old")).expect("move the folder away");
    std::fs::create_dir(&drop).expect("a new drop folder");
    drop_in(&env, "two.txt", article(13, 1));
    wait_until(TIMEOUT, "two archived", || archived(&env).len() == 2);
    d.wait_log("re-arming the watch", TIMEOUT);
    // Events flow again from the new folder (not only rescans).
    drop_in(&env, "three.txt", article(13, 2));
    wait_until(TIMEOUT, "three archived", || archived(&env).len() == 3);
    d.stop();
}

#[test]
fn a_stale_socket_is_replaced_and_removed_at_exit() {
    let env = daemon_env(&[]);
    let sock = env.path("store").join("shingled.sock");
    std::fs::create_dir_all(env.path("store")).expect("mkdir");
    std::fs::write(&sock, b"stale").expect("stale socket");
    let d = start(&env, &[]);
    assert_eq!(api_get(&sock, "/health").0, 200);
    d.stop();
    assert!(!sock.exists(), "the socket is removed at exit");
}

#[test]
fn journald_output_falls_back_to_stderr_without_a_journal() {
    let env = daemon_env(&[("log.format", "\"journald\"")]);
    let d = start_text(&env);
    let text = d.log_text();
    if std::path::Path::new("/run/systemd/journal/socket").exists() {
        assert!(!text.contains("no journal socket"), "{text}");
    } else {
        assert!(text.contains("no journal socket"), "{text}");
        assert!(text.contains("shingled is ready"), "{text}");
    }
    d.stop();
}

/// Starts a daemon whose log is not JSON, waiting for the ready line.
fn start_text(env: &Env) -> Daemon {
    let d = spawn(env, &[]);
    let sock = env.path("store").join("shingled.sock");
    wait_until(START_TIMEOUT, "the API socket", || sock.exists());
    wait_until(TIMEOUT, "the health answer", || {
        std::panic::catch_unwind(|| api_get(&sock, "/health").0 == 200).unwrap_or(false)
    });
    d
}

/// The final `stopped` line reports the backlog left in the drop folder,
/// counted once the writer has finished the files in hand, not intake's
/// gauge from before SIGTERM (finding F5, fixed).
#[test]
fn the_stopped_line_reports_the_backlog_left_in_the_drop_folder() {
    const N: usize = 120;
    let env = daemon_env(&[]);
    let mut d = start(&env, &[]);
    for i in 0..N {
        drop_in(&env, &format!("s{i:03}.txt"), article(42, i));
    }
    wait_until(TIMEOUT, "a few files done", || archived(&env).len() >= 3);
    d.signal("TERM");
    let status = d.wait_exit(Duration::from_secs(60));
    assert!(status.success(), "{status}");
    let left = drop_names(&env).len();
    assert_eq!(archived(&env).len() + left, N, "nothing lost");
    let stopped = d
        .log_lines()
        .into_iter()
        .find(|l| l["message"] == "stopped")
        .unwrap_or_else(|| panic!("no stopped line:\n{}", d.log_text()));
    let line = stopped["status"].as_str().expect("status field");
    assert!(
        line.contains(&format!("; backlog {left}; ")),
        "{left} files are left in drop/: {line}"
    );
}

/// The daemon's readers prepare each file's blocks (ids, fingerprints)
/// before its writer decides; `ingest` does the same on its reader thread.
/// Either way the change log must be the one the same files in the same
/// order give (apart from times): created, updated (a paragraph grew),
/// duplicate (a copy under a new title), unchanged (the same bytes again).
#[test]
fn the_daemon_decides_exactly_as_ingest_does() {
    let base = article(11, 0);
    let mut paras: Vec<String> = base.split("\n\n").map(str::to_string).collect();
    paras[2].push_str(
        " The editors added this closing sentence an hour after the first version went out.",
    );
    let grown = paras.join("\n\n");
    paras[0] = "A new headline over the same story".into();
    let retitled = paras.join("\n\n");
    let files = [
        ("1-first.txt", base.clone()),
        ("2-grown.txt", grown),
        ("3-retitled.txt", retitled),
        ("4-again.txt", base),
        ("5-other.txt", article(11, 1)),
    ];

    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    for (i, (name, text)) in files.iter().enumerate() {
        drop_in(&env, name, text);
        wait_until(TIMEOUT, name, || archived(&env).len() == i + 1);
    }
    d.stop();
    let online = change_log(&env);

    let offline_env = daemon_env(&[]);
    let paths: Vec<String> = files
        .iter()
        .map(|(name, text)| offline_env.file(name, text).display().to_string())
        .collect();
    let mut args = vec!["ingest"];
    args.extend(paths.iter().map(String::as_str));
    offline_env.json_lines(&args);
    let offline = change_log(&offline_env);

    let strip = |log: &[Value]| -> Vec<Value> {
        log.iter()
            .map(|e| {
                let mut e = e.clone();
                if let Some(o) = e.as_object_mut() {
                    o.remove("at");
                    o.remove("received");
                }
                e
            })
            .collect()
    };
    let kinds: Vec<&str> = online.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "article.created",
            "article.updated",
            "article.duplicate",
            "file.unchanged",
            "article.created"
        ],
        "{online:#?}"
    );
    assert_eq!(strip(&online), strip(&offline));
}
