//! The planted workload: corpus articles (minus those that already overlap
//! one another, whose truth is unknown), and families of variants with
//! their ground truth. Deterministic for a seed.

use shingled::config::DedupParams;
use shingled::fingerprint::{Payload, Scratch, Shape, fingerprint};
use shingled::index::matcher::Matcher;
use shingled::model::BlockId;
use shingled::normalize::match_key;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// splitmix64: a tiny deterministic PRNG (no dependency, same stream on
/// every machine).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// A corpus article.
#[derive(Clone)]
pub struct Article {
    pub name: String,
    pub title: String,
    pub paras: Vec<String>,
}

pub fn words(s: &str) -> usize {
    match_key(s).split(' ').filter(|w| !w.is_empty()).count()
}

/// Every `articles/*.txt` of the corpus, sorted by path.
pub fn load_corpus(root: &Path) -> Vec<Article> {
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("THE CORPUS IS MISSING at {}: {e}", root.display()))
        .filter_map(Result::ok)
        .map(|e| e.path().join("articles"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for d in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&d)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let mut parts = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty());
            let title = parts.next().unwrap_or_default().to_string();
            let paras: Vec<String> = parts
                .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            if !paras.is_empty() {
                let src = d
                    .parent()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned());
                let name = format!(
                    "{}-{}",
                    src.unwrap_or_default(),
                    f.file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default()
                );
                out.push(Article { name, title, paras });
            }
        }
    }
    out
}

/// Indexes of articles that share a near-duplicate long paragraph (or an
/// identical one) with another article: real corpus duplicates, whose
/// truth is unknown, are left out of the workload.
pub fn overlapping(arts: &[Article], p: &DedupParams) -> BTreeSet<usize> {
    let shape = Shape::of(p);
    let mut sc = Scratch::default();
    let mut m = Matcher::default();
    let mut stored: BTreeMap<BlockId, (usize, Payload)> = BTreeMap::new();
    let mut bad = BTreeSet::new();
    for (i, a) in arts.iter().enumerate() {
        for para in &a.paras {
            let key = match_key(para);
            let Some(q) = fingerprint(&key, &shape, &mut sc) else {
                continue;
            };
            let id = BlockId::of_key(&key);
            if let Some((j, _)) = stored.get(&id) {
                if *j != i {
                    bad.insert(i);
                    bad.insert(*j);
                }
                continue;
            }
            let hit = m
                .best(
                    &q,
                    p,
                    |b| Ok::<_, ()>(stored.get(b).map(|x| x.1.clone())),
                    |_| false,
                )
                .ok()
                .flatten();
            if let Some(h) = hit
                && let Some((j, _)) = stored.get(&h.id)
                && *j != i
            {
                bad.insert(i);
                bad.insert(*j);
            }
            m.index.insert(id, q.fingerprints());
            stored.insert(id, (i, q));
        }
    }
    bad
}

