//! Forecasting as the news arrives: the runs of one scenario, conditioned on observations
//! ([`Given`]), reduced into the run statistics block by block; a state a finished run keeps
//! so that `rungs extend` can add runs to it ([`RunState`]); and a rule that stops once every
//! probability is precise enough ([`Precision`]). docs/forecasting.md explains them to users.
//!
//! One driver, [`summarise`], serves `rungs run` (whole or one shard), `rungs extend` and
//! `--precision`. It computes blocks through the engine's one runner, in block order, each
//! block's agreeing runs drawn from its own stream ([`crate::engine::given`]), so the result
//! depends only on the scenario, the seed, the news and the run count.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::engine::given::{Drawn, Given, run_block_given};
use crate::engine::many::{
    BLOCK_RUNS, BatchError, Flow, RunFormatter, RunSink, block_runs, run_waves_until,
};
use crate::scenario::Model;
use crate::stats::{BlockTree, Summary, wilson};

/// What to run: the agreeing runs wanted and the blocks this process computes.
#[derive(Clone, Debug)]
pub struct Plan<'a> {
    /// The seed.
    pub seed: u64,
    /// Agreeing runs of the whole job (with a [`Precision`] rule: the most it may take).
    pub runs: u64,
    /// Worker threads.
    pub threads: usize,
    /// The news (possibly none).
    pub given: &'a Given,
    /// The blocks to compute (all of them, or a shard's, or those an extension adds).
    pub blocks: Range<u64>,
}

/// A shard's payload when the runs are conditioned on news: its merge tree (as the
/// payload of a plain shard, `nodes` at the top level) and the runs it drew.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardTree {
    /// The shard's blocks.
    #[serde(flatten)]
    pub tree: BlockTree<Summary>,
    /// Runs drawn in them.
    pub drawn: u64,
}

/// The short last block of a job, kept apart so that a longer job can continue it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LastBlock {
    /// Its index.
    pub block: u64,
    /// Its agreeing runs' statistics.
    pub summary: Summary,
    /// Its agreeing runs and draws so far.
    pub at: Drawn,
}

/// The statistics of a job so far, in a form that more blocks can be added to: the
/// complete blocks' merge tree, and the last block on its own if it is short (a job of N
/// runs that is not a multiple of [`BLOCK_RUNS`]). `rungs run` writes it into the folder
/// (extend.json) so that `rungs extend` adds only the new runs: the short block is
/// continued where it stopped, never recomputed.
///
/// Serialized with the tree's `nodes` at the top level, so the file reads as a partial of
/// the complete blocks too.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RunState {
    /// The complete blocks, `0..full.covered().end`.
    #[serde(flatten)]
    pub full: BlockTree<Summary>,
    /// The short last block, if any.
    #[serde(default)]
    pub last: Option<LastBlock>,
    /// Runs drawn in all blocks, agreeing or not (the agreeing runs without news).
    #[serde(default)]
    pub drawn: u64,
}

impl RunState {
    /// The merge tree of every block, the short last one included.
    pub fn tree(&self) -> Result<BlockTree<Summary>, String> {
        let mut tree = self.full.clone();
        if let Some(last) = &self.last {
            tree.push(last.block, 1, last.summary.clone())?;
        }
        Ok(tree)
    }

    /// Agreeing runs held.
    pub fn runs(&self) -> u64 {
        let full: u64 = self.full.nodes.iter().map(|(_, _, s)| s.runs).sum();
        full + self.last.as_ref().map_or(0, |l| l.summary.runs)
    }

    /// The first block not yet complete: where more runs continue.
    pub fn next_block(&self) -> u64 {
        self.full.covered().end
    }

    /// The merge tree of every block, as [`RunState::tree`], without copying the nodes.
    pub fn into_tree(self) -> Result<BlockTree<Summary>, String> {
        let mut tree = self.full;
        if let Some(last) = self.last {
            tree.push(last.block, 1, last.summary)?;
        }
        Ok(tree)
    }

    /// Adds block `b`, whose agreeing runs are `acc` and whose stream ended at `done`
    /// (`before`: the draws it had made before this call, when it continued a short block):
    /// a complete block goes into the tree, a short one is kept apart as the last block.
    pub fn add_block(
        &mut self,
        b: u64,
        acc: Summary,
        done: Drawn,
        before: u64,
    ) -> Result<(), String> {
        self.drawn += done.drawn - before;
        if done.accepted < BLOCK_RUNS {
            self.last = Some(LastBlock {
                block: b,
                summary: acc,
                at: done,
            });
            Ok(())
        } else {
            self.full.push(b, 1, acc)
        }
    }
}

