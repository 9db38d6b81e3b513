//! Start-up and `reindex`: what the near-duplicate tier needs from the
//! store.
//!
//! - The store records the [`Shape`] its payloads were built with (meta
//!   `dedup.shape`, JSON). Opening with another shape is refused with
//!   [`store::Error::Reindex`]: silently mixing payloads of two shapes
//!   would make every later match wrong.
//! - [`boot`] rebuilds the in-memory index from one scan of the `x`
//!   payloads (no block record is read): fingerprints into the index,
//!   the boilerplate flag into the boilerplate set.
//! - [`reindex`] rewrites every payload from the stored block texts
//!   (match keys re-derived with `normalize::match_key`), then records the
//!   new shape.

use crate::config::DedupParams;
use crate::fingerprint::{Payload, Scratch, Shape, fingerprint, word_count};
use crate::index::{Builder, Index};
use crate::model::BlockId;
use crate::normalize;
use crate::store::records::Counts;
use crate::store::{self, Store, WriteSet};
use rustc_hash::FxHashSet;
use serde::Serialize;
use std::time::Instant;

/// Meta key of the stored [`Shape`].
pub const SHAPE_META: &str = "dedup.shape";

/// How the index was rebuilt at start-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RebuildStats {
    /// Payload records scanned.
    pub records: u64,
    /// Blocks put in the index (the others are short boilerplate markers).
    pub indexed: u64,
    /// Postings in the rebuilt index.
    pub postings: u64,
    /// Learned boilerplate blocks known.
    pub boilerplate: u64,
    /// Wall time of scan plus build.
    pub seconds: f64,
    /// `records / seconds`.
    pub records_per_s: f64,
    /// Heap bytes of the index after the rebuild.
    pub heap_bytes: u64,
}

pub(super) struct Booted {
    pub index: Index,
    pub boilerplate: FxHashSet<BlockId>,
    pub stats: RebuildStats,
}

fn corrupt(prefix: char, e: impl std::fmt::Display) -> store::Error {
    store::Error::Corrupt {
        prefix,
        message: e.to_string(),
    }
}

fn write_shape(store: &Store, shape: &Shape) -> Result<(), store::Error> {
    let mut w = WriteSet::new();
    let json = serde_json::to_vec(shape).map_err(|e| corrupt('m', e))?;
    w.put_meta(SHAPE_META, json);
    store.apply(w)?;
    store.flush()
}

fn check_shape(store: &Store, want: &Shape, counts: &Counts) -> Result<(), store::Error> {
    match store.meta(SHAPE_META)? {
        Some(bytes) => {
            let found: Shape = serde_json::from_slice(&bytes).map_err(|e| corrupt('m', e))?;
            if found == *want {
                Ok(())
            } else {
                Err(store::Error::Reindex {
                    path: store.path().to_path_buf(),
                    found: found.describe(),
                    wanted: want.describe(),
                })
            }
        }
        None if counts.blocks == 0 => write_shape(store, want),
        None => Err(store::Error::Reindex {
            path: store.path().to_path_buf(),
            found: "no recorded index parameters".into(),
            wanted: want.describe(),
        }),
    }
}

#[allow(clippy::cast_precision_loss)]
fn rate(n: u64, secs: f64) -> f64 {
    if secs > 0.0 { n as f64 / secs } else { 0.0 }
}

/// Checks the stored shape and rebuilds the index.
pub(super) fn boot(
    store: &Store,
    params: &DedupParams,
    counts: &Counts,
) -> Result<Booted, store::Error> {
    let t = Instant::now();
    check_shape(store, &Shape::of(params), counts)?;
    let mut b = Builder::new();
    let mut boilerplate = FxHashSet::default();
    let (mut records, mut indexed) = (0u64, 0u64);
    for r in store.index_payloads() {
        let (id, bytes) = r?;
        let p = Payload::from_bytes(bytes).map_err(|e| corrupt('x', e))?;
        records += 1;
        if p.boilerplate() {
            boilerplate.insert(id);
        }
        if p.shingle_count() > 0 {
            indexed += 1;
            b.push(id, p.fingerprints());
        }
    }
    let index = b.finish();
    let seconds = t.elapsed().as_secs_f64();
    let s = index.stats();
    Ok(Booted {
        stats: RebuildStats {
            records,
            indexed,
            postings: s.postings,
            boilerplate: boilerplate.len() as u64,
            seconds,
            records_per_s: rate(records, seconds),
            heap_bytes: s.heap_bytes,
        },
        index,
        boilerplate,
    })
}

