//! Story-split evaluation on pages built from corpus articles (BBC and
//! Reuters plain text): two-story pages (an appended story with no
//! separator, after a caption, after a main story with its own dateline,
//! under its own headline) must give two stories that start at the
//! appended story's lead; single-story pages (clean, with a dated lead,
//! with one dated paragraph inside, a round-up of dated briefs, a live
//! blog with timestamps) must give one.
//!
//! Articles are split into a development half and a held-out half by
//! blake3 of the file name: tune on `dev`, report `held`.
//!
//! ```text
//! cargo run --release --example split_eval -- [dev|held|all]
//! ```

use shingled::normalize::normalize;
use std::path::PathBuf;

/// Datelines in the styles the wires use (invented places and agencies
/// mixed with common ones; the rules must not depend on any of them).
const DATELINES: &[&str] = &[
    "NORTHPORT, Eastland (Wire) —",
    "KELSO (AP) —",
    "MARSDEN, Mar 4 (Reuters) -",
    "ODESSA, Texas (AP) —",
    "PORT ELLIS, Nov 12 (NWS) -",
    "LIMA, Peru (AFP) —",
    "CARVER CITY (UPI) —",
    "BRENTON, Ontario (CP) —",
];

fn corpus() -> PathBuf {
    std::env::var_os("SHINGLED_CORPUS").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")),
        PathBuf::from,
    )
}

struct Article {
    title: String,
    paras: Vec<String>,
}

fn load(half: &str) -> Vec<Article> {
    let mut out = Vec::new();
    for src in ["bbc-news-2225", "reuters-21578"] {
        let dir = corpus().join(src).join("articles");
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus missing at {}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let dev = blake3::hash(name.as_bytes()).as_bytes()[0] & 1 == 0;
            if (half == "dev" && !dev) || (half == "held" && dev) {
                continue;
            }
            let text = std::fs::read_to_string(dir.join(&name)).expect("read");
            let mut parts = text.split("\n\n").map(|p| p.trim().to_owned());
            let title = parts.next().unwrap_or_default();
            let paras: Vec<String> = parts.filter(|p| p.split(' ').count() >= 8).collect();
            if paras.len() >= 4 && paras.iter().map(|p| p.split(' ').count()).sum::<usize>() >= 120
            {
                out.push(Article { title, paras });
            }
        }
    }
    out
}

/// The paragraph with a dateline put in front, unless it has one.
fn dated(p: &str, d: &str) -> String {
    let head = p.split(" - ").next().unwrap_or("");
    let wire = head.len() < 40
        && head.len() < p.len()
        && head
            .split([' ', ','])
            .next()
            .is_some_and(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase()));
    if wire {
        p.to_owned()
    } else {
        format!("{d} {p}")
    }
}

fn page(parts: &[String]) -> String {
    let mut s = parts.join("\n\n");
    s.push('\n');
    s
}

fn stories(text: &str) -> Vec<Vec<String>> {
    normalize(text).map_or_else(
        |_| Vec::new(),
        |p| {
            p.stories
                .iter()
                .map(|s| s.body().map(|b| b.text.clone()).collect())
                .collect()
        },
    )
}

/// Two stories, the second starting at `lead` (a paragraph's words).
fn split_right(text: &str, lead: &str) -> bool {
    let s = stories(text);
    let probe: String = lead
        .split(' ')
        .skip(3)
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    s.len() == 2 && s[1].first().is_some_and(|p| p.contains(&probe))
}

fn one_story(text: &str) -> bool {
    stories(text).len() == 1
}

