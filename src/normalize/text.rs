//! Text forms of a block: the stored form ([`tidy`]) and the hashing form
//! ([`match_key`]).

use unicode_normalization::{UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

/// Characters that are dropped outright from stored text: controls (other
/// than whitespace, which is collapsed), zero-width spaces and joiners,
/// soft hyphens and byte-order marks. They are invisible on the page and
/// would make equal texts hash differently.
fn is_dropped(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(
            c,
            '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
        )
}

/// The stored form of a text: Unicode NFC, invisible characters dropped,
/// whitespace runs collapsed to one space, trimmed. Wording, case and
/// punctuation are kept as on the page.
#[must_use]
pub fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else if !is_dropped(c) {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    };
    if s.is_ascii() || is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes {
        for c in s.chars() {
            push(c, &mut out);
        }
    } else {
        for c in s.nfc() {
            push(c, &mut out);
        }
    }
    out
}

/// Apostrophes and quotation marks: removed from the key, so `don’t`,
/// `don't` and `dont` agree and quoting style never matters.
fn is_quote(c: char) -> bool {
    matches!(
        c,
        '\'' | '"'
            | '`'
            | '\u{b4}'
            | '\u{2018}'..='\u{201f}'
            | '\u{2032}'..='\u{2037}'
            | '\u{ab}'
            | '\u{bb}'
            | '\u{2039}'
            | '\u{203a}'
            | '\u{2ba}'..='\u{2bc}'
            | '\u{2c8}'
            | '\u{300c}'..='\u{300f}'
            | '\u{ff02}'
            | '\u{ff07}'
    )
}

/// The match key hashing sees: NFKC, lower case, quotes and apostrophes
/// removed, every other character that is not a letter, mark or digit
/// (dashes included) turned into a space, whitespace collapsed, trimmed.
/// Digits are kept, so `5%` and `7%` differ.
///
/// Idempotent: `match_key(&match_key(x)) == match_key(x)`. The fold is
/// repeated until it changes nothing (lower-casing or dropping a quote can
/// leave text that NFKC would still change); ASCII output is always final.
#[must_use]
pub fn match_key(s: &str) -> String {
    let mut out = fold(s);
    for _ in 0..4 {
        if out.is_ascii() {
            break;
        }
        let again = fold(&out);
        if again == out {
            break;
        }
        out = again;
    }
    out
}

/// One pass of the match-key fold.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut push = |c: char, out: &mut String| {
        if is_quote(c) || is_dropped(c) {
            return;
        }
        if c.is_alphanumeric() || is_mark(c) {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        } else {
            pending_space = !out.is_empty();
        }
    };
    if s.is_ascii() {
        for c in s.chars() {
            push(c.to_ascii_lowercase(), &mut out);
        }
        return out;
    }
    let lower = s.nfkc().collect::<String>().to_lowercase();
    if is_nfkc_quick(lower.chars()) == unicode_normalization::IsNormalized::Yes {
        for c in lower.chars() {
            push(c, &mut out);
        }
    } else {
        for c in lower.nfkc() {
            push(c, &mut out);
        }
    }
    out
}

/// Combining marks (general categories Mn, Mc, Me): part of their word.
fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

/// Number of whitespace-separated words.
pub(crate) fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_keeps_wording_and_collapses_space() {
        assert_eq!(
            tidy("  Caf\u{65}\u{301}\t  au\u{a0}lait \n"),
            "Caf\u{e9} au lait"
        );
        assert_eq!(tidy("a\u{200b}b\u{ad}c"), "abc");
        assert_eq!(tidy("“Quote” — dash"), "“Quote” — dash");
    }

    #[test]
    fn match_key_folds_case_quotes_dashes_and_punctuation() {
        assert_eq!(match_key("It’s “BIG” — really!"), "its big really");
        assert_eq!(match_key("It's \"big\" - really?"), "its big really");
        assert_eq!(match_key("U.S.-led talks"), "u s led talks");
        assert_eq!(match_key("ﬁne ＡＢＣ"), "fine abc");
        assert_ne!(match_key("shares rose 5%"), match_key("shares rose 7%"));
        assert_eq!(match_key("shares rose 5%"), "shares rose 5");
        assert_eq!(match_key("  «Bonjour»  "), "bonjour");
        assert_eq!(match_key("---"), "");
    }

    #[test]
    fn match_key_is_idempotent_on_tricky_input() {
        for s in [
            "İstanbul",
            "ΑΣ'Β",
            "e\u{301}'\u{301}x",
            "Å ﬃ ½ ㎏",
            "a'\u{308}",
        ] {
            let k = match_key(s);
            assert_eq!(match_key(&k), k, "{s:?}");
        }
    }
}
