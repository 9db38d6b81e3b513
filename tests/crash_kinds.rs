//! The crash matrix per kind of file: for each kind (new bytes, a byte
//! copy under another name, a two-story page, an update, a rejected file
//! and a rejected file's byte copy) the daemon is aborted at every crash
//! point while it handles that file, restarted, and the result compared
//! with a clean run of the same files: the same change log (apart from
//! `at`), the same export (apart from `received`), every file archived or
//! quarantined exactly once.

#[cfg(feature = "failpoints")]
mod matrix {
    use crate::daemon_util::*;
    use crate::util::Env;
    use serde_json::Value;
    use std::os::unix::process::ExitStatusExt;
    use std::time::Duration;

    const SEED: u64 = 77;
    const BAD: &[u8] = &[0, 1, 2, 7, 0, 0, 9];
    /// The subject comes after three files: two archived, one quarantined.
    const BEFORE: u32 = 3;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Kind {
        New,
        ByteCopy,
        TwoStory,
        Update,
        Rejected,
        RejectedCopy,
    }

    impl Kind {
        fn subject(self) -> (&'static str, Vec<u8>) {
            match self {
                Kind::New => ("subject.txt", article(SEED, 3).into_bytes()),
                Kind::ByteCopy => ("subject.txt", article(SEED, 1).into_bytes()),
                Kind::TwoStory => ("subject.txt", two_story_page(SEED, 2).into_bytes()),
                Kind::Update => ("subject.txt", updated_article(SEED, 1).into_bytes()),
                Kind::Rejected => ("subject.bin", vec![0, 1, 2, 8, 0, 0, 9]),
                Kind::RejectedCopy => ("subject.bin", BAD.to_vec()),
            }
        }

        fn quarantined(self) -> bool {
            matches!(self, Kind::Rejected | Kind::RejectedCopy)
        }

        /// What the subject's events must be in the clean run (so that
        /// each case is the kind it claims).
        fn expect(self, events: &[&Value]) {
            let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
            let want: &[&str] = match self {
                Kind::New => &["article.created"],
                Kind::ByteCopy => &["file.unchanged"],
                Kind::TwoStory => {
                    let stories: Vec<u64> =
                        events.iter().filter_map(|e| e["story"].as_u64()).collect();
                    assert_eq!(stories, [0, 1], "a two-story page: {events:?}");
                    &["article.duplicate", "article.created"]
                }
                Kind::Update => &["article.updated"],
                Kind::Rejected | Kind::RejectedCopy => &["file.quarantined"],
            };
            assert_eq!(kinds, want, "{self:?}: {events:?}");
        }
    }

    /// Drops the three earlier files and then the subject, each in its own
    /// clock tick, so that they arrive in this order.
    fn workload(env: &Env, kind: Kind) {
        let files: Vec<(&str, Vec<u8>)> = vec![
            ("first.txt", article(SEED, 1).into_bytes()),
            ("second.txt", one_story_page(SEED, 2).into_bytes()),
            ("bad.bin", BAD.to_vec()),
            kind.subject(),
        ];
        for (name, bytes) in files {
            drop_in(env, name, bytes);
            std::thread::sleep(Duration::from_millis(15));
        }
    }

    fn env() -> Env {
        daemon_env(&[("intake.settle_ms", "0"), ("commit.group_max_files", "1")])
    }

    struct Result {
        log: Vec<Value>,
        export: Vec<Value>,
        archived: Vec<String>,
        quarantined: Vec<String>,
    }

    fn result(env: &Env) -> Result {
        Result {
            log: log_without_times(env),
            export: export_without_times(env),
            archived: archived(env),
            quarantined: quarantined(env),
        }
    }

    fn clean(kind: Kind) -> Result {
        let env = env();
        workload(&env, kind);
        let d = start(&env, &[]);
        wait_until(TIMEOUT, "the clean run drained drop/", || {
            names_under(&env.path("drop")).is_empty()
        });
        d.stop();
        let r = result(&env);
        assert_log_sound(&r.log);
        let subject = kind.subject().0;
        let events: Vec<&Value> = r.log.iter().filter(|e| e["file"] == subject).collect();
        kind.expect(&events);
        assert_eq!(archived(&env).len() + quarantined(&env).len(), 4);
        r
    }

    /// The hit of `point` that comes while the subject is handled (one file
    /// per group, files in arrival order).
    fn nth(point: &str) -> u32 {
        match point {
            "after_archive_rename" => 3,
            "after_quarantine_sidecar" => 2,
            _ => BEFORE + 1,
        }
    }

    fn crash_at(kind: Kind, point: &str, want: &Result) {
        let env = env();
        workload(&env, kind);
        let spec = format!("{point}:{}", nth(point));
        let mut d = spawn(&env, &[("SHINGLED_FAILPOINT", spec.as_str())]);
        let s = d.wait_exit(TIMEOUT);
        assert_eq!(
            s.signal(),
            Some(6),
            "{kind:?} at {spec}: aborted by the failpoint\n{}",
            d.log_text()
        );
        let subject = kind.subject().0;
        let left = names_under(&env.path("drop"));
        // Readers run ahead of the writer; the moves precede the folder
        // fsync (an abort keeps renames, a power cut might not).
        match point {
            "after_read" => assert!(left.iter().any(|n| n == subject), "{kind:?} at {spec}"),
            "after_archive_rename" | "before_dirsync" => assert!(left.is_empty(), "{kind:?}"),
            _ => assert_eq!(left, [subject], "{kind:?} at {spec}: the crash came at it"),
        }
        let d = start(&env, &[]);
        wait_until(TIMEOUT, "everything processed after the restart", || {
            names_under(&env.path("drop")).is_empty()
        });
        d.stop();
        let got = result(&env);
        assert_log_sound(&got.log);
        assert_eq!(got.log, want.log, "{kind:?} at {spec}: the change log");
        assert_eq!(got.export, want.export, "{kind:?} at {spec}: the export");
        assert_eq!(got.archived, want.archived, "{kind:?} at {spec}: archive/");
        assert_eq!(
            got.quarantined, want.quarantined,
            "{kind:?} at {spec}: quarantine/"
        );
    }

    fn every_point(kind: Kind) {
        let want = clean(kind);
        let last = if kind.quarantined() {
            "after_quarantine_sidecar"
        } else {
            "after_archive_rename"
        };
        for point in [
            "after_read",
            "after_commit",
            "after_flush",
            last,
            "before_dirsync",
        ] {
            crash_at(kind, point, &want);
        }
    }

    #[test]
    fn new_bytes_at_every_crash_point() {
        every_point(Kind::New);
    }

    #[test]
    fn a_byte_copy_at_every_crash_point() {
        every_point(Kind::ByteCopy);
    }

    #[test]
    fn a_two_story_page_at_every_crash_point() {
        every_point(Kind::TwoStory);
    }

    #[test]
    fn an_update_at_every_crash_point() {
        every_point(Kind::Update);
    }

    #[test]
    fn a_rejected_file_at_every_crash_point() {
        every_point(Kind::Rejected);
    }

    #[test]
    fn a_rejected_files_byte_copy_at_every_crash_point() {
        every_point(Kind::RejectedCopy);
    }
}
