//! Every name a content hash arrived under, so that a replay after a crash
//! adds nothing (the `n` table, see `store::codec`).
//!
//! The source record (`s`) keeps only the first name the bytes came under.
//! A byte copy under another name gets one `file.unchanged` event, and a
//! rejected file under another name one `file.quarantined` event; the
//! writer records `(blake3, name) -> seq` for those in the same write set
//! as the event. A file that is read again after a crash between its flush
//! and its move out of `drop/` is then recognised under any of its names.
//!
//! A store written before the table existed has it completed once, at
//! start-up, from the change log: `file.unchanged` and `file.quarantined`
//! events name their file and bytes. The meta key `names` marks a store as
//! complete.

use crate::model::Hash32;
use crate::store::{self, Store, WriteSet};
use std::collections::BTreeMap;

/// The meta key set once the table is complete.
const COMPLETE: &str = "names";
/// Entries per write set while completing an old store.
const CHUNK: usize = 10_000;

/// Completes the table from the change log unless the store says it is
/// complete. Idempotent: a crash half-way just does it again.
///
/// # Errors
/// [`store::Error`] reading or writing the store.
pub fn complete(store: &Store) -> Result<usize, store::Error> {
    if store.meta(COMPLETE)?.is_some() {
        return Ok(0);
    }
    // First event per (bytes, name): an old store may hold repeats.
    let mut first: BTreeMap<(Hash32, String), u64> = BTreeMap::new();
    for r in store.changes(0) {
        let (seq, json) = r?;
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&json) else {
            // `check` reports undecodable events; they name nothing here.
            continue;
        };
        if !matches!(
            v["kind"].as_str(),
            Some("file.unchanged" | "file.quarantined")
        ) {
            continue;
        }
        let (Some(file), Some(h)) = (
            v["file"].as_str(),
            v["blake3"].as_str().and_then(Hash32::from_hex),
        ) else {
            continue;
        };
        first.entry((h, file.to_string())).or_insert(seq);
    }
    let n = first.len();
    let mut w = WriteSet::new();
    let mut in_set = 0;
    for ((h, file), seq) in &first {
        w.put_name(h, file, *seq);
        in_set += 1;
        if in_set == CHUNK {
            store.apply(std::mem::take(&mut w))?;
            in_set = 0;
        }
    }
    w.put_meta(COMPLETE, vec![1]);
    store.apply(w)?;
    store.flush()?;
    if n > 0 {
        tracing::info!(
            names = n,
            "recorded the names byte copies arrived under (from the change log)"
        );
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::{Committer, Input, Outcome};
    use crate::config::DedupParams;
    use std::sync::Arc;

    fn text(topic: &str) -> String {
        format!(
            "The {topic} report\n\nThe {topic} committee met on Monday to discuss the plans for \
             the coming year and agreed on a budget.\n\nMembers of the {topic} committee said \
             the plans would be published next week after a final vote.\n"
        )
    }

    fn writer(store: &Arc<Store>) -> Committer {
        Committer::new(Arc::clone(store), DedupParams::default())
            .expect("a writer on a memory store")
            .with_clock(|| "2026-01-01T00:00:00Z".into())
    }

    /// Each kind of file once: new bytes, a byte copy, a rejected file and
    /// its byte copy.
    fn files() -> Vec<(String, Vec<u8>)> {
        vec![
            ("a.txt".into(), text("harbour").into_bytes()),
            ("copy-of-a.txt".into(), text("harbour").into_bytes()),
            ("b.txt".into(), text("railway").into_bytes()),
            ("bad.bin".into(), vec![0, 1, 2, 0, 0, 9]),
            ("bad-again.bin".into(), vec![0, 1, 2, 0, 0, 9]),
        ]
    }

    fn commit(c: &mut Committer, name: &str, bytes: &[u8]) -> (Outcome, usize) {
        let input: Input = crate::ingest::input(name.to_string(), bytes);
        let (o, events) = c.commit(input).expect("the memory store applies");
        (o, events.len())
    }

    #[test]
    fn a_replay_of_any_file_under_any_of_its_names_adds_nothing() {
        let store = Arc::new(Store::memory());
        let mut c = writer(&store);
        let first: Vec<(Outcome, usize)> =
            files().iter().map(|(n, b)| commit(&mut c, n, b)).collect();
        assert!(
            first.iter().all(|(_, n)| *n == 1),
            "each file once: one event"
        );
        assert_eq!(first[1].0.outcome, "unchanged");
        assert_eq!(first[4].0.outcome, "quarantined");
        let last = c.next_seq();
        // Replays in the same writer, then in a new one (a restart).
        for round in 0..2 {
            if round == 1 {
                c = writer(&store);
            }
            for ((n, b), (want, _)) in files().iter().zip(&first) {
                let (o, events) = commit(&mut c, n, b);
                assert_eq!(events, 0, "round {round}: the replay of {n} added an event");
                let seqs = |o: &Outcome| o.articles.iter().map(|a| a.seq).collect::<Vec<_>>();
                assert_eq!(
                    seqs(&o),
                    seqs(want),
                    "round {round}: {n} names its first event"
                );
            }
            assert_eq!(c.next_seq(), last, "round {round}");
        }
        // A new name for known bytes is still news.
        let (o, events) = commit(&mut c, "third.txt", text("harbour").as_bytes());
        assert_eq!((o.outcome, events), ("unchanged", 1));
    }

    #[test]
    fn a_store_written_before_the_table_has_it_completed_from_the_change_log() {
        let store = Arc::new(Store::memory());
        let mut c = writer(&store);
        for (n, b) in files() {
            commit(&mut c, &n, &b);
        }
        let mut w = WriteSet::new();
        let copy = Hash32::of(text("harbour").as_bytes());
        w.forget_name(&copy, "copy-of-a.txt", COMPLETE);
        w.forget_name(&Hash32::of(&[0, 1, 2, 0, 0, 9]), "bad-again.bin", COMPLETE);
        store.apply(w).expect("apply");
        assert_eq!(store.name_seq(&copy, "copy-of-a.txt").expect("get"), None);
        let mut c = writer(&store);
        assert_eq!(
            store.name_seq(&copy, "copy-of-a.txt").expect("get"),
            Some(2)
        );
        let last = c.next_seq();
        for (n, b) in files() {
            let (_, events) = commit(&mut c, &n, &b);
            assert_eq!(events, 0, "the replay of {n} added an event");
        }
        assert_eq!(c.next_seq(), last);
        assert_eq!(complete(&store).expect("complete"), 0, "done once");
    }
}
