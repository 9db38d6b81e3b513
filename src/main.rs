//! The `shingled` binary: parse the command line, load the config, call the
//! library, map the result to an exit code. Nothing else lives here.

use anyhow::Context;
use clap::{Parser, Subcommand};
use shingled::config::Config;
use shingled::store::Store;
use shingled::{commit, ingest, views};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Exit status for configuration errors (sysexits EX_CONFIG); the systemd
/// unit sets `RestartPreventExitStatus=78` so a bad config never restart-loops.
const EX_CONFIG: u8 = 78;

#[derive(Parser)]
#[command(
    name = "shingled",
    version,
    about = "Turns a drop folder of scraped news files into a clean, deduplicated article store",
    long_about = "shingled watches a drop folder, splits each file into stories of typed blocks \
                  (title, timestamp, dateline, byline, credit, paragraph, caption, boilerplate), \
                  finds exact and near-duplicate blocks against everything ever ingested, and \
                  keeps canonical articles with versions and an append-only change log in sled."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the pipeline on files in place (they are not moved) and print one
    /// JSON line per file: {file, blake3, outcome, reason, articles[]}.
    Ingest {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
        /// Files to ingest, in this order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the stories and typed blocks of a file as JSON, without
    /// touching the store (a dry run for debugging the rules).
    Normalize {
        /// The file.
        file: PathBuf,
    },
    /// Print every canonical article at its current version, one JSON line
    /// each (NDJSON).
    Export {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Print the change log as NDJSON, oldest first.
    Log {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
        /// Only events with a seq greater than this.
        #[arg(long, default_value_t = 0)]
        since: u64,
    },
    /// Print one article as readable text.
    Show {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
        /// The article id (16 hex digits).
        id: String,
        /// Print the export JSON line instead.
        #[arg(long)]
        json: bool,
    },
    /// Print counts: articles, versions, blocks, sources, change-log length,
    /// boilerplate seen.
    Stats {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Check a config file and exit (0 when valid, 78 otherwise).
    CheckConfig {
        /// The config file.
        #[arg(long, short)]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            let code = if err.downcast_ref::<shingled::config::Error>().is_some() {
                EX_CONFIG
            } else {
                1
            };
            eprintln!("shingled: {err:#}");
            ExitCode::from(code)
        }
    }
}

fn load(path: &Path) -> anyhow::Result<Config> {
    Ok(Config::load(path)?)
}

fn open(config: &Config) -> anyhow::Result<Arc<Store>> {
    let store = Store::open(&config.paths.store, config.store.cache_capacity)
        .with_context(|| format!("opening the store {}", config.paths.store.display()))?;
    Ok(Arc::new(store))
}

fn json_line(out: &mut impl Write, v: &impl serde::Serialize) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match cli.command {
        Command::Ingest { config, files } => {
            let config = load(&config)?;
            let store = open(&config)?;
            let mut committer = commit::Committer::new(store, config.dedup.clone())?;
            let mut failed = None;
            ingest::run(
                &mut committer,
                &files,
                config.intake.max_file_bytes,
                config.commit.group_max_files,
                |o| {
                    if let Err(e) = json_line(&mut out, o) {
                        failed.get_or_insert(e);
                    }
                },
            )?;
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Command::Normalize { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            match ingest::analyze(&bytes) {
                Ok(parsed) => {
                    serde_json::to_writer_pretty(&mut out, &parsed)?;
                    out.write_all(b"\n")?;
                }
                Err(rej) => {
                    json_line(&mut out, &rej)?;
                    out.flush()?;
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Export { config } => {
            let store = open(&load(&config)?)?;
            for head in store.heads() {
                json_line(&mut out, &views::export_line(&store, &head?)?)?;
            }
        }
        Command::Log { config, since } => {
            let store = open(&load(&config)?)?;
            for change in store.changes(since) {
                out.write_all(&change?.1)?;
                out.write_all(b"\n")?;
            }
        }
        Command::Show { config, id, json } => {
            let store = open(&load(&config)?)?;
            let Some(article) = views::find(&store, &id)? else {
                anyhow::bail!("no article with id {id}");
            };
            if json {
                json_line(&mut out, &article)?;
            } else {
                out.write_all(views::show_text(&article).as_bytes())?;
            }
        }
        Command::Stats { config } => {
            let store = open(&load(&config)?)?;
            let s = views::stats(&store)?;
            serde_json::to_writer_pretty(&mut out, &s)?;
            out.write_all(b"\n")?;
        }
        Command::CheckConfig { config } => {
            load(&config)?;
            writeln!(out, "{}: ok", config.display())?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