fn main() {
    let half = std::env::args().nth(1).unwrap_or_else(|| "dev".into());
    let arts = load(&half);
    let n = arts.len();
    let mut cases: Vec<(&str, usize, usize)> = Vec::new();
    let mut tally = |name: &'static str, ok: bool| {
        if let Some(c) = cases.iter_mut().find(|c| c.0 == name) {
            c.1 += usize::from(ok);
            c.2 += 1;
        } else {
            cases.push((name, usize::from(ok), 1));
        }
    };
    for (k, a) in arts.iter().enumerate() {
        let b = &arts[(k * 7 + 3) % n];
        if std::ptr::eq(a, b) {
            continue;
        }
        let d = DATELINES[k % DATELINES.len()];
        let d2 = DATELINES[(k + 3) % DATELINES.len()];
        let b_lead = dated(&b.paras[0], d2);
        let b_rest = &b.paras[1..b.paras.len().min(6)];
        let mut plain = vec![a.title.clone()];
        plain.extend(a.paras.iter().cloned());
        // Appended with nothing between.
        let mut glued = plain.clone();
        glued.push(b_lead.clone());
        glued.extend(b_rest.iter().cloned());
        let ok = split_right(&page(&glued), &b.paras[0]);
        if !ok && std::env::var_os("SPLIT_DUMP").is_some() {
            let s = stories(&page(&glued));
            eprintln!("--- {} stories; lead: {}", s.len(), b_lead);
            for (i, st) in s.iter().enumerate() {
                eprintln!(
                    "  story {i}: {} paras; first: {:.80}",
                    st.len(),
                    st.first().map_or("", |x| x)
                );
            }
        }
        tally("two: appended, no separator", ok);
        // After a caption closing the main story.
        let mut cap = plain.clone();
        cap.push("Crowds gather near the harbour wall on Sunday. (Photo: Staff)".into());
        cap.push(b_lead.clone());
        cap.extend(b_rest.iter().cloned());
        tally(
            "two: after a caption",
            split_right(&page(&cap), &b.paras[0]),
        );
        // Main story has its own dateline.
        let mut own = vec![a.title.clone(), dated(&a.paras[0], d)];
        own.extend(a.paras[1..].iter().cloned());
        own.push(b_lead.clone());
        own.extend(b_rest.iter().cloned());
        tally(
            "two: main has a dateline",
            split_right(&page(&own), &b.paras[0]),
        );
        // Under its own headline.
        let mut head = plain.clone();
        head.push(b.title.clone());
        head.push(b_lead.clone());
        head.extend(b_rest.iter().cloned());
        tally(
            "two: with its headline",
            split_right(&page(&head), &b.paras[0]),
        );

        let mut undated = plain.clone();
        undated.push(b.title.clone());
        undated.extend(b.paras[..b.paras.len().min(6)].iter().cloned());
        tally(
            "two: undated, with its headline",
            split_right(&page(&undated), &b.paras[0]),
        );
        tally("one: clean", one_story(&page(&plain)));
        let mut lead = vec![a.title.clone(), dated(&a.paras[0], d)];
        lead.extend(a.paras[1..].iter().cloned());
        tally("one: dated lead", one_story(&page(&lead)));
        let mut mid = plain.clone();
        let m = 1 + a.paras.len() / 2;
        mid[m] = dated(&mid[m], d2);
        tally("one: dated middle paragraph", one_story(&page(&mid)));
        let mut both = lead.clone();
        both[m] = dated(&both[m], d2);
        tally("one: dated lead and middle", one_story(&page(&both)));
        let mut capmid = plain.clone();
        capmid[m] = dated(&capmid[m], d2);
        capmid.insert(
            m,
            "Crowds gather near the harbour wall on Sunday. (Photo: Staff)".into(),
        );
        tally("one: caption, dated middle", one_story(&page(&capmid)));
        // Sub-headings inside one story.
        let mut subs = plain.clone();
        subs.insert(3, "What comes next".into());
        subs.insert(subs.len() - 1, "A long road ahead for everyone".into());
        tally("one: with sub-headings", one_story(&page(&subs)));
        // A round-up: four dated briefs of one or two paragraphs.
        let mut round = vec!["News in brief".to_owned()];
        for (j, x) in [a, b, &arts[(k + 11) % n], &arts[(k + 17) % n]]
            .iter()
            .enumerate()
        {
            round.push(dated(&x.paras[0], DATELINES[(k + j) % DATELINES.len()]));
            if j % 2 == 0 {
                round.push(x.paras[1].clone());
            }
        }
        tally("one: round-up of briefs", one_story(&page(&round)));
        // A live blog: timestamps between entries, some entries dated.
        let mut live = vec![a.title.clone()];
        for (j, p) in a.paras.iter().enumerate() {
            live.push(format!("{}:{:02} GMT", 9 + j, (j * 7) % 60));
            live.push(if j % 2 == 1 { dated(p, d) } else { p.clone() });
        }
        live.push(format!("{}:30 GMT", 9 + a.paras.len()));
        live.push(b_lead.clone());
        live.extend(b_rest.iter().take(1).cloned());
        tally("one: live blog", one_story(&page(&live)));
    }
    println!("{half}: {n} articles");
    for (name, ok, all) in cases {
        #[allow(clippy::cast_precision_loss)]
        let r = ok as f64 / all as f64;
        println!("{name:32} {r:.3}  ({ok}/{all})");
    }
}
