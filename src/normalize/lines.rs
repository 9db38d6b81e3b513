//! Line units: the text is cut into chunks at blank lines, and each chunk
//! into units. A chunk's lines are separate units (scraped pages put one
//! page element per line: a headline, then the nav word `News`), except
//! where they are a hard-wrapped paragraph, which is re-joined.
//!
//! A line break is a wrap when the line is near the chunk's wrap width (the
//! longest line, between 40 and 120 columns), the next line's first word
//! would not have fitted on it (greedy wrapping), the next line is not
//! indented deeper (a new paragraph in wire copy) or a list item, and the
//! text runs on: the next line starts in lower case, the line ends in a
//! comma, hyphen or function word, or the chunk is three or more lines that
//! are mostly of wrap shape.

use super::text::{match_key, tidy};

/// One unit of text: the candidate for one block.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// Stored form ([`tidy`]).
    pub(crate) text: String,
    /// Match key ([`match_key`]).
    pub(crate) key: String,
    /// 1-based line where the unit starts.
    pub(crate) line: u32,
}

const MIN_WRAP: usize = 40;
const MAX_WRAP: usize = 120;

/// Words that never end a sentence: a line ending in one runs on.
const RUN_ON: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "but", "with", "by", "from",
    "at", "as", "that", "is", "was", "were", "are", "be", "his", "her", "their", "its", "which",
    "who", "than", "into", "said", "has", "had", "have", "will", "would", "not", "this", "these",
];

/// Cuts `text` into units in page order.
pub(crate) fn units(text: &str) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut chunk: Vec<(u32, &str)> = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            flush(&mut chunk, &mut out);
        } else {
            chunk.push((n, line));
        }
    }
    flush(&mut chunk, &mut out);
    out
}

fn flush(chunk: &mut Vec<(u32, &str)>, out: &mut Vec<Unit>) {
    if chunk.is_empty() {
        return;
    }
    let lines: Vec<&str> = chunk.iter().map(|&(_, l)| l).collect();
    let joins = wrap_joins(&lines);
    let mut start = 0;
    for i in 0..chunk.len() {
        let last = i + 1 == chunk.len();
        if last || !joins[i] {
            push_unit(&chunk[start..=i], out);
            start = i + 1;
        }
    }
    chunk.clear();
}

fn push_unit(lines: &[(u32, &str)], out: &mut Vec<Unit>) {
    let Some(&(line, _)) = lines.first() else {
        return;
    };
    let mut joined = String::new();
    for (_, l) in lines {
        let l = l.trim();
        let glue = joined.ends_with('-')
            && joined.chars().rev().nth(1).is_some_and(char::is_alphabetic)
            && l.chars().next().is_some_and(char::is_lowercase);
        if !joined.is_empty() && !glue {
            joined.push(' ');
        }
        joined.push_str(l);
    }
    let text = tidy(&joined);
    if text.is_empty() {
        return;
    }
    let key = match_key(&text);
    out.push(Unit { text, key, line });
}

fn width(l: &str) -> usize {
    l.trim_end().chars().count()
}

fn indent(l: &str) -> usize {
    l.chars().take_while(|c| c.is_whitespace()).count()
}

fn first_word_len(l: &str) -> usize {
    l.split_whitespace().next().map_or(0, |w| w.chars().count())
}

fn is_list_item(l: &str) -> bool {
    let t = l.trim_start();
    let mut cs = t.chars();
    match cs.next() {
        Some('-' | '*' | '•' | '·' | '–' | '—' | '>' | '|') => {
            cs.next().is_some_and(char::is_whitespace)
        }
        Some(c) if c.is_ascii_digit() => {
            let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
            rest.starts_with(". ") || rest.starts_with(") ")
        }
        _ => false,
    }
}

fn runs_on(line: &str, next: &str) -> bool {
    let line = line.trim_end();
    if next
        .trim_start()
        .chars()
        .next()
        .is_some_and(char::is_lowercase)
    {
        return true;
    }
    if line.ends_with([',', ';', '-', '‐', '–', '—', '(', '/', '&']) {
        return true;
    }
    let last = line.rsplit(char::is_whitespace).next().unwrap_or("");
    RUN_ON.iter().any(|w| last.eq_ignore_ascii_case(w))
}

/// For each line but the last: whether the break after it is a wrap.
fn wrap_joins(lines: &[&str]) -> Vec<bool> {
    let n = lines.len();
    let mut joins = vec![false; n];
    if n < 2 {
        return joins;
    }
    let w = lines.iter().map(|l| width(l)).max().unwrap_or(0);
    if !(MIN_WRAP..=MAX_WRAP).contains(&w) {
        return joins;
    }
    let base = lines.iter().map(|l| indent(l)).min().unwrap_or(0);
    let shape: Vec<bool> = (0..n - 1)
        .map(|i| {
            let len = width(lines[i]);
            let next = lines[i + 1];
            len * 10 >= w * 6
                && len >= 30
                && len + 1 + first_word_len(next) > w
                && indent(next) <= base
                && !is_list_item(next)
        })
        .collect();
    let fitting = shape.iter().filter(|&&s| s).count();
    let consistent = n >= 3 && fitting * 3 >= (n - 1) * 2;
    for i in 0..n - 1 {
        joins[i] = shape[i] && (consistent || runs_on(lines[i], lines[i + 1]));
    }
    joins
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<(u32, String)> {
        units(s).into_iter().map(|u| (u.line, u.text)).collect()
    }

    #[test]
    fn hard_wrapped_paragraphs_are_rejoined() {
        let s = "Title line\n\n    The company said it has developed a new generation of\nhigh-strength fibers which are stiffer and absorb less water than\nearlier ones, according to the statement. Output starts in\nSeptember.\n    A second paragraph begins here on an indented line and it\ncontinues on the next one.\n";
        let u = texts(s);
        assert_eq!(u.len(), 3, "{u:?}");
        assert_eq!(u[0], (1, "Title line".to_owned()));
        assert_eq!(u[1].0, 3);
        assert!(u[1].1.starts_with("The company said") && u[1].1.ends_with("in September."));
        assert_eq!(u[2].0, 7);
        assert!(u[2].1.ends_with("the next one."));
    }

    #[test]
    fn two_line_wrap_joins_on_lowercase_continuation() {
        let u =
            texts("The minister said on Friday that the talks would resume next\nweek in Geneva.");
        assert_eq!(u.len(), 1);
    }

    #[test]
    fn headline_and_nav_word_stay_apart() {
        let u = texts("A headline of a fair length that ends without punctuation West\nNews\n");
        assert_eq!(u.len(), 2);
        assert_eq!(u[1], (2, "News".to_owned()));
    }

    #[test]
    fn one_element_per_line_pages_are_not_joined() {
        let u = texts(
            "Home\nNews\nSport\nA long first paragraph that is written on one line only and runs far past the wrap width of any hard-wrapped text.\nSecond paragraph.",
        );
        assert_eq!(u.len(), 5);
    }

    #[test]
    fn list_items_stay_apart() {
        let u = texts(
            "These are the items that the committee listed in its report:\n- the first item which is long enough to look like a wrapped line\n- the second item",
        );
        assert_eq!(u.len(), 3);
    }
}
