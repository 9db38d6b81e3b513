//! The character set of an HTML file: byte-order mark, then the
//! `<meta charset>` / `http-equiv` declaration in the first 4 KiB, then
//! detection (`decode`'s UTF-8 check and chardetng guess).
//!
//! One deliberate departure from browsers: a page that declares a legacy
//! single-byte charset but whose bytes are valid UTF-8 with non-ASCII
//! characters is read as UTF-8. Crawled pages are often re-encoded to UTF-8
//! by the crawler without their meta tag being rewritten, and such bytes
//! are practically never intended as Latin-1 (`Ã©` for `é`).
//!
//! [`decode::decode`] runs first in every case, so empty, binary and
//! undecodable files are rejected exactly as text files are, with one
//! allowance: a few stray NUL bytes (at most one per thousand, outside
//! UTF-16) are dropped first. Crawled pages carry them (two of the 621
//! L3S pages do), and the HTML standard treats a NUL as a parse error to
//! skip, not as a sign of binary data.

use crate::decode;
use crate::model::Rejection;
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How far into the file the declaration is looked for.
const PRESCAN: usize = 4096;

/// The page's text and the encoding it was read as.
///
/// # Errors
/// The `decode` stage's rejection (empty, binary, undecodable,
/// whitespace-only).
pub(crate) fn html_text(bytes: &[u8]) -> Result<(String, &'static str), Rejection> {
    let cleaned;
    let utf16 = bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff");
    let bytes = if !utf16
        && bytes.contains(&0)
        && bytes.iter().filter(|&&b| b == 0).count() * 1000 <= bytes.len()
    {
        cleaned = bytes
            .iter()
            .copied()
            .filter(|&b| b != 0)
            .collect::<Vec<u8>>();
        &cleaned[..]
    } else {
        bytes
    };
    let decoded = decode::decode(bytes)?;
    let has_bom = bytes.starts_with(b"\xef\xbb\xbf")
        || bytes.starts_with(b"\xff\xfe")
        || bytes.starts_with(b"\xfe\xff");
    let Some(declared) = (!has_bom).then(|| declared(bytes)).flatten() else {
        return Ok((decoded.text, decoded.encoding));
    };
    if declared == UTF_8 || decoded.encoding == declared.name() {
        return Ok((decoded.text, decoded.encoding));
    }
    if std::str::from_utf8(bytes).is_ok() && !bytes.is_ascii() {
        return Ok((decoded.text, decoded.encoding));
    }
    let (text, _) = declared.decode_without_bom_handling(bytes);
    Ok((text.into_owned(), declared.name()))
}

/// The encoding a `<meta>` tag in the first [`PRESCAN`] bytes declares,
/// mapped as the HTML standard does (UTF-16 labels mean UTF-8 once the
/// bytes are ASCII-compatible, `x-user-defined` means windows-1252).
pub(crate) fn declared(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        if let Some(label) = charset_in(&head[start..end]) {
            let enc = Encoding::for_label(label.trim().as_bytes())?;
            return Some(match enc.name() {
                "UTF-16LE" | "UTF-16BE" => UTF_8,
                "x-user-defined" => WINDOWS_1252,
                _ => enc,
            });
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value after `charset=` in one tag's bytes (quoted or not).
fn charset_in(tag: &[u8]) -> Option<String> {
    let lower: Vec<u8> = tag.iter().map(u8::to_ascii_lowercase).collect();
    let at = find(&lower, b"charset")? + b"charset".len();
    let rest = &tag[at..];
    let rest = rest
        .iter()
        .position(|&b| b != b' ')
        .map_or(&rest[..0], |p| &rest[p..]);
    let rest = rest.strip_prefix(b"=")?;
    let rest = rest
        .iter()
        .position(|&b| b != b' ')
        .map_or(&rest[..0], |p| &rest[p..]);
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'"' | b'\'' | b';' | b' ' | b'>' | b'/'))
        .unwrap_or(rest.len());
    let label = String::from_utf8_lossy(&rest[..end]).into_owned();
    (!label.is_empty()).then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_charset_forms() {
        assert_eq!(
            declared(b"<html><meta charset=\"windows-1251\">").map(Encoding::name),
            Some("windows-1251")
        );
        assert_eq!(
            declared(b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=ISO-8859-1'>")
                .map(Encoding::name),
            Some("windows-1252")
        );
        assert_eq!(
            declared(b"<meta charset=utf-16>").map(Encoding::name),
            Some("UTF-8")
        );
        assert_eq!(declared(b"<meta name=x content=y>"), None);
        assert_eq!(declared(b"<meta charset=bogus-label>"), None);
    }

    #[test]
    fn declared_charset_is_used_for_legacy_bytes() {
        // "Привет" in windows-1251 and in KOI8-R are both valid legacy bytes;
        // only the declaration tells them apart.
        let body = [0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2];
        let mut page = b"<html><head><meta charset=\"windows-1251\"></head><body><p>".to_vec();
        page.extend_from_slice(&body);
        page.extend_from_slice(b"</p></body></html>");
        let (text, enc) = html_text(&page).expect("decodes");
        assert_eq!(enc, "windows-1251");
        assert!(text.contains("Привет"), "{text}");
    }

    #[test]
    fn stray_nul_bytes_are_dropped_but_many_are_binary() {
        let mut page = b"<html><body><p>".to_vec();
        page.extend_from_slice(&[b'x'; 2000]);
        page.push(0);
        page.extend_from_slice(b"</p></body></html>");
        assert!(!html_text(&page).expect("decodes").0.contains('\0'));
        let r = html_text(b"<p>a\0b\0c</p>").expect_err("binary");
        assert_eq!(r.reason, crate::model::Reason::Binary);
    }

    #[test]
    fn utf8_bytes_win_over_a_latin1_label() {
        let page = "<meta charset=iso-8859-1><p>café</p>".as_bytes();
        let (text, enc) = html_text(page).expect("decodes");
        assert_eq!(enc, "UTF-8");
        assert!(text.contains("café"));
    }
}
