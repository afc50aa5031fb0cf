//! One run of a model: the discrete-event loop of the scenario language's semantics.
//!
//! A [`Runner`] owns every per-run buffer and is reused run after run, so the loop does not
//! allocate. Time advances from event to event; while a flow runs (or an expression reads `t`)
//! it also advances in ticks aligned to multiples of `resolution`, an event inside a tick
//! splitting it.
//!
//! Decisions where the spec leaves room (documented in docs/scenario-language.md):
//! - Hazard steps use the integrated-hazard method: each waiting period draws one unit
//!   exponential budget `E`; the step happens when the integral of its rate reaches `E`.
//!   Re-evaluating the rate at every change of state and spending the remaining budget at the
//!   new rate is equivalent in law to redrawing the remaining time (memorylessness), costs one
//!   draw instead of one per change, and keeps common random numbers aligned.
//! - A paused hazard keeps the budget it has not spent.
//! - Events at exactly the horizon happen.

mod draws;
mod error;
mod flows;
mod skip;
mod trace;

pub use error::{RunError, reproduce_in};
pub use skip::TickCount;
pub use trace::{NoTrace, TraceEvent, Tracer};

use rand_distr::{Distribution as _, Exp1};

use crate::dist::copula::Copula;
use crate::engine::RunRecord;
use crate::engine::rng::{self, Purpose};
use crate::engine::ticks::TickPlan;
use crate::engine::watch::{StepSet, Watchers, moves_with_time};
use crate::expr::{Env, Expr};
use crate::scenario::{Delay, Model, NodeId, ParamValue, StepId, Trigger};

/// At most this many events in one run; beyond, the run stops with an error naming the step
/// that keeps happening.
pub const MAX_EVENTS: u64 = 10_000_000;

/// Internal results: the error boxed, so that the results the hot loop passes around stay
/// two words wide.
type Fallible<T> = Result<T, Box<RunError>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for its guard.
    Waiting,
    /// Decided yes; happens at its due time.
    Scheduled,
    /// A hazard step whose guard holds: its clock runs.
    Running,
    /// Will not happen again in this run (declined, excluded, or repeats used up).
    Over,
}

#[derive(Clone, Copy, Debug)]
struct StepState {
    phase: Phase,
    /// Hazard steps: the unit-exponential budget still to spend (NaN: not drawn yet).
    budget: f64,
    /// Hazard steps: the current rate and since when it applies.
    rate: f64,
    since: f64,
}

impl StepState {
    const NEW: StepState = StepState {
        phase: Phase::Waiting,
        budget: f64::NAN,
        rate: 0.0,
        since: 0.0,
    };
}

/// Precomputed per-step sites (addresses of random streams).
#[derive(Clone, Copy, Debug)]
struct StepSites {
    chance: u64,
    delay: u64,
    hazard: u64,
    branch: u64,
}

