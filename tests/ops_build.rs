//! Issue #18, items 11 and 12: the release binary's size (the release
//! profile strips debug info, and it is installed as built), and the
//! README saying how long the first build and the test command take.

use crate::util::bin;
use std::path::Path;
use std::process::Command;

const MIB: u64 = 1024 * 1024;
/// The built release binary (no DWARF, symbols kept): 76 MB with
/// `debug = 1`, 65 MB with line tables only.
const MAX_BUILT_MIB: u64 = 24;

#[test]
fn the_release_binary_is_small_and_keeps_its_symbols() {
    let built = std::fs::metadata(bin()).expect("the binary").len();
    assert!(
        built <= MAX_BUILT_MIB * MIB,
        "the release binary is {:.1} MiB (at most {MAX_BUILT_MIB}): [profile.release] debug/strip?",
        built as f64 / MIB as f64
    );
    // Installed as docs/OPERATIONS.md says; it runs, and a backtrace or a
    // profile still names functions (the symbol table is kept).
    let dir = tempfile::tempdir().expect("tempdir");
    let installed = dir.path().join("shingled");
    let ok = Command::new("install")
        .arg("-m")
        .arg("0755")
        .arg(bin())
        .arg(&installed)
        .status()
        .expect("run install(1)");
    assert!(ok.success());
    let v = Command::new(&installed)
        .arg("--version")
        .output()
        .expect("run it");
    assert!(v.status.success() && String::from_utf8_lossy(&v.stdout).starts_with("shingled "));
    let sections = Command::new("readelf")
        .arg("-S")
        .arg("--wide")
        .arg(&installed)
        .output()
        .expect("readelf (binutils)");
    assert!(sections.status.success());
    let names = String::from_utf8_lossy(&sections.stdout);
    let has = |s: &str| names.split_whitespace().any(|w| w == s);
    assert!(has(".symtab"), "the symbol table is kept:\n{names}");
    assert!(
        !has(".debug_info"),
        "no DWARF in the release binary:\n{names}"
    );
}

#[test]
fn the_readme_says_how_long_the_first_build_and_the_tests_take_and_how_to_install() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(p).expect("README.md");
    let timing = readme
        .lines()
        .find(|l| l.contains("first build") && l.contains("min"))
        .unwrap_or_else(|| panic!("README.md: no line on how long the first build takes"));
    let digits = |l: &str| l.chars().any(|c| c.is_ascii_digit());
    assert!(digits(timing), "{timing}");
    assert!(
        readme
            .lines()
            .any(|l| l.contains("test command") && l.contains("min") && digits(l)),
        "README.md: no line on how long the test command takes"
    );
    assert!(
        readme.contains("cargo install --path ."),
        "README.md names no install route"
    );
}
