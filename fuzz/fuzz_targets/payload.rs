//! Stored index payloads (`x` records) from a damaged store: any bytes
//! either fail `Payload::from_bytes` or give a payload whose accessors and
//! verification never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shingled::config::DedupParams;
use shingled::fingerprint::{Payload, verify};

fuzz_target!(|data: &[u8]| {
    let Ok(mut a) = Payload::from_bytes(data.to_vec()) else {
        return;
    };
    let _ = (
        a.words(),
        a.shingle_count(),
        a.numbers().len(),
        a.boilerplate(),
    );
    let _ = a.fingerprints().count();
    a.set_boilerplate(true);
    assert!(a.boilerplate());
    let b = Payload::bare(3);
    let p = DedupParams::default();
    let _ = verify::overlap(&a, &a);
    let _ = verify::classify(&a, &a, &p, false);
    let _ = verify::classify(&a, &b, &p, true);
    let _ = verify::novelty(&a, &b, &[a.clone()]);
});
