//! Timestamps read from a page: `2025-12-12 21:55 Last Updated At:22:00`,
//! `Dec. 12, 2025`, `December 12, 2025 9:55 PM ET`, `Updated 10:05 a.m. EST
//! Jan 3, 2008`, `15:43 - 13th, Jan 2008`, `14 hours ago`, ...
//!
//! No clock is read: relative times (`2 hours ago`) mark a timestamp block
//! but give no [`PageTime`]. A date without a time is read as midnight.

use super::zones::{Zone, iso_offset, us_dst, zone_offset};
use crate::model::PageTime;
use regex::Regex;
use std::sync::LazyLock;

/// The times a timestamp line gives: published (the first date/time) and
/// updated (the date/time after an `updated` / `modified` keyword; a bare
/// time there takes the published date).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(crate) published: Option<PageTime>,
    pub(crate) updated: Option<PageTime>,
}

const MONTH: &str = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
const ZONE: &str = r"(utc|gmt|z|est|edt|cst|cdt|mst|mdt|pst|pdt|et|ct|mt|pt|bst|cet|cest|eet|eest|wet|west|msk|ist|jst|kst|hkt|sgt|aedt|aest|acdt|acst|awst|nzdt|nzst|sast)";

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(z|[+-]\d{2}:?\d{2})?)?(?-u:\b)")
        .expect("BUG: ISO regex")
});
static YMD_SLASH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(\d{4})/(\d{1,2})/(\d{1,2})(?-u:\b)").expect("BUG: y/m/d regex")
});
static DMY_NUM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(\d{1,2})([/.])(\d{1,2})[/.](\d{4})(?-u:\b)").expect("BUG: d/m/y regex")
});
static MDY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b){MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?-u:\b)"
    ))
    .expect("BUG: month-day-year regex")
});
static DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?:of\s+)?{MONTH},?\s+(\d{{4}})(?-u:\b)"
    ))
    .expect("BUG: day-month-year regex")
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(\d{{1,2}})(?::(\d{{2}})(?::(\d{{2}}))?\s*(a\.?m(?-u:\b)\.?|p\.?m(?-u:\b)\.?)?|\s*(a\.m\.|p\.m\.|am(?-u:\b)|pm(?-u:\b)))(?:\s*\(?{ZONE}(?-u:\b)(?:\s*([+-])\s*(\d{{1,2}})(?::?(\d{{2}}))?)?\)?)?"
    ))
    .expect("BUG: time regex")
});
static UPDATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:last\s+)?(?:updated?|modified|edited|revised)(?-u:\b)")
        .expect("BUG: updated regex")
});
static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:\d+|an?|one)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago(?-u:\b)")
        .expect("BUG: relative regex")
});
/// Words that may stand next to a date in a timestamp line.
static FILLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:published|posted|updated?|last|at|on|date|time|first|modified|created|edited|revised|the|of|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|times?|all|local|hrs?|ist|ago|and|am|pm|a\.m\.|p\.m\.)$")
        .expect("BUG: filler regex")
});

#[derive(Debug, Clone, Copy)]
struct Time {
    hour: u8,
    minute: u8,
    second: u8,
    offset: Option<Zone>,
}

/// A byte range `start..end` of the text.
type Span = (usize, usize);

#[derive(Debug, Clone, Copy)]
enum Event {
    Date(i32, u8, u8, Option<Time>),
    Time(Time),
    Updated,
}

