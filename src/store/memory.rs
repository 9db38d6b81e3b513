//! [`Kv`] in memory: the test twin of the sled store. Same semantics
//! (atomic apply, ordered scans); `flush` does nothing.

use super::{Entry, Error, Kv, Op};
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Default)]
pub(super) struct MemoryKv {
    map: Mutex<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemoryKv {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        // A panic while holding the lock cannot leave the map half-updated
        // (apply inserts into a clone first), so poisoning is ignored.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Kv for MemoryKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.lock().get(key).cloned())
    }

    fn apply(&self, ops: Vec<Op>) -> Result<(), Error> {
        let mut map = self.lock();
        for (k, v) in ops {
            match v {
                Some(v) => map.insert(k, v),
                None => map.remove(&k),
            };
        }
        Ok(())
    }

    fn scan<'a>(
        &'a self,
        prefix: &[u8],
        after: Option<Vec<u8>>,
    ) -> Box<dyn Iterator<Item = Result<Entry, Error>> + 'a> {
        let map = self.lock();
        let lower = match after {
            Some(a) => std::ops::Bound::Excluded(a),
            None => std::ops::Bound::Included(prefix.to_vec()),
        };
        let items: Vec<Entry> = map
            .range((lower, std::ops::Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Box::new(items.into_iter().map(Ok))
    }

    fn last(&self, prefix: &[u8]) -> Result<Option<Entry>, Error> {
        let map = self.lock();
        Ok(map
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .last()
            .map(|(k, v)| (k.clone(), v.clone())))
    }

    fn flush(&self) -> Result<(), Error> {
        Ok(())
    }

    fn size_on_disk(&self) -> u64 {
        0
    }
}
