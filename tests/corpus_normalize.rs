//! Every real corpus article (`shared/corpus/*/articles/*.txt`) decodes and
//! normalizes without rejection, with at least one paragraph, and story 1
//! takes line 1 as its title.
//!
//! The corpus is read from `SHINGLED_CORPUS` or from `../shared/corpus`
//! next to the crate; a missing corpus fails loudly instead of skipping.

use shingled::decode::decode;
use shingled::model::BlockKind;
use shingled::normalize::{normalize, tidy};
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    let dir = std::env::var("SHINGLED_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(
        dir.is_dir(),
        "CORPUS MISSING: {} is not a directory. Set SHINGLED_CORPUS to shared/corpus.",
        dir.display()
    );
    dir
}

fn article_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for source in std::fs::read_dir(dir).expect("read corpus dir") {
        let articles = source.expect("dir entry").path().join("articles");
        if !articles.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&articles).expect("read articles dir") {
            let p = f.expect("dir entry").path();
            if p.extension().is_some_and(|e| e == "txt") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_corpus_article_normalizes_with_its_title() {
    let files = article_files(&corpus_dir());
    assert!(
        files.len() > 3000,
        "expected ~4000 corpus articles, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    // Per source: body lines (line 3 on) kept as a non-boilerplate block.
    let mut kept: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    let (mut titled, mut title_ok, mut title_misses) = (0usize, 0usize, Vec::new());
    let mut split = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).expect("read article");
        let parsed = match decode(&bytes).and_then(|d| normalize(&d.text)) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!(
                    "{}: rejected {} ({})",
                    path.display(),
                    e.reason,
                    e.message
                ));
                continue;
            }
        };
        if parsed.stories.len() > 1 {
            split.push(path.display().to_string());
        }
        let paragraphs = parsed
            .stories
            .iter()
            .flat_map(|s| &s.blocks)
            .filter(|b| b.kind == BlockKind::Paragraph)
            .count();
        if paragraphs == 0 {
            failures.push(format!("{}: no paragraph", path.display()));
        }
        let text = String::from_utf8_lossy(&bytes);
        let source = path
            .ancestors()
            .nth(2)
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let chrome_lines: std::collections::HashSet<u32> = parsed
            .stories
            .iter()
            .flat_map(|s| &s.blocks)
            .filter(|b| b.kind == BlockKind::Boilerplate)
            .map(|b| b.line)
            .collect();
        let entry = kept.entry(source).or_default();
        for (i, line) in text.lines().enumerate().skip(2) {
            if line.trim().is_empty() {
                continue;
            }
            let n = u32::try_from(i + 1).expect("line number");
            entry.1 += 1;
            entry.0 += usize::from(!chrome_lines.contains(&n));
        }
        let first = tidy(text.lines().next().unwrap_or(""));
        if !first.is_empty() {
            titled += 1;
            let got = parsed.stories[0].title.as_deref();
            if got == Some(first.as_str()) && !parsed.stories[0].title_inferred {
                title_ok += 1;
            } else {
                title_misses.push(format!(
                    "{}: line 1 {first:?}, title {got:?}",
                    path.display()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let (mut all_kept, mut all_lines) = (0, 0);
    for (source, (k, n)) in &kept {
        #[allow(clippy::cast_precision_loss)]
        let share = *k as f64 / (*n).max(1) as f64;
        eprintln!("body lines kept: {source}: {k}/{n} = {:.2}%", share * 100.0);
        all_kept += k;
        all_lines += n;
    }
    // Clean articles: nearly every body line must survive as a block that
    // is not boilerplate (sign-offs such as `Reuter` are chrome by design).
    assert!(
        all_kept * 100 >= all_lines * 93,
        "only {all_kept}/{all_lines} body lines kept"
    );
    for m in &title_misses {
        eprintln!("title miss: {m}");
    }
    #[allow(clippy::cast_precision_loss)]
    let share = title_ok as f64 / titled.max(1) as f64;
    eprintln!(
        "titles: {title_ok}/{titled} = {:.2}% match line 1",
        share * 100.0
    );
    assert!(
        share >= 0.99,
        "only {title_ok}/{titled} titles equal line 1"
    );
}
