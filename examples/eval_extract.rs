//! Article-extraction quality, shingled next to its peers, in one run.
//!
//! ```sh
//! cargo run --release --example eval_extract -- [--json out.json] [--no-peers]
//!     [--corpus DIR] [--venv DIR] [--python python3.11] [--dump DIR]
//! ```
//!
//! Datasets (from the shared corpus, see its README):
//! * `zyte`: 181 pages of the article-extraction benchmark, human ground truth;
//! * `mozilla`: 36 news pages of Readability's test suite; the reference is
//!   Readability's own expected output (a program's output, not human truth);
//! * `l3s`: 621 L3S-GN1 pages; the reference is the human `fulltext` blocks.
//!
//! Scores, every tool on every page in the same run:
//! * the Zyte benchmark's own metric (`zyte_metric.rs`: word 4-gram
//!   multisets, normalized per page, mean precision and recall over pages,
//!   F1 of the two means), the figure the benchmark publishes;
//! * bag of tokens (lower-cased text split on whitespace), multiset
//!   overlap; precision = overlap / predicted tokens, recall = overlap /
//!   truth tokens; the mean over pages and the micro figure over all tokens.
//!
//! The Zyte pages are split into a fixed tuning half and a held-out half by
//! the blake3 hash of the page id (`zyte_metric::tuning_half`); rules are
//! tuned on `zyte-tune` only, `zyte-held` is the check that they generalize.
//! `--predictions DIR` writes each tool's Zyte output in the benchmark's
//! own format (`{id: {"articleBody": ...}}`), for its `evaluate.py`.
//!
//! Tools: `shingled` (the stored article: body blocks after the
//! normalizer), `shingled-extractor` (the HTML extractor's body before the
//! normalizer), `dom_smoothie` (a Rust Readability port, dev-dependency
//! only), and `trafilatura` / `readability-lxml` through
//! `scripts/extract_peers.py` in a virtualenv this program creates (pins in
//! `scripts/requirements-extract.txt`). Also: the L3S `supplemental` group
//! (captions, credits, bylines, datelines, timestamps) and figure captions
//! of the mozilla pages, for shingled only.

#[path = "eval_extract/zyte_metric.rs"]
mod zyte_metric;

use serde_json::{Value, json};
use shingled::formats::{self, extract_html};
use shingled::model::BlockKind;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;
/// `(overlap, predicted, truth)` token counts of one page.
type Row = (i64, i64, i64);
/// Rows per (tool, dataset).
type Rows<'a> = BTreeMap<(String, &'a str), Vec<Row>>;
/// Benchmark-metric rows per (tool, dataset): (tuning half, as written,
/// lower-cased).
type BenchRows<'a> = BTreeMap<(String, &'a str), Vec<(bool, zyte_metric::Tpf, zyte_metric::Tpf)>>;

struct Page {
    dataset: &'static str,
    id: String,
    path: PathBuf,
    truth: String,
    /// L3S: the human `supplemental` blocks; mozilla: the source figcaptions.
    side: Vec<String>,
}

#[derive(Default)]
struct Args {
    json: Option<PathBuf>,
    corpus: Option<PathBuf>,
    venv: Option<PathBuf>,
    python: Option<String>,
    dump: Option<PathBuf>,
    predictions: Option<PathBuf>,
    no_peers: bool,
}

fn args() -> Res<Args> {
    let mut a = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        let mut val = || it.next().ok_or(format!("{x} needs a value"));
        match x.as_str() {
            "--json" => a.json = Some(val()?.into()),
            "--corpus" => a.corpus = Some(val()?.into()),
            "--venv" => a.venv = Some(val()?.into()),
            "--python" => a.python = Some(val()?),
            "--dump" => a.dump = Some(val()?.into()),
            "--predictions" => a.predictions = Some(val()?.into()),
            "--no-peers" => a.no_peers = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(a)
}

fn gunzip(p: &Path) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(p)?).read_to_end(&mut out)?;
    Ok(out)
}

