//! One story through the writer: match every content block (exact tier,
//! then the near-duplicate tier), gather the candidate articles its blocks
//! point to, let `dedup::decide` judge, and apply the verdict to the
//! overlay (article head, version, block records, boilerplate learning,
//! the change-log event).

use super::{ArticleOutcome, BlockPrep, Committer, Overlay, Prep};
use crate::changelog::{BlockMatch, Event, EventKind};
use crate::dedup::{self, Decision, MatchedBlock, Relation};
use crate::fingerprint::Payload;
use crate::fingerprint::verify::classify;
use crate::index::matcher::{Match, better};
use crate::model::{ArticleId, Block, BlockId, Hash32, Parsed, Story};
use crate::normalize;
use crate::store::records::{ArticleHead, ArticleVersion, BlockRecord, BlockRef, SourceRef};
use crate::store::{self, Store};
use std::collections::BTreeSet;

/// One content block of the story after matching.
pub(super) struct Item<'a> {
    pub block: &'a Block,
    pub m: MatchedBlock,
    /// The stored record of the block itself (exact tier hit).
    pub rec: Option<BlockRecord>,
    /// The payload of a new fingerprinted block.
    pub payload: Option<Payload>,
}

/// What the matcher made of one block.
enum Found {
    /// Known boilerplate (exactly or near): dropped.
    Boilerplate(BlockMatch),
    /// Content.
    Content(
        MatchedBlock,
        Option<BlockRecord>,
        Option<Payload>,
        BlockMatch,
    ),
}

/// The file a story comes from.
pub(super) struct FileCtx<'a> {
    pub file: &'a str,
    pub blake3: &'a Hash32,
    pub at: &'a str,
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn report(b: &Block, id: BlockId, relation: &str, m: Option<&Match>) -> BlockMatch {
    BlockMatch {
        block: id.to_hex(),
        kind: b.kind.as_str().into(),
        relation: relation.into(),
        matched: m.map_or((relation != "new").then(|| id.to_hex()), |m| {
            Some(m.id.to_hex())
        }),
        jaccard: m.map(|m| round4(m.verdict.jaccard)),
        containment: m.map(|m| round4(m.verdict.containment)),
        numbers_differ: m.and_then(|m| m.verdict.numbers_differ.then_some(true)),
    }
}

fn corrupt_x(e: impl std::fmt::Display) -> store::Error {
    store::Error::Corrupt {
        prefix: 'x',
        message: e.to_string(),
    }
}

pub(super) fn load(store: &Store, id: &BlockId) -> Result<Option<Payload>, store::Error> {
    match store.index_payload(id)? {
        Some(bytes) => Payload::from_bytes(bytes).map(Some).map_err(corrupt_x),
        None => Ok(None),
    }
}

impl Committer {
    pub(super) fn ingest(
        &mut self,
        f: &FileCtx<'_>,
        parsed: &Parsed,
        prep: Option<Prep>,
        seq: &mut u64,
        ov: &mut Overlay,
    ) -> Result<Vec<ArticleOutcome>, store::Error> {
        let mut out = Vec::with_capacity(parsed.stories.len());
        let mut preps = prep.map(|p| p.stories.into_iter());
        for (i, story) in parsed.stories.iter().enumerate() {
            let prepared = preps.as_mut().and_then(Iterator::next);
            out.push(self.story(f, i, story, prepared, seq, ov)?);
        }
        Ok(out)
    }

    pub(super) fn block_rec(
        &self,
        ov: &Overlay,
        id: &BlockId,
    ) -> Result<Option<BlockRecord>, store::Error> {
        match ov.blocks.get(id) {
            Some(b) => Ok(Some(b.clone())),
            None => self.store.block(id),
        }
    }

    pub(super) fn head(
        &self,
        ov: &Overlay,
        id: &ArticleId,
    ) -> Result<Option<ArticleHead>, store::Error> {
        match ov.heads.get(id) {
            Some(h) => Ok(Some(h.clone())),
            None => self.store.head(id),
        }
    }

    pub(super) fn version(
        &self,
        ov: &Overlay,
        id: &ArticleId,
        v: u32,
    ) -> Result<Option<ArticleVersion>, store::Error> {
        match ov.versions.get(&(*id, v)) {
            Some(x) => Ok(Some(x.clone())),
            None => self.store.version(id, v),
        }
    }

    pub(super) fn is_boilerplate(&self, ov: &Overlay, id: &BlockId) -> bool {
        self.boilerplate.contains(id) || ov.learned.contains_key(id)
    }

