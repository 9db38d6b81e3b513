//! Hostile input with bounded cost: each case goes through the real
//! binary (`ingest`, or the daemon for names and "never kills the
//! daemon") and must end as an article or a quarantine with a reason,
//! within a memory bound. Time and peak RSS are printed (`HOSTILE ...`
//! lines, see docs/RELIABILITY.md) but only memory and termination are
//! asserted: CI is a loaded 2-core machine. Inputs are generated streaming
//! into temp files, never held whole in the test's memory.

use crate::daemon_util::*;
use crate::util::{Env, bin};
use serde_json::Value;
use std::io::{BufWriter, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Every case must stay under this peak RSS (the machine has 24 GiB; the
/// measured peaks are in docs/RELIABILITY.md and far below).
const MAX_RSS_MIB: u64 = 2048;
/// A case that takes longer than this counts as a hang.
const HANG: Duration = Duration::from_secs(300);

/// Runs `shingled ingest` on one file and returns its outcome line, wall
/// time and peak RSS (GNU time's `%M` when /usr/bin/time exists, else
/// VmHWM sampled every 5 ms, a lower bound).
fn ingest_measured(env: &Env, case: &str, file: &Path) -> Value {
    let config = env.config.display().to_string();
    let (stdout, _) = measured(env, case, file, &["ingest", "--config", &config]);
    let v: Value = serde_json::from_str(stdout.lines().next().unwrap_or("")).unwrap_or_else(|e| {
        panic!(
            "{case}: no outcome line ({e}): {}",
            &stdout[..stdout.len().min(500)]
        )
    });
    eprintln!(
        "HOSTILE case={case} outcome={} reason={}",
        v["outcome"], v["reason"]
    );
    let outcome = v["outcome"].as_str().unwrap_or("");
    assert!(
        outcome == "ingested" || (outcome == "quarantined" && v["reason"].is_string()),
        "{case}: {v}"
    );
    v
}

/// Runs `shingled ARGS FILE`, asserts it exits 0 under [`MAX_RSS_MIB`],
/// prints and returns (stdout, peak RSS in MiB).
fn measured(env: &Env, case: &str, file: &Path, args: &[&str]) -> (String, u64) {
    let rss_file = env.path(&format!("{case}.rss"));
    let gnu_time = Path::new("/usr/bin/time").exists();
    let mut c = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(bin());
        c
    } else {
        Command::new(bin())
    };
    c.args(args).arg(file);
    // Files, not pipes: a large outcome line would fill a pipe nobody
    // reads while we wait.
    let out_path = env.path(&format!("{case}.out"));
    let err_path = env.path(&format!("{case}.err"));
    c.stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"));
    let t = Instant::now();
    let mut child = c.spawn().expect("spawn shingled ingest");
    let pid = child.id();
    let mut hwm_kib = 0u64;
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        if t.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{case}: no result within {HANG:?}");
        }
        hwm_kib = hwm_kib.max(vm_hwm_kib(pid));
        std::thread::sleep(Duration::from_millis(5));
    };
    let secs = t.elapsed().as_secs_f64();
    if gnu_time {
        let s = std::fs::read_to_string(&rss_file).unwrap_or_default();
        if let Some(k) = s.lines().last().and_then(|l| l.trim().parse::<u64>().ok()) {
            hwm_kib = k;
        }
    }
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    assert!(
        status.success(),
        "{case}: shingled ingest failed ({status}), it must end in an article or a quarantine\n{}",
        std::fs::read_to_string(&err_path).unwrap_or_default()
    );
    let size = std::fs::metadata(file).map_or(0, |m| m.len());
    let mib = hwm_kib / 1024;
    eprintln!(
        "HOSTILE case={case} command={} bytes={size} secs={secs:.2} peak_rss_mib={mib}",
        args[0]
    );
    assert!(
        mib < MAX_RSS_MIB,
        "{case}: peak RSS {mib} MiB is over {MAX_RSS_MIB} MiB"
    );
    (stdout, mib)
}