/// Where block `b` of `model` starts: the short last block `last` continued if it is that
/// block (its runs so far and its stream position), else an empty block.
pub fn block_start(model: &Model, last: Option<&LastBlock>, b: u64) -> (Summary, Drawn) {
    match last {
        Some(last) if last.block == b => (last.summary.clone(), last.at),
        _ => (Summary::new(model), Drawn::default()),
    }
}

/// What a probability target is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A step or branch (a node index).
    Node(usize),
    /// An outcome.
    Outcome(usize),
}

/// Stop when every targeted probability's 95% (Wilson) interval has a half-width of at
/// most `half_width`.
#[derive(Clone, Debug, PartialEq)]
pub struct Precision {
    /// The largest half-width allowed.
    pub half_width: f64,
    /// The probabilities that must reach it: every step, branch and outcome unless
    /// `--precision-of` names some.
    pub targets: Vec<Target>,
}

impl Precision {
    /// The rule for `--precision E` and `--precision-of` ids (`of`; empty: every step,
    /// branch and outcome of `model`).
    pub fn new(model: &Model, half_width: f64, of: &[String]) -> Result<Precision, String> {
        if !(half_width > 0.0 && half_width < 0.5) {
            return Err(format!(
                "--precision takes the half-width of a 95% interval, between 0 and 0.5 \
                 (0.01 means ±1 percentage point), got {half_width}"
            ));
        }
        let targets = if of.is_empty() {
            (0..model.nodes.len())
                .map(Target::Node)
                .chain((0..model.outcomes.len()).map(Target::Outcome))
                .collect()
        } else {
            let mut t = Vec::new();
            for id in of.iter().map(|s| s.trim()) {
                if let Some(n) = model.node_index(id) {
                    t.push(Target::Node(n));
                } else if let Some(o) = model.outcomes.iter().position(|o| o == id) {
                    t.push(Target::Outcome(o));
                } else {
                    let mut ids: Vec<&str> = model.nodes.iter().map(|n| n.id.as_str()).collect();
                    ids.extend(model.outcomes.iter().map(String::as_str));
                    let hint = crate::diag::closest(id, &ids)
                        .map_or_else(String::new, |c| format!("; did you mean `{c}`?"));
                    return Err(format!(
                        "--precision-of: the scenario has no step, branch or outcome `{id}`{hint}"
                    ));
                }
            }
            t
        };
        Ok(Precision {
            half_width,
            targets,
        })
    }

    /// The widest half-width among the targets over `counts`, and its target.
    pub fn worst(&self, counts: &Counts) -> Option<(f64, Target)> {
        let mut worst: Option<(f64, Target)> = None;
        for &t in &self.targets {
            let k = match t {
                Target::Node(n) => counts.happened.get(n).copied().unwrap_or(0),
                Target::Outcome(o) => counts.outcomes.get(o).copied().unwrap_or(0),
            };
            let half = wilson(k, counts.runs).map_or(f64::INFINITY, |(lo, hi)| (hi - lo) / 2.0);
            if worst.is_none_or(|(w, _)| half > w) {
                worst = Some((half, t));
            }
        }
        worst
    }
}

/// The id of a target.
pub fn target_id(model: &Model, t: Target) -> &str {
    match t {
        Target::Node(n) => &model.nodes[n].id,
        Target::Outcome(o) => &model.outcomes[o],
    }
}

/// Running counts of the probabilities, for the precision rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Agreeing runs.
    pub runs: u64,
    /// Per node: runs in which it happened.
    pub happened: Vec<u64>,
    /// Per outcome: runs that ended so.
    pub outcomes: Vec<u64>,
}

impl Counts {
    fn add(&mut self, s: &Summary) {
        self.runs += s.runs;
        self.happened.resize(s.nodes.len(), 0);
        for (c, n) in self.happened.iter_mut().zip(&s.nodes) {
            *c += n.happened;
        }
        self.outcomes.resize(s.outcomes.len(), 0);
        for (c, o) in self.outcomes.iter_mut().zip(&s.outcomes) {
            *c += o.count;
        }
    }
}

/// Where a job is, for a progress bar.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Agreeing runs done.
    pub runs: u64,
    /// Runs drawn.
    pub drawn: u64,
    /// With a precision rule: the widest half-width now, and its target.
    pub worst: Option<(f64, Target)>,
}

