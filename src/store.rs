//! The store: the only module that names sled. Does I/O.
//!
//! The rest of the crate sees [`Store`], a typed door over a narrow
//! key-value trait ([`Kv`]) with two implementations: sled on disk
//! (`store::sled_kv`) and an in-memory twin for tests (`store::memory`),
//! as tantivy pairs `MmapDirectory` with `RamDirectory`.
//!
//! Guarantees:
//! - [`Store::apply`] is atomic: a [`WriteSet`] (one file's whole effect)
//!   is either entirely visible or not at all, also after a crash.
//! - Nothing is durable until [`Store::flush`] returns; several applied
//!   write sets may share one flush (group commit). A crash loses a suffix
//!   of unflushed write sets, never a middle one.
//! - The store records [`SCHEMA_VERSION`] and [`NORMALIZER_VERSION`];
//!   opening a store written by an incompatible build is refused.
//! - One process at a time: sled locks its directory; a second opener gets
//!   [`Error::Locked`].

mod codec;
mod memory;
pub mod records;
mod sled_kv;
pub mod watermark;

use crate::model::{ArticleId, BlockId, Hash32};
use records::{ArticleHead, ArticleVersion, BlockRecord, Counts, SourceRecord};
use std::path::{Path, PathBuf};

/// Version of the record layout. Bump on any change to `records` or keys.
pub const SCHEMA_VERSION: u32 = 2;
/// Version of the normalizer rules. Bump when the same bytes would produce
/// different stories, blocks or match keys.
pub const NORMALIZER_VERSION: u32 = 1;

/// A store failure. These are daemon-level errors (retry or stop), never
/// verdicts on a file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process holds the store.
    #[error(
        "the store {path} is in use by another process (is a shingled daemon running? \
         while it runs, `export`, `log`, `show` and `stats` ask it through its API)"
    )]
    Locked {
        /// Store folder.
        path: PathBuf,
    },
    /// The store could not be opened. The message names the way out, as
    /// sled's own text (e.g. "Read corrupted data") does not.
    #[error(
        "cannot open the store {path}: {message}; if it is damaged, stop the daemon, verify it \
         with `shingled check --config FILE` and rebuild it from archive/ with \
         `shingled reingest --config FILE` (the damaged store is moved aside, never deleted)"
    )]
    Open {
        /// Store folder.
        path: PathBuf,
        /// The engine's message.
        message: String,
    },
    /// The store was written by an incompatible build.
    #[error(
        "the store {path} has {what} version {found}, this build needs {expected}; \
         rebuild it from archive/ with `shingled reingest` into a new store"
    )]
    Incompatible {
        /// Store folder.
        path: PathBuf,
        /// `schema` or `normalizer`.
        what: &'static str,
        /// What the store says.
        found: u32,
        /// What this build writes.
        expected: u32,
    },
    /// The near-duplicate index payloads were built with other parameters
    /// (shingle size, window, seeds, ...) than the configuration asks for.
    #[error(
        "the store {path} was indexed with {found}, but the config asks for {wanted}; \
         stop the daemon and run `shingled reindex --config FILE`"
    )]
    Reindex {
        /// Store folder.
        path: PathBuf,
        /// The parameters recorded in the store.
        found: String,
        /// The parameters the configuration asks for.
        wanted: String,
    },
    /// The store's change log ends below the seq recorded as durable in its
    /// watermark file: it lost the end of its log (damage that sled opened
    /// as a shorter store, docs/RELIABILITY.md F3).
    #[error(
        "the store {path} ends at change-log seq {last}, but seq {durable} was already durable \
         (recorded in {mark}): the store lost the end of its log; stop the daemon, verify it \
         with `shingled check --config FILE` and rebuild it from archive/ with \
         `shingled reingest --config FILE` (the damaged store is moved aside, never deleted)"
    )]
    Behind {
        /// Store folder.
        path: PathBuf,
        /// The store's last change-log seq.
        last: u64,
        /// The seq the watermark recorded as durable.
        durable: u64,
        /// The watermark file.
        mark: PathBuf,
    },
    /// A read, write or flush failed (disk full, I/O error). Transient from
    /// the caller's point of view: retry with backoff.
    #[error("store I/O failed during {op}: {message}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The engine's message.
        message: String,
    },
    /// A record did not decode: the store is damaged.
    #[error("store record under key prefix `{prefix}` is corrupt: {message}")]
    Corrupt {
        /// The table prefix.
        prefix: char,
        /// The decoder's message.
        message: String,
    },
}

