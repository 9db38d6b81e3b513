//! Faults: a full disk while committing (injected through the store's
//! `Kv` door, and for real on a small tmpfs when the test may mount one),
//! a dropped file the daemon may not read, the drop folder deleted and
//! recreated under the daemon, and a store sled cannot open, with the
//! documented recovery (`shingled check`, `shingled reingest`). The goal in
//! every case: nothing is lost.

use crate::daemon_util::*;
use crate::util::Env;
use shingled::commit::{Committer, Input};
use shingled::config::DedupParams;
use shingled::store::{self, Entry, Kv, Op, Store};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An in-memory `Kv` (the crate's own twin is private).
#[derive(Default)]
struct MapKv(Mutex<BTreeMap<Vec<u8>, Vec<u8>>>);

impl Kv for MapKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, store::Error> {
        Ok(self.0.lock().expect("lock").get(key).cloned())
    }
    fn apply(&self, ops: Vec<Op>) -> Result<(), store::Error> {
        let mut m = self.0.lock().expect("lock");
        for (k, v) in ops {
            match v {
                Some(v) => m.insert(k, v),
                None => m.remove(&k),
            };
        }
        Ok(())
    }
    fn scan<'a>(
        &'a self,
        prefix: &[u8],
        after: Option<Vec<u8>>,
    ) -> Box<dyn Iterator<Item = Result<Entry, store::Error>> + 'a> {
        let m = self.0.lock().expect("lock");
        let start = after.map_or(
            std::ops::Bound::Included(prefix.to_vec()),
            std::ops::Bound::Excluded,
        );
        let v: Vec<_> = m
            .range((start, std::ops::Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| Ok((k.clone(), v.clone())))
            .collect();
        Box::new(v.into_iter())
    }
    fn last(&self, prefix: &[u8]) -> Result<Option<Entry>, store::Error> {
        let m = self.0.lock().expect("lock");
        Ok(m.range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .last()
            .map(|(k, v)| (k.clone(), v.clone())))
    }
    fn flush(&self) -> Result<(), store::Error> {
        Ok(())
    }
    fn size_on_disk(&self) -> u64 {
        0
    }
}

/// Fails `apply` and `flush` with ENOSPC while `full` is set, like sled
/// on a full disk; counts the failures.
struct FullDisk {
    inner: MapKv,
    full: Arc<AtomicBool>,
    failures: Arc<AtomicU64>,
}

impl FullDisk {
    fn check(&self, op: &'static str) -> Result<(), store::Error> {
        if self.full.load(Ordering::SeqCst) {
            self.failures.fetch_add(1, Ordering::SeqCst);
            return Err(store::Error::Io {
                op,
                message: "No space left on device (os error 28)".into(),
            });
        }
        Ok(())
    }
}

impl Kv for FullDisk {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, store::Error> {
        self.inner.get(key)
    }
    fn apply(&self, ops: Vec<Op>) -> Result<(), store::Error> {
        self.check("apply")?;
        self.inner.apply(ops)
    }
    fn scan<'a>(
        &'a self,
        prefix: &[u8],
        after: Option<Vec<u8>>,
    ) -> Box<dyn Iterator<Item = Result<Entry, store::Error>> + 'a> {
        self.inner.scan(prefix, after)
    }
    fn last(&self, prefix: &[u8]) -> Result<Option<Entry>, store::Error> {
        self.inner.last(prefix)
    }
    fn flush(&self) -> Result<(), store::Error> {
        self.check("flush")?;
        self.inner.flush()
    }
    fn size_on_disk(&self) -> u64 {
        0
    }
}

fn input(name: &str, text: &str) -> Input {
    shingled::ingest::input(name.to_string(), text.as_bytes())
}

