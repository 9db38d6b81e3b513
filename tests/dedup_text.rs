//! Articles written for the dedup specification (never corpus text), and
//! helpers to read `ingest` output.

#![allow(dead_code)]

use serde_json::Value;

pub const TITLE: &str = "Ferry service to the islands resumes after storm";
pub const P1: &str = "The ferry company restarted its daily crossings to the outer islands on \
    Thursday, four days after a winter storm damaged the landing stage at the northern pier.";
pub const P2: &str = "Crews worked through the night to bolt new timber planks onto the landing \
    stage, and an inspector from the harbour authority signed off the repairs before dawn.";
pub const P3: &str = "Island shopkeepers said deliveries of bread, milk and newspapers had run \
    short while the boats stayed in port, and several schools had closed early.";
pub const P4: &str = "The company said it would add an extra evening sailing on Friday and \
    Saturday to clear the backlog of passengers and freight waiting on the mainland.";
pub const P5: &str = "Forecasters expect calmer weather for the rest of the week, although a \
    fresh band of rain and strong winds could reach the coast by Monday night.";
/// A paragraph an update adds.
pub const P_NEW: &str = "A spokeswoman for the company said engineers would inspect the southern \
    pier next week as a precaution, but no further cancellations were planned.";
/// A sentence an update appends to P2.
pub const P2_MORE: &str = "The work cost less than the company had feared.";

/// Ten unrelated two-paragraph stories (for boilerplate learning).
pub const OTHERS: [(&str, [&str; 2]); 10] = [
    (
        "Library extends opening hours",
        [
            "The town library will open until nine in the evening on weekdays from next month, the \
         culture committee decided on Tuesday.",
            "Librarians said the longer hours were requested by students preparing for examinations \
         and by parents who work late shifts.",
        ],
    ),
    (
        "Marathon route changed",
        [
            "Organisers of the spring marathon have moved the route away from the old mill district \
         because of roadworks that will last until the summer.",
            "Runners will instead follow the canal towpath for six miles before turning back towards \
         the finish line in the market square.",
        ],
    ),
    (
        "Bakery wins national award",
        [
            "A family bakery on the high street has won a national prize for its sourdough loaf, \
         beating more than four hundred entries from across the country.",
            "The owners said they would celebrate by giving away free bread rolls to the first \
         hundred customers on Saturday morning.",
        ],
    ),
    (
        "Hospital opens new wing",
        [
            "The district hospital opened a new children's wing on Wednesday with forty beds, two \
         operating theatres and a playroom painted by local artists.",
            "Nurses said the old ward had been cramped and cold, and that families would now be able \
         to stay overnight beside their children.",
        ],
    ),
    (
        "School choir tours Europe",
        [
            "Forty pupils from the grammar school choir left by coach on Sunday for a tour that will \
         take them to concert halls in five countries.",
            "Their programme mixes sacred music with folk songs, and the tour ends with a performance \
         in a cathedral famous for its echo.",
        ],
    ),
    (
        "Council approves cycle lanes",
        [
            "Councillors voted to build protected cycle lanes along the main road into the city \
         centre after a debate that lasted more than three hours.",
            "Shop owners on the road had opposed the plan, warning that the loss of parking spaces \
         would keep customers away from their businesses.",
        ],
    ),
    (
        "Museum finds lost painting",
        [
            "Curators cleaning a storeroom at the county museum found a landscape painting that had \
         been missing from the catalogue since the war.",
            "Experts believe the picture shows the estuary before the railway bridge was built, and it \
         will go on display after careful restoration.",
        ],
    ),
    (
        "Farmers report early harvest",
        [
            "Warm weather in the spring has brought the strawberry harvest forward by almost three \
         weeks on farms across the valley, growers said.",
            "Pickers arriving from abroad found the fields already heavy with fruit, and some farms \
         have opened their gates to the public to help.",
        ],
    ),
    (
        "Zoo welcomes twin otters",
        [
            "Keepers at the wildlife park are celebrating the birth of twin otter cubs, the first born \
         there since the enclosure was rebuilt.",
            "The cubs will stay in their den with their mother for several weeks before visitors can \
         see them swimming in the new pool.",
        ],
    ),
    (
        "Cinema reopens after refit",
        [
            "The art deco cinema on the seafront reopened on Friday after a refit that restored its \
         painted ceiling and replaced every seat in the stalls.",
            "The first screening was a silent film with a live organist, and tickets sold out within \
         an hour of going on sale last month.",
        ],
    ),
];

/// A page: title line, blank line, paragraphs separated by blank lines.
pub fn page(title: &str, paras: &[&str]) -> String {
    let mut s = format!("{title}\n\n");
    s.push_str(&paras.join("\n\n"));
    s.push('\n');
    s
}

/// The public id of the block with this text (blake3 of its match key).
pub fn bid(text: &str) -> String {
    shingled::model::BlockId::of_key(&shingled::normalize::match_key(text)).to_hex()
}

/// The first article entry of an `ingest` output line.
pub fn art(o: &Value) -> &Value {
    &o["articles"][0]
}

/// The block-match entry for the block with `text` in an `ingest` line.
pub fn block<'a>(o: &'a Value, text: &str) -> &'a Value {
    let id = bid(text);
    art(o)["blocks"]
        .as_array()
        .and_then(|bs| bs.iter().find(|b| b["block"] == id.as_str()))
        .unwrap_or_else(|| panic!("no block {id} for {text:?} in {o}"))
}

/// The relation recorded for the block with `text`.
pub fn relation(o: &Value, text: &str) -> String {
    block(o, text)["relation"]
        .as_str()
        .unwrap_or("?")
        .to_string()
}

/// Block ids of an exported article.
pub fn export_blocks(a: &Value) -> Vec<String> {
    a["blocks"]
        .as_array()
        .map(|bs| {
            bs.iter()
                .map(|b| b["id"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}
