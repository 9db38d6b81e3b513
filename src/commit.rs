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
//! - Idempotent by content and name: bytes already ingested are recognised
//!   by their blake3; under a name they arrived under before (the first
//!   name, or one recorded in the `n` table, see `commit::names`) nothing is
//!   written at all, so a crash between flush and archive replays
//!   harmlessly for every kind of file; under a new name one
//!   `file.unchanged` (or, rejected, `file.quarantined`) event is written
//!   and the name recorded with it.
//! - Deterministic: decisions depend only on the input order and stored
//!   data, never on the clock (the clock only fills `at`/`received`).
//! - If applying fails, the writer's in-memory state is left as it was, so
//!   the same file can be retried. The near-duplicate index is part of that
//!   state: a file's new blocks are searched from the overlay while the
//!   file is decided and enter the index only once its write set applied.
//! - The index is rebuilt from the store in [`Committer::new`] (see
//!   `commit::boot`), so a restart changes no decision.
//!
//! Block matching, candidates and the decision per story live in
//! `commit::story`.

mod boot;
mod candidates;
mod known;
mod names;
mod payloads;
mod prep;
mod story;
mod summaries;

pub use boot::{RebuildStats, ReindexReport, SHAPE_META, reindex};
pub use prep::{BlockPrep, Prep};

use crate::changelog::{BlockMatch, Event, EventKind};
use crate::config::DedupParams;
use crate::fingerprint::{Payload, Scratch, Shape};
use crate::index::IndexStats;
use crate::index::matcher::Matcher;
use crate::model::{ArticleId, BlockId, Hash32, Parsed, Rejection};
use crate::store::records::{ArticleHead, ArticleVersion, BlockRecord, Counts, SourceRecord};
use crate::store::{self, Store, WriteSet};
use rustc_hash::FxHashSet;
use serde::Serialize;
use std::collections::BTreeMap;
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
    /// Per-block ids and fingerprints computed off the writer thread
    /// ([`Input::prepare`]); `None` lets the writer compute them.
    pub prep: Option<Prep>,
}

impl Input {
    /// Does the writer's pure per-block work now, on the caller's thread
    /// (see `commit::prep`). Does nothing for a rejected file.
    pub fn prepare(&mut self, shape: &Shape) {
        if let Ok(parsed) = &self.analysis {
            self.prep = Some(Prep::of(parsed, shape));
        }
    }
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
    shape: Shape,
    next_seq: u64,
    counts: Counts,
    clock: Box<dyn Fn() -> String + Send>,
    /// The near-duplicate tier (in memory, rebuilt at start-up).
    matcher: Matcher,
    /// Learned boilerplate, for dropping it from article similarity
    /// without a read per block (membership only, never iterated).
    boilerplate: FxHashSet<BlockId>,
    rebuild: RebuildStats,
    scratch: Scratch,
    /// Decoded payloads of recent and recently read blocks.
    payloads: payloads::Payloads,
    /// Which block ids the store may hold (spares sled the lookups of new
    /// blocks; conservative, so decisions never depend on it).
    known: known::Known,
    /// Candidate articles' versions, as decisions need them.
    summaries: summaries::Summaries,
}

impl std::fmt::Debug for Committer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Committer")
            .field("next_seq", &self.next_seq)
            .field("index", &self.matcher.index.stats())
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
    /// New fingerprinted blocks of this file, in order: searched directly
    /// by later stories, indexed once the file applied.
    pending: Vec<(BlockId, Payload)>,
    /// Blocks learned as boilerplate by this file, with their word counts.
    learned: BTreeMap<BlockId, u32>,
}

impl Committer {
    /// A writer over `store`, continuing its change log. Checks that the
    /// store's index parameters match `params` and rebuilds the in-memory
    /// near-duplicate index from the stored payloads (one scan; the daemon
    /// is not ready before this returns).
    ///
    /// # Errors
    /// [`store::Error::Reindex`] when the store was indexed with other
    /// parameters; other [`store::Error`]s reading the store.
    pub fn new(store: Arc<Store>, params: DedupParams) -> Result<Self, store::Error> {
        names::complete(&store)?;
        let next_seq = store.last_seq()? + 1;
        let counts = store.counts()?;
        let booted = boot::boot(&store, &params, &counts)?;
        let known = known::Known::start(&store, counts.blocks);
        tracing::info!(
            blocks = booted.stats.records,
            indexed = booted.stats.indexed,
            postings = booted.stats.postings,
            seconds = booted.stats.seconds,
            records_per_s = booted.stats.records_per_s,
            "near-duplicate index rebuilt"
        );
        Ok(Committer {
            shape: Shape::of(&params),
            store,
            params: params.clone(),
            next_seq,
            counts,
            clock: Box::new(now_rfc3339),
            matcher: Matcher::new(booted.index),
            boilerplate: booted.boilerplate,
            rebuild: booted.stats,
            scratch: Scratch::default(),
            payloads: payloads::Payloads::new(params.payload_cache_mb),
            known,
            summaries: summaries::Summaries::new(),
        })
    }

