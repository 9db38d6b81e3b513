//! gzip and zstd, inflated as a stream under a hard cap.
//!
//! The decoder is read through `Read::take(cap + 1)`: a file whose output
//! passes the cap is rejected after `cap + 1` bytes, never inflated to the
//! end (a 100 KB gzip bomb costs at most `cap` of memory and the time to
//! produce it). Concatenated gzip members (as `cat a.gz b.gz` makes) are
//! one stream, as `gunzip` treats them.

use crate::model::{Reason, Rejection};
use std::io::Read;

/// The compression formats read, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// `.gz`
    Gzip,
    /// `.zst`
    Zstd,
}

impl Compression {
    fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Inflates `bytes` to at most `cap` bytes.
///
/// # Errors
/// [`Reason::TooLargeUncompressed`] past the cap, [`Reason::Corrupt`] for a
/// truncated or invalid stream, [`Reason::Empty`] for a zero-byte file.
pub fn inflate(kind: Compression, bytes: &[u8], cap: u64) -> Result<Vec<u8>, Rejection> {
    if bytes.is_empty() {
        return Err(Rejection::new(
            "decompress",
            Reason::Empty,
            "the file is empty",
        ));
    }
    let mut out = Vec::with_capacity(
        bytes
            .len()
            .saturating_mul(4)
            .min(usize::try_from(cap).unwrap_or(usize::MAX))
            .min(1 << 24),
    );
    let result = match kind {
        Compression::Gzip => flate2::read::MultiGzDecoder::new(bytes)
            .take(cap.saturating_add(1))
            .read_to_end(&mut out),
        Compression::Zstd => match zstd::stream::read::Decoder::with_buffer(bytes) {
            Ok(d) => d.take(cap.saturating_add(1)).read_to_end(&mut out),
            Err(e) => Err(e),
        },
    };
    if let Err(e) = result {
        let what = if e.kind() == std::io::ErrorKind::UnexpectedEof {
            "is truncated (the stream ends early)".to_owned()
        } else {
            format!("is not a valid stream: {e}")
        };
        return Err(Rejection::new(
            "decompress",
            Reason::Corrupt,
            format!("the {} data {what}", kind.name()),
        ));
    }
    if out.len() as u64 > cap {
        return Err(Rejection::new(
            "decompress",
            Reason::TooLargeUncompressed,
            format!(
                "the {} data inflates past the cap of {cap} bytes",
                kind.name()
            ),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("write");
        e.finish().expect("finish")
    }

    #[test]
    fn gzip_round_trip_and_members() {
        let mut two = gz(b"hello ");
        two.extend(gz(b"world"));
        assert_eq!(
            inflate(Compression::Gzip, &two, 100).expect("ok"),
            b"hello world"
        );
    }

    #[test]
    fn zstd_round_trip() {
        let z = zstd::stream::encode_all(&b"hello zstd"[..], 3).expect("encode");
        assert_eq!(
            inflate(Compression::Zstd, &z, 100).expect("ok"),
            b"hello zstd"
        );
        let r = inflate(Compression::Zstd, &z[..z.len() - 3], 100).expect_err("truncated");
        assert_eq!(r.reason, Reason::Corrupt);
    }

    #[test]
    fn truncated_garbage_and_over_cap() {
        let g = gz(&[b'a'; 10_000]);
        let r = inflate(Compression::Gzip, &g[..g.len() / 2], 1 << 20).expect_err("truncated");
        assert_eq!(r.reason, Reason::Corrupt);
        assert!(r.message.contains("truncated"), "{}", r.message);
        let r = inflate(Compression::Gzip, b"not gzip at all", 1 << 20).expect_err("garbage");
        assert_eq!(r.reason, Reason::Corrupt);
        let r = inflate(Compression::Gzip, &g, 9_999).expect_err("cap");
        assert_eq!(r.reason, Reason::TooLargeUncompressed);
        assert_eq!(
            inflate(Compression::Gzip, &g, 10_000)
                .expect("at cap")
                .len(),
            10_000
        );
    }
}
