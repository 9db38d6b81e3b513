//! Story rules: which unit is the headline and each story's metadata (the
//! body itself is found in [`body`](super::body), second stories in
//! [`split`](super::split)).
//!
//! * Title: the best title-like unit before the body (repeated on the page,
//!   sharing words with the first paragraphs, close to the body, first in
//!   the file), else one inferred from the first paragraph.

use super::classify::{Chrome, Info, Pattern};
use super::lines::Unit;
use crate::model::{Block, BlockKind, PageTime, Story};

/// The longest inferred title, in characters.
const MAX_INFERRED_TITLE: usize = 110;

/// Content words of a text (lower case, three letters or more, not a
/// function word), for title/body overlap.
fn content_words(key: &str) -> impl Iterator<Item = &str> {
    const STOP: &[&str] = &[
        "the", "and", "for", "with", "from", "that", "this", "has", "have", "had", "was", "were",
        "are", "his", "her", "its", "their", "will", "would", "said", "says", "after", "over",
        "into", "than", "but", "not", "who", "what", "new", "more",
    ];
    key.split(' ')
        .filter(|w| w.chars().count() >= 3 && !STOP.contains(w))
}

/// Picks the headline: the index of the best title-like unit before the
/// first body paragraph (or that paragraph itself when it reads as a
/// headline), or `None`.
pub(crate) fn pick_title(
    units: &[Unit],
    infos: &[Info],
    kinds: &[BlockKind],
    repeats: &[u32],
) -> Option<usize> {
    let first = kinds.iter().position(|&k| k == BlockKind::Paragraph)?;
    let next_body = kinds[first + 1..]
        .iter()
        .position(|&k| k == BlockKind::Paragraph)
        .map(|j| first + 1 + j);
    // The first body unit may itself be the headline: shaped like one, and
    // followed by a longer paragraph (or first in the file and short).
    let first_is_headline = next_body.is_some_and(|j| {
        let (text, words) = (&units[first].text, infos[first].words);
        words <= 30
            && infos[first].dateline.is_none()
            && ((first == 0 && words <= 20)
                || ((!text.ends_with('.') || text.ends_with("...") || first == 0)
                    && infos[j].words > words))
    });
    let mut body_words: Vec<&str> = Vec::new();
    let from = if first_is_headline {
        next_body.unwrap_or(first)
    } else {
        first
    };
    for (i, _) in kinds
        .iter()
        .enumerate()
        .skip(from)
        .filter(|(_, k)| **k == BlockKind::Paragraph)
        .take(3)
    {
        body_words.extend(content_words(&units[i].key));
    }
    let last = if first_is_headline { first + 1 } else { first };
    let mut best: Option<(usize, f64)> = None;
    for i in 0..last {
        let info = &infos[i];
        let ok_kind = matches!(kinds[i], BlockKind::Boilerplate | BlockKind::Paragraph);
        if !ok_kind || info.chrome == Chrome::Strong || info.pattern != Pattern::Plain {
            continue;
        }
        if info.words < 2 || info.words > 30 || units[i].text.ends_with(':') {
            continue;
        }
        let mut overlap = 0usize;
        let mut seen: Vec<&str> = Vec::new();
        for w in content_words(&units[i].key) {
            if !seen.contains(&w) && body_words.contains(&w) {
                overlap += 1;
            }
            seen.push(w);
        }
        #[allow(clippy::cast_precision_loss)]
        let mut score = 1.0 + 1.5 * overlap.min(4) as f64 - 0.25 * (first - i).min(20) as f64;
        if repeats[i] > 1 {
            score += 3.0;
        }
        if i == 0 {
            score += 3.0;
        } else if i == first {
            // Scored as body: a headline only when nothing else is.
            score -= 1.5;
        }
        if (4..=20).contains(&info.words) {
            score += 1.0;
        }
        if info.chrome == Chrome::Weak {
            score -= 3.0;
        }
        if units[i].text.ends_with('.') && !units[i].text.ends_with("...") {
            score -= 2.0;
        }
        if score > 0.0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

/// Plain units of eight words or more between the headline and the first
/// paragraph are the story's standfirst (dek): body, not chrome.
pub(crate) fn promote_deks(infos: &[Info], kinds: &mut [BlockKind], title: usize) {
    let Some(first) = kinds.iter().position(|&k| k == BlockKind::Paragraph) else {
        return;
    };
    for i in title + 1..first {
        let info = &infos[i];
        if kinds[i] == BlockKind::Boilerplate
            && info.chrome == Chrome::No
            && info.pattern == Pattern::Plain
            && info.words >= 8
        {
            kinds[i] = BlockKind::Paragraph;
        }
    }
}

/// Builds one story from its blocks.
pub(crate) fn story(
    blocks: Vec<Block>,
    infos: &[Info],
    title: Option<usize>,
    first_index: usize,
) -> Story {
    let mut published: Option<PageTime> = None;
    let mut updated: Option<PageTime> = None;
    let mut dateline: Option<String> = None;
    let mut byline: Option<String> = None;
    for (j, b) in blocks.iter().enumerate() {
        let info = &infos[first_index + j];
        match (b.kind, info.pattern) {
            (BlockKind::Timestamp, Pattern::Timestamp(s)) => {
                published = published.or(s.published);
                updated = updated.or(s.updated);
            }
            (BlockKind::Byline, _) if byline.is_none() => byline = Some(b.text.clone()),
            (BlockKind::Dateline, _) if dateline.is_none() => dateline = Some(b.text.clone()),
            (BlockKind::Paragraph, _) if dateline.is_none() => dateline.clone_from(&info.dateline),
            _ => {}
        }
    }
    if published.is_none()
        && updated.is_none()
        && let Some(b) = blocks.iter().find(|b| b.kind == BlockKind::Byline)
    {
        let s = super::time::times_in(&b.text);
        published = s.published;
        updated = s.updated;
    }
    let (title, title_inferred) = match title {
        Some(i) => (Some(blocks[i - first_index].text.clone()), false),
        None => {
            let first = blocks
                .iter()
                .enumerate()
                .find(|(_, b)| b.kind == BlockKind::Paragraph);
            let inferred = first
                .map(|(j, b)| infer_title(&b.text, infos[first_index + j].dateline.as_deref()));
            (inferred.filter(|t| !t.is_empty()), true)
        }
    };
    Story {
        title_inferred: title_inferred && title.is_some(),
        title,
        published,
        updated,
        dateline,
        byline,
        url: None,
        site: None,
        blocks,
    }
}

/// A title from a first paragraph: the dateline dropped, the first
/// sentence, cut at a clause or word boundary when long (with `…`).
pub(crate) fn infer_title(paragraph: &str, dateline: Option<&str>) -> String {
    let text = dateline
        .and_then(|d| paragraph.strip_prefix(d))
        .unwrap_or(paragraph)
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '—' | '–' | ':'));
    let sentence = first_sentence(text);
    if sentence.chars().count() <= MAX_INFERRED_TITLE {
        return sentence.trim_end_matches(['.', ' ']).to_owned();
    }
    let cut = sentence
        .char_indices()
        .nth(MAX_INFERRED_TITLE)
        .map_or(sentence.len(), |(b, _)| b);
    let head = &sentence[..cut];
    let clause = [", ", " — ", " – ", "; ", " ("]
        .iter()
        .filter_map(|p| head.rfind(p))
        .filter(|&p| p >= 40)
        .max();
    let end = clause.or_else(|| head.rfind(' ')).unwrap_or(head.len());
    format!("{}…", head[..end].trim_end_matches([',', ';', ' ']))
}