/// Every date, time and `updated` keyword in `s`, in order, with the byte
/// spans they cover.
fn events(s: &str) -> (Vec<(usize, Event)>, Vec<Span>) {
    let mut ev = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let taken = |a: usize, b: usize, spans: &mut Vec<(usize, usize)>| {
        if spans.iter().any(|&(x, y)| a < y && x < b) {
            return true;
        }
        spans.push((a, b));
        false
    };
    for c in ISO
        .is_match(s)
        .then(|| ISO.captures_iter(s))
        .into_iter()
        .flatten()
    {
        let m = c.get(0).expect("BUG: group 0");
        let (Some(y), Some(mo), Some(d)) = (num(&c, 1), num(&c, 2), num(&c, 3)) else {
            continue;
        };
        let time = match (num(&c, 4), num(&c, 5)) {
            (Some(h), Some(mi)) => Some(Time {
                hour: h as u8,
                minute: mi as u8,
                second: num(&c, 6).unwrap_or(0) as u8,
                offset: c.get(7).and_then(|z| iso_offset(z.as_str())),
            }),
            _ => None,
        };
        if valid_date(y, mo, d) && !taken(m.start(), m.end(), &mut spans) {
            ev.push((m.start(), Event::Date(y, mo as u8, d as u8, time)));
        }
    }
    for c in YMD_SLASH
        .is_match(s)
        .then(|| YMD_SLASH.captures_iter(s))
        .into_iter()
        .flatten()
    {
        let m = c.get(0).expect("BUG: group 0");
        let (Some(y), Some(mo), Some(d)) = (num(&c, 1), num(&c, 2), num(&c, 3)) else {
            continue;
        };
        if valid_date(y, mo, d) && !taken(m.start(), m.end(), &mut spans) {
            ev.push((m.start(), Event::Date(y, mo as u8, d as u8, None)));
        }
    }
    for c in DMY_NUM
        .is_match(s)
        .then(|| DMY_NUM.captures_iter(s))
        .into_iter()
        .flatten()
    {
        let m = c.get(0).expect("BUG: group 0");
        let (Some(a), Some(b), Some(y)) = (num(&c, 1), num(&c, 3), num(&c, 4)) else {
            continue;
        };
        // `1/31/2008` is American; `31.1.2008` and `31/1/2008` are not.
        let us = c.get(2).is_some_and(|m| m.as_str() == "/") && a <= 12;
        let (mo, d) = if us { (a, b) } else { (b, a) };
        if valid_date(y, mo, d) && !taken(m.start(), m.end(), &mut spans) {
            ev.push((m.start(), Event::Date(y, mo as u8, d as u8, None)));
        }
    }
    for (re, mi, di, yi) in [(&*MDY, 1, 2, 3), (&*DMY, 2, 1, 3)] {
        // `is_match` runs on the fast engine; captures only on a hit.
        for c in re
            .is_match(s)
            .then(|| re.captures_iter(s))
            .into_iter()
            .flatten()
        {
            let m = c.get(0).expect("BUG: group 0");
            let mo = c.get(mi).map_or(0, |m| month(m.as_str()));
            let (Some(d), Some(y)) = (num(&c, di), num(&c, yi)) else {
                continue;
            };
            if valid_date(y, mo, d) && !taken(m.start(), m.end(), &mut spans) {
                ev.push((m.start(), Event::Date(y, mo as u8, d as u8, None)));
            }
        }
    }
    for c in TIME
        .is_match(s)
        .then(|| TIME.captures_iter(s))
        .into_iter()
        .flatten()
    {
        let m = c.get(0).expect("BUG: group 0");
        if let Some(t) = time_of(&c)
            && !taken(m.start(), m.end(), &mut spans)
        {
            ev.push((m.start(), Event::Time(t)));
        }
    }
    for m in UPDATED.find_iter(s) {
        ev.push((m.start(), Event::Updated));
        spans.push((m.start(), m.end()));
    }
    for m in RELATIVE.find_iter(s) {
        spans.push((m.start(), m.end()));
    }
    ev.sort_by_key(|&(p, _)| p);
    (ev, spans)
}

fn num(c: &regex::Captures<'_>, i: usize) -> Option<i32> {
    c.get(i).and_then(|m| m.as_str().parse().ok())
}

fn month(s: &str) -> i32 {
    let s = s.to_ascii_lowercase();
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    NAMES
        .iter()
        .position(|n| s.starts_with(n))
        .map_or(0, |i| i as i32 + 1)
}

