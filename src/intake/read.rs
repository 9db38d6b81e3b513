//! Opening and reading one file of the drop folder, safely.
//!
//! The file is opened with `O_NOFOLLOW|O_NONBLOCK` (a symlink is refused by
//! the kernel, a FIFO cannot hang the daemon) and judged by `fstat` on the
//! open descriptor, not by the name, so a swap between listing and opening
//! cannot smuggle anything in. Only a regular file with one link and at
//! most `max_bytes` is read; it is read through the same descriptor and
//! `fstat`ed again afterwards: a file that changed meanwhile is not taken.

use super::settle::Seen;
use crate::model::{Reason, Rejection};
use std::ffi::OsStr;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::SystemTime;

/// What came of trying to take one file.
#[derive(Debug)]
pub enum Taken {
    /// Read in full.
    Bytes {
        /// The content.
        bytes: Vec<u8>,
        /// Size and mtime as read.
        seen: Seen,
    },
    /// Refused without reading: a verdict on the file, not an error.
    Rejected(Rejection),
    /// No longer there (taken by someone else, or renamed away).
    Vanished,
    /// A folder appeared under the name; folders are left alone.
    Directory,
    /// The file changed since it was judged settled, or while being read.
    Changed(Seen),
    /// A transient failure (EIO, EMFILE, ...): try again later.
    Failed(io::Error),
}

fn seen_of(m: &Metadata) -> Seen {
    Seen {
        size: m.len(),
        mtime: m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        ino: m.ino(),
    }
}

fn reject(reason: Reason, message: impl Into<String>) -> Taken {
    Taken::Rejected(Rejection::new("intake", reason, message))
}

/// What a non-regular file is, for the quarantine message.
fn type_name(m: &Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Judges and reads `dir/name`. `expect` is what the settle check last
/// saw; a file that no longer matches it is [`Taken::Changed`].
#[must_use]
pub fn take(dir: &Path, name: &OsStr, max_bytes: u64, expect: Option<Seen>) -> Taken {
    let path = dir.join(name);
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) => return open_error(&path, e),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Taken::Failed(e),
    };
    if meta.is_dir() {
        return Taken::Directory;
    }
    if !meta.is_file() {
        return reject(
            Reason::NotRegularFile,
            format!("{}: only regular files are read", type_name(&meta)),
        );
    }
    if meta.nlink() > 1 {
        return reject(
            Reason::Hardlink,
            format!(
                "the file has {} hard links; only files with one link are read",
                meta.nlink()
            ),
        );
    }
    if meta.len() > max_bytes {
        return reject(
            Reason::TooLarge,
            format!("{} bytes is over the cap of {max_bytes}", meta.len()),
        );
    }
    let before = seen_of(&meta);
    if expect.is_some_and(|e| e != before) {
        return Taken::Changed(before);
    }
    read_checked(file, before, max_bytes)
}

fn read_checked(file: File, before: Seen, max_bytes: u64) -> Taken {
    let mut bytes = Vec::with_capacity(usize::try_from(before.size).unwrap_or(0));
    let mut limited = (&file).take(max_bytes.saturating_add(1));
    if let Err(e) = limited.read_to_end(&mut bytes) {
        return Taken::Failed(e);
    }
    let after = match file.metadata() {
        Ok(m) => seen_of(&m),
        Err(e) => return Taken::Failed(e),
    };
    if after != before || bytes.len() as u64 != after.size {
        return Taken::Changed(after);
    }
    Taken::Bytes { bytes, seen: after }
}

fn open_error(path: &Path, e: io::Error) -> Taken {
    match e.raw_os_error() {
        Some(libc::ENOENT) => Taken::Vanished,
        Some(libc::ELOOP) => reject(Reason::Symlink, "a symbolic link; links are never followed"),
        // Opening a unix socket gives ENXIO; so does a device with no driver.
        Some(libc::ENXIO) | Some(libc::ENODEV) => {
            let what = std::fs::symlink_metadata(path)
                .map(|m| type_name(&m))
                .unwrap_or("not a regular file");
            reject(
                Reason::NotRegularFile,
                format!("{what}: only regular files are read"),
            )
        }
        Some(libc::EACCES) | Some(libc::EPERM) => {
            reject(Reason::PermissionDenied, format!("cannot open: {e}"))
        }
        _ => Taken::Failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().expect("tempdir")
    }

    fn reason(t: &Taken) -> Option<Reason> {
        match t {
            Taken::Rejected(r) => Some(r.reason),
            _ => None,
        }
    }

    #[test]
    fn a_regular_file_is_read_whole() {
        let d = tmp();
        std::fs::write(d.path().join("a"), b"hello").expect("write");
        match take(d.path(), OsStr::new("a"), 100, None) {
            Taken::Bytes { bytes, seen } => {
                assert_eq!(bytes, b"hello");
                assert_eq!(seen.size, 5);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn links_fifos_and_big_files_are_refused_unread() {
        let d = tmp();
        let p = d.path();
        std::fs::write(p.join("big"), vec![b'x'; 11]).expect("write");
        std::fs::write(p.join("target"), b"x").expect("write");
        std::os::unix::fs::symlink(p.join("target"), p.join("link")).expect("symlink");
        std::fs::write(p.join("h1"), b"x").expect("write");
        std::fs::hard_link(p.join("h1"), p.join("h2")).expect("hard link");
        let fifo = std::process::Command::new("mkfifo")
            .arg(p.join("fifo"))
            .status()
            .expect("mkfifo");
        assert!(fifo.success());
        let t = |n: &str| take(p, OsStr::new(n), 10, None);
        assert_eq!(reason(&t("big")), Some(Reason::TooLarge));
        assert_eq!(reason(&t("link")), Some(Reason::Symlink));
        assert_eq!(reason(&t("h2")), Some(Reason::Hardlink));
        assert_eq!(reason(&t("fifo")), Some(Reason::NotRegularFile));
        assert!(matches!(t("missing"), Taken::Vanished));
        std::fs::create_dir(p.join("dir")).expect("mkdir");
        assert!(matches!(t("dir"), Taken::Directory));
    }

    #[test]
    fn a_file_that_changed_since_it_settled_is_not_taken() {
        let d = tmp();
        std::fs::write(d.path().join("a"), b"hello").expect("write");
        let stale = Seen {
            size: 3,
            mtime: SystemTime::UNIX_EPOCH,
            ino: 0,
        };
        assert!(matches!(
            take(d.path(), OsStr::new("a"), 100, Some(stale)),
            Taken::Changed(_)
        ));
    }
}