fn load(corpus: &Path) -> Res<Vec<Page>> {
    let mut pages = Vec::new();
    let z = corpus.join("zyte-article-extraction-benchmark");
    let gt: BTreeMap<String, Value> =
        serde_json::from_slice(&std::fs::read(z.join("ground-truth.json"))?)?;
    for (id, v) in gt {
        pages.push(Page {
            dataset: "zyte",
            path: z.join("html").join(format!("{id}.html.gz")),
            truth: v["articleBody"].as_str().unwrap_or_default().to_owned(),
            id,
            side: Vec::new(),
        });
    }
    let m = corpus.join("mozilla-readability-news-pages");
    let idx: Value = serde_json::from_slice(&std::fs::read(m.join("index.json"))?)?;
    for p in idx["pages"]
        .as_array()
        .ok_or("mozilla index has no pages")?
    {
        let id = p["id"].as_str().ok_or("page id")?.to_owned();
        let text = std::fs::read_to_string(m.join("articles").join(format!("{id}.txt")))?;
        let body = text.split_once('\n').map_or("", |(_, b)| b).to_owned();
        let caps = p["source_figcaptions"].as_array().into_iter().flatten();
        pages.push(Page {
            dataset: "mozilla",
            path: m.join("pages").join(&id).join("source.html.gz"),
            truth: body,
            side: caps.filter_map(Value::as_str).map(str::to_owned).collect(),
            id,
        });
    }
    let l = corpus.join("l3s-gn1-google-news-2008");
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(l.join("labelled-blocks.jsonl.gz"))?)
        .read_to_string(&mut text)?;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)?;
        let id = v["id"].as_str().ok_or("l3s id")?.to_owned();
        let blocks = v["blocks"].as_array().ok_or("l3s blocks")?;
        let of = |label: &str| -> Vec<String> {
            blocks
                .iter()
                .filter(|b| b["label"] == label)
                .filter_map(|b| b["text"].as_str())
                .map(str::to_owned)
                .collect()
        };
        pages.push(Page {
            dataset: "l3s",
            path: l.join("html-original").join(format!("{id}.html.gz")),
            truth: of("fulltext").join("\n"),
            side: of("supplemental"),
            id,
        });
    }
    Ok(pages)
}

fn bag(s: &str) -> HashMap<String, i64> {
    let mut m = HashMap::new();
    for t in s.split_whitespace() {
        *m.entry(t.to_lowercase()).or_insert(0) += 1;
    }
    m
}

/// (overlap, predicted, truth) token counts.
fn overlap(pred: &str, truth: &str) -> (i64, i64, i64) {
    let (p, t) = (bag(pred), bag(truth));
    let o = p
        .iter()
        .map(|(k, n)| (*n).min(*t.get(k).unwrap_or(&0)))
        .sum();
    (o, p.values().sum(), t.values().sum())
}