fn valid_date(y: i32, m: i32, d: i32) -> bool {
    (1900..=2100).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn time_of(c: &regex::Captures<'_>) -> Option<Time> {
    let mut hour = num(c, 1)?;
    let minute = num(c, 2).unwrap_or(0);
    let second = num(c, 3).unwrap_or(0);
    let ampm = c
        .get(4)
        .or_else(|| c.get(5))
        .map(|m| m.as_str().to_ascii_lowercase());
    if c.get(2).is_none() && ampm.is_none() {
        return None;
    }
    if let Some(ap) = ampm {
        if !(1..=12).contains(&hour) {
            return None;
        }
        let pm = ap.starts_with('p');
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut offset = c.get(6).and_then(|z| zone_offset(z.as_str()));
    if let (Some(Zone::Fixed(base)), Some(sign), Some(h)) = (offset, c.get(7), num(c, 8)) {
        let m = num(c, 9).unwrap_or(0);
        let delta = (h * 60 + m) as i16;
        if h <= 14 && m < 60 {
            offset = Some(Zone::Fixed(
                base + if sign.as_str() == "-" { -delta } else { delta },
            ));
        }
    }
    Some(Time {
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        offset,
    })
}

fn page_time(date: (i32, u8, u8), t: Option<Time>) -> PageTime {
    let (year, month, day) = date;
    let t = t.unwrap_or(Time {
        hour: 0,
        minute: 0,
        second: 0,
        offset: None,
    });
    let offset_minutes = t.offset.map(|z| match z {
        Zone::Fixed(m) => m,
        Zone::Us(m) if us_dst(year, month, day) => m + 60,
        Zone::Us(m) => m,
    });
    PageTime {
        year,
        month,
        day,
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        offset_minutes,
    }
}

/// The published / updated times found anywhere in `s`.
pub(crate) fn times_in(s: &str) -> Stamp {
    let (ev, _) = events(s);
    let split = ev.iter().position(|(_, e)| matches!(e, Event::Updated));
    let (before, after) = ev.split_at(split.unwrap_or(ev.len()));
    let part = |evs: &[(usize, Event)], fallback: Option<(i32, u8, u8)>| {
        let mut date = None;
        let mut time = None;
        for (_, e) in evs {
            match *e {
                Event::Date(y, m, d, t) if date.is_none() => {
                    date = Some((y, m, d));
                    if t.is_some() {
                        time = t;
                    }
                }
                Event::Time(t) if time.is_none() => time = Some(t),
                _ => {}
            }
        }
        let date = date.or(if time.is_some() { fallback } else { None })?;
        Some((date, time))
    };
    let published = part(before, None);
    let updated = part(after, published.map(|(d, _)| d));
    Stamp {
        published: published.map(|(d, t)| page_time(d, t)),
        updated: updated.map(|(d, t)| page_time(d, t)),
    }
}

/// `Some` when `s` is a timestamp line: a date, time or relative time with
/// at most a few other words (`Published`, weekday names, an agency or
/// site name). Running text that merely mentions a date is not one.
pub(crate) fn timestamp_line(s: &str) -> Option<Stamp> {
    // Every date and time has a digit; a relative time says `ago`.
    if s.len() > 160 || !(s.bytes().any(|b| b.is_ascii_digit()) || s.contains("ago")) {
        return None;
    }
    let (ev, spans) = events(s);
    let has_time = ev.iter().any(|(_, e)| !matches!(e, Event::Updated));
    let relative = RELATIVE.is_match(s);
    if !has_time && !relative {
        return None;
    }
    let mut rest = String::with_capacity(s.len());
    let mut last = 0;
    let mut sorted = spans;
    sorted.sort_unstable();
    for (a, b) in sorted {
        if a >= last {
            rest.push_str(&s[last..a]);
            rest.push(' ');
            last = b;
        } else if b > last {
            last = b;
        }
    }
    rest.push_str(&s[last.min(s.len())..]);
    let other = rest
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    ',' | '|' | '-' | '—' | '–' | ':' | '(' | ')' | '/' | '•' | '·'
                )
        })
        .filter(|w| w.chars().any(char::is_alphanumeric) && !FILLER.is_match(w.trim_matches('.')))
        .count();
    let sentence = s.trim_end().ends_with('.') && !s.trim_end().ends_with("m.");
    if other > 4 || (sentence && other > 1) {
        return None;
    }
    Some(times_in(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(t: Option<PageTime>) -> Option<String> {
        t.map(|t| t.to_rfc3339())
    }

    #[test]
    fn seed_style_published_and_updated() {
        let s = timestamp_line("2025-12-12 21:55 Last Updated At:22:00").expect("stamp");
        assert_eq!(rfc(s.published).as_deref(), Some("2025-12-12T21:55:00"));
        assert_eq!(rfc(s.updated).as_deref(), Some("2025-12-12T22:00:00"));
    }

    #[test]
    fn common_formats() {
        let one = |s: &str| rfc(timestamp_line(s).expect(s).published);
        assert_eq!(
            one("2008-01-03T10:05:00Z").as_deref(),
            Some("2008-01-03T10:05:00Z")
        );
        assert_eq!(
            one("2019-11-18T23:03:00+05:30").as_deref(),
            Some("2019-11-18T23:03:00+05:30")
        );
        assert_eq!(one("Dec. 12, 2025").as_deref(), Some("2025-12-12T00:00:00"));
        assert_eq!(
            one("December 12, 2025 9:55 PM ET").as_deref(),
            Some("2025-12-12T21:55:00-05:00")
        );
        assert_eq!(
            one("July 4, 2025 9:55 PM ET").as_deref(),
            Some("2025-07-04T21:55:00-04:00")
        );
        assert_eq!(
            one("15:43 - 13th, Jan 2008").as_deref(),
            Some("2008-01-13T15:43:00")
        );
        assert_eq!(
            one("January 08, 2008 12:00am").as_deref(),
            Some("2008-01-08T00:00:00")
        );
        assert_eq!(
            one("Wednesday, January 09, 2008").as_deref(),
            Some("2008-01-09T00:00:00")
        );
        assert_eq!(
            one("16 January 2008 –").as_deref(),
            Some("2008-01-16T00:00:00")
        );
        assert_eq!(
            one("www.chinaview.cn 2007-11-24 16:23:08").as_deref(),
            Some("2007-11-24T16:23:08")
        );
        let m = timestamp_line("Last Modified: Sat Jan 05 2008 11:30 GMT+11").expect("modified");
        assert_eq!(m.published, None);
        assert_eq!(rfc(m.updated).as_deref(), Some("2008-01-05T11:30:00+11:00"));
        assert!(
            timestamp_line("SALVADOR, Feb 26").is_none(),
            "no year, no date"
        );
    }

    #[test]
    fn updated_only() {
        let s = timestamp_line("Updated 10:05 a.m. EST Jan 3, 2008").expect("stamp");
        assert_eq!(s.published, None);
        assert_eq!(rfc(s.updated).as_deref(), Some("2008-01-03T10:05:00-05:00"));
    }

    #[test]
    fn relative_times_are_timestamps_without_a_time() {
        let s = timestamp_line("14 hours ago").expect("stamp");
        assert_eq!(s, Stamp::default());
    }

    #[test]
    fn running_text_is_not_a_timestamp() {
        assert!(timestamp_line("On Jan. 3, 2008, the minister resigned after a vote.").is_none());
        assert!(timestamp_line("The meeting in Minsk, Belarus, Friday, Dec. 12, 2025, ended early without a deal being reached.").is_none());
        assert!(timestamp_line("Lukashenko won a seventh term").is_none());
    }
}
