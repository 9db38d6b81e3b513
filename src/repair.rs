//! Store repair: `shingled check` verifies a store record by record, and
//! `shingled reingest` rebuilds one from the archived files.
//!
//! Why both exist: the archive is the source of truth (every ingested file
//! is kept there, whole, in arrival order), and the store is derived from
//! it. When the store is damaged (a disk fault, sled refusing to open, a
//! record that no longer decodes) the operator needs to know *that* it is
//! damaged and *what* is wrong (`check`), and a way back that never
//! deletes anything (`reingest`: the damaged store is moved aside to
//! `STORE.damaged-<time>`, and a new one is built from `archive/`).
//!
//! Both need the daemon stopped: sled admits one process, and `reingest`
//! takes the instance lock for the whole rebuild.

use crate::commit::Committer;
use crate::config::Config;
use crate::fingerprint::Payload;
use crate::ingest;
use crate::model::{ArticleId, BlockId, Hash32};
use crate::store::watermark::{self, Watermark};
use crate::store::{self, Store};
use rustc_hash::FxHashSet;
use serde::Serialize;
use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// At most this many problems are listed (all are counted): a badly
/// damaged store would otherwise print millions of lines.
const MAX_LISTED: usize = 100;

/// Why a check or a rebuild could not run (a damaged store is not an
/// error for `check`: it is its answer).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A daemon (or another command) holds the store.
    #[error(
        "the store {0} is in use (is a shingled daemon running? stop it first: \
         `check` and `reingest` need the store to themselves)"
    )]
    InUse(PathBuf),
    /// A file or folder could not be read, moved or created. The cause is
    /// the error's `source`.
    #[error("cannot {what} {path}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// Where.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The new store failed while being written.
    #[error(transparent)]
    Store(#[from] store::Error),
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// What `check` found. `ok` is true only when every record decoded and
/// every cross-reference held.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// The store folder.
    pub store: PathBuf,
    /// Nothing is wrong.
    pub ok: bool,
    /// Change-log events read.
    pub changes: u64,
    /// The last change-log seq.
    pub last_seq: u64,
    /// Article heads read.
    pub articles: u64,
    /// Article versions read.
    pub versions: u64,
    /// Block records read.
    pub blocks: u64,
    /// Near-duplicate index payloads read.
    pub index_payloads: u64,
    /// Distinct source files ingested into articles (by content hash),
    /// counted from the change log's article events: the same number as
    /// `stats`' `sources`, which counts them as they are ingested. A byte
    /// copy under another name and a quarantined file are not sources.
    pub sources: u64,
    /// Archived files whose content hash was looked up in the store.
    pub archived_files: u64,
    /// Problems found, in all.
    pub problems_total: u64,
    /// The first problems found.
    pub problems: Vec<String>,
    /// What to do when `ok` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery: Option<String>,
}

impl Report {
    fn problem(&mut self, p: String) {
        self.problems_total += 1;
        if self.problems.len() < MAX_LISTED {
            self.problems.push(p);
        }
    }

    fn finish(mut self) -> Report {
        self.ok = self.problems_total == 0;
        if !self.ok {
            self.recovery = Some(
                "stop the daemon and run `shingled reingest --config FILE`: it moves this store \
                 aside (never deleting it) and rebuilds a new one from archive/"
                    .into(),
            );
        }
        self
    }
}

/// Opens the configured store and checks it. A store that does not open
/// (damaged, incompatible, not a folder) is a failed [`Report`], not an
/// error.
///
/// # Errors
/// [`Error::InUse`] when a daemon holds the store.
pub fn check_config(config: &Config) -> Result<Report, Error> {
    let path = &config.paths.store;
    let mut r = Report {
        store: path.clone(),
        ..Report::default()
    };
    if !path.exists() {
        r.problem(format!("{} does not exist", path.display()));
        return Ok(r.finish());
    }
    match Store::open(path, config.store.cache_capacity) {
        Ok(s) => {
            let mut r = check(&s);
            check_archive(&s, &config.paths.archive, &mut r);
            check_watermark(path, &mut r);
            Ok(r.finish())
        }
        Err(store::Error::Locked { .. }) => Err(Error::InUse(path.clone())),
        Err(e) => {
            r.problem(format!("the store does not open: {e}"));
            Ok(r.finish())
        }
    }
}

