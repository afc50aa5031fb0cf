//! Engine throughput: runs per second per core, and the ratio to the bare cost of the random
//! draws the same runs make.
//!
//! `cargo bench --bench engine` (add `-- --runs N` to change the runs per measurement,
//! `-- --only ladder --engine-only` to profile one scenario's engine loop alone, `-- --file
//! PATH` to measure a scenario of your own).
//!
//! The draws-only baseline replays, for the same runs, exactly the draws the engine made:
//! every drawn parameter, every chance decision and drawn delay, every hazard budget and
//! every branch choice, through the same samplers and the same addressed streams. The samplers
//! are those the engine uses: rand_distr's, built once per scenario for constant arguments
//! (`Distribution::sample`), so the baseline does not charge the engine for rebuilding them.
//! The ratio engine / draws is what the engine costs beyond randomness itself.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use rand_distr::{Distribution as _, Exp1};
use rungs::engine::RunRecord;
use rungs::engine::many::Batch;
use rungs::engine::rng::{self, Purpose, Stream};
use rungs::engine::run::{Runner, TraceEvent, Tracer};
use rungs::expr::Env;
use rungs::scenario::{Delay, Model, ParamValue, Trigger, load_file};
use rungs::stats::summarise;

/// One draw the engine made in a run.
#[derive(Clone, Copy)]
enum Draw {
    Param(usize),
    Chance(usize),
    Delay(usize),
    Hazard(usize),
    Branch(usize),
}

/// Collects the draws of a run from its trace.
struct DrawLog<'m> {
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
struct Recorded {
    params: Vec<f64>,
    state: Vec<f64>,
    counts: Vec<u32>,
    draws: Vec<Draw>,
    /// Run `i`'s draws are `draws[ends[i - 1]..ends[i]]`.
    ends: Vec<usize>,
}

fn record(model: &Model, seed: u64, runs: u64) -> Recorded {
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
fn replay_draws(model: &Model, seed: u64, recorded: &Recorded) -> f64 {
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

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Median over `reps` repetitions of the seconds `f` takes.
fn time(reps: usize, mut f: impl FnMut()) -> f64 {
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

fn bench(name: &str, path: &Path, runs: u64, engine_only: bool) {
    let (model, _) = match load_file(path) {
        Ok(m) => m,
        Err(d) => {
            eprintln!("{d}");
            return;
        }
    };
    let seed = 1;
    let reps = 7;
    let engine = time(reps, || {
        let mut runner = Runner::new(&model, seed);
        let mut rec = RunRecord::default();
        for i in 0..runs {
            runner.run(i, &mut rec).expect("run");
            black_box(&rec);
        }
    });
    if engine_only {
        println!("{name}: engine {:.0} ns/run", engine * 1e9 / runs as f64);
        return;
    }
    let recorded = record(&model, seed, runs);
    let draws_per_run = recorded.draws.len() as f64 / runs as f64;
    let draws = time(reps, || {
        black_box(replay_draws(&model, seed, &recorded));
    });
    let batch = |threads: usize| {
        time(3, || {
            let tree = summarise(
                &model,
                &Batch::whole(seed, runs * 4, threads),
                &|_| {},
                None,
            )
            .expect("batch");
            black_box(tree);
        })
    };
    let (one, two) = (batch(1), batch(2));
    let ns = |s: f64| s * 1e9 / runs as f64;
    println!(
        "{name}: {} steps, {} parameters, {draws_per_run:.1} draws per run",
        model.steps.len(),
        model.params.len()
    );
    println!(
        "  engine (1 thread, one run at a time): {:>9.0} ns/run  {:>10.0} runs/s/core",
        ns(engine),
        1.0 / (engine / runs as f64)
    );
    println!(
        "  draws alone:                          {:>9.0} ns/run",
        ns(draws)
    );
    println!(
        "  engine / draws:                       {:>9.2}",
        engine / draws
    );
    println!(
        "  with statistics, {} runs: 1 thread {:.3} s, 2 threads {:.3} s, speed-up {:.2}x",
        runs * 4,
        one,
        two,
        one / two
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000u64);
    // `--only NAME` measures one scenario; `--file PATH` measures a scenario of your own;
    // `--engine-only` times only the engine loop (for profiling: `perf record` then sees the
    // engine alone).
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let engine_only = args.iter().any(|a| a == "--engine-only");
    if let Some(file) = value("--file") {
        bench(file, Path::new(file), runs, engine_only);
        return;
    }
    let only = value("--only");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, file) in [
        ("dprk-kursk", "scenarios/dprk-kursk.toml"),
        ("ladder-15 (no flows)", "benches/ladder15.toml"),
    ] {
        if only.is_none_or(|o| name.starts_with(o.as_str())) {
            bench(name, &root.join(file), runs, engine_only);
        }
    }
}
