//! Helpers for the daemon tests: a config for `shingled run`, the daemon
//! as a child process with its JSON log in a file, polling with timeouts,
//! and generated article texts.

#![allow(dead_code)]

use crate::util::{Env, bin};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Generous: CI is a loaded 2-core machine.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// Writes a daemon config for `env`: JSON logs, a short settle time, and
/// `over` as `("section.key", "toml value")` pairs on top.
pub fn write_config(env: &Env, over: &[(&str, &str)]) {
    let d = env.dir.path().display().to_string();
    let mut t: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        let (sec, key) = k.split_once('.').expect("section.key");
        let sec: &str = match sec {
            "paths" => "paths",
            "intake" => "intake",
            "commit" => "commit",
            "api" => "api",
            "log" => "log",
            "store" => "store",
            other => panic!("unknown section {other}"),
        };
        t.entry(sec).or_default().insert(key.to_string(), v);
    };
    for sub in ["drop", "archive", "quarantine", "store"] {
        set(&format!("paths.{sub}"), format!("\"{d}/{sub}\""));
    }
    set("intake.settle_ms", "300".into());
    set("log.format", "\"json\"".into());
    set("store.cache_capacity_mb", "16".into());
    for (k, v) in over {
        set(k, (*v).to_string());
    }
    let mut text = String::new();
    for (sec, kv) in &t {
        text.push_str(&format!("[{sec}]\n"));
        for (k, v) in kv {
            text.push_str(&format!("{k} = {v}\n"));
        }
    }
    std::fs::write(&env.config, text).expect("write config");
}

/// A temp environment with a daemon config.
pub fn daemon_env(over: &[(&str, &str)]) -> Env {
    let env = Env::new();
    write_config(&env, over);
    env
}

static STARTS: AtomicUsize = AtomicUsize::new(0);

/// A running `shingled run`; killed on drop if still alive.
pub struct Daemon {
    pub child: Child,
    pub log: PathBuf,
}

/// Starts the daemon and waits for its "ready" log line.
pub fn start(env: &Env, envs: &[(&str, &str)]) -> Daemon {
    let d = spawn(env, envs);
    d.wait_log("shingled is ready", START_TIMEOUT);
    d
}

/// Starts the daemon without waiting for it.
pub fn spawn(env: &Env, envs: &[(&str, &str)]) -> Daemon {
    let n = STARTS.fetch_add(1, Ordering::SeqCst);
    let log = env.path(&format!("daemon.{n}.log"));
    let err = std::fs::File::create(&log).expect("log file");
    let mut c = Command::new(bin());
    c.arg("run").arg("--config").arg(&env.config);
    for v in [
        "NOTIFY_SOCKET",
        "WATCHDOG_USEC",
        "WATCHDOG_PID",
        "JOURNAL_STREAM",
        "SHINGLED_FAILPOINT",
        "SHINGLED_FAILPOINT_SLEEP",
        "RUST_LOG",
    ] {
        c.env_remove(v);
    }
    c.envs(envs.iter().copied())
        .current_dir(env.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err);
    let child = c.spawn().expect("spawn shingled run");
    Daemon { child, log }
}

