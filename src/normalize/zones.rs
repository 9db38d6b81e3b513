//! Time zones a page may name (`EST`, `GMT+11`, `+05:30`) and the US
//! daylight-saving rule for zone names without it (`ET`).

/// A UTC offset as a page states it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Zone {
    /// A fixed offset in minutes.
    Fixed(i16),
    /// A US zone name without daylight information (`ET`): standard offset.
    Us(i16),
}

/// The offset of an ISO 8601 suffix (`Z`, `+05:30`, `-0800`).
pub(crate) fn iso_offset(z: &str) -> Option<Zone> {
    if z.eq_ignore_ascii_case("z") {
        return Some(Zone::Fixed(0));
    }
    let sign = if z.starts_with('-') { -1 } else { 1 };
    let digits: String = z.chars().filter(char::is_ascii_digit).collect();
    let h: i16 = digits.get(..2)?.parse().ok()?;
    let m: i16 = digits.get(2..4)?.parse().ok()?;
    (h <= 14 && m < 60).then_some(Zone::Fixed(sign * (h * 60 + m)))
}

/// The offset of a zone abbreviation (`EST`, `AEDT`); `ET`, `CT`, `MT`,
/// `PT` are resolved against the date by [`us_dst`].
pub(crate) fn zone_offset(name: &str) -> Option<Zone> {
    let fixed = |h: i16| Some(Zone::Fixed(h));
    match name.to_ascii_lowercase().as_str() {
        "utc" | "gmt" | "z" | "wet" => fixed(0),
        "est" | "cdt" => fixed(-300),
        "edt" => fixed(-240),
        "cst" | "mdt" => fixed(-360),
        "mst" | "pdt" => fixed(-420),
        "pst" => fixed(-480),
        "et" => Some(Zone::Us(-300)),
        "ct" => Some(Zone::Us(-360)),
        "mt" => Some(Zone::Us(-420)),
        "pt" => Some(Zone::Us(-480)),
        "bst" | "cet" | "west" => fixed(60),
        "cest" | "eet" | "sast" => fixed(120),
        "eest" | "msk" => fixed(180),
        "ist" => fixed(330),
        "hkt" | "sgt" | "awst" => fixed(480),
        "jst" | "kst" => fixed(540),
        "acst" => fixed(570),
        "aest" => fixed(600),
        "acdt" => fixed(630),
        "aedt" => fixed(660),
        "nzst" => fixed(720),
        "nzdt" => fixed(780),
        _ => None,
    }
}

/// Day of week, 0 = Sunday (Sakamoto).
pub(crate) fn weekday(y: i32, m: u8, d: u8) -> i32 {
    const T: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    (y + y / 4 - y / 100 + y / 400 + T[usize::from(m - 1)] + i32::from(d)).rem_euclid(7)
}

/// US daylight saving time (2007 rules): second Sunday of March to first
/// Sunday of November.
pub(crate) fn us_dst(y: i32, m: u8, d: u8) -> bool {
    let nth_sunday = |month: u8, n: i32| {
        let first = weekday(y, month, 1);
        1 + (7 - first) % 7 + 7 * (n - 1)
    };
    match m {
        4..=10 => true,
        3 => i32::from(d) >= nth_sunday(3, 2),
        11 => i32::from(d) < nth_sunday(11, 1),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_and_dst() {
        assert_eq!(weekday(2025, 12, 12), 5);
        assert!(us_dst(2025, 3, 9));
        assert!(!us_dst(2025, 3, 8));
        assert!(!us_dst(2025, 11, 2));
        assert!(us_dst(2025, 11, 1));
    }
}
