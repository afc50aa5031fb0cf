//! The engine against closed-form answers.
//!
//! Every tolerance is derived from the standard error of the estimate (at most 5 sigma) for
//! the number of runs used, never fitted to the output; seeds are fixed so a failure is
//! reproducible, and a correct engine fails one of these with probability < 1e-6 each.

mod common;

use common::Gen;

use common::assert_prop;
use rungs::engine::RunRecord;
use rungs::engine::run::Runner;
use rungs::scenario::{Model, load_str};

const SEED: u64 = 20261124;

fn model(text: &str) -> Model {
    match load_str("test.toml", text) {
        Ok((m, _)) => m,
        Err(d) => panic!("test scenario does not load:\n{d}"),
    }
}

/// Runs `n` runs and hands each record to `f`.
fn runs(m: &Model, n: u64, mut f: impl FnMut(&RunRecord)) {
    let mut runner = Runner::new(m, SEED);
    let mut rec = RunRecord::default();
    for i in 0..n {
        runner.run(i, &mut rec).expect("run fails");
        f(&rec);
    }
}

/// Fraction of `n` runs in which `node` happened.
fn p_happened(m: &Model, n: u64, node: &str) -> f64 {
    let id = m.node_index(node).expect("node");
    let mut k = 0u64;
    runs(m, n, |r| k += u64::from(r.counts[id] > 0));
    k as f64 / n as f64
}

/// Asserts a sample mean is within 5 standard errors of `mu`, given the true sd.
fn assert_mean(est: f64, mu: f64, sd: f64, n: u64, what: &str) {
    let se = sd / (n as f64).sqrt();
    assert!(
        (est - mu).abs() <= 5.0 * se,
        "{what}: estimated {est}, expected {mu} (5 se = {})",
        5.0 * se
    );
}

const HEAD: &str = "[scenario]\nname = \"t\"\nhorizon = 100\n";

