//! Block-label evaluation of `normalize` on L3S-GN1 (621 news pages whose
//! text blocks were labelled by people: headline, fulltext, supplemental,
//! related, comments, not-content).
//!
//! Each page's block texts are joined with blank lines into a realistic
//! scraped page, run through `decode` + `normalize`, and every labelled
//! block is mapped back to the typed block that starts on its line (a
//! within-file repeat that was dropped takes the kind of the kept copy,
//! found by match key). Precision, recall and F1 are reported per block
//! and per whitespace token.
//!
//! ```text
//! cargo run --release --example eval_l3s [-- path/to/labelled-blocks.jsonl.gz]
//! ```
//!
//! Without an argument the file is looked up under `SHINGLED_CORPUS` (the
//! corpus directory), else `../shared/corpus` next to the crate.
//! `EVAL_DUMP=fp|fn|supp` prints the false positives / false negatives of
//! the content measure (or the supplemental errors), for rule work.

use shingled::decode::decode;
use shingled::model::BlockKind;
use shingled::normalize::{match_key, normalize, tidy};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

const FILE: &str = "l3s-gn1-google-news-2008/labelled-blocks.jsonl.gz";

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: u64,
    fp: u64,
    fn_: u64,
}

impl Counts {
    fn add(&mut self, gold: bool, pred: bool, weight: u64) {
        match (gold, pred) {
            (true, true) => self.tp += weight,
            (false, true) => self.fp += weight,
            (true, false) => self.fn_ += weight,
            (false, false) => {}
        }
    }

    #[allow(clippy::cast_precision_loss)]
    fn prf(&self) -> (f64, f64, f64) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
}

/// One measure: a gold predicate on labels and a predicted predicate on
/// kinds, counted per block and per token.
struct Measure {
    name: &'static str,
    gold: fn(&str) -> bool,
    pred: fn(Option<BlockKind>) -> bool,
    blocks: Counts,
    tokens: Counts,
}

fn content(label: &str) -> bool {
    matches!(label, "headline" | "fulltext")
}

fn title_paragraph(k: Option<BlockKind>) -> bool {
    matches!(k, Some(BlockKind::Title | BlockKind::Paragraph))
}

fn with_supplemental(k: Option<BlockKind>) -> bool {
    matches!(
        k,
        Some(
            BlockKind::Title
                | BlockKind::Paragraph
                | BlockKind::Caption
                | BlockKind::Credit
                | BlockKind::Byline
                | BlockKind::Dateline
        )
    )
}

fn supplemental(label: &str) -> bool {
    label == "supplemental"
}

fn supplemental_kinds(k: Option<BlockKind>) -> bool {
    matches!(
        k,
        Some(
            BlockKind::Caption
                | BlockKind::Credit
                | BlockKind::Byline
                | BlockKind::Dateline
                | BlockKind::Timestamp
        )
    )
}

fn content_or_supplemental(label: &str) -> bool {
    matches!(label, "headline" | "fulltext" | "supplemental")
}

