//! Near-duplicates found in the shared corpus (real copies, not written for
//! these tests), each pair checked by hand, ingested with the real binary:
//! BBC stories stored twice and in updated versions, Reuters wire stories
//! re-sent or updated (and templated notices that must stay apart), and the
//! same wire story on different sites in L3S-GN1.

use crate::util::{self, Env};
use serde_json::Value;
use std::path::PathBuf;

fn file(source: &str, name: &str) -> PathBuf {
    let p = util::corpus().join(source).join("articles").join(name);
    assert!(p.is_file(), "THE CORPUS FILE IS MISSING: {}", p.display());
    p
}

/// Ingests `a` then `b` into a fresh store; returns b's article entry and
/// whether it went to a's article.
fn pair(source: &str, a: &str, b: &str) -> (Value, bool) {
    let env = Env::new();
    let out = env.ingest(&[&file(source, a), &file(source, b)]);
    let first = out[0]["articles"][0]["id"].clone();
    let second = out[1]["articles"][0].clone();
    let same = second["id"] == first;
    (second, same)
}

fn expect(source: &str, a: &str, b: &str, change: &str) {
    let (x, same) = pair(source, a, b);
    assert!(same, "{source}: {b} after {a} must join its article: {x}");
    assert_eq!(x["change"], change, "{source}: {b} after {a}: {x}");
}

fn expect_apart(source: &str, a: &str, b: &str) {
    let (x, same) = pair(source, a, b);
    assert!(
        !same,
        "{source}: {b} after {a} must stay a separate article: {x}"
    );
    assert_eq!(x["change"], "created");
}

const BBC: &str = "bbc-news-2225";
const REUTERS: &str = "reuters-21578";
const L3S: &str = "l3s-gn1-google-news-2008";

#[test]
fn bbc_a_story_stored_twice_is_one_article() {
    expect(BBC, "tech-094.txt", "tech-313.txt", "duplicate");
}

#[test]
fn bbc_a_paragraph_added_is_an_update_and_the_older_version_a_duplicate() {
    // politics-313 is politics-043 plus a reaction paragraph
    let (x, same) = pair(BBC, "politics-043.txt", "politics-313.txt");
    assert!(same && x["change"] == "updated", "{x}");
    let rels: Vec<&str> = x["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .map(|b| b["relation"].as_str().expect("relation"))
        .collect();
    assert_eq!(rels.iter().filter(|r| **r == "new").count(), 1, "{x}");
    expect(BBC, "politics-313.txt", "politics-043.txt", "duplicate");
}

#[test]
fn bbc_a_quote_run_on_and_a_paragraph_added_is_an_update_never_a_rollback() {
    // sport-458 splits sport-444's second paragraph and adds Hewitt's quotes
    expect(BBC, "sport-444.txt", "sport-458.txt", "updated");
    expect(BBC, "sport-458.txt", "sport-444.txt", "duplicate");
}

#[test]
fn bbc_reworded_sentences_are_revisions_of_the_same_article() {
    // `BBC Two` / `BBC2`, `fewer` / `less`
    let (x, same) = pair(BBC, "entertainment-179.txt", "entertainment-216.txt");
    assert!(same && x["change"] == "updated", "{x}");
    assert!(
        x["blocks"]
            .as_array()
            .expect("blocks")
            .iter()
            .any(|b| b["relation"] == "revision"),
        "{x}"
    );
    // a paragraph split in two plus `tyres` / `tires`
    expect(BBC, "business-254.txt", "business-447.txt", "updated");
}

#[test]
fn reuters_a_shortened_resend_is_a_duplicate() {
    // 00524 is the first three paragraphs of 00279, `Reuter` run into the last
    expect(REUTERS, "00279.txt", "00524.txt", "duplicate");
    expect(REUTERS, "00889.txt", "00955.txt", "duplicate");
    // the same dividend notice sent twice in other words
    expect(REUTERS, "00423.txt", "00521.txt", "duplicate");
}

#[test]
fn reuters_updated_and_corrected_stories_are_new_versions() {
    // `Mobil Corp <MOB.N>` became `Mobil Oil Corp`
    expect(REUTERS, "00930.txt", "00945.txt", "updated");
    // two paragraphs added
    expect(REUTERS, "00489.txt", "00502.txt", "updated");
    // rewritten the next day: new dateline date, a paragraph condensed
    expect(REUTERS, "00248.txt", "00352.txt", "updated");
}

#[test]
fn reuters_templated_notices_of_other_companies_stay_apart() {
    // Franklin funds: the same first line, another fund in the note line
    expect_apart(REUTERS, "00690.txt", "00702.txt");
    expect_apart(REUTERS, "00690.txt", "00700.txt");
    expect_apart(REUTERS, "00693.txt", "00695.txt");
    expect_apart(REUTERS, "00512.txt", "00513.txt");
    // other companies, other dates and amounts
    expect_apart(REUTERS, "00405.txt", "00407.txt");
    expect_apart(REUTERS, "00085.txt", "00108.txt");
}

#[test]
fn l3s_the_same_wire_story_on_two_sites_is_one_article() {
    expect(
        L3S,
        "b82e9772-a459-46ef-9f93-84f15c773375.txt",
        "fc246c87-b4c6-4a7b-a77f-627c7fa18004.txt",
        "duplicate",
    );
    // the shorter edit of an AP story after the full one
    expect(
        L3S,
        "335b5036-2fad-4c9e-835b-a46b4a1c0e62.txt",
        "f5593c1e-ac20-46d7-b30c-55c7e7ab6379.txt",
        "duplicate",
    );
}

#[test]
fn l3s_a_lightly_edited_copy_on_another_site_is_a_new_version() {
    // AP copy with `(AP)` added, a clause moved, `with the AP` appended
    expect(
        L3S,
        "967a6e51-c43f-4892-bb5c-39cbfb08163a.txt",
        "d9e50b32-13b4-4d19-9e12-17e3b0e2fbda.txt",
        "updated",
    );
}

#[test]
fn l3s_two_outlets_writing_up_one_event_stay_apart() {
    expect_apart(
        L3S,
        "3ecf8ed4-48c2-415e-a07e-a327f78ba6d1.txt",
        "de39076d-9598-41ec-8047-ef26cd9b61b4.txt",
    );
}

#[test]
fn bbc_every_story_stored_twice_ends_in_one_article() {
    let files: Vec<PathBuf> = util::corpus_articles()
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(BBC))
        .collect();
    assert!(files.len() > 2000, "the BBC set is incomplete");
    let env = Env::new();
    let refs: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    let out = env.ingest(&refs);
    // group the files by body (all but the title line)
    let mut by_body: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (i, p) in files.iter().enumerate() {
        let text = std::fs::read_to_string(p).expect("read");
        let body = text.split_once("\n\n").map_or("", |x| x.1).to_string();
        by_body.entry(body).or_default().push(i);
    }
    let mut groups = 0;
    for idx in by_body.values().filter(|v| v.len() > 1) {
        groups += 1;
        let ids: std::collections::BTreeSet<String> = idx
            .iter()
            .map(|i| out[*i]["articles"][0]["id"].to_string())
            .collect();
        assert_eq!(
            ids.len(),
            1,
            "{:?} hold one story",
            idx.iter().map(|i| &files[*i]).collect::<Vec<_>>()
        );
    }
    assert!(groups >= 100, "{groups} stories stored twice");
}
