//! Where a second story starts on a page.
//!
//! Crawlers glue stories together: a "next article" appended under the
//! main one, often with nothing between them. The one signal every such
//! page shares is a **dateline-led paragraph after the first paragraph of
//! a story** (`CITY (Agency) —`). Single-story pages have those too (a
//! round-up of briefs, a live blog, a quoted wire line), so a candidate
//! is weighed:
//!
//! * **Size.** The story before has a body (three paragraphs, 60 words)
//!   and the story after is more than a line (two paragraphs, 40 words;
//!   20 when a caption, credit or chrome opens or closes it).
//! * **Page shape vetoes.** A round-up (three or more dated leads, on
//!   average two paragraphs or fewer each) and a live blog (two or more
//!   timestamps between paragraphs) are one page of many short items, not
//!   a glued story: no split.
//! * **Evidence** that a story ended: a caption, credit or chrome between
//!   the last paragraph and the dateline; a headline, byline or timestamp
//!   heading the dated paragraph; or the story before has its own
//!   dateline (a story has one).
//! * **Subject.** The topic words (subject words said twice or more) of the
//!   story so far against the words from the dated paragraph on, and the
//!   other way round: a part on the same subject continues the story. A
//!   split needs a topic overlap below [`CLOSED_SUBJECT`] after a closing
//!   caption or credit, below [`SAME_SUBJECT`] with other evidence, and
//!   below [`NEW_SUBJECT`] with none.

use super::classify::{Info, ends_sentence};
use super::lines::Unit;
use crate::model::BlockKind;
use std::collections::HashSet;
use std::sync::LazyLock;

/// A story must have this many paragraphs before a dateline paragraph
/// can start the next one.
const MIN_BEFORE_PARAGRAPHS: usize = 3;
/// ... and this many words in them.
const MIN_BEFORE_WORDS: usize = 60;
/// The story after must have this many paragraphs ...
const MIN_AFTER_PARAGRAPHS: usize = 2;
/// ... and this many words (or [`MIN_AFTER_WORDS_CLOSED`] when a caption,
/// credit or chrome closes it).
const MIN_AFTER_WORDS: usize = 40;
const MIN_AFTER_WORDS_CLOSED: usize = 20;
/// When a caption, credit or chrome closes the story before, the part
/// after continues it only when their topic overlap (see
/// [`new_subject`]) reaches this: stories glued after a caption are often
/// on a neighbouring subject (the same war, the same market).
const CLOSED_SUBJECT: f64 = 0.35;
/// With other evidence of a story end, the part after continues the story
/// when their topic overlap reaches this.
const SAME_SUBJECT: f64 = 0.25;
/// Without evidence, the part after starts a story only when their topic
/// overlap is below this.
const NEW_SUBJECT: f64 = 0.20;
/// An undated lead under a headline has at least this many words.
const MIN_LEAD_WORDS: usize = 15;
/// How many paragraphs from the dated one on give the new story's subject.
const AFTER_PARAGRAPHS: usize = 8;

/// English stop words (the ISO list), for subject words.
static STOP: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| stop_words::get("en").iter().copied().collect());

/// Subject words of a match key: four letters or more, not a stop word,
/// not a number.
pub(crate) fn subject_words(key: &str) -> impl Iterator<Item = &str> {
    key.split(' ').filter(|w| {
        w.chars().count() >= 4 && !w.chars().any(|c| c.is_ascii_digit()) && !STOP.contains(w)
    })
}

fn headline_shaped(info: &Info) -> bool {
    info.words <= 30 && !info.sentence && info.dateline.is_none()
}

/// One candidate's facts, gathered before the decision.
struct Candidate {
    /// Where the new story would start (its heading, byline or the dated
    /// paragraph itself).
    start: usize,
    heading: Option<usize>,
    /// A caption, credit or chrome stands between the two.
    closed: bool,
    evidence: Evidence,
}

/// How strongly the page says a story ended before a dated paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// Nothing but the dateline.
    None,
    /// A headline, byline or timestamp heads the dated paragraph, or the
    /// story before has its own dateline.
    Some,
    /// A caption, credit or chrome closes the story before.
    Closed,
}

