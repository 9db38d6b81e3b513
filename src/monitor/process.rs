//! The standard Prometheus process metrics (`process_cpu_seconds_total`,
//! `process_resident_memory_bytes`, ...), read from `/proc/self` when
//! `/metrics` is scraped. The `metrics` facade has only integer counters,
//! and CPU seconds are fractional, so these are rendered as text here and
//! appended to the exporter's output.

use std::fmt::Write;

/// Ticks per second of the times in `/proc/self/stat` (`USER_HZ`, which
/// the kernel's user ABI fixes at 100 on every Linux architecture we run).
const USER_HZ: f64 = 100.0;

/// What `/proc` says about this process.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    /// User plus system CPU time, in seconds.
    pub cpu_seconds: f64,
    /// Resident memory, in bytes.
    pub resident_bytes: u64,
    /// Virtual memory, in bytes.
    pub virtual_bytes: u64,
    /// Open file descriptors.
    pub open_fds: u64,
    /// The soft limit on open file descriptors.
    pub max_fds: Option<u64>,
    /// Start time since the Unix epoch, in seconds.
    pub start_time_seconds: f64,
}

/// CPU ticks (utime + stime) and the start time in ticks since boot, from
/// the text of `/proc/self/stat`. The command name (field 2) may hold
/// spaces and parentheses, so fields are counted after its last `)`.
#[must_use]
pub fn parse_stat(stat: &str) -> Option<(u64, u64)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // rest starts at field 3 (state); utime is field 14, stime 15, starttime 22.
    let f: Vec<&str> = rest.split_whitespace().collect();
    let num = |i: usize| f.get(i - 3)?.parse::<u64>().ok();
    Some((num(14)? + num(15)?, num(22)?))
}

/// A `Key:   N kB` line of `/proc/self/status`, in bytes.
#[must_use]
pub fn status_kb(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line[key.len()..]
        .trim_start_matches(':')
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// The soft `Max open files` limit from `/proc/self/limits`.
#[must_use]
pub fn max_open_files(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The boot time (`btime`) from `/proc/stat`, in seconds since the epoch.
#[must_use]
pub fn boot_time(proc_stat: &str) -> Option<u64> {
    proc_stat
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()
}

/// Reads `/proc` now; `None` where it cannot be read (not Linux).
#[must_use]
pub fn sample() -> Option<Sample> {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let (ticks, start_ticks) = parse_stat(&read("/proc/self/stat")?)?;
    let status = read("/proc/self/status")?;
    let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
    let btime = read("/proc/stat").as_deref().and_then(boot_time)?;
    Some(Sample {
        cpu_seconds: ticks as f64 / USER_HZ,
        resident_bytes: status_kb(&status, "VmRSS").unwrap_or(0),
        virtual_bytes: status_kb(&status, "VmSize").unwrap_or(0),
        // read_dir holds one descriptor of its own while it counts
        open_fds: open_fds.saturating_sub(1),
        max_fds: read("/proc/self/limits")
            .as_deref()
            .and_then(max_open_files),
        start_time_seconds: btime as f64 + start_ticks as f64 / USER_HZ,
    })
}

/// `s` in the Prometheus text format, with HELP and TYPE lines.
#[must_use]
pub fn render(s: &Sample) -> String {
    let mut out = String::new();
    let mut one = |name: &str, kind: &str, help: &str, v: String| {
        let _ = write!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}\n\n"
        );
    };
    one(
        "process_cpu_seconds_total",
        "counter",
        "Total user and system CPU time spent in seconds.",
        format!("{}", s.cpu_seconds),
    );
    one(
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory size in bytes.",
        s.resident_bytes.to_string(),
    );
    one(
        "process_virtual_memory_bytes",
        "gauge",
        "Virtual memory size in bytes.",
        s.virtual_bytes.to_string(),
    );
    one(
        "process_open_fds",
        "gauge",
        "Number of open file descriptors.",
        s.open_fds.to_string(),
    );
    if let Some(m) = s.max_fds {
        one(
            "process_max_fds",
            "gauge",
            "Maximum number of open file descriptors.",
            m.to_string(),
        );
    }
    one(
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since unix epoch in seconds.",
        format!("{}", s.start_time_seconds),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        // A command name with a space and a parenthesis must not shift the fields.
        let mut f: Vec<String> = (3..=25).map(|i| i.to_string()).collect();
        f[0] = "S".into();
        let stat = format!("4242 (odd) name) {}", f.join(" "));
        assert_eq!(parse_stat(&stat), Some((14 + 15, 22)));
        assert_eq!(parse_stat("4242 (cut"), None);
    }

    #[test]
    fn status_limits_and_boot_time_are_read() {
        let status = "Name:\tshingled\nVmSize:\t  2048 kB\nVmRSS:\t   512 kB\n";
        assert_eq!(status_kb(status, "VmRSS"), Some(512 * 1024));
        assert_eq!(status_kb(status, "VmSize"), Some(2048 * 1024));
        assert_eq!(status_kb(status, "VmSwap"), None);
        let limits = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n";
        assert_eq!(max_open_files(limits), Some(1024));
        assert_eq!(
            boot_time("cpu  1 2 3\nbtime 1700000000\n"),
            Some(1_700_000_000)
        );
    }

    #[test]
    fn this_process_is_sampled_and_rendered() {
        let s = sample().expect("/proc is readable on Linux");
        assert!(
            s.resident_bytes > 0 && s.virtual_bytes >= s.resident_bytes,
            "{s:?}"
        );
        assert!(s.open_fds >= 1, "{s:?}");
        assert!(s.start_time_seconds > 1.0e9, "{s:?}");
        let text = render(&s);
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_start_time_seconds",
        ] {
            assert!(text.contains(&format!("# TYPE {name} ")), "{text}");
        }
    }
}
