//! "Is this file finished?" Pure: every decision takes the clocks as
//! parameters, so it is tested with fake times.
//!
//! The drop-folder contract is rename-in: a producer writes elsewhere (or
//! under a temporary name) and renames the finished file in. A file seen
//! arriving by rename is finished. Writers that write in place give no such
//! signal, so their files are taken only once size and mtime have stayed
//! the same for the settle time: either we watched them unchanged that
//! long, or their mtime already says nobody wrote them for that long (a
//! backlog found at start-up is not held back again).

use std::time::{Duration, Instant, SystemTime};

/// What a listing (`lstat`) saw of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Size in bytes.
    pub size: u64,
    /// Last modification time.
    pub mtime: SystemTime,
    /// Inode: a file replaced under the same name is a different file.
    pub ino: u64,
}

/// The verdict for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// Take it now.
    Now,
    /// Look again at this instant (re-`lstat` first).
    At(Instant),
}

/// What intake remembers of a file it has seen but not yet taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settling {
    seen: Seen,
    since: Instant,
    renamed: bool,
}

impl Settling {
    /// First sight of a file at `now`; `renamed` when a rename event
    /// brought it in.
    #[must_use]
    pub fn new(seen: Seen, now: Instant, renamed: bool) -> Self {
        Settling {
            seen,
            since: now,
            renamed,
        }
    }

    /// What was last seen.
    #[must_use]
    pub fn seen(&self) -> Seen {
        self.seen
    }

    /// Records a new sighting. A change restarts the clock and forgets a
    /// rename: whoever renamed it in is still writing to it.
    pub fn observe(&mut self, seen: Seen, now: Instant) {
        if seen != self.seen {
            self.seen = seen;
            self.since = now;
            self.renamed = false;
        }
    }

    /// A rename event named this file: it arrived finished.
    pub fn mark_renamed(&mut self) {
        self.renamed = true;
    }

    /// The file changed under the reader: wait a full settle time again.
    pub fn restart(&mut self, seen: Seen, now: Instant) {
        self.seen = seen;
        self.since = now;
        self.renamed = false;
    }

    /// Whether the file may be taken, given the settle time, the monotonic
    /// clock and the wall clock (for the mtime).
    #[must_use]
    pub fn decide(&self, settle: Duration, now: Instant, wall: SystemTime) -> Ready {
        if self.renamed || settle.is_zero() {
            return Ready::Now;
        }
        let watched = now.saturating_duration_since(self.since);
        if watched >= settle {
            return Ready::Now;
        }
        let mut at = self.since + settle;
        // An mtime in the future (clock skew) says nothing; ignore it.
        if let Ok(idle) = wall.duration_since(self.seen.mtime) {
            if idle >= settle {
                return Ready::Now;
            }
            at = at.min(now + (settle - idle));
        }
        Ready::At(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTLE: Duration = Duration::from_millis(2_000);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn seen(size: u64, mtime: SystemTime) -> Seen {
        Seen {
            size,
            mtime,
            ino: 1,
        }
    }

    #[test]
    fn a_renamed_in_file_is_taken_at_once() {
        let (t0, w0) = (Instant::now(), SystemTime::now());
        let s = Settling::new(seen(10, w0), t0, true);
        assert_eq!(s.decide(SETTLE, t0, w0), Ready::Now);
    }

    #[test]
    fn a_fresh_file_waits_for_the_settle_time() {
        let (t0, w0) = (Instant::now(), SystemTime::now());
        let s = Settling::new(seen(10, w0), t0, false);
        assert_eq!(s.decide(SETTLE, t0, w0), Ready::At(t0 + SETTLE));
        assert_eq!(
            s.decide(SETTLE, t0 + ms(1_999), w0 + ms(1_999)),
            Ready::At(t0 + SETTLE)
        );
        assert_eq!(s.decide(SETTLE, t0 + SETTLE, w0 + SETTLE), Ready::Now);
    }

    #[test]
    fn a_growing_file_restarts_the_clock_and_loses_its_rename() {
        let (t0, w0) = (Instant::now(), SystemTime::now());
        let mut s = Settling::new(seen(10, w0), t0, true);
        s.observe(seen(20, w0 + ms(1_500)), t0 + ms(1_500));
        assert_eq!(
            s.decide(SETTLE, t0 + ms(2_000), w0 + ms(2_000)),
            Ready::At(t0 + ms(3_500))
        );
        assert_eq!(s.decide(SETTLE, t0 + ms(3_500), w0 + ms(3_500)), Ready::Now);
    }

    #[test]
    fn an_unchanged_sighting_keeps_the_clock() {
        let (t0, w0) = (Instant::now(), SystemTime::now());
        let mut s = Settling::new(seen(10, w0), t0, false);
        s.observe(seen(10, w0), t0 + ms(1_000));
        assert_eq!(s.decide(SETTLE, t0 + ms(2_000), w0 + ms(2_000)), Ready::Now);
    }

    #[test]
    fn an_old_mtime_needs_no_waiting() {
        let (t0, w0) = (Instant::now(), SystemTime::now());
        let s = Settling::new(seen(10, w0 - ms(60_000)), t0, false);
        assert_eq!(s.decide(SETTLE, t0, w0), Ready::Now);
        // Half-idle already: only the rest of the settle time remains.
        let s = Settling::new(seen(10, w0 - ms(1_500)), t0, false);
        assert_eq!(s.decide(SETTLE, t0, w0), Ready::At(t0 + ms(500)));
    }

    #[test]
    fn a_future_mtime_is_ignored() {
        let (t0, w0) = (Instant::now(), SystemTime::now());
        let s = Settling::new(seen(10, w0 + ms(600_000)), t0, false);
        assert_eq!(s.decide(SETTLE, t0, w0), Ready::At(t0 + SETTLE));
    }

    #[test]
    fn a_zero_settle_time_takes_everything() {
        let (t0, w0) = (Instant::now(), SystemTime::now());
        let s = Settling::new(seen(10, w0), t0, false);
        assert_eq!(s.decide(Duration::ZERO, t0, w0), Ready::Now);
    }

    #[test]
    fn a_change_under_the_reader_waits_again() {
        let (t0, w0) = (Instant::now(), SystemTime::now());
        let mut s = Settling::new(seen(10, w0 - ms(60_000)), t0, true);
        s.restart(seen(12, w0), t0 + ms(10));
        assert_eq!(
            s.decide(SETTLE, t0 + ms(10), w0),
            Ready::At(t0 + ms(10) + SETTLE)
        );
    }
}