/// The writer's contract under ENOSPC, exercised the way the daemon's
/// writer uses it (retry the same file until it applies, then flush,
/// retrying the flush): every file ends committed exactly once, the change
/// log has no gap and no duplicate, and `check` finds the store sound.
#[test]
fn disk_full_while_committing_is_retried_and_nothing_is_lost() {
    let full = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicU64::new(0));
    let kv = FullDisk {
        inner: MapKv::default(),
        full: Arc::clone(&full),
        failures: Arc::clone(&failures),
    };
    let store =
        Arc::new(Store::with_kv(Box::new(kv), PathBuf::from(":full-disk:")).expect("store"));
    let mut c = Committer::new(Arc::clone(&store), DedupParams::default()).expect("committer");
    let texts: Vec<String> = (0..40).map(|i| article(91, i)).collect();
    let mut attempts = 0u64;
    for (i, t) in texts.iter().enumerate() {
        // The disk fills at file 10 and frees at file 25; between, every
        // try fails a few times first.
        full.store((10..25).contains(&i), Ordering::SeqCst);
        let name = format!("f{i}.txt");
        let mut tries = 0;
        loop {
            attempts += 1;
            tries += 1;
            if tries == 4 {
                full.store(false, Ordering::SeqCst); // space returns
            }
            match c.commit(input(&name, t)) {
                Ok((o, _)) => {
                    assert_eq!(o.outcome, "ingested", "{o:?}");
                    break;
                }
                Err(e) => assert!(e.to_string().contains("No space left"), "{e}"),
            }
        }
        full.store((10..25).contains(&i) && i % 3 == 0, Ordering::SeqCst);
        while let Err(e) = c.flush() {
            assert!(e.to_string().contains("No space left"), "{e}");
            full.store(false, Ordering::SeqCst);
        }
    }
    assert!(
        failures.load(Ordering::SeqCst) >= 15 * 3,
        "the disk was full for a while"
    );
    assert!(attempts > texts.len() as u64);
    let log: Vec<serde_json::Value> = store
        .changes(0)
        .map(|r| serde_json::from_slice(&r.expect("change").1).expect("json"))
        .collect();
    assert_log_sound(&log);
    assert_eq!(
        log.len(),
        texts.len(),
        "one event per file, none lost, none twice"
    );
    let report = shingled::repair::check(&store);
    assert!(report.ok, "{report:?}");
    assert_eq!(report.articles, texts.len() as u64);
}

/// Mounts a tmpfs of `mib` MiB at `at` for the guard's life.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, mib: u32) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).expect("mkdir");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(at.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

/// Fills the file system holding `dir` with one file; returns its path.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let p = dir.join("filler");
    let mut f = std::fs::File::create(&p).expect("filler");
    let chunk = vec![0xA5u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.sync_all();
    p
}

/// A real ENOSPC under sled: the store lives on a small tmpfs that is then
/// filled. New files must stay in drop/ (never archived without their
/// effects, never quarantined for the store's fault) while the daemon
/// retries, and be ingested once space returns. Needs root to mount; as
/// another user the test says so loudly and checks nothing.
#[test]
fn a_full_store_file_system_keeps_files_in_drop_until_space_returns() {
    if !is_root() {
        eprintln!("FAULTS: not root, cannot mount a tmpfs: the real ENOSPC case was NOT run");
        return;
    }
    let env = Env::new();
    let store_fs = env.path("storefs");
    let Some(_fs) = Tmpfs::mount(&store_fs, 24) else {
        panic!("root but `mount -t tmpfs` failed: run this test where it can mount");
    };
    write_config(
        &env,
        &[(
            "paths.store",
            &format!("\"{}\"", store_fs.join("store").display()),
        )],
    );
    let d = start(&env, &[]);
    for i in 0..5 {
        drop_in(&env, &format!("before-{i}.txt"), article(92, i));
    }
    wait_until(TIMEOUT, "5 files archived", || archived(&env).len() == 5);
    let filler = fill(&store_fs);
    for i in 0..5 {
        drop_in(&env, &format!("during-{i}.txt"), article(93, i));
    }
    wait_until(TIMEOUT, "a store failure logged", || {
        d.log_text().contains("store failure; retrying")
    });
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        quarantined(&env).is_empty(),
        "a store fault quarantined a file: {:?}",
        quarantined(&env)
    );
    let held = std::fs::read_dir(env.path("drop")).expect("drop").count();
    assert!(held > 0, "files left drop/ while the store could not write");
    std::fs::remove_file(&filler).expect("free space");
    wait_until(
        TIMEOUT,
        "the held files ingested once space returned",
        || archived(&env).len() == 10,
    );
    assert!(quarantined(&env).is_empty());
    let log_path = d.log.clone();
    d.stop();
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let status = text
        .lines()
        .rev()
        .find(|l| l.contains("\"stopped\""))
        .unwrap_or("");
    eprintln!("FAULTS case=enospc_tmpfs {status}");
    let log = change_log(&env);
    assert_log_sound(&log);
    assert_eq!(log.len(), 10, "{log:?}");
    let out = env.command(&["check"]).output().expect("check");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The daemon as an unprivileged user (`setpriv`) meets a file it may not
