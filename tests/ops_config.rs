//! Issue #18, items 3 and 10, through the real binary: configured folders
//! that do not exist are refused naming the key (unless the config allows
//! creating them), and where a command finds its config when `--config`
//! is not given.

use crate::daemon_util::{START_TIMEOUT, daemon_env, spawn, start, write_config};
use crate::util::{Env, bin};
use std::path::Path;
use std::process::{Command, Output};

fn text(o: &Output) -> String {
    format!(
        "status {}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A daemon config whose `key` points at a path under a folder that does
/// not exist.
fn env_with_missing(key: &str, extra: &[(&str, &str)]) -> (Env, std::path::PathBuf) {
    let env = Env::new();
    let missing = env
        .path("typo/nested")
        .join(key.trim_start_matches("paths."));
    let value = format!("\"{}\"", missing.display());
    let mut over = vec![(key, value.as_str())];
    over.extend_from_slice(extra);
    write_config(&env, &over);
    (env, missing)
}

#[test]
fn a_missing_configured_folder_is_refused_naming_the_key() {
    for key in [
        "paths.drop",
        "paths.archive",
        "paths.quarantine",
        "paths.store",
    ] {
        let (env, missing) = env_with_missing(key, &[]);
        for cmd in ["check-config", "run"] {
            let o = env.command(&[cmd]).output().expect("run shingled");
            assert_eq!(
                o.status.code(),
                Some(78),
                "{cmd} with {key} missing: {}",
                text(&o)
            );
            let err = stderr(&o);
            assert!(err.contains(key), "{cmd}: the message names `{key}`: {err}");
            assert!(
                err.contains(&missing.display().to_string()) || key == "paths.store",
                "{cmd}: the message names the folder: {err}"
            );
            assert!(
                !env.path("typo").exists(),
                "{cmd} with {key} created {}",
                missing.display()
            );
        }
    }
}

#[test]
fn missing_folders_are_created_only_when_the_config_says_so() {
    let (env, missing) = env_with_missing("paths.drop", &[("paths.create_missing", "true")]);
    let o = env
        .command(&["check-config"])
        .output()
        .expect("check-config");
    assert!(o.status.success(), "{}", text(&o));
    let d = start(&env, &[]);
    assert!(
        missing.is_dir(),
        "create_missing = true creates {}",
        missing.display()
    );
    d.stop();
}

#[test]
fn a_folder_that_cannot_be_created_names_the_key() {
    let env = Env::new();
    std::fs::write(env.path("a-file"), "not a folder").expect("write");
    let under_file = format!("\"{}\"", env.path("a-file/drop").display());
    write_config(
        &env,
        &[
            ("paths.drop", under_file.as_str()),
            ("paths.create_missing", "true"),
        ],
    );
    let mut d = spawn(&env, &[]);
    let s = d.wait_exit(START_TIMEOUT);
    assert_eq!(s.code(), Some(78), "{}", d.log_text());
    assert!(d.log_text().contains("paths.drop"), "{}", d.log_text());
}

#[test]
fn the_store_folder_is_created_inside_an_existing_parent() {
    let env = daemon_env(&[]);
    assert!(!env.path("store").exists());
    let d = start(&env, &[]);
    assert!(env.path("store").is_dir());
    d.stop();
}

/// `shingled ARGS` with no `--config`, and `SHINGLED_CONFIG` as given.
fn bare(args: &[&str], config_env: Option<&Path>) -> Output {
    let mut c = Command::new(bin());
    c.args(args).env_remove("SHINGLED_CONFIG");
    if let Some(p) = config_env {
        c.env("SHINGLED_CONFIG", p);
    }
    c.output().expect("run shingled")
}

#[test]
fn shingled_config_names_the_config_when_the_flag_is_absent() {
    let env = daemon_env(&[]);
    let o = bare(&["stats"], Some(&env.config));
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stats JSON");
    assert_eq!(v["articles"], 0);
    // The flag wins over the variable.
    let broken = env.path("broken.toml");
    std::fs::write(&broken, "[paths\n").expect("write");
    let o = env
        .command(&["stats"])
        .env("SHINGLED_CONFIG", &broken)
        .output()
        .expect("stats");
    assert!(
        o.status.success(),
        "--config beats SHINGLED_CONFIG: {}",
        text(&o)
    );
    let o = bare(&["stats"], Some(&broken));
    assert_eq!(o.status.code(), Some(78), "{}", text(&o));
    assert!(stderr(&o).contains("broken.toml"), "{}", text(&o));
}

#[test]
fn without_any_config_the_message_names_every_place_looked() {
    let default = Path::new("/etc/shingled/shingled.toml");
    assert!(
        !default.exists(),
        "this test needs a machine without {}: it checks the message when no config is found",
        default.display()
    );
    let o = bare(&["stats"], None);
    assert_eq!(o.status.code(), Some(78), "{}", text(&o));
    let err = stderr(&o);
    for place in ["--config", "SHINGLED_CONFIG", "/etc/shingled/shingled.toml"] {
        assert!(err.contains(place), "the message names {place}: {err}");
    }
}

#[test]
fn commands_that_write_name_their_config_and_store() {
    let env = daemon_env(&[]);
    let f = env.file("a.txt", crate::daemon_util::article(10, 1));
    let store = env.path("store").display().to_string();
    let config = env.config.display().to_string();
    let o = env
        .command(&["ingest", f.to_str().expect("utf-8 path")])
        .output()
        .expect("ingest");
    assert!(o.status.success(), "{}", text(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&config) && err.contains(&store),
        "ingest names both: {err}"
    );
    for cmd in ["reindex", "reingest"] {
        let o = env.command(&[cmd]).output().expect(cmd);
        assert!(o.status.success(), "{cmd}: {}", text(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&config) && err.contains(&store),
            "{cmd} names both: {err}"
        );
    }
    let d = start(&env, &[]);
    let ready = d
        .log_lines()
        .into_iter()
        .find(|l| l["message"] == "shingled is ready")
        .expect("ready line");
    assert_eq!(ready["config"], config.as_str(), "{ready}");
    assert_eq!(ready["store"], store.as_str(), "{ready}");
    d.stop();
}
