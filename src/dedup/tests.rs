//! The article-level rules, one test per outcome.

use super::*;

fn id(n: u8) -> BlockId {
    BlockId([n; 16])
}

fn block(n: u8, relation: Relation, matched: Option<u8>) -> MatchedBlock {
    MatchedBlock {
        id: id(n),
        relation,
        matched: matched.map(id),
        weight: 20,
        numbers_differ: false,
        minor: false,
    }
}

fn exact(n: u8) -> MatchedBlock {
    block(n, Relation::Exact, Some(n))
}

fn new(n: u8) -> MatchedBlock {
    block(n, Relation::New, None)
}

fn article(a: u8, blocks: &[u8]) -> Candidate {
    Candidate {
        id: ArticleId([a; 8]),
        version: 1,
        blocks: blocks
            .iter()
            .map(|n| CandidateBlock {
                id: id(*n),
                weight: 20,
            })
            .collect(),
        history: vec![],
        title: None,
        covered: vec![],
    }
}

fn p() -> DedupParams {
    DedupParams::default()
}

fn decide_(story: &[MatchedBlock], candidates: &[Candidate], p: &DedupParams) -> Decision {
    decide(story, None, candidates, p)
}

fn short(mut b: MatchedBlock) -> MatchedBlock {
    b.weight = 3;
    b
}

#[test]
fn a_story_with_no_candidates_is_created() {
    assert_eq!(decide_(&[new(1), new(2)], &[], &p()), Decision::Create);
}

#[test]
fn the_same_blocks_again_are_a_duplicate() {
    let d = decide_(&[exact(1), exact(2)], &[article(9, &[1, 2])], &p());
    assert!(matches!(d, Decision::Duplicate { of, .. } if of == ArticleId([9; 8])));
}

#[test]
fn an_older_shorter_copy_is_a_duplicate_not_a_rollback() {
    let d = decide_(&[exact(1), exact(2)], &[article(9, &[1, 2, 3, 4])], &p());
    assert!(matches!(d, Decision::Duplicate { .. }), "{d:?}");
}

#[test]
fn an_older_version_with_the_typo_since_fixed_is_a_duplicate() {
    // v1 held block 2; v2 replaced it by its revision 5.
    let mut a = article(9, &[1, 5, 3]);
    a.history = vec![id(2)];
    let d = decide_(&[exact(1), exact(2), exact(3)], &[a], &p());
    assert!(matches!(d, Decision::Duplicate { .. }), "{d:?}");
}

#[test]
fn a_truncated_paragraph_adds_nothing() {
    let s = [exact(1), block(7, Relation::Truncation, Some(2))];
    let d = decide_(&s, &[article(9, &[1, 2])], &p());
    assert!(matches!(d, Decision::Duplicate { .. }), "{d:?}");
}

#[test]
fn a_short_chrome_line_does_not_stop_a_duplicate() {
    let mut promo = new(8);
    promo.weight = 3;
    let s = [exact(1), exact(2), exact(3), promo];
    let d = decide_(&s, &[article(9, &[1, 2, 3])], &p());
    assert!(matches!(d, Decision::Duplicate { .. }), "{d:?}");
}

#[test]
fn added_paragraphs_make_an_update_with_a_diff() {
    let d = decide_(&[exact(1), exact(2), new(3)], &[article(9, &[1, 2])], &p());
    match d {
        Decision::Update { diff, .. } => {
            assert_eq!(diff.added, vec![id(3).to_hex()]);
            assert!(diff.removed.is_empty() && diff.revised.is_empty());
        }
        other => panic!("expected update, got {other:?}"),
    }
}

#[test]
fn a_revised_paragraph_makes_an_update_with_the_pair_revised() {
    for rel in [Relation::Revision, Relation::Extension] {
        let s = [exact(1), block(6, rel, Some(2)), exact(3)];
        match decide_(&s, &[article(9, &[1, 2, 3])], &p()) {
            Decision::Update { diff, .. } => {
                assert_eq!(diff.revised, vec![[id(2).to_hex(), id(6).to_hex()]]);
                assert!(diff.added.is_empty() && diff.removed.is_empty());
            }
            other => panic!("expected update for {rel:?}, got {other:?}"),
        }
    }
}

