//! The daemon's local API: HTTP/1.1 on a unix socket (always) and on a
//! loopback TCP address (only when `[api] tcp` is set, for Prometheus).
//!
//! sled admits one process, so while the daemon runs the CLI's read
//! commands (`export`, `log`, `show`, `stats`) ask it through this API and
//! print exactly what they print offline: every body here is byte for byte
//! the CLI's output. No endpoint reads or writes a file by a path it is
//! given; everything comes from the store or the daemon's own state.
//!
//! | route | body |
//! |---|---|
//! | `GET /health` | JSON: `status` (`ok`/`stalled`), counts; 503 when stalled |
//! | `GET /metrics` | Prometheus text format |
//! | `GET /stats` | the `stats` output |
//! | `GET /export` | the `export` output (NDJSON) |
//! | `GET /log?since=N` | the `log` output (NDJSON), durable events only |
//! | `GET /log?since=N&follow=1` | the same, then new events as they are flushed |
//! | `GET /articles/{id}` | the `show --json` line; `?text=1` for `show` |

pub mod client;
pub mod server;

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Binds the unix socket at `path` with mode 0660, replacing a stale
/// socket left by a crashed daemon. Call only while holding the instance
/// lock. The socket is bound under a temporary name, restricted, then
/// renamed into place, so the final path never exists with looser
/// permissions.
///
/// # Errors
/// The bind, chmod or rename error.
pub fn bind_unix(path: &Path) -> io::Result<tokio::net::UnixListener> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".shingled-api.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let l = std::os::unix::net::UnixListener::bind(&tmp)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o660))?;
    std::fs::rename(&tmp, path)?;
    l.set_nonblocking(true)?;
    tokio::net::UnixListener::from_std(l)
}
