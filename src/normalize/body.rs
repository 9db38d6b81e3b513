//! Where the body is.
//!
//! Each unit has a content score (see [`classify`](super::classify)): long
//! sentence-like units count for their words, chrome and short
//! non-sentence units count against. The body is the maximum-scoring run of
//! units (Kadane), plus any further run worth at least half of it. A
//! comment-section opener (or, on a page with several, a `Posted by` line)
//! after a run of [`MIN_ARTICLE`] ends the page's content. Inside the body,
//! three or more short non-sentence units in a row are a link list, and
//! headline + one-sentence summary pairs are a teaser list: both are
//! boilerplate. A page with no positive run falls back to every plain unit.

use super::classify::{Chrome, Info, Pattern};
use crate::model::BlockKind;

/// A further body run must be worth this share of the main one.
const MIN_RUN_SHARE: i64 = 2;
/// Teaser lists: this many headline + summary pairs in a row.
const TEASER_PAIRS: usize = 3;
/// The score of a teaser-list unit.
const TEASER_SCORE: i64 = -6;
/// At most this many runs besides the main one (bounds the work on
/// pathological pages).
const MAX_RUNS: usize = 16;
/// A run this heavy before a comment-section opener is the article.
const MIN_ARTICLE: i64 = 40;
/// This many short non-sentence units in a row inside the body are a
/// list of links, not headings.
const LINK_LIST: usize = 3;

/// Which units are body: every unit inside a selected run. The flag is
/// true when no run scored and the fallback (every plain unit) was used.
pub(crate) fn body_mask(infos: &[Info]) -> (Vec<bool>, bool) {
    let n = infos.len();
    let teaser = teasers(infos);
    let scores: Vec<i64> = infos
        .iter()
        .zip(&teaser)
        .map(|(i, &t)| if t { TEASER_SCORE } else { i64::from(i.score) })
        .collect();
    let thread = infos.iter().filter(|i| i.meta).count() >= 2;
    let barrier: Vec<bool> = infos
        .iter()
        .map(|i| i.barrier || (thread && i.meta))
        .collect();
    let mut mask = vec![false; n];
    let Some((bs, be, best)) = best_run(&scores, &barrier, 0, n) else {
        return (fallback_mask(infos), true);
    };
    let end = (be..n).find(|&i| barrier[i]).unwrap_or(n);
    // A comment section after an article ends the page's content, even
    // when the thread outweighs the article.
    let cut = first_cut(&scores, &barrier);
    let (bs, be, best, end) = match cut {
        Some(c) if c < bs => match best_run(&scores, &barrier, 0, c) {
            Some((s, e, sum)) => (s, e, sum, c),
            None => (bs, be, best, end),
        },
        _ => (bs, be, best, end),
    };
    let mut runs = vec![(bs, be)];
    let mut todo = vec![(0, bs), (be, end)];
    while let Some((a, b)) = todo.pop() {
        if runs.len() > MAX_RUNS {
            break;
        }
        if let Some((s, e, sum)) = best_run(&scores, &barrier, a, b)
            && sum * MIN_RUN_SHARE >= best
            && sum >= 10
        {
            runs.push((s, e));
            todo.push((a, s));
            todo.push((e, b));
        }
    }
    for (s, e) in runs {
        let e = extend_over_data(infos, e, end);
        mask[s..e].iter_mut().for_each(|m| *m = true);
    }
    (mask, false)
}

/// Whether a unit is short and has no sentence end (a nav item, a related
/// headline, or a heading).
fn listy(i: &Info) -> bool {
    i.pattern == Pattern::Plain
        && !i.sentence
        && !i.data
        && i.words < 15
        && i.chrome != Chrome::Strong
        && i.dateline.is_none()
}