/// One key-value operation: put (`Some`) or delete (`None`).
pub type Op = (Vec<u8>, Option<Vec<u8>>);
/// A scanned key-value pair.
pub type Entry = (Vec<u8>, Vec<u8>);

/// The narrow door to the storage engine.
pub trait Kv: Send + Sync {
    /// The value under `key`.
    ///
    /// # Errors
    /// [`Error::Io`].
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error>;
    /// Applies all `ops` atomically.
    ///
    /// # Errors
    /// [`Error::Io`]; nothing was applied.
    fn apply(&self, ops: Vec<Op>) -> Result<(), Error>;
    /// Entries whose key starts with `prefix` and is greater than `after`
    /// (when given), in key order.
    fn scan<'a>(
        &'a self,
        prefix: &[u8],
        after: Option<Vec<u8>>,
    ) -> Box<dyn Iterator<Item = Result<Entry, Error>> + 'a>;
    /// The greatest entry under `prefix`.
    ///
    /// # Errors
    /// [`Error::Io`].
    fn last(&self, prefix: &[u8]) -> Result<Option<Entry>, Error>;
    /// Makes everything applied so far durable.
    ///
    /// # Errors
    /// [`Error::Io`].
    fn flush(&self) -> Result<(), Error>;
    /// Bytes on disk (0 for memory).
    fn size_on_disk(&self) -> u64;
}

/// Everything one file changes, applied atomically by [`Store::apply`].
#[derive(Debug, Default)]
pub struct WriteSet {
    ops: Vec<Op>,
}

impl WriteSet {
    /// An empty write set.
    #[must_use]
    pub fn new() -> Self {
        WriteSet::default()
    }

    /// Whether nothing is to be written.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Records what a file produced.
    pub fn put_source(&mut self, h: &Hash32, r: &SourceRecord) {
        self.ops
            .push((codec::source_key(h), Some(codec::encode(r))));
    }

    /// Records that the bytes `h` arrived under `name` and what event
    /// (`seq`) that gave, so that a replay of the same bytes under the same
    /// name adds nothing (see `commit`).
    pub fn put_name(&mut self, h: &Hash32, name: &str, seq: u64) {
        self.ops
            .push((codec::name_key(h, name), Some(seq.to_be_bytes().to_vec())));
    }

    /// Deletes a name record and the meta key `meta` (tests emulate a
    /// store written before the name table).
    #[cfg(test)]
    pub(crate) fn forget_name(&mut self, h: &Hash32, name: &str, meta: &str) {
        self.ops.push((codec::name_key(h, name), None));
        self.ops.push((codec::meta_key(meta), None));
    }

    /// Stores or updates a block.
    pub fn put_block(&mut self, id: &BlockId, r: &BlockRecord) {
        self.ops
            .push((codec::block_key(id), Some(codec::encode(r))));
    }

    /// Stores a block's near-duplicate index payload (opaque bytes owned by
    /// the `fingerprint` stage).
    pub fn put_index(&mut self, id: &BlockId, payload: Vec<u8>) {
        self.ops.push((codec::index_key(id), Some(payload)));
    }

    /// Deletes a block's index payload (`reindex`).
    pub fn delete_index(&mut self, id: &BlockId) {
        self.ops.push((codec::index_key(id), None));
    }

    /// Stores or updates an article head.
    pub fn put_head(&mut self, h: &ArticleHead) {
        self.ops
            .push((codec::head_key(&h.id), Some(codec::encode(h))));
    }

    /// Stores an article version.
    pub fn put_version(&mut self, id: &ArticleId, v: &ArticleVersion) {
        self.ops
            .push((codec::version_key(id, v.version), Some(codec::encode(v))));
    }

    /// Appends a change-log event (its JSON line) under `seq`.
    pub fn put_change(&mut self, seq: u64, json: Vec<u8>) {
        self.ops.push((codec::change_key(seq), Some(json)));
    }

