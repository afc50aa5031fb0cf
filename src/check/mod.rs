//! Scenario checks: `[[checks]]` tables in which a scenario states what its runs must show,
//! and `rungs check`, which runs them and decides each one from the evidence.
//!
//! ```toml
//! [[checks]]
//! claim = "the chain: 0.6 x 0.5 = 0.3"
//! expect = "0.28 < p(second) < 0.32"
//!
//! [[checks]]
//! claim = "a likelier first step makes the second likelier"
//! vary = { p_first = [0.4, 0.6] }
//! expect = "rises(p(second))"
//! ```
//!
//! - [`lang`] parses `expect`, the statistics language: `p(E)`, `p(E | F)`, `mean_time(id)`,
//!   compared with numbers, or `rises(...)` / `falls(...)`; `E` and `F` are conditions of the
//!   scenario's own expression language, over step, branch and outcome ids (did it happen in
//!   the run), parameters (this run's value) and state variables (their final value).
//! - [`load`] reads the `[[checks]]` tables when the scenario loads, so `rungs validate`
//!   reports their mistakes with file:line:col.
//! - [`decide`] runs them (in parallel, deterministically) and decides each: `ok`, `FAIL`
//!   or `undecided`. How, and why, is in docs/checks.md.

pub mod decide;
pub(crate) mod lang;
pub(crate) mod load;

use crate::diag::Span;
use crate::expr::Expr;
use crate::scenario::{NodeId, OutcomeId, ParamId};

/// Runs of a check that gives no `runs` and is not overridden by `--runs`.
pub const DEFAULT_CHECK_RUNS: u64 = 20_000;

/// One `[[checks]]` table, parsed and resolved.
#[derive(Clone, Debug)]
pub struct Check {
    /// `claim`: what the check encodes, in words (often a quotation).
    pub claim: String,
    /// `expect` as written.
    pub expect: String,
    /// What `expect` means.
    pub claim_kind: Claim,
    /// `vary = { param = [a, b] }`: the parameter and its two values (for rises/falls).
    pub vary: Option<(ParamId, [f64; 2])>,
    /// `runs`, if given.
    pub runs: Option<u64>,
    /// `seed`, if given.
    pub seed: Option<u64>,
    /// Where the check's `expect` is in the file.
    pub span: Span,
}

/// What `expect` claims.
#[derive(Clone, Debug)]
pub enum Claim {
    /// The statistic lies within bounds (`p(x) > 0.5`, `0.2 < p(x) < 0.4`,
    /// `mean_time(x) <= 30`).
    Within {
        /// The statistic.
        stat: Stat,
        /// Its bounds.
        bounds: Bounds,
    },
    /// An exact count: the probability is 0 (`== 0`, `<= 0`): pass iff no run shows it.
    Never(Stat),
    /// An exact count: the probability is 1 (`== 1`, `>= 1`): pass iff every run shows it.
    Always(Stat),
    /// `rises(stat)` or `falls(stat)` between the two values of `vary`.
    Trend {
        /// The statistic.
        stat: Stat,
        /// `rises` (true) or `falls` (false).
        rises: bool,
    },
}

impl Claim {
    /// The statistic the claim is about.
    pub fn stat(&self) -> &Stat {
        match self {
            Claim::Within { stat, .. }
            | Claim::Never(stat)
            | Claim::Always(stat)
            | Claim::Trend { stat, .. } => stat,
        }
    }
}

/// One end of [`Bounds`]: the number and whether it is included (`<=`, `>=`).
pub type Bound = (f64, bool);

/// Where a statistic must lie.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bounds {
    /// Lower bound, if any.
    pub lower: Option<Bound>,
    /// Upper bound, if any.
    pub upper: Option<Bound>,
}

impl Bounds {
    /// Whether `x` satisfies the bounds.
    pub fn holds(&self, x: f64) -> bool {
        let lo = self
            .lower
            .is_none_or(|(b, inc)| if inc { x >= b } else { x > b });
        let hi = self
            .upper
            .is_none_or(|(b, inc)| if inc { x <= b } else { x < b });
        lo && hi
    }
}

/// A statistic over runs.
#[derive(Clone, Debug)]
pub enum Stat {
    /// `p(E)` or `p(E | F)`: the share of runs (in which `F` holds) in which `E` holds.
    P {
        /// `E`.
        event: Box<Expr>,
        /// `F`, if given.
        given: Option<Box<Expr>>,
    },
    /// `mean_time(id)`: the mean time a step or branch first happened, over the runs in which
    /// it happened, or the mean end time of the runs with an outcome.
    MeanTime(Target),
}

impl Stat {
    /// Whether it is a probability.
    pub fn is_probability(&self) -> bool {
        matches!(self, Stat::P { .. })
    }
}

/// What `mean_time` times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A step or branch: its first time.
    Node(NodeId),
    /// An outcome: the end time of the runs it ends.
    Outcome(OutcomeId),
}
