//! A tiny blocking HTTP/1.1 client over the daemon's unix socket, for the
//! CLI (`export`, `log`, `show`, `stats` while the daemon holds the store).
//! It copies the response body to the given writer as it arrives, so
//! `log --follow` streams.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

/// A failure talking to the daemon.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing answers on the socket. The cause is the error's `source`.
    #[error("the store is in use by another process, but no shingled daemon answers on {path}")]
    Connect {
        /// The socket.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The daemon answered with an error status.
    #[error("the daemon answered {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The body, trimmed.
        message: String,
    },
    /// The answer was not HTTP as expected.
    #[error("unexpected answer from the daemon: {0}")]
    Protocol(String),
    /// Reading the answer or writing the output failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn header_line(r: &mut impl BufRead) -> Result<String, Error> {
    let mut l = String::new();
    if r.read_line(&mut l)? == 0 {
        return Err(Error::Protocol("the connection closed early".into()));
    }
    Ok(l.trim_end_matches(['\r', '\n']).to_string())
}

/// `GET target` on the socket; the body goes to `out` (flushed as it
/// arrives).
///
/// # Errors
/// [`Error`]; a non-200 answer is [`Error::Status`].
pub fn get(socket: &Path, target: &str, out: &mut dyn Write) -> Result<(), Error> {
    let mut s = UnixStream::connect(socket).map_err(|source| Error::Connect {
        path: socket.to_path_buf(),
        source,
    })?;
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: shingled\r\nConnection: close\r\n\r\n"
    )?;
    let mut r = BufReader::new(s);
    let status_line = header_line(&mut r)?;
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| Error::Protocol(status_line.clone()))?;
    let (mut chunked, mut length) = (false, None::<u64>);
    loop {
        let h = header_line(&mut r)?;
        if h.is_empty() {
            break;
        }
        let Some((k, v)) = h.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        if k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked") {
            chunked = true;
        } else if k == "content-length" {
            length = v.parse().ok();
        }
    }
    if status != 200 {
        let mut b = Vec::new();
        body(&mut r, chunked, length, &mut b)?;
        return Err(Error::Status {
            status,
            message: String::from_utf8_lossy(&b).trim().to_string(),
        });
    }
    body(&mut r, chunked, length, out)
}

/// `GET /log?since=N&follow=1`: copies the stream to `out` until the
/// daemon ends it (which it does only when it stops) and returns the seq
/// of the last whole line copied, if any.
///
/// # Errors
/// As [`get`].
pub fn follow(socket: &Path, since: u64, out: &mut dyn Write) -> Result<Option<u64>, Error> {
    let mut t = LastSeq {
        out,
        line: Vec::new(),
        last: None,
    };
    get(socket, &format!("/log?since={since}&follow=1"), &mut t)?;
    Ok(t.last)
}

/// Passes bytes through, remembering the `seq` of the last whole line
/// (each change-log line starts `{"seq":N,`).
struct LastSeq<'a> {
    out: &'a mut dyn Write,
    line: Vec<u8>,
    last: Option<u64>,
}

impl Write for LastSeq<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                let digits = self
                    .line
                    .strip_prefix(b"{\"seq\":")
                    .map(|r| r.iter().take_while(|c| c.is_ascii_digit()).copied());
                if let Some(seq) =
                    digits.and_then(|d| String::from_utf8(d.collect()).ok()?.parse().ok())
                {
                    self.last = Some(seq);
                }
                self.line.clear();
            } else if self.line.len() < 32 {
                self.line.push(b);
            }
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn body(
    r: &mut BufReader<UnixStream>,
    chunked: bool,
    length: Option<u64>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    if !chunked {
        match length {
            Some(n) => io::copy(&mut r.by_ref().take(n), out)?,
            None => io::copy(r, out)?,
        };
        out.flush()?;
        return Ok(());
    }
    loop {
        let size_line = header_line(r)?;
        let hex = size_line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(hex, 16)
            .map_err(|_| Error::Protocol(format!("bad chunk size `{size_line}`")))?;
        if size == 0 {
            out.flush()?;
            return Ok(());
        }
        let copied = io::copy(&mut r.by_ref().take(size), out)?;
        if copied != size {
            return Err(Error::Protocol("the connection closed mid-chunk".into()));
        }
        header_line(r)?;
        out.flush()?;
    }
}