#[test]
fn a_brief_expanded_into_a_full_story_is_an_update() {
    let s = [exact(1), new(2), new(3), new(4), new(5)];
    assert!(matches!(
        decide_(&s, &[article(9, &[1])], &p()),
        Decision::Update { .. }
    ));
}

#[test]
fn sharing_one_stock_paragraph_keeps_stories_apart() {
    let d = decide_(&[exact(1), new(2)], &[article(9, &[1, 5])], &p());
    assert_eq!(d, Decision::Create);
    let d = decide_(
        &[exact(1), new(2), new(3), new(4)],
        &[article(9, &[1, 5, 6, 7])],
        &p(),
    );
    assert_eq!(d, Decision::Create);
}

#[test]
fn a_revision_whose_numbers_conflict_is_no_anchor() {
    // templated notice: the body is a numbers-differ revision, the sign-off
    // line is exact; neither is enough to call it the same article
    let mut body = block(6, Relation::Revision, Some(2));
    body.numbers_differ = true;
    let d = decide_(&[body, exact(1)], &[article(9, &[2, 1])], &p());
    assert_eq!(d, Decision::Create);
    // but among exact paragraphs it is a revision of the same article
    let mut body = block(6, Relation::Revision, Some(2));
    body.numbers_differ = true;
    let d = decide_(&[exact(1), body, exact(3)], &[article(9, &[1, 2, 3])], &p());
    assert!(matches!(d, Decision::Update { .. }), "{d:?}");
}

#[test]
fn the_best_covered_candidate_wins_and_ties_break_on_the_smaller_id() {
    let d = decide_(&[exact(1)], &[article(8, &[1]), article(3, &[1])], &p());
    assert!(matches!(d, Decision::Duplicate { of, .. } if of == ArticleId([3; 8])));
    let d = decide_(
        &[exact(1), exact(2), new(3)],
        &[article(3, &[1, 4, 5]), article(8, &[1, 2])],
        &p(),
    );
    assert!(
        matches!(d, Decision::Update { of, .. } if of == ArticleId([8; 8])),
        "{d:?}"
    );
}

#[test]
fn an_article_made_only_of_boilerplate_is_no_candidate() {
    assert_eq!(
        decide_(&[exact(1)], &[article(9, &[])], &p()),
        Decision::Create
    );
}

#[test]
fn a_word_run_into_a_paragraph_adds_nothing() {
    let mut signed = block(7, Relation::Extension, Some(2));
    signed.minor = true;
    let d = decide_(&[exact(1), signed], &[article(9, &[1, 2, 3])], &p());
    assert!(matches!(d, Decision::Duplicate { .. }), "{d:?}");
}

#[test]
fn notices_sharing_only_short_lines_stay_apart() {
    // `Pay March 31`, `Record March 16` exact; the fund's note line differs
    let s = [short(exact(1)), short(exact(2)), short(new(3))];
    let mut a = article(9, &[1, 2, 4]);
    for b in &mut a.blocks {
        b.weight = 3;
    }
    assert_eq!(
        decide_(&s, std::slice::from_ref(&a), &p()),
        Decision::Create
    );
    // even identical bodies under another title are another notice
    let s = [short(exact(1)), short(exact(2)), short(exact(4))];
    a.title = Some("harbour holdings sets payout".into());
    let d = decide(
        &s,
        Some("quay holdings sets payout"),
        std::slice::from_ref(&a),
        &p(),
    );
    assert_eq!(d, Decision::Create);
    // the same notice re-sent is a duplicate
    let d = decide(&s, Some("harbour holdings sets payout"), &[a], &p());
    assert!(matches!(d, Decision::Duplicate { .. }), "{d:?}");
}