fn vm_hwm_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Writes a file by calling `fill` with a buffered writer.
fn generate(env: &Env, name: &str, fill: impl FnOnce(&mut dyn Write)) -> PathBuf {
    let dir = env.path("files");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let p = dir.join(name);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&p).expect("create"));
    fill(&mut w);
    w.flush().expect("flush");
    p
}

/// A word from a number, letters only (`n` in base 26), so every word is
/// distinct and none is a number token.
fn word(mut n: usize) -> String {
    let mut s = String::new();
    loop {
        s.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return s;
        }
    }
}

fn line_of_words(w: &mut dyn Write, bytes: usize) {
    let mut written = 0;
    let mut i = 0;
    while written < bytes {
        let s = word(i);
        w.write_all(s.as_bytes()).expect("write");
        w.write_all(b" ").expect("write");
        written += s.len() + 1;
        i += 1;
    }
    w.write_all(b"\n").expect("write");
}

const TWENTY_MB: usize = 20_000_000;

#[test]
fn a_20_mb_line_is_too_large_by_default() {
    let env = Env::new();
    let f = generate(&env, "line.txt", |w| line_of_words(w, TWENTY_MB));
    let v = ingest_measured(&env, "line_20mb_default_cap", &f);
    assert_eq!(v["reason"], "too_large", "{v}");
}

#[test]
fn a_20_mb_line_under_a_64_mib_cap_is_normalized_in_bounded_cost() {
    let env = Env::with_extra("[intake]\nmax_file_bytes = 67108864\n");
    let f = generate(&env, "line.txt", |w| {
        w.write_all(b"A very long line\n\n").expect("write");
        line_of_words(w, TWENTY_MB);
    });
    ingest_measured(&env, "line_20mb_cap_64mib", &f);
}

fn one_word_paragraphs(env: &Env, n: usize) -> PathBuf {
    generate(env, &format!("paragraphs-{n}.txt"), |w| {
        for i in 0..n {
            writeln!(w, "{}\n", word(i)).expect("write");
        }
    })
}

/// The normalizer alone (`shingled normalize`, no store) on a million
/// one-word paragraphs: linear, a few seconds and a few hundred MiB.
#[test]
fn a_million_one_word_paragraphs_normalize_in_bounded_cost() {
    let env = Env::new();
    let f = one_word_paragraphs(&env, 1_000_000);
    let (out, _) = measured(&env, "million_paragraphs_normalize", &f, &["normalize"]);
    assert!(
        out.contains("\"stories\""),
        "{}",
        &out[..out.len().min(300)]
    );
}

/// Asserts `v` is a `too_many_blocks` quarantine whose message names the
/// cap; returns the block count the message names.
fn too_many_blocks(v: &Value, cap: usize) -> usize {
    assert_eq!(v["outcome"], "quarantined", "{v}");
    assert_eq!(v["reason"], "too_many_blocks", "{v}");
    let m = v["message"].as_str().unwrap_or("");
    assert!(
        m.contains(&format!("is over the cap of {cap}")),
        "the message names the cap: {v}"
    );
    m.split_once(" blocks ")
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("the message names the count: {v}"))
}

const DEFAULT_BLOCK_CAP: usize = shingled::config::DEFAULT_MAX_BLOCKS_PER_FILE;

/// The largest file the default block cap lets through: every one-word
/// paragraph a block, all of them committed in one write set.
#[test]
fn one_word_paragraphs_up_to_the_block_cap_are_ingested() {
    let env = Env::new();
    let f = one_word_paragraphs(&env, DEFAULT_BLOCK_CAP);
    let v = ingest_measured(&env, "paragraphs_at_cap_ingest", &f);
    assert_eq!(v["outcome"], "ingested", "{v}");
}

/// 100,000 one-word paragraphs: over the block cap, quarantined before
/// commit (it used to be ingested at 519 MiB peak).
#[test]
fn a_hundred_thousand_one_word_paragraphs_through_ingest() {
    let env = Env::new();
    let f = one_word_paragraphs(&env, 100_000);
    let v = ingest_measured(&env, "paragraphs_100k_ingest", &f);
    assert_eq!(too_many_blocks(&v, DEFAULT_BLOCK_CAP), 100_000);
}

