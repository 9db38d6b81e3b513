//! Scoring the committer's outcomes against the planted truth.

use crate::plant::{Expect, File};
use serde::Serialize;
use shingled::commit::Outcome;
use shingled::config::DedupParams;
use shingled::model::BlockId;
use shingled::normalize::match_key;
use shingled::store::records::Counts;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const CHROME: u64 = u64::MAX;
const FUZZY: [&str; 4] = ["revision", "extension", "truncation", "contained"];

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Prf {
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn done(mut self) -> Prf {
        let p = |a: u64, b: u64| {
            if a + b == 0 {
                1.0
            } else {
                a as f64 / (a + b) as f64
            }
        };
        self.precision = p(self.tp, self.fp);
        self.recall = p(self.tp, self.fn_);
        let s = self.precision + self.recall;
        self.f1 = if s == 0.0 {
            0.0
        } else {
            2.0 * self.precision * self.recall / s
        };
        self
    }
    fn add(&mut self, predicted: bool, truth: bool, correct: bool) {
        if predicted && correct {
            self.tp += 1;
        } else if predicted {
            self.fp += 1;
        }
        if truth && !(predicted && correct) {
            self.fn_ += 1;
        }
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub blocks_scored: u64,
    pub blocks_unmapped: u64,
    /// Every predicted link (exact or near) against the planted lineage.
    pub block: Prf,
    /// Links whose truth is a near-duplicate (another key, same lineage).
    pub block_near: Prf,
    /// Links whose truth is the same key seen before.
    pub block_exact: Prf,
    /// Pairwise same-article clustering of files.
    pub article: Prf,
    pub change_correct: u64,
    /// Planted single-story files the normalizer split in several.
    pub split_files: u64,
    /// Files whose planted change the normalizer did not keep in the body
    /// (taken for trailing chrome in that page's context).
    pub swallowed_files: u64,
    pub short_fuzzy_matches: u64,
    pub notice_block_links: u64,
    pub notice_article_merges: u64,
    pub boilerplate_learned: u64,
    pub promo_dropped: u64,
    pub promo_kept: u64,
    /// (expected relation, got) for near-duplicate truths.
    pub relations: BTreeMap<String, BTreeMap<String, u64>>,
    /// kind -> (files, change as expected)
    pub kinds: BTreeMap<String, (u64, u64)>,
}

pub struct Report {
    pub summary: Summary,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

pub fn score(files: &[File], outs: &[Outcome], p: &DedupParams, counts: &Counts) -> Report {
    let hex = |t: &str| BlockId::of_key(&match_key(t)).to_hex();
    let mut global: BTreeMap<String, u64> = BTreeMap::new();
    for f in files {
        for (t, r, _) in &f.paras {
            global.insert(hex(t), *r);
        }
        global.insert(hex(&f.promo), CHROME);
    }
    let mut s = Summary {
        files: files.len(),
        ..Summary::default()
    };
    let (mut seen_roots, mut seen_ids) = (BTreeSet::new(), BTreeSet::new());
    let mut cells: BTreeMap<(u64, String), u64> = BTreeMap::new();
    let (mut truth_n, mut pred_n): (BTreeMap<u64, u64>, BTreeMap<String, u64>) = Default::default();
    let mut notice_clusters: BTreeMap<String, u64> = BTreeMap::new();
    for (f, o) in files.iter().zip(outs) {
        let local: BTreeMap<String, (u64, Expect, usize)> = f
            .paras
            .iter()
            .map(|(t, r, e)| (hex(t), (*r, *e, crate::workload::words(t))))
            .collect();
        let mut stored = Vec::new();
        for b in o.articles.iter().flat_map(|a| &a.blocks) {
            let rel = b.relation.as_str();
            let Some(&(root, expect, words)) = local.get(&b.block) else {
                if global.get(&b.block) == Some(&CHROME) {
                    if rel == "boilerplate" {
                        s.promo_dropped += 1
                    } else {
                        s.promo_kept += 1
                    }
                } else {
                    s.blocks_unmapped += 1;
                }
                continue;
            };
            s.blocks_scored += 1;
            let truth = seen_roots.contains(&root);
            let exact = seen_ids.contains(&b.block);
            let predicted = rel != "new";
            let correct =
                predicted && b.matched.as_ref().and_then(|m| global.get(m)) == Some(&root);
            s.block.add(predicted, truth, correct);
            if truth && exact {
                s.block_exact.add(predicted, true, correct);
            } else if truth {
                s.block_near.add(predicted, true, correct);
                let want = format!("{expect:?}").to_lowercase();
                *s.relations
                    .entry(want)
                    .or_default()
                    .entry(rel.to_string())
                    .or_default() += 1;
            } else {
                s.block_near
                    .add(predicted && FUZZY.contains(&rel), false, false);
                s.block_exact.add(predicted && rel == "exact", false, false);
            }
            if FUZZY.contains(&rel) && words < p.min_fuzzy_words {
                s.short_fuzzy_matches += 1;
            }
            if f.notice && FUZZY.contains(&rel) {
                s.notice_block_links += 1;
            }
            if rel != "boilerplate" {
                stored.push((root, b.block.clone()));
            }
        }
        for (r, id) in stored {
            seen_roots.insert(r);
            seen_ids.insert(id);
        }
        let kept = f.planted.as_ref().is_none_or(|t| {
            let id = hex(t);
            o.articles
                .iter()
                .flat_map(|a| &a.blocks)
                .any(|b| b.block == id)
        });
        if !kept {
            s.swallowed_files += 1;
            continue;
        }
        if o.articles.len() > 1 {
            // the normalizer made several stories of one planted page: the
            // truth of its article is undefined, so it is only counted
            s.split_files += 1;
            continue;
        }
        let a = o.articles.first();
        let pred = a.map_or_else(|| format!("none:{}", f.name), |a| a.id.clone());
        let change = a.map_or("quarantined", |a| a.change);
        let k = s
            .kinds
            .entry(format!("{} -> {}", f.kind, f.expect))
            .or_default();
        k.0 += 1;
        if change == f.expect {
            k.1 += 1;
            s.change_correct += 1;
        }
        *cells.entry((f.cluster, pred.clone())).or_default() += 1;
        *truth_n.entry(f.cluster).or_default() += 1;
        *pred_n.entry(pred.clone()).or_default() += 1;
        if f.notice {
            *notice_clusters.entry(pred).or_default() += 1;
        }
    }
    let tp: u64 = cells.values().map(|n| pairs(*n)).sum();
    let pp: u64 = pred_n.values().map(|n| pairs(*n)).sum();
    let tt: u64 = truth_n.values().map(|n| pairs(*n)).sum();
    s.article = Prf {
        tp,
        fp: pp - tp,
        fn_: tt - tp,
        ..Prf::default()
    }
    .done();
    s.notice_article_merges = notice_clusters.values().map(|n| pairs(*n)).sum();
    s.block = s.block.done();
    s.block_near = s.block_near.done();
    s.block_exact = s.block_exact.done();
    s.boilerplate_learned = counts.boilerplate_learned;
    Report { summary: s }
}

impl Report {
    pub fn markdown(&self) -> String {
        let s = &self.summary;
        let mut m = String::new();
        let _ = writeln!(
            m,
            "| level | precision | recall | F1 | TP | FP | FN |\n|---|---|---|---|---|---|---|"
        );
        for (name, x) in [
            ("block links (all)", &s.block),
            ("block links, near-duplicate truth", &s.block_near),
            ("block links, exact truth", &s.block_exact),
            ("articles (pairwise)", &s.article),
        ] {
            let _ = writeln!(
                m,
                "| {name} | {:.4} | {:.4} | {:.4} | {} | {} | {} |",
                x.precision, x.recall, x.f1, x.tp, x.fp, x.fn_
            );
        }
        let _ = writeln!(
            m,
            "\n| planted kind -> expected change | files | as expected |\n|---|---|---|"
        );
        for (k, (n, ok)) in &s.kinds {
            let _ = writeln!(m, "| {k} | {n} | {ok} |");
        }
        let _ = writeln!(
            m,
            "\n| near-duplicate planted as | relations found |\n|---|---|"
        );
        for (k, v) in &s.relations {
            let got: Vec<String> = v.iter().map(|(r, n)| format!("{r} {n}")).collect();
            let _ = writeln!(m, "| {k} | {} |", got.join(", "));
        }
        let _ = writeln!(
            m,
            "\nfiles {} (split by the normalizer: {}, planted change swallowed by it: {}), blocks scored {} (unmapped {}), changes as expected {}/{}\n\
             short blocks fuzzy-matched: {}; notice blocks fuzzy-linked: {}; notice pairs merged into one article: {}\n\
             boilerplate learned: {}; site promo lines dropped as boilerplate {} / kept as content {}",
            s.files,
            s.split_files,
            s.swallowed_files,
            s.blocks_scored,
            s.blocks_unmapped,
            s.change_correct,
            s.files,
            s.short_fuzzy_matches,
            s.notice_block_links,
            s.notice_article_merges,
            s.boilerplate_learned,
            s.promo_dropped,
            s.promo_kept
        );
        m
    }
}

/// Prints every file whose change was not the expected one (`--show`).
pub fn show_misses(files: &[File], outs: &[Outcome]) {
    for (f, o) in files.iter().zip(outs) {
        let a = o.articles.first();
        let change = a.map_or("quarantined", |a| a.change);
        if change == f.expect {
            continue;
        }
        eprintln!(
            "MISS {} [{}] expected {} got {} ({})",
            f.name,
            f.kind,
            f.expect,
            change,
            a.map_or("", |a| &a.id)
        );
        for b in a.iter().flat_map(|a| &a.blocks) {
            let text = f
                .paras
                .iter()
                .find(|(t, _, _)| BlockId::of_key(&match_key(t)).to_hex() == b.block)
                .map_or("?", |p| p.0.as_str());
            eprintln!(
                "   {:<11} j={:?} c={:?} {:.70}",
                b.relation, b.jaccard, b.containment, text
            );
        }
    }
}
