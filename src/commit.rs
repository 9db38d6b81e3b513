//! The commit stage: the single writer. It decides what each analyzed file
//! means against everything stored before it, stamps change-log sequence
//! numbers, and applies the file's whole effect as one atomic write set.
//!
//! Contract (the daemon's crash safety rests on it):
//! - One [`Committer`] per store; it owns `next_seq`, so the change log is
//!   gap-free and ordered. Nothing else writes.
//! - [`Committer::commit`] applies one file atomically but does not make it
//!   durable; [`Committer::flush`] does, for every file committed so far
//!   (group commit). A file counts as done only after the flush.
//! - Idempotent by content: bytes already ingested are recognised by their
//!   blake3; under the same name nothing is written at all (a crash between
//!   flush and archive therefore replays harmlessly), under another name one
//!   `file.unchanged` event is written.
//! - Deterministic: decisions depend only on the input order and stored
//!   data, never on the clock (the clock only fills `at`/`received`).
//! - If applying fails, the writer's in-memory state is left as it was, so
//!   the same file can be retried.

use crate::changelog::{BlockMatch, Event, EventKind};
use crate::config::DedupParams;
use crate::dedup::{self, Candidate, Decision, MatchedBlock, Relation};
use crate::model::{ArticleId, Block, BlockId, Hash32, Parsed, Rejection, Story};
use crate::store::records::{
    ArticleHead, ArticleVersion, BlockRecord, BlockRef, Counts, SourceRecord, SourceRef,
};
use crate::store::{self, Store, WriteSet};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A block remembers at most this many of the articles holding it; beyond
/// that it is counted (`articles_total`) and is learned boilerplate anyway.
pub const MAX_ARTICLES_PER_BLOCK: usize = 32;

/// A file ready for the writer.
#[derive(Debug)]
pub struct Input {
    /// The name as dropped (no folder).
    pub file: String,
    /// blake3 of the bytes.
    pub blake3: Hash32,
    /// What analysis made of it.
    pub analysis: Result<Parsed, Rejection>,
}

/// One article a file's story went to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleOutcome {
    /// Article id.
    pub id: String,
    /// Its version after this file.
    pub version: u32,
    /// `created`, `updated` or `duplicate`.
    pub change: &'static str,
    /// The change-log seq of the event.
    pub seq: u64,
    /// How each content block matched (empty for unchanged files).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<BlockMatch>,
}

/// What happened to one file: the `ingest` output line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The name as dropped.
    pub file: String,
    /// blake3 of the bytes.
    pub blake3: String,
    /// `ingested`, `unchanged` or `quarantined`.
    pub outcome: &'static str,
    /// The reason code when quarantined.
    pub reason: Option<String>,
    /// What was wrong, when quarantined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The stage that rejected it, when quarantined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<&'static str>,
    /// One entry per story.
    pub articles: Vec<ArticleOutcome>,
}

/// The single writer.
pub struct Committer {
    store: Arc<Store>,
    params: DedupParams,
    next_seq: u64,
    counts: Counts,
    clock: Box<dyn Fn() -> String + Send>,
}

impl std::fmt::Debug for Committer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Committer")
            .field("next_seq", &self.next_seq)
            .finish_non_exhaustive()
    }
}

/// The current UTC time in RFC 3339 (the default clock).
#[must_use]
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// Reads and pending writes of one file: later stories of the same file
/// see earlier ones.
#[derive(Default)]
struct Overlay {
    blocks: BTreeMap<BlockId, BlockRecord>,
    heads: BTreeMap<ArticleId, ArticleHead>,
    versions: BTreeMap<(ArticleId, u32), ArticleVersion>,
    events: Vec<Event>,
    counts: Counts,
}

impl Committer {
    /// A writer over `store`, continuing its change log.
    ///
    /// # Errors
    /// [`store::Error`] reading the last seq or the counts.
    pub fn new(store: Arc<Store>, params: DedupParams) -> Result<Self, store::Error> {
        let next_seq = store.last_seq()? + 1;
        let counts = store.counts()?;
        Ok(Committer {
            store,
            params,
            next_seq,
            counts,
            clock: Box::new(now_rfc3339),
        })
    }