/// Finding F2 (docs/RELIABILITY.md): a million one-word paragraphs (6.5 MB,
/// under the 16 MiB size cap) were one sled batch of a million block
/// records, ~5 GiB peak RSS and a minute. The block cap
/// (`[intake] max_blocks_per_file`) refuses the file after normalization,
/// so the cost is the normalizer's.
#[test]
fn a_million_one_word_paragraphs_through_ingest() {
    let env = Env::new();
    let f = one_word_paragraphs(&env, 1_000_000);
    let v = ingest_measured(&env, "million_paragraphs_ingest", &f);
    assert_eq!(too_many_blocks(&v, DEFAULT_BLOCK_CAP), 1_000_000);
    assert!(
        env.json_lines(&["export"]).is_empty(),
        "nothing of the file reached the store"
    );
}

/// The worst case of the F2 shape under the default caps: as many one-word
/// paragraphs as fit in `max_file_bytes` (16 MiB, ~2.5 million). Refused
/// by the block cap; what remains is the normalizer's cost, linear in the
/// bytes.
#[test]
fn one_word_paragraphs_filling_the_size_cap_are_refused_at_the_normalizer_cost() {
    let env = Env::new();
    let cap = 16 * 1024 * 1024;
    let f = generate(&env, "paragraphs-16mib.txt", |w| {
        let mut written = 0;
        for i in 0.. {
            let p = format!("{}\n\n", word(i));
            if written + p.len() > cap {
                break;
            }
            w.write_all(p.as_bytes()).expect("write");
            written += p.len();
        }
    });
    let v = ingest_measured(&env, "paragraphs_16mib_ingest", &f);
    assert!(too_many_blocks(&v, DEFAULT_BLOCK_CAP) > 2_000_000, "{v}");
}

/// The cap counts every block of every story, after within-file repeats
/// are dropped: exactly at the cap passes, one over is refused.
#[test]
fn the_block_cap_counts_every_block_and_refuses_one_over() {
    let mut text = String::from("Ferry timetable changes\n\n");
    for i in 0..9 {
        text.push_str(&format!(
            "Sailing {} leaves the {} pier.\n\n",
            word(i),
            word(i + 40)
        ));
    }
    // A repeat within the file is dropped before counting.
    text.push_str(&format!(
        "Sailing {} leaves the {} pier.\n",
        word(0),
        word(40)
    ));
    let parsed = shingled::ingest::analyze_file("t.txt", text.as_bytes()).expect("parses");
    let n = parsed.block_count();
    assert!(n >= 10, "title and nine paragraphs: {n}");
    assert!(shingled::ingest::check_blocks(parsed.clone(), n).is_ok());
    let r = shingled::ingest::check_blocks(parsed, n - 1).expect_err("one over the cap");
    assert_eq!(r.reason.as_str(), "too_many_blocks");
    assert!(
        r.message.contains(&format!("{n} blocks")) && r.message.contains(&format!("{}", n - 1)),
        "{}",
        r.message
    );
    let input = shingled::ingest::input_capped("t.txt".into(), text.as_bytes(), n - 1);
    assert!(input.analysis.is_err(), "the capped input is a rejection");
    let input = shingled::ingest::input("t.txt".into(), text.as_bytes());
    assert!(input.analysis.is_ok(), "`input` (reingest) has no cap");
}

