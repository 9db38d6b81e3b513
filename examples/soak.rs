//! Soak test of `shingled run` (not a unit test: it runs for many minutes).
//!
//! Starts the daemon itself on a fresh folder, renames a steady stream of
//! small self-written articles into `drop/` (about 75% new stories, 15%
//! near-duplicates or updates of an earlier one, 5% exact copies under a
//! new name, 5% junk that must be quarantined), and samples once a minute
//! from outside the process: resident memory, open file descriptors
//! (`/proc/PID/fd`), store size on disk, and the latency from rename-in to
//! the file leaving `drop/` (it leaves only after its effects are durable
//! and it has been archived or quarantined). At the end it drains, stops
//! the daemon with SIGTERM, and counts every file sent in `archive/` or
//! `quarantine/`: the number lost must be 0.
//!
//! ```sh
//! cargo build --release --bin shingled --example soak
//! target/release/examples/soak --minutes 20 --rate 30 --dir /tmp/soak
//! ```
//! Prints a Markdown table (one row a minute) and a summary; writes the
//! same into `DIR/soak.md`. Exit status 1 when a file was lost or the
//! daemon died.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Args {
    bin: PathBuf,
    dir: PathBuf,
    minutes: u64,
    rate: f64,
}

fn args() -> Args {
    let mut a = Args {
        bin: PathBuf::from("target/release/shingled"),
        dir: std::env::temp_dir().join("shingled-soak"),
        minutes: 20,
        rate: 30.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--bin" => a.bin = v.into(),
            "--dir" => a.dir = v.into(),
            "--minutes" => a.minutes = v.parse().expect("--minutes N"),
            "--rate" => a.rate = v.parse().expect("--rate R"),
            _ => panic!("unknown option {k}"),
        }
    }
    a
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
    "orchestra",
    "concert",
    "theatre",
    "football",
    "league",
    "stadium",
    "airport",
    "tourists",
    "hotel",
    "garden",
    "forest",
    "island",
    "ferry",
    "cargo",
    "trade",
    "prices",
    "bank",
    "housing",
    "tenants",
    "roads",
    "traffic",
    "cyclists",
    "software",
    "company",
    "investors",
    "shares",
    "announced",
    "reported",
    "said",
    "expected",
    "planned",
    "opened",
    "closed",
    "approved",
    "rejected",
    "delayed",
    "increased",
    "reduced",
    "warned",
    "quickly",
    "finally",
    "yesterday",
    "recently",
    "north",
    "south",
    "central",
    "local",
    "national",
    "new",
    "old",
    "large",
    "small",
    "public",
    "private",
    "annual",
    "weekly",
];

/// splitmix64: a fixed, seedable generator (no crate needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn sentence(&mut self, words: usize) -> String {
        let mut s = String::new();
        for i in 0..words {
            let w = WORDS[self.below(WORDS.len())];
            if i == 0 {
                s.push_str(&w[..1].to_ascii_uppercase());
                s.push_str(&w[1..]);
            } else {
                s.push(' ');
                s.push_str(w);
            }
        }
        if self.below(4) == 0 {
            let _ = write!(s, " {}", self.below(10_000));
        }
        s.push('.');
        s
    }

    fn article(&mut self, i: usize) -> String {
        let mut out = format!("{} report {i}\n\nBy Soak Desk\n\n", self.sentence(6));
        for _ in 0..(3 + self.below(4)) {
            let n = 2 + self.below(3);
            let p: Vec<String> = (0..n)
                .map(|_| {
                    let words = 10 + self.below(8);
                    self.sentence(words)
                })
                .collect();
            out.push_str(&p.join(" "));
            out.push_str("\n\n");
        }
        out
    }
}

/// What a file is meant to become.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    New,
    NearDup,
    Copy,
    Junk,
}

fn next_file(rng: &mut Rng, i: usize, recent: &mut Vec<String>) -> (Kind, Vec<u8>) {
    let roll = rng.below(100);
    if roll < 5 {
        let junk: Vec<u8> = match rng.below(3) {
            0 => Vec::new(),
            1 => b"\x00\x01\x02binary\x00".to_vec(),
            _ => b"   \n\n  \t\n".to_vec(),
        };
        return (Kind::Junk, junk);
    }
    if roll < 10 && !recent.is_empty() {
        let t = recent[rng.below(recent.len())].clone();
        return (Kind::Copy, t.into_bytes());
    }
    if roll < 25 && !recent.is_empty() {
        let base = recent[rng.below(recent.len())].clone();
        let extra = rng.sentence(14);
        let t = if rng.below(2) == 0 {
            format!("{base}Update: {extra}\n")
        } else {
            base.replacen(" said", " told reporters", 1)
        };
        return (Kind::NearDup, t.into_bytes());
    }
    let t = rng.article(i);
    if recent.len() < 200 {
        recent.push(t.clone());
    } else {
        let k = rng.below(recent.len());
        recent[k] = t.clone();
    }
    (Kind::New, t.into_bytes())
}

fn write_config(dir: &Path) -> PathBuf {
    let d = dir.display();
    let text = format!(
        "[paths]\ndrop = \"{d}/drop\"\narchive = \"{d}/archive\"\nquarantine = \"{d}/quarantine\"\nstore = \"{d}/store\"\n\
         [intake]\nsettle_ms = 300\n[store]\ncache_capacity_mb = 64\n[log]\nformat = \"json\"\nsummary_interval_s = 60\n"
    );
    let p = dir.join("shingled.toml");
    std::fs::write(&p, text).expect("write config");
    p
}

