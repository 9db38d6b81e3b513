//! A negative filter in front of the exact tier: which block ids the store
//! may hold. Most blocks of a new file are new, and asking sled for a key
//! it does not have costs a full tree descent (8% of the writer's time on
//! the peers' 200k stream), so the writer asks sled only when the id's
//! first 32 bits are in this set.
//!
//! The filter is conservative, so it never changes a decision: until it is
//! complete it answers "maybe" for every id (the writer then reads sled as
//! before). It is complete at once for an empty store; otherwise a
//! background thread scans the stored block ids at start-up and hands the
//! set over, so a restart is ready as soon as the index is (the restart
//! target), not after a second scan. Ids the writer adds meanwhile are kept
//! on the writer's side and merged in, so nothing stored is ever missed:
//! blocks are never deleted, and a block stored after the scan began is
//! one the writer added itself.
//!
//! Memory: about 8 bytes per stored block (a `u32` in a hash set).

use crate::model::BlockId;
use crate::store::{self, Store};
use rustc_hash::FxHashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::thread::JoinHandle;

/// The scan checks for cancellation this often (records).
const CANCEL_EVERY: usize = 4096;

fn key(id: &BlockId) -> u32 {
    let b = &id.0;
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// The filter. See the module documentation.
pub(super) struct Known {
    ids: FxHashSet<u32>,
    complete: bool,
    scan: Option<Scan>,
}

struct Scan {
    rx: Receiver<Result<FxHashSet<u32>, store::Error>>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Known {
    /// A filter over `store`, which holds `stored` blocks: complete at once
    /// when that is none, else completed by a background scan.
    pub(super) fn start(store: &Arc<Store>, stored: u64) -> Known {
        if stored == 0 {
            return Known {
                ids: FxHashSet::default(),
                complete: true,
                scan: None,
            };
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let cancel = Arc::new(AtomicBool::new(false));
        let (store, stop) = (Arc::clone(store), Arc::clone(&cancel));
        let thread = std::thread::Builder::new()
            .name("shingled-known".into())
            .spawn(move || {
                let mut ids = FxHashSet::default();
                for (i, r) in store.block_ids().enumerate() {
                    if i % CANCEL_EVERY == 0 && stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match r {
                        Ok(id) => {
                            ids.insert(key(&id));
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
                let _ = tx.send(Ok(ids));
            });
        match thread {
            Ok(t) => Known {
                ids: FxHashSet::default(),
                complete: false,
                scan: Some(Scan {
                    rx,
                    cancel,
                    thread: Some(t),
                }),
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the block-id scan; every exact lookup reads the store");
                Known {
                    ids: FxHashSet::default(),
                    complete: false,
                    scan: None,
                }
            }
        }
    }

    /// Whether the store may hold `id` (`false` only when it surely does
    /// not).
    pub(super) fn may_hold(&mut self, id: &BlockId) -> bool {
        self.poll();
        !self.complete || self.ids.contains(&key(id))
    }

    /// Records a block the writer stored.
    pub(super) fn add(&mut self, id: &BlockId) {
        self.ids.insert(key(id));
    }

    /// Whether the filter has every stored id (tests).
    #[cfg(test)]
    pub(super) fn is_complete(&mut self) -> bool {
        self.poll();
        self.complete
    }

    /// Waits for the background scan (tests).
    #[cfg(test)]
    pub(super) fn wait(&mut self) {
        if let Some(scan) = &mut self.scan
            && let Some(t) = scan.thread.take()
        {
            let _ = t.join();
        }
        self.poll();
    }

    fn poll(&mut self) {
        let Some(scan) = &self.scan else { return };
        match scan.rx.try_recv() {
            Ok(Ok(ids)) => {
                self.ids.extend(ids);
                self.complete = true;
                self.scan = None;
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the block-id scan failed; every exact lookup reads the store");
                self.scan = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.scan = None,
        }
    }
}

impl Drop for Scan {
    /// Stops the scan and waits for it, so that the store is closed when
    /// the writer is dropped (the daemon reopens the same folder).
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BlockKind;
    use crate::store::WriteSet;
    use crate::store::records::BlockRecord;

    fn id(first: u8, rest: u8) -> BlockId {
        let mut b = [rest; 16];
        b[0] = first;
        BlockId(b)
    }

    /// An id whose filter key (first 32 bits, little-endian) is `p`.
    fn with_prefix(p: u32) -> BlockId {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&p.to_le_bytes());
        BlockId(b)
    }

    fn store_with(ids: &[BlockId]) -> Arc<Store> {
        let store = Arc::new(Store::memory());
        let mut w = WriteSet::new();
        for i in ids {
            w.put_block(
                i,
                &BlockRecord {
                    kind: BlockKind::Paragraph,
                    text: "a stored paragraph".into(),
                    first_seq: 1,
                    sources: 1,
                    articles: vec![],
                    articles_total: 0,
                    boilerplate: false,
                },
            );
        }
        store.apply(w).expect("the memory store applies");
        store
    }

    #[test]
    fn an_empty_store_is_complete_at_once_and_learns_what_the_writer_adds() {
        let mut k = Known::start(&Arc::new(Store::memory()), 0);
        assert!(k.is_complete());
        assert!(!k.may_hold(&id(1, 1)));
        k.add(&id(1, 1));
        assert!(k.may_hold(&id(1, 1)));
        assert!(!k.may_hold(&id(2, 1)));
    }

    #[test]
    fn until_the_scan_is_in_every_id_may_be_stored() {
        // The scan cannot finish before the store answers; whatever the
        // timing, an incomplete filter must say "maybe" to every id.
        let store = store_with(&[id(7, 0)]);
        let mut k = Known::start(&store, 1);
        if !k.is_complete() {
            assert!(k.may_hold(&id(9, 9)));
        }
        k.wait();
        assert!(k.is_complete());
        assert!(k.may_hold(&id(7, 0)), "a stored id is held");
        assert!(!k.may_hold(&id(9, 9)), "an id never stored is not");
    }

    #[test]
    fn ids_added_while_the_scan_runs_are_kept() {
        let stored: Vec<BlockId> = (0..5000u32).map(|i| with_prefix(i * 2)).collect();
        let store = store_with(&stored);
        let mut k = Known::start(&store, stored.len() as u64);
        let added = id(1, 0xee);
        k.add(&added);
        k.wait();
        assert!(k.may_hold(&added));
        assert!(stored.iter().all(|s| k.may_hold(s)));
        assert!(!k.may_hold(&id(3, 0)), "odd prefixes were never stored");
    }

    #[test]
    fn dropping_the_filter_stops_its_scan() {
        let stored: Vec<BlockId> = (0..20_000u32).map(with_prefix).collect();
        let store = store_with(&stored);
        drop(Known::start(&store, stored.len() as u64));
        // the scan thread held a clone; it is gone once the filter is
        assert_eq!(Arc::strong_count(&store), 1);
    }
}
