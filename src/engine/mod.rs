//! The Monte Carlo engine: one run ([`run`]), many runs in parallel and deterministically
//! ([`many`]), and the addressed random numbers both use ([`rng`]); [`given`] conditions
//! runs on observations (`--given`).

pub mod given;
pub mod many;
pub mod rng;
pub mod run;
pub mod ticks;
pub(crate) mod watch;

use crate::scenario::OutcomeId;

/// What one run produced. The engine reuses one record per worker: every `Vec` keeps its
/// capacity between runs.
#[derive(Clone, Debug, Default)]
pub struct RunRecord {
    /// Run index.
    pub run: u64,
    /// Parameter values drawn, indexed like `Model::params`.
    pub params: Vec<f64>,
    /// Final state, indexed like `Model::vars`.
    pub state: Vec<f64>,
    /// Time each node first happened, NaN if it did not; indexed like `Model::nodes`.
    pub first_time: Vec<f64>,
    /// How many times each node happened.
    pub counts: Vec<u32>,
    /// Nodes in the order of their first happening (each once).
    pub path: Vec<u32>,
    /// How the run ended.
    pub outcome: OutcomeId,
    /// When it ended (the horizon, or the time of the ending step).
    pub end_time: f64,
    /// Highest rung of the nodes that happened (0 if none).
    pub max_rung: u32,
    /// Highest rung per actor, indexed like `Model::actors` (0 if none of its nodes happened).
    pub actor_max_rung: Vec<u32>,
}