/// Runs runs of one model, reusing its buffers.
pub struct Runner<'m> {
    model: &'m Model,
    seed: u64,
    param_sites: Vec<u64>,
    step_sites: Vec<StepSites>,
    /// Whether any guard, hazard or flow reads `t` (then the engine ticks all the time).
    reads_time: bool,
    /// Parameter values at the start of a run: the fixed ones set, the others 0.
    fixed_params: Vec<f64>,
    /// The parameters to compute each run (drawn and derived), in evaluation order.
    varying_params: Vec<usize>,
    /// The Gaussian copula of the correlated parameters, drawn first in each run.
    copula: Copula,
    /// Per parameter: whether the copula draws it.
    correlated: Vec<bool>,
    /// The initial state, when every initial value is a finite constant (else evaluated
    /// each run).
    constant_state: Option<Vec<f64>>,
    /// Which steps each change can affect (see [`Watchers`]).
    watchers: Watchers,
    /// Per flow: whether a tick can change its `while` or its rate (else both are kept
    /// from the last event).
    flow_tick_sensitive: Vec<bool>,
    // Per-run buffers.
    steps: Vec<StepState>,
    /// Per step: when it happens next if nothing changes (INFINITY: not scheduled). Set
    /// only through [`Runner::set_due`].
    due: Vec<f64>,
    /// The steps with a finite due time, in no order: the next event is among them, and
    /// there are usually far fewer of them than steps.
    pending: Vec<StepId>,
    /// The steps the next settle looks at: those whose guard or rate may have changed.
    dirty: StepSet,
    /// The steps whose `after` and `any_of` hold (they stay so: counts never fall). Only
    /// these can be opened or re-rated by a change of a variable or of time, so only these
    /// are woken by one.
    armed: StepSet,
    /// Every step (for [`Runner::look_at_every_step`]).
    every_step: StepSet,
    /// Whether every settle looks at every step, as the spec's literal reading does.
    look_at_all: bool,
    /// What ticks may be skipped (see [`TickPlan`]).
    plan: TickPlan,
    /// Whether to skip the ticks the plan allows (off: every tick is evaluated).
    skipping: bool,
    /// Ticks evaluated and skipped, over all runs so far.
    tick_count: TickCount,
    /// Buffers of the tick prediction: a predicted state, and the comparisons' values now.
    scratch: Vec<f64>,
    atoms_now: Vec<f64>,
    /// The flowing variables' lines (see flows.rs), and per flow the index of its line.
    lines: Vec<flows::Line>,
    line_of_flow: Vec<usize>,
    /// Buffer of [`Runner::rate_flows`]: the lines' new rates.
    line_rates: Vec<f64>,
    /// The running hazards re-rated in skipped ticks.
    rerating: Vec<StepId>,
    /// Their spending over a stretch of ticks, in closed form (skip.rs).
    series: Vec<skip::Series>,
    /// The running re-rated hazards whose rate is not linear (skip.rs).
    rerating_other: Vec<StepId>,
    /// Draw counters of the step sites, `4 * step + purpose`.
    counters: Vec<u64>,
    flow_rates: Vec<f64>,
    /// Whether each flow's `while` held when its rate was last evaluated.
    flow_runs: Vec<bool>,
    run_key: u64,
    run: u64,
    t: f64,
}

/// Where a draw or a value came from, for errors.
enum Site {
    Param(usize),
    Step(StepId),
    Node(NodeId),
}

