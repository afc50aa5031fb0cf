//! Skipping ticks must not change a run: every run with skipping on (the default) must be
//! the run plain ticking gives (same record, same error; bit for bit but for the last bits
//! of hazards spent in closed form, see `close`), on the shipped scenarios and on random
//! flow scenarios; and skipping must actually skip.

mod common;

use common::Gen;

use rungs::engine::RunRecord;
use rungs::engine::run::Runner;
use rungs::scenario::{Model, load_str};

const SEED: u64 = 20261203;

/// Whether two times or values agree within floating-point tolerance: both NaN, or within
/// 1e-9 relative (absolute below 1). Skipping spends a hazard whose rate is linear in flowing
/// state as an arithmetic series instead of tick by tick, which rounds differently in the
/// last bits; everything else is the same bits. The bound: either way a budget carries at
/// most about n roundings of its size for a stretch of n ticks, and the stretches here are at
/// most 1,000 ticks (horizon 100 at resolution 0.1), so the two differ by some 1000 x 2.2e-16
/// = 2e-13 relative, which a hazard time inherits; 1e-9 is that with a wide margin, and far
/// below any difference of a step done wrong (a series off by one tick moves times by 1e-3
/// and more).
fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The same run up to that rounding: every discrete part equal (what happened, how often,
/// in which order, the outcome, the rungs), every number close.
fn same_run(a: &RunRecord, b: &RunRecord) -> bool {
    let all_close =
        |x: &[f64], y: &[f64]| x.len() == y.len() && x.iter().zip(y).all(|(&p, &q)| close(p, q));
    a.run == b.run
        && a.counts == b.counts
        && a.path == b.path
        && a.outcome == b.outcome
        && a.max_rung == b.max_rung
        && a.actor_max_rung == b.actor_max_rung
        && a.params == b.params
        && close(a.end_time, b.end_time)
        && all_close(&a.state, &b.state)
        && all_close(&a.first_time, &b.first_time)
}

/// Runs `runs` runs of `m` both ways and compares them (the same run, or the same error at
/// a close time); returns (evaluated, skipped) ticks of the skipping runner and the plain
/// runner's evaluated ticks. Since every run must agree in every discrete part and every
/// number, the statistics of the two agree far within a standard error; no separate check
/// of them could fail where this one passes.
fn compare(name: &str, m: &Model, runs: u64) -> (u64, u64, u64) {
    let mut fast = Runner::new(m, SEED);
    let mut plain = Runner::new(m, SEED);
    plain.skip_ticks(false);
    let (mut a, mut b) = (RunRecord::default(), RunRecord::default());
    // Without a hazard spent in closed form, skipping must give the same bits.
    let plan = rungs::engine::ticks::TickPlan::new(m);
    let exact = !plan.rerated.iter().any(|&i| plan.rate_linear[i]);
    for i in 0..runs {
        match (fast.run(i, &mut a), plain.run(i, &mut b)) {
            (Ok(()), Ok(())) => {
                if exact {
                    // Debug prints every f64 exactly (shortest round trip): the same bits.
                    assert_eq!(format!("{a:?}"), format!("{b:?}"), "{name}, run {i}");
                }
                assert!(same_run(&a, &b), "{name}, run {i}:\n{a:?}\n{b:?}");
            }
            (Err(ea), Err(eb)) => {
                assert!(
                    ea.what == eb.what && ea.problem == eb.problem && close(ea.time, eb.time),
                    "{name}, run {i}: different errors:\n{ea}\n{eb}"
                );
                assert!(!exact || ea == eb, "{name}, run {i}: {ea}\n{eb}");
            }
            (ra, rb) => panic!("{name}, run {i}: {ra:?} and {rb:?}"),
        }
    }
    let (f, p) = (fast.tick_count(), plain.tick_count());
    assert_eq!(p.skipped, 0, "{name}: the plain runner skipped ticks");
    assert_eq!(
        f.evaluated + f.skipped,
        p.evaluated,
        "{name}: both must take the same ticks"
    );
    (f.evaluated, f.skipped, p.evaluated)
}

fn shipped(file: &str) -> Model {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    rungs::scenario::load_file(&root.join(file))
        .expect("shipped scenario")
        .0
}

#[test]
fn shipped_scenarios_run_the_same_with_and_without_skipping() {
    for (file, most_evaluated) in [
        // Per run: dprk-kursk evaluates a tick at each event and around the day Kursk is
        // retaken; kahn-ladder one per event and per tick in which a hazard that reads
        // `crisis.tension` could fire.
        ("scenarios/dprk-kursk.toml", 60.0),
        ("scenarios/kahn-ladder.toml", 40.0),
        ("scenarios/textbook.toml", 365.0),
    ] {
        let runs = 2000;
        let (evaluated, skipped, plain) = compare(file, &shipped(file), runs);
        let per_run = evaluated as f64 / runs as f64;
        eprintln!(
            "{file}: {:.1} ticks per run evaluated, {:.1} skipped, plain {:.1}",
            per_run,
            skipped as f64 / runs as f64,
            plain as f64 / runs as f64
        );
        assert!(
            per_run <= most_evaluated,
            "{file}: {per_run} ticks evaluated per run"
        );
    }
}

/// A random flow scenario: flows into `a.x` and `a.y` with constant rates, rates that
/// change at events, and rates that read flowing state (which rules skipping out); guards
/// that are linear comparisons of flowing state and `t` (which skipping predicts), and
/// others (which it cannot); hazards whose rate reads flowing state (re-rated every tick);
/// effects on the flowing variables; resolutions whose multiples are rounded.
fn random_flow_scenario(g: &mut Gen) -> String {
    let resolution = g.pick(&["1", "0.1", "0.3", "2.5", "0.7"]);
    let mut s = format!(
        "[scenario]\nname = \"random flows\"\nhorizon = {}\nresolution = {resolution}\n\n\
         [parameters]\nk = {{ dist = \"uniform\", min = 0.5, max = 2 }}\n\
         c = {{ dist = \"uniform\", min = 1, max = 20 }}\n\n\
         [actors.a]\nstate = {{ x = 0, y = 5, z = 1 }}\n",
        g.pick(&["30", "60", "100"])
    );
    let guards = [
        "a.x >= c",
        "a.x > 2 * c - a.z",
        "a.y <= 0",
        "t >= c",
        "t > 3 * c and a.x < 40",
        "not (a.x + a.y > c) or a.z > 2",
        "a.x * k - a.y / 2 >= c",
        "if(a.z > 1, a.x, a.y) > c",
        // Not linear comparisons: skipping is off while these matter.
        "a.x * a.x > c * 10",
        "floor(a.x) == 7",
        "max(a.x, a.y) > c",
    ];
    let rates = [
        "0.01 * k",
        "0.02 * a.x",
        "0.05 * (a.y + 1)",
        "0.1",
        "0.03 * a.z",
        "0.001 * t",
    ];
    let n = 2 + g.below(6);
    for i in 0..n {
        s += &format!("\n[[steps]]\nid = \"s{i}\"\n");
        if i > 0 && g.below(3) == 0 {
            s += &format!("after = [\"s{}\"]\n", g.below(i));
        }
        if g.below(4) != 0 {
            s += &format!("when = \"{}\"\n", g.pick(&guards));
        }
        if g.below(2) == 0 {
            s += &format!("hazard = \"{}\"\n", g.pick(&rates));
            if g.below(3) == 0 {
                s += "repeat = 5\n";
            }
        } else {
            s += &format!("probability = {}\n", g.pick(&["1", "0.5", "0.9"]));
            s += &format!("delay = {}\n", g.pick(&["0", "1.5", "3", "0.25"]));
        }
        s += &format!(
            "effects = [\"{}\"]\n",
            g.pick(&[
                "a.z += 1",
                "a.x -= 3",
                "a.y = 4",
                "a.z = a.z * 2",
                "a.y += 0.5"
            ])
        );
        if g.below(6) == 0 {
            s += "ends = \"done\"\n";
        }
    }
    let flow_rates = [
        "1",
        "0.5 * k",
        "a.z",
        "-0.2 * a.z",
        "if(fired(s0), 2, 0.3)",
        // Reads flowing state: no skipping while it runs.
        "0.05 * a.x",
        "0.01 * t",
    ];
    s += &format!(
        "\n[[flows]]\ntarget = \"a.x\"\nrate = \"{}\"\n",
        g.pick(&flow_rates)
    );
    if g.below(2) == 0 {
        s += &format!(
            "while = \"{}\"\n",
            g.pick(&[
                "a.x < 50",
                "not fired(s1)",
                "t < c * 2",
                "a.y > 0 and a.x < 30"
            ])
        );
    }
    if g.below(2) == 0 {
        s += &format!(
            "\n[[flows]]\ntarget = \"a.y\"\nrate = \"{}\"\nwhile = \"a.y > -3\"\n",
            g.pick(&["-0.3", "-0.1 * a.z", "-0.05 * k"])
        );
    }
    s
}

/// 400 random flow scenarios, 40 runs each: skipping must give the runs plain ticking
/// gives, or the same run-time error.
#[test]
fn random_flow_scenarios_run_the_same_with_and_without_skipping() {
    let mut g = Gen(SEED);
    let (mut loaded, mut skipped, mut total) = (0, 0, 0);
    for _ in 0..400 {
        let text = random_flow_scenario(&mut g);
        let m = match load_str("random.toml", &text) {
            Ok((m, _)) => m,
            Err(e) => panic!("generated scenario does not load: {e}\n{text}"),
        };
        loaded += 1;
        let (evaluated, s, _) = compare(&text, &m, 40);
        skipped += s;
        total += evaluated + s;
    }
    assert_eq!(loaded, 400);
    // The comparison means something only if many ticks were skipped (about half of the
    // generated files pick a guard, `while` or rate that rules skipping out somewhere).
    eprintln!("{skipped} of {total} ticks skipped");
    assert!(
        skipped * 3 > total,
        "only {skipped} of {total} ticks skipped"
    );
}

/// `rungs validate` says which ticks are evaluated one by one, and why.
#[test]
fn the_plan_says_why_ticks_are_not_skipped() {
    use rungs::engine::ticks::TickPlan;
    let base = "[scenario]\nname = \"plan\"\nhorizon = 365\nresolution = 1\n\n\
                [actors.a]\nstate = { x = 1, y = 0 }\n\n[[steps]]\nid = \"s\"\n";
    let describe = |rest: &str| {
        let text = format!("{base}{rest}");
        let (m, _) = load_str("plan.toml", &text).expect("loads");
        TickPlan::new(&m).describe(&m)
    };
    assert_eq!(
        describe("when = \"a.x > 3\"\n\n[[flows]]\ntarget = \"a.x\"\nrate = \"0.1 * a.x\"\n"),
        "ticks: 365 per run because `a.x` feeds its own rate"
    );
    assert_eq!(
        describe("when = \"a.x * a.x > 3\"\n\n[[flows]]\ntarget = \"a.x\"\nrate = \"0.1\"\n"),
        "ticks: 365 per run because the `when` of `s` reads `a.x` (it flows) other than in \
         comparisons of linear expressions"
    );
    assert_eq!(
        describe(
            "when = \"a.x > 3 and t < 100\"\nhazard = \"0.01 * a.x\"\n\n[[flows]]\ntarget = \"a.x\"\nrate = \"0.1\"\n"
        ),
        "ticks: up to 365 per run, skipped between events where nothing can change; hazards \
         spent in closed form between events: s"
    );
    assert_eq!(
        describe(
            "when = \"a.x > 3\"\nhazard = \"0.01 / a.x\"\n\n[[flows]]\ntarget = \"a.x\"\nrate = \"0.1\"\n"
        ),
        "ticks: up to 365 per run, skipped between events where nothing can change; hazards \
         re-rated every tick: s"
    );
    assert_eq!(describe("delay = 3\n"), "ticks: none (event-driven)");
}
