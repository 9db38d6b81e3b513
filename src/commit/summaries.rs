//! The writer's cache of candidate-article summaries: an article version's
//! blocks, the blocks of its earlier versions and its title's match key.
//!
//! Every story asks for up to eight candidate articles, and on a stream of
//! related stories the same articles come back again and again. Reading
//! their versions from sled and re-deriving their titles' match keys (NFKC
//! and folding: 7.5% of the writer's time on the peers' 200k stream) for
//! each story is what this saves.
//!
//! Speed only: a version is never rewritten once stored, so an entry keyed
//! by (article, version) can never go stale; entries are made only from
//! what the store holds, never from a file's pending overlay (a file that
//! fails to apply leaves nothing behind). No decision depends on what the
//! cache holds.

use crate::model::{ArticleId, BlockId};
use crate::store::records::BlockRef;
use quick_cache::unsync::Cache;
use std::cell::RefCell;
use std::sync::Arc;

/// Entries kept: about 1 KiB each on news stories, so ~8 MiB at most.
const ENTRIES: usize = 8192;

/// What a candidate needs of one article version.
#[derive(Debug)]
pub(super) struct Summary {
    /// The version's blocks, in order.
    pub blocks: Vec<BlockRef>,
    /// Every block of the earlier versions looked at, sorted, once each.
    pub old: Vec<BlockId>,
    /// The match key of the version's title.
    pub title: Option<String>,
}

type Inner =
    Cache<(ArticleId, u32), Arc<Summary>, quick_cache::UnitWeighter, rustc_hash::FxBuildHasher>;

/// The cache. `RefCell`: filled from `&self` paths of the single writer,
/// never borrowed across a call.
pub(super) struct Summaries {
    cache: RefCell<Inner>,
}

impl Summaries {
    pub(super) fn new() -> Summaries {
        Summaries {
            cache: RefCell::new(Cache::with(
                ENTRIES,
                ENTRIES as u64,
                quick_cache::UnitWeighter,
                rustc_hash::FxBuildHasher,
                Default::default(),
            )),
        }
    }

    pub(super) fn get(&self, id: &ArticleId, version: u32) -> Option<Arc<Summary>> {
        self.cache.borrow_mut().get(&(*id, version)).cloned()
    }

    pub(super) fn put(&self, id: ArticleId, version: u32, s: Arc<Summary>) {
        self.cache.borrow_mut().insert((id, version), s);
    }
}