/// read: it is quarantined as `permission_denied`, and the daemon goes on.
#[test]
fn a_dropped_file_the_daemon_may_not_read_is_quarantined_as_permission_denied() {
    if !is_root() {
        eprintln!("FAULTS: not root, cannot switch users: the permission case was NOT run");
        return;
    }
    let env = daemon_env(&[]);
    let (uid, gid) = (65534u32, 65534u32);
    std::fs::set_permissions(env.dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    for sub in ["drop", "archive", "quarantine", "store", "files"] {
        let p = env.path(sub);
        std::fs::create_dir_all(&p).expect("mkdir");
        std::os::unix::fs::chown(&p, Some(uid), Some(gid)).expect("chown");
    }
    std::fs::set_permissions(&env.config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let log = env.path("files/daemon.log");
    let mut child = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(crate::util::bin())
        .arg("run")
        .arg("--config")
        .arg(&env.config)
        .env_remove("NOTIFY_SOCKET")
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("setpriv");
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    wait_until(START_TIMEOUT, "the unprivileged daemon ready", || {
        read_log().contains("shingled is ready")
    });
    let secret = env.path("files/secret.txt");
    std::fs::write(&secret, article(94, 0)).expect("write");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).expect("chmod 000");
    std::fs::rename(&secret, env.path("drop/secret.txt")).expect("rename in");
    let open = env.path("files/open.txt");
    std::fs::write(&open, article(94, 1)).expect("write");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::fs::rename(&open, env.path("drop/open.txt")).expect("rename in");
    wait_until(TIMEOUT, "both files moved", || {
        archived(&env).len() + quarantined(&env).len() == 2
    });
    assert_eq!(quarantined(&env), ["secret.txt"]);
    assert_eq!(sidecar(&env, "secret.txt")["reason"], "permission_denied");
    assert_eq!(archived(&env), ["open.txt"]);
    assert!(
        matches!(child.try_wait(), Ok(None)),
        "the daemon died:\n{}",
        read_log()
    );
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let status = child.wait().expect("wait");
    assert!(status.success(), "{status}\n{}", read_log());
}

/// `rm -rf drop; mkdir drop` under a running daemon: files dropped into
/// the new folder are still taken (the daemon rechecks the folder's
/// device and inode on each rescan and re-arms its watch).
#[test]
fn the_drop_folder_deleted_and_recreated_while_running_is_picked_up() {
    let env = daemon_env(&[("intake.rescan_interval_s", "1")]);
    let d = start(&env, &[]);
    drop_in(&env, "first.txt", article(95, 0));
    wait_until(TIMEOUT, "first archived", || archived(&env).len() == 1);
    for round in 0..3 {
        std::fs::remove_dir_all(env.path("drop")).expect("rm -rf drop");
        std::thread::sleep(Duration::from_millis(300));
        std::fs::create_dir(env.path("drop")).expect("mkdir drop");
        for i in 0..3 {
            drop_in(&env, &format!("r{round}-{i}.txt"), article(96 + round, i));
        }
        let want = 1 + 3 * (round as usize + 1);
        wait_until(TIMEOUT, "files in the new drop folder archived", || {
            archived(&env).len() == want
        });
    }
    d.stop();
    assert_log_sound(&change_log(&env));
}

/// The store path is a regular file (or otherwise not a sled folder):
/// `run` refuses with a message naming the store, `check` reports the
/// damage (exit 3) with the recovery path, and `reingest` moves the bad
/// store aside and rebuilds from archive/ with nothing lost.
#[test]
fn a_store_sled_cannot_open_is_reported_and_rebuilt_from_the_archive() {
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    for i in 0..6 {
        drop_in(&env, &format!("a{i}.txt"), article(97, i));
    }
    drop_in(&env, "copy.txt", article(97, 0));
    drop_in(&env, "empty.txt", "");
    wait_until(TIMEOUT, "8 files moved", || {
        archived(&env).len() + quarantined(&env).len() == 8
    });
    d.stop();
    let before = env.json_lines(&["export"]);
    assert_eq!(before.len(), 6);

    let store = env.path("store");
    std::fs::rename(&store, env.path("store.real")).expect("move");
    std::fs::write(&store, b"not a sled folder").expect("write");
    let mut run = spawn(&env, &[]);
    let status = run.wait_exit(START_TIMEOUT);
    assert!(!status.success());
    let text = run.log_text();
    assert!(
        text.contains(&store.display().to_string()),
        "the message names the store: {text}"
    );

    let out = env.command(&["check"]).output().expect("check");
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report JSON");
    assert_eq!(report["ok"], false);
    assert!(
        report["recovery"]
            .as_str()
            .is_some_and(|r| r.contains("reingest")),
        "{report}"
    );

    let rebuilt = env.json_lines(&["reingest"]);
    let r = &rebuilt[0];
    assert_eq!(r["files"], 7, "{r}");
    assert_eq!(r["ingested"], 6, "{r}");
    assert_eq!(r["unchanged"], 1, "{r}");
    let aside = PathBuf::from(r["moved_aside"].as_str().expect("moved aside"));
    assert_eq!(
        std::fs::read(&aside).expect("kept"),
        b"not a sled folder",
        "never deleted"
    );
    let out = env.command(&["check"]).output().expect("check");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let after = env.json_lines(&["export"]);
    let ids = |v: &[serde_json::Value]| {
        let mut x: Vec<String> = v.iter().map(|a| a["id"].to_string()).collect();
        x.sort();
        x
    };
    assert_eq!(
        ids(&after),
        ids(&before),
        "the same articles, with the same ids"
    );
}

/// Damage inside a sled folder that sled still opens: a record that no
/// longer decodes is found by `check` (exit 3), never silently served.
#[test]
fn check_reports_records_that_do_not_decode_or_are_missing() {
    let env = Env::new();
    let files: Vec<PathBuf> = (0..4)
        .map(|i| env.file(&format!("c{i}.txt"), article(98, i)))
        .collect();
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    env.ingest(&refs);
    let out = env.command(&["check"]).output().expect("check");
    assert!(
        out.status.success(),
        "a healthy store checks clean: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    {
        let s = Store::open(&env.path("store"), 8 << 20).expect("open");
        let mut w = store::WriteSet::new();
        w.put_change(2, b"{not json".to_vec());
        w.put_change(9, b"{\"seq\":9,\"kind\":\"article.created\"}".to_vec());
        s.apply(w).expect("apply");
        s.flush().expect("flush");
    }
    let out = env.command(&["check"]).output().expect("check");
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report JSON");
    let problems = report["problems"].to_string();
    assert!(problems.contains("change 2: not JSON"), "{problems}");
    assert!(problems.contains("seq 9 follows 4"), "{problems}");
}

/// sled 0.34 reads a damaged log only up to the damage and opens the part
/// before it as the whole store: consistent, shorter, and silent. `check`
/// compares the store with the archive (every archived file's content hash
/// must be in it), so the loss is found (exit 3); `reingest` brings every
/// article back from the archive.
#[test]
fn a_store_cut_short_by_damage_is_found_by_check_and_rebuilt() {
    let env = daemon_env(&[]);
    ingested_by_daemon(&env, "t", 99, 20);
    let db = env.path("store/db");
    let len = std::fs::metadata(&db).expect("sled's db file").len();
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&db)
            .expect("open db");
        f.seek(SeekFrom::Start(len / 3)).expect("seek");
        f.write_all(&[0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef])
            .expect("damage");
    }
    let out = env.command(&["check"]).output().expect("check");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report JSON");
    eprintln!(
        "FAULTS case=sled_db_damaged_at_a_third check_exit={:?} changes={} archived={} problems={}",
        out.status.code(),
        report["changes"],
        report["archived_files"],
        report["problems_total"]
    );
    if out.status.success() {
        // The damage hit bytes sled no longer reads: then nothing is missing.
        assert_eq!(
            report["changes"], 20,
            "check passed a store missing events: {report}"
        );
    } else {
        assert_eq!(out.status.code(), Some(3), "{report}");
    }
    if report["changes"].as_u64().is_some_and(|n| n < 20) {
        // The durable watermark (20) is above the cut store's last seq:
        // `check` says so, and the daemon refuses to extend the store.
        assert!(
            report["problems"]
                .to_string()
                .contains("lost the end of its log"),
            "{report}"
        );
        let mut run = spawn(&env, &[]);
        assert!(!run.wait_exit(START_TIMEOUT).success());
        assert!(
            run.log_text().contains("shingled reingest"),
            "{}",
            run.log_text()
        );
    }
    let r = &env.json_lines(&["reingest"])[0];
    assert_eq!(r["files"], 20, "{r}");
    let out = env.command(&["check"]).output().expect("check");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(env.json_lines(&["export"]).len(), 20);
    assert!(
        PathBuf::from(r["moved_aside"].as_str().expect("aside"))
            .join("db")
            .exists(),
        "kept"
    );
}