#[test]
fn a_paragraph_run_together_differently_adds_nothing() {
    // block 7 extends block 2 with words the article holds in block 3
    let mut a = article(9, &[1, 2, 3]);
    a.covered = vec![id(7)];
    let s = [exact(1), block(7, Relation::Extension, Some(2))];
    let d = decide_(&s, &[a], &p());
    assert!(matches!(d, Decision::Duplicate { .. }), "{d:?}");
}

#[test]
fn a_weakly_linked_story_updates_only_under_the_same_title() {
    // one 15-word line in common, a different note line: another fund
    let mut line = exact(1);
    line.weight = 15;
    let mut a = article(9, &[1, 2]);
    a.blocks[0].weight = 15;
    a.blocks[1].weight = 8;
    a.title = Some("franklin insured sets payout".into());
    let mut kept = exact(2);
    kept.weight = 8;
    let s = [line.clone(), kept, short(new(3))];
    let d = decide(
        &s,
        Some("franklin high yield sets payout"),
        std::slice::from_ref(&a),
        &p(),
    );
    assert_eq!(d, Decision::Create);
    let d = decide(&s, Some("franklin insured sets payout"), &[a], &p());
    assert!(matches!(d, Decision::Update { .. }), "{d:?}");
}

#[test]
fn one_long_paragraph_added_to_a_long_story_is_an_update() {
    let blocks: Vec<u8> = (1..=20).collect();
    let mut s: Vec<MatchedBlock> = blocks.iter().map(|n| exact(*n)).collect();
    s.push(new(99));
    let d = decide_(&s, &[article(9, &blocks)], &p());
    assert!(matches!(d, Decision::Update { .. }), "{d:?}");
}

#[test]
fn a_story_holding_one_paragraph_of_a_longer_article_is_no_new_version_of_it() {
    // a stock paragraph (block 1) appended to a notice of short lines
    let mut lines: Vec<MatchedBlock> = (40..44).map(|n| short(new(n))).collect();
    lines.push(exact(1));
    let d = decide_(&lines, &[article(9, &[1, 5, 6])], &p());
    assert_eq!(d, Decision::Create);
}

#[test]
fn a_pull_quote_neither_anchors_nor_covers_its_paragraph() {
    let mut quote = block(7, Relation::Contained, Some(1));
    quote.weight = 12;
    let mut a = article(9, &[1]);
    a.blocks[0].weight = 60;
    let d = decide_(&[quote, new(2), new(3)], &[a], &p());
    assert_eq!(d, Decision::Create);
}

#[test]
fn two_notes_sharing_only_a_stock_paragraph_stay_apart() {
    let stock = exact(1);
    let s = [short(new(2)), short(new(3)), stock];
    let mut a = article(9, &[4, 5, 1]);
    a.blocks[0].weight = 8;
    a.blocks[1].weight = 8;
    assert_eq!(decide_(&s, &[a], &p()), Decision::Create);
}

#[test]
fn a_long_line_known_from_other_articles_does_not_stop_a_duplicate() {
    // a site's promo line, exact elsewhere but not in this article
    let blocks: Vec<u8> = (1..=10).collect();
    let mut s: Vec<MatchedBlock> = blocks.iter().map(|n| exact(*n)).collect();
    s.push(exact(77));
    let d = decide_(&s, &[article(9, &blocks)], &p());
    assert!(matches!(d, Decision::Duplicate { .. }), "{d:?}");
}

#[test]
fn a_re_edit_under_the_same_title_needs_less_overlap_than_a_rewrite() {
    // two long paragraphs kept, the rest re-written: 40% of the story
    let s = [exact(1), exact(2), new(3), new(4), new(5)];
    let mut a = article(9, &[1, 2, 6, 7, 8]);
    a.title = Some("news corp eyes video games market".into());
    let other = decide(&s, Some("games deal talk"), std::slice::from_ref(&a), &p());
    assert_eq!(other, Decision::Create);
    let same = decide(&s, Some("news corp eyes video games market"), &[a], &p());
    assert!(matches!(same, Decision::Update { .. }), "{same:?}");
}
