//! Key layout and value encoding. Pure.
//!
//! One sled tree holds every logical table under a one-byte prefix, so that
//! a file's whole effect is one atomic `apply_batch` without sled's
//! optimistic multi-tree transactions (and without sled's per-tree overhead,
//! sled issue #1484). Integers in keys are big-endian so scans are ordered.
//!
//! | prefix | key | value |
//! |---|---|---|
//! | `m` | name | meta: schema, normalizer, dedup params, counts, last seq |
//! | `s` | blake3(file) 32 B | [`SourceRecord`](super::records::SourceRecord) |
//! | `b` | block id 16 B | [`BlockRecord`](super::records::BlockRecord) |
//! | `h` | article id 8 B | [`ArticleHead`](super::records::ArticleHead) |
//! | `v` | article id 8 B + version u32 | [`ArticleVersion`](super::records::ArticleVersion) |
//! | `c` | seq u64 | change-log event, JSON (the public line format) |
//! | `x` | block id 16 B | index payload for the near-duplicate tier |
//! | `n` | blake3(file) 32 B + name | seq u64: the event of the bytes under that name |

use crate::model::{ArticleId, BlockId, Hash32};
use serde::{Serialize, de::DeserializeOwned};

/// Meta table prefix.
pub const META: u8 = b'm';
/// Sources table prefix.
pub const SOURCE: u8 = b's';
/// Blocks table prefix.
pub const BLOCK: u8 = b'b';
/// Article heads prefix.
pub const HEAD: u8 = b'h';
/// Article versions prefix.
pub const VERSION: u8 = b'v';
/// Change log prefix.
pub const CHANGE: u8 = b'c';
/// Near-duplicate index payload prefix.
pub const INDEX: u8 = b'x';
/// Names-per-content prefix: every name a content hash arrived under.
pub const NAME: u8 = b'n';

/// `m` + name.
#[must_use]
pub fn meta_key(name: &str) -> Vec<u8> {
    let mut k = vec![META];
    k.extend_from_slice(name.as_bytes());
    k
}

/// `s` + hash.
#[must_use]
pub fn source_key(h: &Hash32) -> Vec<u8> {
    let mut k = vec![SOURCE];
    k.extend_from_slice(&h.0);
    k
}

/// `n` + hash + name bytes.
#[must_use]
pub fn name_key(h: &Hash32, name: &str) -> Vec<u8> {
    let mut k = vec![NAME];
    k.extend_from_slice(&h.0);
    k.extend_from_slice(name.as_bytes());
    k
}

/// `b` + block id.
#[must_use]
pub fn block_key(id: &BlockId) -> Vec<u8> {
    let mut k = vec![BLOCK];
    k.extend_from_slice(&id.0);
    k
}

/// `x` + block id.
#[must_use]
pub fn index_key(id: &BlockId) -> Vec<u8> {
    let mut k = vec![INDEX];
    k.extend_from_slice(&id.0);
    k
}

/// `h` + article id.
#[must_use]
pub fn head_key(id: &ArticleId) -> Vec<u8> {
    let mut k = vec![HEAD];
    k.extend_from_slice(&id.0);
    k
}

/// `v` + article id + version.
#[must_use]
pub fn version_key(id: &ArticleId, version: u32) -> Vec<u8> {
    let mut k = vec![VERSION];
    k.extend_from_slice(&id.0);
    k.extend_from_slice(&version.to_be_bytes());
    k
}

/// `c` + seq.
#[must_use]
pub fn change_key(seq: u64) -> Vec<u8> {
    let mut k = vec![CHANGE];
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The seq of a change key.
#[must_use]
pub fn seq_of(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.get(1..9)?.try_into().ok()?))
}

/// The block id in a `b` or `x` key.
#[must_use]
pub fn block_id_of(key: &[u8]) -> Option<BlockId> {
    Some(BlockId(key.get(1..17)?.try_into().ok()?))
}

/// postcard encoding of a record.
///
/// # Panics
/// Never for the record types of this crate (postcard only fails on
/// unsupported serde features, which they do not use).
#[must_use]
pub fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    postcard::to_stdvec(v).expect("BUG: store records always encode")
}

/// Decodes a record.
///
/// # Errors
/// The postcard error when the bytes are not a `T`.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, postcard::Error> {
    postcard::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_keys_sort_by_seq() {
        let a = change_key(9);
        let b = change_key(10);
        let c = change_key(256);
        assert!(a < b && b < c);
        assert_eq!(seq_of(&c), Some(256));
    }

    #[test]
    fn version_keys_sort_by_article_then_version() {
        let id = ArticleId([1; 8]);
        assert!(version_key(&id, 2) < version_key(&id, 10));
    }
}