impl Daemon {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill");
        assert!(ok.success(), "kill -{sig} failed");
    }

    /// Waits for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let t = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().expect("try_wait") {
                return s;
            }
            assert!(
                t.elapsed() < timeout,
                "the daemon did not exit within {timeout:?}\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM and wait; asserts exit status 0.
    pub fn stop(mut self) {
        self.signal("TERM");
        let s = self.wait_exit(Duration::from_secs(60));
        assert!(s.success(), "exit status {s}\n{}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The JSON log lines (non-JSON lines, e.g. a failpoint notice, skipped).
    pub fn log_lines(&self) -> Vec<Value> {
        self.log_text()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The outcome lines.
    pub fn outcomes(&self) -> Vec<Value> {
        self.log_lines()
            .into_iter()
            .filter(|v| v["target"] == "shingled::outcome")
            .collect()
    }

    pub fn wait_log(&self, needle: &str, timeout: Duration) {
        let t = Instant::now();
        loop {
            let text = self.log_text();
            if text.contains(needle) {
                return;
            }
            assert!(
                t.elapsed() < timeout,
                "no `{needle}` in the daemon log within {timeout:?}:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Polls `f` until it holds; panics with `what` after `timeout`.
pub fn wait_until(timeout: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(
            t.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A store made the way users make one: starts a daemon, drops `n` unique
/// articles named `{prefix}{i}.txt` (texts of `seed`), waits until all are
/// archived and stops it.
pub fn ingested_by_daemon(env: &Env, prefix: &str, seed: u64, n: usize) {
    let d = start(env, &[]);
    for i in 0..n {
        drop_in(env, &format!("{prefix}{i}.txt"), article(seed, i));
    }
    wait_until(TIMEOUT, &format!("{n} files archived"), || {
        archived(env).len() == n
    });
    d.stop();
}

/// Writes `bytes` outside the drop folder, then renames it in (the safe
/// producer protocol).
pub fn drop_in(env: &Env, name: &str, bytes: impl AsRef<[u8]>) {
    let staged = env.file(name, bytes);
    std::fs::rename(&staged, env.path("drop").join(name)).expect("rename into drop");
}

/// Regular files (and links, FIFOs) under `dir`, recursively, by name.
pub fn names_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let ft = e.file_type().expect("file type");
        if ft.is_dir() {
            out.extend(names_under(&e.path()));
        } else {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

/// Files archived so far.
pub fn archived(env: &Env) -> Vec<String> {
    names_under(&env.path("archive"))
}

/// Files in quarantine (without the sidecars).
pub fn quarantined(env: &Env) -> Vec<String> {
    names_under(&env.path("quarantine"))
        .into_iter()
        .filter(|n| !n.ends_with(".error.json"))
        .collect()
}

/// The sidecar of a quarantined file, parsed.
pub fn sidecar(env: &Env, name: &str) -> Value {
    let p = env.path("quarantine").join(format!("{name}.error.json"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).expect("sidecar JSON")
}

/// Where the path of an archived file is.
pub fn archived_path(env: &Env, name: &str) -> PathBuf {
    fn find(dir: &Path, name: &str) -> Option<PathBuf> {
        for e in std::fs::read_dir(dir).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                if let Some(f) = find(&p, name) {
                    return Some(f);
                }
            } else if e.file_name() == name {
                return Some(p);
            }
        }
        None
    }
    find(&env.path("archive"), name).unwrap_or_else(|| panic!("{name} is not archived"))
}

const WORDS: &[&str] = &[
    "harbour",
    "council",
    "engineers",
    "bridge",
    "river",
    "market",
    "school",
    "teachers",
    "farmers",
    "weather",
    "storm",
    "election",
    "minister",
    "budget",
    "railway",
    "station",
    "museum",
    "festival",
    "hospital",
    "doctors",
    "nurses",
    "library",
    "village",
    "mountain",
    "valley",
    "factory",
    "workers",
    "union",
    "court",
    "judge",
    "police",
    "mayor",
    "residents",
    "students",
    "science",
    "researchers",
    "energy",
    "solar",
    "wind",
    "water",
    "drought",
    "harvest",
    "coffee",
    "tea",
    "orchestra",
    "concert",
    "theatre",
    "actors",
    "football",
    "league",
    "coach",
    "stadium",
    "airport",
    "pilots",
    "tourists",
    "hotel",
    "museum",
    "painting",
    "sculpture",
    "garden",
    "park",
    "forest",
    "lake",
    "island",
    "ferry",
    "ship",
    "port",
    "cargo",
    "trade",
    "prices",
    "bank",
    "loans",
    "housing",
    "rents",
    "tenants",
    "landlords",
    "roads",
    "traffic",
    "cyclists",
    "buses",
    "trams",
    "software",
    "company",
    "startup",
    "investors",
    "shares",
    "profits",
    "losses",
    "announced",
    "reported",
    "said",
    "expected",
    "planned",
    "opened",
    "closed",
    "repaired",
    "approved",
    "rejected",
    "delayed",
    "increased",
    "reduced",
    "visited",
    "welcomed",
    "warned",
    "quickly",
    "slowly",
    "finally",
    "again",
    "yesterday",
    "today",
    "recently",
    "earlier",
    "later",
    "north",
    "south",
    "eastern",
    "western",
    "central",
    "local",
    "national",
    "regional",
    "new",
    "old",
    "large",
    "small",
    "public",
    "private",
    "annual",
    "monthly",
    "weekly",
    "daily",
];

fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn sentence(state: &mut u64, words: usize) -> String {
    sentence_from(state, words, WORDS)
}

fn sentence_from(state: &mut u64, words: usize, list: &[&str]) -> String {
    let mut s = String::new();
    for i in 0..words {
        let w = list[(next(state) % list.len() as u64) as usize];
        if i == 0 {
            let mut c = w.chars();
            let first = c.next().expect("word").to_ascii_uppercase();
            s.push(first);
            s.extend(c);
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

/// A unique article text for `(seed, i)`: a title and three paragraphs of
/// random words, so no two share enough text to be near-duplicates.
pub fn article(seed: u64, i: usize) -> String {
    let mut st = seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
    let title = format!("{} number {i}", sentence(&mut st, 6).trim_end_matches('.'));
    let mut out = format!("{title}\n\n");
    for _ in 0..3 {
        let p: Vec<String> = (0..3).map(|_| sentence(&mut st, 12)).collect();
        out.push_str(&p.join(" "));
        out.push_str("\n\n");
    }
    out
}

/// `GET target` on the daemon's unix socket: (status, body).
pub fn api_get(socket: &Path, target: &str) -> (u16, String) {
    let mut s = UnixStream::connect(socket).expect("connect to the API socket");
    write!(
        s,
        "GET {target} HTTP/1.0\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut buf = String::new();
    s.read_to_string(&mut buf).expect("response");
    let status = buf
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    let body = buf
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// The change log as the CLI prints it (offline or through the daemon).
pub fn change_log(env: &Env) -> Vec<Value> {
    env.json_lines(&["log"])
}

/// Asserts the change log is gap-free from 1 and has no duplicate event
/// for the same file name and content (per story for article events).
pub fn assert_log_sound(log: &[Value]) {
    let mut seen = std::collections::HashSet::new();
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e["seq"].as_u64(), Some(i as u64 + 1), "gap at {i}: {e}");
        let key = (
            e["kind"]
                .as_str()
                .unwrap_or("")
                .split('.')
                .next()
                .unwrap_or("")
                .to_string(),
            e["file"].to_string(),
            e["blake3"].to_string(),
            e["story"].to_string(),
        );
        assert!(seen.insert(key), "duplicate event {e}");
    }
}

/// A wire story for `(seed, i)`: a dateline paragraph and two more, long
/// enough (over 60 words) that a second dateline after it starts a new
/// story on a page. Its words come from one of three disjoint slices of
/// the word list (`subject`), so that stories on different subjects share
/// few words, as real ones do (the splitter weighs topic overlap).
pub fn wire_story(seed: u64, i: usize, dateline: &str, subject: usize) -> String {
    let mut st = seed.wrapping_mul(7_000_003).wrapping_add(i as u64);
    let width = WORDS.len() / 3;
    let words = &WORDS[(subject % 3) * width..][..width];
    let mut out = format!("{dateline} — ");
    for p in 0..3 {
        let s: Vec<String> = (0..2).map(|_| sentence_from(&mut st, 14, words)).collect();
        out.push_str(&s.join(" "));
        out.push_str(if p == 2 { "\n" } else { "\n\n" });
    }
    out
}

/// A page holding one wire story under a headline.
pub fn one_story_page(seed: u64, i: usize) -> String {
    let mut st = seed.wrapping_mul(31).wrapping_add(i as u64);
    let title = sentence(&mut st, 7);
    format!(
        "{}\n\n{}",
        title.trim_end_matches('.'),
        wire_story(seed, i, "LONDON (AP)", 0)
    )
}

/// `one_story_page(seed, i)` with a second wire story on another subject
/// glued on after a credit line (a two-story page).
pub fn two_story_page(seed: u64, i: usize) -> String {
    format!(
        "{}\nJane Doe contributed to this report.\n\n{}",
        one_story_page(seed, i),
        wire_story(seed, i + 1_000, "PARIS (Reuters)", 2)
    )
}

/// `article(seed, i)` with one more paragraph: an update of it.
pub fn updated_article(seed: u64, i: usize) -> String {
    let mut st = seed.wrapping_mul(131).wrapping_add(i as u64);
    let p: Vec<String> = (0..3).map(|_| sentence(&mut st, 12)).collect();
    format!("{}{}\n", article(seed, i), p.join(" "))
}

/// The change log as JSON lines without the informational `at`.
pub fn log_without_times(env: &Env) -> Vec<Value> {
    change_log(env)
        .into_iter()
        .map(|mut e| {
            e.as_object_mut()
                .expect("an event is an object")
                .remove("at");
            e
        })
        .collect()
}

/// The export without the sources' `received` times.
pub fn export_without_times(env: &Env) -> Vec<Value> {
    let mut out = env.json_lines(&["export"]);
    for a in &mut out {
        if let Some(sources) = a["sources"].as_array_mut() {
            for s in sources {
                s.as_object_mut()
                    .expect("a source is an object")
                    .remove("received");
            }
        }
    }
    out
}

/// A file's ctime, as the kernel stamped it.
pub fn ctime_of(path: &Path) -> (i64, i64) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(path).expect("stat");
    (m.ctime(), m.ctime_nsec())
}

/// Waits until the kernel's file clock has moved past `t` (a ctime), so
/// the next rename gets a later ctime: files dropped this way arrive in a
/// defined order (the daemon orders by ctime; a tie would fall to inode
/// numbers). The clock is read the way the kernel stamps: by writing a
/// probe file beside drop/ and reading its ctime.
pub fn next_tick_after(env: &Env, t: (i64, i64)) {
    let probe = env.path("tick.probe");
    loop {
        std::fs::write(&probe, b"t").expect("write the clock probe");
        if ctime_of(&probe) > t {
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Renames files into drop/ in the given order, each in its own clock
/// tick; returns the last ctime.
pub fn drop_in_order(env: &Env, files: &[(String, Vec<u8>)], mut last: (i64, i64)) -> (i64, i64) {
    for (name, bytes) in files {
        let staged = env.file(name, bytes);
        next_tick_after(env, last);
        let to = env.path("drop").join(name);
        std::fs::rename(&staged, &to).expect("rename into drop");
        last = ctime_of(&to);
    }
    last
}
