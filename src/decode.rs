//! Decoding: raw bytes to text. Pure.
//!
//! Order of checks, first match wins:
//!
//! 1. zero bytes: [`Reason::Empty`];
//! 2. a UTF-8 / UTF-16 byte-order mark: decode with that encoding (a NUL
//!    byte is normal in UTF-16, so the NUL rule below does not apply);
//! 3. a known binary magic number (gzip, PDF, ZIP, PNG, JPEG, ...) or any
//!    NUL byte: [`Reason::Binary`];
//! 4. valid UTF-8: UTF-8;
//! 5. mostly valid UTF-8 with a few stray bytes (a cp1252 quote pasted into a
//!    UTF-8 file): UTF-8, each invalid byte read as Windows-1252;
//! 6. otherwise the legacy encoding `chardetng` guesses (Windows-1252 for
//!    Latin text), decoded with `encoding_rs`.
//!
//! The text is then given LF line endings (CRLF and lone CR become LF), and
//! rejected as [`Reason::Binary`] when control characters make up a high
//! share of it, as [`Reason::Undecodable`] when most of it decoded to
//! U+FFFD, and as [`Reason::WhitespaceOnly`] when nothing visible is left.

use crate::model::{Reason, Rejection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Decoded text with LF line endings, and the encoding it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, LF line endings only, no BOM.
    pub text: String,
    /// The encoding the bytes were read as (`UTF-8`, `UTF-16LE`, `windows-1252`, ...).
    pub encoding: &'static str,
}

/// The encoding label used for UTF-8 text in which stray invalid bytes were
/// read as Windows-1252 (rule 5 of the module docs), so logs show that the
/// file was repaired rather than clean UTF-8.
pub const UTF8_WITH_CP1252_REPAIRS: &str = "UTF-8+windows-1252";

/// Binary formats recognised by their leading bytes. Every entry contains
/// bytes (or a marker such as `%PDF-`) that a news text does not start with.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x1f\x8b", "gzip"),
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"PK\x07\x08", "ZIP"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"\x7fELF", "ELF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE (doc/xls)"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"OggS", "Ogg"),
    (b"fLaC", "FLAC"),
    (b"ID3", "MP3"),
    (b"wOFF", "WOFF"),
    (b"wOF2", "WOFF2"),
    (b"SQLite format 3\x00", "SQLite"),
];

/// Above this share of control characters (other than tab, LF, CR, FF) the
/// text is treated as binary.
const MAX_CONTROL_SHARE: f64 = 0.05;

/// Above this share of U+FFFD the bytes did not decode to text.
const MAX_REPLACEMENT_SHARE: f64 = 0.25;

/// Decodes a dropped file's bytes.
///
/// # Errors
/// A [`Rejection`] (stage `decode`) for empty, whitespace-only, binary or
/// undecodable input.
pub fn decode(bytes: &[u8]) -> Result<Decoded, Rejection> {
    if bytes.is_empty() {
        return Err(reject(Reason::Empty, "the file is empty"));
    }
    let (raw, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        (utf8_text(rest), UTF_8.name())
    } else if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        (utf16_text(UTF_16LE, rest), UTF_16LE.name())
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        (utf16_text(UTF_16BE, rest), UTF_16BE.name())
    } else {
        if let Some(kind) = magic(bytes) {
            return Err(reject(
                Reason::Binary,
                format!("the file starts with the {kind} magic number"),
            ));
        }
        if bytes.contains(&0) {
            return Err(reject(Reason::Binary, "the file contains NUL bytes"));
        }
        legacy_or_utf8(bytes)
    };
    let text = to_lf(raw.strip_prefix('\u{feff}').unwrap_or(&raw));
    check_text(&text)?;
    Ok(Decoded { text, encoding })
}

fn reject(reason: Reason, message: impl Into<String>) -> Rejection {
    Rejection::new("decode", reason, message)
}

fn magic(bytes: &[u8]) -> Option<&'static str> {
    MAGIC
        .iter()
        .find(|(m, _)| bytes.starts_with(m))
        .map(|(_, kind)| *kind)
}