/// The daemon applies the configured cap too: the file is quarantined with
/// a sidecar naming the reason, a file under the cap next to it is archived.
#[test]
fn the_daemon_quarantines_a_file_over_the_block_cap() {
    let env = daemon_env(&[("intake.max_blocks_per_file", "6")]);
    let d = start(&env, &[]);
    let mut many = String::from("Many short notes\n\n");
    for i in 0..12 {
        many.push_str(&format!(
            "Note {} about the {} market.\n\n",
            word(i),
            word(i + 90)
        ));
    }
    drop_in(&env, "many.txt", &many);
    drop_in(&env, "fits.txt", article(79, 1));
    wait_until(TIMEOUT, "both files moved out of drop/", || {
        archived(&env).len() + quarantined(&env).len() == 2
    });
    assert_eq!(quarantined(&env), ["many.txt"]);
    assert_eq!(archived(&env), ["fits.txt"]);
    let s = sidecar(&env, "many.txt");
    assert_eq!(s["reason"], "too_many_blocks", "{s}");
    assert!(
        s["message"]
            .as_str()
            .is_some_and(|m| m.contains("cap of 6")),
        "{s}"
    );
    d.stop();
}

#[test]
fn one_paragraph_repeated_100_000_times_is_kept_once() {
    let env = Env::new();
    let para = "The harbour bridge reopened on Monday after six months of repairs, \
                the council said, and traffic returned to normal by noon.";
    let f = generate(&env, "repeated.txt", |w| {
        w.write_all(b"Bridge reopens\n\n").expect("write");
        for _ in 0..100_000 {
            writeln!(w, "{para}\n").expect("write");
        }
    });
    let v = ingest_measured(&env, "paragraph_repeated_100k", &f);
    assert_eq!(v["outcome"], "ingested", "{v}");
    let export = env.json_lines(&["export"]);
    let blocks = export[0]["blocks"].as_array().expect("blocks");
    assert_eq!(blocks.len(), 1, "the repeats are kept once: {blocks:?}");
}

fn nested_divs(env: &Env, n: usize) -> PathBuf {
    generate(env, &format!("nested-{n}.html"), |w| {
        w.write_all(b"<!doctype html><html><head><title>Deep page</title></head><body>")
            .expect("write");
        for _ in 0..n {
            w.write_all(b"<div>").expect("write");
        }
        w.write_all(
            b"<p>The harbour bridge reopened on Monday after six months of repairs, the council said.</p>",
        )
        .expect("write");
        for _ in 0..n {
            w.write_all(b"</div>").expect("write");
        }
        w.write_all(b"</body></html>").expect("write");
    })
}

/// 100,000 nested divs: refused before parsing (`malformed`, the HTML
/// reader caps the depth at `formats::html::MAX_DEPTH`), in milliseconds.
/// Before that cap, time was quadratic in the depth (137 s for this file,
/// in html5ever's scope checks and `formats::extract`; finding F1).
#[test]
fn html_with_100_000_nested_divs() {
    let env = Env::new();
    let f = nested_divs(&env, 100_000);
    ingest_measured(&env, "html_nested_divs_100k", &f);
}

/// An 8.6 MB page of 100,000 paragraphs: extracted and normalized, then
/// refused by the block cap (it used to be ingested at 1 GiB peak, F2).
#[test]
fn huge_html_with_100_000_paragraphs() {
    let env = Env::new();
    let f = generate(&env, "huge.html", |w| {
        w.write_all(b"<!doctype html><html><head><title>Huge page</title></head><body><article><h1>Huge page</h1>")
            .expect("write");
        for i in 0..100_000 {
            writeln!(
                w,
                "<p>Paragraph {} says the {} council met the {} engineers about the bridge.</p>",
                word(i),
                word(i * 7 + 3),
                word(i * 13 + 5)
            )
            .expect("write");
        }
        w.write_all(b"</article></body></html>").expect("write");
    });
    let v = ingest_measured(&env, "html_100k_paragraphs", &f);
    let blocks = too_many_blocks(&v, DEFAULT_BLOCK_CAP);
    assert!(blocks > 100_000, "a title and 100,000 paragraphs: {blocks}");
}

