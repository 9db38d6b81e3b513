//! Near-duplicate detection, specified through the real binary: how each
//! block matches (exact, revision, extension, truncation, contained, new)
//! and what each story becomes (created, duplicate, updated), with text
//! written for these tests.

use crate::dedup_text::*;
use crate::util::Env;
use serde_json::Value;

fn ingest(env: &Env, files: &[(&str, String)]) -> Vec<Value> {
    let paths: Vec<_> = files.iter().map(|(n, t)| env.file(n, t)).collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    env.ingest(&refs)
}

fn export(env: &Env) -> Vec<Value> {
    env.json_lines(&["export"])
}

fn base() -> String {
    page(TITLE, &[P1, P2, P3, P4])
}

// ---- block relations ------------------------------------------------------

#[test]
fn a_paragraph_seen_before_matches_exactly_whatever_its_typography() {
    let env = Env::new();
    let retyped = P1.replace(", four days", " -- four days").to_uppercase();
    let out = ingest(
        &env,
        &[
            ("a.txt", base()),
            ("b.txt", page(TITLE, &[&retyped, P2, P3, P4])),
        ],
    );
    let b = block(&out[1], P1);
    assert_eq!(b["relation"], "exact", "{b}");
    assert_eq!(b["matched"], bid(P1).as_str());
    assert!(
        b.get("jaccard").is_none(),
        "exact matches carry no scores: {b}"
    );
}

#[test]
fn a_typo_fixed_is_a_revision_with_its_scores() {
    let env = Env::new();
    let typo = P3.replace("newspapers", "newpsapers");
    let out = ingest(
        &env,
        &[
            ("a.txt", page(TITLE, &[P1, P2, &typo, P4])),
            ("b.txt", base()),
        ],
    );
    let b = block(&out[1], P3);
    assert_eq!(b["relation"], "revision", "{b}");
    assert_eq!(b["matched"], bid(&typo).as_str());
    let j = b["jaccard"].as_f64().expect("jaccard");
    assert!((0.6..1.0).contains(&j), "{b}");
    assert!(b["containment"].as_f64().expect("containment") < 1.0);
}

#[test]
fn a_sentence_added_is_an_extension_and_the_old_copy_a_truncation() {
    let env = Env::new();
    let longer = format!("{P2} {P2_MORE}");
    let out = ingest(
        &env,
        &[
            ("v1.txt", base()),
            ("v2.txt", page(TITLE, &[P1, &longer, P3, P4])),
            ("v1-again.txt", page(TITLE, &[P1, P2, P3])),
        ],
    );
    let b = block(&out[1], &longer);
    assert_eq!(b["relation"], "extension", "{b}");
    assert_eq!(b["matched"], bid(P2).as_str());
    assert_eq!(b["containment"], 1.0);
    // The old paragraph is stored, so it matches exactly; a shorter cut of
    // the new one is a truncation.
    assert_eq!(relation(&out[2], P2), "exact");
    let env = Env::new();
    let cut = "Crews worked through the night to bolt new timber planks onto the landing stage, \
               and an inspector from the harbour authority signed off the repairs";
    let out = ingest(
        &env,
        &[
            ("v2.txt", page(TITLE, &[P1, &longer])),
            ("cut.txt", page(TITLE, &[P1, cut])),
        ],
    );
    let b = block(&out[1], cut);
    assert_eq!(b["relation"], "truncation", "{b}");
    assert_eq!(b["matched"], bid(&longer).as_str());
}

#[test]
fn a_pull_quote_is_contained_in_the_paragraph_it_comes_from() {
    let env = Env::new();
    let quote = "“An inspector from the harbour authority signed off the repairs before dawn.”";
    let opinion = page(
        "Letters: our island lifeline",
        &[
            "Readers have written in their dozens about the ferry, and most of them praise the \
             crews who kept the islands supplied during the worst of the weather.",
            quote,
            "One reader asked why the southern pier had not been checked at the same time.",
        ],
    );
    let out = ingest(&env, &[("a.txt", base()), ("letters.txt", opinion)]);
    let b = block(&out[1], quote);
    assert_eq!(b["relation"], "contained", "{b}");
    assert_eq!(b["matched"], bid(P2).as_str());
    assert_eq!(
        art(&out[1])["change"],
        "created",
        "a quote does not make the same article"
    );
}

