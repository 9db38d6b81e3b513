//! Randomized kill test (issue #19): files renamed into drop/ at about 200
//! per second in a fixed order (byte copies under new names, two-story
//! pages before and after the page they repeat, updates, near copies,
//! rejected files and their copies) while the daemon is killed with
//! SIGKILL at seeded random moments and restarted at once. Each kill
//! schedule is compared with a clean run of the same files in the same
//! order: no file lost, no duplicate event, the same change log apart from
//! `at`, the same export apart from `received`. Kills that landed between
//! a flush and the move out of drop/ are counted from the restarted
//! daemons' outcome lines (`events: 0`: a file decided before, replayed)
//! and must reach a minimum per schedule. That window is a few ms wide in
//! a normal build, so the killed daemons run with a pause at the
//! `after_flush` failpoint (`SHINGLED_FAILPOINT_SLEEP`, feature
//! `failpoints`): the kill moments stay random, but enough of them land in
//! the window for the minimum to be met every run, not by luck.

use crate::daemon_util::*;
use crate::util::Env;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const WORKLOAD_SEED: u64 = 0x5EED_0019;
const FILES: usize = 600;
const RATE_PER_S: u64 = 200;
const SCHEDULES: [u64; 5] = [11, 23, 37, 41, 59];
const KILLS: usize = 20;
/// Kills per schedule that must land between a flush and the move.
const MIN_REPLAY_KILLS: usize = 2;
/// The killed daemons' pause after each flush, before the moves out of
/// drop/: widens the window the kills must land in (a group takes tens
/// of ms, so this is a good part of each group's time).
const FLUSH_PAUSE: (&str, &str) = ("SHINGLED_FAILPOINT_SLEEP", "after_flush:30");

fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `text` without its last paragraph (a truncated copy).
fn truncated(text: &str) -> String {
    let paras: Vec<&str> = text.trim_end().split("\n\n").collect();
    format!("{}\n", paras[..paras.len() - 1].join("\n\n"))
}

/// The workload, in arrival order: (name, bytes). Names are random, so
/// they say nothing of the order.
fn workload() -> Vec<(String, Vec<u8>)> {
    let mut st = WORKLOAD_SEED;
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut deferred: BTreeMap<usize, Vec<Vec<u8>>> = BTreeMap::new();
    let (mut texts, mut bad, mut updated) = (Vec::new(), Vec::new(), Vec::new());
    let (mut articles, mut pages) = (0usize, 0usize);
    while out.len() < FILES {
        let i = out.len();
        let mut batch: Vec<(Vec<u8>, bool)> = deferred
            .remove(&i)
            .unwrap_or_default()
            .into_iter()
            .map(|b| (b, false))
            .collect();
        let r = next(&mut st) % 100;
        match r {
            0..40 => {
                batch.push((article(WORKLOAD_SEED, articles).into_bytes(), false));
                texts.push(articles);
                articles += 1;
            }
            40..52 if !out.is_empty() => {
                // a byte copy of an earlier file, under a new name
                let j = (next(&mut st) as usize) % out.len();
                let b = out[j].1.clone();
                let rejected = out[j].0.ends_with(".bin");
                batch.push((b, rejected));
            }
            52..62 => {
                // a one-story page and the two-story page that repeats it,
                // in either order, a few files apart
                let (one, two) = (
                    one_story_page(WORKLOAD_SEED, pages).into_bytes(),
                    two_story_page(WORKLOAD_SEED, pages).into_bytes(),
                );
                pages += 1;
                let (now, later) = if next(&mut st).is_multiple_of(2) {
                    (one, two)
                } else {
                    (two, one)
                };
                batch.push((now, false));
                let gap = 1 + (next(&mut st) as usize) % 8;
                deferred.entry(i + gap).or_default().push(later);
            }
            62..72 if !texts.is_empty() => {
                let k = texts[(next(&mut st) as usize) % texts.len()];
                if !updated.contains(&k) {
                    updated.push(k);
                }
                batch.push((updated_article(WORKLOAD_SEED, k).into_bytes(), false));
            }
            72..86 if !texts.is_empty() => {
                let k = texts[(next(&mut st) as usize) % texts.len()];
                batch.push((truncated(&article(WORKLOAD_SEED, k)).into_bytes(), false));
            }
            86..92 => {
                let n = bad.len() as u8;
                batch.push((vec![0, 1, 2, n, 0, 0, 9, n], true));
                bad.push(n);
            }
            _ => {
                batch.push((article(WORKLOAD_SEED, articles).into_bytes(), false));
                texts.push(articles);
                articles += 1;
            }
        }
        for (bytes, rejected) in batch {
            let ext = if rejected { "bin" } else { "txt" };
            let name = format!("{:012x}.{ext}", next(&mut st) >> 16);
            out.push((name, bytes));
        }
    }
    out.truncate(FILES);
    out
}

