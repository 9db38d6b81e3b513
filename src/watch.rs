//! The drop-folder watcher: turns filesystem events into hints.
//!
//! Events are hints, never the truth: inotify drops events when its queue
//! overflows, a rename-in produces no create, and a watch dies silently
//! when its folder is replaced. So the watcher only records *which names
//! to look at* and *whether to rescan everything*; intake re-`lstat`s every
//! hinted name and rescans the folder on overflow, on any watcher error and
//! periodically.
//!
//! notify 8 calls the handler on its own thread. The handler must never
//! block (a stalled inotify reader is exactly how events get lost), so it
//! only inserts into a mutex-guarded set (coalescing: bounded by the number
//! of distinct names), sets a flag and wakes the intake task.

use notify::event::{ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// What the watcher tells intake. Shared between notify's thread and tokio.
#[derive(Debug, Default)]
pub struct Hints {
    /// Names to re-examine; `true` when a rename brought the name in.
    names: Mutex<BTreeMap<OsString, bool>>,
    rescan: AtomicBool,
    errors: AtomicU64,
    /// Wakes the intake task.
    pub wake: Notify,
}

impl Hints {
    /// New, empty hints.
    #[must_use]
    pub fn new() -> Arc<Self> {
        Arc::new(Hints::default())
    }

    /// Asks for a full rescan of the drop folder.
    pub fn request_rescan(&self) {
        self.rescan.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Asks intake to look at `name` again (the writer does this for files
    /// it put back in the drop folder).
    pub fn push(&self, name: OsString) {
        {
            let mut g = match self.names.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            g.entry(name).or_insert(false);
        }
        self.wake.notify_one();
    }

    /// Takes the pending names and the rescan flag.
    pub fn take(&self) -> (BTreeMap<OsString, bool>, bool) {
        let rescan = self.rescan.swap(false, Ordering::SeqCst);
        let names = match self.names.lock() {
            Ok(mut g) => std::mem::take(&mut *g),
            Err(p) => std::mem::take(&mut *p.into_inner()),
        };
        (names, rescan)
    }

    /// Watcher errors seen so far.
    #[must_use]
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// The notify handler. O(1)-ish and never blocks for long: the mutex is
    /// only ever held for an insert or a swap.
    fn handle(&self, res: notify::Result<Event>) {
        match res {
            Ok(event) => {
                if event.need_rescan() {
                    self.rescan.store(true, Ordering::SeqCst);
                }
                let renamed = matches!(
                    event.kind,
                    EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
                );
                // For `Both` the paths are [from, to]: only `to` arrived.
                let skip = usize::from(matches!(
                    event.kind,
                    EventKind::Modify(ModifyKind::Name(RenameMode::Both))
                ));
                if !event.paths.is_empty() {
                    let mut g = match self.names.lock() {
                        Ok(g) => g,
                        Err(p) => p.into_inner(),
                    };
                    for p in event.paths.iter().skip(skip) {
                        if let Some(n) = p.file_name() {
                            let e = g.entry(n.to_os_string()).or_insert(false);
                            *e |= renamed;
                        }
                    }
                }
            }
            Err(_) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                self.rescan.store(true, Ordering::SeqCst);
            }
        }
        self.wake.notify_one();
    }
}

/// Arms a non-recursive watch on `dir` that feeds `hints`. Symlinks are
/// not followed. Dropping the watcher disarms it.
///
/// # Errors
/// notify's error (for example the inotify watch limit).
pub fn arm(dir: &Path, hints: &Arc<Hints>) -> notify::Result<RecommendedWatcher> {
    let h = Arc::clone(hints);
    let config = notify::Config::default().with_follow_symlinks(false);
    let mut w = RecommendedWatcher::new(move |res| h.handle(res), config)?;
    w.watch(dir, RecursiveMode::NonRecursive)?;
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, Flag};
    use std::path::PathBuf;

    #[test]
    fn events_become_names_and_overflow_becomes_a_rescan() {
        let h = Hints::new();
        h.handle(Ok(
            Event::new(EventKind::Create(CreateKind::File)).add_path(PathBuf::from("/d/a.txt"))
        ));
        h.handle(Ok(Event::new(EventKind::Modify(ModifyKind::Name(
            RenameMode::Both,
        )))
        .add_path(PathBuf::from("/d/b.part"))
        .add_path(PathBuf::from("/d/b.txt"))));
        let (names, rescan) = h.take();
        assert!(!rescan);
        assert_eq!(names.get(OsString::from("a.txt").as_os_str()), Some(&false));
        assert_eq!(names.get(OsString::from("b.txt").as_os_str()), Some(&true));
        assert!(!names.contains_key(OsString::from("b.part").as_os_str()));
        h.handle(Ok(Event::new(EventKind::Other).set_flag(Flag::Rescan)));
        assert!(h.take().1, "a path-less overflow event asks for a rescan");
        h.handle(Err(notify::Error::generic("boom")));
        assert!(h.take().1);
        assert_eq!(h.errors(), 1);
    }
}
