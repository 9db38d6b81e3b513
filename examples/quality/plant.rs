//! Families of planted variants with their ground truth: which article
//! (cluster) each file belongs to, which change it should make, and the
//! lineage (root) of every content paragraph.

use crate::workload::{
    Article, Rng, Site, body_long, one_story_at, render, sentences, stays_in_story, typo, words,
};
use shingled::normalize::match_key;
use std::collections::BTreeMap;

/// What a content paragraph should match, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expect {
    /// Fresh content, or an exact repeat (told apart by the key).
    Plain,
    Extension,
    Revision,
    Contained,
}

/// One planted file.
pub struct File {
    pub name: String,
    pub text: String,
    /// Ground-truth article.
    pub cluster: u64,
    pub kind: &'static str,
    /// `created`, `duplicate` or `updated`.
    pub expect: &'static str,
    /// Content paragraphs: (text, root lineage, expected relation).
    pub paras: Vec<(String, u64, Expect)>,
    pub promo: String,
    pub notice: bool,
    /// The planted paragraph whose arrival makes the expected change (an
    /// added, extended or corrected one), to check the normalizer kept it.
    pub planted: Option<String>,
}

/// Builds files and keeps the roots consistent: one key, one root.
pub struct Planter<'a> {
    pub rng: Rng,
    sites: &'a [Site],
    roots: BTreeMap<String, u64>,
    next: u64,
    pub families: Vec<Vec<File>>,
    donors: Vec<String>,
    donor_sentences: Vec<String>,
}