    /// The best verified near-duplicate among indexed blocks and this
    /// file's pending ones.
    fn fuzzy(&mut self, ov: &Overlay, q: &Payload) -> Result<Option<Match>, store::Error> {
        let (store, payloads) = (&self.store, &self.payloads);
        let (bp, learned) = (&self.boilerplate, &ov.learned);
        let is_bp = |id: &BlockId| bp.contains(id) || learned.contains_key(id);
        let mut best = self
            .matcher
            .best(q, &self.params, |id| payloads.get(store, id), is_bp)?;
        for (id, p) in &ov.pending {
            let b = is_bp(id);
            if let Some(verdict) = classify(q, p, &self.params, b) {
                let m = Match {
                    id: *id,
                    verdict,
                    boilerplate: b,
                };
                if best.as_ref().is_none_or(|x| better(&m, x)) {
                    best = Some(m);
                }
            }
        }
        Ok(best)
    }

    /// Exact tier, then (for blocks long enough) the near-duplicate tier.
    fn match_block(
        &mut self,
        ov: &Overlay,
        b: &Block,
        prep: BlockPrep,
    ) -> Result<Found, store::Error> {
        let BlockPrep { id, words, payload } = prep;
        let mb = |relation, matched, numbers_differ, minor| MatchedBlock {
            id,
            relation,
            matched,
            weight: words,
            numbers_differ,
            minor,
        };
        let rec = if ov.blocks.contains_key(&id) || self.known.may_hold(&id) {
            self.block_rec(ov, &id)?
        } else {
            None
        };
        if let Some(rec) = rec {
            if rec.boilerplate || self.is_boilerplate(ov, &id) {
                return Ok(Found::Boilerplate(report(b, id, "boilerplate", None)));
            }
            let r = report(b, id, "exact", None);
            return Ok(Found::Content(
                mb(Relation::Exact, Some(id), false, false),
                Some(rec),
                None,
                r,
            ));
        }
        let Some(q) = payload else {
            return Ok(Found::Content(
                mb(Relation::New, None, false, false),
                None,
                None,
                report(b, id, "new", None),
            ));
        };
        Ok(match self.fuzzy(ov, &q)? {
            Some(m) if m.boilerplate => Found::Boilerplate(report(b, id, "boilerplate", Some(&m))),
            Some(m) => {
                let v = m.verdict;
                let r = report(b, id, v.relation.as_str(), Some(&m));
                Found::Content(
                    mb(v.relation, Some(m.id), v.numbers_differ, v.minor()),
                    None,
                    Some(q),
                    r,
                )
            }
            None => Found::Content(
                mb(Relation::New, None, false, false),
                None,
                Some(q),
                report(b, id, "new", None),
            ),
        })
    }

