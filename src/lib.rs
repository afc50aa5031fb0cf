#![warn(missing_docs)]
//! rungs: an escalation scenario simulator.
//!
//! A scenario file (TOML) describes actors, uncertain parameters and escalation steps. The
//! library loads and checks it into a [`scenario::Model`] whose expressions are compiled
//! ([`expr`]), samples many runs of it deterministically ([`engine`]), reduces the runs into
//! mergeable statistics ([`stats`]) and writes them as CSV ([`output`]). [`sweep`] runs
//! designs of parameter points; [`check`] runs the checks a scenario states about itself;
//! [`forecast`] conditions runs on observed events, extends finished runs and runs until
//! precise;
//! [`cli`] is the command line.

pub mod check;
pub mod cli;
pub(crate) mod diag;
pub mod dist;
pub mod engine;
pub mod expr;
pub(crate) mod forecast;
pub mod graph;
pub(crate) mod input;
pub mod output;
pub mod partial;
pub(crate) mod report;
pub mod scenario;
pub mod stats;
pub mod sweep;
