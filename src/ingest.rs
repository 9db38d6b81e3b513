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
        prep: None,
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
        prep: None,
    }
}

/// Files read and analyzed ahead of the writer, at most.
const READ_AHEAD: usize = 64;

/// Runs files through the writer in order, flushing every `group` files
/// and calling `emit` for each file only after the flush that covers it.
///
/// Reading, analysis (decode, normalize, segment) and the writer's pure
/// per-block work (ids, fingerprints: `Input::prepare`) run on a second
/// thread, so both cores work: the writer decides and commits file `n`
/// while file `n + 1` is parsed. One producer and a FIFO channel keep the
/// input order, which the change log depends on. The channel holds at most
/// [`READ_AHEAD`] analyzed files: when the writer falls behind, the reader
/// blocks in `send` (that is the backpressure, and what bounds memory).
/// When the writer stops on an error, the receiver is dropped and the
/// reader's next `send` fails, ending it.
///
/// Returns how busy each thread was, which says which one bounds the run.
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
) -> Result<RunStats, store::Error> {
    let shape = crate::fingerprint::Shape::of(committer.params());
    let started = std::time::Instant::now();
    let writer_cpu = thread_cpu_seconds();
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel(READ_AHEAD);
        let reader = s.spawn(move || {
            for path in paths {
                let mut input = read_input(path, max_bytes, max_blocks);
                input.prepare(&shape);
                if tx.send(input).is_err() {
                    break;
                }
            }
            thread_cpu_seconds()
        });
        let mut pending = Vec::with_capacity(group);
        let mut flush_s = 0.0;
        let mut wait_s = 0.0;
        while let Ok(input) = timed(&mut wait_s, || rx.recv()) {
            let (outcome, _) = committer.commit(input)?;
            pending.push(outcome);
            if pending.len() >= group {
                timed(&mut flush_s, || committer.flush())?;
                pending.drain(..).for_each(|o| emit(&o));
            }
        }
        timed(&mut flush_s, || committer.flush())?;
        pending.iter().for_each(&mut emit);
        Ok(RunStats {
            files: paths.len(),
            seconds: started.elapsed().as_secs_f64(),
            flush_s,
            wait_s,
            writer_cpu_s: thread_cpu_seconds().zip(writer_cpu).map(|(b, a)| b - a),
            reader_cpu_s: reader.join().ok().flatten(),
        })
    })
}

/// Runs `f`, adding its wall seconds to `total`.
fn timed<T>(total: &mut f64, f: impl FnOnce() -> T) -> T {
    let t = std::time::Instant::now();
    let out = f();
    *total += t.elapsed().as_secs_f64();
    out
}

/// How an `ingest` run went (`shingled ingest --stats` prints it).
#[derive(Debug, Clone, Copy)]
pub struct RunStats {
    /// Files given.
    pub files: usize,
    /// Wall seconds.
    pub seconds: f64,
    /// Wall seconds the writer spent waiting for flushes.
    pub flush_s: f64,
    /// Wall seconds the writer spent waiting for the reader.
    pub wait_s: f64,
    /// CPU seconds of the writer thread (decide, commit, flush calls):
    /// close to `seconds` means the writer bounds the run.
    pub writer_cpu_s: Option<f64>,
    /// CPU seconds of the reader thread (read, decode, normalize,
    /// fingerprint).
    pub reader_cpu_s: Option<f64>,
}

/// CPU seconds (user + system) the calling thread has used, from
/// `/proc/thread-self/stat` (Linux; `None` elsewhere). Its unit is
/// `USER_HZ`, 100 on every Linux ABI, so the resolution is 10 ms.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // fields after the command name, which is in parentheses and may
    // itself hold spaces: state is field 3, utime 14, stime 15
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut f = rest.split(' ').skip(11);
    let utime: u64 = f.next()?.parse().ok()?;
    let stime: u64 = f.next()?.parse().ok()?;
    #[allow(clippy::cast_precision_loss)]
    Some((utime + stime) as f64 / 100.0)
}

#[cfg(test)]
mod tests {
    use super::thread_cpu_seconds;

    #[test]
    fn a_busy_thread_uses_cpu_seconds() {
        let before = thread_cpu_seconds().expect("Linux has /proc/thread-self/stat");
        let t = std::time::Instant::now();
        let mut x = 0u64;
        while t.elapsed().as_millis() < 300 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let used = thread_cpu_seconds().expect("still Linux") - before;
        // a spinning thread is on a CPU most of its wall time
        assert!(used > 0.05 && used < 5.0, "{used}");
    }
}
