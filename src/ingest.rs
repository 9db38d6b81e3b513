//! The `ingest` command's driver: files in place through the pipeline into
//! the store, one outcome per file. Reads files; never moves them.
//!
//! [`analyze`] is the pure part every driver shares (the daemon too).

use crate::commit::{Committer, Input, Outcome};
use crate::model::{Hash32, Parsed, Reason, Rejection};
use crate::{decode, normalize, store};
use std::path::Path;

/// Decode and normalize one file's bytes. Pure.
///
/// # Errors
/// The [`Rejection`] of the stage that refused the bytes.
pub fn analyze(bytes: &[u8]) -> Result<Parsed, Rejection> {
    let decoded = decode::decode(bytes)?;
    normalize::normalize(&decoded.text)
}

/// Decode and normalize one dropped file, choosing the reader by the file
/// name's extension (plain text for anything not claimed by `formats`).
/// Pure.
///
/// # Errors
/// The [`Rejection`] of the stage that refused the bytes.
pub fn analyze_file(name: &str, bytes: &[u8]) -> Result<Parsed, Rejection> {
    let analysis = crate::formats::analyze(name, bytes)?;
    let mut parsed = analysis.parsed;
    // Provenance rides on each story so that the writer can record it on
    // the story's source without a second channel.
    for (story, p) in parsed.stories.iter_mut().zip(analysis.provenance) {
        story.url = p.url;
        story.site = p.site;
    }
    Ok(parsed)
}

/// The name a file is known by: its last path component, lossily UTF-8.
#[must_use]
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.to_string_lossy(), |n| n.to_string_lossy())
        .into_owned()
}

/// Builds the writer's input for one file's bytes, with no block cap
/// (what `reingest` uses: the archive holds files already accepted).
#[must_use]
pub fn input(name: String, bytes: &[u8]) -> Input {
    input_capped(name, bytes, usize::MAX)
}

// --- Per-file block cap (docs/RELIABILITY.md, F2) ---------------------------

/// Builds the writer's input for one file's bytes; a file of more than
/// `max_blocks` blocks becomes a rejection ([`check_blocks`]).
#[must_use]
pub fn input_capped(name: String, bytes: &[u8], max_blocks: usize) -> Input {
    let analysis = analyze_file(&name, bytes).and_then(|p| check_blocks(p, max_blocks));
    Input {
        file: name,
        blake3: Hash32::of(bytes),
        analysis,
    }
}

/// Refuses a page of more than `max` blocks ([`Parsed::block_count`]) as
/// `too_many_blocks`, before fingerprinting and commit, whose cost grows
/// with the blocks of one file (about 5 KiB each in one sled batch). Pure.
///
/// # Errors
/// The [`Rejection`], naming the count and the cap.
pub fn check_blocks(parsed: Parsed, max: usize) -> Result<Parsed, Rejection> {
    let n = parsed.block_count();
    if n > max {
        return Err(Rejection::new(
            "normalize",
            Reason::TooManyBlocks,
            format!("{n} blocks is over the cap of {max} (intake.max_blocks_per_file)"),
        ));
    }
    Ok(parsed)
}

// --- end of the block cap ----------------------------------------------------

/// Reads a file for `ingest`; an unreadable file becomes a rejection rather
/// than an error, so one bad path never stops a batch.
#[must_use]
pub fn read_input(path: &Path, max_bytes: u64, max_blocks: usize) -> Input {
    let name = file_name(path);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return rejected(name, &[], reason_for(&e), e.to_string()),
    };
    if !meta.is_file() {
        return rejected(
            name,
            &[],
            Reason::NotRegularFile,
            "not a regular file".into(),
        );
    }
    if meta.len() > max_bytes {
        return rejected(
            name,
            &[],
            Reason::TooLarge,
            format!("{} bytes is over the cap of {max_bytes}", meta.len()),
        );
    }
    match std::fs::read(path) {
        Ok(bytes) => input_capped(name, &bytes, max_blocks),
        Err(e) => rejected(name, &[], reason_for(&e), e.to_string()),
    }
}

fn reason_for(e: &std::io::Error) -> Reason {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        Reason::PermissionDenied
    } else {
        Reason::NotRegularFile
    }
}

fn rejected(name: String, bytes: &[u8], reason: Reason, message: String) -> Input {
    Input {
        file: name,
        blake3: Hash32::of(bytes),
        analysis: Err(Rejection::new("intake", reason, message)),
    }
}

/// Files read and analyzed ahead of the writer, at most.
const READ_AHEAD: usize = 64;

/// Runs files through the writer in order, flushing every `group` files
/// and calling `emit` for each file only after the flush that covers it.
///
/// Reading and analysis (decode, normalize, segment) run on a second
/// thread, so both cores work: the writer decides and commits file `n`
/// while file `n + 1` is parsed. One producer and a FIFO channel keep the
/// input order, which the change log depends on. The channel holds at most
/// [`READ_AHEAD`] analyzed files: when the writer falls behind, the reader
/// blocks in `send` (that is the backpressure, and what bounds memory).
/// When the writer stops on an error, the receiver is dropped and the
/// reader's next `send` fails, ending it.
///
/// # Errors
/// The first store error (files before it were committed and flushed).
pub fn run(
    committer: &mut Committer,
    paths: &[std::path::PathBuf],
    max_bytes: u64,
    max_blocks: usize,
    group: usize,
    mut emit: impl FnMut(&Outcome),
) -> Result<(), store::Error> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel(READ_AHEAD);
        s.spawn(move || {
            for path in paths {
                if tx.send(read_input(path, max_bytes, max_blocks)).is_err() {
                    break;
                }
            }
        });
        let mut pending = Vec::with_capacity(group);
        for input in rx {
            let (outcome, _) = committer.commit(input)?;
            pending.push(outcome);
            if pending.len() >= group {
                committer.flush()?;
                pending.drain(..).for_each(|o| emit(&o));
            }
        }
        committer.flush()?;
        pending.iter().for_each(&mut emit);
        Ok(())
    })
}
