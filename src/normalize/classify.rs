//! Per-unit rules: what a unit is on its own, before position is known.
//!
//! Each rule is a pattern that news sites share, not a site's own string:
//! wire datelines, photo-credit suffixes, reporter credits, `By` bylines,
//! timestamp lines, a small lexicon of site-chrome words and phrases, and
//! URLs in short lines. The body score ([`Info::score`]) is a content
//! weight: long sentence-like units count for their words, short units
//! without sentence punctuation (nav items, related links) and chrome count
//! against.

use super::lexicon::{
    BARRIER, BYLINE, CAPTION, CAPTION_CREDIT, CREDIT, CREDIT_FROM, DATELINE, INNER_STOP, KICKERS,
    KNOWN_AGENCY, META, NAV_WORDS, SIGN_OFF, STRONG_LONG, STRONG_SHORT, TRAILING_SIGN_OFF, URL,
};
use super::time::{Stamp, timestamp_line};

/// What a unit's own text says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// Nothing special: body text, a heading or a nav item.
    Plain,
    /// A published/updated time line.
    Timestamp(Stamp),
    /// `By NAME`.
    Byline,
    /// `NAME reported from CITY.`, `Reporting by ...`.
    Credit,
    /// A photo caption or photo credit.
    Caption,
    /// A unit that is only a dateline (`SEATTLE Jan 14, 2008 (AP)`).
    Dateline,
}

/// How strongly a unit looks like site chrome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Chrome {
    /// Not chrome.
    No,
    /// Nav-like: made of nav words (`Home`, `Video`, `Share`) or a menu.
    /// A heading inside the body may look like this.
    Weak,
    /// Chrome by a phrase no article sentence uses (`Skip to content`,
    /// `All rights reserved`, a URL in a short line).
    Strong,
}

/// The per-unit facts the segmenter uses.
#[derive(Debug, Clone)]
pub(crate) struct Info {
    pub(crate) words: usize,
    /// Ends like a sentence.
    pub(crate) sentence: bool,
    /// Holds more than one sentence.
    pub(crate) multi_sentence: bool,
    pub(crate) pattern: Pattern,
    pub(crate) chrome: Chrome,
    /// Opens a comments section (`Comments (12)`, `Leave a reply`).
    pub(crate) barrier: bool,
    /// A `Posted by NAME | date` line: when a page has several, they head
    /// the comments of a thread.
    pub(crate) meta: bool,
    /// The wire dateline the unit starts with, if any.
    pub(crate) dateline: Option<String>,
    /// A short line of figures (`Net 1.1 mln vs 829,000`, a results
    /// table row): neutral, neither body evidence nor chrome.
    pub(crate) data: bool,
    /// Content weight for body detection.
    pub(crate) score: i32,
}

/// Whether most of a short line's tokens carry digits.
fn is_data(s: &str, words: usize) -> bool {
    let digits = s
        .split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .count();
    words <= 25 && digits * 10 >= words * 3
}

/// Whether `s` ends like a sentence (terminal punctuation, optionally
/// followed by closing quotes or brackets).
pub(crate) fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['"', '\'', '”', '’', ')', ']', '»', ' ', '*']);
    t.ends_with(['.', '!', '?', '…'])
}

/// The dateline at the start of `s`, with its dash (`KYIV, Ukraine (AP) —`).
///
/// The text after it must read as a story lead (four words or more, some in
/// lower case), or be empty (a dateline line of its own); a bare upper-case
/// word before a dash (`WASHINGTON —`) also needs a full sentence after
/// it, so headline kickers (`MOVIE REVIEW - ...`) are not datelines.
pub(crate) fn lead_dateline(s: &str) -> Option<&str> {
    // A cheap find first: most units have no dateline, and capture groups
    // need the slower engines.
    DATELINE.find(s)?;
    let caps = DATELINE.captures(s)?;
    let d = caps.get(0)?.as_str().trim_end();
    let first = d.split([' ', ',']).next().unwrap_or("");
    if d.is_empty() || KICKERS.iter().any(|k| first.eq_ignore_ascii_case(k)) {
        return None;
    }
    // An agency outside the known list counts only after a place in
    // capitals (`KELSO (Valley Wire) —`); a known one after any place.
    if let Some(a) = caps.name("agency")
        && !KNOWN_AGENCY.is_match(a.as_str())
        && (caps.name("place").is_none() || first.chars().any(char::is_lowercase))
    {
        return None;
    }
    let rest = s[d.len()..].trim();
    if rest.is_empty() {
        return Some(d);
    }
    let words = super::text::word_count(rest);
    let lead = words >= 4 && rest.chars().any(char::is_lowercase);
    let bare = caps.name("bare").is_some();
    (lead && (!bare || ends_sentence(rest) || words >= 12)).then_some(d)
}