#[test]
fn an_unrelated_paragraph_is_new() {
    let env = Env::new();
    let (t, ps) = OTHERS[0];
    let out = ingest(&env, &[("a.txt", base()), ("b.txt", page(t, &ps))]);
    for p in ps {
        let b = block(&out[1], p);
        assert_eq!(b["relation"], "new", "{b}");
        assert!(b.get("matched").is_none());
    }
}

#[test]
fn short_blocks_never_fuzzy_match() {
    let env = Env::new();
    // nine words each, one word apart: exact or nothing
    let a = "Tickets for the evening sailing are sold out already.";
    let b = "Tickets for the morning sailing are sold out already.";
    let out = ingest(
        &env,
        &[
            ("a.txt", page(TITLE, &[P1, P2, a])),
            ("b.txt", page(TITLE, &[P1, P2, b])),
        ],
    );
    assert_eq!(relation(&out[1], b), "new");
}

#[test]
fn a_changed_number_is_not_the_same_fact() {
    let env = Env::new();
    let five = "Shares in the ferry company rose 5 percent in early trading on Friday after the \
                crossings to the islands resumed.";
    let seven = five.replace("5 percent", "7 percent");
    let out = ingest(
        &env,
        &[
            ("a.txt", page("Ferry shares rise", &[five])),
            ("b.txt", page("Ferry shares rise", &[&seven])),
        ],
    );
    assert_eq!(
        relation(&out[1], &seven),
        "new",
        "a 20-word block with other numbers"
    );
    assert_eq!(art(&out[1])["change"], "created");
    assert_ne!(art(&out[1])["id"], art(&out[0])["id"]);
}

#[test]
fn in_a_long_paragraph_a_changed_number_is_a_revision_never_a_duplicate() {
    let env = Env::new();
    let long = format!(
        "{P4} Ticket offices on both sides of the water reported that about 2000 people had \
         booked seats on the extra sailings by Thursday evening, more than twice the usual number."
    );
    let later = long.replace("2000", "2600");
    let out = ingest(
        &env,
        &[
            ("a.txt", page(TITLE, &[P1, P2, &long])),
            ("b.txt", page(TITLE, &[P1, P2, &later])),
        ],
    );
    let b = block(&out[1], &later);
    assert_eq!(b["relation"], "revision", "{b}");
    assert_eq!(b["numbers_differ"], true);
    assert_eq!(art(&out[1])["change"], "updated");
}

// ---- article outcomes -----------------------------------------------------

#[test]
fn the_same_story_from_another_site_is_a_duplicate_with_its_source_added() {
    let env = Env::new();
    let other_site = format!(
        "{title}\n\nShare this article\n\n{title}\n\nAdvertisement\n\n{p1}\n\n{p2}\n\n{p3}\n\n\
         {p4}\n\nSign up for our newsletter\n\n© 2025 The Quay Herald. All rights reserved.\n",
        title = TITLE.to_uppercase(),
        p1 = P1.replace("Thursday, four", "Thursday — four"),
        p2 = P2.replace("  ", " "),
        p3 = P3.replace(" and newspapers", " and  newspapers"),
        p4 = P4,
    );
    let out = ingest(&env, &[("site-a.txt", base()), ("site-b.txt", other_site)]);
    let a = art(&out[1]);
    assert_eq!(a["change"], "duplicate", "{a}");
    assert_eq!(a["id"], art(&out[0])["id"]);
    assert_eq!(a["version"], 1);
    let ex = export(&env);
    assert_eq!(ex.len(), 1, "no second article");
    assert_eq!(ex[0]["sources"].as_array().map(Vec::len), Some(2));
    assert_eq!(ex[0]["sources"][1]["file"], "site-b.txt");
}

