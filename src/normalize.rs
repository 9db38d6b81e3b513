//! Normalization and segmentation: decoded text to stories of typed blocks.
//! Pure: the same text always gives the same [`Parsed`].
//!
//! Pipeline (each step a submodule):
//!
//! 1. [`lines`]: the text is cut at blank lines into chunks, and chunks
//!    into line units; hard-wrapped paragraphs are re-joined.
//! 2. Within-file repeats: a unit whose match key appeared earlier in the
//!    file is dropped and counted (`Parsed::repeats_dropped`).
//! 3. [`classify`]: per-unit rules (datelines, captions, credits, bylines,
//!    timestamps via [`time`], site chrome) and a content score.
//! 4. [`body`]: the body runs (maximum-scoring run of units), link and
//!    teaser lists.
//! 5. [`stories`]: the headline and each story's metadata; [`split`]:
//!    where a second story glued onto the page starts.
//!
//! `docs/SEGMENTATION.md` describes the rules and their measured quality.

mod body;
mod classify;
mod lexicon;
mod lines;
mod split;
mod stories;
mod text;
mod time;
mod zones;

pub use text::{match_key, tidy};

use crate::model::{Block, BlockKind, Parsed, Reason, Rejection};
use std::collections::HashMap;

/// Splits decoded text into stories and typed blocks.
///
/// # Errors
/// A [`Rejection`] (stage `normalize`, reason `no_content`) when no story
/// body is found.
pub fn normalize(text: &str) -> Result<Parsed, Rejection> {
    let all = lines::units(text);
    let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(all.len());
    let mut keep = vec![true; all.len()];
    let mut repeats_of = vec![1u32; all.len()];
    let mut repeats_dropped = 0;
    for (i, u) in all.iter().enumerate() {
        if u.key.is_empty() {
            continue;
        }
        match first_of.get(u.key.as_str()) {
            Some(&j) => {
                keep[i] = false;
                repeats_of[j] += 1;
                repeats_dropped += 1;
            }
            None => {
                first_of.insert(u.key.as_str(), i);
            }
        }
    }
    drop(first_of);
    let mut repeats = Vec::with_capacity(all.len());
    let mut units = Vec::with_capacity(all.len());
    for ((u, k), r) in all.into_iter().zip(keep).zip(repeats_of) {
        if k {
            units.push(u);
            repeats.push(r);
        }
    }

    let infos: Vec<classify::Info> = units
        .iter()
        .map(|u| classify::classify(&u.text, &u.key))
        .collect();
    let (body, fallback) = body::body_mask(&infos);
    let mut kinds = body::kinds(&infos, &body, fallback);
    if !fallback && !kinds.contains(&BlockKind::Paragraph) {
        // The runs held only list-like units: read the page leniently.
        kinds = body::kinds(&infos, &body::fallback_mask(&infos), true);
    }
    if !kinds.contains(&BlockKind::Paragraph) {
        return Err(Rejection::new(
            "normalize",
            Reason::NoContent,
            "no story body found (only site chrome, captions or metadata)",
        ));
    }
    let title = stories::pick_title(&units, &infos, &kinds, &repeats);
    if let Some(t) = title {
        kinds[t] = BlockKind::Title;
        stories::promote_deks(&infos, &mut kinds, t);
    }
    let spans = split::split(&units, &infos, &mut kinds);
    if !kinds.contains(&BlockKind::Paragraph) {
        return Err(Rejection::new(
            "normalize",
            Reason::NoContent,
            "no story body found (the only text is a headline)",
        ));
    }
    let boilerplate = kinds
        .iter()
        .filter(|&&k| k == BlockKind::Boilerplate)
        .count();
    let mut blocks: Vec<Block> = units
        .into_iter()
        .zip(&kinds)
        .map(|(u, &kind)| Block {
            kind,
            text: u.text,
            key: u.key,
            line: u.line,
        })
        .collect();
    let mut out = Vec::with_capacity(spans.len());
    for (n, &(start, end, heading)) in spans.iter().enumerate().rev() {
        let story_blocks = blocks.split_off(start);
        debug_assert_eq!(story_blocks.len(), end - start);
        let title = if n == 0 { title } else { heading };
        out.push(stories::story(story_blocks, &infos, title, start));
    }
    out.reverse();
    Ok(Parsed {
        stories: out,
        boilerplate,
        repeats_dropped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn heading_inside_the_body_stays_a_paragraph() {
        let text = "Markets rally on rate hopes\n\nStocks rose sharply on Tuesday as investors bet that the central bank would cut interest rates at its next meeting, traders said.\n\nWhat comes next\n\nAnalysts said the rally could fade if inflation data due on Friday surprised on the upside, as it did last month.\n";
        let p = normalize(text).expect("ok");
        let kinds: Vec<BlockKind> = p.stories[0].blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Title,
                BlockKind::Paragraph,
                BlockKind::Paragraph,
                BlockKind::Paragraph
            ]
        );
    }

    #[test]
    fn short_article_keeps_its_paragraph() {
        let p = normalize("Shares halted\n\nTrading was halted.\n").expect("ok");
        let s = &p.stories[0];
        assert_eq!(s.title.as_deref(), Some("Shares halted"));
        assert_eq!(s.body().count(), 1);
        let t = normalize("NET UP\n\nShr 45 cts vs 58 cts\n").expect("table");
        assert_eq!(t.stories[0].title.as_deref(), Some("NET UP"));
        assert_eq!(t.stories[0].body().count(), 1);
    }

    #[test]
    fn wire_dateline_is_the_story_dateline_not_a_split() {
        let text = "COCOA REVIEW\n\nSALVADOR, Feb 26 - Showers continued throughout the week in the cocoa zone, alleviating the drought, a trade house said.\n\nThe dry period means the harvest will be late this year, it added in its weekly review.\n\nReuter\n";
        let p = normalize(text).expect("ok");
        assert_eq!(p.stories.len(), 1);
        let s = &p.stories[0];
        assert_eq!(s.dateline.as_deref(), Some("SALVADOR, Feb 26 -"));
        assert_eq!(
            s.blocks.last().map(|b| b.kind),
            Some(BlockKind::Boilerplate)
        );
        assert_eq!(s.body().count(), 2);
    }

    #[test]
    fn lead_caption_repeated_at_the_end_is_kept_once() {
        let cap = "Rescue workers search the rubble in the town centre. (AP Photo/Jane Doe)";
        let text = format!(
            "Quake hits town\n\n{cap}\n\nA strong earthquake struck the town early on Monday, damaging dozens of buildings, officials said.\n\nRescue teams worked through the night to reach people trapped under the rubble, the mayor said.\n\n{cap}\n"
        );
        let p = normalize(&text).expect("ok");
        let caps: Vec<_> = p.stories[0]
            .blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Caption)
            .collect();
        assert_eq!(caps.len(), 1);
        assert_eq!(caps[0].line, 3);
        assert_eq!(p.repeats_dropped, 1);
    }

    #[test]
    fn second_story_after_a_credit_starts_at_its_dateline() {
        let text = "First story headline here\n\nWASHINGTON (AP) — The first story begins with a long sentence about the budget vote in the Senate on Tuesday.\n\nIt continues with another long paragraph about the budget and what the vote means for the agencies.\n\nA third paragraph explains that the House will take up the measure next week, when leaders of both parties expect a close vote that could go either way after months of talks.\n\nJohn Roe contributed to this report.\n\nPARIS (AP) — The second story begins here with a long sentence about a strike that closed the railways.\n\nUnions said the strike would go on until the government withdrew its plan to change pensions.\n";
        let p = normalize(text).expect("ok");
        assert_eq!(p.stories.len(), 2);
        assert_eq!(p.stories[1].dateline.as_deref(), Some("PARIS (AP) —"));
        assert!(p.stories[1].title_inferred);
        assert_eq!(
            p.stories[1].title.as_deref(),
            Some(
                "The second story begins here with a long sentence about a strike that closed the railways"
            )
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn normalize_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(d) = crate::decode::decode(&bytes) {
                let _ = normalize(&d.text);
            }
        }

        #[test]
        fn normalize_never_panics_on_lines(text in "(\\PC{0,40}\n{0,3}){0,12}") {
            if let Ok(p) = normalize(&text) {
                prop_assert!(!p.stories.is_empty());
                for b in p.stories.iter().flat_map(|s| &s.blocks) {
                    prop_assert_eq!(&b.key, &match_key(&b.text));
                }
            }
        }

        #[test]
        fn match_key_is_idempotent(s in "\\PC{0,60}") {
            let k = match_key(&s);
            prop_assert_eq!(match_key(&k), k);
        }

        #[test]
        fn tidy_is_idempotent(s in "\\PC{0,60}") {
            let t = tidy(&s);
            prop_assert_eq!(tidy(&t), t);
        }
    }
}