/// Checks every record of `store`: the change log is gap-free from 1 and
/// every event is valid JSON naming records that exist; every article's
/// versions exist and every block they list exists; every block and index
/// payload decodes; the counts agree with what was read.
#[must_use]
pub fn check(store: &Store) -> Report {
    let mut r = Report {
        store: store.path().to_path_buf(),
        ..Report::default()
    };
    check_changes(store, &mut r);
    let mut blocks = FxHashSet::default();
    for b in store.blocks() {
        match b {
            Ok((id, _)) => {
                blocks.insert(id);
            }
            Err(e) => r.problem(format!("block: {e}")),
        }
    }
    r.blocks = blocks.len() as u64;
    for p in store.index_payloads() {
        match p {
            Ok((id, bytes)) => {
                r.index_payloads += 1;
                if let Err(e) = Payload::from_bytes(bytes) {
                    r.problem(format!("index payload of block {}: {e}", id.to_hex()));
                }
                if !blocks.contains(&id) {
                    r.problem(format!("index payload for missing block {}", id.to_hex()));
                }
            }
            Err(e) => r.problem(format!("index payload: {e}")),
        }
    }
    check_articles(store, &blocks, &mut r);
    match store.counts() {
        Ok(c) => {
            for (what, counted, read) in [
                ("articles", c.articles, r.articles),
                ("versions", c.versions, r.versions),
                ("blocks", c.blocks, r.blocks),
                ("sources", c.sources, r.sources),
            ] {
                if counted != read {
                    r.problem(format!(
                        "counts say {counted} {what}, the store holds {read}"
                    ));
                }
            }
        }
        Err(e) => r.problem(format!("counts: {e}")),
    }
    r.finish()
}

fn check_changes(store: &Store, r: &mut Report) {
    let mut expected = 1;
    let mut sources = FxHashSet::default();
    for c in store.changes(0) {
        let (seq, json) = match c {
            Ok(c) => c,
            Err(e) => {
                r.problem(format!("change log: {e}"));
                continue;
            }
        };
        r.changes += 1;
        if seq != expected {
            r.problem(format!("change log: seq {seq} follows {}", expected - 1));
        }
        expected = seq + 1;
        r.last_seq = seq;
        let v: serde_json::Value = match serde_json::from_slice(&json) {
            Ok(v) => v,
            Err(e) => {
                r.problem(format!("change {seq}: not JSON: {e}"));
                continue;
            }
        };
        if v["seq"].as_u64() != Some(seq) {
            r.problem(format!("change {seq}: its seq field says {}", v["seq"]));
        }
        if let Some(h) = v["blake3"].as_str() {
            match Hash32::from_hex(h).map(|h| store.source(&h)) {
                None => r.problem(format!("change {seq}: bad blake3 {h}")),
                Some(Ok(Some(_))) => {
                    if v["kind"]
                        .as_str()
                        .is_some_and(|k| k.starts_with("article."))
                    {
                        sources.insert(h.to_string());
                    }
                }
                Some(Ok(None)) => r.problem(format!("change {seq}: no source record for {h}")),
                Some(Err(e)) => r.problem(format!("change {seq}: source {h}: {e}")),
            }
        }
        if let (Some(a), Some(ver)) = (v["article"].as_str(), v["version"].as_u64()) {
            let found = ArticleId::from_hex(a)
                .zip(u32::try_from(ver).ok())
                .map(|(id, ver)| store.version(&id, ver));
            match found {
                Some(Ok(Some(_))) => {}
                Some(Ok(None)) => {
                    r.problem(format!("change {seq}: article {a} has no version {ver}"))
                }
                Some(Err(e)) => r.problem(format!("change {seq}: article {a} v{ver}: {e}")),
                None => r.problem(format!("change {seq}: bad article id {a} or version {ver}")),
            }
        }
    }
    r.sources = sources.len() as u64;
}

/// The change log never shrinks: a store whose last seq is below the seq
/// its watermark recorded as durable lost the end of its log (F3). This
/// finds a cut store even without an archive to compare with.
fn check_watermark(store: &Path, r: &mut Report) {
    if let Ok(Some(durable)) = watermark::read(store)
        && r.last_seq < durable
    {
        r.problem(format!(
            "the change log ends at seq {} but seq {durable} was recorded as durable in {}: \
             the store lost the end of its log",
            r.last_seq,
            watermark::path(store).display()
        ));
    }
}