#[test]
fn paragraphs_added_or_inserted_make_a_new_version_with_what_was_added() {
    let env = Env::new();
    let out = ingest(
        &env,
        &[
            ("v1.txt", base()),
            ("v2.txt", page(TITLE, &[P1, P2, P3, P4, P5])),
            ("v3.txt", page(TITLE, &[P1, P_NEW, P2, P3, P4, P5])),
        ],
    );
    for (o, added, v) in [(&out[1], P5, 2), (&out[2], P_NEW, 3)] {
        let a = art(o);
        assert_eq!(a["change"], "updated", "{a}");
        assert_eq!(a["version"], v);
        assert_eq!(relation(o, added), "new");
    }
    let log = env.json_lines(&["log"]);
    assert_eq!(log[1]["diff"]["added"], serde_json::json!([bid(P5)]));
    assert_eq!(log[2]["diff"]["added"], serde_json::json!([bid(P_NEW)]));
    assert_eq!(log[2]["diff"]["removed"], serde_json::json!([]));
    let ex = export(&env);
    assert_eq!(ex.len(), 1);
    assert_eq!(
        export_blocks(&ex[0]),
        [P1, P_NEW, P2, P3, P4, P5].map(bid).to_vec(),
        "the new version keeps the page order"
    );
}

#[test]
fn a_sentence_extended_or_a_typo_fixed_makes_a_new_version_with_the_pair_revised() {
    let env = Env::new();
    let typo = P3.replace("newspapers", "newpsapers");
    let longer = format!("{P2} {P2_MORE}");
    let out = ingest(
        &env,
        &[
            ("v1.txt", page(TITLE, &[P1, P2, &typo, P4])),
            ("v2.txt", page(TITLE, &[P1, P2, P3, P4])),
            ("v3.txt", page(TITLE, &[P1, &longer, P3, P4])),
        ],
    );
    assert_eq!(art(&out[1])["change"], "updated");
    assert_eq!(art(&out[2])["change"], "updated");
    assert_eq!(art(&out[2])["version"], 3);
    let log = env.json_lines(&["log"]);
    assert_eq!(
        log[1]["diff"]["revised"],
        serde_json::json!([[bid(&typo), bid(P3)]])
    );
    assert_eq!(
        log[2]["diff"]["revised"],
        serde_json::json!([[bid(P2), bid(&longer)]])
    );
    assert_eq!(log[2]["diff"]["added"], serde_json::json!([]));
    assert_eq!(log[2]["diff"]["removed"], serde_json::json!([]));
}

#[test]
fn an_older_version_arriving_late_is_a_duplicate_not_a_rollback() {
    let env = Env::new();
    let typo = P3.replace("newspapers", "newpsapers");
    let longer = format!("{P2} {P2_MORE}");
    let out = ingest(
        &env,
        &[
            ("v1.txt", page(TITLE, &[P1, P2, &typo, P4])),
            ("v2.txt", page(TITLE, &[P1, &longer, P3, P4, P5])),
            // v1 again from another site, and a shorter cut of v2
            (
                "v1-late.txt",
                page(&TITLE.to_uppercase(), &[P1, P2, &typo, P4]),
            ),
            ("cut-late.txt", page(TITLE, &[P1, &longer, P3])),
        ],
    );
    for o in &out[2..] {
        let a = art(o);
        assert_eq!(a["change"], "duplicate", "{a}");
        assert_eq!(a["version"], 2, "{a}");
    }
    let ex = export(&env);
    assert_eq!(ex.len(), 1);
    assert_eq!(
        export_blocks(&ex[0]),
        [P1, &longer, P3, P4, P5].map(bid).to_vec()
    );
    assert_eq!(ex[0]["sources"].as_array().map(Vec::len), Some(4));
}

#[test]
fn stories_sharing_a_stock_background_paragraph_stay_separate_and_share_the_block() {
    let env = Env::new();
    let stock = "The ferry company, founded in 1952, runs six vessels between the mainland and \
                 the outer islands and employs about 300 people.";
    let files: Vec<(String, String)> = OTHERS[..3]
        .iter()
        .enumerate()
        .map(|(i, (t, ps))| (format!("s{i}.txt"), page(t, &[ps[0], ps[1], stock])))
        .collect();
    let refs: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    let out = ingest(&env, &refs);
    for (i, o) in out.iter().enumerate() {
        assert_eq!(art(o)["change"], "created", "story {i}: {o}");
        let want = if i == 0 { "new" } else { "exact" };
        assert_eq!(relation(o, stock), want);
    }
    let ex = export(&env);
    assert_eq!(ex.len(), 3);
    for a in &ex {
        assert!(
            export_blocks(a).contains(&bid(stock)),
            "each keeps the shared block"
        );
    }
}