    /// How the index was rebuilt at start-up (records scanned, seconds).
    #[must_use]
    pub fn rebuild_stats(&self) -> RebuildStats {
        self.rebuild
    }

    /// The index's current sizes.
    #[must_use]
    pub fn index_stats(&self) -> IndexStats {
        self.matcher.index.stats()
    }

    /// The dedup parameters in force.
    #[must_use]
    pub fn params(&self) -> &DedupParams {
        &self.params
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
        let prep = input.prep.filter(|p| p.shape == self.shape);
        let prior = self.store.source(&input.blake3)?;
        // The seq these bytes got under this name before, if they came under
        // it: the first name is in the source record, later ones in `n`.
        let replay = match &prior {
            None => None,
            Some(p) if p.file == input.file => Some(p.seq),
            Some(_) => self.store.name_seq(&input.blake3, &input.file)?,
        };
        let mut ov = Overlay {
            counts: self.counts.clone(),
            ..Overlay::default()
        };
        let mut w = WriteSet::new();
        let mut seq = self.next_seq;
        let outcome = match input.analysis {
            Err(rej) => {
                // A first name whose bytes were ingested, then rejected (a
                // lower cap), gets its event; any other known name is a replay.
                let same = replay.is_some()
                    && prior
                        .as_ref()
                        .is_some_and(|p| p.articles.is_empty() || p.file != input.file);
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
                    if prior.as_ref().is_some_and(|p| p.file != input.file) {
                        w.put_name(&input.blake3, &input.file, seq);
                    }
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
                Some(p) => {
                    let (o, event) =
                        self.unchanged(&input.file, &input.blake3, &p, replay, &at, &mut seq);
                    if let Some(e) = event {
                        w.put_name(&input.blake3, &input.file, e.seq);
                        ov.events.push(e);
                    }
                    o
                }
                None => {
                    let ctx = story::FileCtx {
                        file: &input.file,
                        blake3: &input.blake3,
                        at: &at,
                    };
                    let articles = self.ingest(&ctx, &parsed, prep, &mut seq, &mut ov)?;
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
        self.index_writes(&ov, &mut w)?;
        if !ov.events.is_empty() || !w.is_empty() {
            w.put_counts(&ov.counts);
        }
        self.store.apply(w)?;
        self.next_seq = seq;
        self.counts = ov.counts;
        for id in ov.blocks.keys() {
            self.known.add(id);
        }
        for id in ov.learned.keys() {
            self.payloads.forget(id);
        }
        for (id, mut p) in ov.pending {
            self.matcher.index.insert(id, p.fingerprints());
            p.set_boilerplate(ov.learned.contains_key(&id));
            self.payloads.put(id, p);
        }
        self.boilerplate.extend(ov.learned.keys().copied());
        Ok((outcome, ov.events))
    }

    /// Ingested bytes again: under a name they came under before
    /// (`replay`, the seq they got then) nothing happens; under a new name
    /// one `file.unchanged` event (returned, not yet applied).
    fn unchanged(
        &self,
        file: &str,
        blake3: &Hash32,
        prior: &SourceRecord,
        replay: Option<u64>,
        at: &str,
        seq: &mut u64,
    ) -> (Outcome, Option<Event>) {
        let mut event_seq = replay.unwrap_or(prior.seq);
        let mut event = None;
        if replay.is_none() {
            let mut e = Event::new(*seq, at, EventKind::Unchanged);
            e.file = Some(file.to_string());
            e.blake3 = Some(blake3.to_hex());
            e.article = prior.articles.first().map(|(a, _)| a.to_hex());
            e.version = prior.articles.first().map(|(_, v)| *v);
            e.articles = Some(prior.articles.iter().map(|(a, _)| a.to_hex()).collect());
            event = Some(e);
            event_seq = *seq;
            *seq += 1;
        }
        let outcome = Outcome {
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
        };
        (outcome, event)
    }
}
