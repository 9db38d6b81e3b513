//! Quality harness: corpus articles plus planted variants of every kind
//! (a copy on another site with other chrome and typography, a paragraph
//! added or inserted, a sentence extended, a typo fixed, an older version
//! arriving late, stock background paragraphs, pull quotes, templated
//! notices with other numbers), run through the real `Committer` on a sled
//! store (and the in-memory twin), scored against the ground truth:
//! per-block precision/recall of matches, pairwise article clustering
//! precision/recall/F1, and the change each file should make.
//!
//! ```sh
//! cargo run --release --example quality [-- --seed 7 --memory]
//! ```
//! The corpus is `$SHINGLED_CORPUS` or `../shared/corpus`.

mod notice;
mod plant;
mod score;
mod workload;

use shingled::commit::{Committer, Outcome};
use shingled::config::DedupParams;
use shingled::store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1u64);
    let memory = args.iter().any(|a| a == "--memory");
    let root = std::env::var_os("SHINGLED_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        PathBuf::from,
    );
    let params = DedupParams::default();
    let files = build(&root, &params, seed);
    eprintln!("# {} files planted (seed {seed})", files.len());
    if let Some(d) = args
        .iter()
        .position(|a| a == "--dump")
        .and_then(|i| args.get(i + 1))
    {
        std::fs::create_dir_all(d)?;
        for (i, f) in files.iter().enumerate() {
            std::fs::write(
                std::path::Path::new(d).join(format!("{i:05}-{}", f.name)),
                &f.text,
            )?;
        }
    }
    let dir = tempfile::tempdir()?;
    let store = if memory {
        Store::memory()
    } else {
        Store::open(&dir.path().join("store"), 64 << 20)?
    };
    let mut c = Committer::new(Arc::new(store), params.clone())?
        .with_clock(|| "2026-01-01T00:00:00Z".into());
    let t = Instant::now();
    let mut outs: Vec<Outcome> = Vec::with_capacity(files.len());
    let mut blocks = 0usize;
    for (i, f) in files.iter().enumerate() {
        let (o, _) = c.commit(shingled::ingest::input(f.name.clone(), f.text.as_bytes()))?;
        blocks += o.articles.iter().map(|a| a.blocks.len()).sum::<usize>();
        outs.push(o);
        if i % 128 == 127 {
            c.flush()?;
        }
    }
    c.flush()?;
    let secs = t.elapsed().as_secs_f64();
    let report = score::score(&files, &outs, &params, c.counts());
    if args.iter().any(|a| a == "--show") {
        score::show_misses(&files, &outs);
    }
    print!("{}", report.markdown());
    println!(
        "\nthroughput: {} files, {blocks} blocks in {secs:.2} s on {} = {:.0} files/s, {:.0} blocks/s",
        files.len(),
        if memory { "Store::memory()" } else { "sled" },
        files.len() as f64 / secs,
        blocks as f64 / secs
    );
    println!("{}", serde_json::to_string(&report.summary)?);
    Ok(())
}

/// The planted stream for a seed.
fn build(root: &std::path::Path, p: &DedupParams, seed: u64) -> Vec<plant::File> {
    let all = workload::load_corpus(root);
    let bad = workload::overlapping(&all, p);
    let clean: Vec<&workload::Article> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| !bad.contains(i))
        .map(|(_, a)| a)
        .collect();
    eprintln!(
        "# corpus: {} articles, {} overlap another (left out), {} used",
        all.len(),
        bad.len(),
        clean.len()
    );
    // every tenth clean article donates new paragraphs and sentences
    let donors: Vec<workload::Article> = clean.iter().step_by(10).map(|a| (*a).clone()).collect();
    let bases: Vec<&workload::Article> = clean
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 != 0)
        .map(|(_, a)| *a)
        .collect();
    let sites = workload::sites();
    let mut pl = plant::Planter::new(seed, &sites, &donors);
    let kinds = ["copy", "added", "inserted", "extended", "typo", "late"];
    let mut cluster = 0u64;
    let mut i = 0;
    let next = |cluster: &mut u64| {
        *cluster += 1;
        *cluster
    };
    while i < bases.len() {
        let a = bases[i];
        let roll = pl.rng.below(100);
        let long = a.paras.iter().filter(|x| workload::words(x) >= 12).count();
        let survives = |a: &workload::Article| workload::body_long(&a.title, &a.paras) >= 2;
        if roll < 8 && i + 4 < bases.len() && (0..4).all(|k| survives(bases[i + k])) {
            // a stock paragraph shared by four unrelated stories
            let s = stock(pl.rng.below(STOCK.len()), &mut pl.rng);
            let hosts: Vec<(workload::Article, u64)> = (0..4)
                .map(|k| (bases[i + k].clone(), next(&mut cluster)))
                .collect();
            pl.stock(&hosts, &s);
            i += 4;
            continue;
        }
        if roll < 14 && i + 1 < bases.len() && long >= 1 && survives(a) && survives(bases[i + 1]) {
            let (c1, c2) = (next(&mut cluster), next(&mut cluster));
            pl.quote(a, c1, bases[i + 1], c2);
            i += 2;
            continue;
        }
        let kind = if roll < 50 || long < 2 {
            "single"
        } else {
            kinds[pl.rng.below(kinds.len())]
        };
        let c = next(&mut cluster);
        pl.family(a, c, kind);
        i += 1;
    }
    for n in 0..300 {
        let c = next(&mut cluster);
        pl.notice(n, c);
    }
    pl.stream()
}

/// Stock background paragraphs (written for this harness): an
/// organisation's boilerplate "about" line, with its own numbers.
const STOCK: [&str; 6] = [
    "The harbour board, founded in {y}, manages {a} ports along the coast and employs about {b} people in the region.",
    "The regional arts council, which was set up in {y}, funds {a} theatres and galleries and supports about {b} artists each year.",
    "The water company serves around {b} households from {a} reservoirs and has been owned by the county since {y}.",
    "The cooperative bank, formed in {y} by a group of farmers, now runs {a} branches and lends to about {b} small businesses.",
    "The national rail operator runs {a} routes through the valley and carried about {b} passengers last year, its busiest since {y}.",
    "The university, established in {y}, teaches about {b} students on {a} campuses and is the largest employer in the city.",
];

fn stock(i: usize, rng: &mut workload::Rng) -> String {
    STOCK[i]
        .replace("{y}", &(1900 + rng.below(110)).to_string())
        .replace("{a}", &(3 + rng.below(40)).to_string())
        .replace("{b}", &(1000 + rng.below(90_000)).to_string())
}
