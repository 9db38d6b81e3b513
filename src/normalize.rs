//! Normalization and segmentation: decoded text to stories of typed blocks.
//! Pure: the same text always gives the same [`Parsed`].
//!
//! PLACEHOLDER: the rule-based segmenter is being written; the contract
//! below (`normalize`, `match_key`, `tidy`) is stable.

use crate::model::{Block, BlockKind, Parsed, Reason, Rejection, Story};

/// Splits decoded text into stories and typed blocks.
///
/// # Errors
/// A [`Rejection`] (stage `normalize`, reason `no_content`) when no story
/// body is found.
pub fn normalize(text: &str) -> Result<Parsed, Rejection> {
    let mut blocks = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut repeats = 0;
    for (i, chunk) in text.split("\n\n").enumerate() {
        let t = tidy(chunk);
        if t.is_empty() {
            continue;
        }
        let key = match_key(&t);
        if !seen.insert(key.clone()) {
            repeats += 1;
            continue;
        }
        let kind = if blocks.is_empty() {
            BlockKind::Title
        } else {
            BlockKind::Paragraph
        };
        blocks.push(Block {
            kind,
            text: t,
            key,
            line: u32::try_from(i).unwrap_or(u32::MAX) + 1,
        });
    }
    if !blocks.iter().any(|b| b.kind == BlockKind::Paragraph) {
        return Err(Rejection::new(
            "normalize",
            Reason::NoContent,
            "no story body found",
        ));
    }
    let title = blocks.first().map(|b| b.text.clone());
    Ok(Parsed {
        stories: vec![Story {
            title,
            title_inferred: false,
            published: None,
            updated: None,
            dateline: None,
            byline: None,
            blocks,
        }],
        boilerplate: 0,
        repeats_dropped: repeats,
    })
}

/// The stored form of a text: whitespace runs collapsed, trimmed.
#[must_use]
pub fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The match key hashing sees.
#[must_use]
pub fn match_key(s: &str) -> String {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