/// Sentences of a paragraph (split after `.`, `!` or `?` before a capital).
pub fn sentences(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = p.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        cur.push(*c);
        let end = matches!(c, '.' | '!' | '?')
            && chars.get(i + 1) == Some(&' ')
            && chars.get(i + 2).is_some_and(|n| n.is_uppercase());
        if end {
            out.push(cur.trim().to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Typography another site might use: curly quotes, em dashes, doubled
/// spaces. The match key folds all of it.
pub fn retype(s: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut open = true;
    for c in s.chars() {
        match c {
            '"' => {
                out.push(if open { '“' } else { '”' });
                open = !open;
            }
            '\'' => out.push('’'),
            ' ' if rng.chance(0.05) => out.push_str("  "),
            _ => out.push(c),
        }
    }
    out.replace(" - ", " — ")
}

/// Swaps two inner letters of one long word: a typo.
pub fn typo(p: &str, rng: &mut Rng) -> Option<String> {
    let words: Vec<&str> = p.split(' ').collect();
    let cands: Vec<usize> = (0..words.len())
        .filter(|i| words[*i].len() >= 7 && words[*i].chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    if cands.is_empty() {
        return None;
    }
    let i = cands[rng.below(cands.len())];
    let mut w: Vec<char> = words[i].chars().collect();
    let k = 1 + rng.below(w.len() - 3);
    if w[k] == w[k + 1] {
        return None;
    }
    w.swap(k, k + 1);
    let mut v: Vec<String> = words.iter().map(|s| s.to_string()).collect();
    v[i] = w.into_iter().collect();
    Some(v.join(" "))
}

/// A site: its chrome, of which the promo line is not caught by the
/// normalizer's rules and has to be learned.
pub struct Site {
    pub name: String,
    pub promo: String,
}

pub fn sites() -> Vec<Site> {
    let names = [
        "Quay Herald",
        "Harbour Courier",
        "Valley Gazette",
        "Northern Echo Post",
        "Coastal Times",
        "River Chronicle",
        "Market Observer",
        "Island Mail",
    ];
    let promos = [
        "Collect vouchers at any {} branch this week.",
        "Our {} quiz returns on Friday with bigger prizes.",
        "The {} photo competition closes at the end of the month.",
        "Tell the {} newsroom what you think of our new look.",
        "Join the {} supporters club and read without limits.",
        "The {} bookshop has signed copies of our almanac.",
        "Listen to the {} podcast on your morning commute.",
        "Win tickets to the summer fair with the {} today.",
    ];
    names
        .iter()
        .zip(promos)
        .map(|(n, p)| Site {
            name: n.to_string(),
            promo: p.replace("{}", n),
        })
        .collect()
}

/// A page as another site would render it: chrome around the story, the
/// headline repeated, the promo line after the first paragraph.
pub fn render(title: &str, paras: &[String], site: &Site, rng: &mut Rng, retyped: bool) -> String {
    let mut s = format!("{title}\n\nShare this article\n\n");
    if rng.chance(0.5) {
        s.push_str(&format!("{title}\n\n"));
    }
    for (i, p) in paras.iter().enumerate() {
        let p = if retyped { retype(p, rng) } else { p.clone() };
        s.push_str(&p);
        s.push_str("\n\n");
        if i == 0 {
            s.push_str(&site.promo);
            s.push_str("\n\n");
        }
    }
    s.push_str(&format!("© 2025 {}. All rights reserved.\n", site.name));
    s
}

/// Whether the normalizer keeps `p` as a body paragraph of the story it
/// is added to (a paragraph opening with a wire dateline starts a new one).
pub fn stays_in_story(p: &str) -> bool {
    let page = format!(
        "A story title\n\nThe first paragraph of the story, long enough to be its body.\n\n{p}\n"
    );
    shingled::normalize::normalize(&page)
        .is_ok_and(|x| x.stories.len() == 1 && x.stories[0].body().any(|b| b.key == match_key(p)))
}

/// Long paragraphs the normalizer keeps in the body of this page.
pub fn body_long(title: &str, paras: &[String]) -> usize {
    let page = format!("{title}\n\n{}\n", paras.join("\n\n"));
    shingled::normalize::normalize(&page).map_or(0, |x| {
        x.stories
            .iter()
            .flat_map(|s| s.body())
            .filter(|b| words(&b.text) >= 10)
            .count()
    })
}

/// Where to insert `p` into `paras` so the page stays one story with `p`
/// in its body: `at`, unless the normalizer would start a new story there
/// (after a wire sign-off such as `Reuter`) or take it for trailing chrome
/// (after a list of links), then after the first paragraph.
pub fn one_story_at(
    title: &str,
    paras: &[(String, u64, crate::plant::Expect)],
    p: &str,
    at: usize,
) -> usize {
    let at = at.min(paras.len());
    let mut v: Vec<&str> = paras.iter().map(|x| x.0.as_str()).collect();
    v.insert(at, p);
    let page = format!("{title}\n\n{}\n", v.join("\n\n"));
    let key = match_key(p);
    match shingled::normalize::normalize(&page) {
        Ok(x) if x.stories.len() == 1 && x.stories[0].body().any(|b| b.key == key) => at,
        _ => 1.min(paras.len()),
    }
}
