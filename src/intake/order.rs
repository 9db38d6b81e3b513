//! The arrival order: which waiting file goes to the writer next. Pure.
//!
//! Decisions depend on the order files are decided in (a two-story page
//! decided before the page it repeats makes a second article), so the
//! order must be the same however often the daemon restarts. It is
//! therefore read from the files themselves, not from when this process
//! happened to notice them:
//!
//! - A file *arrived* at its ctime (the inode's status-change time, which
//!   the kernel sets when the file is renamed into the folder and on every
//!   write). For a renamed-in file that is the rename; for a file written
//!   in place, its last write (it is not finished before). The mtime is
//!   no evidence (`cp -p` and `rsync -t` keep an old one), nor is the name.
//! - Ties (the kernel's clock ticks every few milliseconds, so two renames
//!   in one tick share a ctime) go by inode, then name.
//! - A file is handed out only when every file that arrived before it has
//!   been: a file that must still settle (written in place, or found at
//!   start-up with a recent mtime) holds back every later arrival until it
//!   is taken. The one exception is a file backing off after a transient
//!   failure: it does not hold the others (an unreadable file would stop
//!   the daemon), and is decided when it can be read.
//!
//! Files found at start-up arrived before the restart, so they are decided
//! before anything that arrives after it. The cost is latency: after a
//! restart, a new file may wait up to `settle_ms` behind files that were
//! renamed in just before it (their rename cannot be told from an in-place
//! write any more, so they settle).

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::time::SystemTime;

/// Where a file stands in the order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    /// Its ctime.
    pub arrived: SystemTime,
    /// Its inode.
    pub ino: u64,
    /// Its name.
    pub name: OsString,
}

/// What a waiting file may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Settled: it may go.
    Ready,
    /// Not finished yet (or not known to be): it holds back later files.
    Settling,
    /// Backing off after a failure: later files go past it.
    BackingOff,
}

/// The files waiting, in arrival order.
#[derive(Debug, Default)]
pub struct Order {
    keys: BTreeSet<Key>,
}

impl Order {
    /// Adds a waiting file.
    pub fn insert(&mut self, key: Key) {
        self.keys.insert(key);
    }

    /// Removes a file (taken, gone, or about to be re-inserted).
    pub fn remove(&mut self, key: &Key) {
        self.keys.remove(key);
    }

    /// The file to hand out next, if any: the first in arrival order that
    /// is ready, unless a file before it must still settle.
    #[must_use]
    pub fn next(&self, state: impl Fn(&OsStr) -> State) -> Option<&Key> {
        for k in &self.keys {
            match state(&k.name) {
                State::Ready => return Some(k),
                State::Settling => return None,
                State::BackingOff => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn key(ms: u64, ino: u64, name: &str) -> Key {
        Key {
            arrived: SystemTime::UNIX_EPOCH + Duration::from_millis(ms),
            ino,
            name: name.into(),
        }
    }

    #[test]
    fn files_go_in_arrival_order_whatever_their_names() {
        let mut o = Order::default();
        o.insert(key(30, 1, "a"));
        o.insert(key(10, 9, "z"));
        o.insert(key(20, 5, "m"));
        o.insert(key(20, 4, "y"));
        let mut got = Vec::new();
        while let Some(k) = o.next(|_| State::Ready).cloned() {
            o.remove(&k);
            got.push(k.name);
        }
        assert_eq!(got, ["z", "y", "m", "a"], "by ctime, then inode");
    }

    #[test]
    fn a_settling_file_holds_back_later_arrivals_but_a_backoff_does_not() {
        let mut o = Order::default();
        o.insert(key(10, 1, "written-in-place"));
        o.insert(key(20, 2, "renamed"));
        let settling = |n: &OsStr| {
            if n == "written-in-place" {
                State::Settling
            } else {
                State::Ready
            }
        };
        assert_eq!(o.next(settling), None);
        let backing_off = |n: &OsStr| {
            if n == "written-in-place" {
                State::BackingOff
            } else {
                State::Ready
            }
        };
        assert_eq!(
            o.next(backing_off).map(|k| k.name.clone()),
            Some("renamed".into())
        );
    }
}
