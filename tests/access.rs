//! Access: who can reach the daemon and what they can make it do. The
//! API socket is not world-accessible, TCP is loopback when configured,
//! the API is read-only and never touches a path it is given. (Names from
//! the drop folder are escaped in logs: see `hostile`.)

use crate::daemon_util::*;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::time::Duration;

#[test]
fn the_api_socket_is_at_most_0660() {
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    let sock = env.path("store").join("shingled.sock");
    let m = std::fs::symlink_metadata(&sock).expect("socket");
    assert!(m.file_type().is_socket());
    let mode = m.permissions().mode() & 0o777;
    assert_eq!(
        mode & !0o660,
        0,
        "socket mode {mode:o} grants more than 0660"
    );
    // No temporary socket with looser permissions is left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(env.path("store"))
        .expect("store")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .map(|e| e.file_name())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    d.stop();
    assert!(!sock.exists(), "the socket is removed at exit");
}

fn http(addr: &str, request: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(request.as_bytes()).expect("request");
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf
}

#[test]
fn tcp_when_configured_listens_on_loopback_only() {
    let env = daemon_env(&[("api.tcp", "\"127.0.0.1:0\"")]);
    let d = start(&env, &[]);
    wait_until(TIMEOUT, "the TCP listener logged", || {
        d.log_text().contains("the API listens on TCP")
    });
    let line = d
        .log_lines()
        .into_iter()
        .find(|v| v["message"] == "the API listens on TCP")
        .expect("listen line");
    let addr = line["addr"].as_str().expect("addr").to_string();
    let ip: std::net::SocketAddr = addr.parse().expect("socket address");
    assert!(ip.ip().is_loopback(), "{addr}");
    let r = http(&addr, "GET /health HTTP/1.0\r\nHost: x\r\n\r\n");
    assert!(
        r.starts_with("HTTP/1.0 200") || r.starts_with("HTTP/1.1 200"),
        "{r}"
    );
    assert!(
        !d.log_text().contains("listens beyond this machine"),
        "no warning for loopback"
    );
    d.stop();
}

/// A non-loopback `api.tcp` without the opt-in is a config error naming
/// the key: `check-config` and `run` exit 78 (finding F4, fixed), and the
/// daemon never binds it.
#[test]
fn a_non_loopback_tcp_address_without_allow_remote_is_refused() {
    let env = daemon_env(&[("api.tcp", "\"0.0.0.0:9187\"")]);
    for cmd in ["check-config", "run"] {
        let out = env.command(&[cmd]).output().expect(cmd);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(78), "{cmd}: {err}");
        assert!(
            err.contains("api.tcp") && err.contains("allow_remote"),
            "{cmd}: the message names the key and the opt-in: {err}"
        );
    }
    assert!(
        !env.path("store").join("shingled.sock").exists(),
        "the daemon did not start"
    );
}

/// With `[api] allow_remote = true` the same address is accepted, and the
/// daemon still warns when it binds beyond this machine.
#[test]
fn a_non_loopback_tcp_address_with_allow_remote_is_accepted() {
    let env = daemon_env(&[("api.tcp", "\"0.0.0.0:0\""), ("api.allow_remote", "true")]);
    let out = env
        .command(&["check-config"])
        .output()
        .expect("check-config");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = shingled::config::Config::load(&env.config).expect("config");
    assert!(c.api.allow_remote);
    assert!(!c.api.tcp.expect("tcp").ip().is_loopback());
    let d = start(&env, &[]);
    wait_until(TIMEOUT, "the TCP listener logged", || {
        d.log_text().contains("the API listens on TCP")
    });
    assert!(
        d.log_text().contains("listens beyond this machine"),
        "a remote listener is logged as a warning"
    );
    d.stop();
}

#[test]
fn the_api_is_read_only_and_never_serves_a_path_it_is_given() {
    let env = daemon_env(&[]);
    let d = start(&env, &[]);
    drop_in(&env, "story.txt", article(60, 1));
    wait_until(TIMEOUT, "story archived", || archived(&env).len() == 1);
    let secret = env.path("secret.txt");
    std::fs::write(&secret, "TOP-SECRET-CONTENT").expect("write");
    let sock = env.path("store").join("shingled.sock");
    let s = secret.display().to_string();
    let enc = s.replace('/', "%2F");
    let targets = [
        format!("/articles/..%2F..%2F..%2F..{enc}"),
        "/articles/../../../../etc/passwd".to_string(),
        format!("/articles/{enc}?text=1"),
        format!("/export?path={enc}"),
        format!("/log?since=0&file={enc}"),
        format!("/stats?config={enc}"),
        format!("/{enc}"),
        format!("/..{s}"),
        "/%2e%2e/%2e%2e/etc/passwd".to_string(),
        "/health/../../etc/passwd".to_string(),
    ];
    for t in &targets {
        let (status, body) = api_get(&sock, t);
        assert!(
            !body.contains("TOP-SECRET"),
            "{t} served a file: {status} {body}"
        );
        assert!(
            !body.contains("root:x:0:0"),
            "{t} served /etc/passwd: {status}"
        );
    }
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        for t in ["/export", "/log", "/articles/x", "/stats", "/health"] {
            let mut c = std::os::unix::net::UnixStream::connect(&sock).expect("connect");
            write!(
                c,
                "{method} {t} HTTP/1.0\r\nHost: t\r\nContent-Length: 2\r\n\r\n{{}}"
            )
            .expect("req");
            let mut buf = String::new();
            let _ = c.read_to_string(&mut buf);
            let status: u16 = buf
                .split(' ')
                .nth(1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            assert!(
                (400..500).contains(&status),
                "{method} {t} answered {status}"
            );
        }
    }
    // The store is unchanged by all of that.
    let (status, body) = api_get(&sock, "/stats");
    assert_eq!(status, 200);
    assert!(body.contains("\"articles\": 1"), "{body}");
    d.stop();
    assert_eq!(change_log(&env).len(), 1);
}
