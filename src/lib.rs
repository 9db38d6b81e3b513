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
//! | [`normalize`] | pure | text to stories of typed blocks, match keys |
//! | [`dedup`] | pure | article-level decisions from block matches |
//! | [`changelog`] | pure | the change-log event format |
//! | [`commit`] | single writer | decisions + one atomic store batch per file |
//! | [`store`] | I/O | the only module that names sled |
//! | [`ingest`] | I/O (files) | the `ingest` command's driver |

pub mod changelog;
pub mod commit;
pub mod config;
pub mod decode;
pub mod dedup;
pub mod ingest;
pub mod model;
pub mod normalize;
pub mod store;
pub mod views;
