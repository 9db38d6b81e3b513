//! Stage benchmarks on real text from ../shared/corpus (override with
//! SHINGLED_CORPUS): decode, normalize/segment, the whole analyze step,
//! fingerprinting, the near-duplicate index (insert, and lookup with
//! verification), and the sled commit path (atomic batch per file + group
//! flush).
//!
//! `cargo bench --bench stages`. Throughput is reported in bytes of input,
//! except for the `blocks` group (in blocks).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use shingled::commit::Committer;
use shingled::config::DedupParams;
use shingled::fingerprint::{Payload, Scratch, Shape, fingerprint};
use shingled::index::matcher::Matcher;
use shingled::index::{Index, QueryScratch};
use shingled::model::BlockId;
use shingled::store::Store;
use shingled::{decode, ingest, normalize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn corpus_files(limit: usize) -> Vec<(String, Vec<u8>)> {
    let root = std::env::var_os("SHINGLED_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        PathBuf::from,
    );
    assert!(
        root.is_dir(),
        "THE CORPUS IS MISSING at {}: set SHINGLED_CORPUS",
        root.display()
    );
    let mut paths = Vec::new();
    let mut sources: Vec<_> = std::fs::read_dir(&root)
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|e| e.path().join("articles"))
        .filter(|p| p.is_dir())
        .collect();
    sources.sort();
    for s in sources {
        let mut f: Vec<_> = std::fs::read_dir(s)
            .expect("articles")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        f.sort();
        paths.extend(f);
    }
    // Interleave sources so a prefix is representative.
    let step = (paths.len() / limit.max(1)).max(1);
    paths
        .into_iter()
        .step_by(step)
        .take(limit)
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read"))
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let files = corpus_files(400);
    let bytes: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    let texts: Vec<String> = files
        .iter()
        .map(|(_, b)| decode::decode(b).expect("corpus decodes").text)
        .collect();

    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(20);
    g.bench_function("decode", |b| {
        b.iter(|| {
            for (_, f) in &files {
                std::hint::black_box(decode::decode(f).ok());
            }
        });
    });
    g.bench_function("normalize", |b| {
        b.iter(|| {
            for t in &texts {
                std::hint::black_box(normalize::normalize(t).ok());
            }
        });
    });
    g.bench_function("analyze", |b| {
        b.iter(|| {
            for (n, f) in &files {
                std::hint::black_box(ingest::analyze_file(n, f).ok());
            }
        });
    });
    g.bench_function("commit_sled_flush_per_100", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let store = Arc::new(Store::open(dir.path(), 64 << 20).expect("open"));
                let committer = Committer::new(store, DedupParams::default()).expect("committer");
                let inputs: Vec<_> = files
                    .iter()
                    .map(|(n, f)| ingest::input(n.clone(), f))
                    .collect();
                (dir, committer, inputs)
            },
            |(dir, mut committer, inputs)| {
                for (i, input) in inputs.into_iter().enumerate() {
                    committer.commit(input).expect("commit");
                    if i % 100 == 99 {
                        committer.flush().expect("flush");
                    }
                }
                committer.flush().expect("flush");
                drop(committer);
                drop(dir);
            },
            BatchSize::PerIteration,
        );
    });
    g.finish();
}

/// The match keys of every paragraph and caption of the files, in order.
fn block_keys(texts: &[String]) -> Vec<String> {
    texts
        .iter()
        .filter_map(|t| normalize::normalize(t).ok())
        .flat_map(|p| p.stories)
        .flat_map(|s| s.blocks)
        .map(|b| normalize::match_key(&b.text))
        .collect()
}

fn blocks(c: &mut Criterion) {
    let files = corpus_files(1000);
    let texts: Vec<String> = files
        .iter()
        .map(|(_, b)| decode::decode(b).expect("corpus decodes").text)
        .collect();
    let keys = block_keys(&texts);
    let p = DedupParams::default();
    let shape = Shape::of(&p);
    let mut scratch = Scratch::default();
    let stored: Vec<(BlockId, Payload)> = keys
        .iter()
        .filter_map(|k| Some((BlockId::of_key(k), fingerprint(k, &shape, &mut scratch)?)))
        .collect();

    let mut g = c.benchmark_group("blocks");
    g.throughput(Throughput::Elements(keys.len() as u64));
    g.sample_size(20);
    g.bench_function("fingerprint", |b| {
        let mut s = Scratch::default();
        b.iter(|| {
            for k in &keys {
                std::hint::black_box(fingerprint(k, &shape, &mut s));
            }
        });
    });
    g.throughput(Throughput::Elements(stored.len() as u64));
    g.bench_function("index_insert", |b| {
        b.iter(|| {
            let mut ix = Index::new();
            for (id, p) in &stored {
                ix.insert(*id, p.fingerprints());
            }
            ix
        });
    });
    // Every fingerprinted block queried against the index of all of them:
    // candidates, then verification on the payloads (held in memory here;
    // the writer reads them through its cache).
    let mut m = Matcher::new(Index::new());
    let by_id: std::collections::HashMap<BlockId, &Payload> =
        stored.iter().map(|(id, p)| (*id, p)).collect();
    for (id, p) in &stored {
        m.index.insert(*id, p.fingerprints());
    }
    g.bench_function("index_candidates", |b| {
        let (mut qs, mut out) = (QueryScratch::default(), Vec::new());
        b.iter(|| {
            for (_, q) in &stored {
                m.index.candidates(
                    q.fingerprints(),
                    p.max_postings,
                    p.max_verify,
                    &mut qs,
                    &mut out,
                );
                std::hint::black_box(out.len());
            }
        });
    });
    g.bench_function("index_lookup_verify", |b| {
        b.iter(|| {
            for (_, q) in &stored {
                let best = m.best(
                    q,
                    &p,
                    |id| Ok::<_, ()>(by_id.get(id).map(|p| (*p).clone())),
                    |_| false,
                );
                std::hint::black_box(best.ok());
            }
        });
    });
    g.finish();
}

criterion_group!(benches, stages, blocks);
criterion_main!(benches);
