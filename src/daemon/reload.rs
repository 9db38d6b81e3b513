//! SIGHUP: which configuration changes apply to the running daemon. Pure.
//!
//! Live: the log level and summary interval, everything intake decides per
//! file (size and block caps, settle time, rescan interval) and the group-commit
//! limits. Not live (reported, and kept as they were until a restart):
//! folders, socket and store (the daemon holds them open), the store cache,
//! the near-duplicate parameters (they shape the stored index), the queue
//! capacity (a channel's size is fixed), the API listeners and the log
//! format (the output is chosen once).

use crate::config::Config;

/// The result of merging a reloaded file into the running configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// What the daemon runs with from now on.
    pub effective: Config,
    /// Keys whose new values were applied.
    pub applied: Vec<&'static str>,
    /// Keys that changed in the file but need a restart.
    pub not_live: Vec<&'static str>,
}

/// Applies the live part of `new` to `current`.
#[must_use]
pub fn merge(current: &Config, new: &Config) -> Merged {
    let mut e = current.clone();
    let mut applied = Vec::new();
    let mut not_live = Vec::new();
    macro_rules! live {
        ($key:literal, $($f:ident).+) => {
            if current.$($f).+ != new.$($f).+ {
                e.$($f).+ = new.$($f).+.clone();
                applied.push($key);
            }
        };
    }
    macro_rules! fixed {
        ($key:literal, $($f:ident).+) => {
            if current.$($f).+ != new.$($f).+ {
                not_live.push($key);
            }
        };
    }
    live!("log.level", log.level);
    live!("log.summary_interval_s", log.summary_interval);
    live!("intake.max_file_bytes", intake.max_file_bytes);
    live!("intake.max_blocks_per_file", intake.max_blocks_per_file);
    live!("intake.settle_ms", intake.settle);
    live!("intake.rescan_interval_s", intake.rescan_interval);
    live!("commit.group_max_files", commit.group_max_files);
    live!("commit.group_max_wait_ms", commit.group_max_wait);
    fixed!("paths.drop", paths.drop);
    fixed!("paths.archive", paths.archive);
    fixed!("paths.quarantine", paths.quarantine);
    fixed!("paths.store", paths.store);
    fixed!("api.socket", paths.socket);
    fixed!("api.tcp", api.tcp);
    fixed!("api.allow_remote", api.allow_remote);
    fixed!("intake.queue_capacity", intake.queue_capacity);
    fixed!("store.cache_capacity_mb", store.cache_capacity);
    fixed!("dedup", dedup);
    fixed!("log.format", log.format);
    Merged {
        effective: e,
        applied,
        not_live,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(extra: &str) -> Config {
        Config::from_toml(&format!(
            "[paths]\ndrop = \"d\"\narchive = \"a\"\nquarantine = \"q\"\nstore = \"s\"\n{extra}"
        ))
        .expect("config")
    }

    #[test]
    fn live_keys_apply_and_fixed_keys_are_reported_and_kept() {
        let cur = cfg("");
        let new = cfg("[intake]\nmax_file_bytes = 10\nmax_blocks_per_file = 9\nsettle_ms = 5\nqueue_capacity = 3\n[log]\nlevel = \"debug\"\n")
            .clone();
        let mut moved = new.clone();
        moved.paths.drop = "elsewhere".into();
        let m = merge(&cur, &moved);
        assert_eq!(m.effective.intake.max_file_bytes, 10);
        assert_eq!(m.effective.intake.max_blocks_per_file, 9);
        assert_eq!(m.effective.log.level, "debug");
        assert_eq!(m.effective.paths.drop, cur.paths.drop);
        assert_eq!(m.effective.intake.queue_capacity, cur.intake.queue_capacity);
        assert_eq!(
            m.applied,
            vec![
                "log.level",
                "intake.max_file_bytes",
                "intake.max_blocks_per_file",
                "intake.settle_ms"
            ]
        );
        assert_eq!(m.not_live, vec!["paths.drop", "intake.queue_capacity"]);
    }

    #[test]
    fn an_unchanged_file_changes_nothing() {
        let c = cfg("");
        let m = merge(&c, &c);
        assert!(m.applied.is_empty() && m.not_live.is_empty());
        assert_eq!(m.effective, c);
    }
}
