//! The reader's step: open, judge and read one file, then analyze it
//! (decode + normalize, pure) and do the writer's pure per-block work
//! (`Input::prepare`: ids, fingerprints). Runs on the blocking pool,
//! several files at once, beside the single writer.

use super::read::{self, Taken};
use super::settle::Seen;
use crate::commit::Input;
use crate::model::Hash32;
use crate::{failpoint, ingest};
use std::ffi::OsString;
use std::path::Path;
use std::time::Instant;

/// A file read and analyzed, on its way to the writer.
#[derive(Debug)]
pub struct Prepared {
    /// Its name in the drop folder.
    pub name: OsString,
    /// When intake handed it out.
    pub queued: Instant,
    /// What the reader made of it.
    pub kind: PreparedKind,
}

/// What the reader made of a file.
#[derive(Debug)]
pub enum PreparedKind {
    /// Ready for the writer (possibly as a rejection).
    Input {
        /// The writer's input.
        input: Input,
        /// What was read; `None` when the file was refused unread.
        seen: Option<Seen>,
        /// Size in bytes.
        bytes: u64,
    },
    /// No longer there, or a folder now: nothing to do.
    Gone,
    /// It changed since it settled: let it settle again.
    Changed,
    /// A transient failure: retry after a backoff.
    Failed(String),
}

/// The caps intake applies to one file (`[intake]`, live on SIGHUP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Larger files are refused unread (`too_large`).
    pub max_file_bytes: u64,
    /// Files of more blocks are refused before commit (`too_many_blocks`).
    pub max_blocks_per_file: usize,
    /// The writer's fingerprint shape (`[dedup]`), for preparing blocks.
    pub shape: crate::fingerprint::Shape,
}

impl Caps {
    /// The caps of a configuration.
    #[must_use]
    pub fn of(cfg: &crate::config::Config) -> Self {
        Caps {
            max_file_bytes: cfg.intake.max_file_bytes,
            max_blocks_per_file: cfg.intake.max_blocks_per_file,
            shape: crate::fingerprint::Shape::of(&cfg.dedup),
        }
    }
}

/// Reads and analyzes one file (blocking; runs on the blocking pool).
#[must_use]
pub fn prepare(drop: &Path, name: OsString, expect: Seen, caps: Caps, queued: Instant) -> Prepared {
    let file = name.to_string_lossy().into_owned();
    let kind = match read::take(drop, &name, caps.max_file_bytes, Some(expect)) {
        Taken::Bytes { bytes, seen } => {
            failpoint::hit("after_read");
            let mut input = ingest::input_capped(file, &bytes, caps.max_blocks_per_file);
            input.prepare(&caps.shape);
            PreparedKind::Input {
                input,
                seen: Some(seen),
                bytes: bytes.len() as u64,
            }
        }
        Taken::Rejected(rej) => PreparedKind::Input {
            input: Input {
                file,
                blake3: Hash32::of(&[]),
                analysis: Err(rej),
                prep: None,
            },
            seen: None,
            bytes: expect.size,
        },
        Taken::Vanished | Taken::Directory => PreparedKind::Gone,
        Taken::Changed(_) => PreparedKind::Changed,
        Taken::Failed(e) => PreparedKind::Failed(e.to_string()),
    };
    Prepared { name, queued, kind }
}
