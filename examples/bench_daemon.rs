//! Throughput and latency of `shingled run`, end to end (not a test).
//!
//! Starts the daemon on a temp folder, drops N files by rename-in at a
//! steady arrival rate, and follows the change log (`shingled log
//! --follow`, which sees an event only once its flush is done): reports
//! files/s and the rename-in-to-committed latency (p50/p99/max).
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example bench_daemon -- [--bin target/release/shingled] [--files 2000] [--rate 200]
//! ```
//! `--rate 0` drops as fast as possible. `--from DIR` drops the first
//! `--files` files of DIR (sorted by name, e.g. the peers' stream) instead
//! of generated articles.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Args {
    bin: PathBuf,
    files: usize,
    rate: f64,
    from: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        bin: PathBuf::from("target/release/shingled"),
        files: 2_000,
        rate: 200.0,
        from: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--bin" => a.bin = v.into(),
            "--files" => a.files = v.parse().expect("--files N"),
            "--rate" => a.rate = v.parse().expect("--rate R"),
            "--from" => a.from = Some(v.into()),
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
    "energy",
    "solar",
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
    "pilots",
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
    "buses",
    "software",
    "company",
    "investors",
    "profits",
    "announced",
    "reported",
    "said",
    "expected",
    "planned",
    "opened",
    "closed",
    "approved",
    "delayed",
    "increased",
    "reduced",
    "visited",
    "warned",
    "quickly",
    "finally",
    "yesterday",
    "today",
    "recently",
    "north",
    "south",
    "central",
    "local",
    "national",
    "regional",
    "public",
    "annual",
    "weekly",
];

fn article(i: usize) -> String {
    let mut st = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xA5A5;
    let mut word = || {
        st ^= st << 13;
        st ^= st >> 7;
        st ^= st << 17;
        WORDS[(st % WORDS.len() as u64) as usize]
    };
    let mut out = format!("Bench story {i} {} {}\n\n", word(), word());
    for _ in 0..3 {
        let p: Vec<&str> = (0..36).map(|_| word()).collect();
        out.push_str(&format!("The {}.\n\n", p.join(" ")));
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let a = args();
    let bin = std::fs::canonicalize(&a.bin).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (build it with cargo build --release)",
            a.bin.display()
        )
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let config = d.join("shingled.toml");
    std::fs::write(
        &config,
        format!(
            "[paths]\ndrop = \"{0}/drop\"\narchive = \"{0}/archive\"\nquarantine = \"{0}/quarantine\"\nstore = \"{0}/store\"\n[log]\nformat = \"json\"\nlevel = \"warn\"\n",
            d.display()
        ),
    )
    .expect("config");
    let staging = d.join("staging");
    std::fs::create_dir_all(&staging).expect("mkdir");
    let names: Vec<String> = match &a.from {
        Some(from) => {
            let mut files: Vec<PathBuf> = std::fs::read_dir(from)
                .expect("--from DIR")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            files.truncate(a.files);
            files
                .iter()
                .map(|f| {
                    let n = f.file_name().expect("name").to_string_lossy().into_owned();
                    std::fs::copy(f, staging.join(&n)).expect("stage");
                    n
                })
                .collect()
        }
        None => (0..a.files)
            .map(|i| {
                let n = format!("bench-{i:06}.txt");
                std::fs::write(staging.join(&n), article(i)).expect("stage");
                n
            })
            .collect(),
    };
    let a = Args {
        files: names.len(),
        ..a
    };
    let log = std::fs::File::create(d.join("daemon.log")).expect("log");
    let mut daemon = Command::new(&bin)
        .args(["run", "--config"])
        .arg(&config)
        .stderr(log)
        .spawn()
        .expect("start the daemon");
    let sock = d.join("store/shingled.sock");
    let t = Instant::now();
    while !sock.exists() {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the daemon did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let mut follow = Command::new(&bin)
        .args(["log", "--follow", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .spawn()
        .expect("log --follow");
    let (tx, rx) = mpsc::channel::<(String, Instant)>();
    let out = follow.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(out).lines() {
            let Ok(l) = l else { break };
            let now = Instant::now();
            let v: serde_json::Value = serde_json::from_str(&l).expect("event JSON");
            if let Some(f) = v["file"].as_str()
                && tx.send((f.to_string(), now)).is_err()
            {
                break;
            }
        }
    });
    let drop = d.join("drop");
    let mut renamed: HashMap<String, Instant> = HashMap::with_capacity(a.files);
    let start = Instant::now();
    for (i, n) in names.iter().enumerate() {
        if a.rate > 0.0 {
            let due = start + Duration::from_secs_f64(i as f64 / a.rate);
            if let Some(w) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(w);
            }
        }
        std::fs::rename(staging.join(n), drop.join(n)).expect("rename in");
        renamed.insert(n.clone(), Instant::now());
    }
    let dropped = start.elapsed();
    let mut lat = Vec::with_capacity(a.files);
    let mut last = start;
    while lat.len() < a.files {
        let (f, at) = rx
            .recv_timeout(Duration::from_secs(300))
            .expect("an event within 5 minutes");
        if let Some(r) = renamed.remove(&f) {
            lat.push(at.duration_since(r));
            last = at;
        }
    }
    let total = last.duration_since(start);
    lat.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let rate = if a.rate > 0.0 {
        format!("{}", a.rate)
    } else {
        "max".into()
    };
    println!(
        "files={} arrival_rate={rate}/s dropped_in={:.2}s committed_in={:.2}s throughput={:.0} files/s latency_ms p50={:.1} p99={:.1} max={:.1}",
        a.files,
        dropped.as_secs_f64(),
        total.as_secs_f64(),
        a.files as f64 / total.as_secs_f64(),
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.99)),
        ms(*lat.last().expect("latencies")),
    );
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(daemon.id().to_string())
        .status();
    let _ = daemon.wait();
    let _ = follow.wait();
    let _ = Path::new(d);
}