fn notice(company: &str, cents: u32, pay: u32, record: u32, prior: u32) -> String {
    page(
        &format!("{} SETS QUARTERLY DIVIDEND", company.to_uppercase()),
        &[
            &format!(
                "{company} said its board declared a quarterly dividend of {cents} cents per \
                 share, payable April {pay} to shareholders of record on March {record}."
            ),
            &format!("The company paid {prior} cents a share in the previous quarter."),
            "Payable in cash.",
        ],
    )
}

#[test]
fn templated_notices_with_other_companies_and_numbers_stay_separate() {
    let env = Env::new();
    let fund = |name: &str| {
        page(
            &format!("QUAY {} FUND SETS PAYOUT", name.to_uppercase()),
            &[
                "PORTSMOUTH, March 2 - Monthly dividend 7.1 cents vs 7.1 cents prior",
                "Pay March 31",
                "Record March 16",
                &format!("NOTE: Quay {name} Income Fund."),
            ],
        )
    };
    let out = ingest(
        &env,
        &[
            ("n1.txt", notice("Harbour Holdings", 15, 1, 15, 12)),
            ("n2.txt", notice("Quayside Foods", 22, 8, 20, 21)),
            ("n3.txt", notice("Northern Pier Estates", 9, 3, 17, 9)),
            ("f1.txt", fund("Insured Tax-Free")),
            ("f2.txt", fund("High-Yield Tax-Free")),
        ],
    );
    let ids: std::collections::BTreeSet<String> = out
        .iter()
        .map(|o| art(o)["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids.len(), 5, "five notices, five articles: {out:?}");
    for o in &out {
        assert_eq!(art(o)["change"], "created");
        for b in art(o)["blocks"].as_array().expect("blocks") {
            let r = b["relation"].as_str().expect("relation");
            assert!(
                ["new", "exact"].contains(&r),
                "no fuzzy link between notices: {b}"
            );
        }
    }
}

#[test]
fn a_line_recurring_across_unrelated_stories_becomes_boilerplate_and_is_dropped() {
    let env = Env::new();
    let promo = "Collect vouchers at any Quay Herald branch this week.";
    let files: Vec<(String, String)> = OTHERS[..6]
        .iter()
        .enumerate()
        .map(|(i, (t, ps))| (format!("o{i}.txt"), page(t, &[ps[0], promo, ps[1]])))
        .collect();
    let refs: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    let out = ingest(&env, &refs);
    // five distinct articles carry it; from then on it is known boilerplate
    for o in &out[..5] {
        assert_eq!(art(o)["change"], "created");
        assert_ne!(relation(o, promo), "boilerplate");
    }
    assert_eq!(relation(&out[5], promo), "boilerplate");
    let ex = export(&env);
    assert_eq!(ex.len(), 6);
    let last = ex
        .iter()
        .find(|a| a["sources"][0]["file"] == "o5.txt")
        .expect("o5");
    assert!(
        !export_blocks(last).contains(&bid(promo)),
        "dropped from the new article"
    );
    let stats: Value = serde_json::from_str(&env.run_ok(&["stats"])).expect("stats");
    assert_eq!(stats["boilerplate_learned"], 1);
    assert!(stats["boilerplate_seen"].as_u64().expect("seen") >= 1);
}

#[test]
fn copies_of_one_story_do_not_make_its_lines_boilerplate() {
    let env = Env::new();
    let files: Vec<(String, String)> = (0..8)
        .map(|i| (format!("copy{i}.txt"), format!("{}\nSite {i}\n", base())))
        .collect();
    let refs: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    let out = ingest(&env, &refs);
    for o in &out[1..] {
        assert_eq!(art(o)["change"], "duplicate", "{o}");
        assert_eq!(relation(o, P1), "exact");
    }
    let stats: Value = serde_json::from_str(&env.run_ok(&["stats"])).expect("stats");
    assert_eq!(
        stats["boilerplate_learned"], 0,
        "duplicates are one article"
    );
}
