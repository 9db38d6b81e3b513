//! decode: any bytes give text or a rejection, never a panic; accepted
//! text has LF line endings only and no byte-order mark.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = shingled::decode::decode(data) {
        assert!(!d.text.contains('\r'), "CR left in decoded text");
        assert!(!d.text.starts_with('\u{feff}'), "BOM left in decoded text");
        assert!(!d.text.trim().is_empty(), "accepted whitespace-only text");
    }
});