/// What [`summarise`] did.
#[derive(Clone, Debug)]
pub struct Ran {
    /// The statistics.
    pub state: RunState,
    /// Agreeing runs reached: the plan's, or where the precision rule stopped.
    pub runs: u64,
    /// With a precision rule: the widest half-width at the end, and its target.
    pub worst: Option<(f64, Target)>,
}

impl Ran {
    /// Whether the precision rule (if any) was met.
    pub fn met(&self, precision: Option<&Precision>) -> bool {
        match (precision, self.worst) {
            (Some(p), Some((w, _))) => w <= p.half_width,
            _ => true,
        }
    }
}

/// Runs the blocks of `plan` of `model`, continuing `resume` (empty for a new job; for an
/// extension, a finished job whose complete blocks end where `plan.blocks` starts), each
/// block drawn until its quota of runs agrees with the news. With `precision`, stops after
/// the first block at whose end every target is precise enough: the result is the same
/// bytes as a job of that many runs. `progress` is called after each block; with
/// `per_run`, each agreeing run's formatted bytes go to the sink in run order.
///
/// With observations, the first block runs alone before the others start: news the
/// scenario cannot produce is reported after one block's draw budget, not after a wave of
/// them.
pub fn summarise(
    model: &Model,
    plan: &Plan<'_>,
    resume: RunState,
    precision: Option<&Precision>,
    progress: &dyn Fn(&Progress),
    per_run: Option<(RunFormatter<'_>, RunSink<'_>)>,
) -> Result<Ran, BatchError> {
    let (format, mut sink) = match per_run {
        Some((f, s)) => (Some(f), Some(s)),
        None => (None, None),
    };
    let mut state = resume;
    let continued = state.last.take();
    let mut counts = Counts::default();
    if precision.is_some() {
        for (_, _, s) in &state.full.nodes {
            counts.add(s);
        }
    }
    let mut reached = state.runs();
    let mut worst = None;
    let work = |_: &(), b: u64| {
        let r = block_runs(b, plan.runs);
        let quota = r.end - r.start;
        let (mut acc, at) = block_start(model, continued.as_ref(), b);
        let mut bytes = Vec::new();
        let format = format.map(|f| (f, &mut bytes));
        let done = run_block_given(model, plan.seed, plan.given, b, quota, at, &mut acc, format)?;
        Ok((acc, done, bytes, at.drawn))
    };
    type Done = Result<Drawn, crate::engine::given::Disagree>;
    let mut take = |b: u64, (acc, done, bytes, before): (Summary, Done, Vec<u8>, u64)| {
        let done = done.map_err(|e| BatchError::Disagree(Box::new(e)))?;
        if let Some(sink) = sink.as_mut() {
            sink(&bytes).map_err(|e| BatchError::Io(e.to_string()))?;
        }
        reached = block_runs(b, plan.runs).end;
        if precision.is_some() {
            counts.add(&acc);
        }
        state
            .add_block(b, acc, done, before)
            .map_err(BatchError::Internal)?;
        worst = precision.and_then(|p| p.worst(&counts));
        progress(&Progress {
            runs: reached,
            drawn: state.drawn,
            worst,
        });
        let met = match (precision, worst) {
            (Some(p), Some((w, _))) => w <= p.half_width,
            _ => false,
        };
        Ok(if met { Flow::Stop } else { Flow::Continue })
    };
    // With news, block one alone first (see above); then the rest in waves.
    let first = plan.blocks.start;
    let split = if plan.given.is_empty() || plan.blocks.is_empty() {
        first
    } else {
        first + 1
    };
    for part in [first..split, split..plan.blocks.end] {
        if part.is_empty() {
            continue;
        }
        let end = part.end;
        let stopped =
            run_waves_until(plan.threads, part, |_| (), work, &mut take).map_err(|e| e.error)?;
        if stopped < end {
            break;
        }
    }
    Ok(Ran {
        state,
        runs: reached,
        worst,
    })
}

/// Acceptance as a sentence: `8,301 of 25,000 runs drawn agree with the news (33.2%)`.
pub fn acceptance(runs: u64, drawn: u64) -> String {
    let rate = if drawn == 0 {
        0.0
    } else {
        100.0 * runs as f64 / drawn as f64
    };
    let pct = if rate < 0.1 {
        format!("{rate:.4}%")
    } else {
        format!("{rate:.1}%")
    };
    format!(
        "{} of {} runs drawn agree with the news ({pct})",
        crate::engine::given::thousands(runs),
        crate::engine::given::thousands(drawn)
    )
}
