//! shingled: a drop-folder news ingestion daemon.
//!
//! # Layout
//!
//! ```text
//! watch -> intake -> decode -> normalize -> fingerprint -> dedup -> commit (store + changelog) -> api
//! ```
//!
//! | module | purity | what it does |
//! |---|---|---|
//! | [`config`] | pure (+ `Config::load`) | the validated, immutable configuration |
//! | [`model`] | pure | types that cross stage boundaries |
//! | [`decode`] | pure | bytes to text (encodings, binary sniffing) |
//! | [`formats`] | pure | HTML / JSON / gzip / zstd files to the same stories as text |
//! | [`normalize`] | pure | text to stories of typed blocks, match keys |
//! | [`fingerprint`] | pure | shingles, winnowed fingerprints, verification |
//! | [`index`] | in memory | fingerprint → blocks, owned by the writer |
//! | [`dedup`] | pure | article-level decisions from block matches |
//! | [`changelog`] | pure | the change-log event format |
//! | [`commit`] | single writer | decisions + one atomic store batch per file |
//! | [`store`] | I/O | the only module that names sled |
//! | [`ingest`] | I/O (files) | the `ingest` command's driver |
//! | [`daemon`] | wiring | `shingled run`: start-up, signals, reload, shutdown |
//! | [`watch`] | notify thread | filesystem events to hints (names + a rescan flag) |
//! | [`intake`] | I/O (drop folder) | names, settling, safe open/read, ordered hand-off |
//! | [`writer`] | single writer | group commit: commit, flush, move, fsync, log |
//! | [`archive`] | I/O (folders) | moves to archive/quarantine, sidecars, dir fsync |
//! | [`api`] | I/O (sockets) | the local HTTP API and the CLI's client for it |
//! | [`monitor`] | shared atomics | counters, heartbeat, metric names |
//! | [`telemetry`] | global | tracing output, log escaping, error rate limits |
//! | [`sd`] | I/O | systemd notify protocol and watchdog |
//! | [`failpoint`] | test hook | crash points (cargo feature `failpoints`) |

pub mod api;
pub mod archive;
pub mod changelog;
pub mod commit;
pub mod config;
pub mod daemon;
pub mod decode;
pub mod dedup;
pub mod explain;
pub mod failpoint;
pub mod fingerprint;
pub mod formats;
pub mod index;
pub mod ingest;
pub mod intake;
pub mod model;
pub mod monitor;
pub mod normalize;
pub mod repair;
pub mod sd;
pub mod store;
pub mod telemetry;
pub mod views;
pub mod watch;
pub mod writer;
