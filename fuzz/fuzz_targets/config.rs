//! The config parser: any text is a `Config` or an error that names what
//! is wrong, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match shingled::config::Config::from_toml(text) {
        Ok(c) => assert!(
            c.intake.max_file_bytes > 0
                && c.intake.max_blocks_per_file > 0
                && c.commit.group_max_files > 0
                && (c.api.allow_remote
                    || c.api
                        .tcp
                        .is_none_or(|a| a.ip().to_canonical().is_loopback()))
        ),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