impl<'a> Planter<'a> {
    pub fn new(seed: u64, sites: &'a [Site], donors: &[Article]) -> Planter<'a> {
        // new paragraphs and appended sentences come from disjoint donors,
        // so no planted addition overlaps another
        let paras: Vec<String> = donors
            .iter()
            .step_by(2)
            .flat_map(|a| a.paras.clone())
            .filter(|p| words(p) >= 15 && stays_in_story(p))
            .collect();
        let donor_sentences = donors
            .iter()
            .skip(1)
            .step_by(2)
            .flat_map(|a| a.paras.iter().flat_map(|p| sentences(p)))
            .filter(|s| (8..40).contains(&words(s)) && stays_in_story(s))
            .collect();
        Planter {
            rng: Rng::new(seed),
            sites,
            roots: BTreeMap::new(),
            next: 1,
            families: Vec::new(),
            donors: paras,
            donor_sentences,
        }
    }

    /// The root of `text`, or a new one (`parent` for a planted variant).
    pub(crate) fn root(&mut self, text: &str, parent: Option<u64>) -> u64 {
        let key = match_key(text);
        if let Some(r) = self.roots.get(&key) {
            return *r;
        }
        let r = parent.unwrap_or_else(|| {
            self.next += 1;
            self.next
        });
        self.roots.insert(key, r);
        r
    }

    fn fresh_para(&mut self) -> String {
        let i = self.rng.below(self.donors.len());
        self.donors.swap_remove(i)
    }

    fn fresh_sentence(&mut self) -> String {
        let i = self.rng.below(self.donor_sentences.len());
        self.donor_sentences.swap_remove(i)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn file(
        &mut self,
        name: String,
        title: &str,
        paras: Vec<(String, u64, Expect)>,
        cluster: u64,
        kind: &'static str,
        expect: &'static str,
        retyped: bool,
    ) -> File {
        let site = &self.sites[self.rng.below(self.sites.len())];
        let texts: Vec<String> = paras.iter().map(|p| p.0.clone()).collect();
        let text = render(title, &texts, site, &mut self.rng, retyped);
        File {
            name,
            text,
            cluster,
            kind,
            expect,
            paras,
            promo: site.promo.clone(),
            notice: false,
            planted: None,
        }
    }

    fn base_paras(&mut self, a: &Article) -> Vec<(String, u64, Expect)> {
        a.paras
            .iter()
            .map(|p| (p.clone(), self.root(p, None), Expect::Plain))
            .collect()
    }

    /// Index of a long paragraph (≥ 12 words), if any.
    /// (one the normalizer keeps in the story's body).
    fn long_para(&mut self, title: &str, paras: &[(String, u64, Expect)]) -> Option<usize> {
        let texts: Vec<&str> = paras.iter().map(|p| p.0.as_str()).collect();
        let page = format!("{title}\n\n{}\n", texts.join("\n\n"));
        let body: Vec<String> = shingled::normalize::normalize(&page)
            .map(|x| {
                x.stories
                    .iter()
                    .flat_map(|s| s.body().map(|b| b.key.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let long: Vec<usize> = (0..paras.len())
            .filter(|i| words(&paras[*i].0) >= 12 && body.contains(&match_key(&paras[*i].0)))
            .collect();
        (!long.is_empty()).then(|| long[self.rng.below(long.len())])
    }

    /// One family from base article `a` (`cluster` is its truth id).
    /// Variants need a base whose body survives normalization (at least two
    /// long paragraphs): the normalizer reduces some pages to a line.
    pub fn family(&mut self, a: &Article, cluster: u64, kind: &'static str) {
        let kind = if kind != "single" && body_long(&a.title, &a.paras) < 2 {
            "single"
        } else {
            kind
        };
        let n = |s: &str| format!("{}-{s}.txt", a.name);
        let base = self.base_paras(a);
        let first =
            |p: &mut Self, paras| p.file(n("v1"), &a.title, paras, cluster, kind, "created", false);
        let fam = match kind {
            "single" => vec![first(self, base)],
            "copy" => {
                let copy = self.file(
                    n("copy"),
                    &a.title.to_uppercase(),
                    base.clone(),
                    cluster,
                    kind,
                    "duplicate",
                    true,
                );
                vec![first(self, base), copy]
            }
            "added" | "inserted" => {
                let mut v2 = base.clone();
                let p = self.fresh_para();
                let at = if kind == "added" {
                    v2.len()
                } else {
                    1 + self.rng.below(v2.len()).min(v2.len() - 1)
                };
                let r = self.root(&p, None);
                v2.insert(
                    one_story_at(&a.title, &v2, &p, at),
                    (p.clone(), r, Expect::Plain),
                );
                let mut f2 = self.file(n("v2"), &a.title, v2, cluster, kind, "updated", false);
                f2.planted = Some(p);
                vec![first(self, base), f2]
            }
            "extended" | "late" => {
                let Some(i) = self.long_para(&a.title, &base) else {
                    return self.family(a, cluster, "single");
                };
                let mut v2 = base.clone();
                let more = format!("{} {}", base[i].0, self.fresh_sentence());
                let r = self.root(&more, Some(base[i].1));
                v2[i] = (more.clone(), r, Expect::Extension);
                if kind == "late" {
                    let p = self.fresh_para();
                    let r = self.root(&p, None);
                    let at = one_story_at(&a.title, &v2, &p, v2.len());
                    v2.insert(at, (p, r, Expect::Plain));
                }
                let mut f2 = self.file(n("v2"), &a.title, v2, cluster, kind, "updated", false);
                f2.planted = Some(more);
                let mut fam = vec![first(self, base.clone()), f2];
                if kind == "late" {
                    fam.push(self.file(
                        n("v1-late"),
                        &a.title,
                        base,
                        cluster,
                        kind,
                        "duplicate",
                        true,
                    ));
                }
                fam
            }
            "typo" => {
                let Some(i) = self.long_para(&a.title, &base) else {
                    return self.family(a, cluster, "single");
                };
                let Some(bad) = typo(&base[i].0, &mut self.rng) else {
                    return self.family(a, cluster, "single");
                };
                let mut v1 = base.clone();
                // the typo came first; the fix is the revision
                self.roots.remove(&match_key(&base[i].0));
                let r = self.root(&bad, None);
                self.roots.insert(match_key(&base[i].0), r);
                v1[i] = (bad, r, Expect::Plain);
                let mut v2 = base;
                v2[i].1 = r;
                v2[i].2 = Expect::Revision;
                let f1 = first(self, v1);
                let fixed = v2[i].0.clone();
                let mut f2 = self.file(n("v2"), &a.title, v2, cluster, kind, "updated", false);
                f2.planted = Some(fixed);
                vec![f1, f2]
            }
            _ => unreachable!("family kind {kind}"),
        };
        self.families.push(fam);
    }

    /// A stock background paragraph appended to several unrelated stories.
    pub fn stock(&mut self, hosts: &[(Article, u64)], stock: &str) {
        for (a, cluster) in hosts {
            let mut paras = self.base_paras(a);
            let r = self.root(stock, None);
            paras.push((stock.to_string(), r, Expect::Plain));
            let f = self.file(
                format!("{}-stock.txt", a.name),
                &a.title,
                paras,
                *cluster,
                "stock",
                "created",
                false,
            );
            self.families.push(vec![f]);
        }
    }

    /// A sentence of `src` quoted as its own paragraph in `host`.
    pub fn quote(&mut self, src: &Article, src_cluster: u64, host: &Article, cluster: u64) {
        let base = self.base_paras(src);
        let Some(i) = self.long_para(&src.title, &base) else {
            return;
        };
        let Some(s) = sentences(&base[i].0)
            .into_iter()
            .find(|s| (11..30).contains(&words(s)) && words(&base[i].0) >= 2 * words(s) + 2)
        else {
            return self.family(src, src_cluster, "single");
        };
        let f1 = self.file(
            format!("{}-v1.txt", src.name),
            &src.title,
            base.clone(),
            src_cluster,
            "quote-source",
            "created",
            false,
        );
        let mut paras = self.base_paras(host);
        let q = format!("“{}”", s.trim_end_matches(['.', '"', '”']));
        let r = self.root(&q, Some(base[i].1));
        paras.insert(paras.len().min(1), (q, r, Expect::Contained));
        let f2 = self.file(
            format!("{}-quoting.txt", host.name),
            &host.title,
            paras,
            cluster,
            "quote-host",
            "created",
            false,
        );
        self.families.push(vec![f1, f2]);
    }

    /// All files, families interleaved at random, each family in order.
    pub fn stream(mut self) -> Vec<File> {
        let mut fams: Vec<std::collections::VecDeque<File>> =
            self.families.drain(..).map(Into::into).collect();
        let mut out = Vec::new();
        while !fams.is_empty() {
            let i = self.rng.below(fams.len());
            if let Some(f) = fams[i].pop_front() {
                out.push(f);
            }
            if fams[i].is_empty() {
                fams.swap_remove(i);
            }
        }
        out
    }
}