    /// Stores the writer's counts.
    pub fn put_counts(&mut self, c: &Counts) {
        self.ops
            .push((codec::meta_key("counts"), Some(codec::encode(c))));
    }

    /// Stores an opaque meta value.
    pub fn put_meta(&mut self, name: &str, value: Vec<u8>) {
        self.ops.push((codec::meta_key(name), Some(value)));
    }
}

/// The typed store. Cheap to share behind an `Arc`.
pub struct Store {
    kv: Box<dyn Kv>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn corrupt(prefix: u8, e: impl std::fmt::Display) -> Error {
    Error::Corrupt {
        prefix: prefix as char,
        message: e.to_string(),
    }
}

impl Store {
    /// Opens (or creates) the sled store at `path` with a page cache of
    /// `cache_capacity` bytes, and checks its versions.
    ///
    /// # Errors
    /// [`Error::Locked`], [`Error::Open`], [`Error::Incompatible`].
    pub fn open(path: &Path, cache_capacity: u64) -> Result<Store, Error> {
        let kv = sled_kv::SledKv::open(path, cache_capacity)?;
        Store::init(Box::new(kv), path.to_path_buf())
    }

    /// An empty in-memory store (the test twin).
    #[must_use]
    pub fn memory() -> Store {
        Store::init(
            Box::new(memory::MemoryKv::default()),
            PathBuf::from(":memory:"),
        )
        .expect("BUG: a fresh memory store always initialises")
    }

    /// A store over any [`Kv`] (used by tests that inject failures).
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn with_kv(kv: Box<dyn Kv>, path: PathBuf) -> Result<Store, Error> {
        Store::init(kv, path)
    }

    fn init(kv: Box<dyn Kv>, path: PathBuf) -> Result<Store, Error> {
        let store = Store { kv, path };
        for (what, expected) in [
            ("schema", SCHEMA_VERSION),
            ("normalizer", NORMALIZER_VERSION),
        ] {
            match store.kv.get(&codec::meta_key(what))? {
                Some(v) => {
                    let found = v
                        .as_slice()
                        .try_into()
                        .map(u32::from_be_bytes)
                        .map_err(|_| corrupt(codec::META, "version is not 4 bytes"))?;
                    if found != expected {
                        return Err(Error::Incompatible {
                            path: store.path.clone(),
                            what,
                            found,
                            expected,
                        });
                    }
                }
                None => {
                    store.kv.apply(vec![(
                        codec::meta_key(what),
                        Some(expected.to_be_bytes().to_vec()),
                    )])?;
                }
            }
        }
        store.kv.flush()?;
        Ok(store)
    }

    /// The store folder (`:memory:` for the twin).
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn get_rec<T: serde::de::DeserializeOwned>(&self, key: Vec<u8>) -> Result<Option<T>, Error> {
        match self.kv.get(&key)? {
            None => Ok(None),
            Some(v) => codec::decode(&v).map(Some).map_err(|e| corrupt(key[0], e)),
        }
    }

    /// What the file with this content hash produced, if it was ingested.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Corrupt`].
    pub fn source(&self, h: &Hash32) -> Result<Option<SourceRecord>, Error> {
        self.get_rec(codec::source_key(h))
    }

    /// The seq recorded for the bytes `h` under `name`
    /// ([`WriteSet::put_name`]), if they arrived under it before.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Corrupt`].
    pub fn name_seq(&self, h: &Hash32, name: &str) -> Result<Option<u64>, Error> {
        match self.kv.get(&codec::name_key(h, name))? {
            None => Ok(None),
            Some(v) => v
                .as_slice()
                .try_into()
                .map(|b| Some(u64::from_be_bytes(b)))
                .map_err(|_| corrupt(codec::NAME, "seq is not 8 bytes")),
        }
    }

    /// A block.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Corrupt`].
    pub fn block(&self, id: &BlockId) -> Result<Option<BlockRecord>, Error> {
        self.get_rec(codec::block_key(id))
    }

    /// An article head.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Corrupt`].
    pub fn head(&self, id: &ArticleId) -> Result<Option<ArticleHead>, Error> {
        self.get_rec(codec::head_key(id))
    }