    /// Replaces the clock (tests use a fixed one).
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> String + Send + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The counts including everything committed so far.
    #[must_use]
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// The seq the next event will get.
    #[must_use]
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Makes every committed file durable.
    ///
    /// # Errors
    /// [`store::Error::Io`]; retry.
    pub fn flush(&self) -> Result<(), store::Error> {
        self.store.flush()
    }

    /// Decides and applies one file (atomically, not yet durable).
    ///
    /// # Errors
    /// [`store::Error`]; nothing was applied and the writer is unchanged.
    pub fn commit(&mut self, input: Input) -> Result<(Outcome, Vec<Event>), store::Error> {
        let at = (self.clock)();
        let prior = self.store.source(&input.blake3)?;
        let mut ov = Overlay {
            counts: self.counts.clone(),
            ..Overlay::default()
        };
        let mut w = WriteSet::new();
        let mut seq = self.next_seq;
        let outcome = match input.analysis {
            Err(rej) => {
                let same = prior
                    .as_ref()
                    .is_some_and(|p| p.articles.is_empty() && p.file == input.file);
                if !same {
                    let mut e = Event::new(seq, &at, EventKind::Quarantined);
                    e.file = Some(input.file.clone());
                    e.blake3 = Some(input.blake3.to_hex());
                    e.reason = Some(rej.reason.as_str().into());
                    e.message = Some(rej.message.clone());
                    ov.events.push(e);
                    ov.counts.quarantined += 1;
                    // Rejections are remembered only so that a replay of
                    // the same name after a crash adds no second event; the
                    // bytes are evaluated afresh every time.
                    if prior.is_none() {
                        w.put_source(
                            &input.blake3,
                            &SourceRecord {
                                file: input.file.clone(),
                                received: at.clone(),
                                seq,
                                articles: vec![],
                            },
                        );
                    }
                    seq += 1;
                }
                Outcome {
                    file: input.file,
                    blake3: input.blake3.to_hex(),
                    outcome: "quarantined",
                    reason: Some(rej.reason.as_str().into()),
                    message: Some(rej.message),
                    stage: Some(rej.stage),
                    articles: vec![],
                }
            }
            Ok(parsed) => match prior.filter(|p| !p.articles.is_empty()) {
                Some(p) => self.unchanged(&input.file, &input.blake3, &p, &at, &mut seq, &mut ov),
                None => {
                    let articles =
                        self.ingest(&input.file, &input.blake3, &parsed, &at, &mut seq, &mut ov)?;
                    let rec = SourceRecord {
                        file: input.file.clone(),
                        received: at.clone(),
                        seq: seq - 1,
                        articles: articles
                            .iter()
                            .filter_map(|a| ArticleId::from_hex(&a.id).map(|id| (id, a.version)))
                            .collect(),
                    };
                    w.put_source(&input.blake3, &rec);
                    ov.counts.sources += 1;
                    ov.counts.boilerplate_seen += parsed.boilerplate as u64;
                    Outcome {
                        file: input.file,
                        blake3: input.blake3.to_hex(),
                        outcome: "ingested",
                        reason: None,
                        message: None,
                        stage: None,
                        articles,
                    }
                }
            },
        };
        for (id, b) in &ov.blocks {
            w.put_block(id, b);
        }
        for h in ov.heads.values() {
            w.put_head(h);
        }
        for ((id, _), v) in &ov.versions {
            w.put_version(id, v);
        }
        for e in &ov.events {
            w.put_change(e.seq, e.to_json());
        }
        if !ov.events.is_empty() || !w.is_empty() {
            w.put_counts(&ov.counts);
        }
        self.store.apply(w)?;
        self.next_seq = seq;
        self.counts = ov.counts;
        Ok((outcome, ov.events))
    }

    fn unchanged(
        &self,
        file: &str,
        blake3: &Hash32,
        prior: &SourceRecord,
        at: &str,
        seq: &mut u64,
        ov: &mut Overlay,
    ) -> Outcome {
        let mut event_seq = prior.seq;
        if prior.file != file {
            let mut e = Event::new(*seq, at, EventKind::Unchanged);
            e.file = Some(file.to_string());
            e.blake3 = Some(blake3.to_hex());
            e.article = prior.articles.first().map(|(a, _)| a.to_hex());
            e.version = prior.articles.first().map(|(_, v)| *v);
            e.articles = Some(prior.articles.iter().map(|(a, _)| a.to_hex()).collect());
            ov.events.push(e);
            event_seq = *seq;
            *seq += 1;
        }
        Outcome {
            file: file.to_string(),
            blake3: blake3.to_hex(),
            outcome: "unchanged",
            reason: None,
            message: None,
            stage: None,
            articles: prior
                .articles
                .iter()
                .map(|(a, v)| ArticleOutcome {
                    id: a.to_hex(),
                    version: *v,
                    change: "duplicate",
                    seq: event_seq,
                    blocks: vec![],
                })
                .collect(),
        }
    }