/// Splits the page's blocks into stories: `(start, end, heading)` spans.
/// A heading found above a split is retyped [`BlockKind::Title`].
pub(crate) fn split(
    units: &[Unit],
    infos: &[Info],
    kinds: &mut [BlockKind],
) -> Vec<(usize, usize, Option<usize>)> {
    let whole = vec![(0, kinds.len(), None)];
    let paragraphs: Vec<usize> = (0..kinds.len())
        .filter(|&i| kinds[i] == BlockKind::Paragraph)
        .collect();
    let (Some(&first), Some(&last)) = (paragraphs.first(), paragraphs.last()) else {
        return whole;
    };
    let stamps_inside = (first..last)
        .filter(|&i| kinds[i] == BlockKind::Timestamp)
        .count();
    let dated = paragraphs
        .iter()
        .filter(|&&i| infos[i].dateline.is_some())
        .count();
    if stamps_inside >= 2 || (dated >= 3 && paragraphs.len() <= 2 * dated) {
        return whole;
    }
    let mut stories = Vec::new();
    let (mut start, mut heading) = (0usize, None);
    let (mut body, mut words) = (0usize, 0usize);
    for (n, &i) in paragraphs.iter().enumerate() {
        let dated_lead = infos[i].dateline.is_some();
        if (dated_lead || headed_lead(units, infos, kinds, start, i))
            && body >= 1
            && let Some(mut c) = candidate(units, infos, kinds, start, i)
        {
            if !dated_lead {
                // The headline is the trigger here, not evidence.
                c.evidence = Evidence::None;
            }
            let heads = usize::from(c.heading.is_some());
            let before_body = body - heads;
            let before_words = words - c.heading.map_or(0, |h| infos[h].words);
            if before_body >= MIN_BEFORE_PARAGRAPHS
                && before_words >= MIN_BEFORE_WORDS
                && after_is_a_story(infos, kinds, &paragraphs[n..], c.closed)
                && new_subject(units, kinds, start, c.start, &paragraphs[n..], c.evidence)
            {
                stories.push((start, c.start, heading));
                start = c.start;
                heading = c.heading;
                if let Some(h) = c.heading {
                    kinds[h] = BlockKind::Title;
                }
                body = 0;
                words = 0;
            }
        }
        body += 1;
        words += infos[i].words;
    }
    stories.push((start, kinds.len(), heading));
    stories
}

/// Whether paragraph `i` is a story lead under a headline of its own
/// (a long sentence-like paragraph right after a short line that does not
/// end like a sentence), with no dateline: an appended story from a site
/// that does not print them.
fn headed_lead(
    units: &[Unit],
    infos: &[Info],
    kinds: &[BlockKind],
    start: usize,
    i: usize,
) -> bool {
    i > start + 1
        && infos[i].words >= MIN_LEAD_WORDS
        && infos[i].sentence
        && kinds[i - 1] == BlockKind::Paragraph
        && headline_shaped(&infos[i - 1])
        && infos[i - 1].words >= 3
        && !ends_sentence(&units[i - 1].text)
}

/// The candidate split at dated paragraph `i` in the story from `start`.
fn candidate(
    units: &[Unit],
    infos: &[Info],
    kinds: &[BlockKind],
    start: usize,
    i: usize,
) -> Option<Candidate> {
    // A headline right above the dated paragraph heads the new story.
    let heading = (i > start + 1
        && kinds[i - 1] == BlockKind::Paragraph
        && headline_shaped(&infos[i - 1])
        && !ends_sentence(&units[i - 1].text))
    .then(|| i - 1);
    let mut new_start = heading.unwrap_or(i);
    // A byline or timestamp right above heads it too.
    let mut headed = heading.is_some();
    while new_start > start + 1
        && matches!(
            kinds[new_start - 1],
            BlockKind::Byline | BlockKind::Timestamp
        )
    {
        new_start -= 1;
        headed = true;
    }
    let last_para = (start..new_start)
        .rev()
        .find(|&j| kinds[j] == BlockKind::Paragraph)?;
    let between = last_para + 1..new_start;
    let closed = !between.is_empty()
        && kinds[between].iter().all(|k| {
            matches!(
                k,
                BlockKind::Caption | BlockKind::Credit | BlockKind::Boilerplate
            )
        });
    let has_dateline = (start..last_para + 1).any(|j| {
        kinds[j] == BlockKind::Dateline
            || (kinds[j] == BlockKind::Paragraph && infos[j].dateline.is_some())
    });
    Some(Candidate {
        start: new_start,
        heading,
        closed,
        evidence: if closed {
            Evidence::Closed
        } else if headed || has_dateline {
            Evidence::Some
        } else {
            Evidence::None
        },
    })
}

