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
        .event_format(JsonLine)
        .with_writer(std::io::stderr)
        .boxed()
}

/// The fields whose values are lists: logged as [`List`], they are JSON
/// arrays in the `json` output (tracing itself knows only scalars, and its
/// JSON formatter writes anything else as the string of its `Debug`).
pub const LIST_FIELDS: [&str; 3] = ["applied", "not_applied", "articles"];

/// A list field (`applied = ?List(&keys)`): `Debug` writes it as a JSON
/// array of strings, which the `json` output keeps as an array for the
/// names in [`LIST_FIELDS`]; the text output shows the same brackets.
pub struct List<'a, T>(pub &'a [T]);

impl<T: std::fmt::Display> std::fmt::Debug for List<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let items: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        let text = serde_json::to_string(&items).map_err(|_| std::fmt::Error)?;
        f.write_str(&text)
    }
}

/// One JSON object per event: `timestamp`, `level`, the event's fields at
/// the top level (`message` among them) and `target`; numbers and booleans
/// stay numbers and booleans, the [`LIST_FIELDS`] arrays.
struct JsonLine;

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for JsonLine
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut w: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        use serde_json::Value;
        let meta = event.metadata();
        let mut map = serde_json::Map::new();
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        map.insert("timestamp".into(), Value::String(now));
        map.insert("level".into(), Value::String(meta.level().as_str().into()));
        event.record(&mut JsonFields(&mut map));
        map.insert("target".into(), Value::String(meta.target().into()));
        writeln!(w, "{}", Value::Object(map))
    }
}

struct JsonFields<'a>(&'a mut serde_json::Map<String, serde_json::Value>);

impl tracing::field::Visit for JsonFields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        let v = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(a @ serde_json::Value::Array(_)) if LIST_FIELDS.contains(&field.name()) => a,
            _ => serde_json::Value::String(text),
        };
        self.0.insert(field.name().into(), v);
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_error(
        &mut self,
        field: &tracing::field::Field,
        value: &(dyn std::error::Error + 'static),
    ) {
        self.0.insert(field.name().into(), chain(value).into());
    }
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

    #[derive(Clone, Default)]
    struct Buf(std::sync::Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn json_lines_keep_lists_as_arrays_and_numbers_as_numbers() {
        let buf = Buf::default();
        let w = buf.clone();
        let sub = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .event_format(JsonLine)
                .with_writer(move || w.clone()),
        );
        let keys = ["log.level", "intake.settle_ms"];
        tracing::subscriber::with_default(sub, || {
            tracing::info!(applied = ?List(&keys), n = 3_u64, ok = true, "configuration reloaded");
            // a value that merely looks like a list stays a string
            tracing::info!(file = %r#"["x"]"#, "file ingested");
        });
        let text = String::from_utf8(buf.0.lock().expect("lock").clone()).expect("utf-8");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0]["applied"], serde_json::json!(keys), "{text}");
        assert_eq!(lines[0]["n"], 3);
        assert_eq!(lines[0]["ok"], true);
        assert_eq!(lines[0]["message"], "configuration reloaded");
        assert_eq!(lines[0]["level"], "INFO");
        assert!(
            lines[0]["target"]
                .as_str()
                .is_some_and(|t| t.starts_with("shingled"))
        );
        assert!(
            lines[0]["timestamp"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z')),
            "{text}"
        );
        assert_eq!(lines[1]["file"], r#"["x"]"#);
    }

    #[test]
    fn repeated_errors_are_rate_limited() {
        assert_eq!(allow("test.key"), Some(0));
        assert_eq!(allow("test.key"), None);
        assert_eq!(allow("test.key"), None);
        assert_eq!(allow("test.other"), Some(0));
    }
}
