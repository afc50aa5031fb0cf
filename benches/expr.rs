//! Nanoseconds per evaluation of compiled expressions (`Expr::eval`, the closure tree),
//! against hand-written Rust closures computing the same values.
//!
//! Run with `cargo bench --bench expr`. A plain timed loop (medians of several repetitions)
//! rather than criterion: the numbers of interest are a few nanoseconds, and the loop keeps
//! the harness out of the measurement. Each iteration changes `t` and passes the
//! environment through `black_box`, so nothing can be hoisted out of the loop.
//!
//! Time is the thread's CPU time (Linux `/proc/thread-self/schedstat`) where available, so
//! a loaded machine inflates the numbers less than wall-clock time would; elsewhere it
//! falls back to wall-clock time. With `EXPR_BENCH_SCALING=1` it also prints the cost of
//! expressions of 0 to 40 operators, to separate the fixed cost of a call from the cost of
//! an operator.

use std::hint::black_box;
use std::time::Instant;

use rungs::expr::{Env, Expr, Scope, ScopeError, Slot, Type};

/// Parameters `nato_threshold`, `a`, `b`, `c`, `d`; state `ru.casualties`; nodes
/// `kursk_counteroffensive`, `ceasefire`.
struct BenchScope;

impl Scope for BenchScope {
    fn resolve(&self, name: &str) -> Result<Slot, ScopeError> {
        let params = ["nato_threshold", "a", "b", "c", "d"];
        if name == "t" {
            return Ok(Slot::Time);
        }
        if name == "ru.casualties" {
            return Ok(Slot::State(0));
        }
        params
            .iter()
            .position(|p| *p == name)
            .map(|i| Slot::Param(i as u32))
            .ok_or_else(|| ScopeError {
                message: format!("unknown name `{name}`"),
                hint: None,
            })
    }

    fn resolve_node(&self, id: &str) -> Result<u32, ScopeError> {
        match id {
            "kursk_counteroffensive" => Ok(0),
            "ceasefire" => Ok(1),
            _ => Err(ScopeError {
                message: format!("unknown node `{id}`"),
                hint: None,
            }),
        }
    }
}

const ITERS: usize = 2_000_000;
const REPS: usize = 11;

/// Nanoseconds this thread has run on a CPU, if the kernel says; else wall-clock time.
fn now_ns(origin: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or_else(|| origin.elapsed().as_nanos() as f64)
}

/// Median ns per call of `f` over `REPS` repetitions of `ITERS` calls.
fn measure(f: impl Fn(&Env<'_>) -> f64, env: &Env<'_>) -> f64 {
    let mut times = Vec::with_capacity(REPS);
    let mut sink = 0.0;
    for _ in 0..REPS {
        let mut e = *env;
        let origin = Instant::now();
        let start = now_ns(origin);
        for i in 0..ITERS {
            // t sweeps 0..40 so time guards flip within a repetition.
            e.t = (i % 4096) as f64 * (40.0 / 4096.0);
            sink += f(black_box(&e));
        }
        times.push((now_ns(origin) - start) / ITERS as f64);
    }
    black_box(sink);
    times.sort_by(f64::total_cmp);
    times[REPS / 2]
}

fn compile(text: &str, ty: Type) -> Expr {
    match Expr::compile(text, ty, &BenchScope) {
        Ok(e) => e,
        Err(errors) => {
            eprintln!("{text}: {errors:?}");
            std::process::exit(1);
        }
    }
}

fn main() {
    let params = [15.0, 2.0, 3.0, 0.5, 4.0];
    let state = [20.0];
    let counts = [1u32, 0];
    let env = Env {
        params: &params,
        state: &state,
        counts: &counts,
        t: 0.0,
    };

    let guard_text = "fired(kursk_counteroffensive) and not fired(ceasefire) and ru.casualties > 1.5 * nato_threshold or t >= 30";
    let guard = compile(guard_text, Type::Bool);
    let guard_closure = |e: &Env<'_>| -> f64 {
        let v =
            (e.counts[0] > 0 && e.counts[1] == 0 && e.state[0] > 1.5 * e.params[0]) || e.t >= 30.0;
        f64::from(u8::from(v))
    };

    let arith_text = "a * b + c / (d - 1.5) - sqrt(a) * t";
    let arith = compile(arith_text, Type::Number);
    let arith_closure = |e: &Env<'_>| -> f64 {
        let p = e.params;
        p[1] * p[2] + p[3] / (p[4] - 1.5) - p[1].sqrt() * e.t
    };

    // The two forms must agree before their speed means anything.
    for t in [0.0, 29.0, 31.0] {
        let e = Env { t, ..env };
        assert_eq!(guard.eval(&e), guard_closure(&e), "guard at t={t}");
        assert_eq!(arith.eval(&e), arith_closure(&e), "arithmetic at t={t}");
    }

    let clock = if std::fs::metadata("/proc/thread-self/schedstat").is_ok() {
        "thread CPU time"
    } else {
        "wall-clock time"
    };
    println!("ns per evaluation (median of {REPS} x {ITERS} calls, {clock})");
    let rows = [
        (
            "guard",
            guard_text,
            measure(|e| guard.eval(e), &env),
            measure(guard_closure, &env),
        ),
        (
            "arithmetic",
            arith_text,
            measure(|e| arith.eval(e), &env),
            measure(arith_closure, &env),
        ),
    ];
    if std::env::var_os("EXPR_BENCH_SCALING").is_some() {
        for k in [0usize, 5, 10, 20, 40] {
            let text = format!("t{}", " * 1.0001 + 1".repeat(k / 2));
            let e = compile(&text, Type::Number);
            println!("{k:3} operators: {:6.2} ns", measure(|x| e.eval(x), &env));
        }
    }
    for (name, text, c, r) in rows {
        println!("{name:<11} compiled {c:6.2} ns   hand-written {r:6.2} ns   `{text}`");
    }
}
