//! What sled alone costs to store the peers' 200k-paragraph stream
//! durably, with none of shingled's work: the floor under `ingest`'s
//! throughput on this machine (docs/PERFORMANCE.md, "Why the throughput
//! target is out of reach").
//!
//! Writes `--records` values of `--bytes` bytes, `--per-batch` of them per
//! atomic batch (one batch per file, as the writer does), flushing every
//! `--flush-every` batches and once at the end, with sequential or random
//! 8-byte keys. Prints one JSON line: seconds, records/s, MB/s and the
//! process's peak RSS.
//!
//! ```sh
//! cargo run --release --example sled_floor -- --records 200000 --bytes 340 --per-batch 20
//! cargo run --release --example sled_floor -- --records 10000 --bytes 6800 --per-batch 1
//! ```

use anyhow::Context;
use std::time::Instant;

struct Args {
    records: u64,
    bytes: usize,
    per_batch: u64,
    flush_every: u64,
    random: bool,
    cache_mb: u64,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        records: 200_000,
        bytes: 340,
        per_batch: 20,
        flush_every: 128,
        random: false,
        cache_mb: 128,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--random" {
            a.random = true;
            continue;
        }
        let v = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--records" => a.records = v.parse()?,
            "--bytes" => a.bytes = v.parse()?,
            "--per-batch" => a.per_batch = v.parse::<u64>()?.max(1),
            "--flush-every" => a.flush_every = v.parse::<u64>()?.max(1),
            "--cache-mb" => a.cache_mb = v.parse()?,
            _ => anyhow::bail!("unknown flag {flag}"),
        }
    }
    Ok(a)
}

/// Peak resident set of this process, in MB (`VmHWM`).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> anyhow::Result<()> {
    let a = args()?;
    let dir = tempfile::tempdir()?;
    let db = sled::Config::new()
        .path(dir.path().join("store"))
        .cache_capacity(a.cache_mb << 20)
        .mode(sled::Mode::HighThroughput)
        .open()?;
    let mut value = vec![b'x'; a.bytes.max(8)];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let t = Instant::now();
    let mut written = 0u64;
    let mut batches = 0u64;
    while written < a.records {
        let mut batch = sled::Batch::default();
        for _ in 0..a.per_batch.min(a.records - written) {
            let key = if a.random {
                // xorshift64: keys spread over the whole tree, like block ids
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            } else {
                written
            };
            value[..8].copy_from_slice(&key.to_le_bytes());
            batch.insert(&key.to_be_bytes(), value.as_slice());
            written += 1;
        }
        db.apply_batch(batch)?;
        batches += 1;
        if batches.is_multiple_of(a.flush_every) {
            db.flush()?;
        }
    }
    db.flush()?;
    let s = t.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let (records, mb) = (
        a.records as f64,
        (a.records as f64) * (a.bytes as f64) / 1e6,
    );
    println!(
        "{}",
        serde_json::json!({
            "records": a.records, "bytes": a.bytes, "per_batch": a.per_batch,
            "flush_every": a.flush_every, "random_keys": a.random, "cache_mb": a.cache_mb,
            "seconds": s, "records_per_s": records / s, "mb_per_s": mb / s,
            "peak_rss_mb": peak_rss_mb(),
        })
    );
    Ok(())
}