impl<'m> Runner<'m> {
    /// A runner for `model` with `seed`.
    pub fn new(model: &'m Model, seed: u64) -> Runner<'m> {
        let param_sites = model
            .params
            .iter()
            .map(|p| rng::site(Purpose::Param, &p.id))
            .collect();
        let step_sites = model
            .steps
            .iter()
            .map(|s| {
                let id = &model.nodes[s.node].id;
                StepSites {
                    chance: rng::site(Purpose::Chance, id),
                    delay: rng::site(Purpose::Delay, id),
                    hazard: rng::site(Purpose::Hazard, id),
                    branch: rng::site(Purpose::Branch, id),
                }
            })
            .collect();
        let reads_time = model.steps.iter().any(|s| {
            s.when.as_ref().is_some_and(Expr::reads_time)
                || matches!(&s.trigger, Trigger::Hazard { rate } if rate.reads_time())
        }) || model
            .flows
            .iter()
            .any(|f| f.rate.reads_time() || f.while_.as_ref().is_some_and(Expr::reads_time));
        // A tick changes `t` and the variables flows write, nothing else: an expression that
        // reads neither keeps its value from one event to the next.
        let mut flowing = vec![false; model.vars.len()];
        for f in &model.flows {
            flowing[f.target] = true;
        }
        let moves = |e: &Expr| moves_with_time(e, &flowing);
        let flow_tick_sensitive = model
            .flows
            .iter()
            .map(|f| moves(&f.rate) || f.while_.as_ref().is_some_and(moves))
            .collect();
        let fixed_params = model
            .params
            .iter()
            .map(|p| match p.value {
                ParamValue::Fixed(v) => v,
                _ => 0.0,
            })
            .collect();
        let varying_params = model
            .param_order
            .iter()
            .copied()
            .filter(|&p| !matches!(model.params[p].value, ParamValue::Fixed(_)))
            .collect();
        let (lines, line_of_flow) = flows::lines(model);
        let copula = model.copula();
        let correlated = copula.drawn(model.params.len());
        let constant_state = model
            .vars
            .iter()
            .map(|v| v.init.as_constant().filter(|x| x.is_finite()))
            .collect();
        Runner {
            model,
            seed,
            fixed_params,
            varying_params,
            constant_state,
            copula,
            correlated,
            param_sites,
            step_sites,
            reads_time,
            watchers: Watchers::new(model),
            flow_tick_sensitive,
            steps: vec![StepState::NEW; model.steps.len()],
            due: vec![f64::INFINITY; model.steps.len()],
            pending: Vec::with_capacity(model.steps.len()),
            dirty: StepSet::empty(model.steps.len()),
            armed: StepSet::empty(model.steps.len()),
            every_step: StepSet::full(model.steps.len()),
            look_at_all: false,
            plan: TickPlan::new(model),
            skipping: true,
            tick_count: TickCount::default(),
            scratch: Vec::with_capacity(model.vars.len()),
            atoms_now: Vec::new(),
            lines,
            line_of_flow,
            line_rates: Vec::new(),
            rerating: Vec::with_capacity(model.steps.len().min(64)),
            series: Vec::new(),
            rerating_other: Vec::new(),
            counters: vec![0; model.steps.len() * 4],
            flow_rates: vec![0.0; model.flows.len()],
            flow_runs: vec![false; model.flows.len()],
            run_key: 0,
            run: 0,
            t: 0.0,
        }
    }

    /// For tests: after every change look at every step, the spec's literal reading, instead
    /// of only at the steps the change can affect. Runs must come out the same either way
    /// (tests/engine.rs compares traces and records).
    #[doc(hidden)]
    pub fn look_at_every_step(&mut self, on: bool) {
        self.look_at_all = on;
    }

    /// For tests: evaluate every tick (off), instead of skipping the ticks whose outcome is
    /// known (on, the default). Runs must come out the same either way (tests/ticks.rs
    /// compares them).
    #[doc(hidden)]
    pub fn skip_ticks(&mut self, on: bool) {
        self.skipping = on;
    }

    /// How many ticks were evaluated and skipped over the runs so far.
    pub fn tick_count(&self) -> TickCount {
        self.tick_count
    }

    /// Runs run number `run` into `rec` (whose buffers are reused).
    pub fn run(&mut self, run: u64, rec: &mut RunRecord) -> Result<(), RunError> {
        self.run_traced(run, rec, &mut NoTrace)
    }

    /// Runs run number `run` into `rec`, reporting what happens to `tracer`.
    pub fn run_traced<T: Tracer>(
        &mut self,
        run: u64,
        rec: &mut RunRecord,
        tracer: &mut T,
    ) -> Result<(), RunError> {
        self.run_boxed(run, rec, tracer).map_err(|e| *e)
    }

    /// The event loop of one run. Over 100 lines on purpose: it is the hot loop, and its
    /// state (the time, the next event, whether flows run) stays in locals, in registers,
    /// across the loop; split into methods it would go through `self` on every event.
    fn run_boxed<T: Tracer>(
        &mut self,
        run: u64,
        rec: &mut RunRecord,
        tracer: &mut T,
    ) -> Fallible<()> {
        let m = self.model;
        self.run = run;
        self.run_key = rng::run_key(self.seed, run);
        self.t = 0.0;
        self.steps.fill(StepState::NEW);
        self.due.fill(f64::INFINITY);
        self.pending.clear();
        self.counters.fill(0);
        self.reset(rec, run);

        self.draw_params(rec, tracer)?;
        if self.constant_state.is_none() {
            self.init_state(rec)?;
        }

        self.dirty.clone_from(&self.watchers.at_start);
        self.armed.clone_from(&self.watchers.at_start);
        self.settle(rec, tracer)?;
        let mut events: u64 = 0;
        // Whether the last step of time was a tick (not an event): then only what time
        // moves needs evaluating again.
        let mut ticked = false;
        // Whether the last step of time was ticks after which nothing needs looking at
        // again (see [`Runner::take_ticks`]).
        let mut quiet = false;
        loop {
            // The next event: the earliest due step, ties to the first in file order.
            let mut next = usize::MAX;
            let mut next_pos = 0;
            let mut due = f64::INFINITY;
            for (k, &i) in self.pending.iter().enumerate() {
                let d = self.due[i];
                if d < due || (d == due && i < next) {
                    due = d;
                    next = i;
                    next_pos = k;
                }
            }
            let flowing = if quiet {
                // No `while` changed and the running flows' rates do not move.
                self.flow_runs.iter().any(|&r| r)
            } else {
                !m.flows.is_empty() && self.rate_flows(rec, ticked)?
            };
            ticked = false;
            quiet = false;
            let tick = if self.reads_time || flowing {
                self.next_tick()
            } else {
                f64::INFINITY
            };
            let horizon = m.horizon;
            if due <= tick && due <= horizon {
                self.advance_flows(rec, due)?;
                self.t = due;
                events += 1;
                if events >= MAX_EVENTS {
                    return Err(self.error(
                        format!("step `{}`", m.nodes[m.steps[next].node].id),
                        &Expr::constant(events as f64),
                        events as f64,
                        "the run reached 10,000,000 events; this step keeps happening",
                    ));
                }
                // It is no longer due (`happen` does not reschedule it; a later look may).
                self.pending.swap_remove(next_pos);
                self.due[next] = f64::INFINITY;
                if let Some(outcome) = self.happen(next, rec, tracer)? {
                    rec.outcome = outcome;
                    rec.end_time = self.t;
                    if T::ON {
                        tracer.event(TraceEvent::Ended { t: self.t, outcome });
                    }
                    return Ok(());
                }
            } else if tick <= horizon {
                if T::ON || self.look_at_all {
                    // Traces and the full-scan oracle show every tick.
                    self.advance_flows(rec, tick)?;
                    self.t = tick;
                    self.tick_count.evaluated += 1;
                } else {
                    quiet = self.take_ticks(rec, due, horizon)?;
                }
                ticked = true;
            } else {
                self.advance_flows(rec, horizon)?;
                self.t = horizon;
                rec.outcome = 0;
                rec.end_time = horizon;
                if T::ON {
                    tracer.event(TraceEvent::Ended {
                        t: horizon,
                        outcome: 0,
                    });
                }
                return Ok(());
            }
            if quiet {
                continue;
            }
            // Time passed (and flows may have run) up to this event or tick.
            self.dirty.union_masked(&self.watchers.by_time, &self.armed);
            self.settle(rec, tracer)?;
        }
    }

    /// Evaluates the initial state (when it is not all constants).
    fn init_state(&self, rec: &mut RunRecord) -> Fallible<()> {
        let m = self.model;
        for (i, v) in m.vars.iter().enumerate() {
            let value = v.init.eval(&env(rec, 0.0));
            if !value.is_finite() {
                return Err(self.error(
                    format!("initial value of `{}`", m.var_name(i)),
                    &v.init,
                    value,
                    "it is not a finite number",
                ));
            }
            rec.state[i] = value;
        }
        Ok(())
    }

    /// Checks the guards after a change of state: enables probability steps, starts,
    /// re-rates and pauses hazard steps. Only the steps in `dirty` are looked at (in file
    /// order): the others read nothing that changed, so they would find everything as it was.
    fn settle<T: Tracer>(&mut self, rec: &RunRecord, tracer: &mut T) -> Fallible<()> {
        if self.look_at_all {
            self.dirty.clone_from(&self.every_step);
        }
        for k in 0..self.dirty.word_count() {
            let mut bits = self.dirty.take_word(k);
            while bits != 0 {
                let i = k * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                self.look(i, rec, tracer)?;
            }
        }
        Ok(())
    }

    /// Looks at step `i` after a change of state: enables it, or starts, re-rates or pauses
    /// its hazard. Kept in one piece (over 100 lines): it is inlined into `settle`, the
    /// second-hottest code, and reads as the spec's table of a step's phases in order.
    fn look<T: Tracer>(&mut self, i: StepId, rec: &RunRecord, tracer: &mut T) -> Fallible<()> {
        let m = self.model;
        let phase = self.steps[i].phase;
        if phase == Phase::Over || phase == Phase::Scheduled {
            return Ok(());
        }
        let step = &m.steps[i];
        if !self.armed.contains(i) {
            if !step.after.iter().all(|&n| rec.counts[n] > 0)
                || !(step.any_of.is_empty() || step.any_of.iter().any(|&n| rec.counts[n] > 0))
            {
                // Not armed: its guard is false and, if it is a hazard, it is waiting.
                return Ok(());
            }
            self.armed.insert(i);
        }
        // Looking changes no variable: one environment serves every expression.
        let env = env(rec, self.t);
        let open = match &step.when {
            None => true,
            Some(w) => {
                let v = w.eval(&env);
                if v.is_nan() {
                    return Err(self.not_a_condition(w, "`when`", Site::Step(i)));
                }
                v != 0.0
            }
        };
        match &step.trigger {
            Trigger::Chance { probability, delay } => {
                if !open {
                    return Ok(());
                }
                let p = self.checked(
                    probability,
                    &env,
                    Site::Step(i),
                    Some((0.0, 1.0)),
                    "probability",
                )?;
                let mut stream = self.stream(i, Purpose::Chance);
                let u = stream.unit();
                self.save(i, Purpose::Chance, &stream);
                if u < p {
                    let d = match delay {
                        Delay::Value(e) => self.checked(
                            e,
                            &env,
                            Site::Step(i),
                            Some((0.0, f64::INFINITY)),
                            "delay",
                        )?,
                        Delay::Drawn(dist) => {
                            let mut stream = self.stream(i, Purpose::Delay);
                            let d = self.sample(dist, &env, &mut stream, Site::Step(i))?;
                            self.save(i, Purpose::Delay, &stream);
                            if d < 0.0 {
                                return Err(self.error(
                                    self.site_name(&Site::Step(i)),
                                    &dist.args()[0],
                                    d,
                                    "its delay must be at least 0",
                                ));
                            }
                            d
                        }
                    };
                    self.steps[i].phase = Phase::Scheduled;
                    self.set_due(i, self.t + d);
                } else {
                    self.steps[i].phase = Phase::Over;
                }
                if T::ON {
                    let due = (u < p).then_some(self.due[i]);
                    tracer.event(TraceEvent::Decided {
                        t: self.t,
                        step: i,
                        probability: p,
                        draw: u,
                        due,
                    });
                }
            }
            Trigger::Hazard { rate } => {
                let t = self.t;
                let new_rate = if open {
                    self.checked(
                        rate,
                        &env,
                        Site::Step(i),
                        Some((0.0, f64::INFINITY)),
                        "hazard rate",
                    )?
                } else {
                    0.0
                };
                let s = self.steps[i];
                if s.phase == Phase::Waiting && !open {
                    return Ok(());
                }
                if s.phase == Phase::Running && s.rate == new_rate && open {
                    return Ok(());
                }
                let due = self.rerate(i, open, new_rate);
                if T::ON {
                    tracer.event(TraceEvent::Hazard {
                        t,
                        step: i,
                        rate: new_rate,
                        due,
                    });
                }
            }
        }
        Ok(())
    }

    /// Sets hazard step `i`'s rate to `new_rate` from now (`open`: its guard holds): the
    /// budget is spent at the old rate up to now (drawn first if it has none), and the step
    /// rescheduled. Returns its new due time.
    #[inline]
    fn rerate(&mut self, i: StepId, open: bool, new_rate: f64) -> f64 {
        let (s, t) = (self.steps[i], self.t);
        let mut budget = s.budget;
        if budget.is_nan() {
            let mut stream = self.stream(i, Purpose::Hazard);
            budget = Exp1.sample(&mut stream);
            self.save(i, Purpose::Hazard, &stream);
        } else if s.phase == Phase::Running {
            budget = (budget - s.rate * (t - s.since)).max(0.0);
        }
        let due = if new_rate > 0.0 {
            t + budget / new_rate
        } else {
            f64::INFINITY
        };
        self.set_due(i, due);
        self.steps[i] = StepState {
            phase: if open { Phase::Running } else { Phase::Waiting },
            budget,
            rate: new_rate,
            since: t,
        };
        due
    }

    /// Makes step `i` happen now. Returns the outcome if the run ends.
    #[inline]
    fn happen<T: Tracer>(
        &mut self,
        i: StepId,
        rec: &mut RunRecord,
        tracer: &mut T,
    ) -> Fallible<Option<usize>> {
        let m = self.model;
        let step = &m.steps[i];
        self.mark_happened(rec, step.node);
        if T::ON {
            tracer.event(TraceEvent::Happened {
                t: self.t,
                node: step.node,
                draw: None,
            });
        }
        self.apply_effects(&step.effects, rec, tracer, Site::Step(i))?;
        let mut ends = step.ends;
        if !step.branches.is_empty() {
            let b = self.draw_branch(i, rec)?;
            let branch = &step.branches[b.0];
            self.mark_happened(rec, branch.node);
            if T::ON {
                tracer.event(TraceEvent::Happened {
                    t: self.t,
                    node: branch.node,
                    draw: Some(b.1),
                });
            }
            self.apply_effects(&branch.effects, rec, tracer, Site::Node(branch.node))?;
            ends = ends.or(branch.ends);
        }
        for &x in &step.excludes {
            let s = &mut self.steps[x];
            if s.phase != Phase::Over {
                s.phase = Phase::Over;
                self.set_due(x, f64::INFINITY);
                if T::ON {
                    tracer.event(TraceEvent::Excluded { t: self.t, step: x });
                }
            }
        }
        let s = &mut self.steps[i];
        if s.phase != Phase::Over {
            s.phase = if rec.counts[step.node] < step.repeat {
                Phase::Waiting
            } else {
                Phase::Over
            };
        }
        s.budget = f64::NAN;
        s.rate = 0.0;
        if s.phase == Phase::Waiting {
            // It waits for its next repeat: look at it again.
            self.dirty.insert(i);
        }
        Ok(ends)
    }

    /// Records that `node` happened now and wakes the steps that watch it.
    #[inline(always)]
    fn mark_happened(&mut self, rec: &mut RunRecord, node: NodeId) {
        let (n, t) = (&self.model.nodes[node], self.t);
        if rec.counts[node] == 0 {
            rec.first_time[node] = t;
            rec.path.push(node as u32);
        }
        rec.counts[node] += 1;
        rec.max_rung = rec.max_rung.max(n.rung);
        if let Some(a) = n.actor {
            rec.actor_max_rung[a] = rec.actor_max_rung[a].max(n.rung);
        }
        self.dirty.insert_all(&self.watchers.by_node[node]);
    }

    /// Clears `rec` for run `run`, keeping its buffers; the fixed parameters and a constant
    /// initial state are copied in.
    fn reset(&self, rec: &mut RunRecord, run: u64) {
        let m = self.model;
        rec.run = run;
        rec.params.clone_from(&self.fixed_params);
        match &self.constant_state {
            Some(state) => rec.state.clone_from(state),
            None => {
                rec.state.clear();
                rec.state.resize(m.vars.len(), 0.0);
            }
        }
        rec.first_time.clear();
        rec.first_time.resize(m.nodes.len(), f64::NAN);
        rec.counts.clear();
        rec.counts.resize(m.nodes.len(), 0);
        rec.path.clear();
        rec.outcome = 0;
        rec.end_time = m.horizon;
        rec.max_rung = 0;
        rec.actor_max_rung.clear();
        rec.actor_max_rung.resize(m.actors.len(), 0);
    }

    /// Sets when step `i` happens next (INFINITY: not scheduled), keeping `pending`.
    #[inline]
    fn set_due(&mut self, i: StepId, due: f64) {
        let was = self.due[i] < f64::INFINITY;
        let is = due < f64::INFINITY;
        self.due[i] = due;
        if is && !was {
            self.pending.push(i);
        } else if was
            && !is
            && let Some(k) = self.pending.iter().position(|&p| p == i)
        {
            self.pending.swap_remove(k);
        }
    }

    #[inline(always)]
    fn apply_effects<T: Tracer>(
        &mut self,
        effects: &[crate::scenario::Effect],
        rec: &mut RunRecord,
        tracer: &mut T,
        site: Site,
    ) -> Fallible<()> {
        for e in effects {
            let value = e.value.eval(&env(rec, self.t));
            let old = rec.state[e.target];
            let new = e.op.apply(old, value);
            if !new.is_finite() {
                let what = format!("effect `{}` of {}", e.text, self.site_name(&site));
                return Err(self.error(
                    what,
                    &e.value,
                    new,
                    "it makes the variable not a finite number",
                ));
            }
            rec.state[e.target] = new;
            self.dirty
                .insert_masked(&self.watchers.by_var[e.target], &self.armed);
            if T::ON {
                tracer.event(TraceEvent::Effect {
                    var: e.target,
                    old,
                    new,
                });
            }
        }
        Ok(())
    }
}

/// The expression environment of a run at time `t`.
#[inline]
fn env(rec: &RunRecord, t: f64) -> Env<'_> {
    Env {
        params: &rec.params,
        state: &rec.state,
        counts: &rec.counts,
        t,
    }
}