fn utf8_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => utf8_with_cp1252(bytes),
    }
}

fn utf16_text(encoding: &'static Encoding, bytes: &[u8]) -> String {
    let (text, _had_errors) = encoding.decode_without_bom_handling(bytes);
    text.into_owned()
}

/// Text without a BOM: UTF-8 when valid (or nearly so), else the legacy
/// encoding `chardetng` guesses.
fn legacy_or_utf8(bytes: &[u8]) -> (String, &'static str) {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_owned(), UTF_8.name());
    }
    let (multibyte, invalid) = utf8_census(bytes);
    if multibyte > 0 && invalid <= multibyte {
        // Mostly UTF-8 with a few stray legacy bytes.
        return (utf8_with_cp1252(bytes), UTF8_WITH_CP1252_REPAIRS);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    let encoding = if guess == UTF_8 || western_enough(guess, bytes) {
        WINDOWS_1252
    } else {
        guess
    };
    let (text, _, _) = encoding.decode(bytes);
    (text.into_owned(), encoding.name())
}

/// Other single-byte Latin encodings share Windows-1252's punctuation
/// bytes (0x91-0x97), so on English text with one `£` chardetng may guess
/// Central European. When the guess would give almost no non-ASCII
/// letters (under 2% of the ASCII letters), the text is English-like and
/// Windows-1252 is the likelier encoding.
fn western_enough(guess: &'static Encoding, bytes: &[u8]) -> bool {
    const LATIN: &[&str] = &[
        "windows-1250",
        "windows-1254",
        "windows-1257",
        "windows-1258",
        "ISO-8859-2",
        "ISO-8859-4",
        "ISO-8859-13",
        "ISO-8859-15",
    ];
    if guess == WINDOWS_1252 || !LATIN.contains(&guess.name()) {
        return false;
    }
    let ascii_letters = bytes.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let (text, _, _) = guess.decode(bytes);
    let other_letters = text
        .chars()
        .filter(|c| !c.is_ascii() && c.is_alphabetic())
        .count();
    other_letters * 50 < ascii_letters
}

/// Counts valid multi-byte UTF-8 sequences and invalid byte runs.
fn utf8_census(mut bytes: &[u8]) -> (usize, usize) {
    let (mut multibyte, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                multibyte += s.chars().filter(|c| !c.is_ascii()).count();
                return (multibyte, invalid);
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                multibyte += std::str::from_utf8(good)
                    .map(|s| s.chars().filter(|c| !c.is_ascii()).count())
                    .unwrap_or(0);
                invalid += 1;
                let skip = e.error_len().unwrap_or(rest.len()).max(1);
                bytes = &rest[skip.min(rest.len())..];
            }
        }
    }
}

/// UTF-8 in which every byte of an invalid sequence is read as Windows-1252.
fn utf8_with_cp1252(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 16);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let bad_len = e.error_len().unwrap_or(rest.len()).max(1).min(rest.len());
                let (bad, after) = rest.split_at(bad_len);
                let (fixed, _, _) = WINDOWS_1252.decode(bad);
                out.push_str(&fixed);
                bytes = after;
            }
        }
    }
}

