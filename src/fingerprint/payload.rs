//! The stored and indexed form of a block's fingerprint (see
//! [`Payload`]). Raw little-endian bytes, no serde: rebuilding the index at
//! start-up decodes only a header and a bit mask per record.

use super::FORMAT;

/// Header bytes: format u8, flags u8, numbers u16, words u32, shingles u32.
const HEADER: usize = 12;
/// Flag bit: the block is learned boilerplate.
const FLAG_BOILERPLATE: u8 = 1;

/// A block's fingerprint payload: its word count, its sorted unique
/// shingle hashes, which of them are winnowed fingerprints (a bit mask in
/// shingle order), and the sorted multiset of its number-token hashes.
///
/// Layout (little-endian): `format u8 | flags u8 | n_numbers u16 | words
/// u32 | n_shingles u32 | shingles [u32] | mask [u8; ceil(n/8)] | numbers
/// [u32]`. About 4 bytes per shingle plus 12: 130 bytes for a 30-word
/// paragraph.
#[derive(Clone, PartialEq, Eq)]
pub struct Payload(Vec<u8>);

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payload")
            .field("words", &self.words())
            .field("shingles", &self.shingle_count())
            .field("numbers", &self.numbers().len())
            .finish()
    }
}

/// A stored payload that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("index payload: {0}")]
pub struct PayloadError(&'static str);

impl Payload {
    pub(super) fn build(words: u32, shingles: &[u32], picked: &[u32], numbers: &[u32]) -> Payload {
        let n = shingles.len();
        let n_numbers = numbers.len().min(usize::from(u16::MAX));
        let mut v = Vec::with_capacity(HEADER + 4 * n + n.div_ceil(8) + 4 * n_numbers);
        v.push(u8::try_from(FORMAT).unwrap_or(u8::MAX));
        v.push(0);
        v.extend_from_slice(&u16::try_from(n_numbers).unwrap_or(u16::MAX).to_le_bytes());
        v.extend_from_slice(&words.to_le_bytes());
        v.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
        for h in shingles {
            v.extend_from_slice(&h.to_le_bytes());
        }
        let mask_at = v.len();
        v.resize(mask_at + n.div_ceil(8), 0);
        let mut p = picked.iter().peekable();
        for (i, h) in shingles.iter().enumerate() {
            while p.next_if(|x| **x < *h).is_some() {}
            if p.next_if(|x| **x == *h).is_some() {
                v[mask_at + i / 8] |= 1 << (i % 8);
            }
        }
        for h in &numbers[..n_numbers] {
            v.extend_from_slice(&h.to_le_bytes());
        }
        Payload(v)
    }

    /// A payload without shingles, for a short block: it only ever matches
    /// exactly and is stored only to carry its boilerplate flag.
    #[must_use]
    pub fn bare(words: u32) -> Payload {
        Payload::build(words, &[], &[], &[])
    }

    /// Whether the block is learned boilerplate (so the index rebuilt at
    /// start-up knows it without reading every block record).
    #[must_use]
    pub fn boilerplate(&self) -> bool {
        self.0[1] & FLAG_BOILERPLATE != 0
    }

    /// Marks or unmarks the block as learned boilerplate.
    pub fn set_boilerplate(&mut self, on: bool) {
        if on {
            self.0[1] |= FLAG_BOILERPLATE;
        } else {
            self.0[1] &= !FLAG_BOILERPLATE;
        }
    }

    /// Checks stored bytes.
    ///
    /// # Errors
    /// [`PayloadError`] when the layout version or the lengths are wrong.
    pub fn from_bytes(v: Vec<u8>) -> Result<Payload, PayloadError> {
        if v.len() < HEADER {
            return Err(PayloadError("shorter than its header"));
        }
        if u32::from(v[0]) != FORMAT {
            return Err(PayloadError("unknown layout version"));
        }
        let p = Payload(v);
        let n = p.shingle_count();
        let want = HEADER + 4 * n + n.div_ceil(8) + 4 * p.numbers_len();
        if p.0.len() != want {
            return Err(PayloadError("length does not match its header"));
        }
        Ok(p)
    }

    /// The stored bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The stored bytes, by value.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    fn u32_at(&self, at: usize) -> u32 {
        let mut b = [0u8; 4];
        b.copy_from_slice(&self.0[at..at + 4]);
        u32::from_le_bytes(b)
    }

    /// Words in the match key.
    #[must_use]
    pub fn words(&self) -> u32 {
        self.u32_at(4)
    }

    /// Number of distinct shingles.
    #[must_use]
    pub fn shingle_count(&self) -> usize {
        self.u32_at(8) as usize
    }

    fn numbers_len(&self) -> usize {
        usize::from(u16::from_le_bytes([self.0[2], self.0[3]]))
    }

    /// The sorted unique shingle hashes.
    pub fn shingles(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.0[HEADER..HEADER + 4 * self.shingle_count()]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// The winnowed fingerprints (the index keys), sorted.
    pub fn fingerprints(&self) -> impl Iterator<Item = u32> + '_ {
        let mask = &self.0[HEADER + 4 * self.shingle_count()..];
        self.shingles()
            .enumerate()
            .filter(move |(i, _)| mask[i / 8] & (1 << (i % 8)) != 0)
            .map(|(_, h)| h)
    }

    /// The number-token hashes as stored bytes (a sorted multiset, so two
    /// blocks state the same numbers exactly when these bytes are equal).
    #[must_use]
    pub fn numbers(&self) -> &[u8] {
        let n = self.shingle_count();
        &self.0[HEADER + 4 * n + n.div_ceil(8)..]
    }
}
