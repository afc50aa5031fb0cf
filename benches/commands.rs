//! Whole commands: what a user waits for. Times `rungs run` (and one `rungs sweep`) as a
//! process, statistics and CSVs included, at 1 and 2 threads, and sets the CPU time per run
//! against the cost of the same runs' random draws alone (see `draws/mod.rs`).
//!
//! `cargo bench --bench commands` (add `-- --reps N` for more repetitions, `-- --scale X` to
//! multiply every run count, `-- --only NAME` for one case). Each repetition runs the 1-thread
//! and the 2-thread command back to back, so the two see the same machine; the figures are
//! medians over repetitions with their ranges, as the machine is shared.
//!
//! What is reported per case:
//! - CPU µs per run at 1 thread (user + system time of the process / runs): the cost per
//!   run and per core, what the targets are stated in;
//! - the wall-clock speed-up from 1 to 2 threads;
//! - draws alone, µs per run, and the ratio CPU / draws: the whole command's cost beyond
//!   producing its random numbers.
//!
//! For the sweep the draws alone are those of the scenario's own runs with every parameter
//! drawn, a slight overstatement (the swept parameter is fixed at each point, one draw fewer
//! per run), so its ratio errs low by a few percent.

mod draws;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use draws::{draws_alone, median};
use rungs::scenario::load_file;

/// One command to time.
struct Case {
    name: &'static str,
    scenario: &'static str,
    /// Runs in all (for the sweep: points x runs per point).
    runs: u64,
    /// The command's arguments after the scenario, `{runs}` standing for the run count (per
    /// point for a sweep).
    args: &'static [&'static str],
    /// Points of a sweep (1 for a run).
    points: u64,
}

const CASES: &[Case] = &[
    Case {
        name: "ladder15",
        scenario: "benches/ladder15.toml",
        runs: 1_000_000,
        args: &["run"],
        points: 1,
    },
    Case {
        name: "dprk-kursk",
        scenario: "scenarios/dprk-kursk.toml",
        runs: 20_000,
        args: &["run"],
        points: 1,
    },
    Case {
        name: "kahn-ladder",
        scenario: "scenarios/kahn-ladder.toml",
        runs: 40_000,
        args: &["run"],
        points: 1,
    },
    Case {
        name: "sweep-100",
        scenario: "scenarios/dprk-kursk.toml",
        runs: 50_000,
        args: &["sweep", "--vary", "dprk_troops=3000..10000:100"],
        points: 100,
    },
];

/// CPU seconds (user + system) of the children reaped so far.
fn children_cpu() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    secs(u.ru_utime) + secs(u.ru_stime)
}

/// Runs the case's command once; returns (wall seconds, CPU seconds).
fn time_once(case: &Case, runs: u64, threads: usize, out: &Path) -> (f64, f64) {
    let per_point = (runs / case.points).max(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rungs"));
    cmd.arg(case.args[0])
        .arg(root.join(case.scenario))
        .args(&case.args[1..])
        .args(["--runs", &per_point.to_string()])
        .args(["--threads", &threads.to_string(), "--quiet", "--out"])
        .arg(out);
    let cpu0 = children_cpu();
    let t = Instant::now();
    let status = cmd.status().expect("start rungs");
    let wall = t.elapsed().as_secs_f64();
    assert!(status.success(), "{} failed: {status}", case.name);
    (wall, children_cpu() - cpu0)
}

/// `median (min to max)` of `xs`, each scaled by `k`.
fn spread(xs: &[f64], k: f64, decimals: usize) -> String {
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min) * k;
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max) * k;
    let m = median(xs.to_vec()) * k;
    format!("{m:.decimals$} ({lo:.decimals$} to {hi:.decimals$})")
}

fn bench(case: &Case, reps: usize, scale: f64, scratch: &Path) {
    let runs = ((case.runs as f64 * scale) as u64).max(case.points);
    let runs = runs / case.points * case.points;
    let out = scratch.join(case.name);
    // One untimed run warms the file cache and the page cache of the binary.
    time_once(case, runs.min(case.points * 100), 1, &out);
    let (mut cpu1, mut wall1, mut speedup) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..reps {
        let (w1, c1) = time_once(case, runs, 1, &out);
        let (w2, _) = time_once(case, runs, 2, &out);
        cpu1.push(c1);
        wall1.push(w1);
        speedup.push(w1 / w2);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (model, _) = load_file(&root.join(case.scenario)).expect("scenario loads");
    // The draws of as many runs as one point of the command makes, at most 200,000 (enough
    // for a stable median; memory grows with the runs recorded).
    let draw_runs = (runs / case.points).clamp(1, 200_000);
    let (draw_secs, draws_per_run) = draws_alone(&model, 1, draw_runs, 7);
    let draws_us = draw_secs * 1e6 / draw_runs as f64;
    let us = 1e6 / runs as f64;
    let ratios: Vec<f64> = cpu1.iter().map(|c| c * us / draws_us).collect();
    println!(
        "{}: {} runs{}, {reps} repetitions, {draws_per_run:.1} draws per run",
        case.name,
        runs,
        if case.points > 1 {
            format!(" ({} points)", case.points)
        } else {
            String::new()
        }
    );
    println!("  CPU, 1 thread:    {} us/run", spread(&cpu1, us, 3));
    println!("  wall, 1 thread:   {} us/run", spread(&wall1, us, 3));
    println!("  draws alone:      {draws_us:.3} us/run");
    println!("  CPU / draws:      {}", spread(&ratios, 1.0, 2));
    println!(
        "  speed-up 1 -> 2 threads (wall): {}",
        spread(&speedup, 1.0, 2)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let reps = value("--reps").and_then(|s| s.parse().ok()).unwrap_or(5);
    let scale = value("--scale").and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let only = value("--only");
    let scratch: PathBuf =
        std::env::temp_dir().join(format!("rungs-bench-commands-{}", std::process::id()));
    for case in CASES {
        if only.as_deref().is_none_or(|o| case.name.starts_with(o)) {
            bench(case, reps, scale, &scratch);
        }
    }
    // Only folders this benchmark made (each holds what `rungs` wrote into it).
    let _ = std::fs::remove_dir_all(&scratch);
}