/// What `shingled reindex` did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReindexReport {
    /// Block records read.
    pub blocks: u64,
    /// Fingerprint payloads written (blocks long enough to fuzzy-match).
    pub payloads: u64,
    /// Bare payloads written for short learned-boilerplate blocks.
    pub boilerplate_markers: u64,
    /// Blocks whose stored text no longer yields their id under the current
    /// `match_key` (indexed from the text anyway; expected only after a
    /// normalizer change).
    pub rederived_mismatches: u64,
    /// The shape now recorded.
    pub shape: String,
    /// Wall time.
    pub seconds: f64,
    /// `blocks / seconds`.
    pub records_per_s: f64,
}

/// Ops per applied batch during `reindex`.
const REINDEX_BATCH: usize = 2048;

/// Rewrites every block's index payload for `params` and records the new
/// shape. Run with the daemon stopped (the store is opened directly).
///
/// # Errors
/// [`store::Error`] reading or writing the store. An interrupted reindex
/// leaves the old shape recorded, so the next start asks for it again.
pub fn reindex(store: &Store, params: &DedupParams) -> Result<ReindexReport, store::Error> {
    let t = Instant::now();
    let shape = Shape::of(params);
    let mut scratch = Scratch::default();
    let mut rep = ReindexReport::default();
    let mut w = WriteSet::new();
    let mut ops = 0;
    for r in store.blocks() {
        let (id, rec) = r?;
        rep.blocks += 1;
        let key = normalize::match_key(&rec.text);
        if BlockId::of_key(&key) != id {
            rep.rederived_mismatches += 1;
        }
        let words = u32::try_from(word_count(&key)).unwrap_or(u32::MAX);
        let payload = match fingerprint(&key, &shape, &mut scratch) {
            Some(p) => {
                rep.payloads += 1;
                Some(p)
            }
            None if rec.boilerplate => {
                rep.boilerplate_markers += 1;
                Some(Payload::bare(words))
            }
            None => None,
        };
        match payload {
            Some(mut p) => {
                p.set_boilerplate(rec.boilerplate);
                w.put_index(&id, p.into_bytes());
            }
            None => w.delete_index(&id),
        }
        ops += 1;
        if ops >= REINDEX_BATCH {
            store.apply(std::mem::take(&mut w))?;
            ops = 0;
        }
    }
    store.apply(w)?;
    write_shape(store, &shape)?;
    rep.shape = shape.describe();
    rep.seconds = t.elapsed().as_secs_f64();
    rep.records_per_s = rate(rep.blocks, rep.seconds);
    Ok(rep)
}

impl super::Committer {
    /// The `x` payloads of a file: new fingerprinted blocks, and the
    /// boilerplate flag of blocks learned as boilerplate.
    pub(super) fn index_writes(
        &self,
        ov: &super::Overlay,
        w: &mut WriteSet,
    ) -> Result<(), store::Error> {
        for (id, p) in &ov.pending {
            let mut p = p.clone();
            p.set_boilerplate(ov.learned.contains_key(id));
            w.put_index(id, p.into_bytes());
        }
        for (id, words) in &ov.learned {
            if ov.pending.iter().any(|(p, _)| p == id) {
                continue;
            }
            let mut p = match self.store.index_payload(id)? {
                Some(bytes) => Payload::from_bytes(bytes).map_err(|e| store::Error::Corrupt {
                    prefix: 'x',
                    message: e.to_string(),
                })?,
                None => Payload::bare(*words),
            };
            p.set_boilerplate(true);
            w.put_index(id, p.into_bytes());
        }
        Ok(())
    }
}
