//! The arrival order (docs/ARCHITECTURE.md, "Arrival order"): files are
//! decided in the order they arrived (their ctime: the rename, or the last
//! write of a file written in place), whatever their names, and files found
//! at start-up go before files that arrive after it, even while they must
//! still settle.

use crate::daemon_util::*;
use crate::util::Env;
use std::time::{Duration, Instant};

/// The files of the change log, in the order they were decided.
fn decided(env: &Env) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in change_log(env) {
        let f = e["file"]
            .as_str()
            .expect("every event names its file")
            .to_string();
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

fn files(names: &[&str], seed: u64) -> Vec<(String, Vec<u8>)> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| ((*n).to_string(), article(seed, i).into_bytes()))
        .collect()
}

#[test]
fn files_found_at_start_up_go_before_later_arrivals_whatever_their_names() {
    const SETTLE_MS: u64 = 1_500;
    let env = daemon_env(&[("intake.settle_ms", "1500")]);
    // Arrived while the daemon was down, names in no order; the last was
    // written in place, under its final name.
    let down = files(&["m-3.txt", "z-1.txt", "a-6.txt", "q-2.txt", "c-5.txt"], 61);
    let last = drop_in_order(&env, &down, (0, 0));
    next_tick_after(&env, last);
    let in_place = env.path("drop").join("k-4.txt");
    std::fs::write(&in_place, article(61, 9)).expect("write in place");
    let last = ctime_of(&in_place);
    let d = start(&env, &[]);
    // Arrive after the start; their names sort first.
    let later = files(&["0-late.txt", "00-later.txt"], 62);
    let t = Instant::now();
    drop_in_order(&env, &later, last);
    wait_until(TIMEOUT, "all files archived", || archived(&env).len() == 8);
    let waited = t.elapsed();
    d.stop();
    let mut want: Vec<String> = down.iter().map(|(n, _)| n.clone()).collect();
    want.push("k-4.txt".into());
    want.extend(later.iter().map(|(n, _)| n.clone()));
    assert_eq!(decided(&env), want, "decided in arrival order");
    // The cost: the start-up files were renamed in moments before the
    // start, so they settle, and the later arrivals wait behind them.
    println!(
        "ORDER later arrivals after a restart: all done {} ms after their drop (settle {SETTLE_MS} ms)",
        waited.as_millis()
    );
    assert!(
        waited >= Duration::from_millis(SETTLE_MS / 2),
        "the later arrivals waited for the start-up files to settle ({waited:?})"
    );
}

#[test]
fn a_file_written_in_place_arrives_with_its_last_write() {
    let env = daemon_env(&[("intake.settle_ms", "800")]);
    let d = start(&env, &[]);
    let text = article(63, 0);
    let (head, tail) = text.split_at(text.len() / 2);
    let path = env.path("drop").join("w-in-place.txt");
    let mut f = std::fs::File::create(&path).expect("create in place");
    use std::io::Write;
    f.write_all(head.as_bytes()).expect("write");
    f.flush().expect("flush");
    let last = drop_in_order(&env, &files(&["r-before.txt"], 64), ctime_of(&path));
    next_tick_after(&env, last);
    f.write_all(tail.as_bytes()).expect("write the rest");
    drop(f);
    let last = ctime_of(&path);
    drop_in_order(&env, &files(&["a-after.txt"], 65), last);
    wait_until(TIMEOUT, "all files archived", || archived(&env).len() == 3);
    d.stop();
    assert_eq!(
        decided(&env),
        ["r-before.txt", "w-in-place.txt", "a-after.txt"],
        "a file written in place arrives with its last write"
    );
}
