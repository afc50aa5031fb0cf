//! The "draws alone" baseline the benchmarks measure the engine against, shared by
//! `benches/engine.rs` (the engine loop) and `benches/commands.rs` (whole commands).
//!
//! The baseline replays, for the same runs, exactly the draws the engine made: every drawn
//! parameter, every chance decision and drawn delay, every hazard budget and every branch
//! choice, through the same samplers and the same addressed streams. The samplers are those
//! the engine uses: rand_distr's, built once per scenario for constant arguments
//! (`Distribution::sample`), so the baseline does not charge the engine for rebuilding them.

use std::time::Instant;

use rand_distr::{Distribution as _, Exp1};
use rungs::engine::RunRecord;
use rungs::engine::rng::{self, Purpose, Stream};
use rungs::engine::run::{Runner, TraceEvent, Tracer};
use rungs::expr::Env;
use rungs::scenario::{Delay, Model, ParamValue, Trigger};

/// Records `runs` runs' draws and replays them, returning the median seconds of `reps`
/// replays and the mean number of draws per run.
pub fn draws_alone(model: &Model, seed: u64, runs: u64, reps: usize) -> (f64, f64) {
    let recorded = record(model, seed, runs);
    let per_run = recorded.draws.len() as f64 / runs as f64;
    let secs = time(reps, || {
        std::hint::black_box(replay_draws(model, seed, &recorded));
    });
    (secs, per_run)
}

/// One draw the engine made in a run.
#[derive(Clone, Copy)]
pub enum Draw {
    Param(usize),
    Chance(usize),
    Delay(usize),
    Hazard(usize),
    Branch(usize),
}

/// Collects the draws of a run from its trace.
pub struct DrawLog<'m> {
    model: &'m Model,
    draws: Vec<Draw>,
    hazard_fresh: Vec<bool>,
}

impl Tracer for DrawLog<'_> {
    const ON: bool = true;
    fn event(&mut self, e: TraceEvent) {
        let m = self.model;
        match e {
            TraceEvent::Param { param, .. } => {
                if matches!(m.params[param].value, ParamValue::Drawn(_)) {
                    self.draws.push(Draw::Param(param));
                }
            }
            TraceEvent::Decided { step, due, .. } => {
                self.draws.push(Draw::Chance(step));
                if due.is_some()
                    && let Trigger::Chance {
                        delay: Delay::Drawn(_),
                        ..
                    } = &m.steps[step].trigger
                {
                    self.draws.push(Draw::Delay(step));
                }
            }
            TraceEvent::Hazard { step, .. } if self.hazard_fresh[step] => {
                self.draws.push(Draw::Hazard(step));
                self.hazard_fresh[step] = false;
            }
            TraceEvent::Happened { node, draw, .. } => {
                let step = m.nodes[node].step;
                if draw.is_some() {
                    self.draws.push(Draw::Branch(step));
                } else {
                    self.hazard_fresh[step] = true;
                }
            }
            _ => {}
        }
    }
}

/// The draws of many runs and the values their arguments read, stored flat and run after
/// run, so that replaying them streams through memory: the baseline then measures the draws,
/// not cache misses on the benchmark's own storage (one small allocation per run made the
/// draws look ~6% dearer at 200,000 runs).
#[derive(Default)]
pub struct Recorded {
    params: Vec<f64>,
    state: Vec<f64>,
    counts: Vec<u32>,
    draws: Vec<Draw>,
    /// Run `i`'s draws are `draws[ends[i - 1]..ends[i]]`.
    ends: Vec<usize>,
}

pub fn record(model: &Model, seed: u64, runs: u64) -> Recorded {
    let mut runner = Runner::new(model, seed);
    let mut rec = RunRecord::default();
    let mut out = Recorded::default();
    let mut log = DrawLog {
        model,
        draws: Vec::new(),
        hazard_fresh: Vec::new(),
    };
    for i in 0..runs {
        log.hazard_fresh.clear();
        log.hazard_fresh.resize(model.steps.len(), true);
        runner.run_traced(i, &mut rec, &mut log).expect("run");
        out.params.extend_from_slice(&rec.params);
        out.state.extend_from_slice(&rec.state);
        out.counts.extend_from_slice(&rec.counts);
        out.draws.append(&mut log.draws);
        out.ends.push(out.draws.len());
    }
    out
}

/// The draws alone: same samplers, same streams, no engine.
pub fn replay_draws(model: &Model, seed: u64, recorded: &Recorded) -> f64 {
    let param_sites: Vec<u64> = model
        .params
        .iter()
        .map(|p| rng::site(Purpose::Param, &p.id))
        .collect();
    let step_site = |p: Purpose, s: usize| rng::site(p, &model.nodes[model.steps[s].node].id);
    let sites: Vec<[u64; 4]> = (0..model.steps.len())
        .map(|s| {
            [
                step_site(Purpose::Chance, s),
                step_site(Purpose::Delay, s),
                step_site(Purpose::Hazard, s),
                step_site(Purpose::Branch, s),
            ]
        })
        .collect();
    let mut acc = 0.0;
    let (np, ns, nc) = (model.params.len(), model.vars.len(), model.nodes.len());
    for (i, &end) in recorded.ends.iter().enumerate() {
        let key = rng::run_key(seed, i as u64);
        let env = Env {
            params: &recorded.params[i * np..(i + 1) * np],
            state: &recorded.state[i * ns..(i + 1) * ns],
            counts: &recorded.counts[i * nc..(i + 1) * nc],
            t: 0.0,
        };
        let start = if i == 0 { 0 } else { recorded.ends[i - 1] };
        for d in &recorded.draws[start..end] {
            acc += match *d {
                Draw::Param(p) => match &model.params[p].value {
                    ParamValue::Drawn(dist) => dist
                        .sample(&env, &mut Stream::new(key, param_sites[p], 0))
                        .unwrap_or(0.0),
                    _ => 0.0,
                },
                Draw::Chance(s) => Stream::new(key, sites[s][0], 0).unit(),
                Draw::Delay(s) => match &model.steps[s].trigger {
                    Trigger::Chance {
                        delay: Delay::Drawn(dist),
                        ..
                    } => dist
                        .sample(&env, &mut Stream::new(key, sites[s][1], 0))
                        .unwrap_or(0.0),
                    _ => 0.0,
                },
                Draw::Hazard(s) => {
                    let e: f64 = Exp1.sample(&mut Stream::new(key, sites[s][2], 0));
                    e
                }
                Draw::Branch(s) => Stream::new(key, sites[s][3], 0).unit(),
            };
        }
    }
    acc
}

pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Median over `reps` repetitions of the seconds `f` takes.
pub fn time(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}
