//! systemd integration: the unit file passes `systemd-analyze` (through
//! `.ci/check-systemd`, which fails loudly when the tool is missing), and
//! the daemon speaks the notify protocol on a fake NOTIFY_SOCKET.

use crate::daemon_util::*;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn the_unit_passes_systemd_analyze_verify_and_security() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/check-systemd");
    let out = std::process::Command::new(&script)
        .arg(crate::util::bin())
        .output()
        .expect("run .ci/check-systemd");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), ".ci/check-systemd failed:\n{text}");
    assert!(text.contains("Overall exposure level"), "{text}");
    eprintln!("{text}");
}

/// Datagrams received on a fake notify socket, with their arrival times.
pub struct Notified {
    msgs: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Notified {
    pub fn bind(path: &Path) -> Notified {
        let sock = UnixDatagram::bind(path).expect("bind notify socket");
        sock.set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let msgs = Arc::new(Mutex::new(Vec::new()));
        let m = Arc::clone(&msgs);
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            loop {
                match sock.recv(&mut buf) {
                    Ok(n) => m.lock().expect("lock").push((
                        Instant::now(),
                        String::from_utf8_lossy(&buf[..n]).into_owned(),
                    )),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => return,
                }
                if Arc::strong_count(&m) == 1 {
                    return;
                }
            }
        });
        Notified { msgs }
    }

    pub fn all(&self) -> Vec<(Instant, String)> {
        self.msgs.lock().expect("lock").clone()
    }

    pub fn texts(&self) -> Vec<String> {
        self.all().into_iter().map(|(_, s)| s).collect()
    }

    /// Waits for a message containing `needle` (after index `from`);
    /// returns its index.
    pub fn wait(&self, needle: &str, from: usize) -> usize {
        let mut found = None;
        wait_until(
            TIMEOUT,
            &format!("a notify message with {needle:?}"),
            || {
                found = self
                    .texts()
                    .iter()
                    .enumerate()
                    .skip(from)
                    .find(|(_, m)| m.contains(needle))
                    .map(|(i, _)| i);
                found.is_some()
            },
        );
        found.expect("found")
    }

    pub fn count(&self, needle: &str) -> usize {
        self.texts().iter().filter(|m| m.contains(needle)).count()
    }
}

#[test]
fn readiness_status_watchdog_reload_and_stopping_are_notified() {
    let env = daemon_env(&[]);
    for i in 0..3 {
        drop_in(&env, &format!("early-{i}.txt"), article(30, i));
    }
    let sock = env.path("notify.sock");
    let n = Notified::bind(&sock);
    let sock_s = sock.display().to_string();
    let d = spawn(
        &env,
        &[
            ("NOTIFY_SOCKET", sock_s.as_str()),
            ("WATCHDOG_USEC", "400000"),
        ],
    );
    let ready = n.wait("READY=1", 0);
    assert_eq!(ready, 0, "READY=1 is the first message: {:?}", n.texts());
    assert!(
        n.texts()[0].contains("STATUS=ready; backlog 3 files"),
        "the backlog was queued before READY: {:?}",
        n.texts()
    );
    // The watch was armed before READY: a file renamed in now is seen.
    drop_in(&env, "late.txt", article(30, 9));
    n.wait("ingested 4", 0);
    let pings = n.count("WATCHDOG=1");
    wait_until(TIMEOUT, "watchdog pings", || {
        n.count("WATCHDOG=1") >= pings + 3
    });
    let before = n.texts().len();
    d.signal("HUP");
    let r = n.wait("RELOADING=1", before);
    assert!(
        n.texts()[r].contains("MONOTONIC_USEC="),
        "{:?}",
        n.texts()[r]
    );
    n.wait("READY=1", r + 1);
    let before = n.texts().len();
    d.stop();
    let s = n.wait("STOPPING=1", before);
    assert!(
        n.texts()[s].contains("STATUS=stopping"),
        "{:?}",
        n.texts()[s]
    );
}

#[test]
fn without_a_watchdog_request_there_are_no_pings() {
    let env = daemon_env(&[]);
    let sock = env.path("notify.sock");
    let n = Notified::bind(&sock);
    let sock_s = sock.display().to_string();
    // WATCHDOG_PID names another process: the watchdog is not ours.
    let d = spawn(
        &env,
        &[
            ("NOTIFY_SOCKET", sock_s.as_str()),
            ("WATCHDOG_USEC", "200000"),
            ("WATCHDOG_PID", "1"),
        ],
    );
    n.wait("READY=1", 0);
    std::thread::sleep(Duration::from_millis(1_000));
    assert_eq!(n.count("WATCHDOG=1"), 0, "{:?}", n.texts());
    d.stop();
}