/// Every file in the archive left the drop folder only after its effects
/// were durable, so its content hash must have a source record. This is
/// what finds a store that sled silently cut short: sled 0.34 reads a
/// damaged log only up to the damage and opens what precedes it as if it
/// were the whole store, which is internally consistent.
fn check_archive(store: &Store, archive: &Path, r: &mut Report) {
    if !archive.is_dir() {
        return;
    }
    let files = match archive_order(archive) {
        Ok(f) => f,
        Err(e) => {
            r.problem(format!("archive: {}", crate::telemetry::chain(&e)));
            return;
        }
    };
    for f in files {
        let bytes = match std::fs::read(&f) {
            Ok(b) => b,
            Err(e) => {
                r.problem(format!("archived file {}: {e}", f.display()));
                continue;
            }
        };
        r.archived_files += 1;
        let h = Hash32::of(&bytes);
        match store.source(&h) {
            Ok(Some(_)) => {}
            Ok(None) => r.problem(format!(
                "archived file {} ({}) is not in the store",
                f.display(),
                h.to_hex()
            )),
            Err(e) => r.problem(format!("source of archived file {}: {e}", f.display())),
        }
    }
}

fn check_articles(store: &Store, blocks: &FxHashSet<BlockId>, r: &mut Report) {
    for h in store.heads() {
        let head = match h {
            Ok(h) => h,
            Err(e) => {
                r.problem(format!("article head: {e}"));
                continue;
            }
        };
        r.articles += 1;
        let id = head.id.to_hex();
        if head.last_seq > r.last_seq || head.created_seq > head.last_seq {
            r.problem(format!(
                "article {id}: seqs {}..{} are not in the change log (last {})",
                head.created_seq, head.last_seq, r.last_seq
            ));
        }
        for ver in 1..=head.version {
            match store.version(&head.id, ver) {
                Ok(Some(v)) => {
                    r.versions += 1;
                    for b in v.blocks.iter().filter(|b| !blocks.contains(&b.id)) {
                        r.problem(format!(
                            "article {id} v{ver}: block {} is missing",
                            b.id.to_hex()
                        ));
                    }
                }
                Ok(None) => r.problem(format!("article {id}: version {ver} is missing")),
                Err(e) => r.problem(format!("article {id} v{ver}: {e}")),
            }
        }
    }
}

/// What `reingest` did.
#[derive(Debug, Default, Serialize)]
pub struct Rebuild {
    /// The folder the files were read from.
    pub from: PathBuf,
    /// The new store.
    pub store: PathBuf,
    /// Where the old store was moved (null when there was none).
    pub moved_aside: Option<PathBuf>,
    /// Files read, in order.
    pub files: u64,
    /// Outcomes of those files.
    pub ingested: u64,
    /// Outcomes of those files.
    pub unchanged: u64,
    /// Outcomes of those files (they stay where they are).
    pub quarantined: u64,
    /// The new change log's last seq.
    pub last_seq: u64,
}

/// Moves the configured store aside (never deleting it) and builds a new
/// one by ingesting every file under `from` (default: the archive) in
/// archive order: date folders, then mtime, then name. Files are read in
/// place and never moved. `progress` is called after each file.
///
/// # Errors
/// [`Error::InUse`] when a daemon runs; [`Error::Io`] when the old store
/// cannot be moved aside or the archive listed; [`Error::Store`] when the
/// new store fails (the old one stays where it was moved).
pub fn reingest(
    config: &Config,
    from: Option<&Path>,
    mut progress: impl FnMut(&crate::commit::Outcome),
) -> Result<Rebuild, Error> {
    let from = from.unwrap_or(&config.paths.archive).to_path_buf();
    let files = archive_order(&from)?;
    let path = &config.paths.store;
    let mut out = Rebuild {
        from,
        store: path.clone(),
        ..Rebuild::default()
    };
    if std::fs::symlink_metadata(path).is_ok() {
        let held = instance_lock(&config.paths.lock)?;
        let aside = aside_name(path);
        std::fs::rename(path, &aside).map_err(io("move aside the store", path))?;
        drop(held);
        out.moved_aside = Some(aside);
    }
    std::fs::create_dir_all(path).map_err(io("create the store folder", path))?;
    let _lock = instance_lock(&config.paths.lock)?;
    let store = std::sync::Arc::new(Store::open(path, config.store.cache_capacity)?);
    let mut committer = Committer::new(store, config.dedup.clone())?;
    let group = config.commit.group_max_files.max(1);
    let mut pending = Vec::with_capacity(group);
    for f in &files {
        let input = match std::fs::read(f) {
            Ok(bytes) => ingest::input(original_name(f, &bytes), &bytes),
            Err(_) => ingest::read_input(f, u64::MAX, usize::MAX),
        };
        let (outcome, _) = committer.commit(input)?;
        out.files += 1;
        match outcome.outcome {
            "ingested" => out.ingested += 1,
            "unchanged" => out.unchanged += 1,
            _ => out.quarantined += 1,
        }
        pending.push(outcome);
        if pending.len() >= group {
            committer.flush()?;
            pending.drain(..).for_each(|o| progress(&o));
        }
    }
    committer.flush()?;
    pending.iter().for_each(&mut progress);
    out.last_seq = committer.next_seq().saturating_sub(1);
    // The new store's watermark (the daemon also writes it when it starts;
    // a failure here only leaves the check to that start).
    let _ = Watermark::open(path, out.last_seq);
    Ok(out)
}