fn status_kb(pid: u32, key: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

fn du(p: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(p) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => du(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn count_files(p: &Path, skip_suffix: &str) -> usize {
    let Ok(rd) = std::fs::read_dir(p) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => count_files(&e.path(), skip_suffix),
            _ if e.file_name().to_string_lossy().ends_with(skip_suffix) => 0,
            _ => 1,
        })
        .sum()
}

fn pct(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn alive(child: &mut Child) -> bool {
    matches!(child.try_wait(), Ok(None))
}

fn main() {
    let a = args();
    let _ = std::fs::remove_dir_all(&a.dir);
    for sub in ["drop", "archive", "quarantine", "staging"] {
        std::fs::create_dir_all(a.dir.join(sub)).expect("mkdir");
    }
    let config = write_config(&a.dir);
    let log = std::fs::File::create(a.dir.join("daemon.log")).expect("log");
    let mut child = Command::new(&a.bin)
        .arg("run")
        .arg("--config")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start the daemon");
    let pid = child.id();
    let t0 = Instant::now();
    while !std::fs::read_to_string(a.dir.join("daemon.log"))
        .unwrap_or_default()
        .contains("shingled is ready")
    {
        assert!(alive(&mut child), "the daemon exited during start-up");
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "the daemon did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let drop = a.dir.join("drop");
    let staging = a.dir.join("staging");
    let mut rng = Rng(0x5eed);
    let mut recent = Vec::new();
    let mut pending: HashMap<String, Instant> = HashMap::new();
    let mut minute_lat: Vec<u64> = Vec::new();
    let mut all_lat: Vec<u64> = Vec::new();
    let (mut sent, mut done, mut junk) = (0usize, 0usize, 0usize);
    let gap = Duration::from_secs_f64(1.0 / a.rate.max(0.1));
    let end = Instant::now() + Duration::from_secs(a.minutes * 60);
    let mut next_send = Instant::now();
    let mut next_sample = Instant::now() + Duration::from_secs(60);
    let mut table = String::from(
        "| minute | sent | done | backlog | RSS MiB | peak RSS MiB | fds | store MiB | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    print!("{table}");
    let mut minute = 0;
    let mut died = false;
    loop {
        let now = Instant::now();
        let sending = now < end;
        if !sending && pending.is_empty() {
            break;
        }
        if !sending && now > end + Duration::from_secs(300) {
            eprintln!(
                "{} files still pending 5 minutes after the end",
                pending.len()
            );
            break;
        }
        while sending && next_send <= now {
            let (kind, bytes) = next_file(&mut rng, sent, &mut recent);
            junk += usize::from(kind == Kind::Junk);
            let name = format!("soak-{sent:07}.txt");
            let staged = staging.join(&name);
            std::fs::write(&staged, &bytes).expect("stage");
            std::fs::rename(&staged, drop.join(&name)).expect("rename in");
            pending.insert(name, Instant::now());
            sent += 1;
            next_send += gap;
        }
        let gone: Vec<String> = pending
            .keys()
            .filter(|n| std::fs::symlink_metadata(drop.join(n)).is_err())
            .cloned()
            .collect();
        for n in gone {
            if let Some(t) = pending.remove(&n) {
                let ms = u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX);
                minute_lat.push(ms);
                all_lat.push(ms);
                done += 1;
            }
        }
        if !alive(&mut child) {
            eprintln!("the daemon died");
            died = true;
            break;
        }
        if now >= next_sample {
            minute += 1;
            next_sample += Duration::from_secs(60);
            minute_lat.sort_unstable();
            let row = format!(
                "| {minute} | {sent} | {done} | {} | {:.1} | {:.1} | {} | {:.1} | {} | {} | {} |\n",
                pending.len(),
                status_kb(pid, "VmRSS:") as f64 / 1024.0,
                status_kb(pid, "VmHWM:") as f64 / 1024.0,
                fds(pid),
                du(&a.dir.join("store")) as f64 / 1_048_576.0,
                pct(&minute_lat, 0.5),
                pct(&minute_lat, 0.99),
                minute_lat.last().copied().unwrap_or(0),
            );
            print!("{row}");
            table.push_str(&row);
            minute_lat.clear();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let (rss, hwm, fd) = (status_kb(pid, "VmRSS:"), status_kb(pid, "VmHWM:"), fds(pid));
    let stopped = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .is_ok_and(|s| s.success());
    let exit = child.wait().expect("wait for the daemon");
    let archived = count_files(&a.dir.join("archive"), "\u{0}");
    let quarantined = count_files(&a.dir.join("quarantine"), ".error.json");
    let left = count_files(&drop, "\u{0}");
    all_lat.sort_unstable();
    let lost = sent.saturating_sub(archived + quarantined);
    let summary = format!(
        "\nsent {sent} files in {} min at {} files/s ({junk} junk); archived {archived}, quarantined {quarantined}, left in drop {left}, lost {lost}\n\
         latency rename-in to moved out: p50 {} ms, p99 {} ms, max {} ms\n\
         at the end: RSS {:.1} MiB, peak {:.1} MiB, fds {fd}, store {:.1} MiB; SIGTERM sent: {stopped}; exit: {exit}\n",
        a.minutes,
        a.rate,
        pct(&all_lat, 0.5),
        pct(&all_lat, 0.99),
        all_lat.last().copied().unwrap_or(0),
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0,
        du(&a.dir.join("store")) as f64 / 1_048_576.0,
    );
    print!("{summary}");
    table.push_str(&summary);
    std::fs::write(a.dir.join("soak.md"), &table).expect("write soak.md");
    if died || lost > 0 || left > 0 || !exit.success() {
        std::process::exit(1);
    }
}