#[allow(clippy::cast_precision_loss)]
fn ratio(a: i64, b: i64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Mean and micro precision / recall / F1 of `(overlap, pred, truth)` rows.
#[allow(clippy::cast_precision_loss)]
fn score(rows: &[(i64, i64, i64)]) -> Value {
    let n = rows.len().max(1) as f64;
    let (mut mp, mut mr, mut mf) = (0.0, 0.0, 0.0);
    let (mut o, mut p, mut t) = (0, 0, 0);
    for &(ro, rp, rt) in rows {
        let (pp, rr) = (ratio(ro, rp), ratio(ro, rt));
        mp += pp;
        mr += rr;
        mf += f1(pp, rr);
        o += ro;
        p += rp;
        t += rt;
    }
    let (up, ur) = (ratio(o, p), ratio(o, t));
    json!({"pages": rows.len(), "mean_p": mp / n, "mean_r": mr / n, "mean_f1": mf / n,
           "micro_p": up, "micro_r": ur, "micro_f1": f1(up, ur)})
}

/// What shingled makes of one page: stored body, extractor body, the
/// supplemental group and captions.
struct Ours {
    body: String,
    extractor: String,
    supplemental: Vec<String>,
    captions: Vec<String>,
    /// Every stored block as `story kind: text`, for `--dump`.
    typed: Vec<String>,
    secs: f64,
    rejected: Option<String>,
}

fn ours(html: &[u8]) -> Ours {
    let start = Instant::now();
    let analysis = formats::analyze("page.html", html);
    let secs = start.elapsed().as_secs_f64();
    let extractor = extract_html(html)
        .map(|x| x.body.join("\n"))
        .unwrap_or_default();
    let (mut body, mut supplemental, mut captions) = (Vec::new(), Vec::new(), Vec::new());
    let mut typed = Vec::new();
    let rejected = match analysis {
        Ok(a) => {
            for (n, s) in a.parsed.stories.iter().enumerate() {
                typed.push(format!("{n} title: {}", s.title.as_deref().unwrap_or("")));
                typed.extend(
                    s.blocks
                        .iter()
                        .map(|b| format!("{n} {:?}: {}", b.kind, b.text)),
                );
            }
            for b in a.parsed.stories.iter().flat_map(|s| &s.blocks) {
                if b.kind.is_body() {
                    body.push(b.text.clone());
                }
                if matches!(
                    b.kind,
                    BlockKind::Caption
                        | BlockKind::Credit
                        | BlockKind::Byline
                        | BlockKind::Dateline
                        | BlockKind::Timestamp
                ) {
                    supplemental.push(b.text.clone());
                }
                if b.kind == BlockKind::Caption {
                    captions.push(b.text.clone());
                }
            }
            None
        }
        Err(r) => Some(format!("{}: {}", r.reason, r.message)),
    };
    Ours {
        body: body.join("\n"),
        extractor,
        supplemental,
        captions,
        typed,
        secs,
        rejected,
    }
}

fn smoothie(html: &[u8]) -> (String, f64) {
    let start = Instant::now();
    let text = String::from_utf8_lossy(html).into_owned();
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let out = dom_smoothie::Readability::new(text, None, Some(cfg))
        .and_then(|mut r| r.parse())
        .map(|a| a.text_content.to_string())
        .unwrap_or_default();
    (out, start.elapsed().as_secs_f64())
}

/// Runs the Python peers; returns tool -> (dataset, id) -> (text, ms).
type PeerOut = BTreeMap<String, HashMap<(String, String), (String, f64)>>;

fn peers(a: &Args, pages: &[Page]) -> Res<PeerOut> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = a
        .venv
        .clone()
        .unwrap_or_else(|| root.join("target/extract-peers-venv"));
    let py = venv.join("bin/python");
    if !py.exists() {
        let base = a.python.clone().unwrap_or_else(|| "python3.11".into());
        eprintln!("creating the peers' virtualenv at {}", venv.display());
        run(Command::new(&base).arg("-m").arg("venv").arg(&venv))?;
        // pip 23's resolver trips over lxml[html-clean]; a current pip does not.
        run(Command::new(&py).args(["-m", "pip", "install", "-q", "--upgrade", "pip"]))?;
        run(Command::new(&py)
            .args(["-m", "pip", "install", "-q", "-r"])
            .arg(root.join("scripts/requirements-extract.txt")))?;
    }
    let manifest: Vec<Value> = pages
        .iter()
        .map(|p| json!({"dataset": p.dataset, "id": p.id, "path": p.path}))
        .collect();
    let mf =
        std::env::temp_dir().join(format!("eval-extract-manifest-{}.json", std::process::id()));
    std::fs::write(&mf, serde_json::to_vec(&manifest)?)?;
    eprintln!(
        "running trafilatura and readability-lxml on {} pages",
        pages.len()
    );
    let out = Command::new(&py)
        .arg(root.join("scripts/extract_peers.py"))
        .arg(&mf)
        .output()?;
    let _ = std::fs::remove_file(&mf);
    if !out.status.success() {
        return Err(format!(
            "extract_peers.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let mut res = PeerOut::new();
    for line in String::from_utf8(out.stdout)?
        .lines()
        .filter(|l| !l.is_empty())
    {
        let v: Value = serde_json::from_str(line)?;
        let key = (
            v["dataset"].as_str().unwrap_or("").to_owned(),
            v["id"].as_str().unwrap_or("").to_owned(),
        );
        let entry = (
            v["text"].as_str().unwrap_or("").to_owned(),
            v["ms"].as_f64().unwrap_or(0.0),
        );
        res.entry(v["tool"].as_str().unwrap_or("?").to_owned())
            .or_default()
            .insert(key, entry);
    }
    Ok(res)
}

fn run(c: &mut Command) -> Res<()> {
    let s = c.status()?;
    if s.success() {
        Ok(())
    } else {
        Err(format!("{c:?} failed: {s}").into())
    }
}

/// One line per (dataset, tool): the benchmark metric, the token bags and
/// pages/s.
fn print_table(t: &Tally<'_>) -> Vec<Value> {
    let mut table = Vec::new();
    println!(
        "{:<8} {:<19} {:>5} | {:>6} {:>6} {:>6} | {:>6} {:>6} {:>7} | {:>7} {:>7} {:>8} | {:>8}",
        "dataset",
        "tool",
        "pages",
        "4g P",
        "4g R",
        "4g F1",
        "mean P",
        "mean R",
        "mean F1",
        "micro P",
        "micro R",
        "micro F1",
        "pages/s"
    );
    for ds in ["zyte", "mozilla", "l3s"] {
        for ((tool, d), r) in &t.rows {
            if *d != ds {
                continue;
            }
            let s = score(r);
            let b: Vec<_> = t.bench[&(tool.clone(), ds)].iter().map(|x| x.1).collect();
            let (bp, br, bf) = zyte_metric::summary(&b);
            let (secs, _, n) = t.time.get(&(tool.clone(), ds)).copied().unwrap_or_default();
            #[allow(clippy::cast_precision_loss)]
            let pps = if secs > 0.0 {
                n as f64 / secs
            } else {
                f64::NAN
            };
            let g = |k: &str| s[k].as_f64().unwrap_or(0.0);
            println!(
                "{ds:<8} {tool:<19} {:>5} | {bp:>6.3} {br:>6.3} {bf:>6.3} | {:>6.3} {:>6.3} {:>7.3} | {:>7.3} {:>7.3} {:>8.3} | {:>8.1}",
                r.len(),
                g("mean_p"),
                g("mean_r"),
                g("mean_f1"),
                g("micro_p"),
                g("micro_r"),
                g("micro_f1"),
                pps
            );
            table.push(json!({"dataset": ds, "tool": tool, "score": s,
                "benchmark": {"p": bp, "r": br, "f1": bf}, "pages_per_sec": pps}));
        }
    }
    table
}

/// The Zyte benchmark metric on the tuning half, the held-out half and all
/// pages, per tool (and all pages lower-cased).
fn print_halves(t: &Tally<'_>) -> Value {
    println!(
        "\nzyte, benchmark metric (word 4-grams, mean P and R per page, F1 of the means); tune/held = blake3(id) halves"
    );
    println!(
        "{:<19} | {:>22} | {:>22} | {:>22} | {:>8}",
        "tool", "tune  P / R / F1", "held  P / R / F1", "all  P / R / F1", "all lc F1"
    );
    let mut out = serde_json::Map::new();
    for ((tool, d), rows) in &t.bench {
        if *d != "zyte" {
            continue;
        }
        let pick = |f: &dyn Fn(bool) -> bool| -> Vec<zyte_metric::Tpf> {
            rows.iter().filter(|r| f(r.0)).map(|r| r.1).collect()
        };
        let tune = zyte_metric::summary(&pick(&|h| h));
        let held = zyte_metric::summary(&pick(&|h| !h));
        let all = zyte_metric::summary(&pick(&|_| true));
        let lc: Vec<_> = rows.iter().map(|r| r.2).collect();
        let lc = zyte_metric::summary(&lc);
        let f = |x: (f64, f64, f64)| format!("{:.3} / {:.3} / {:.3}", x.0, x.1, x.2);
        println!(
            "{tool:<19} | {:>22} | {:>22} | {:>22} | {:>8.3}",
            f(tune),
            f(held),
            f(all),
            lc.2
        );
        let j = |x: (f64, f64, f64), n: usize| json!({"p": x.0, "r": x.1, "f1": x.2, "pages": n});
        let n_tune = rows.iter().filter(|r| r.0).count();
        out.insert(
            tool.clone(),
            json!({"tune": j(tune, n_tune), "held": j(held, rows.len() - n_tune),
                   "all": j(all, rows.len()), "all_lowercased": j(lc, rows.len())}),
        );
    }
    Value::Object(out)
}

/// Every score of every tool, gathered page by page.
#[derive(Default)]
struct Tally<'a> {
    rows: Rows<'a>,
    bench: BenchRows<'a>,
    /// (seconds, bytes, pages) per (tool, dataset).
    time: BTreeMap<(String, &'a str), (f64, usize, usize)>,
    /// tool -> Zyte page id -> text, for `--predictions`.
    zyte_out: BTreeMap<String, BTreeMap<String, String>>,
}

impl<'a> Tally<'a> {
    fn add(&mut self, tool: &str, p: &'a Page, text: &str, secs: f64, bytes: usize) {
        let key = (tool.to_owned(), p.dataset);
        self.rows
            .entry(key.clone())
            .or_default()
            .push(overlap(text, &p.truth));
        self.bench.entry(key.clone()).or_default().push((
            zyte_metric::tuning_half(&p.id),
            zyte_metric::page(text, &p.truth, false),
            zyte_metric::page(text, &p.truth, true),
        ));
        let t = self.time.entry(key).or_default();
        t.0 += secs;
        t.1 += bytes;
        t.2 += 1;
        if p.dataset == "zyte" {
            self.zyte_out
                .entry(tool.to_owned())
                .or_default()
                .insert(p.id.clone(), text.to_owned());
        }
    }
}

fn main() -> Res<()> {
    let a = args()?;
    let corpus = a
        .corpus
        .clone()
        .or_else(|| std::env::var_os("SHINGLED_CORPUS").map(PathBuf::from))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let pages = load(&corpus)?;
    eprintln!("{} pages", pages.len());
    let mut tally = Tally::default();
    let (mut supp, mut caps_tok, mut caps_blk) =
        (Vec::new(), Vec::new(), (0usize, 0usize, 0usize, 0usize));
    let mut per_page = Vec::new();
    let mut rejected = Vec::new();
    for p in &pages {
        let html = gunzip(&p.path)?;
        let o = ours(&html);
        tally.add("shingled", p, &o.body, o.secs, html.len());
        tally.add("shingled-extractor", p, &o.extractor, 0.0, html.len());
        if p.dataset != "l3s" {
            let (s, secs) = smoothie(&html);
            tally.add("dom_smoothie", p, &s, secs, html.len());
        }
        if let Some(r) = &o.rejected {
            rejected.push(format!("{}/{}: {r}", p.dataset, p.id));
        }
        if p.dataset == "l3s" {
            supp.push(overlap(&o.supplemental.join("\n"), &p.side.join("\n")));
        }
        if p.dataset == "mozilla" {
            caps_tok.push(overlap(&o.captions.join("\n"), &p.side.join("\n")));
            let keys = |v: &[String]| {
                v.iter()
                    .map(|s| shingled::normalize::match_key(s))
                    .filter(|k| !k.is_empty())
                    .collect::<Vec<_>>()
            };
            let (pk, tk) = (keys(&o.captions), keys(&p.side));
            caps_blk.0 += pk.iter().filter(|k| tk.contains(k)).count();
            caps_blk.1 += pk.len();
            caps_blk.2 += tk.iter().filter(|k| pk.contains(k)).count();
            caps_blk.3 += tk.len();
        }
        if let Some(d) = &a.dump {
            std::fs::create_dir_all(d)?;
            std::fs::write(
                d.join(format!("{}-{}.txt", p.dataset, p.id)),
                format!(
                    "{}\n=====\n{}\n=====TRUTH\n{}\n=====TYPED\n{}",
                    o.body,
                    o.extractor,
                    p.truth,
                    o.typed.join("\n")
                ),
            )?;
        }
        let (ov, np, nt) = overlap(&o.body, &p.truth);
        let (tp, fp, fneg) = zyte_metric::page(&o.body, &p.truth, false);
        per_page.push(json!({"dataset": p.dataset, "id": p.id, "p": ratio(ov, np), "r": ratio(ov, nt),
            "tune": zyte_metric::tuning_half(&p.id), "tp4": tp, "fp4": fp, "fn4": fneg, "rejected": o.rejected}));
    }
    if !a.no_peers {
        for (tool, m) in peers(&a, &pages)? {
            for p in &pages {
                let (text, ms) = m
                    .get(&(p.dataset.to_owned(), p.id.clone()))
                    .cloned()
                    .unwrap_or_default();
                tally.add(&tool, p, &text, ms / 1000.0, 0);
            }
        }
    }
    let table = print_table(&tally);
    let halves = print_halves(&tally);
    if let Some(dir) = &a.predictions {
        std::fs::create_dir_all(dir)?;
        for (tool, m) in &tally.zyte_out {
            let v: BTreeMap<&String, Value> = m
                .iter()
                .map(|(id, t)| (id, json!({"articleBody": t})))
                .collect();
            std::fs::write(dir.join(format!("{tool}.json")), serde_json::to_vec(&v)?)?;
        }
    }
    let s = score(&supp);
    println!(
        "\nL3S supplemental (caption+credit+byline+dateline+timestamp vs human `supplemental`), tokens: micro P {:.3} R {:.3} F1 {:.3}",
        s["micro_p"].as_f64().unwrap_or(0.0),
        s["micro_r"].as_f64().unwrap_or(0.0),
        s["micro_f1"].as_f64().unwrap_or(0.0)
    );
    let c = score(&caps_tok);
    let (cp, cr) = (
        ratio(caps_blk.0 as i64, caps_blk.1 as i64),
        ratio(caps_blk.2 as i64, caps_blk.3 as i64),
    );
    println!(
        "mozilla captions vs source figcaptions: tokens micro P {:.3} R {:.3}; blocks (equal match key) P {cp:.3} ({}/{}) R {cr:.3} ({}/{})",
        c["micro_p"].as_f64().unwrap_or(0.0),
        c["micro_r"].as_f64().unwrap_or(0.0),
        caps_blk.0,
        caps_blk.1,
        caps_blk.2,
        caps_blk.3
    );
    let (secs, bytes, n) = ["zyte", "mozilla", "l3s"]
        .iter()
        .filter_map(|d| tally.time.get(&("shingled".to_owned(), *d)))
        .fold((0.0, 0, 0), |a, t| (a.0 + t.0, a.1 + t.1, a.2 + t.2));
    #[allow(clippy::cast_precision_loss)]
    let (pps, mbs) = (n as f64 / secs, bytes as f64 / secs / 1e6);
    println!(
        "shingled HTML throughput (decode+parse+extract+normalize, one thread): {pps:.1} pages/s, {mbs:.1} MB/s over {n} pages"
    );
    println!("rejected by shingled: {}", rejected.len());
    for r in &rejected {
        println!("  {r}");
    }
    if let Some(path) = &a.json {
        let out = json!({"table": table, "zyte_halves": halves, "l3s_supplemental": s, "mozilla_captions": {"tokens": c, "blocks": {"p": cp, "r": cr}},
            "throughput": {"pages_per_sec": pps, "mb_per_sec": mbs, "pages": n}, "rejected": rejected, "per_page": per_page});
        std::fs::write(path, serde_json::to_vec_pretty(&out)?)?;
    }
    Ok(())
}
