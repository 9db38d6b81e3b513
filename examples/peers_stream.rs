//! The peers benchmark stream (`shared/peers/dedup_peers.py`) through the
//! block matcher: the same files in the same order (every `*.txt` under the
//! folder, sorted by path), split into paragraphs the same way (`\n\s*\n`,
//! stripped, non-empty), each paragraph looked up (exact tier on its match
//! key, then the near-duplicate tier: winnowed fingerprints, verification)
//! and then inserted, as the peers do.
//!
//! Writes one little-endian i64 per paragraph (the earlier paragraph it
//! matched, or -1: the peers' decision format) to `OUT_PREFIX.bin`, one
//! byte per paragraph (0 none, 1 exact, 2 revision, 3 extension, 4
//! truncation, 5 contained) to `OUT_PREFIX.rel`, the same decisions kept
//! only for *versions* of one paragraph (exact, revision, or an extension /
//! truncation whose smaller side is at least `quote_max_share` of the
//! larger; not a paragraph found inside a much longer one) to
//! `OUT_PREFIX-versions.bin`, and prints a JSON line with timings. Score
//! with `scripts/score_peers.py`. `SHINGLED_MAX_POSTINGS` overrides the
//! posting cap.
//!
//! ```sh
//! cargo run --release --example peers_stream -- STREAM_DIR OUT_PREFIX
//! ```

use rustc_hash::FxHashMap;
use shingled::config::DedupParams;
use shingled::dedup::Relation;
use shingled::fingerprint::{Payload, Scratch, Shape, fingerprint};
use shingled::index::matcher::Matcher;
use shingled::model::BlockId;
use shingled::normalize::match_key;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "txt") {
            out.push(p);
        }
    }
    Ok(())
}

fn code(r: Relation) -> u8 {
    match r {
        Relation::New => 0,
        Relation::Exact => 1,
        Relation::Revision => 2,
        Relation::Extension => 3,
        Relation::Truncation => 4,
        Relation::Contained => 5,
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(prefix)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: peers_stream STREAM_DIR OUT_PREFIX");
    };
    let mut files = Vec::new();
    walk(Path::new(dir), &mut files)?;
    files.sort_by(|a, b| a.to_string_lossy().cmp(&b.to_string_lossy()));
    let split = regex::Regex::new(r"\n\s*\n")?;
    let mut p = DedupParams::default();
    if let Some(v) = std::env::var("SHINGLED_MAX_POSTINGS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        p.max_postings = v;
    }
    let shape = Shape::of(&p);
    let mut scratch = Scratch::default();
    let mut m = Matcher::default();
    // what the store holds, in memory: payloads, and each block's first
    // paragraph
    let mut payloads: FxHashMap<BlockId, Payload> = FxHashMap::default();
    let mut first: FxHashMap<BlockId, i64> = FxHashMap::default();
    let (mut decisions, mut relations, mut versions) = (Vec::new(), Vec::new(), Vec::new());
    let (mut t_read, mut t_key, mut t_fp, mut t_match) = (0.0, 0.0, 0.0, 0.0);
    let (mut bytes, mut payload_bytes) = (0usize, 0usize);
    let t0 = Instant::now();
    for f in &files {
        let t = Instant::now();
        let text = String::from_utf8(std::fs::read(f)?)?;
        bytes += text.len();
        let paras: Vec<&str> = split
            .split(&text)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        t_read += t.elapsed().as_secs_f64();
        for para in paras {
            let i = decisions.len() as i64;
            let t = Instant::now();
            let key = match_key(para);
            let id = BlockId::of_key(&key);
            t_key += t.elapsed().as_secs_f64();
            if let Some(j) = first.get(&id) {
                decisions.push(*j);
                versions.push(*j);
                relations.push(code(Relation::Exact));
                continue;
            }
            let t = Instant::now();
            let q = fingerprint(&key, &shape, &mut scratch);
            t_fp += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let hit = match &q {
                Some(q) => m
                    .best(q, &p, |b| Ok::<_, ()>(payloads.get(b).cloned()), |_| false)
                    .ok()
                    .flatten(),
                None => None,
            };
            let d = hit
                .as_ref()
                .and_then(|h| first.get(&h.id).copied())
                .unwrap_or(-1);
            decisions.push(d);
            // two versions of one paragraph, not one inside a much larger one
            let version = hit.as_ref().is_some_and(|h| {
                h.verdict.relation == Relation::Revision || h.verdict.jaccard >= p.quote_max_share
            });
            versions.push(if version { d } else { -1 });
            relations.push(hit.map_or(0, |h| code(h.verdict.relation)));
            first.insert(id, i);
            if let Some(q) = q {
                m.index.insert(id, q.fingerprints());
                payload_bytes += q.as_bytes().len();
                payloads.insert(id, q);
            }
            t_match += t.elapsed().as_secs_f64();
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    let mut out = std::io::BufWriter::new(std::fs::File::create(format!("{prefix}.bin"))?);
    for d in &decisions {
        out.write_all(&d.to_le_bytes())?;
    }
    out.flush()?;
    std::fs::write(format!("{prefix}.rel"), &relations)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(format!("{prefix}-versions.bin"))?);
    for d in &versions {
        out.write_all(&d.to_le_bytes())?;
    }
    out.flush()?;
    let n = decisions.len();
    let s = m.index.stats();
    let report = serde_json::json!({
        "peer": "shingled", "paragraphs": n, "bytes": bytes, "files": files.len(),
        "wall_s": wall, "paragraphs_per_s": n as f64 / wall, "mb_per_s": bytes as f64 / 1e6 / wall,
        "duplicates_found": decisions.iter().filter(|d| **d >= 0).count(),
        "versions_found": versions.iter().filter(|d| **d >= 0).count(),
        "phase_s": {"read_split": t_read, "match_key": t_key, "fingerprint": t_fp, "query_verify_insert": t_match},
        "index": {"blocks": s.blocks, "postings": s.postings, "heap_bytes": s.heap_bytes,
                  "payload_bytes": payload_bytes},
        "params": {"max_postings": p.max_postings, "shingle_words": p.shingle_words, "window": p.window, "min_fuzzy_words": p.min_fuzzy_words,
                   "revision_jaccard": p.revision_jaccard, "containment": p.containment},
    });
    println!("{report}");
    Ok(())
}
