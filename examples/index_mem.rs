//! Memory and speed of the near-duplicate index on a synthetic workload:
//! paragraphs of 10 to 60 words (mean about 33) drawn from a Zipf-like
//! vocabulary of 50,000 words, 10% of them near-duplicates (one word
//! changed) of an earlier one.
//!
//! For each size it reports the index's own accounting (heap bytes from
//! capacities) and the process RSS growth, both per indexed block;
//! fingerprinting, insert and query throughput; and, with `--sled`, how
//! fast `Committer::new` rebuilds the index from that many stored payloads.
//!
//! ```sh
//! cargo run --release --example index_mem -- 100000 1000000 --sled
//! ```

use shingled::commit::Committer;
use shingled::config::DedupParams;
use shingled::fingerprint::{Payload, Scratch, Shape, fingerprint};
use shingled::index::{Index, QueryScratch};
use shingled::model::BlockId;
use shingled::store::{Store, WriteSet};
use std::sync::Arc;
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A Zipf-like word rank: small ranks are much more frequent.
    fn word(&mut self) -> u64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (50_000f64.powf(u) - 1.0) as u64
    }
}

/// The `i`-th synthetic paragraph's match key (10% are one-word edits of
/// an earlier paragraph).
fn paragraph(i: u64, seed: u64) -> String {
    let mut r = Rng(seed ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D));
    if i > 100 && r.below(10) == 0 {
        let j = r.below(i);
        let mut words: Vec<String> = paragraph(j, seed).split(' ').map(String::from).collect();
        let k = r.below(words.len() as u64) as usize;
        words[k] = format!("edit{}", r.below(1000));
        return words.join(" ");
    }
    let n = 10 + r.below(51);
    (0..n)
        .map(|_| format!("w{}", r.word()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn run(n: u64, sled: bool) -> anyhow::Result<()> {
    let p = DedupParams::default();
    let shape = Shape::of(&p);
    let mut sc = Scratch::default();
    // fingerprinting alone
    let t = Instant::now();
    let mut fps = 0usize;
    for i in 0..n.min(200_000) {
        if let Some(q) = fingerprint(&paragraph(i, 1), &shape, &mut sc) {
            fps += q.fingerprints().count();
        }
    }
    let fp_rate = n.min(200_000) as f64 / t.elapsed().as_secs_f64();
    // build the index, keeping nothing else per block
    let rss0 = rss_bytes();
    let mut ix = Index::new();
    let t = Instant::now();
    for i in 0..n {
        let key = paragraph(i, 1);
        if let Some(q) = fingerprint(&key, &shape, &mut sc) {
            ix.insert(BlockId::of_key(&key), q.fingerprints());
        }
    }
    let build = t.elapsed().as_secs_f64();
    let rss = rss_bytes().saturating_sub(rss0);
    let s = ix.stats();
    // queries: 20,000 fresh one-word edits of stored paragraphs
    let (mut qs, mut hits) = (QueryScratch::default(), Vec::new());
    let mut found = 0;
    let t = Instant::now();
    for i in 0..20_000u64 {
        let mut w: Vec<String> = paragraph(i * 37 % n, 1)
            .split(' ')
            .map(String::from)
            .collect();
        let k = w.len() / 2;
        w[k] = "changed".into();
        if let Some(q) = fingerprint(&w.join(" "), &shape, &mut sc) {
            ix.candidates(
                q.fingerprints(),
                p.max_postings,
                p.max_verify,
                &mut qs,
                &mut hits,
            );
            found += usize::from(!hits.is_empty());
        }
    }
    let q_rate = 20_000.0 / t.elapsed().as_secs_f64();
    println!(
        "| {n} | {} | {:.1} | {:.1} | {:.1} | {:.0} | {:.0} | {:.0} | {:.3} |",
        s.blocks,
        s.postings as f64 / s.blocks as f64,
        s.heap_bytes as f64 / s.blocks as f64,
        rss as f64 / s.blocks as f64,
        fp_rate,
        s.blocks as f64 / build,
        q_rate,
        found as f64 / 20_000.0
    );
    let _ = fps;
    if sled {
        rebuild(n, &p, &shape)?;
    }
    Ok(())
}

/// Stores `n` payloads in a fresh sled store and times the start-up rebuild.
fn rebuild(n: u64, p: &DedupParams, shape: &Shape) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("store");
    let mut sc = Scratch::default();
    {
        let store = Store::open(&path, 128 << 20)?;
        let mut w = WriteSet::new();
        let t = Instant::now();
        for i in 0..n {
            let key = paragraph(i, 1);
            let q: Option<Payload> = fingerprint(&key, shape, &mut sc);
            if let Some(q) = q {
                w.put_index(&BlockId::of_key(&key), q.into_bytes());
            }
            if i % 4096 == 4095 {
                store.apply(std::mem::take(&mut w))?;
            }
        }
        store.apply(w)?;
        store.flush()?;
        eprintln!(
            "# wrote {n} payloads in {:.1} s, {} bytes on disk",
            t.elapsed().as_secs_f64(),
            store.size_on_disk()
        );
    }
    // a restart: sled's open (log recovery) plus the rebuild
    let t = Instant::now();
    let store = Arc::new(Store::open(&path, 128 << 20)?);
    let opened = t.elapsed().as_secs_f64();
    let c = Committer::new(store, p.clone())?;
    let ready = t.elapsed().as_secs_f64();
    let r = c.rebuild_stats();
    println!("restart on {n}: store open {opened:.2} s, ready (open + rebuild) {ready:.2} s");
    println!(
        "rebuild of {n}: {} records in {:.2} s = {:.0} records/s, index heap {:.1} MB ({:.1} B/block)",
        r.records,
        r.seconds,
        r.records_per_s,
        r.heap_bytes as f64 / 1e6,
        r.heap_bytes as f64 / r.indexed.max(1) as f64
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sled = args.iter().any(|a| a == "--sled");
    let mut sizes: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![100_000, 1_000_000];
    }
    println!(
        "| paragraphs | indexed blocks | postings/block | index heap B/block | RSS growth B/block | fingerprint para/s | insert blocks/s | queries/s | edits found |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        run(n, sled)?;
    }
    Ok(())
}