#[test]
fn invalid_utf8_in_the_middle_of_valid_text_is_repaired_not_lost() {
    let env = Env::new();
    let f = generate(&env, "mixed.txt", |w| {
        w.write_all(b"Council approves budget\n\n").expect("write");
        w.write_all(
            b"The council approved the budget on Tuesday after a long debate about roads.\n\n",
        )
        .expect("write");
        w.write_all(b"Residents said the caf\xe9 on the square \xff\xfe would stay open \x80 all winter.\n\n")
            .expect("write");
        w.write_all(
            b"The mayor thanked the engineers and the residents who came to the meeting.\n",
        )
        .expect("write");
    });
    let v = ingest_measured(&env, "invalid_utf8_middle", &f);
    assert_eq!(v["outcome"], "ingested", "{v}");
    let export = env.json_lines(&["export"]);
    let text: Vec<&str> = export[0]["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .filter_map(|b| b["text"].as_str())
        .collect();
    let all = text.join("\n");
    assert!(all.contains("would stay open"), "{all}");
    assert!(all.contains("The mayor thanked"), "{all}");
}

/// Streams `total` zero bytes through `enc` in 1 MiB chunks.
fn zeros(mut enc: impl Write, total: u64) {
    let chunk = vec![0u8; 1 << 20];
    let mut left = total;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        enc.write_all(&chunk[..n]).expect("compress");
        left -= n as u64;
    }
}

const ONE_GB: u64 = 1 << 30;

#[test]
fn a_gzip_bomb_of_1_gb_of_zeros_is_quarantined_unread_past_the_cap() {
    let env = Env::new();
    let f = generate(&env, "bomb.txt.gz", |w| {
        let mut enc = flate2::write::GzEncoder::new(w, flate2::Compression::fast());
        zeros(&mut enc, ONE_GB);
        enc.finish().expect("finish");
    });
    let v = ingest_measured(&env, "gzip_bomb_1gb", &f);
    assert_eq!(v["reason"], "too_large_uncompressed", "{v}");
}

#[test]
fn a_zstd_bomb_of_1_gb_of_zeros_is_quarantined_unread_past_the_cap() {
    let env = Env::new();
    let f = generate(&env, "bomb.html.zst", |w| {
        let mut enc = zstd::stream::write::Encoder::new(w, 1).expect("zstd");
        zeros(&mut enc, ONE_GB);
        enc.finish().expect("finish");
    });
    let v = ingest_measured(&env, "zstd_bomb_1gb", &f);
    assert_eq!(v["reason"], "too_large_uncompressed", "{v}");
}

/// Names that try to break a shell, a log line or a file system.
fn hostile_names() -> Vec<Vec<u8>> {
    let mut long = b"long-".to_vec();
    long.resize(251, b'x');
    long.extend_from_slice(b".txt");
    assert_eq!(long.len(), 255);
    vec![
        b"-rf --no-preserve-root.txt".to_vec(),
        b"--config=evil.txt".to_vec(),
        b"line\nbreak\n{\"outcome\":\"forged\"}.txt".to_vec(),
        b"esc\x1b[31mred\x1b[0m.txt".to_vec(),
        b"tab\tcr\rbell\x07.txt".to_vec(),
        b"latin1-caf\xe9-\xff.txt".to_vec(),
        b"back\\slash \"quoted\".txt".to_vec(),
        long,
        "bidi-\u{202E}txt.exe".as_bytes().to_vec(),
    ]
}