fn input_path() -> PathBuf {
    if let Some(p) = std::env::args().nth(1) {
        return PathBuf::from(p);
    }
    let dir = std::env::var("SHINGLED_CORPUS").map_or_else(
        |_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")),
        PathBuf::from,
    );
    dir.join(FILE)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = input_path();
    let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let dump = std::env::var("EVAL_DUMP").unwrap_or_default();

    let mut measures = [
        Measure {
            name: "content vs title+paragraph",
            gold: content,
            pred: title_paragraph,
            blocks: Counts::default(),
            tokens: Counts::default(),
        },
        Measure {
            name: "content vs title+paragraph+supp kinds",
            gold: content,
            pred: with_supplemental,
            blocks: Counts::default(),
            tokens: Counts::default(),
        },
        Measure {
            name: "content+supplemental vs same",
            gold: content_or_supplemental,
            pred: with_supplemental,
            blocks: Counts::default(),
            tokens: Counts::default(),
        },
        Measure {
            name: "supplemental vs supp kinds+timestamp",
            gold: supplemental,
            pred: supplemental_kinds,
            blocks: Counts::default(),
            tokens: Counts::default(),
        },
    ];
    let mut confusion: HashMap<(String, &'static str), u64> = HashMap::new();
    let (mut pages, mut rejected, mut stories, mut split_pages) = (0u64, 0u64, 0u64, 0u64);
    let mut in_normalize = std::time::Duration::ZERO;
    let mut bytes_in = 0usize;

    for line in reader.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let page: serde_json::Value = serde_json::from_str(&line)?;
        let blocks = page["blocks"].as_array().cloned().unwrap_or_default();
        let labelled: Vec<(String, String)> = blocks
            .iter()
            .map(|b| {
                (
                    b["label"].as_str().unwrap_or("").to_owned(),
                    b["text"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let text = labelled
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        bytes_in += text.len();
        pages += 1;

        let mut by_line: HashMap<u32, BlockKind> = HashMap::new();
        let mut by_key: HashMap<String, BlockKind> = HashMap::new();
        let started = std::time::Instant::now();
        let result = decode(text.as_bytes()).and_then(|d| normalize(&d.text));
        in_normalize += started.elapsed();
        match result {
            Ok(parsed) => {
                stories += parsed.stories.len() as u64;
                split_pages += u64::from(parsed.stories.len() > 1);
                for b in parsed.stories.iter().flat_map(|s| &s.blocks) {
                    by_line.insert(b.line, b.kind);
                    by_key.entry(b.key.clone()).or_insert(b.kind);
                }
            }
            Err(_) => rejected += 1,
        }

        let mut line_no = 1u32;
        for (label, t) in &labelled {
            let start = line_no;
            let newlines = u32::try_from(t.matches('\n').count()).unwrap_or(0);
            line_no += newlines + 2;
            let tidied = tidy(t);
            if tidied.is_empty() {
                continue;
            }
            // A block whose first line is blank starts further down.
            let leading = &t[..t.len() - t.trim_start().len()];
            let lead = u32::try_from(leading.matches('\n').count()).unwrap_or(0);
            let kind = by_line
                .get(&(start + lead))
                .copied()
                .or_else(|| by_key.get(&match_key(&tidied)).copied());
            let tokens = tidied.split_whitespace().count() as u64;
            for m in &mut measures {
                let (g, p) = ((m.gold)(label), (m.pred)(kind));
                m.blocks.add(g, p, 1);
                m.tokens.add(g, p, tokens);
            }
            *confusion
                .entry((label.clone(), kind.map_or("(none)", BlockKind::as_str)))
                .or_default() += 1;
            let (g, p) = (content(label), title_paragraph(kind));
            let show = match dump.as_str() {
                "fp" => p && !g,
                "fn" => g && !p,
                "supp" => supplemental(label) != supplemental_kinds(kind),
                _ => false,
            };
            if show {
                let short: String = tidied.chars().take(140).collect();
                println!(
                    "{:<12} {:<11} {} | {short}",
                    label,
                    kind.map_or("(none)", BlockKind::as_str),
                    page["id"].as_str().unwrap_or("").get(..8).unwrap_or("")
                );
            }
        }
    }
    let elapsed = in_normalize;

    println!(
        "L3S-GN1: {pages} pages, {rejected} rejected, {stories} stories ({split_pages} pages split)"
    );
    #[allow(clippy::cast_precision_loss)]
    let mib = bytes_in as f64 / (1024.0 * 1024.0);
    println!(
        "decode+normalize time: {:.3} s ({:.0} pages/s, {:.1} MiB/s)",
        elapsed.as_secs_f64(),
        pages as f64 / elapsed.as_secs_f64().max(1e-9),
        mib / elapsed.as_secs_f64().max(1e-9)
    );
    println!();
    println!("| measure | block P | block R | block F1 | token P | token R | token F1 |");
    println!("|---|---|---|---|---|---|---|");
    for m in &measures {
        let (bp, br, bf) = m.blocks.prf();
        let (tp, tr, tf) = m.tokens.prf();
        println!(
            "| {} | {bp:.3} | {br:.3} | {bf:.3} | {tp:.3} | {tr:.3} | {tf:.3} |",
            m.name
        );
    }
    println!();
    println!("confusion (gold label -> predicted kind, blocks):");
    let mut rows: Vec<_> = confusion.into_iter().collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut last = String::new();
    for ((label, kind), n) in rows {
        if label != last {
            print!("\n  {label:<12}");
            last = label;
        }
        print!(" {kind}={n}");
    }
    println!();
    Ok(())
}