/// Feeds the workload into drop/ on a thread: each file in its own clock
/// tick, paced at `RATE_PER_S`. Returns the count fed so far and the
/// handle.
fn feed(
    env: &Env,
    files: Vec<(String, Vec<u8>)>,
) -> (Arc<AtomicUsize>, std::thread::JoinHandle<()>) {
    let staged: Vec<(std::path::PathBuf, String)> = files
        .iter()
        .map(|(n, b)| (env.file(n, b), n.clone()))
        .collect();
    let fed = Arc::new(AtomicUsize::new(0));
    let f = Arc::clone(&fed);
    let drop = env.path("drop");
    let probe_env = env.path("tick.probe");
    let h = std::thread::spawn(move || {
        let t0 = Instant::now();
        let mut last = (0, 0);
        for (i, (from, name)) in staged.iter().enumerate() {
            let due = t0 + Duration::from_micros(1_000_000 * i as u64 / RATE_PER_S);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            tick_past(&probe_env, last);
            let to = drop.join(name);
            std::fs::rename(from, &to).expect("rename into drop");
            last = ctime_of(&to);
            f.fetch_add(1, Ordering::SeqCst);
        }
    });
    (fed, h)
}

/// `next_tick_after` for a thread without the `Env`.
fn tick_past(probe: &std::path::Path, t: (i64, i64)) {
    loop {
        std::fs::write(probe, b"t").expect("write the clock probe");
        if ctime_of(probe) > t {
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn env() -> Env {
    daemon_env(&[
        ("intake.settle_ms", "300"),
        ("commit.group_max_files", "16"),
    ])
}

struct Run {
    log: Vec<Value>,
    export: Vec<Value>,
    archived: Vec<String>,
    quarantined: Vec<String>,
}

/// Waits until every file left drop/ and is in one place. A kill while a
/// sidecar is written leaves its temporary file (`.sidecar.PID.tmp`); the
/// next start removes it, so none may be counted at the end.
fn finish(env: &Env, d: Daemon, total: usize) -> Run {
    let t = Instant::now();
    while !(names_under(&env.path("drop")).is_empty()
        && archived(env).len() + quarantined(env).len() == total)
    {
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "drop/ not drained: {:?} left, {} placed of {total}\n{}",
            names_under(&env.path("drop")),
            archived(env).len() + quarantined(env).len(),
            d.log_text()
                .lines()
                .rev()
                .take(30)
                .collect::<Vec<_>>()
                .join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    d.stop();
    Run {
        log: log_without_times(env),
        export: export_without_times(env),
        archived: archived(env),
        quarantined: quarantined(env),
    }
}

fn clean(files: &[(String, Vec<u8>)]) -> Run {
    let env = env();
    let d = start(&env, &[]);
    let (_, h) = feed(&env, files.to_vec());
    h.join().expect("feeder");
    finish(&env, d, files.len())
}

/// One kill schedule: returns the run, the kills that landed between a
/// flush and the move (the next daemon replayed a file decided before),
/// the files replayed, and the kills that came while files were arriving.
fn killed(files: &[(String, Vec<u8>)], seed: u64) -> (Run, usize, usize, usize) {
    let env = env();
    let mut st = seed;
    let mut d = start(&env, &[FLUSH_PAUSE]);
    let (fed, h) = feed(&env, files.to_vec());
    let mut logs = Vec::new();
    let mut while_feeding = 0;
    for _ in 0..KILLS {
        // A random moment after the daemon is up: 20 to 260 ms.
        std::thread::sleep(Duration::from_millis(20 + next(&mut st) % 240));
        if fed.load(Ordering::SeqCst) < files.len() {
            while_feeding += 1;
        }
        let _ = d.child.kill();
        let _ = d.child.wait();
        logs.push(d.log.clone());
        d = start(&env, &[FLUSH_PAUSE]);
    }
    h.join().expect("feeder");
    logs.push(d.log.clone());
    let run = finish(&env, d, files.len());
    // Daemon n+1 replaying a file decided before: kill n came after a flush
    // and before that file left drop/.
    let replays: Vec<usize> = logs
        .iter()
        .skip(1)
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter(|v| v["target"] == "shingled::outcome" && v["events"] == 0)
                .count()
        })
        .collect();
    let kills = replays.iter().filter(|&&n| n > 0).count();
    (run, kills, replays.iter().sum(), while_feeding)
}

#[test]
fn seeded_kill_schedules_change_nothing() {
    let t = Instant::now();
    let files = workload();
    let want = clean(&files);
    assert_log_sound(&want.log);
    let kinds = |k: &str| want.log.iter().filter(|e| e["kind"] == k).count();
    println!(
        "KILL workload: {} files, clean run: {} events ({} created, {} updated, {} duplicate, \
         {} unchanged, {} quarantined), {} articles",
        files.len(),
        want.log.len(),
        kinds("article.created"),
        kinds("article.updated"),
        kinds("article.duplicate"),
        kinds("file.unchanged"),
        kinds("file.quarantined"),
        want.export.len()
    );
    for k in [
        "article.created",
        "article.updated",
        "article.duplicate",
        "file.unchanged",
        "file.quarantined",
    ] {
        assert!(kinds(k) > 0, "the workload has {k} events");
    }
    assert!(
        want.log.iter().any(|e| e["story"] == 1),
        "the workload has two-story pages"
    );
    let mut names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    names.sort();
    let mut placed = want.archived.clone();
    placed.extend(want.quarantined.iter().cloned());
    placed.sort();
    assert_eq!(placed, names, "the clean run placed every file once");
    for seed in SCHEDULES {
        let ts = Instant::now();
        let (got, kills, replayed, feeding) = killed(&files, seed);
        println!(
            "KILL schedule seed {seed}: {KILLS} kills ({feeding} while files arrived), {kills} \
             between flush and archive ({replayed} files replayed), {:.1} s",
            ts.elapsed().as_secs_f64()
        );
        assert!(
            feeding >= KILLS / 4,
            "seed {seed}: only {feeding} kills came while files were arriving"
        );
        let mut placed = got.archived.clone();
        placed.extend(got.quarantined.iter().cloned());
        placed.sort();
        assert_eq!(
            placed, names,
            "seed {seed}: every file archived or quarantined once"
        );
        assert_log_sound(&got.log);
        assert_eq!(got.log.len(), want.log.len(), "seed {seed}: events");
        for (i, (g, w)) in got.log.iter().zip(&want.log).enumerate() {
            assert_eq!(
                g,
                w,
                "seed {seed}: event {} differs from the clean run",
                i + 1
            );
        }
        assert_eq!(got.export, want.export, "seed {seed}: the export");
        assert_eq!(got.archived, want.archived, "seed {seed}: archive/");
        assert!(
            kills >= MIN_REPLAY_KILLS,
            "seed {seed}: only {kills} kills landed between flush and archive"
        );
    }
    println!("KILL total {:.1} s", t.elapsed().as_secs_f64());
    assert!(t.elapsed() < Duration::from_secs(300), "within 5 minutes");
}