#[test]
fn chain_multiplies_probabilities_and_adds_delays() {
    let m = model(&format!(
        "{HEAD}
[[steps]]
id = \"a\"
probability = 0.8
delay = 10
[[steps]]
id = \"b\"
after = [\"a\"]
probability = 0.5
delay = 5
[[steps]]
id = \"c\"
after = [\"b\"]
probability = 0.9
delay = 2.5
"
    ));
    let n = 40_000;
    assert_prop(p_happened(&m, n, "b"), 0.4, n, "P(b)");
    assert_prop(p_happened(&m, n, "c"), 0.36, n, "P(c)");
    let c = m.node_index("c").unwrap();
    runs(&m, 2000, |r| {
        if r.counts[c] > 0 {
            assert_eq!(r.first_time[c], 17.5, "c happens at 10 + 5 + 2.5");
        }
    });
}

#[test]
fn chain_with_exponential_delays_has_summed_mean_time() {
    // a after Exp(mean 10), b after a + Exp(mean 5): time of b has mean 15, sd sqrt(125),
    // conditioned on b within the horizon; use a long horizon so truncation is negligible
    // (P(T > 1000) < 1e-40).
    let m = model(
        "[scenario]\nname = \"t\"\nhorizon = 1000\n
[[steps]]
id = \"a\"
delay = { dist = \"exponential\", mean = 10 }
[[steps]]
id = \"b\"
after = [\"a\"]
delay = { dist = \"exponential\", rate = 0.2 }
",
    );
    let b = m.node_index("b").unwrap();
    let n = 40_000;
    let mut sum = 0.0;
    runs(&m, n, |r| sum += r.first_time[b]);
    assert_mean(sum / n as f64, 15.0, 125f64.sqrt(), n, "mean time of b");
}

#[test]
fn competing_hazards_split_by_rate_within_horizon() {
    // Two hazards that exclude each other: P(x first by 100) = rx/(rx+ry) (1 - e^{-(rx+ry) 100}).
    let m = model(&format!(
        "{HEAD}
[[steps]]
id = \"x\"
hazard = 0.01
excludes = [\"y\"]
[[steps]]
id = \"y\"
hazard = 0.02
excludes = [\"x\"]
"
    ));
    let n = 40_000;
    let both = 1.0 - (-3.0f64).exp();
    assert_prop(p_happened(&m, n, "x"), both / 3.0, n, "P(x)");
    assert_prop(p_happened(&m, n, "y"), 2.0 * both / 3.0, n, "P(y)");
}

#[test]
fn beta_distributed_probability_averages_to_its_mean() {
    let m = model(&format!(
        "{HEAD}
[parameters]
p = {{ dist = \"beta\", alpha = 2, beta = 3 }}
[[steps]]
id = \"s\"
probability = \"p\"
"
    ));
    let n = 40_000;
    assert_prop(p_happened(&m, n, "s"), 0.4, n, "P(s) = E[p]");
}

#[test]
fn branches_with_rest_take_their_weights() {
    let m = model(&format!(
        "{HEAD}
[[steps]]
id = \"s\"
delay = 1
[[steps.branches]]
id = \"low\"
probability = 0.2
[[steps.branches]]
id = \"mid\"
probability = \"0.1 * 3\"
[[steps.branches]]
id = \"high\"
probability = \"rest\"
ends = \"high_end\"
"
    ));
    let n = 40_000;
    let (lo, mid, hi) = (
        m.node_index("low").unwrap(),
        m.node_index("mid").unwrap(),
        m.node_index("high").unwrap(),
    );
    let mut k = [0u64; 3];
    let mut ended = 0u64;
    runs(&m, n, |r| {
        let drawn = [r.counts[lo], r.counts[mid], r.counts[hi]];
        assert_eq!(drawn.iter().sum::<u32>(), 1, "exactly one branch");
        for (i, c) in drawn.iter().enumerate() {
            k[i] += u64::from(*c);
        }
        ended += u64::from(m.outcomes[r.outcome] == "high_end");
    });
    assert_prop(k[0] as f64 / n as f64, 0.2, n, "P(low)");
    assert_prop(k[1] as f64 / n as f64, 0.3, n, "P(mid)");
    assert_prop(k[2] as f64 / n as f64, 0.5, n, "P(high)");
    assert_eq!(
        ended, k[2],
        "the rest branch ends the run every time it is drawn"
    );
}

#[test]
fn excludes_cancel_a_scheduled_step() {
    // a is scheduled at Exp(mean 10); b at 5 excludes a: P(a) = P(T_a <= 5) = 1 - e^{-0.5}.
    let m = model(&format!(
        "{HEAD}
[[steps]]
id = \"a\"
delay = {{ dist = \"exponential\", mean = 10 }}
[[steps]]
id = \"b\"
delay = 5
excludes = [\"a\"]
"
    ));
    let n = 40_000;
    assert_prop(p_happened(&m, n, "a"), 1.0 - (-0.5f64).exp(), n, "P(a)");
}

#[test]
fn repeating_hazard_counts_are_poisson() {
    // Rate 0.05 over 100 days: count ~ Poisson(5): mean 5, variance 5, P(0) = e^{-5}.
    let m = model(&format!(
        "{HEAD}
[actors.x]
state = {{ n = 0 }}
[[steps]]
id = \"h\"
hazard = 0.05
repeat = 100000
effects = [\"x.n += 1\"]
"
    ));
    let h = m.node_index("h").unwrap();
    let n = 40_000;
    let (mut s1, mut s2) = (0.0, 0.0);
    runs(&m, n, |r| {
        let c = f64::from(r.counts[h]);
        assert_eq!(c, r.state[0], "the effect counts the happenings");
        s1 += c;
        s2 += c * c;
    });
    let mean = s1 / n as f64;
    assert_mean(mean, 5.0, 5f64.sqrt(), n, "mean count");
    // Variance of a Poisson(5) sample variance: (mu4 - sigma^4)/n with mu4 = 3*25 + 5 = 80.
    let var = (s2 - s1 * s1 / n as f64) / (n - 1) as f64;
    assert_mean(var, 5.0, (80.0f64 - 25.0).sqrt(), n, "variance of count");
}

#[test]
fn hazard_is_re_evaluated_when_state_changes() {
    // Rate 0.02 until a step at t = 10 raises it to 0.2: P(h by 30) = 1 - e^{-(0.2 + 4)}.
    let m = model(
        "[scenario]\nname = \"t\"\nhorizon = 30\n
[actors.x]
state = { level = 0 }
[[steps]]
id = \"raise\"
delay = 10
effects = [\"x.level = 1\"]
[[steps]]
id = \"h\"
hazard = \"if(x.level > 0, 0.2, 0.02)\"
",
    );
    let n = 40_000;
    assert_prop(
        p_happened(&m, n, "h"),
        1.0 - (-4.2f64).exp(),
        n,
        "P(h by 30)",
    );
    let h = m.node_index("h").unwrap();
    let mut early = 0u64;
    runs(&m, n, |r| early += u64::from(r.first_time[h] < 10.0));
    assert_prop(
        early as f64 / n as f64,
        1.0 - (-0.2f64).exp(),
        n,
        "P(h before 10)",
    );
}

#[test]
fn hazard_is_paused_while_its_guard_is_false() {
    // Rate 0.1, paused on [10, 20): exposure 20 of the 30 days: P = 1 - e^{-2}.
    let m = model(
        "[scenario]\nname = \"t\"\nhorizon = 30\n
[[steps]]
id = \"pause\"
delay = 10
[[steps]]
id = \"resume\"
after = [\"pause\"]
delay = 10
[[steps]]
id = \"h\"
hazard = 0.1
when = \"not fired(pause) or fired(resume)\"
",
    );
    let n = 40_000;
    assert_prop(p_happened(&m, n, "h"), 1.0 - (-2.0f64).exp(), n, "P(h)");
    let h = m.node_index("h").unwrap();
    runs(&m, 5000, |r| {
        let t = r.first_time[h];
        assert!(!(10.0..20.0).contains(&t), "happened at {t} while paused");
    });
}

#[test]
fn flow_crosses_threshold_at_the_first_tick_after() {
    // v grows 2 per day: crosses 15 at 7.5; guards on flowing state are checked each tick,
    // so with resolution 1 the step happens at 8, with 0.5 at 7.5.
    for (res, expected) in [(1.0, 8.0), (0.5, 7.5), (0.25, 7.5)] {
        let m = model(&format!(
            "[scenario]\nname = \"t\"\nhorizon = 20\nresolution = {res}\n
[actors.x]
state = {{ v = 0 }}
[[flows]]
target = \"x.v\"
rate = 2
[[steps]]
id = \"cross\"
when = \"x.v >= 15\"
ends = \"crossed\"
"
        ));
        let c = m.node_index("cross").unwrap();
        runs(&m, 3, |r| {
            assert_eq!(r.first_time[c], expected, "resolution {res}");
            assert_eq!(r.end_time, expected);
            assert_eq!(
                r.state[0],
                2.0 * expected,
                "state at the event is exact for a constant rate"
            );
        });
    }
}

#[test]
fn flow_state_at_horizon_is_rate_times_time() {
    let m = model(
        "[scenario]\nname = \"t\"\nhorizon = 365\n
[actors.ru]
state = { casualties = 80000 }
[[flows]]
target = \"ru.casualties\"
rate = 1200
while = \"not fired(stop)\"
[[steps]]
id = \"stop\"
delay = 100.5
",
    );
    runs(&m, 2, |r| assert_eq!(r.state[0], 80000.0 + 1200.0 * 100.5));
}

#[test]
fn time_guard_holds_from_the_first_tick_at_or_after() {
    let m = model(
        "[scenario]\nname = \"t\"\nhorizon = 100\nresolution = 7\n
[[steps]]
id = \"late\"
when = \"t >= 30\"
",
    );
    let s = m.node_index("late").unwrap();
    runs(&m, 2, |r| assert_eq!(r.first_time[s], 35.0));
}

#[test]
fn timeline_follows_one_minus_exp() {
    // P(happened by t) = 1 - e^{-0.05 t} at every t.
    let m = model(&format!("{HEAD}\n[[steps]]\nid = \"h\"\nhazard = 0.05\n"));
    let h = m.node_index("h").unwrap();
    let n = 40_000;
    let grid = [5.0, 10.0, 20.0, 40.0, 80.0];
    let mut k = [0u64; 5];
    runs(&m, n, |r| {
        for (i, t) in grid.iter().enumerate() {
            k[i] += u64::from(r.first_time[h] <= *t);
        }
    });
    for (i, t) in grid.iter().enumerate() {
        assert_prop(
            k[i] as f64 / n as f64,
            1.0 - (-0.05 * t).exp(),
            n,
            &format!("P(by {t})"),
        );
    }
}

#[test]
fn rung_probabilities() {
    // a (rung 1) with p 0.5, then b (rung 3) with p 0.5: max rung 0, 1, 3 w.p. 1/2, 1/4, 1/4.
    let m = model(&format!(
        "{HEAD}
[actors.red]
[actors.blue]
[[steps]]
id = \"a\"
actor = \"red\"
rung = 1
probability = 0.5
[[steps]]
id = \"b\"
actor = \"blue\"
after = [\"a\"]
rung = 3
probability = 0.5
"
    ));
    let n = 40_000;
    let mut k = [0u64; 4];
    runs(&m, n, |r| {
        k[r.max_rung as usize] += 1;
        assert_eq!(r.actor_max_rung[0], if r.counts[0] > 0 { 1 } else { 0 });
        assert_eq!(r.actor_max_rung[1], if r.counts[1] > 0 { 3 } else { 0 });
    });
    assert_eq!(k[2], 0);
    assert_prop(k[0] as f64 / n as f64, 0.5, n, "P(max 0)");
    assert_prop(k[1] as f64 / n as f64, 0.25, n, "P(max 1)");
    assert_prop(k[3] as f64 / n as f64, 0.25, n, "P(max 3)");
}

#[test]
fn probability_decided_once_at_enablement() {
    // The guard goes false again after enablement; the decision stands.
    let m = model(&format!(
        "{HEAD}
[actors.x]
state = {{ open = 1 }}
[[steps]]
id = \"close\"
delay = 1
effects = [\"x.open = 0\"]
[[steps]]
id = \"s\"
when = \"x.open > 0\"
probability = 0.5
delay = 10
"
    ));
    let n = 40_000;
    assert_prop(p_happened(&m, n, "s"), 0.5, n, "P(s)");
}

#[test]
fn simultaneous_events_happen_in_file_order() {
    let m = model(&format!(
        "{HEAD}
[[steps]]
id = \"first\"
delay = 5
ends = \"first_end\"
[[steps]]
id = \"second\"
delay = 5
ends = \"second_end\"
"
    ));
    runs(&m, 10, |r| assert_eq!(m.outcomes[r.outcome], "first_end"));
}

#[test]
fn any_of_needs_one() {
    let m = model(&format!(
        "{HEAD}
[[steps]]
id = \"a\"
probability = 0.5
[[steps]]
id = \"b\"
probability = 0.5
[[steps]]
id = \"c\"
any_of = [\"a\", \"b\"]
"
    ));
    let n = 40_000;
    assert_prop(p_happened(&m, n, "c"), 0.75, n, "P(c)");
}

#[test]
fn parameter_moments_of_every_family() {
    // (declaration, mean, sd) in closed form.
    let cases: &[(&str, f64, f64)] = &[
        (
            "{ dist = \"uniform\", min = 2, max = 8 }",
            5.0,
            6.0 / 12f64.sqrt(),
        ),
        ("{ dist = \"normal\", mean = 3, sd = 2 }", 3.0, 2.0),
        (
            "{ dist = \"triangular\", min = 0, mode = 3, max = 12 }",
            5.0,
            (144.0f64 + 9.0 - 36.0) / 18.0,
        ),
        ("{ dist = \"pert\", min = 0, mode = 3, max = 12 }", 4.0, 0.0),
        (
            "{ dist = \"beta\", alpha = 2, beta = 3 }",
            0.4,
            (6.0f64 / (25.0 * 6.0)).sqrt(),
        ),
        (
            "{ dist = \"gamma\", shape = 3, scale = 2 }",
            6.0,
            12f64.sqrt(),
        ),
        ("{ dist = \"exponential\", mean = 4 }", 4.0, 4.0),
        ("{ dist = \"exponential\", rate = 0.5 }", 2.0, 2.0),
        ("{ dist = \"poisson\", mean = 7 }", 7.0, 7f64.sqrt()),
        (
            "{ dist = \"binomial\", n = 20, p = 0.3 }",
            6.0,
            4.2f64.sqrt(),
        ),
        ("{ dist = \"bernoulli\", p = 0.3 }", 0.3, 0.21f64.sqrt()),
        (
            "{ dist = \"discrete\", values = [1, 2, 10], weights = [1, 1, 2] }",
            5.75,
            0.0,
        ),
        ("{ dist = \"fixed\", value = 9 }", 9.0, 0.0),
        ("{ dist = \"weibull\", shape = 1, scale = 3 }", 3.0, 3.0),
        (
            "{ dist = \"lognormal\", mu = 1, sigma = 0.5 }",
            (1.0f64 + 0.125).exp(),
            0.0,
        ),
        ("{ dist = \"lognormal\", p5 = 2, p95 = 50 }", 0.0, 0.0),
    ];
    for (decl, mean, sd) in cases {
        let m = model(&format!("{HEAD}\n[parameters]\nx = {decl}\n"));
        let n = 40_000u64;
        let mut xs = Vec::with_capacity(n as usize);
        runs(&m, n, |r| xs.push(r.params[0]));
        let (mean, sd) = fill_closed_form(decl, *mean, *sd);
        let est = xs.iter().sum::<f64>() / n as f64;
        if sd == 0.0 {
            assert_eq!(est, mean, "{decl}");
            continue;
        }
        assert_mean(est, mean, sd, n, decl);
        // The sample sd: se(s^2) = sqrt((mu4 - sigma^4) / n); mu4 estimated from the sample.
        let var = xs.iter().map(|x| (x - est).powi(2)).sum::<f64>() / (n - 1) as f64;
        let mu4 = xs.iter().map(|x| (x - est).powi(4)).sum::<f64>() / n as f64;
        let se_var = ((mu4 - var * var) / n as f64).sqrt();
        assert!(
            (var - sd * sd).abs() <= 5.0 * se_var,
            "{decl}: variance {var}, expected {}",
            sd * sd
        );
    }
}

/// Closed forms too long for the table above.
fn fill_closed_form(decl: &str, mean: f64, sd: f64) -> (f64, f64) {
    if decl.contains("pert") {
        // PERT(a, m, b, lambda 4) is a + (b - a) Beta(1 + 4(m-a)/(b-a), 1 + 4(b-m)/(b-a)).
        let (a, m, b) = (0.0f64, 3.0, 12.0);
        let al = 1.0 + 4.0 * (m - a) / (b - a);
        let be = 1.0 + 4.0 * (b - m) / (b - a);
        let var = al * be / ((al + be).powi(2) * (al + be + 1.0)) * (b - a) * (b - a);
        return ((a + 4.0 * m + b) / 6.0, var.sqrt());
    }
    if decl.contains("discrete") {
        let (v, w) = ([1.0, 2.0, 10.0], [0.25, 0.25, 0.5]);
        let mu: f64 = v.iter().zip(&w).map(|(v, w)| v * w).sum();
        let var: f64 = v.iter().zip(&w).map(|(v, w)| w * (v - mu) * (v - mu)).sum();
        return (mu, var.sqrt());
    }
    if decl.contains("mu = 1") {
        let (mu, s2) = (1.0f64, 0.25f64);
        return (
            (mu + s2 / 2.0).exp(),
            (((s2).exp() - 1.0) * (2.0 * mu + s2).exp()).sqrt(),
        );
    }
    if decl.contains("p5") {
        // mu, sigma from the 90% interval.
        let mu = (2f64.ln() + 50f64.ln()) / 2.0;
        let s = (50f64.ln() - 2f64.ln()) / (2.0 * 1.6448536269514722);
        let s2 = s * s;
        return (
            (mu + s2 / 2.0).exp(),
            ((s2.exp() - 1.0) * (2.0 * mu + s2).exp()).sqrt(),
        );
    }
    if decl.contains("triangular") {
        let (a, c, b) = (0.0f64, 3.0f64, 12.0f64);
        let var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
        return (mean, var.sqrt());
    }
    (mean, sd)
}

#[test]
fn lognormal_interval_puts_five_percent_in_each_tail() {
    let m = model(&format!(
        "{HEAD}\n[parameters]\nx = {{ dist = \"lognormal\", p5 = 2, p95 = 50 }}\n"
    ));
    let n = 40_000;
    let (mut lo, mut hi) = (0u64, 0u64);
    runs(&m, n, |r| {
        lo += u64::from(r.params[0] < 2.0);
        hi += u64::from(r.params[0] > 50.0);
    });
    assert_prop(lo as f64 / n as f64, 0.05, n, "P(x < p5)");
    assert_prop(hi as f64 / n as f64, 0.05, n, "P(x > p95)");
}

#[test]
fn run_i_is_the_same_whatever_else_runs() {
    let text = format!(
        "{HEAD}
[parameters]
p = {{ dist = \"uniform\", min = 0, max = 1 }}
[[steps]]
id = \"a\"
probability = \"p\"
delay = {{ dist = \"exponential\", mean = 10 }}
[[steps]]
id = \"b\"
hazard = 0.03
"
    );
    let m = model(&text);
    let mut first = Vec::new();
    runs(&m, 50, |r| {
        first.push((r.params.clone(), r.first_time.clone()))
    });
    // Run 37 alone, with a fresh runner, gives the same record.
    let mut runner = Runner::new(&m, SEED);
    let mut rec = RunRecord::default();
    runner.run(37, &mut rec).unwrap();
    assert_eq!(rec.params, first[37].0);
    assert_eq!(
        format!("{:?}", rec.first_time),
        format!("{:?}", first[37].1)
    );

    // Editing step a (another delay) leaves step b's draws alone: common random numbers.
    let edited = model(&text.replace("mean = 10", "mean = 3"));
    let mut runner = Runner::new(&edited, SEED);
    let b = m.node_index("b").unwrap();
    for (i, (params, times)) in first.iter().enumerate() {
        runner.run(i as u64, &mut rec).unwrap();
        assert_eq!(&rec.params, params, "run {i}: parameters unchanged");
        assert_eq!(
            rec.first_time[b].to_bits(),
            times[b].to_bits(),
            "run {i}: step b unchanged"
        );
    }
}

#[test]
fn run_time_errors_name_the_step_value_run_and_seed() {
    let m = model(&format!(
        "{HEAD}
[parameters]
p = {{ dist = \"uniform\", min = 0, max = 2 }}
[[steps]]
id = \"risky\"
probability = \"p\"
"
    ));
    let mut runner = Runner::new(&m, SEED);
    let mut rec = RunRecord::default();
    let err = (0..100)
        .find_map(|i| runner.run(i, &mut rec).err())
        .expect("some run has p > 1");
    let text = err.to_string();
    assert!(text.contains("step `risky`"), "{text}");
    assert!(text.contains("expression: p"), "{text}");
    assert!(text.contains(&format!("seed {SEED}")), "{text}");
    assert!(text.contains(&format!("run {}", err.run)), "{text}");
    assert!(err.value > 1.0 && err.value <= 2.0);
}

#[test]
fn a_nan_guard_or_while_stops_the_run_instead_of_being_false() {
    // sqrt(z) is NaN exactly when z < 0: those runs, and only those, must fail.
    for (site, body) in [
        (
            "`when`",
            "[[steps]]\nid = \"a\"\nwhen = \"sqrt(z) > 0 or fired(b)\"\n[[steps]]\nid = \"b\"\ndelay = 5\n",
        ),
        (
            "`while`",
            "[actors.u]\nstate = { x = 0 }\n[[flows]]\ntarget = \"u.x\"\nrate = 1\n\
             while = \"not (sqrt(z) < 0)\"\n[[steps]]\nid = \"a\"\nwhen = \"u.x > 5\"\n",
        ),
    ] {
        let m = model(&format!(
            "{HEAD}[parameters]\nz = {{ dist = \"uniform\", min = -1, max = 1 }}\n{body}"
        ));
        let z = m.param_index("z").expect("z");
        let mut runner = Runner::new(&m, SEED);
        let mut rec = RunRecord::default();
        let mut failed = 0;
        for i in 0..200 {
            let result = runner.run(i, &mut rec);
            assert_eq!(
                result.is_err(),
                rec.params[z] < 0.0,
                "{site}, run {i}: {result:?}"
            );
            if let Err(e) = result {
                failed += 1;
                let text = e.to_string();
                assert!(
                    text.contains(&format!("its {site} is neither true nor false")),
                    "{text}"
                );
                assert!(e.value.is_nan() && e.time == 0.0, "{text}");
            }
        }
        assert!(
            (60..=140).contains(&failed),
            "{site}: {failed} of 200 runs failed"
        );
    }
}

#[test]
fn a_step_that_keeps_happening_is_stopped() {
    let m = model(
        "[scenario]\nname = \"t\"\nhorizon = 1e9\nresolution = 1000\n
[[steps]]
id = \"again\"
hazard = 1
repeat = 4000000000
",
    );
    let mut runner = Runner::new(&m, SEED);
    let err = runner.run(0, &mut RunRecord::default()).unwrap_err();
    assert!(err.to_string().contains("step `again`"), "{err}");
    assert!(err.to_string().contains("10,000,000 events"), "{err}");
}

/// A scenario made to exercise every way a change can wake a step: `after`, `any_of`, `when`
/// on a variable changed by effects, on a flowing variable, on `t` and on `count()`; hazards
/// re-rated by effects and paused by their guard; repeats, branches with effects, excludes.
const WATCHERS: &str = r#"
[scenario]
name = "watchers"
horizon = 60
resolution = 0.5

[parameters]
base = { dist = "uniform", min = 0.05, max = 0.3 }

[actors.a]
state = { x = 0, y = 0, z = 1 }

[[steps]]
id = "pulse"
hazard = "base"
repeat = 6
effects = ["a.x += 1"]

[[steps]]
id = "second"
when = "count(pulse) >= 2"
probability = 0.8
delay = { dist = "exponential", mean = 3 }
effects = ["a.z = 0"]

[[steps]]
id = "rated"
after = ["second"]
when = "a.z < 1 and a.y < 4"
hazard = "0.02 * a.x + 0.01 * a.y"
effects = ["a.x -= 1"]
repeat = 3

[[steps]]
id = "threshold"
when = "a.y > 2"
probability = "clamp(base * 3, 0, 1)"
delay = 1

[[steps]]
id = "late"
when = "t >= 20"
hazard = "0.05"
excludes = ["rated"]

[[steps]]
id = "either"
any_of = ["threshold", "late"]
probability = 0.7
delay = { dist = "triangular", min = 0, mode = 1, max = 4 }
effects = ["a.z += 2"]
  [[steps.branches]]
  id = "either_up"
  probability = 0.6
  effects = ["a.x += 3"]
  [[steps.branches]]
  id = "either_down"
  probability = "rest"
  effects = ["a.x = 0"]

[[steps]]
id = "after_up"
after = ["either_up"]
hazard = "0.01 * a.x * a.z"
ends = "escalated"

[[flows]]
target = "a.y"
rate = "0.1 * a.x"
while = "fired(second)"
"#;

/// Looking only at the steps a change can affect must give exactly the runs that looking at
/// every step gives (the spec's literal reading): same trace, event for event, same record.
#[test]
fn watched_steps_give_the_same_runs_as_a_full_scan() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut models = vec![("watchers".to_string(), model(WATCHERS))];
    for file in [
        "scenarios/dprk-kursk.toml",
        "scenarios/kahn-ladder.toml",
        "scenarios/textbook.toml",
        "benches/ladder15.toml",
    ] {
        let (m, _) = rungs::scenario::load_file(&root.join(file)).expect("shipped scenario");
        models.push((file.to_string(), m));
    }
    for (name, m) in &models {
        let mut watched = Runner::new(m, SEED);
        let mut full = Runner::new(m, SEED);
        full.look_at_every_step(true);
        let (mut a, mut b) = (RunRecord::default(), RunRecord::default());
        let mut events = 0;
        for i in 0..400 {
            let (mut ta, mut tb) = (Vec::new(), Vec::new());
            let ra = watched.run_traced(i, &mut a, &mut ta);
            let rb = full.run_traced(i, &mut b, &mut tb);
            assert_eq!(ra, rb, "{name}, run {i}: results differ");
            assert_eq!(ta, tb, "{name}, run {i}: traces differ");
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{name}, run {i}");
            events += ta.len();
        }
        // The comparison means something only if things happen.
        assert!(events > 400 * 5, "{name}: only {events} trace events");
    }
}

/// A random scenario of a few steps wired by after, any_of, when (on state, flows, `t`,
/// counts), chances, hazards, repeats, effects, excludes, branches and a flow.
fn random_scenario(g: &mut Gen) -> String {
    let n = 3 + g.below(8);
    let mut s = String::from(
        "[scenario]\nname = \"random\"\nhorizon = 50\nresolution = 1\n\n\
         [actors.a]\nstate = { x = 0, y = 0 }\n",
    );
    // Earlier nodes (steps and branches) that `after` and `any_of` can name.
    let mut nodes: Vec<String> = Vec::new();
    for i in 0..n {
        s += &format!("\n[[steps]]\nid = \"s{i}\"\n");
        if !nodes.is_empty() && g.below(2) == 0 {
            s += &format!("after = [\"{}\"]\n", nodes[g.below(nodes.len())]);
        }
        if nodes.len() >= 2 && g.below(4) == 0 {
            let (p, q) = (&nodes[g.below(nodes.len())], &nodes[g.below(nodes.len())]);
            s += &format!("any_of = [\"{p}\", \"{q}\"]\n");
        }
        if g.below(2) == 0 {
            let counted = if i > 0 { g.below(i) } else { 0 };
            let when = [
                "a.x >= 1".to_string(),
                "a.y > 2".to_string(),
                "t >= 10".to_string(),
                format!("count(s{counted}) >= 1 or a.x < 0"),
                "a.x + a.y > 1.5".to_string(),
            ];
            s += &format!("when = \"{}\"\n", when[g.below(when.len())]);
        }
        let hazard = g.below(2) == 0;
        if hazard {
            let rate = g.pick(&[
                "0.1",
                "0.05 * (1 + max(a.x, 0))",
                "0.01 * t",
                "0.03 + 0.02 * max(a.y, 0)",
            ]);
            s += &format!("hazard = \"{rate}\"\n");
        } else {
            let p = g.pick(&["0.7", "clamp(0.3 + 0.2 * a.x, 0, 1)", "1"]);
            s += &format!("probability = \"{p}\"\n");
            let delay = g.pick(&[
                "delay = 2",
                "delay = { dist = \"exponential\", mean = 3 }",
                "delay = { dist = \"uniform\", min = 1, max = 4 }",
            ]);
            s += delay;
            s += "\n";
        }
        if g.below(3) == 0 {
            s += &format!("repeat = {}\n", 2 + g.below(3));
        }
        let effect = g.pick(&["a.x += 1", "a.y += 1.5", "a.x -= 0.5", "a.y = 0"]);
        s += &format!("effects = [\"{effect}\"]\n");
        if i + 1 < n && g.below(5) == 0 {
            s += &format!("excludes = [\"s{}\"]\n", i + 1 + g.below(n - i - 1));
        }
        if g.below(8) == 0 {
            s += "ends = \"stop\"\n";
        } else if g.below(4) == 0 {
            nodes.push(format!("s{i}_up"));
            nodes.push(format!("s{i}_down"));
            s += &format!(
                "  [[steps.branches]]\n  id = \"s{i}_up\"\n  probability = 0.5\n  effects = [\"a.x += 2\"]\n  \
                 [[steps.branches]]\n  id = \"s{i}_down\"\n  probability = \"rest\"\n"
            );
        }
        nodes.push(format!("s{i}"));
    }
    if g.below(2) == 0 {
        s += &format!(
            "\n[[flows]]\ntarget = \"a.y\"\nrate = \"0.2\"\nwhile = \"fired(s{})\"\n",
            g.below(n)
        );
    }
    s
}

/// The same comparison as above on 300 random scenarios: watched steps and a full scan must
/// give the same run, event for event (or the same run-time error).
#[test]
fn watched_steps_match_a_full_scan_on_random_scenarios() {
    let mut g = Gen(SEED);
    let (mut loaded, mut events) = (0, 0);
    for k in 0..300 {
        let text = random_scenario(&mut g);
        let Ok((m, _)) = load_str("random.toml", &text) else {
            continue;
        };
        loaded += 1;
        let mut watched = Runner::new(&m, SEED);
        let mut full = Runner::new(&m, SEED);
        full.look_at_every_step(true);
        let (mut a, mut b) = (RunRecord::default(), RunRecord::default());
        for i in 0..40 {
            let (mut ta, mut tb) = (Vec::new(), Vec::new());
            let ra = watched.run_traced(i, &mut a, &mut ta);
            let rb = full.run_traced(i, &mut b, &mut tb);
            assert_eq!(ra, rb, "scenario {k}, run {i}:\n{text}");
            assert_eq!(ta, tb, "scenario {k}, run {i}:\n{text}");
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "scenario {k}, run {i}");
            events += ta.len();
        }
    }
    // Most generated scenarios must load, and their runs must do things.
    assert!(
        loaded >= 200,
        "only {loaded} of 300 random scenarios loaded"
    );
    assert!(events > loaded * 40 * 3, "only {events} trace events");
}
