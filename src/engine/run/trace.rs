//! What `rungs trace` sees of a run: the events, and the receiver the engine is generic over.

use crate::scenario::{NodeId, StepId};

/// What happened in a run, in time order, for `rungs trace`.
#[derive(Clone, Debug, PartialEq)]
pub enum TraceEvent {
    /// A parameter took its value.
    Param {
        /// Which.
        param: usize,
        /// Its value.
        value: f64,
    },
    /// A probability step was enabled and decided.
    Decided {
        /// Time.
        t: f64,
        /// Which step.
        step: StepId,
        /// Its probability.
        probability: f64,
        /// The uniform draw compared with it.
        draw: f64,
        /// When it will happen, if it will.
        due: Option<f64>,
    },
    /// A hazard step's rate was (re)set.
    Hazard {
        /// Time.
        t: f64,
        /// Which step.
        step: StepId,
        /// Rate per time unit (0 when paused).
        rate: f64,
        /// When it will happen if nothing changes.
        due: f64,
    },
    /// A step or branch happened.
    Happened {
        /// Time.
        t: f64,
        /// Which node.
        node: NodeId,
        /// For a branch: the uniform draw that chose it.
        draw: Option<f64>,
    },
    /// An effect changed a variable.
    Effect {
        /// Which variable.
        var: usize,
        /// Before.
        old: f64,
        /// After.
        new: f64,
    },
    /// A step was cancelled by one that excludes it.
    Excluded {
        /// Time.
        t: f64,
        /// Which step.
        step: StepId,
    },
    /// The run ended.
    Ended {
        /// Time.
        t: f64,
        /// Outcome index.
        outcome: usize,
    },
}

/// Receives trace events. The engine is generic over it so that the untraced loop compiles
/// to nothing extra.
pub trait Tracer {
    /// Whether events are wanted at all (lets the compiler drop their construction).
    const ON: bool;
    /// One event.
    fn event(&mut self, e: TraceEvent);
}

/// No tracing.
pub struct NoTrace;

impl Tracer for NoTrace {
    const ON: bool = false;
    #[inline]
    fn event(&mut self, _: TraceEvent) {}
}

impl Tracer for Vec<TraceEvent> {
    const ON: bool = true;
    fn event(&mut self, e: TraceEvent) {
        self.push(e);
    }
}