/// Takes the daemon's instance lock (so no daemon starts meanwhile, and
/// none is running now). A lock path that cannot exist (the store path is
/// a regular file) means no daemon can hold it.
fn instance_lock(lock: &Path) -> Result<Option<File>, Error> {
    let f = match OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io("open the lock file", lock)(e)),
    };
    match f.try_lock() {
        Ok(()) => Ok(Some(f)),
        Err(TryLockError::WouldBlock) => {
            Err(Error::InUse(lock.parent().unwrap_or(lock).to_path_buf()))
        }
        Err(TryLockError::Error(e)) => Err(io("lock", lock)(e)),
    }
}

/// `STORE.damaged-<UTC time>` (with `-N` when taken).
fn aside_name(path: &Path) -> PathBuf {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let mut base = path.as_os_str().to_os_string();
    base.push(format!(".damaged-{stamp}"));
    let mut candidate = PathBuf::from(&base);
    let mut n = 2;
    while std::fs::symlink_metadata(&candidate).is_ok() {
        let mut b = base.clone();
        b.push(format!("-{n}"));
        candidate = PathBuf::from(b);
        n += 1;
    }
    candidate
}

/// Every regular file under `root`, in archive order: by folder (date
/// folders sort by date), then mtime, then name. Symlinks are not followed.
///
/// # Errors
/// [`Error::Io`] when a folder cannot be listed.
pub fn archive_order(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out: Vec<(PathBuf, SystemTime, OsString, PathBuf)> = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).map_err(io("list", &dir))? {
            let e = e.map_err(io("list", &dir))?;
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).map_err(io("stat", &p))?;
            if m.is_dir() {
                dirs.push(p);
            } else if m.is_file() {
                let rel = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
                let mtime = m.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                out.push((rel, mtime, e.file_name(), p));
            }
        }
    }
    out.sort();
    Ok(out.into_iter().map(|(_, _, _, p)| p).collect())
}

/// The name a file was dropped under: the archive adds `.<first 12 hex
/// digits of the content hash>[-N]` before the extension when a name was
/// taken (`archive::unique_name`); that tag is removed again so a file
/// dropped twice under one name is recognised as such.
#[must_use]
pub fn original_name(path: &Path, bytes: &[u8]) -> String {
    let name = path.file_name().unwrap_or(path.as_os_str()).as_bytes();
    let tag = format!(".{}", &Hash32::of(bytes).to_hex()[..12]);
    let restored = name
        .windows(tag.len())
        .position(|w| w == tag.as_bytes())
        .and_then(|at| {
            let rest = &name[at + tag.len()..];
            let digits = rest.strip_prefix(b"-").map_or(0, |r| {
                1 + r.iter().take_while(|b| b.is_ascii_digit()).count()
            });
            let after = &rest[digits..];
            (digits != 1 && (after.is_empty() || after.starts_with(b"."))).then(|| {
                let mut v = name[..at].to_vec();
                v.extend_from_slice(after);
                v
            })
        });
    let bytes = restored.unwrap_or_else(|| name.to_vec());
    ingest::file_name(Path::new(&OsString::from_vec(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_tags_are_removed_from_names() {
        let bytes = b"hello";
        let h = &Hash32::of(bytes).to_hex()[..12];
        let n = |s: &str| original_name(Path::new(s), bytes);
        assert_eq!(n(&format!("a.{h}.txt")), "a.txt");
        assert_eq!(n(&format!("a.{h}-3.txt")), "a.txt");
        assert_eq!(n(&format!("README.{h}")), "README");
        assert_eq!(n("a.txt"), "a.txt");
        assert_eq!(n("a.0123456789ab.txt"), "a.0123456789ab.txt");
        assert_eq!(n(&format!("a.{h}-.txt")), format!("a.{h}-.txt"));
    }

    #[test]
    fn aside_names_never_clash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = dir.path().join("store");
        let a = aside_name(&store);
        std::fs::create_dir(&a).expect("mkdir");
        let b = aside_name(&store);
        assert_ne!(a, b);
        assert!(b.to_string_lossy().contains(".damaged-"));
    }

    #[test]
    fn a_fresh_memory_store_checks_clean() {
        let r = check(&Store::memory());
        assert!(r.ok, "{r:?}");
    }
}
