//! Issue #18, items 5, 6 and 9, through the real binary: a closed pipe
//! ends a command quietly, `explain` takes the block ids it prints (also
//! through the daemon, with the offline message), and `log --follow`
//! says so when the daemon ends the stream.

use crate::daemon_util::{START_TIMEOUT, article, daemon_env, start, wait_until};
use crate::util::Env;
use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};
use std::time::Duration;

/// A store holding `n` generated articles, ingested offline.
fn store_with(n: usize) -> Env {
    let env = daemon_env(&[]);
    let files: Vec<_> = (0..n)
        .map(|i| env.file(&format!("a{i}.txt"), article(5, i)))
        .collect();
    let refs: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    assert_eq!(env.ingest(&refs).len(), n);
    env
}

/// Runs `args`, reads one line of stdout, closes the pipe, runs `after`,
/// waits.
fn head_1(env: &Env, args: &[&str], after: impl FnOnce()) -> (String, Output) {
    let mut child = env
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    let mut r = BufReader::new(child.stdout.take().expect("stdout"));
    r.read_line(&mut first).expect("first line");
    drop(r);
    after();
    // bounded: a command that never notices the closed pipe fails here
    let t = std::time::Instant::now();
    while child.try_wait().expect("try_wait").is_none() {
        if t.elapsed() > START_TIMEOUT {
            let _ = child.kill();
            panic!("`shingled {args:?} | head -1` did not end within {START_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("wait");
    (first, out)
}

fn assert_quiet_after_head(env: &Env, args: &[&str], after: impl FnOnce()) {
    let (first, out) = head_1(env, args, after);
    assert!(first.starts_with('{'), "{args:?}: first line {first}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.is_empty(),
        "`shingled {args:?} | head -1` must end quietly with 0: {} {err}",
        out.status
    );
}

#[test]
fn a_closed_pipe_ends_export_and_log_quietly() {
    // Enough output to outlast the 64 KiB pipe buffer twice over,
    // so the command is still writing when the reader goes away.
    let env = store_with(300);
    for cmd in ["export", "log"] {
        let all = env.run_ok(&[cmd]);
        assert!(all.len() > 128 * 1024, "{cmd}: {} bytes", all.len());
    }
    assert_quiet_after_head(&env, &["export"], || {});
    assert_quiet_after_head(&env, &["log"], || {});
    // Through the daemon's socket as well.
    let d = start(&env, &[]);
    assert_quiet_after_head(&env, &["export"], || {});
    assert_quiet_after_head(&env, &["log"], || {});
    // `--follow` notices at its next write, as `tail -f | head -1` does:
    // a new event makes one.
    assert_quiet_after_head(&env, &["log", "--follow"], || {
        crate::daemon_util::drop_in(&env, "one-more.txt", article(5, 1000));
    });
    d.stop();
}

/// The 12-digit block ids the text form of `explain ARTICLE` prints.
fn printed_block_ids(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let rest = l.trim_start().split_once("] ")?.1;
            let id = rest.split_whitespace().next()?;
            (id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_string())
        })
        .collect()
}

#[test]
fn explain_takes_the_block_ids_it_prints_offline_and_through_the_daemon() {
    let env = store_with(3);
    let heads = env.json_lines(&["export"]);
    let id = heads[0]["id"].as_str().expect("id").to_string();
    let full = heads[0]["blocks"][0]["id"]
        .as_str()
        .expect("block id")
        .to_string();
    let text = env.run_ok(&["explain", &id]);
    let short = printed_block_ids(&text);
    assert!(
        short.contains(&full[..12].to_string()),
        "{full} among {short:?} in\n{text}"
    );
    let offline: Vec<String> = [&full[..12], &format!("b:{}", &full[..12]), &full]
        .iter()
        .map(|q| {
            let out = env.run_ok(&["explain", q]);
            assert!(
                out.contains(&full),
                "explain {q} names block {full}:\n{out}"
            );
            out
        })
        .collect();
    assert!(offline.windows(2).all(|w| w[0] == w[1]), "{offline:?}");
    let unknown = "0123456789ab";
    let o = env
        .command(&["explain", unknown])
        .output()
        .expect("explain");
    let offline_err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        offline_err.contains("no article") && offline_err.contains(unknown),
        "{offline_err}"
    );

    let d = start(&env, &[]);
    let online = env.run_ok(&["explain", &full[..12]]);
    assert_eq!(online, offline[0], "through the daemon, the same text");
    let o = env
        .command(&["explain", unknown])
        .output()
        .expect("explain");
    let online_err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        online_err, offline_err,
        "through the daemon, the offline message"
    );
    d.stop();
}

#[test]
fn log_follow_says_when_the_daemon_ended_the_stream() {
    let env = store_with(3);
    let events = env.json_lines(&["log"]);
    let last = events.last().expect("events")["seq"].as_u64().expect("seq");
    let d = start(&env, &[]);
    let mut child = env
        .command(&["log", "--follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn log --follow");
    let mut r = BufReader::new(child.stdout.take().expect("stdout"));
    for _ in 0..events.len() {
        let mut l = String::new();
        r.read_line(&mut l).expect("a line");
        assert!(l.starts_with("{\"seq\":"), "{l}");
    }
    d.stop();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut r, &mut rest).expect("rest");
    assert_eq!(rest, "", "no more events");
    let mut status = None;
    wait_until(START_TIMEOUT, "log --follow to exit", || {
        status = child.try_wait().expect("try_wait");
        status.is_some()
    });
    let out = child.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.and_then(|s| s.code()), Some(75), "{err}");
    assert!(
        err.contains("daemon stopped") && err.contains(&format!("--since {last}")),
        "{err}"
    );
    std::thread::sleep(Duration::from_millis(10));
}