/// Whether the paragraphs from the dated one on (up to the next dated
/// paragraph) make a story of their own rather than a line.
fn after_is_a_story(infos: &[Info], kinds: &[BlockKind], from: &[usize], closed: bool) -> bool {
    let end = from[1..]
        .iter()
        .position(|&j| infos[j].dateline.is_some())
        .map_or(from.len(), |p| p + 1);
    let own = &from[..end];
    let words: usize = own.iter().map(|&j| infos[j].words).sum();
    let last = own[own.len() - 1];
    let next = from.get(end).copied().unwrap_or(kinds.len());
    let closed = closed
        || kinds[last + 1..next].iter().any(|k| {
            matches!(
                k,
                BlockKind::Caption | BlockKind::Credit | BlockKind::Boilerplate
            )
        });
    let min_words = if closed {
        MIN_AFTER_WORDS_CLOSED
    } else {
        MIN_AFTER_WORDS
    };
    own.len() >= MIN_AFTER_PARAGRAPHS && words >= min_words
}

/// A part's words, read once: its topic words (subject words that occur
/// at least twice, or all of them when none does) and all its distinct
/// subject words, each sorted.
fn topic_and_words(units: &[Unit], part: impl Iterator<Item = usize>) -> (Vec<&str>, Vec<&str>) {
    let mut all: Vec<&str> = part.flat_map(|j| subject_words(&units[j].key)).collect();
    all.sort_unstable();
    let mut repeated: Vec<&str> = all
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    repeated.dedup();
    all.dedup();
    if repeated.is_empty() {
        repeated.clone_from(&all);
    }
    (repeated, all)
}

/// The share of `topic` that occurs among `words` (sorted, distinct).
fn covered(topic: &[&str], words: &[&str]) -> f64 {
    if topic.is_empty() {
        return 0.0;
    }
    let n = topic
        .iter()
        .filter(|w| words.binary_search(w).is_ok())
        .count();
    #[allow(clippy::cast_precision_loss)]
    let share = n as f64 / topic.len() as f64;
    share
}

/// Whether the paragraphs `from` (the dated one on) are on another subject
/// than the story between `start` and `end`: the mean of how much of each
/// side's topic words the other side has.
fn new_subject(
    units: &[Unit],
    kinds: &[BlockKind],
    start: usize,
    end: usize,
    from: &[usize],
    evidence: Evidence,
) -> bool {
    let before =
        (start..end).filter(|&j| matches!(kinds[j], BlockKind::Paragraph | BlockKind::Title));
    let (topic_before, words_before) = topic_and_words(units, before);
    let (topic_after, words_after) =
        topic_and_words(units, from.iter().copied().take(AFTER_PARAGRAPHS));
    let overlap = f64::midpoint(
        covered(&topic_before, &words_after),
        covered(&topic_after, &words_before),
    );
    overlap
        < match evidence {
            Evidence::Closed => CLOSED_SUBJECT,
            Evidence::Some => SAME_SUBJECT,
            Evidence::None => NEW_SUBJECT,
        }
}

#[cfg(test)]
mod tests {
    use crate::model::BlockKind;
    use crate::normalize::normalize;

    const MAIN: &str = "Harbour bridge reopens after repairs\n\nThe harbour bridge reopened to traffic on Monday after eight months of repairs to its rusting steel deck, the city council said.\n\nEngineers replaced more than four hundred deck plates and repainted the towers, and the council said the bridge would now last another forty years.\n\nCommuters who had faced long detours through the old town welcomed the reopening, though cyclists complained that the new lanes were narrower than promised.\n\nThe council expects the bridge to carry thirty thousand vehicles a day by the summer.";
    const SECOND: &str = "KELSO, Eastland (Valley Wire) — A regional orchestra has cancelled its winter season after its concert hall failed a fire inspection, its director said on Friday.\n\nThe orchestra had sold nearly all tickets for its twelve concerts, and the director said buyers would get their money back within a month.\n\nMusicians will keep their salaries while the hall is refitted, which may take until the spring.";

