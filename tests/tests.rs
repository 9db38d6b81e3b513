//! The integration-test binary (one binary, so the suite links once).
//! Each module is a specification of one area.

mod util;

mod access;
mod cli;
mod corpus_normalize;
mod crash;
mod crash_kinds;
mod daemon;
mod daemon_util;
mod dedup;
mod dedup_corpus;
mod dedup_store;
mod dedup_text;
mod faults;
mod formats;
mod harness2;
mod hostile;
mod kill;
mod ops_build;
mod ops_cli;
mod ops_config;
mod ops_metrics;
mod ops_store;
mod order;
mod regression;
mod seed;
mod systemd;
