//! Shared helpers: temp folders with a config, the real binary, corpus paths.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A temp folder with a minimal config whose paths all live inside it.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl Env {
    pub fn new() -> Env {
        Env::with_extra("")
    }

    /// A config with `extra` TOML appended after `[paths]`.
    pub fn with_extra(extra: &str) -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        let config = p.join("shingled.toml");
        let text = format!(
            "[paths]\ndrop = \"{d}/drop\"\narchive = \"{d}/archive\"\nquarantine = \"{d}/quarantine\"\nstore = \"{d}/store\"\n{extra}\n",
            d = p.display()
        );
        std::fs::write(&config, text).expect("write config");
        for sub in ["drop", "archive", "quarantine"] {
            std::fs::create_dir_all(p.join(sub)).expect("mkdir");
        }
        Env { dir, config }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (in `files/`, outside the drop folder) and returns its path.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let d = self.dir.path().join("files");
        std::fs::create_dir_all(&d).expect("mkdir files");
        let p = d.join(name);
        std::fs::write(&p, bytes).expect("write file");
        p
    }

    /// Runs `shingled <args> --config <this config>` and returns stdout
    /// lines parsed as JSON; panics on a non-zero exit.
    pub fn json_lines(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let out = self.run_ok(args);
        out.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON {l}: {e}")))
            .collect()
    }

    /// Runs a command with `--config` and returns stdout.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("run shingled");
        assert!(
            out.status.success(),
            "shingled {args:?} failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// `shingled <args[0]> --config C <args[1..]>`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.arg(args[0]).arg("--config").arg(&self.config);
        c.args(&args[1..]);
        c
    }

    /// `ingest` the given paths; one JSON object per file.
    pub fn ingest(&self, paths: &[&Path]) -> Vec<serde_json::Value> {
        let mut args = vec!["ingest".to_string()];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.json_lines(&refs)
    }
}

/// The real binary built by cargo for this test run, or the one named by
/// `SHINGLED_BIN` (to run the suite against another build, e.g. an
/// installed copy or the build before a change, to see a new test fail).
pub fn bin() -> PathBuf {
    std::env::var_os("SHINGLED_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_shingled")),
        PathBuf::from,
    )
}

/// The shared corpus folder (`SHINGLED_CORPUS` or `../shared/corpus`).
/// Panics loudly when it is missing: these tests never skip silently.
pub fn corpus() -> PathBuf {
    let p = std::env::var_os("SHINGLED_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        PathBuf::from,
    );
    assert!(
        p.is_dir(),
        "THE CORPUS IS MISSING at {}: set SHINGLED_CORPUS to the shared/corpus folder",
        p.display()
    );
    p
}

/// The seed file (`SHINGLED_SEED` or `../shared/seed/000_5fd76cd318a97683.txt`).
pub fn seed() -> PathBuf {
    let p = std::env::var_os("SHINGLED_SEED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed/000_5fd76cd318a97683.txt"),
        PathBuf::from,
    );
    assert!(
        p.is_file(),
        "THE SEED FILE IS MISSING at {}: set SHINGLED_SEED",
        p.display()
    );
    p
}

/// Every `articles/*.txt` under the corpus, sorted by path.
pub fn corpus_articles() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root = corpus();
    let mut sources: Vec<_> = std::fs::read_dir(&root)
        .expect("read corpus")
        .filter_map(Result::ok)
        .map(|e| e.path().join("articles"))
        .filter(|p| p.is_dir())
        .collect();
    sources.sort();
    for s in sources {
        let mut files: Vec<_> = std::fs::read_dir(&s)
            .expect("read articles")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        out.extend(files);
    }
    out
}
