//! Logging for the daemon: one place decides where tracing output goes.
//!
//! - `text`: human-readable lines on stderr (colours on a terminal);
//! - `json`: one JSON object per line on stderr, fields at the top level;
//! - `journald`: native journal fields; falls back to text on stderr when
//!   there is no journal socket;
//! - `auto`: journald when systemd connected stderr to the journal
//!   (`JOURNAL_STREAM` is set), text on a terminal, JSON otherwise.
//!
//! Logs never go to stdout (the CLI's output). The level is a reloadable
//! filter so SIGHUP can change it. Names from the drop folder are written
//! through [`escape`] so a crafted file name cannot forge log lines, and
//! repeated errors pass through [`allow`] so a failing disk cannot flood
//! the journal.

use crate::config::{Log, LogFormat};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry, reload};

/// A logging set-up failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The level is not a tracing filter (the config validates it first).
    #[error("log level `{0}` is not a tracing filter")]
    Level(String),
    /// A global subscriber is already installed.
    #[error("logging is already initialised")]
    AlreadyInit,
}

type Filter = reload::Layer<EnvFilter, Registry>;
type Output = Box<dyn Layer<tracing_subscriber::layer::Layered<Filter, Registry>> + Send + Sync>;

/// The installed logger; keeps the handle that changes the level.
#[derive(Debug)]
pub struct Telemetry {
    level: reload::Handle<EnvFilter, Registry>,
    /// The output actually in use: `text`, `json` or `journald`.
    pub output: &'static str,
}

fn text() -> Output {
    tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .boxed()
}

fn json() -> Output {
    tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_writer(std::io::stderr)
        .boxed()
}

/// Installs the global logger for `log`.
///
/// # Errors
/// [`Error`] when the level is invalid or a logger is already installed.
pub fn init(log: &Log) -> Result<Telemetry, Error> {
    let filter = EnvFilter::try_new(&log.level).map_err(|_| Error::Level(log.level.clone()))?;
    let (filter, level) = reload::Layer::new(filter);
    let journal_wanted = match log.format {
        LogFormat::Journald => true,
        LogFormat::Auto => std::env::var_os("JOURNAL_STREAM").is_some(),
        _ => false,
    };
    let mut fallback = None;
    let (output, name): (Output, &'static str) = if journal_wanted {
        match tracing_journald::layer() {
            Ok(l) => (
                l.with_syslog_identifier("shingled".into()).boxed(),
                "journald",
            ),
            Err(e) => {
                fallback = Some(e.to_string());
                (text(), "text")
            }
        }
    } else {
        match log.format {
            LogFormat::Json => (json(), "json"),
            LogFormat::Text => (text(), "text"),
            _ if std::io::stderr().is_terminal() => (text(), "text"),
            _ => (json(), "json"),
        }
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .try_init()
        .map_err(|_| Error::AlreadyInit)?;
    if let Some(e) = fallback {
        tracing::warn!(error = %e, "no journal socket; logging to stderr instead");
    }
    Ok(Telemetry {
        level,
        output: name,
    })
}

impl Telemetry {
    /// Replaces the level filter (SIGHUP).
    ///
    /// # Errors
    /// [`Error::Level`] when `level` is not a filter; the old one stays.
    pub fn set_level(&self, level: &str) -> Result<(), Error> {
        let f = EnvFilter::try_new(level).map_err(|_| Error::Level(level.into()))?;
        self.level.reload(f).map_err(|_| Error::Level(level.into()))
    }
}

/// A drop-folder name made safe for a log line: control characters,
/// backslashes and bytes that are not UTF-8 are escaped (`\n`, `\u{1b}`,
/// `\xff`), everything else is kept as is.
#[must_use]
pub fn escape(name: &OsStr) -> String {
    use std::fmt::Write;
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::with_capacity(name.len());
    for chunk in name.as_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() || c == '\\' {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// How often one kind of error is logged at most.
const ERROR_EVERY: Duration = Duration::from_secs(10);

/// Rate limit for repeated errors: `Some(n)` when an error of kind `key`
/// may be logged now (`n` = how many were suppressed since the last one),
/// `None` when it should be counted and dropped.
#[must_use]
pub fn allow(key: &'static str) -> Option<u64> {
    static SEEN: OnceLock<Mutex<HashMap<&'static str, (Instant, u64)>>> = OnceLock::new();
    let mut g = match SEEN.get_or_init(Mutex::default).lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    let now = Instant::now();
    match g.get_mut(key) {
        Some((last, n)) if now.duration_since(*last) < ERROR_EVERY => {
            *n += 1;
            None
        }
        Some((last, n)) => {
            let s = *n;
            *last = now;
            *n = 0;
            Some(s)
        }
        None => {
            g.insert(key, (now, 0));
            Some(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn names_are_escaped_for_logs() {
        assert_eq!(escape(OsStr::new("a.txt")), "a.txt");
        assert_eq!(escape(OsStr::new("a\nb\tc")), "a\\nb\\tc");
        assert_eq!(escape(OsStr::new("x\u{1b}[31m")), "x\\u{1b}[31m");
        assert_eq!(escape(OsStr::from_bytes(b"caf\xe9")), "caf\\xe9");
        assert_eq!(escape(OsStr::new("é ü")), "é ü");
        assert_eq!(escape(OsStr::new("a\\n")), "a\\\\n");
    }

    #[test]
    fn repeated_errors_are_rate_limited() {
        assert_eq!(allow("test.key"), Some(0));
        assert_eq!(allow("test.key"), None);
        assert_eq!(allow("test.key"), None);
        assert_eq!(allow("test.other"), Some(0));
    }
}
