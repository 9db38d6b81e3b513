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

/// Builds the writer's input for one file's bytes.
#[must_use]
pub fn input(name: String, bytes: &[u8]) -> Input {
    let analysis = analyze_file(&name, bytes);
    Input {
        file: name,
        blake3: Hash32::of(bytes),
        analysis,
    }
}

/// Reads a file for `ingest`; an unreadable file becomes a rejection rather
/// than an error, so one bad path never stops a batch.
#[must_use]
pub fn read_input(path: &Path, max_bytes: u64) -> Input {
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
        Ok(bytes) => input(name, &bytes),
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

/// Runs files through the writer in order, flushing every `group` files
/// and calling `emit` for each file only after the flush that covers it.
///
/// # Errors
/// The first store error (files before it were committed and flushed).
pub fn run(
    committer: &mut Committer,
    paths: &[std::path::PathBuf],
    max_bytes: u64,
    group: usize,
    mut emit: impl FnMut(&Outcome),
) -> Result<(), store::Error> {
    let mut pending = Vec::with_capacity(group);
    for path in paths {
        let (outcome, _) = committer.commit(read_input(path, max_bytes))?;
        pending.push(outcome);
        if pending.len() >= group {
            committer.flush()?;
            pending.drain(..).for_each(|o| emit(&o));
        }
    }
    committer.flush()?;
    pending.iter().for_each(&mut emit);
    Ok(())
}
