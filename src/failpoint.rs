//! Crash points for the crash-matrix tests.
//!
//! With the cargo feature `failpoints`, `SHINGLED_FAILPOINT=name[:N]`
//! makes the process `abort()` (no unwinding, no flush, no destructors:
//! the closest thing to a power cut a test can cause) on the Nth time the
//! named point is passed (default the first). `name:N:hang` parks the
//! thread forever instead, which is how the tests stall the pipeline to
//! watch the systemd watchdog pings stop. `SHINGLED_FAILPOINT_SLEEP=name:MS`
//! sleeps MS milliseconds every time the named point is passed: the kill
//! test widens the window between a flush and the move out of `drop/` with
//! it, so that its random kills land there often enough to be counted.
//! Without the feature, [`hit`] is an empty inline function and neither
//! variable is read.
//!
//! The points, in the order a file passes them: `after_read`,
//! `after_commit` (applied, not flushed), `after_flush`,
//! `after_quarantine_sidecar`, `after_archive_rename`, `before_dirsync`.

/// Passes the crash point `name`.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn hit(name: &'static str) {
    let _ = name;
}

/// Passes the crash point `name`.
#[cfg(feature = "failpoints")]
pub fn hit(name: &'static str) {
    imp::hit(name);
}

#[cfg(feature = "failpoints")]
mod imp {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    struct Armed {
        name: String,
        nth: u64,
        hang: bool,
        count: AtomicU64,
    }

    fn armed() -> Option<&'static Armed> {
        static ARMED: OnceLock<Option<Armed>> = OnceLock::new();
        ARMED
            .get_or_init(|| {
                let spec = std::env::var("SHINGLED_FAILPOINT").ok()?;
                let mut parts = spec.split(':');
                let name = parts.next()?.to_string();
                let nth = parts.next().and_then(|n| n.parse().ok()).unwrap_or(1);
                let hang = parts.next() == Some("hang");
                Some(Armed {
                    name,
                    nth,
                    hang,
                    count: AtomicU64::new(0),
                })
            })
            .as_ref()
    }

    /// The `SHINGLED_FAILPOINT_SLEEP` point and its delay.
    fn sleep_at() -> Option<&'static (String, std::time::Duration)> {
        static SLEEP: OnceLock<Option<(String, std::time::Duration)>> = OnceLock::new();
        SLEEP
            .get_or_init(|| {
                let spec = std::env::var("SHINGLED_FAILPOINT_SLEEP").ok()?;
                let (name, ms) = spec.split_once(':')?;
                let ms = ms.parse().ok()?;
                Some((name.to_string(), std::time::Duration::from_millis(ms)))
            })
            .as_ref()
    }

    pub(super) fn hit(name: &'static str) {
        if let Some((at, delay)) = sleep_at()
            && at == name
        {
            std::thread::sleep(*delay);
        }
        let Some(a) = armed() else { return };
        if a.name != name || a.count.fetch_add(1, Ordering::SeqCst) + 1 != a.nth {
            return;
        }
        eprintln!("shingled: failpoint {name} reached (hit {})", a.nth);
        if a.hang {
            loop {
                std::thread::park();
            }
        }
        std::process::abort();
    }
}
