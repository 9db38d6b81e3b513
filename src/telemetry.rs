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

/// The characters [`escape`] escapes: Unicode general categories Cc
/// (controls), Cf (format: bidirectional overrides and isolates U+202A–E
/// and U+2066–9, zero-width U+200B–F, U+FEFF, soft hyphen, ...), Zl and
/// Zp (line and paragraph separators), and the backslash. The tables are
/// `regex`'s (Unicode general categories, kept up to date with the crate).
const UNSAFE_IN_LOGS: &str = r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\\]";

fn unsafe_in_logs() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(UNSAFE_IN_LOGS).expect("a valid character class"))
}

/// A drop-folder name made safe for a log line: control and format
/// characters, line and paragraph separators (see [`UNSAFE_IN_LOGS`]),
/// backslashes and bytes that are not UTF-8 are escaped (`\n`, `\u{1b}`,
/// `\u{202e}`, `\xff`), so a name can neither forge a line nor display
/// reversed or hidden text; everything else is kept as is.
#[must_use]
pub fn escape(name: &OsStr) -> String {
    use std::fmt::Write;
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::with_capacity(name.len());
    for chunk in name.as_bytes().utf8_chunks() {
        let valid = chunk.valid();
        let mut kept = 0;
        for m in unsafe_in_logs().find_iter(valid) {
            out.push_str(&valid[kept..m.start()]);
            m.as_str()
                .chars()
                .for_each(|c| out.extend(c.escape_default()));
            kept = m.end();
        }
        out.push_str(&valid[kept..]);
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// An error and its causes on one line (`outer: cause: root`), for a log
/// field: error types keep their cause in `source()`, not in their text.
#[must_use]
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        out.push_str(": ");
        out.push_str(&e.to_string());
        next = e.source();
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
    fn format_characters_and_separators_are_escaped_for_logs() {
        assert_eq!(
            escape(OsStr::new("report\u{202E}txt.exe")),
            "report\\u{202e}txt.exe"
        );
        let format_chars = [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', // embeddings, overrides
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', // isolates
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', // zero-width, marks
            '\u{FEFF}', '\u{00AD}', '\u{061C}', '\u{2060}', '\u{2028}', '\u{2029}',
        ];
        for c in format_chars {
            let e = escape(OsStr::new(&format!("a{c}b")));
            assert_eq!(e, format!("a\\u{{{:x}}}b", u32::from(c)), "{:?}", c);
        }
        // Letters, marks, symbols and emoji of any script stay as they are.
        for kept in [
            "café",
            "新聞.txt",
            "Ελλάδα",
            "עברית",
            "x\u{301}",
            "😀.txt",
            "a b",
        ] {
            assert_eq!(escape(OsStr::new(kept)), kept);
        }
    }

    #[test]
    fn repeated_errors_are_rate_limited() {
        assert_eq!(allow("test.key"), Some(0));
        assert_eq!(allow("test.key"), None);
        assert_eq!(allow("test.key"), None);
        assert_eq!(allow("test.other"), Some(0));
    }
}
