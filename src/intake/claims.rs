//! Which drop-folder names are taken (queued or in the writer's hands) and
//! which are backing off after a transient failure. Shared by intake,
//! which claims names, and the writer, which releases them.

use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The first retry waits this long; each further failure doubles it.
const BACKOFF_START: Duration = Duration::from_millis(500);
/// Retries never wait longer than this.
const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// The backoff after `attempts` consecutive failures.
#[must_use]
pub fn backoff(attempts: u32) -> Duration {
    let factor = 1u32 << attempts.saturating_sub(1).min(16);
    BACKOFF_START.saturating_mul(factor).min(BACKOFF_MAX)
}

#[derive(Debug, Default)]
struct Inner {
    in_flight: HashSet<OsString>,
    backoff: HashMap<OsString, (u32, Instant)>,
}

/// The claim table.
#[derive(Debug, Default)]
pub struct Claims {
    inner: Mutex<Inner>,
}

impl Claims {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Whether `name` is queued or in the writer's hands.
    #[must_use]
    pub fn in_flight(&self, name: &OsStr) -> bool {
        self.lock().in_flight.contains(name)
    }

    /// When `name` may be tried again, if it is backing off at `now`.
    #[must_use]
    pub fn not_before(&self, name: &OsStr, now: Instant) -> Option<Instant> {
        self.lock()
            .backoff
            .get(name)
            .map(|&(_, t)| t)
            .filter(|&t| t > now)
    }

    /// Claims `name` for the pipeline; false when already claimed.
    pub fn claim(&self, name: &OsStr) -> bool {
        self.lock().in_flight.insert(name.to_os_string())
    }

    /// The file is finished (archived, quarantined or gone).
    pub fn done(&self, name: &OsStr) {
        let mut g = self.lock();
        g.in_flight.remove(name);
        g.backoff.remove(name);
    }

    /// The file stays in the drop folder to be tried again after a backoff
    /// that grows with each consecutive failure. Returns the wait.
    pub fn retry(&self, name: &OsStr, now: Instant) -> Duration {
        let mut g = self.lock();
        g.in_flight.remove(name);
        let e = g.backoff.entry(name.to_os_string()).or_insert((0, now));
        e.0 = e.0.saturating_add(1);
        let wait = backoff(e.0);
        e.1 = now + wait;
        wait
    }

    /// Names queued or in the writer's hands.
    #[must_use]
    pub fn in_flight_count(&self) -> usize {
        self.lock().in_flight.len()
    }

    /// Forgets backoffs of names that are no longer in the folder.
    pub fn retain_backoff(&self, present: impl Fn(&OsStr) -> bool) {
        self.lock().backoff.retain(|n, _| present(n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_millis(1_000));
        assert_eq!(backoff(3), Duration::from_millis(2_000));
        assert_eq!(backoff(40), BACKOFF_MAX);
    }

    #[test]
    fn a_claim_is_exclusive_until_released() {
        let c = Claims::default();
        let n = OsStr::new("a.txt");
        assert!(c.claim(n));
        assert!(!c.claim(n));
        assert!(c.in_flight(n));
        let t0 = Instant::now();
        let wait = c.retry(n, t0);
        assert!(!c.in_flight(n));
        assert_eq!(c.not_before(n, t0), Some(t0 + wait));
        assert_eq!(c.not_before(n, t0 + wait), None);
        assert!(c.claim(n));
        c.done(n);
        assert_eq!(c.not_before(n, t0), None);
        assert_eq!(c.in_flight_count(), 0);
    }
}
