//! Moving finished files out of the drop folder: ingested ones into dated
//! archive folders, rejected ones into quarantine with a sidecar saying why.
//!
//! Moves are renames within one filesystem, so a file is always whole in
//! exactly one place. Nothing is ever overwritten: a clashing name gets a
//! suffix made from the content hash. The daemon is the only writer of
//! `archive/` and `quarantine/`, so "check, then rename" cannot race.
//! Directory entries are made durable by fsyncing the folders (the caller
//! batches that per group, see [`sync_dir`]); a sidecar is made durable
//! before its file is moved, so a quarantined file never lacks its reason.

use crate::failpoint;
use crate::model::Hash32;
use serde::Serialize;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// The longest file name most Linux filesystems accept, in bytes.
pub const NAME_MAX: usize = 255;
const SIDECAR_SUFFIX: &str = ".error.json";

/// The `NAME.error.json` written beside a quarantined file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sidecar {
    /// The name as dropped (in full, even when the sidecar name is shortened).
    pub file: String,
    /// The reason code.
    pub reason: String,
    /// What was wrong.
    pub message: String,
    /// The stage that rejected it.
    pub stage: String,
    /// When it was quarantined (RFC 3339, UTC).
    pub at: String,
    /// blake3 of the bytes; null when the file was refused unread.
    pub blake3: Option<String>,
}

/// Makes a folder's entries durable.
///
/// # Errors
/// The `open` or `fsync` error.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn exists(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

/// `bytes` cut to at most `max` bytes, at a character boundary when the
/// bytes are UTF-8.
fn cut(bytes: &[u8], max: usize) -> &[u8] {
    if bytes.len() <= max {
        return bytes;
    }
    let mut end = max;
    if std::str::from_utf8(bytes).is_ok() {
        while end > 0 && (bytes[end] & 0xC0) == 0x80 {
            end -= 1;
        }
    }
    &bytes[..end]
}

/// `name` with `tag` inserted before its extension, shortened so the result
/// fits [`NAME_MAX`].
fn tagged(name: &[u8], tag: &str) -> OsString {
    let dot = name.iter().rposition(|&b| b == b'.').filter(|&i| i > 0);
    let (stem, ext) = dot.map_or((name, &b""[..]), |i| name.split_at(i));
    let ext = cut(ext, 32);
    let room = NAME_MAX.saturating_sub(tag.len() + 1 + ext.len());
    let mut out = cut(stem, room).to_vec();
    out.push(b'.');
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(ext);
    OsString::from_vec(out)
}

/// A name in `dir` that is free for `name`: the name itself, else with a
/// part of the content hash, else with a counter as well. `free` says
/// whether a candidate may be used.
#[must_use]
pub fn unique_name(name: &OsStr, hash: &Hash32, free: impl Fn(&OsStr) -> bool) -> OsString {
    if name.len() <= NAME_MAX && free(name) {
        return name.to_os_string();
    }
    let h = hash.to_hex();
    let mut candidate = tagged(name.as_bytes(), &h[..12]);
    let mut n = 2u64;
    while !free(&candidate) {
        candidate = tagged(name.as_bytes(), &format!("{}-{n}", &h[..12]));
        n += 1;
    }
    candidate
}

/// Whether `path` is a sidecar written for `file` whose quarantined file
/// never arrived (a crash between the two renames): it may be replaced.
fn orphan_sidecar_of(path: &Path, file: &str) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .is_ok_and(|v| v.get("file").and_then(|f| f.as_str()) == Some(file))
}

/// The sidecar's name for a quarantined file called `name`: `NAME.error.json`,
/// or, when that is too long, a shortened name plus a hash of the full one.
#[must_use]
pub fn sidecar_name(name: &OsStr) -> OsString {
    let b = name.as_bytes();
    if b.len() + SIDECAR_SUFFIX.len() <= NAME_MAX {
        let mut v = b.to_vec();
        v.extend_from_slice(SIDECAR_SUFFIX.as_bytes());
        return OsString::from_vec(v);
    }
    let h = blake3::hash(b).to_hex();
    let tail = format!("~{}{SIDECAR_SUFFIX}", &h.as_str()[..16]);
    let mut v = cut(b, NAME_MAX - tail.len()).to_vec();
    v.extend_from_slice(tail.as_bytes());
    OsString::from_vec(v)
}