    /// One version of an article.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Corrupt`].
    pub fn version(&self, id: &ArticleId, version: u32) -> Result<Option<ArticleVersion>, Error> {
        self.get_rec(codec::version_key(id, version))
    }

    /// The writer's counts.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Corrupt`].
    pub fn counts(&self) -> Result<Counts, Error> {
        Ok(self.get_rec(codec::meta_key("counts"))?.unwrap_or_default())
    }

    /// An opaque meta value.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn meta(&self, name: &str) -> Result<Option<Vec<u8>>, Error> {
        self.kv.get(&codec::meta_key(name))
    }

    /// The last change-log seq (0 when the log is empty).
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn last_seq(&self) -> Result<u64, Error> {
        Ok(self
            .kv
            .last(&[codec::CHANGE])?
            .and_then(|(k, _)| codec::seq_of(&k))
            .unwrap_or(0))
    }

    /// Change-log events with a seq greater than `after`, oldest first, as
    /// `(seq, JSON line)`.
    pub fn changes(&self, after: u64) -> impl Iterator<Item = Result<(u64, Vec<u8>), Error>> + '_ {
        self.kv
            .scan(&[codec::CHANGE], Some(codec::change_key(after)))
            .map(|r| {
                let (k, v) = r?;
                let seq = codec::seq_of(&k).ok_or_else(|| corrupt(codec::CHANGE, "short key"))?;
                Ok((seq, v))
            })
    }

    /// Every article head, in id order.
    pub fn heads(&self) -> impl Iterator<Item = Result<ArticleHead, Error>> + '_ {
        self.kv
            .scan(&[codec::HEAD], None)
            .map(|r| codec::decode(&r?.1).map_err(|e| corrupt(codec::HEAD, e)))
    }

    /// Every block, in id order.
    pub fn blocks(&self) -> impl Iterator<Item = Result<(BlockId, BlockRecord), Error>> + '_ {
        self.kv.scan(&[codec::BLOCK], None).map(|r| {
            let (k, v) = r?;
            let id = codec::block_id_of(&k).ok_or_else(|| corrupt(codec::BLOCK, "short key"))?;
            Ok((id, codec::decode(&v).map_err(|e| corrupt(codec::BLOCK, e))?))
        })
    }

    /// Every block id, in id order (the records are not decoded).
    pub fn block_ids(&self) -> impl Iterator<Item = Result<BlockId, Error>> + '_ {
        self.kv.scan(&[codec::BLOCK], None).map(|r| {
            let (k, _) = r?;
            codec::block_id_of(&k).ok_or_else(|| corrupt(codec::BLOCK, "short key"))
        })
    }

    /// One block's near-duplicate index payload.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn index_payload(&self, id: &BlockId) -> Result<Option<Vec<u8>>, Error> {
        self.kv.get(&codec::index_key(id))
    }

    /// Every block's near-duplicate index payload, in id order.
    pub fn index_payloads(&self) -> impl Iterator<Item = Result<(BlockId, Vec<u8>), Error>> + '_ {
        self.kv.scan(&[codec::INDEX], None).map(|r| {
            let (k, v) = r?;
            let id = codec::block_id_of(&k).ok_or_else(|| corrupt(codec::INDEX, "short key"))?;
            Ok((id, v))
        })
    }

    /// Up to `limit` blocks whose hex id starts with `hex` (any length up
    /// to 32 digits), in id order: `explain` takes the 12-digit ids it
    /// prints. The scan covers only the keys under the prefix.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Corrupt`].
    pub fn blocks_by_hex_prefix(
        &self,
        hex: &str,
        limit: usize,
    ) -> Result<Vec<(BlockId, BlockRecord)>, Error> {
        let hex = hex.to_ascii_lowercase();
        if hex.len() > 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let even = &hex[..hex.len() & !1];
        let mut prefix = vec![codec::BLOCK];
        for i in (0..even.len()).step_by(2) {
            prefix.push(
                u8::from_str_radix(&even[i..i + 2], 16)
                    .map_err(|_| corrupt(codec::BLOCK, "BUG: checked hex digits did not parse"))?,
            );
        }
        let mut out = Vec::new();
        for r in self.kv.scan(&prefix, None) {
            let (k, v) = r?;
            let id = codec::block_id_of(&k).ok_or_else(|| corrupt(codec::BLOCK, "short key"))?;
            if !id.to_hex().starts_with(&hex) {
                continue;
            }
            out.push((id, codec::decode(&v).map_err(|e| corrupt(codec::BLOCK, e))?));
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// The block with this full 32-digit hex id.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Corrupt`].
    pub fn block_by_hex(&self, hex: &str) -> Result<Option<(BlockId, BlockRecord)>, Error> {
        match BlockId::from_hex(hex) {
            Some(id) => Ok(self.block(&id)?.map(|r| (id, r))),
            None => Ok(None),
        }
    }

    /// Applies one file's effects atomically (not yet durable).
    ///
    /// # Errors
    /// [`Error::Io`]; nothing was applied.
    pub fn apply(&self, w: WriteSet) -> Result<(), Error> {
        if w.ops.is_empty() {
            return Ok(());
        }
        self.kv.apply(w.ops)
    }

    /// Makes every applied write set durable.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn flush(&self) -> Result<(), Error> {
        self.kv.flush()
    }

    /// Bytes on disk.
    #[must_use]
    pub fn size_on_disk(&self) -> u64 {
        self.kv.size_on_disk()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BlockKind;

    fn block(text: &str) -> BlockRecord {
        BlockRecord {
            kind: BlockKind::Paragraph,
            text: text.into(),
            first_seq: 1,
            sources: 1,
            articles: vec![],
            articles_total: 0,
            boilerplate: false,
        }
    }

    fn exercise(store: &Store) {
        let id = BlockId::of_key("a");
        let mut w = WriteSet::new();
        w.put_block(&id, &block("A"));
        w.put_change(1, b"{\"seq\":1}".to_vec());
        w.put_change(2, b"{\"seq\":2}".to_vec());
        store.apply(w).expect("apply");
        store.flush().expect("flush");
        assert_eq!(
            store.block(&id).expect("get").map(|b| b.text),
            Some("A".into())
        );
        assert_eq!(store.last_seq().expect("seq"), 2);
        let after1: Vec<u64> = store.changes(1).map(|r| r.expect("scan").0).collect();
        assert_eq!(after1, vec![2]);
    }

    #[test]
    fn memory_twin_behaves_like_a_store() {
        exercise(&Store::memory());
    }

    #[test]
    fn sled_store_round_trips_and_reopens() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let s = Store::open(dir.path(), 8 << 20).expect("open");
            exercise(&s);
        }
        let s = Store::open(dir.path(), 8 << 20).expect("reopen");
        assert_eq!(s.last_seq().expect("seq"), 2);
    }

    #[test]
    fn a_second_opener_is_refused_with_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let _first = Store::open(dir.path(), 8 << 20).expect("open");
        let e = Store::open(dir.path(), 8 << 20).expect_err("second open");
        assert!(matches!(e, Error::Locked { .. }), "{e}");
    }

    #[test]
    fn a_store_sled_refuses_to_open_names_check_and_reingest() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let s = Store::open(dir.path(), 8 << 20).expect("open");
            exercise(&s);
            s.flush().expect("flush");
        }
        std::fs::write(dir.path().join("conf"), b"\xde\xad\xbe\xef not sled's conf")
            .expect("damage conf");
        let e = Store::open(dir.path(), 8 << 20).expect_err("a damaged conf is refused");
        assert!(matches!(e, Error::Open { .. }), "{e}");
        let m = e.to_string();
        assert!(
            m.contains("shingled check") && m.contains("shingled reingest"),
            "the message names the way out: {m}"
        );
    }

    #[test]
    fn an_incompatible_store_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let s = Store::open(dir.path(), 8 << 20).expect("open");
            let mut w = WriteSet::new();
            w.put_meta("schema", 999u32.to_be_bytes().to_vec());
            s.apply(w).expect("apply");
            s.flush().expect("flush");
        }
        let e = Store::open(dir.path(), 8 << 20).expect_err("incompatible");
        assert!(e.to_string().contains("schema version 999"), "{e}");
    }
}
