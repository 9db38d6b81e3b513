//! The writer's cache of decoded shingle payloads.
//!
//! Verifying a near-duplicate candidate needs its stored shingle set; on
//! the peers' 200k-paragraph stream those reads were the largest single
//! cost of `ingest` (a fifth of its time in sled lookups). Recent blocks
//! are the likeliest matches (updates follow their story within hours), so
//! a bounded cache of decoded payloads, filled on read and with every block
//! the writer stores, answers most of them from memory.
//!
//! Speed only: the cache always agrees with the store (the writer is the
//! only one writing payloads, and it updates the cache only after a file's
//! write set applied), so no decision depends on what it holds.

use crate::fingerprint::Payload;
use crate::model::BlockId;
use crate::store::{self, Store};
use quick_cache::Weighter;
use quick_cache::unsync::Cache;
use std::cell::RefCell;
use std::sync::Arc;

/// Bytes an entry costs beyond its payload: the key, the `Vec` header and
/// the cache's own slot.
const ENTRY_OVERHEAD: u64 = 64;

/// Share of the cache for entries read more than once.
const HOT_SHARE: f64 = 0.5;

#[derive(Clone)]
struct ByBytes;

impl Weighter<BlockId, Arc<Payload>> for ByBytes {
    fn weight(&self, _: &BlockId, p: &Arc<Payload>) -> u64 {
        p.as_bytes().len() as u64 + ENTRY_OVERHEAD
    }
}

/// Shared, so a hit costs a reference count rather than a copy.
type Inner = Cache<BlockId, Arc<Payload>, ByBytes, rustc_hash::FxBuildHasher>;

/// A read-through cache of payloads, bounded in bytes.
pub(super) struct Payloads {
    /// `RefCell`: reads fill it from `&self` paths; the writer is one
    /// thread and never holds a borrow across a call.
    cache: Option<RefCell<Inner>>,
}

impl Payloads {
    /// A cache of at most `mb` MiB; 0 disables it.
    pub(super) fn new(mb: usize) -> Payloads {
        let bytes = (mb as u64) << 20;
        let cache = (mb > 0).then(|| {
            let items = usize::try_from(bytes / 200).unwrap_or(usize::MAX).max(16);
            // Half the space for blocks read again (quick_cache's "hot"
            // part), half for the newest: news matches are recency-biased
            // (an update follows its story), and at the default 97% hot
            // most freshly stored payloads were evicted before their
            // first read.
            let options = quick_cache::OptionsBuilder::new()
                .estimated_items_capacity(items)
                .weight_capacity(bytes)
                .hot_allocation(HOT_SHARE)
                .build()
                .ok()?;
            Some(RefCell::new(Inner::with_options(
                options,
                ByBytes,
                rustc_hash::FxBuildHasher,
                quick_cache::unsync::DefaultLifecycle::default(),
            )))
        });
        Payloads {
            cache: cache.flatten(),
        }
    }

    /// The stored payload of a block, from memory when cached.
    pub(super) fn get(
        &self,
        store: &Store,
        id: &BlockId,
    ) -> Result<Option<Arc<Payload>>, store::Error> {
        if let Some(c) = &self.cache
            && let Some(p) = c.borrow().get(id)
        {
            return Ok(Some(Arc::clone(p)));
        }
        let p = super::story::load(store, id)?.map(Arc::new);
        if let (Some(c), Some(p)) = (&self.cache, &p) {
            c.borrow_mut().insert(*id, Arc::clone(p));
        }
        Ok(p)
    }

    /// Records a payload the writer just stored.
    pub(super) fn put(&self, id: BlockId, p: Payload) {
        if let Some(c) = &self.cache {
            c.borrow_mut().insert(id, Arc::new(p));
        }
    }

    /// Drops a block whose stored payload changed.
    pub(super) fn forget(&self, id: &BlockId) {
        if let Some(c) = &self.cache {
            c.borrow_mut().remove(id);
        }
    }
}