/// The first sentence: up to the first `. `, `? ` or `! ` that is not
/// after an abbreviation (`U.S.`, `Mr.`, `Dec.`) and is followed by a
/// capital or a quote.
fn first_sentence(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if !matches!(c, '.' | '?' | '!') || bytes.get(i + 1) != Some(&b' ') {
            continue;
        }
        let next = text[i + 2..].chars().next();
        if !next.is_some_and(|n| n.is_uppercase() || matches!(n, '"' | '“' | '‘' | '\'')) {
            continue;
        }
        let word = text[..i].rsplit(' ').next().unwrap_or("");
        let abbreviation = c == '.'
            && (word.len() <= 3 && word.starts_with(char::is_uppercase) || word.contains('.'));
        if !abbreviation {
            return &text[..=i];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inferred_titles_cut_at_sentence_and_clause() {
        assert_eq!(
            infer_title(
                "WASHINGTON — The U.S. Senate voted. Then it left.",
                Some("WASHINGTON —")
            ),
            "The U.S. Senate voted"
        );
        let long = "A senior official says that the police and the guard will remain in the eastern region to oversee it, even if a peace settlement ends the war — a possibility likely to be rejected.";
        let t = infer_title(long, None);
        assert!(
            t.ends_with('…') && t.chars().count() <= MAX_INFERRED_TITLE + 1,
            "{t}"
        );
        assert!(t.starts_with("A senior official says"));
        assert_eq!(
            infer_title("Mr. Smith met Gov. Jones on Dec. 12. They talked.", None),
            "Mr. Smith met Gov. Jones on Dec. 12"
        );
    }
}
