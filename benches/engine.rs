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

mod draws;

use std::hint::black_box;
use std::path::Path;

use draws::{draws_alone, time};
use rungs::engine::RunRecord;
use rungs::engine::many::Batch;
use rungs::engine::run::Runner;
use rungs::scenario::load_file;
use rungs::stats::summarise;

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
    let (draws, draws_per_run) = draws_alone(&model, seed, runs, reps);
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
