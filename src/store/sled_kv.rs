//! [`Kv`] on sled 0.34. The one file that calls sled.
//!
//! Everything lives in sled's default tree; `apply` is one atomic
//! `Batch`, `flush` is `Db::flush` (sled fsyncs on its own only every
//! 500 ms, and a process crash loses unflushed writes: verified in
//! shared/docs, drop-folder-and-daemon.md section 8.2).

use super::{Entry, Error, Kv, Op};
use std::path::Path;

pub(super) struct SledKv {
    db: sled::Db,
}

fn io(op: &'static str, e: &sled::Error) -> Error {
    Error::Io {
        op,
        message: e.to_string(),
    }
}

impl SledKv {
    pub(super) fn open(path: &Path, cache_capacity: u64) -> Result<SledKv, Error> {
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(cache_capacity)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(|e| match &e {
                // sled 0.34 wraps the flock failure in an `Other` error
                // whose text says so (config.rs, `try_lock`).
                sled::Error::Io(io)
                    if io.kind() == std::io::ErrorKind::WouldBlock
                        || io.to_string().contains("could not acquire lock") =>
                {
                    Error::Locked {
                        path: path.to_path_buf(),
                    }
                }
                _ => Error::Open {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                },
            })?;
        Ok(SledKv { db })
    }
}

impl Kv for SledKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.db
            .get(key)
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| io("get", &e))
    }

    fn apply(&self, ops: Vec<Op>) -> Result<(), Error> {
        let mut batch = sled::Batch::default();
        for (k, v) in ops {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        self.db.apply_batch(batch).map_err(|e| io("apply", &e))
    }

    fn scan<'a>(
        &'a self,
        prefix: &[u8],
        after: Option<Vec<u8>>,
    ) -> Box<dyn Iterator<Item = Result<Entry, Error>> + 'a> {
        let prefix = prefix.to_vec();
        let iter = match after {
            None => self.db.scan_prefix(&prefix),
            Some(a) => self
                .db
                .range((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded)),
        };
        Box::new(
            iter.take_while(move |r| r.as_ref().map_or(true, |(k, _)| k.starts_with(&prefix)))
                .map(|r| {
                    r.map(|(k, v)| (k.to_vec(), v.to_vec()))
                        .map_err(|e| io("scan", &e))
                }),
        )
    }

    fn last(&self, prefix: &[u8]) -> Result<Option<Entry>, Error> {
        self.db
            .scan_prefix(prefix)
            .next_back()
            .transpose()
            .map(|o| o.map(|(k, v)| (k.to_vec(), v.to_vec())))
            .map_err(|e| io("scan", &e))
    }

    fn flush(&self) -> Result<(), Error> {
        self.db.flush().map(|_| ()).map_err(|e| io("flush", &e))
    }

    fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }
}
