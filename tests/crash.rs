//! Crash safety: the daemon is aborted at each crash point in turn (cargo
//! feature `failpoints`, `SHINGLED_FAILPOINT=name:N`), restarted, and the
//! result must be as if nothing had happened: every file archived or
//! quarantined, every archived file's article exported, the change log
//! gap-free with no event twice.

#[cfg(not(feature = "failpoints"))]
#[test]
fn the_crash_matrix_needs_the_failpoints_feature() {
    panic!(
        "the crash-matrix tests need the failpoints build: \
         run `cargo test --features failpoints` (they never skip silently)"
    );
}

#[cfg(feature = "failpoints")]
mod matrix {
    use crate::daemon_util::*;
    use crate::systemd::Notified;
    use crate::util::Env;
    use serde_json::Value;
    use std::collections::BTreeSet;
    use std::os::unix::process::ExitStatusExt;
    use std::time::Duration;

    const GOOD: usize = 16;

    fn workload(env: &Env) -> (Vec<String>, Vec<String>) {
        let mut good = Vec::new();
        for i in 0..GOOD {
            let n = format!("good-{i:02}.txt");
            drop_in(env, &n, article(40, i));
            good.push(n);
        }
        drop_in(env, "copy.txt", article(40, 0));
        good.push("copy.txt".into());
        let mut bad = Vec::new();
        for i in 0..2u8 {
            let n = format!("bad-{i}.bin");
            drop_in(env, &n, [0u8, 1, 2, i, 0, 0, 9]);
            bad.push(n);
        }
        (good, bad)
    }

    fn everything_once(env: &Env, total: usize, when: &str) {
        let mut all = archived(env);
        all.extend(quarantined(env));
        all.extend(names_under(&env.path("drop")));
        let distinct: BTreeSet<&String> = all.iter().collect();
        assert_eq!(
            all.len(),
            total,
            "{when}: every file in exactly one place: {all:?}"
        );
        assert_eq!(distinct.len(), total, "{when}: no file twice: {all:?}");
    }

    fn crash_at(point: &str, nth: u32) {
        let env = daemon_env(&[("intake.settle_ms", "0"), ("commit.group_max_files", "4")]);
        let (good, bad) = workload(&env);
        let total = good.len() + bad.len();
        let spec = format!("{point}:{nth}");
        let mut d = spawn(&env, &[("SHINGLED_FAILPOINT", spec.as_str())]);
        let s = d.wait_exit(TIMEOUT);
        assert_eq!(
            s.signal(),
            Some(6),
            "{point}: aborted by the failpoint\n{}",
            d.log_text()
        );
        everything_once(&env, total, &format!("after the crash at {point}"));
        assert!(
            !names_under(&env.path("drop")).is_empty(),
            "{point}: the crash came mid-workload"
        );
        let d = start(&env, &[]);
        wait_until(TIMEOUT, "everything processed after the restart", || {
            names_under(&env.path("drop")).is_empty()
        });
        d.stop();
        everything_once(&env, total, &format!("after the restart ({point})"));
        let mut want_archived = good.clone();
        want_archived.sort();
        assert_eq!(archived(&env), want_archived, "{point}");
        let mut want_q = bad.clone();
        want_q.sort();
        assert_eq!(quarantined(&env), want_q, "{point}");
        let log = change_log(&env);
        assert_log_sound(&log);
        let exported: BTreeSet<String> = env
            .json_lines(&["export"])
            .iter()
            .filter_map(|a| a["id"].as_str().map(String::from))
            .collect();
        assert_eq!(
            exported.len(),
            GOOD,
            "{point}: one article per distinct text"
        );
        for name in &good {
            let article = log
                .iter()
                .find(|e| e["file"] == name.as_str() && e["article"].is_string())
                .unwrap_or_else(|| panic!("{point}: no event for {name}"));
            assert!(
                exported.contains(article["article"].as_str().unwrap_or("")),
                "{point}: the article of {name} is not exported"
            );
        }
        let kinds = |k: &str| log.iter().filter(|e| e["kind"] == k).count();
        assert_eq!(kinds("article.created"), GOOD, "{point}");
        assert_eq!(kinds("file.unchanged"), 1, "{point}");
        assert_eq!(kinds("file.quarantined"), bad.len(), "{point}");
    }

    #[test]
    fn crash_after_read() {
        crash_at("after_read", 5);
    }

    #[test]
    fn crash_after_commit_before_flush() {
        crash_at("after_commit", 6);
    }

    #[test]
    fn crash_after_flush_before_moves() {
        crash_at("after_flush", 2);
    }

    #[test]
    fn crash_after_quarantine_sidecar() {
        crash_at("after_quarantine_sidecar", 1);
    }

    #[test]
    fn crash_after_archive_rename() {
        crash_at("after_archive_rename", 5);
    }

    #[test]
    fn crash_before_dirsync() {
        crash_at("before_dirsync", 2);
    }

    #[test]
    fn a_stalled_writer_stops_the_watchdog_pings_and_health() {
        let env = daemon_env(&[]);
        let sock = env.path("notify.sock");
        let n = Notified::bind(&sock);
        let sock_s = sock.display().to_string();
        let d = start(
            &env,
            &[
                ("NOTIFY_SOCKET", sock_s.as_str()),
                ("WATCHDOG_USEC", "1000000"),
                ("SHINGLED_FAILPOINT", "after_commit:1:hang"),
            ],
        );
        wait_until(TIMEOUT, "pings while idle", || n.count("WATCHDOG=1") >= 2);
        drop_in(&env, "stuck.txt", article(41, 0));
        d.wait_log("failpoint after_commit reached", TIMEOUT);
        // Within a watchdog interval of the stall the pings must stop.
        std::thread::sleep(Duration::from_millis(2_500));
        let last_ping = n
            .all()
            .into_iter()
            .filter(|(_, m)| m.contains("WATCHDOG=1"))
            .map(|(t, _)| t)
            .max()
            .expect("pings");
        assert!(
            last_ping.elapsed() >= Duration::from_millis(1_200),
            "pings went on for a stalled pipeline"
        );
        let sockp = env.path("store").join("shingled.sock");
        let (code, body) = api_get(&sockp, "/health");
        assert_eq!(code, 503, "{body}");
        let h: Value = serde_json::from_str(&body).expect("health");
        assert_eq!(h["status"], "stalled");
        drop(d);
    }
}