/// Lists of teasers: [`TEASER_PAIRS`] or more headline + one-sentence
/// summary pairs in a row (related stories, section fronts). Articles
/// with headings put several sentences under each.
pub(crate) fn teasers(infos: &[Info]) -> Vec<bool> {
    let summary = |i: &Info| {
        i.pattern == Pattern::Plain
            && i.sentence
            && !i.multi_sentence
            && i.words <= 40
            && i.dateline.is_none()
    };
    let mut out = vec![false; infos.len()];
    let mut i = 0;
    while i + 1 < infos.len() {
        let mut j = i;
        while j + 1 < infos.len() && listy(&infos[j]) && summary(&infos[j + 1]) {
            j += 2;
        }
        if (j - i) / 2 >= TEASER_PAIRS {
            out[i..j].iter_mut().for_each(|m| *m = true);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// A run ends at its last positive unit; a table that follows it (figure
/// lines, with one- to three-word row labels such as `Year` between them)
/// still belongs to it.
fn extend_over_data(infos: &[Info], mut e: usize, limit: usize) -> usize {
    let label = |i: &Info| i.chrome == Chrome::No && i.pattern == Pattern::Plain && i.words <= 3;
    while e < limit {
        let i = &infos[e];
        if i.data && i.chrome == Chrome::No {
            e += 1;
        } else if label(i) && infos.get(e + 1).is_some_and(|n| n.data) && e + 1 < limit {
            e += 2;
        } else {
            break;
        }
    }
    e
}

/// The first barrier that follows a run of at least [`MIN_ARTICLE`] (one
/// pass of the maximum-run scan).
fn first_cut(scores: &[i64], barrier: &[bool]) -> Option<usize> {
    let (mut best, mut cur) = (0i64, 0i64);
    for (i, &s) in scores.iter().enumerate() {
        if barrier[i] {
            if best >= MIN_ARTICLE {
                return Some(i);
            }
            cur = 0;
            continue;
        }
        cur = if cur <= 0 { s } else { cur + s };
        best = best.max(cur);
    }
    None
}

/// The maximum-sum run in `a..b` that does not cross a barrier (a
/// comment-section opener, or a `Posted by` line on a page with several), as
/// `(start, end, sum)`; `None` when no run has a positive sum.
fn best_run(scores: &[i64], barrier: &[bool], a: usize, b: usize) -> Option<(usize, usize, i64)> {
    let (mut best, mut cur, mut start) = (None::<(usize, usize, i64)>, 0i64, a);
    for i in a..b {
        if barrier[i] {
            cur = 0;
            start = i + 1;
            continue;
        }
        if cur <= 0 {
            cur = scores[i];
            start = i;
        } else {
            cur += scores[i];
        }
        if cur > 0 && best.is_none_or(|(_, _, s)| cur > s) {
            best = Some((start, i + 1, cur));
        }
    }
    best
}

/// No run scores: take every plain, non-chrome unit but the first of
/// several (which the title rule may claim), so a short or tabular article
/// still has a body.
pub(crate) fn fallback_mask(infos: &[Info]) -> Vec<bool> {
    let plain = |i: &Info| i.chrome == Chrome::No && i.pattern == Pattern::Plain;
    let count = infos.iter().filter(|i| plain(i)).count();
    let mut skipped_first = count < 2;
    infos
        .iter()
        .map(|i| {
            if !plain(i) {
                return false;
            }
            if !skipped_first {
                skipped_first = true;
                return false;
            }
            true
        })
        .collect()
}

/// The kind of each unit from its own rules and whether it is in the body.
/// Unless `fallback`, a run of [`LINK_LIST`] or more short non-sentence
/// units inside the body is a link list (boilerplate); one or two are
/// headings (paragraphs).
pub(crate) fn kinds(infos: &[Info], body: &[bool], fallback: bool) -> Vec<BlockKind> {
    let mut in_list = if fallback {
        vec![false; infos.len()]
    } else {
        teasers(infos)
    };
    let mut i = 0;
    while !fallback && i < infos.len() {
        let run = infos[i..].iter().take_while(|x| listy(x)).count();
        if run >= LINK_LIST {
            in_list[i..i + run].iter_mut().for_each(|m| *m = true);
        }
        i += run.max(1);
    }
    infos
        .iter()
        .zip(body)
        .zip(in_list)
        .map(
            |((info, &in_body), in_list)| match (info.chrome, info.pattern) {
                (Chrome::Strong, _) => BlockKind::Boilerplate,
                (_, Pattern::Timestamp(_)) => BlockKind::Timestamp,
                (_, Pattern::Byline) => BlockKind::Byline,
                (_, Pattern::Credit) => BlockKind::Credit,
                (_, Pattern::Caption) => BlockKind::Caption,
                (_, Pattern::Dateline) => BlockKind::Dateline,
                (Chrome::No, Pattern::Plain) if in_body && !in_list => BlockKind::Paragraph,
                _ => BlockKind::Boilerplate,
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::classify::classify;
    use crate::normalize::match_key;

    fn infos(units: &[&str]) -> Vec<Info> {
        units.iter().map(|u| classify(u, &match_key(u))).collect()
    }

    const PARA: &str = "The council approved the harbour budget on Tuesday, raising spending after a long debate that ran late into the night.";

    #[test]
    fn chrome_around_the_article_is_outside_the_body() {
        let i = infos(&[
            "Home",
            "World",
            "Sport",
            PARA,
            PARA,
            "Advertise with us",
            "Privacy policy",
            "Contact us",
        ]);
        let (mask, fallback) = body_mask(&i);
        assert!(!fallback);
        assert_eq!(mask, [false, false, false, true, true, false, false, false]);
    }

    #[test]
    fn comment_thread_after_the_article_is_cut() {
        let mut units = vec![PARA; 4];
        units.push("Comments (3)");
        units.extend([PARA; 8]);
        let (mask, _) = body_mask(&infos(&units));
        assert!(mask[..4].iter().all(|&m| m));
        assert!(mask[4..].iter().all(|&m| !m));
    }

    #[test]
    fn link_and_teaser_lists_inside_the_body_are_boilerplate() {
        let teaser = "Officials said the plan would go ahead next year.";
        let units = [
            PARA,
            PARA,
            "Oil prices slide",
            teaser,
            "Stocks wither on worries",
            teaser,
            "Passport office warns of delays",
            teaser,
            PARA,
        ];
        let i = infos(&units);
        assert_eq!(
            teasers(&i),
            [false, false, true, true, true, true, true, true, false]
        );
        let links = infos(&[
            PARA,
            "One link here",
            "Another link here",
            "Third link here",
            PARA,
        ]);
        let k = kinds(&links, &[true; 5], false);
        assert_eq!(k[1..4], [BlockKind::Boilerplate; 3]);
        let heading = infos(&[PARA, "What comes next", PARA]);
        assert_eq!(kinds(&heading, &[true; 3], false)[1], BlockKind::Paragraph);
    }
}
