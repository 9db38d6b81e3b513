//! The durable watermark: the last change-log seq known to be durable,
//! kept outside sled in a small file inside the store folder
//! ([`FILE`]), rewritten in place and fdatasynced after each flush.
//!
//! Why: sled 0.34 opens a store whose log is damaged by reading it only up
//! to the damage (docs/RELIABILITY.md, F3): a shorter store, internally
//! consistent, no error. The change log never shrinks, so a store whose
//! last seq is below the watermark has lost the end of its log; the daemon
//! then refuses to start ([`verify`]) and `shingled check` reports it,
//! both naming `shingled reingest`.
//!
//! The watermark only ever lags: it is written after the flush it records,
//! so a crash between the two leaves it lower, never higher. A store that
//! is moved aside or rebuilt (`reingest`) takes its watermark with it, or
//! starts without one. A missing or unreadable file checks nothing (a
//! warning); the next flush writes it again.

use super::Error;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The file's name inside the store folder.
pub const FILE: &str = "shingled.durable-seq";

/// Width of the record: 20 decimal digits (any u64) and a newline, always
/// written whole at offset 0, within one disk sector.
const WIDTH: usize = 21;

/// The watermark file's path for a store folder.
#[must_use]
pub fn path(store: &Path) -> PathBuf {
    store.join(FILE)
}

/// What the watermark file of `store` says.
///
/// # Errors
/// The file cannot be read, or does not hold a seq (a message saying so).
pub fn read(store: &Path) -> Result<Option<u64>, String> {
    let p = path(store);
    match std::fs::read(&p) {
        Ok(bytes) => std::str::from_utf8(&bytes)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .map(Some)
            .ok_or_else(|| format!("{} does not hold a seq", p.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", p.display())),
    }
}

/// Checks that a store whose change log ends at `last_seq` has not lost
/// events recorded as durable. A missing or unreadable watermark checks
/// nothing (logged as a warning).
///
/// # Errors
/// [`Error::Behind`] when `last_seq` is below the watermark.
pub fn verify(store: &Path, last_seq: u64) -> Result<(), Error> {
    match read(store) {
        Ok(Some(durable)) if last_seq < durable => Err(Error::Behind {
            path: store.to_path_buf(),
            last: last_seq,
            durable,
            mark: path(store),
        }),
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, "the durable watermark is unreadable; it is written again after the next flush");
            Ok(())
        }
    }
}

/// The open watermark file of a running writer.
#[derive(Debug)]
pub struct Watermark {
    file: File,
    recorded: AtomicU64,
}

impl Watermark {
    /// Opens (creating) the watermark of `store` and records `durable`,
    /// the last seq of a store just opened and [`verify`]-ed (what sled
    /// read from disk is durable). Never lowers a readable watermark.
    ///
    /// # Errors
    /// The file cannot be opened or written.
    pub fn open(store: &Path, durable: u64) -> std::io::Result<Watermark> {
        let durable = durable.max(read(store).ok().flatten().unwrap_or(0));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path(store))?;
        let w = Watermark {
            file,
            recorded: AtomicU64::new(0),
        };
        w.write(durable)?;
        w.recorded.store(durable, Ordering::Relaxed);
        Ok(w)
    }

    /// Records `durable` (call only after the flush that made it durable).
    /// A seq not above the last one recorded writes nothing.
    ///
    /// # Errors
    /// The write or the fdatasync failed; the old value stays (lower is
    /// safe: it only checks less).
    pub fn record(&self, durable: u64) -> std::io::Result<()> {
        if durable <= self.recorded.load(Ordering::Relaxed) {
            return Ok(());
        }
        self.write(durable)?;
        self.recorded.store(durable, Ordering::Relaxed);
        Ok(())
    }

    fn write(&self, seq: u64) -> std::io::Result<()> {
        let line = format!("{seq:020}\n");
        debug_assert_eq!(line.len(), WIDTH);
        self.file.write_all_at(line.as_bytes(), 0)?;
        self.file.set_len(WIDTH as u64)?;
        self.file.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_below_its_watermark_is_refused_and_one_at_or_above_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(read(dir.path()), Ok(None));
        assert!(verify(dir.path(), 0).is_ok(), "no watermark checks nothing");
        let w = Watermark::open(dir.path(), 7).expect("open");
        assert_eq!(read(dir.path()), Ok(Some(7)));
        w.record(12).expect("record");
        w.record(9).expect("a lower seq writes nothing");
        assert_eq!(read(dir.path()), Ok(Some(12)));
        assert!(verify(dir.path(), 12).is_ok());
        assert!(verify(dir.path(), 40).is_ok(), "`ingest` may add events");
        let e = verify(dir.path(), 11).expect_err("behind");
        assert!(matches!(
            e,
            Error::Behind {
                last: 11,
                durable: 12,
                ..
            }
        ));
        let m = e.to_string();
        assert!(
            m.contains("shingled check") && m.contains("shingled reingest"),
            "{m}"
        );
        // Reopening records the seq the store opened with.
        drop(w);
        let w = Watermark::open(dir.path(), 12).expect("reopen");
        w.record(u64::MAX).expect("widest seq");
        assert_eq!(read(dir.path()), Ok(Some(u64::MAX)));
        assert_eq!(
            std::fs::metadata(path(dir.path())).expect("file").len(),
            WIDTH as u64
        );
    }

    #[test]
    fn an_unreadable_watermark_checks_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(path(dir.path()), b"\xffgarbage").expect("write");
        assert!(read(dir.path()).is_err());
        assert!(verify(dir.path(), 0).is_ok());
    }
}
