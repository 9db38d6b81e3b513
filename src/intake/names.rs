//! Which names in the drop folder are files to take. Pure.
//!
//! Producers write under a hidden or temporary name and rename the finished
//! file to its final name (the maildir rule). Such in-progress names are
//! left alone until renamed: they are never read, moved or quarantined.
//! Editors and download tools produce the same shapes, so their names are
//! covered too (watchexec's and rsync's conventions).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// Suffixes of names still being written (compared without regard to case).
const TEMP_SUFFIXES: &[&str] = &[
    ".part",
    ".partial",
    ".tmp",
    ".temp",
    ".crdownload",
    ".download",
    ".filepart",
    ".!ut",
    ".swp",
    ".swx",
    ".swo",
    "~",
];

/// Why a name is left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Starts with `.` (dotfiles, rsync's `.NAME.XXXXXX`, vim's `.x.swp`).
    Hidden,
    /// Ends with a temporary suffix such as `.part` or `~`.
    Temporary,
    /// Emacs autosave `#name#`.
    Autosave,
}

impl Skip {
    /// The rule's name (a metric label).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::Hidden => "hidden",
            Skip::Temporary => "temporary",
            Skip::Autosave => "autosave",
        }
    }
}

/// `None` when `name` is a file to take; otherwise the rule that skips it.
#[must_use]
pub fn skip(name: &OsStr) -> Option<Skip> {
    let b = name.as_bytes();
    if b.first() == Some(&b'.') {
        return Some(Skip::Hidden);
    }
    if b.len() >= 2 && b[0] == b'#' && b[b.len() - 1] == b'#' {
        return Some(Skip::Autosave);
    }
    let lower = b.to_ascii_lowercase();
    if TEMP_SUFFIXES
        .iter()
        .any(|s| lower.ends_with(s.as_bytes()) && lower.len() > s.len())
    {
        return Some(Skip::Temporary);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str) -> Option<Skip> {
        skip(OsStr::new(name))
    }

    #[test]
    fn final_names_are_taken() {
        for n in [
            "a.txt",
            "story.json",
            "page.html",
            "x",
            "part",
            "tmp.txt",
            "a#b",
            "#",
        ] {
            assert_eq!(s(n), None, "{n}");
        }
    }

    #[test]
    fn hidden_and_temporary_names_are_left_alone() {
        assert_eq!(s(".hidden"), Some(Skip::Hidden));
        assert_eq!(s(".a.txt.AbC123"), Some(Skip::Hidden));
        assert_eq!(s(".x.swp"), Some(Skip::Hidden));
        for n in [
            "a.txt.part",
            "a.PART",
            "a.partial",
            "a.tmp",
            "a.temp",
            "a.crdownload",
            "a.download",
            "a.filepart",
            "a.!ut",
            "a.txt~",
            "a.swp",
            "a.swx",
        ] {
            assert_eq!(s(n), Some(Skip::Temporary), "{n}");
        }
        assert_eq!(s("#a.txt#"), Some(Skip::Autosave));
    }

    #[test]
    fn non_utf8_names_are_taken() {
        use std::os::unix::ffi::OsStrExt;
        assert_eq!(skip(OsStr::from_bytes(b"caf\xe9.txt")), None);
    }
}