/// CRLF and lone CR become LF.
fn to_lf(s: &str) -> String {
    if !s.contains('\r') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that take no room on the page (BOM, zero-width spaces and
/// joiners); a file of only these and whitespace is whitespace-only.
fn is_invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

fn check_text(text: &str) -> Result<(), Rejection> {
    let (mut total, mut control, mut replacement, mut visible) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars() {
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\t' | '\u{c}') {
            control += 1;
        }
        if c == '\u{fffd}' {
            replacement += 1;
        }
        if !is_invisible(c) {
            visible += 1;
        }
    }
    // Shares of a character count: precision loss is irrelevant here.
    #[allow(clippy::cast_precision_loss)]
    let share = |n: usize| n as f64 / total.max(1) as f64;
    if share(control) > MAX_CONTROL_SHARE {
        return Err(reject(
            Reason::Binary,
            format!("{control} of {total} characters are control characters"),
        ));
    }
    if visible == 0 {
        return Err(reject(
            Reason::WhitespaceOnly,
            "the file holds only whitespace",
        ));
    }
    if share(replacement) > MAX_REPLACEMENT_SHARE {
        return Err(reject(
            Reason::Undecodable,
            format!("{replacement} of {total} characters did not decode"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(bytes: &[u8]) -> Option<Reason> {
        decode(bytes).err().map(|r| r.reason)
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("caf\u{e9}\r\nbar\rbaz".as_bytes()).expect("utf8");
        assert_eq!(d.text, "caf\u{e9}\nbar\nbaz");
        assert_eq!(d.encoding, "UTF-8");
        let d2 = decode(b"\xef\xbb\xbfcaf\xc3\xa9\nbar\nbaz").expect("bom");
        assert_eq!(d2.text, d.text);
    }

    #[test]
    fn utf16_with_bom_keeps_nul_bytes_legal() {
        let s = "Hello \u{2019}world\u{2019}\r\n";
        let mut le = vec![0xff, 0xfe];
        let mut be = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        let l = decode(&le).expect("le");
        let b = decode(&be).expect("be");
        assert_eq!(l.text, "Hello \u{2019}world\u{2019}\n");
        assert_eq!(b.text, l.text);
        assert_eq!(l.encoding, "UTF-16LE");
        assert_eq!(b.encoding, "UTF-16BE");
    }

    #[test]
    fn windows_1252_is_detected() {
        let d = decode(b"It\x92s \xa3100 for the caf\xe9 owner\x85 said the man.").expect("1252");
        assert_eq!(
            d.text,
            "It\u{2019}s \u{a3}100 for the caf\u{e9} owner\u{2026} said the man."
        );
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn english_with_a_pound_sign_is_windows_1252_not_central_european() {
        let d = decode(b"The council raised spending to \xa34 million \x97 it\x92s a \x93fair\x94 deal, the leader said after the long debate.").expect("1252");
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("\u{a3}4 million \u{2014} it\u{2019}s"));
    }

    #[test]
    fn stray_byte_in_utf8_is_repaired_not_mojibake() {
        let d = decode(b"\xe2\x80\x9cQuoted\xe2\x80\x9d and it\x92s fine").expect("mixed");
        assert_eq!(d.text, "\u{201c}Quoted\u{201d} and it\u{2019}s fine");
        assert_eq!(d.encoding, UTF8_WITH_CP1252_REPAIRS);
    }

    #[test]
    fn binary_inputs_are_rejected() {
        assert_eq!(reason(b"abc\x00def"), Some(Reason::Binary));
        assert_eq!(reason(b"\x1f\x8b\x08\x00rest"), Some(Reason::Binary));
        assert_eq!(reason(b"%PDF-1.7\n..."), Some(Reason::Binary));
        assert_eq!(reason(b"PK\x03\x04zip"), Some(Reason::Binary));
        assert_eq!(reason(b"\x89PNG\r\n\x1a\n...."), Some(Reason::Binary));
        assert_eq!(
            reason(b"\x01\x02\x03\x04\x05 text \x06\x07\x08"),
            Some(Reason::Binary)
        );
    }

    #[test]
    fn empty_and_whitespace_only() {
        assert_eq!(reason(b""), Some(Reason::Empty));
        assert_eq!(reason(b" \n\r\n\t "), Some(Reason::WhitespaceOnly));
        assert_eq!(reason(b"\xef\xbb\xbf \n"), Some(Reason::WhitespaceOnly));
        assert_eq!(
            reason("\u{200b}\n".as_bytes()),
            Some(Reason::WhitespaceOnly)
        );
    }

    #[test]
    fn mostly_undecodable_utf16_is_rejected() {
        // Lone surrogates only.
        let mut le = vec![0xff, 0xfe];
        for _ in 0..10 {
            le.extend_from_slice(&0xd800u16.to_le_bytes());
            le.extend_from_slice(b"a\x00");
        }
        assert_eq!(reason(&le), Some(Reason::Undecodable));
    }
}
