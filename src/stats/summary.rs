//! Everything `rungs run` reports about a set of runs, as one mergeable accumulator.

use serde::{Deserialize, Serialize};

use crate::engine::RunRecord;
use crate::scenario::Model;
use crate::stats::Merge;

/// The statistics of a set of runs of one model.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    // Fields chosen by the implementation.
}

impl Summary {
    /// An empty summary shaped for `model`.
    pub fn new(model: &Model) -> Summary {
        let _ = model;
        todo!()
    }

    /// Adds one run.
    pub fn record(&mut self, model: &Model, run: &RunRecord) {
        let _ = (model, run);
        todo!()
    }
}

impl Merge for Summary {
    fn merge(&mut self, other: &Self) {
        let _ = other;
        todo!()
    }
}
