//! The integration-test binary (one binary, so the suite links once).
//! Each module is a specification of one area.

mod util;

mod cli;
mod corpus_normalize;
mod seed;