    fn block_rec(&self, ov: &Overlay, id: &BlockId) -> Result<Option<BlockRecord>, store::Error> {
        match ov.blocks.get(id) {
            Some(b) => Ok(Some(b.clone())),
            None => self.store.block(id),
        }
    }

    fn head(&self, ov: &Overlay, id: &ArticleId) -> Result<Option<ArticleHead>, store::Error> {
        match ov.heads.get(id) {
            Some(h) => Ok(Some(h.clone())),
            None => self.store.head(id),
        }
    }

    fn version(
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

    /// Matches one content block against stored blocks. Exact tier only:
    /// the same match key is the same block.
    fn match_block(
        &self,
        ov: &Overlay,
        id: BlockId,
        _block: &Block,
    ) -> Result<(MatchedBlock, Option<BlockRecord>), store::Error> {
        let rec = self.block_rec(ov, &id)?;
        let m = match &rec {
            Some(_) => MatchedBlock {
                id,
                relation: Relation::Exact,
                matched: Some(id),
            },
            None => MatchedBlock {
                id,
                relation: Relation::New,
                matched: None,
            },
        };
        Ok((m, rec))
    }

    #[allow(clippy::too_many_arguments)]
    fn ingest(
        &self,
        file: &str,
        blake3: &Hash32,
        parsed: &Parsed,
        at: &str,
        seq: &mut u64,
        ov: &mut Overlay,
    ) -> Result<Vec<ArticleOutcome>, store::Error> {
        let mut out = Vec::with_capacity(parsed.stories.len());
        for (i, story) in parsed.stories.iter().enumerate() {
            out.push(self.story(file, blake3, i, story, at, seq, ov)?);
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn story(
        &self,
        file: &str,
        blake3: &Hash32,
        index: usize,
        story: &Story,
        at: &str,
        seq: &mut u64,
        ov: &mut Overlay,
    ) -> Result<ArticleOutcome, store::Error> {
        let this_seq = *seq;
        // 1. Match every content block; drop learned boilerplate.
        let mut content: Vec<(&Block, MatchedBlock, Option<BlockRecord>)> = Vec::new();
        let mut report = Vec::new();
        let mut seen = BTreeSet::new();
        for b in story.body() {
            let id = BlockId::of_key(&b.key);
            if !seen.insert(id) {
                continue;
            }
            let (m, rec) = self.match_block(ov, id, b)?;
            if rec.as_ref().is_some_and(|r| r.boilerplate) {
                ov.counts.boilerplate_seen += 1;
                report.push(block_match(b, &m, "boilerplate"));
                continue;
            }
            report.push(block_match(b, &m, m.relation.as_str()));
            content.push((b, m, rec));
        }
        // 2. Candidate articles: those holding a matched block, in id order.
        let mut cand_ids = BTreeSet::new();
        for (_, m, rec) in &content {
            if let Some(r) = rec {
                cand_ids.extend(r.articles.iter().copied());
            }
            if let Some(mid) = m.matched.filter(|mid| *mid != m.id)
                && let Some(r) = self.block_rec(ov, &mid)?
            {
                cand_ids.extend(r.articles.iter().copied());
            }
        }
        let mut candidates = Vec::with_capacity(cand_ids.len());
        for aid in cand_ids {
            if let Some(h) = self.head(ov, &aid)?
                && let Some(v) = self.version(ov, &aid, h.version)?
            {
                candidates.push(Candidate {
                    id: aid,
                    version: h.version,
                    blocks: v.blocks.iter().map(|b| b.id).collect(),
                });
            }
        }
        let matched: Vec<MatchedBlock> = content.iter().map(|(_, m, _)| m.clone()).collect();
        let decision = dedup::decide(&matched, &candidates, &self.params);
        let src = SourceRef {
            file: file.to_string(),
            blake3: *blake3,
            received: at.to_string(),
            story: u32::try_from(index).unwrap_or(u32::MAX),
        };
        // 3. Apply the decision to the overlay.
        let (kind, aid, version, score, diff) = match decision {
            Decision::Create => {
                let aid = ArticleId::derive(blake3, index);
                let head = ArticleHead {
                    id: aid,
                    version: 1,
                    sources: vec![src],
                    created_seq: this_seq,
                    last_seq: this_seq,
                };
                ov.versions
                    .insert((aid, 1), new_version(1, story, &content, this_seq));
                ov.heads.insert(aid, head);
                ov.counts.articles += 1;
                ov.counts.versions += 1;
                (EventKind::Created, aid, 1, None, None)
            }
            Decision::Duplicate { of, score } => {
                let mut head = self
                    .head(ov, &of)?
                    .expect("BUG: a candidate article always has a head");
                head.sources.push(src);
                head.last_seq = this_seq;
                let v = head.version;
                ov.heads.insert(of, head);
                (EventKind::Duplicate, of, v, Some(score), None)
            }
            Decision::Update { of, score, diff } => {
                let mut head = self
                    .head(ov, &of)?
                    .expect("BUG: a candidate article always has a head");
                head.version += 1;
                head.sources.push(src);
                head.last_seq = this_seq;
                let v = head.version;
                ov.versions
                    .insert((of, v), new_version(v, story, &content, this_seq));
                ov.heads.insert(of, head);
                ov.counts.versions += 1;
                (EventKind::Updated, of, v, Some(score), Some(diff))
            }
        };
        // 4. Block records: count this file and this article.
        for (b, m, rec) in content {
            let mut r = rec.unwrap_or_else(|| {
                ov.counts.blocks += 1;
                BlockRecord {
                    kind: b.kind,
                    text: b.text.clone(),
                    first_seq: this_seq,
                    sources: 0,
                    articles: vec![],
                    articles_total: 0,
                    boilerplate: false,
                }
            });
            if !ov.blocks.contains_key(&m.id) || r.sources == 0 {
                r.sources += 1;
            }
            if !r.articles.contains(&aid) {
                r.articles_total += 1;
                if r.articles.len() < MAX_ARTICLES_PER_BLOCK {
                    r.articles.push(aid);
                }
            }
            if !r.boilerplate && r.articles_total >= self.params.boilerplate_min_articles {
                r.boilerplate = true;
                ov.counts.boilerplate_learned += 1;
            }
            ov.blocks.insert(m.id, r);
        }
        let mut e = Event::new(this_seq, at, kind);
        e.article = Some(aid.to_hex());
        e.version = Some(version);
        e.file = Some(file.to_string());
        e.blake3 = Some(blake3.to_hex());
        e.story = Some(u32::try_from(index).unwrap_or(u32::MAX));
        e.score = score;
        e.diff = diff;
        e.blocks = Some(report.clone());
        ov.events.push(e);
        *seq += 1;
        Ok(ArticleOutcome {
            id: aid.to_hex(),
            version,
            change: kind.change_name(),
            seq: this_seq,
            blocks: report,
        })
    }
}

fn block_match(b: &Block, m: &MatchedBlock, relation: &str) -> BlockMatch {
    BlockMatch {
        block: m.id.to_hex(),
        kind: b.kind.as_str().into(),
        relation: relation.into(),
        matched: m.matched.map(|x| x.to_hex()),
        jaccard: None,
        containment: None,
    }
}

fn new_version(
    version: u32,
    story: &Story,
    content: &[(&Block, MatchedBlock, Option<BlockRecord>)],
    seq: u64,
) -> ArticleVersion {
    ArticleVersion {
        version,
        title: story.title.clone(),
        title_inferred: story.title_inferred,
        published: story.published.map(|t| t.to_rfc3339()),
        updated: story.updated.map(|t| t.to_rfc3339()),
        dateline: story.dateline.clone(),
        byline: story.byline.clone(),
        blocks: content
            .iter()
            .map(|(b, m, _)| BlockRef {
                id: m.id,
                kind: b.kind,
            })
            .collect(),
        seq,
    }
}