    fn stories(text: &str) -> Vec<Vec<String>> {
        normalize(text)
            .expect("parses")
            .stories
            .iter()
            .map(|s| s.body().map(|b| b.text.clone()).collect())
            .collect()
    }

    #[test]
    fn a_story_glued_on_with_nothing_between_is_split_at_its_dateline() {
        let page = format!("{MAIN}\n\n{SECOND}\n");
        let s = stories(&page);
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].iter().all(|p| !p.contains("orchestra")));
        assert!(s[1][0].starts_with("KELSO, Eastland (Valley Wire)"));
        assert_eq!(s[1].len(), 3);
    }

    #[test]
    fn an_undated_story_under_its_own_headline_is_split_at_the_headline() {
        let second = SECOND.replace("KELSO, Eastland (Valley Wire) — ", "");
        let page = format!("{MAIN}\n\nOrchestra cancels its winter season\n\n{second}\n");
        let p = normalize(&page).expect("parses");
        assert_eq!(p.stories.len(), 2);
        assert_eq!(
            p.stories[1].title.as_deref(),
            Some("Orchestra cancels its winter season")
        );
        assert!(!p.stories[1].title_inferred);
    }

    #[test]
    fn sub_headings_inside_one_story_do_not_split_it() {
        let more = "Cheaper tolls for the bridge\n\nThe council said tolls on the harbour bridge would fall next year, once the repairs to the deck and towers were paid for.\n\nCommuters who cross the bridge each day would pay half, the council said, and cyclists would cross the bridge free.";
        let page = format!("{MAIN}\n\n{more}\n");
        assert_eq!(stories(&page).len(), 1);
    }

    #[test]
    fn a_dated_paragraph_on_the_same_subject_continues_the_story() {
        let same = "PORTMOUTH, Eastland (Valley Wire) — In the old town, traders said the bridge detours had cost them customers for eight months, and the council promised a fund for repairs to shop fronts near the bridge.\n\nThe council said the fund would open in the summer, once the bridge repairs were paid for, and that traders near the bridge would be first.";
        let page = format!("{MAIN}\n\n{same}\n");
        assert_eq!(stories(&page).len(), 1);
    }

    #[test]
    fn a_caption_opening_with_the_dateline_is_a_caption_not_a_second_story() {
        let caption = "KELSO, Eastland (Valley Wire) — Workers bolt a new plate to the deck of the harbour bridge in March. (Photo: Staff)";
        let page =
            format!("{MAIN}\n\n{caption}\n\nTolls will return next year, the council added.\n");
        let p = normalize(&page).expect("parses");
        assert_eq!(p.stories.len(), 1);
        let cap = p.stories[0]
            .blocks
            .iter()
            .find(|b| b.text.starts_with("KELSO"));
        assert_eq!(cap.map(|b| b.kind), Some(BlockKind::Caption));
        assert_eq!(p.stories[0].dateline, None);
    }

    #[test]
    fn a_round_up_of_dated_briefs_is_one_page() {
        let briefs = [
            "NORTHPORT (Valley Wire) — Ferry crews voted to strike next week over a pay offer they called an insult to their work.",
            "KELSO (Valley Wire) — A bakery that has fed the town for a century will close its doors in the new year, its owners said.",
            "MARSDEN (Valley Wire) — Police closed the coast road after a landslide buried two parked cars; no one was hurt.",
            "BRENTON (Valley Wire) — The county library will open on Sundays from March, after a gift from a local family.",
        ];
        let page = format!("News in brief\n\n{}\n", briefs.join("\n\n"));
        assert_eq!(stories(&page).len(), 1);
    }

    #[test]
    fn a_live_blog_with_timestamps_between_entries_is_one_page() {
        let mut page = String::from("Storm live: the latest\n\n");
        for (t, p) in [
            ("09:05 GMT", MAIN.split("\n\n").nth(1).unwrap_or("")),
            ("09:40 GMT", MAIN.split("\n\n").nth(2).unwrap_or("")),
            ("10:15 GMT", MAIN.split("\n\n").nth(3).unwrap_or("")),
        ] {
            page.push_str(&format!("{t}\n\n{p}\n\n"));
        }
        page.push_str(&format!("11:00 GMT\n\n{SECOND}\n"));
        assert_eq!(stories(&page).len(), 1);
    }
}