/// Whether every word of a short unit is a nav word.
fn all_nav_words(s: &str) -> bool {
    let mut any = false;
    for w in s.split(|c: char| {
        c.is_whitespace() || matches!(c, '|' | '/' | '•' | '·' | '»' | '›' | ':' | ',')
    }) {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '&');
        if w.is_empty() {
            continue;
        }
        any = true;
        if !NAV_WORDS.iter().any(|n| n.eq_ignore_ascii_case(w)) {
            return false;
        }
    }
    any
}

fn is_menu(s: &str, words: usize) -> bool {
    let seps = s.matches([' ', '|', '•', '·', '»', '›']).count();
    let bars = s.matches(['|', '•', '·', '»', '›']).count();
    (bars >= 2 && !ends_sentence(s) && words <= 40 && seps > 0)
        || s.ends_with(['»', '›'])
        || s.starts_with(['«', '‹'])
}

/// Classifies one unit (its tidy text and match key).
pub(crate) fn classify(text: &str, key: &str) -> Info {
    let words = super::text::word_count(text);
    let core = TRAILING_SIGN_OFF.replace(text, "");
    let sentence = ends_sentence(&core) || (words >= 7 && core.ends_with(':'));
    let data = !sentence && is_data(text, words);
    let mut chrome = Chrome::No;
    if key.is_empty()
        || SIGN_OFF.is_match(text)
        || (words <= 25 && URL.is_match(text))
        || (words <= 12 && STRONG_SHORT.is_match(text))
        || STRONG_LONG.is_match(text)
    {
        chrome = Chrome::Strong;
    } else if (words <= 6 && all_nav_words(text)) || is_menu(text, words) {
        chrome = Chrome::Weak;
    }
    let barrier = words <= 10 && !(sentence && text.ends_with('.')) && BARRIER.is_match(text);
    if barrier {
        chrome = Chrome::Strong;
    }
    let meta = words <= 30 && META.is_match(text);
    // A caption may open with the story's dateline; its photo credit says
    // what it is.
    let dateline = lead_dateline(text)
        .filter(|d| {
            let rest = text[d.len()..].trim();
            rest.is_empty() || words > 60 || !CAPTION_CREDIT.is_match(rest)
        })
        .map(str::to_owned);
    let pattern = pattern(text, words, sentence, dateline.as_deref());
    let score = if data && chrome == Chrome::No && pattern == Pattern::Plain && dateline.is_none() {
        0
    } else {
        score(words, sentence, chrome, pattern, dateline.is_some())
    };
    Info {
        words,
        sentence,
        multi_sentence: INNER_STOP.is_match(text),
        pattern,
        chrome,
        barrier,
        meta,
        dateline,
        data,
        score,
    }
}

fn pattern(text: &str, words: usize, sentence: bool, dateline: Option<&str>) -> Pattern {
    if let Some(d) = dateline
        && d.len() + 2 >= text.len()
    {
        return Pattern::Dateline;
    }
    if words <= 60 && CAPTION.is_match(text) && dateline.is_none() {
        return Pattern::Caption;
    }
    let says_from = [" reported ", " wrote ", " filed "]
        .iter()
        .any(|w| text.contains(w));
    if words <= 40 && (CREDIT.is_match(text) || (says_from && CREDIT_FROM.is_match(text))) {
        return Pattern::Credit;
    }
    if words <= 15 && BYLINE.is_match(text) && !(sentence && words > 4) {
        return Pattern::Byline;
    }
    if words <= 20
        && let Some(stamp) = timestamp_line(text)
    {
        return Pattern::Timestamp(stamp);
    }
    Pattern::Plain
}