/// Removes the temporary sidecars (`.sidecar.PID.tmp`) a crash left in
/// `quarantine` while writing one. Only the daemon writes there, and only
/// while it holds the instance lock, so at start-up every one is stale.
/// Returns how many were removed.
///
/// # Errors
/// Listing the folder or removing a file failed.
pub fn remove_stale_sidecars(quarantine: &Path) -> io::Result<usize> {
    let mut n = 0;
    for entry in std::fs::read_dir(quarantine)? {
        let entry = entry?;
        let name = entry.file_name();
        let b = name.as_bytes();
        if b.starts_with(b".sidecar.") && b.ends_with(b".tmp") && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            n += 1;
        }
    }
    Ok(n)
}

/// Makes sure `root/YYYY/MM/DD` exists; folders it creates are made
/// durable in their parents.
///
/// # Errors
/// The `mkdir` or `fsync` error.
pub fn day_dir(root: &Path, (y, m, d): (i32, u8, u8)) -> io::Result<PathBuf> {
    let dir = root.join(format!("{y:04}/{m:02}/{d:02}"));
    if dir.is_dir() {
        return Ok(dir);
    }
    let mut parent = root.to_path_buf();
    for part in [format!("{y:04}"), format!("{m:02}"), format!("{d:02}")] {
        let next = parent.join(part);
        match std::fs::create_dir(&next) {
            Ok(()) => sync_dir(&parent)?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        parent = next;
    }
    Ok(dir)
}

/// Today's date in UTC, for the archive folder.
#[must_use]
pub fn today() -> (i32, u8, u8) {
    let d = time::OffsetDateTime::now_utc().date();
    (d.year(), u8::from(d.month()), d.day())
}

/// Moves `drop/name` into the archive folder `day` (from [`day_dir`]).
/// Returns the new path. The caller fsyncs both folders afterwards.
///
/// # Errors
/// The rename error; the file is then still in the drop folder.
pub fn archive(drop: &Path, name: &OsStr, day: &Path, hash: &Hash32) -> io::Result<PathBuf> {
    let target = day.join(unique_name(name, hash, |n| !exists(&day.join(n))));
    std::fs::rename(drop.join(name), &target)?;
    failpoint::hit("after_archive_rename");
    Ok(target)
}

/// Writes the sidecar (temp file, fsync, rename, fsync the folder), then
/// moves `drop/name` into `quarantine`. Returns the new path. The caller
/// fsyncs both folders afterwards.
///
/// # Errors
/// The write or rename error; the file is then still in the drop folder.
pub fn quarantine(
    drop: &Path,
    name: &OsStr,
    quarantine: &Path,
    hash: &Hash32,
    sidecar: &Sidecar,
) -> io::Result<PathBuf> {
    let target = unique_name(name, hash, |n| {
        let side = quarantine.join(sidecar_name(n));
        !exists(&quarantine.join(n)) && (!exists(&side) || orphan_sidecar_of(&side, &sidecar.file))
    });
    let side = quarantine.join(sidecar_name(&target));
    let tmp = quarantine.join(format!(".sidecar.{}.tmp", std::process::id()));
    let mut json = serde_json::to_vec_pretty(sidecar).map_err(io::Error::other)?;
    json.push(b'\n');
    {
        let mut f = File::create(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &side)?;
    sync_dir(quarantine)?;
    failpoint::hit("after_quarantine_sidecar");
    let to = quarantine.join(&target);
    std::fs::rename(drop.join(name), &to)?;
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clash_never_overwrites_and_keeps_the_extension() {
        let d = tempfile::tempdir().expect("tempdir");
        let h = Hash32::of(b"x");
        let free = |n: &OsStr| !exists(&d.path().join(n));
        let first = unique_name(OsStr::new("a.txt"), &h, free);
        assert_eq!(first, "a.txt");
        std::fs::write(d.path().join("a.txt"), b"1").expect("write");
        let second = unique_name(OsStr::new("a.txt"), &h, free);
        let want = format!("a.{}.txt", &h.to_hex()[..12]);
        assert_eq!(second, OsString::from(&want));
        std::fs::write(d.path().join(&want), b"2").expect("write");
        let third = unique_name(OsStr::new("a.txt"), &h, free);
        assert_eq!(
            third,
            OsString::from(format!("a.{}-2.txt", &h.to_hex()[..12]))
        );
    }

    #[test]
    fn long_names_stay_within_name_max() {
        let d = tempfile::tempdir().expect("tempdir");
        let h = Hash32::of(b"x");
        let long = "é".repeat(127); // 254 bytes
        std::fs::write(d.path().join(&long), b"1").expect("write");
        let n = unique_name(OsStr::new(&long), &h, |n| !exists(&d.path().join(n)));
        assert!(n.len() <= NAME_MAX, "{}", n.len());
        assert!(n.to_str().is_some(), "cut at a character boundary");
        let side = sidecar_name(OsStr::new(&long));
        assert!(side.len() <= NAME_MAX);
        assert!(side.to_string_lossy().ends_with(".error.json"));
        assert_ne!(side, sidecar_name(OsStr::new(&"é".repeat(126))));
        assert_eq!(sidecar_name(OsStr::new("a.txt")), "a.txt.error.json");
    }

    #[test]
    fn quarantine_writes_the_sidecar_and_moves_the_file() {
        let d = tempfile::tempdir().expect("tempdir");
        let (drop, q) = (d.path().join("drop"), d.path().join("q"));
        std::fs::create_dir_all(&drop).expect("mkdir");
        std::fs::create_dir_all(&q).expect("mkdir");
        let h = Hash32::of(b"bad");
        let side = Sidecar {
            file: "bad.bin".into(),
            reason: "binary".into(),
            message: "NUL bytes".into(),
            stage: "decode".into(),
            at: "2026-01-01T00:00:00Z".into(),
            blake3: Some(h.to_hex()),
        };
        for round in 0..2 {
            std::fs::write(drop.join("bad.bin"), b"bad").expect("write");
            let to = quarantine(&drop, OsStr::new("bad.bin"), &q, &h, &side).expect("quarantine");
            assert!(
                to.is_file() && !drop.join("bad.bin").exists(),
                "round {round}"
            );
            let sc = q.join(sidecar_name(to.file_name().expect("name")));
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(sc).expect("sidecar")).expect("json");
            assert_eq!(v["reason"], "binary");
        }
        assert_eq!(std::fs::read_dir(&q).expect("ls").count(), 4);
        // A sidecar whose file never arrived (a crash between the renames)
        // is replaced, not kept beside a second one.
        let side2 = Sidecar {
            file: "again.bin".into(),
            ..side
        };
        std::fs::write(q.join("again.bin.error.json"), b"{\"file\": \"again.bin\"}").expect("w");
        std::fs::write(drop.join("again.bin"), b"bad").expect("write");
        let to = quarantine(&drop, OsStr::new("again.bin"), &q, &h, &side2).expect("q");
        assert_eq!(to, q.join("again.bin"));
    }

    #[test]
    fn stale_temporary_sidecars_are_removed_and_nothing_else() {
        let d = tempfile::tempdir().expect("tempdir");
        for n in [
            ".sidecar.4242.tmp",
            "a.bin",
            "a.bin.error.json",
            ".sidecar.notes",
        ] {
            std::fs::write(d.path().join(n), b"x").expect("write");
        }
        assert_eq!(remove_stale_sidecars(d.path()).expect("clean"), 1);
        let mut left: Vec<String> = std::fs::read_dir(d.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".sidecar.notes", "a.bin", "a.bin.error.json"]);
    }

    #[test]
    fn day_folders_are_created_once() {
        let d = tempfile::tempdir().expect("tempdir");
        let a = day_dir(d.path(), (2026, 3, 7)).expect("day");
        assert!(a.ends_with("2026/03/07") && a.is_dir());
        assert_eq!(day_dir(d.path(), (2026, 3, 7)).expect("again"), a);
    }
}
