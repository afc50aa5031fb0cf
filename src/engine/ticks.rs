//! Which ticks of a scenario the engine may skip, decided once per scenario.
//!
//! Between events, a flow whose rate reads neither `t` nor a variable some flow writes has a
//! constant rate, so the variables flows write and `t` move linearly from tick to tick. A
//! guard (`when`) or a flow's `while` made of comparisons of numbers linear in those moving
//! values can then change only at a tick that can be solved for (see
//! [`Expr::tick_atoms`]): the engine adds the flows' Euler increments tick by tick without
//! evaluating anything until that tick, the next event or the horizon
//! (src/engine/run/skip.rs). A hazard whose rate reads a moving value is still re-rated at
//! every tick, with its rate expression only. What rules the shortcut out is listed in
//! [`TickPlan::reasons`], for `rungs validate`.

use crate::expr::Expr;
use crate::scenario::{Model, StepId, Trigger};

/// The comparisons of one condition that a tick can change (see [`Expr::tick_atoms`]).
#[derive(Clone, Debug, Default)]
pub struct Atoms {
    /// The comparisons, each compiled on its own.
    pub exprs: Box<[Expr]>,
    /// Whether each reads a moving value only once: then, in floating point too, it is a
    /// monotone function of the tick and changes at most once between events, so the first
    /// tick at which it changes can be found by bisection without a margin.
    pub monotone: bool,
}

/// How the engine ticks a scenario: what it may skip and what it must evaluate every tick.
#[derive(Clone, Debug)]
pub struct TickPlan {
    /// Whether the scenario ticks at all (it has flows, or something reads `t`).
    pub ticks: bool,
    /// Per flow: whether its rate reads a moving value (then, while it runs, every tick is
    /// evaluated: the variables no longer move linearly).
    pub rate_moves: Vec<bool>,
    /// Per flow: the comparisons of its `while` that read a moving value (empty: it does not
    /// move); `None`: its changes cannot be predicted, so while it matters every tick is
    /// evaluated.
    pub while_atoms: Vec<Option<Atoms>>,
    /// Per step: the same for its `when`.
    pub when_atoms: Vec<Option<Atoms>>,
    /// The hazard steps whose rate reads a moving value, in file order: re-rated every tick.
    pub rerated: Vec<StepId>,
    /// Per step: whether its hazard rate is linear in the moving values (then, between
    /// events, its spending over many ticks is an arithmetic series).
    pub rate_linear: Vec<bool>,
    /// Why some ticks are evaluated one by one, in plain words (empty: none are).
    pub reasons: Vec<String>,
}

impl TickPlan {
    /// The plan of `model`.
    pub fn new(model: &Model) -> TickPlan {
        let mut flowing = vec![false; model.vars.len()];
        for f in &model.flows {
            flowing[f.target] = true;
        }
        let moving = |v: u32| flowing[v as usize];
        let moves = |e: &Expr| e.reads_time() || e.state_read().iter().any(|&v| moving(v));
        // What a moving expression reads that moves, for messages: `t` or a variable.
        let what_moves = |e: &Expr| -> String {
            match e.state_read().iter().find(|&&v| moving(v)) {
                Some(&v) => format!("`{}` (it flows)", model.var_name(v as usize)),
                None => "`t`".to_string(),
            }
        };
        let atoms = |e: &Expr| {
            e.tick_atoms(&moving).map(|exprs| Atoms {
                monotone: exprs.iter().all(|a| a.moving_reads(&moving) <= 1),
                exprs: exprs.into_boxed_slice(),
            })
        };
        let mut reasons = Vec::new();
        let mut rate_moves = Vec::new();
        let mut while_atoms = Vec::new();
        for f in &model.flows {
            let target = model.var_name(f.target);
            let m = moves(&f.rate);
            if m {
                reasons.push(if f.rate.state_read().contains(&(f.target as u32)) {
                    format!("`{target}` feeds its own rate")
                } else {
                    format!(
                        "the rate of the flow into `{target}` reads {}",
                        what_moves(&f.rate)
                    )
                });
            }
            rate_moves.push(m);
            let w = match &f.while_ {
                None => Some(Atoms::default()),
                Some(w) => atoms(w),
            };
            if w.is_none() {
                reasons.push(format!(
                    "the `while` of the flow into `{target}` reads {} other than in comparisons \
                     of linear expressions",
                    f.while_.as_ref().map_or(String::new(), &what_moves)
                ));
            }
            while_atoms.push(w);
        }
        let mut when_atoms = Vec::new();
        let mut rerated = Vec::new();
        let mut rate_linear = Vec::new();
        for (i, s) in model.steps.iter().enumerate() {
            let w = match &s.when {
                None => Some(Atoms::default()),
                Some(w) => atoms(w),
            };
            if w.is_none() {
                reasons.push(format!(
                    "the `when` of `{}` reads {} other than in comparisons of linear \
                     expressions",
                    model.nodes[s.node].id,
                    s.when.as_ref().map_or(String::new(), &what_moves)
                ));
            }
            when_atoms.push(w);
            let hazard_rate = match &s.trigger {
                Trigger::Hazard { rate } => Some(rate),
                Trigger::Chance { .. } => None,
            };
            if hazard_rate.is_some_and(moves) {
                rerated.push(i);
            }
            rate_linear.push(hazard_rate.is_some_and(|r| r.is_linear_in(&moving)));
        }
        let ticks = !model.flows.is_empty()
            || model.steps.iter().any(|s| {
                s.when.as_ref().is_some_and(Expr::reads_time)
                    || matches!(&s.trigger, Trigger::Hazard { rate } if rate.reads_time())
            });
        TickPlan {
            ticks,
            rate_moves,
            while_atoms,
            when_atoms,
            rerated,
            rate_linear,
            reasons,
        }
    }

    /// One line for `rungs validate`: how many ticks a run has and which it evaluates.
    pub fn describe(&self, model: &Model) -> String {
        if !self.ticks {
            return "ticks: none (event-driven)".to_string();
        }
        let n = (model.horizon / model.resolution).ceil();
        let mut out = if self.reasons.is_empty() {
            format!("ticks: up to {n} per run, skipped between events where nothing can change")
        } else {
            let mut s = format!("ticks: {n} per run because {}", self.reasons[0]);
            if self.reasons.len() > 1 {
                s += &format!(" (and {} more reasons)", self.reasons.len() - 1);
            }
            s
        };
        let (linear, other): (Vec<StepId>, Vec<StepId>) =
            self.rerated.iter().partition(|&&i| self.rate_linear[i]);
        for (steps, how) in [
            (linear, "hazards spent in closed form between events"),
            (other, "hazards re-rated every tick"),
        ] {
            if steps.is_empty() {
                continue;
            }
            // The first few ids and a count: a file may have 200,000 steps.
            const LISTED: usize = 8;
            let ids: Vec<&str> = steps
                .iter()
                .take(LISTED)
                .map(|&i| model.nodes[model.steps[i].node].id.as_str())
                .collect();
            out += &format!("; {how}: {}", ids.join(", "));
            if steps.len() > LISTED {
                out += &format!(", and {} more", steps.len() - LISTED);
            }
        }
        out
    }
}