    fn story(
        &mut self,
        f: &FileCtx<'_>,
        index: usize,
        story: &Story,
        prepared: Option<Vec<BlockPrep>>,
        seq: &mut u64,
        ov: &mut Overlay,
    ) -> Result<ArticleOutcome, store::Error> {
        let this_seq = *seq;
        let mut prepared = prepared
            .filter(|p| p.len() == story.body().count())
            .map(Vec::into_iter);
        // 1. Match every content block; drop known boilerplate.
        let mut items: Vec<Item<'_>> = Vec::new();
        let mut reports = Vec::new();
        let mut seen = BTreeSet::new();
        for b in story.body() {
            let prep = match prepared.as_mut().and_then(Iterator::next) {
                Some(p) => p,
                None => BlockPrep::of(b, &self.shape, &mut self.scratch),
            };
            if !seen.insert(prep.id) {
                continue;
            }
            match self.match_block(ov, b, prep)? {
                Found::Boilerplate(r) => {
                    ov.counts.boilerplate_seen += 1;
                    reports.push(r);
                }
                Found::Content(m, rec, payload, r) => {
                    reports.push(r);
                    items.push(Item {
                        block: b,
                        m,
                        rec,
                        payload,
                    });
                }
            }
        }
        // 2. Candidates and the verdict.
        let mut candidates = self.candidates(ov, &items)?;
        for c in &mut candidates {
            self.coverage(ov, &items, c)?;
        }
        let matched: Vec<MatchedBlock> = items.iter().map(|it| it.m.clone()).collect();
        let title = story.title.as_deref().map(normalize::match_key);
        let decision = dedup::decide(&matched, title.as_deref(), &candidates, &self.params);
        // 3. Apply it.
        let src = SourceRef {
            file: f.file.to_string(),
            blake3: *f.blake3,
            received: f.at.to_string(),
            story: u32::try_from(index).unwrap_or(u32::MAX),
            seq: this_seq,
            url: story.url.clone(),
            site: story.site.clone(),
        };
        let (kind, aid, version, score, diff) = match decision {
            Decision::Create => {
                let aid = ArticleId::derive(f.blake3, index);
                let head = ArticleHead {
                    id: aid,
                    version: 1,
                    sources: vec![src],
                    created_seq: this_seq,
                    last_seq: this_seq,
                };
                ov.versions
                    .insert((aid, 1), new_version(1, story, &items, this_seq));
                ov.heads.insert(aid, head);
                ov.counts.articles += 1;
                ov.counts.versions += 1;
                (EventKind::Created, aid, 1, None, None)
            }
            Decision::Duplicate { of, score } => {
                let mut head = self.head(ov, &of)?.ok_or_else(|| missing(&of))?;
                head.sources.push(src);
                head.last_seq = this_seq;
                let v = head.version;
                ov.heads.insert(of, head);
                (EventKind::Duplicate, of, v, Some(round4(score)), None)
            }
            Decision::Update { of, score, diff } => {
                let mut head = self.head(ov, &of)?.ok_or_else(|| missing(&of))?;
                head.version += 1;
                head.sources.push(src);
                head.last_seq = this_seq;
                let v = head.version;
                ov.versions
                    .insert((of, v), new_version(v, story, &items, this_seq));
                ov.heads.insert(of, head);
                ov.counts.versions += 1;
                (EventKind::Updated, of, v, Some(round4(score)), Some(diff))
            }
        };
        // 4. Block records: count this file and this article; learn
        //    boilerplate; queue the payloads of new fingerprinted blocks.
        for it in items {
            self.touch_block(ov, it, aid, this_seq);
        }
        let mut e = Event::new(this_seq, f.at, kind);
        e.article = Some(aid.to_hex());
        e.version = Some(version);
        e.file = Some(f.file.to_string());
        e.blake3 = Some(f.blake3.to_hex());
        e.story = Some(u32::try_from(index).unwrap_or(u32::MAX));
        e.score = score;
        e.diff = diff;
        e.blocks = Some(reports.clone());
        ov.events.push(e);
        *seq += 1;
        Ok(ArticleOutcome {
            id: aid.to_hex(),
            version,
            change: kind.change_name(),
            seq: this_seq,
            blocks: reports,
        })
    }

    fn touch_block(&self, ov: &mut Overlay, it: Item<'_>, aid: ArticleId, seq: u64) {
        let id = it.m.id;
        let first_in_file = !ov.blocks.contains_key(&id);
        let mut r = match it.rec {
            Some(r) => r,
            None => {
                ov.counts.blocks += 1;
                if let Some(p) = it.payload {
                    ov.pending.push((id, p));
                }
                BlockRecord {
                    kind: it.block.kind,
                    text: it.block.text.clone(),
                    first_seq: seq,
                    sources: 0,
                    articles: vec![],
                    articles_total: 0,
                    boilerplate: false,
                }
            }
        };
        if first_in_file || r.sources == 0 {
            r.sources += 1;
        }
        if !r.articles.contains(&aid) {
            r.articles_total += 1;
            if r.articles.len() < super::MAX_ARTICLES_PER_BLOCK {
                r.articles.push(aid);
            }
        }
        let short = (it.m.weight as usize) < self.params.min_fuzzy_words;
        let need = if short {
            self.params.boilerplate_min_articles
        } else {
            self.params.boilerplate_min_articles_long
        };
        if !r.boilerplate && r.articles_total >= need {
            r.boilerplate = true;
            ov.counts.boilerplate_learned += 1;
            ov.learned.insert(id, it.m.weight);
        }
        ov.blocks.insert(id, r);
    }
}

fn missing(a: &ArticleId) -> store::Error {
    store::Error::Corrupt {
        prefix: 'h',
        message: format!("article {a} is a candidate but has no head"),
    }
}

fn new_version(version: u32, story: &Story, items: &[Item<'_>], seq: u64) -> ArticleVersion {
    ArticleVersion {
        version,
        title: story.title.clone(),
        title_inferred: story.title_inferred,
        published: story.published.map(|t| t.to_rfc3339()),
        updated: story.updated.map(|t| t.to_rfc3339()),
        dateline: story.dateline.clone(),
        byline: story.byline.clone(),
        blocks: items
            .iter()
            .map(|it| BlockRef {
                id: it.m.id,
                kind: it.block.kind,
                words: it.m.weight,
            })
            .collect(),
        seq,
    }
}