fn score(words: usize, sentence: bool, chrome: Chrome, pattern: Pattern, dateline: bool) -> i32 {
    let w = i32::try_from(words).unwrap_or(i32::MAX / 2);
    match chrome {
        Chrome::Strong => return -30,
        Chrome::Weak => return -10,
        Chrome::No => {}
    }
    if pattern != Pattern::Plain {
        return 0;
    }
    if dateline {
        return 10 + w;
    }
    match (sentence, words) {
        (true, 15..) => w,
        (true, 7..) => 3,
        (true, 3..) => 1,
        (true, _) => 0,
        (false, 25..) => w / 2,
        (false, 15..) => 0,
        (false, _) => -6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::match_key;

    fn info(s: &str) -> Info {
        classify(s, &match_key(s))
    }

    #[test]
    fn datelines() {
        assert_eq!(
            lead_dateline("KYIV, Ukraine (AP) — A senior official said so."),
            Some("KYIV, Ukraine (AP) —")
        );
        assert_eq!(
            lead_dateline("SALVADOR, Feb 26 - Showers continued throughout the week."),
            Some("SALVADOR, Feb 26 -")
        );
        assert_eq!(
            lead_dateline("Scarborough, Ontario, Feb 26 - Shr 45 cts vs 58 cts"),
            Some("Scarborough, Ontario, Feb 26 -")
        );
        assert_eq!(
            lead_dateline("WILMINGTON, Del., Feb 26 - The Du Pont Co said."),
            Some("WILMINGTON, Del., Feb 26 -")
        );
        assert_eq!(
            lead_dateline("LONDON, Jan 3 (Reuters) - Shares fell sharply today."),
            Some("LONDON, Jan 3 (Reuters) -")
        );
        assert_eq!(
            lead_dateline("(Reuters) — The attorney general is investigating."),
            Some("(Reuters) —")
        );
        assert_eq!(
            lead_dateline("WASHINGTON — The Senate voted on the bill."),
            Some("WASHINGTON —")
        );
        assert_eq!(
            lead_dateline("Officials in Paris, Jan 3 - said things."),
            None
        );
        assert_eq!(lead_dateline("BAHIA COCOA REVIEW"), None);
        assert_eq!(
            lead_dateline("Portmouth, 14 December (Reuters) – The ferry crews voted to strike."),
            Some("Portmouth, 14 December (Reuters) –")
        );
        assert_eq!(
            lead_dateline("KELSO (Valley Wire) — The ferry crews voted to strike on Monday."),
            Some("KELSO (Valley Wire) —")
        );
        assert_eq!(
            lead_dateline("Kelso (Valley Wire) — The ferry crews voted to strike on Monday."),
            None
        );
        assert_eq!(
            lead_dateline("Officials said - without naming anyone - that it was over."),
            None
        );
        assert_eq!(info("SEATTLE Jan 14, 2008 (AP)").pattern, Pattern::Dateline);
        let p = info(
            "KYIV, Ukraine (AP) — A senior Kremlin official says the police will stay in the region for years.",
        );
        assert_eq!(p.pattern, Pattern::Plain);
        assert!(p.dateline.is_some() && p.score > 10);
    }

    #[test]
    fn captions() {
        for s in [
            "President Smith, right, shakes hands with an envoy in Minsk, Friday, Dec. 12, 2025. (Press Service via AP)",
            "Firefighters work at the scene. (AP Photo/Jane Doe)",
            "The stadium at night. (Getty Images)",
            "Photo: John Smith",
            "FILE - In this file photo, a man walks past the bank.",
            "Above: A coworking space in San Francisco.",
            "Image Credit: WeWork",
        ] {
            assert_eq!(info(s).pattern, Pattern::Caption, "{s}");
        }
        assert_eq!(
            info("He said (in a photo op) that it went well.").pattern,
            Pattern::Plain
        );
    }

    #[test]
    fn credits_and_bylines() {
        assert_eq!(
            info("Jane Doe reported from Tallinn, Estonia.").pattern,
            Pattern::Credit
        );
        assert_eq!(
            info("Associated Press writer John Roe in Paris contributed to this report.").pattern,
            Pattern::Credit
        );
        assert_eq!(
            info("Reporting by John Roe; Editing by Jane Doe").pattern,
            Pattern::Credit
        );
        assert_eq!(info("By Cal Mankowski, Reuters").pattern, Pattern::Byline);
        assert_eq!(
            info("By JOHN SMITH, Associated Press Writer").pattern,
            Pattern::Byline
        );
        assert_eq!(
            info(
                "By the end of the year, the company said, output would double from current levels."
            )
            .pattern,
            Pattern::Plain
        );
        assert_eq!(
            info("The minister reported from the summit that talks failed.").pattern,
            Pattern::Plain
        );
    }

    #[test]
    fn chrome_rules() {
        assert_eq!(
            info("Skip to Content Facebook Feature Image").chrome,
            Chrome::Strong
        );
        assert_eq!(info("Recommended Articles").chrome, Chrome::Strong);
        assert_eq!(
            info("Follow AP’s coverage of the war at https://example.com/hub").chrome,
            Chrome::Strong
        );
        assert_eq!(info("News").chrome, Chrome::Weak);
        assert_eq!(info("Home | World | Business | Sport").chrome, Chrome::Weak);
        assert_eq!(info("Reuter").chrome, Chrome::Strong);
        assert_eq!(
            info("Copyright 2008 The Associated Press. All rights reserved.").chrome,
            Chrome::Strong
        );
        assert!(info("Comments (12)").barrier);
        assert!(info("Leave a reply").barrier);
        assert_eq!(
            info("Facebook shares tumble after earnings").chrome,
            Chrome::No
        );
        assert_eq!(info("---").chrome, Chrome::Strong);
    }

    #[test]
    fn scores_favour_sentences() {
        let long = info(
            "Authorities said on Friday that the talks would continue next week in the capital, officials said.",
        );
        assert!(long.score >= 15);
        assert!(info("Latest headlines from our site team").score < 0);
        assert_eq!(info("2025-12-12 21:55 Last Updated At:22:00").score, 0);
    }
}