/// A damaged `conf` makes sled refuse to open the store; the message names
/// the way out (`shingled check`, `shingled reingest`; finding F7, fixed),
/// `check` reports it (exit 3) and `reingest` rebuilds from the archive.
#[test]
fn a_store_with_a_damaged_conf_names_check_and_reingest() {
    let env = daemon_env(&[]);
    ingested_by_daemon(&env, "k", 96, 3);
    std::fs::write(env.path("store/conf"), b"\xde\xad\xbe\xef not sled's conf").expect("damage");
    for cmd in ["export", "run"] {
        let out = env.command(&[cmd]).output().expect(cmd);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("shingled check") && err.contains("shingled reingest"),
            "{cmd}: the message names the way out: {err}"
        );
    }
    let out = env.command(&["check"]).output().expect("check");
    assert_eq!(out.status.code(), Some(3));
    let r = &env.json_lines(&["reingest"])[0];
    assert_eq!(r["ingested"], 3, "{r}");
    assert_eq!(env.json_lines(&["export"]).len(), 3);
}

/// The durable watermark (F3): the daemon records the last durable seq in
/// `store/shingled.durable-seq` after each flush. A store whose change log
/// ends below it lost the end of its log (what sled does with a damaged
/// log): `run` and `ingest` refuse it naming the recovery, `check` reports
/// it (exit 3), and `reingest` rebuilds a store the daemon accepts.
#[test]
fn a_store_behind_its_durable_watermark_is_refused_and_rebuilt() {
    let env = daemon_env(&[]);
    ingested_by_daemon(&env, "w", 95, 5);
    let mark = env.path("store").join(store::watermark::FILE);
    let read_mark = || {
        std::fs::read_to_string(&mark)
            .expect("the watermark file")
            .trim()
            .parse::<u64>()
            .expect("a seq")
    };
    assert_eq!(read_mark(), 5, "one event per file, all durable");
    // As if sled had opened a store cut short at seq 5 of 50.
    std::fs::write(&mark, "50\n").expect("raise the watermark");
    let mut run = spawn(&env, &[]);
    assert_eq!(run.wait_exit(START_TIMEOUT).code(), Some(1));
    let text = run.log_text();
    assert!(
        text.contains("ends at change-log seq 5, but seq 50 was already durable")
            && text.contains("shingled check")
            && text.contains("shingled reingest"),
        "{text}"
    );
    let extra = env.file("extra.txt", article(95, 9));
    let out = env
        .command(&["ingest", &extra.display().to_string()])
        .output()
        .expect("ingest");
    assert_eq!(out.status.code(), Some(1), "`ingest` never extends it");
    assert_eq!(
        read_mark(),
        50,
        "a refused start never lowers the watermark"
    );
    let out = env.command(&["check"]).output().expect("check");
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report JSON");
    assert!(
        report["problems"]
            .to_string()
            .contains("seq 50 was recorded as durable"),
        "{report}"
    );
    let r = &env.json_lines(&["reingest"])[0];
    assert_eq!(r["ingested"], 5, "{r}");
    assert_eq!(read_mark(), 5, "the rebuilt store has its own watermark");
    let aside = PathBuf::from(r["moved_aside"].as_str().expect("aside"));
    assert!(
        aside.join(store::watermark::FILE).exists(),
        "the old watermark moved aside with its store"
    );
    let d = start(&env, &[]);
    drop_in(&env, "w5.txt", article(95, 5));
    wait_until(TIMEOUT, "the sixth file archived", || {
        archived(&env).len() == 6
    });
    d.stop();
    assert_eq!(read_mark(), 6, "recorded after the flush");
}