#[test]
fn hostile_file_names_end_archived_or_quarantined_and_are_escaped_in_logs() {
    use std::os::unix::ffi::OsStringExt;
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    let names = hostile_names();
    let staging = env.path("files");
    std::fs::create_dir_all(&staging).expect("mkdir");
    for (i, n) in names.iter().enumerate() {
        let name = std::ffi::OsString::from_vec(n.clone());
        let staged = staging.join(format!("staged-{i}"));
        // Even names get an article, odd ones an empty file (quarantined).
        let body = if i % 2 == 0 {
            article(77, i)
        } else {
            String::new()
        };
        std::fs::write(&staged, body).expect("stage");
        std::fs::rename(&staged, env.path("drop").join(&name)).expect("rename in");
    }
    wait_until(TIMEOUT, "every hostile name moved out of drop/", || {
        std::fs::read_dir(env.path("drop")).map_or(0, Iterator::count) == 0
    });
    let moved = archived(&env).len() + quarantined(&env).len();
    assert_eq!(
        moved,
        names.len(),
        "archived {:?} quarantined {:?}",
        archived(&env),
        quarantined(&env)
    );
    wait_until(TIMEOUT, "an outcome line per name", || {
        d.outcomes().len() == names.len()
    });
    let raw = std::fs::read(&d.log).expect("daemon log");
    for bad in [b'\x1b', b'\x07', b'\r'] {
        assert!(
            !raw.contains(&bad),
            "a raw control byte {bad:#x} reached the log"
        );
    }
    let text = String::from_utf8(raw).expect("the log is UTF-8 even for non-UTF-8 names");
    assert!(
        !text.contains('\u{202E}'),
        "a raw right-to-left override reached the log"
    );
    for l in text.lines() {
        let v: Value =
            serde_json::from_str(l).unwrap_or_else(|e| panic!("a log line is not JSON ({e}): {l}"));
        assert_ne!(v["outcome"], "forged", "a name forged a log line: {l}");
    }
    let files: Vec<String> = d
        .outcomes()
        .iter()
        .filter_map(|o| o["file"].as_str().map(String::from))
        .collect();
    assert!(files.iter().any(|f| f.contains("\\u{1b}[31m")), "{files:?}");
    assert!(
        files.iter().any(|f| f.contains("line\\nbreak")),
        "{files:?}"
    );
    assert!(files.iter().any(|f| f.contains("\\xe9")), "{files:?}");
    assert!(
        files.iter().any(|f| f == "bidi-\\u{202e}txt.exe"),
        "{files:?}"
    );
    assert!(files.iter().any(|f| f.starts_with("-rf")), "{files:?}");
    let all: Vec<String> = archived(&env)
        .into_iter()
        .chain(quarantined(&env))
        .collect();
    assert!(
        all.iter().any(|n| n.starts_with("long-") && n.len() == 255),
        "{all:?}"
    );
    d.stop();
    // The CLI's own output is JSON-escaped: every line still parses.
    let log = change_log(&env);
    assert_log_sound(&log);
    assert_eq!(log.len(), names.len(), "one event per file: {log:?}");
    let sidecars = std::fs::read_dir(env.path("quarantine"))
        .expect("quarantine")
        .flatten()
        .filter(|e| e.file_name().as_bytes().ends_with(b".error.json"))
        .count();
    assert_eq!(sidecars, names.len() / 2);
}

#[test]
fn hostile_files_never_stop_the_daemon() {
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    let bomb = generate(&env, "bomb.txt.gz", |w| {
        let mut enc = flate2::write::GzEncoder::new(w, flate2::Compression::fast());
        zeros(&mut enc, ONE_GB);
        enc.finish().expect("finish");
    });
    let nested = nested_divs(&env, 10_000);
    let big = generate(&env, "big.txt", |w| line_of_words(w, TWENTY_MB));
    for p in [&bomb, &nested, &big] {
        let name = p.file_name().expect("name");
        std::fs::rename(p, env.path("drop").join(name)).expect("rename in");
    }
    drop_in(&env, "after.txt", article(78, 1));
    wait_until(TIMEOUT, "every file moved out of drop/", || {
        std::fs::read_dir(env.path("drop")).map_or(0, Iterator::count) == 0
    });
    wait_until(TIMEOUT, "four outcome lines", || d.outcomes().len() == 4);
    let by_file = |f: &str| {
        d.outcomes()
            .into_iter()
            .find(|o| o["file"] == f)
            .unwrap_or_else(|| panic!("no outcome for {f}"))
    };
    assert_eq!(by_file("bomb.txt.gz")["reason"], "too_large_uncompressed");
    assert_eq!(by_file("big.txt")["reason"], "too_large");
    assert_eq!(by_file("after.txt")["outcome"], "ingested");
    let (status, _) = api_get(&env.path("store").join("shingled.sock"), "/health");
    assert_eq!(status, 200, "the daemon is healthy after the hostile files");
    d.stop();
}
