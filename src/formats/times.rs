//! Machine-readable times from page metadata and crawler records:
//! ISO 8601 / RFC 3339 (`2019-11-19T18:00:07.000Z`, `2019-11-19 18:00`,
//! `2019-11-19`), RFC 2822 (`Tue, 19 Nov 2019 18:00:07 GMT`), `Nov 19,
//! 2019`, and Unix epochs (seconds or milliseconds) in JSON.
//!
//! Human timestamp lines in the text are the normalizer's job; these are
//! the values of `datetime=`, `content=` and JSON fields. A value outside
//! 1900-2200 (placeholders such as `0001-01-01`) is treated as absent.

use crate::model::PageTime;
use regex::Regex;
use std::sync::LazyLock;

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:(?:T|\s+|T\s*)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?")
        .expect("BUG: ISO time regex")
});
static RFC2822: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:[a-z]{3,9},?\s+)?(\d{1,2})\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(gmt|utc|z|[+-]\d{4})?)?")
        .expect("BUG: RFC 2822 regex")
});
static MDY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:[a-z]{3,9},?\s+)?([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?")
        .expect("BUG: month-day-year regex")
});

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parses a metadata time value.
#[must_use]
pub fn parse_time(s: &str) -> Option<PageTime> {
    if let Some(c) = ISO.captures(s) {
        let zone = c.get(7).map(|m| m.as_str());
        return build(num(&c, 1)?, num(&c, 2)?, num(&c, 3)?, &c, 4, zone);
    }
    if let Some(c) = RFC2822.captures(s) {
        let month = month(c.get(2)?.as_str())?;
        let zone = c.get(7).map(|m| m.as_str());
        return build(num(&c, 3)?, month, num(&c, 1)?, &c, 4, zone);
    }
    if let Some(c) = MDY.captures(s) {
        let month = month(c.get(1)?.as_str())?;
        let mut t = build(num(&c, 3)?, month, num(&c, 2)?, &c, 4, None)?;
        if let Some(ap) = c.get(7) {
            let pm = ap.as_str().starts_with(['p', 'P']);
            if t.hour > 12 {
                return None;
            }
            t.hour = match (pm, t.hour) {
                (false, 12) => 0,
                (true, h) if h < 12 => h + 12,
                (_, h) => h,
            };
        }
        return Some(t);
    }
    None
}

/// A Unix time in seconds, or milliseconds when it is too large to be
/// seconds, as a UTC [`PageTime`].
#[must_use]
pub fn from_epoch(v: i64) -> Option<PageTime> {
    let secs = if v.unsigned_abs() >= 100_000_000_000 {
        v / 1000
    } else {
        v
    };
    let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    in_range(PageTime {
        year: t.year(),
        month: u8::from(t.month()),
        day: t.day(),
        hour: t.hour(),
        minute: t.minute(),
        second: t.second(),
        offset_minutes: Some(0),
    })
}

fn num(c: &regex::Captures<'_>, i: usize) -> Option<u32> {
    c.get(i)?.as_str().parse().ok()
}

fn month(s: &str) -> Option<u32> {
    let s = s.get(..3)?.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == s)
        .and_then(|p| u32::try_from(p + 1).ok())
}

fn build(
    y: u32,
    mo: u32,
    d: u32,
    c: &regex::Captures<'_>,
    at: usize,
    zone: Option<&str>,
) -> Option<PageTime> {
    let (hour, minute, second) = match (num(c, at), num(c, at + 1)) {
        (Some(h), Some(m)) => (h, m, num(c, at + 2).unwrap_or(0).min(59)),
        _ => (0, 0, 0),
    };
    if hour > 23 || minute > 59 {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(mo).ok()?).ok()?;
    let year = i32::try_from(y).ok()?;
    time::Date::from_calendar_date(year, month, u8::try_from(d).ok()?).ok()?;
    in_range(PageTime {
        year,
        month: u8::try_from(mo).ok()?,
        day: u8::try_from(d).ok()?,
        hour: u8::try_from(hour).ok()?,
        minute: u8::try_from(minute).ok()?,
        second: u8::try_from(second).ok()?,
        offset_minutes: zone.and_then(offset),
    })
}

fn in_range(t: PageTime) -> Option<PageTime> {
    (1900..=2200).contains(&t.year).then_some(t)
}

/// `Z`, `UTC`, `+05:30`, `-0800`, `+02` as minutes east of UTC.
fn offset(z: &str) -> Option<i16> {
    if z.eq_ignore_ascii_case("z") || z.eq_ignore_ascii_case("utc") || z.eq_ignore_ascii_case("gmt")
    {
        return Some(0);
    }
    let sign: i16 = if z.starts_with('-') { -1 } else { 1 };
    let digits: String = z.chars().filter(char::is_ascii_digit).collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i16>().ok()?, 0),
        4 => (
            digits[..2].parse::<i16>().ok()?,
            digits[2..].parse::<i16>().ok()?,
        ),
        _ => return None,
    };
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(s: &str) -> Option<String> {
        parse_time(s).map(|t| t.to_rfc3339())
    }

    #[test]
    fn iso_forms() {
        assert_eq!(
            rfc("2019-11-19T18:00:07.000Z").as_deref(),
            Some("2019-11-19T18:00:07Z")
        );
        assert_eq!(
            rfc("2019-11-19T18:00:07+0530").as_deref(),
            Some("2019-11-19T18:00:07+05:30")
        );
        assert_eq!(
            rfc("2019-11-19 18:00 -05:00").as_deref(),
            Some("2019-11-19T18:00:00-05:00")
        );
        assert_eq!(rfc("2019-11-19").as_deref(), Some("2019-11-19T00:00:00"));
        assert_eq!(rfc("0001-01-01T00:00:00"), None);
        assert_eq!(rfc("2019-02-30"), None);
        assert_eq!(rfc("yesterday"), None);
    }

    #[test]
    fn rfc2822_and_month_names() {
        assert_eq!(
            rfc("Tue, 19 Nov 2019 18:00:07 GMT").as_deref(),
            Some("2019-11-19T18:00:07Z")
        );
        assert_eq!(
            rfc("Nov. 19, 2019 6:05 pm").as_deref(),
            Some("2019-11-19T18:05:00")
        );
        assert_eq!(
            rfc("January 3, 2008").as_deref(),
            Some("2008-01-03T00:00:00")
        );
    }

    #[test]
    fn epochs() {
        assert_eq!(
            from_epoch(1_574_186_407).map(|t| t.to_rfc3339()).as_deref(),
            Some("2019-11-19T18:00:07Z")
        );
        assert_eq!(
            from_epoch(1_574_186_407_000)
                .map(|t| t.to_rfc3339())
                .as_deref(),
            Some("2019-11-19T18:00:07Z")
        );
    }
}
