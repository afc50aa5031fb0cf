//! `[[correlations]]` and words of estimative probability, against closed forms: the rank
//! correlations asked for, the marginals unchanged (means, quantiles, and a two-sample KS
//! test against the same parameters drawn without correlations), `--set` fixing one member
//! of a group, the words' ranges, and the same bytes for any thread count and shard split.

use std::path::Path;

mod common;

use common::{rungs, write_file};
use rungs::engine::RunRecord;
use rungs::engine::run::Runner;
use rungs::scenario::{Model, ParamValue, load_str};

/// 100,000 runs: the standard error of a sample Spearman correlation is below
/// (1 - r^2) / sqrt(n) ~ 0.003 here, so the issue's 0.02 is over 6 of them.
const RUNS: u64 = 100_000;

/// Pairs of different families, one group of three (a, b, c) and two pairs; every family
/// with a numeric inverse CDF (beta, pert, gamma) and the closed-form ones.
const SCENARIO: &str = r#"
[scenario]
name = "correlated"
horizon = 10

[parameters]
a = { dist = "beta", alpha = 2, beta = 5 }
b = { dist = "gamma", shape = 2, scale = 3 }
c = { dist = "lognormal", p5 = 1, p95 = 10 }
d = { dist = "pert", min = 0, mode = 3, max = 10 }
e = { dist = "weibull", shape = 1.5, scale = 30 }
f = { dist = "triangular", min = 0.2, mode = 0.5, max = 0.9 }
g = { dist = "exponential", mean = 20 }
h = { dist = "uniform", min = -1, max = 1 }
k = { dist = "normal", mean = 5, sd = 2 }
derived = "a + k"

[[correlations]]
between = ["a", "b"]
rank = -0.6

[[correlations]]
between = ["b", "c"]
rank = 0.5

[[correlations]]
between = ["d", "e"]
rank = 0.8

[[correlations]]
between = ["f", "g"]
rank = -0.3

[[correlations]]
between = ["h", "k"]
rank = 0.95

[[steps]]
id = "s"
probability = "likely"
delay = "a + b"
"#;

/// The requested pairs: (first, second, rank).
const PAIRS: [(&str, &str, f64); 5] = [
    ("a", "b", -0.6),
    ("b", "c", 0.5),
    ("d", "e", 0.8),
    ("f", "g", -0.3),
    ("h", "k", 0.95),
];

fn model(text: &str) -> Model {
    load_str("correlated.toml", text).map_or_else(|d| panic!("{d}"), |(m, _)| m)
}

/// Every parameter's value in `n` runs, one column per parameter.
fn columns(m: &Model, n: u64, seed: u64) -> Vec<Vec<f64>> {
    let mut runner = Runner::new(m, seed);
    let mut rec = RunRecord::default();
    let mut cols = vec![Vec::with_capacity(n as usize); m.params.len()];
    for run in 0..n {
        runner.run(run, &mut rec).expect("the run succeeds");
        for (c, v) in cols.iter_mut().zip(&rec.params) {
            c.push(*v);
        }
    }
    cols
}

/// Ranks 0..n (the draws are continuous: no ties).
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
    let mut r = vec![0.0; v.len()];
    for (k, &i) in idx.iter().enumerate() {
        r[i] = k as f64;
    }
    r
}

fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let mean = (n - 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mean) * (b - mean);
        sxx += (a - mean) * (a - mean);
        syy += (b - mean) * (b - mean);
    }
    sxy / (sxx * syy).sqrt()
}

fn col<'a>(m: &Model, cols: &'a [Vec<f64>], id: &str) -> &'a [f64] {
    &cols[m.param_index(id).expect("a parameter")]
}

#[test]
fn measured_rank_correlations_are_the_requested_ones() {
    let m = model(SCENARIO);
    let cols = columns(&m, RUNS, 11);
    for (x, y, want) in PAIRS {
        let got = spearman(col(&m, &cols, x), col(&m, &cols, y));
        eprintln!("{x} ~ {y}: asked {want}, measured {got:.4}");
        assert!((got - want).abs() <= 0.02, "{x} ~ {y}: {got} vs {want}");
    }
    // A pair not given is independent, even inside a group (a and c): |r| within 5 standard
    // errors of 0 (1 / sqrt(n)).
    let ac = spearman(col(&m, &cols, "a"), col(&m, &cols, "c"));
    assert!(ac.abs() <= 5.0 / (RUNS as f64).sqrt(), "a ~ c: {ac}");
    // The derived parameter still follows its inputs.
    let (a, k, sum) = (
        col(&m, &cols, "a"),
        col(&m, &cols, "k"),
        col(&m, &cols, "derived"),
    );
    assert!((0..100).all(|i| sum[i] == a[i] + k[i]));
}

#[test]
fn marginals_keep_their_means_and_quantiles() {
    let m = model(SCENARIO);
    let cols = columns(&m, RUNS, 12);
    let n = RUNS as f64;
    for (p, param) in m.params.iter().enumerate() {
        let ParamValue::Drawn(d) = &param.value else {
            continue;
        };
        let v = &cols[p];
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        // The sample mean's standard error is sd / sqrt(n); 5 of them.
        let want = d.mean().expect("a closed-form mean");
        let se = (var / n).sqrt();
        assert!(
            (mean - want).abs() <= 5.0 * se,
            "{}: mean {mean} vs {want}",
            param.id
        );
        // At the closed-form q-quantile the share of draws at or below it is Binomial(n, q)
        // / n: within 5 standard errors sqrt(q (1 - q) / n) of q.
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let x = d.quantile(q).expect("a quantile");
            let share = v.iter().filter(|&&y| y <= x).count() as f64 / n;
            let se = (q * (1.0 - q) / n).sqrt();
            assert!(
                (share - q).abs() <= 5.0 * se,
                "{}: {share} of draws at or below the {q}-quantile {x}",
                param.id
            );
        }
    }
}

/// The two-sample Kolmogorov-Smirnov statistic sup |F1 - F2|.
fn ks(a: &[f64], b: &[f64]) -> f64 {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

#[test]
fn each_marginal_passes_a_ks_test_against_its_uncorrelated_draws() {
    let m = model(SCENARIO);
    let body = SCENARIO.split("[[correlations]]").next().expect("a head");
    let free = model(&format!(
        "{body}\n[[steps]]\nid = \"s\"\nprobability = \"likely\"\n"
    ));
    let n = RUNS / 2;
    let (with, without) = (columns(&m, n, 13), columns(&free, n, 14));
    // Two samples of n from one distribution: P(D > c sqrt(2 / n)) <= 2 exp(-2 c^2);
    // c = 2.8 makes that 3e-7.
    let limit = 2.8 * (2.0 / n as f64).sqrt();
    for (x, y, _) in PAIRS {
        for id in [x, y] {
            let d = ks(col(&m, &with, id), col(&free, &without, id));
            assert!(d <= limit, "{id}: KS distance {d} > {limit}");
        }
    }
}

#[test]
fn set_fixes_one_member_and_the_others_keep_theirs() {
    let mut m = model(SCENARIO);
    let b = m.param_index("b").expect("b");
    m.set_param(b, 4.0);
    let cols = columns(&m, RUNS / 2, 15);
    assert!(col(&m, &cols, "b").iter().all(|&v| v == 4.0));
    // a and c are no longer linked through b; d ~ e is untouched.
    let ac = spearman(col(&m, &cols, "a"), col(&m, &cols, "c"));
    assert!(ac.abs() <= 5.0 / ((RUNS / 2) as f64).sqrt(), "a ~ c: {ac}");
    let de = spearman(col(&m, &cols, "d"), col(&m, &cols, "e"));
    assert!((de - 0.8).abs() <= 0.02, "d ~ e: {de}");
}

#[test]
fn a_word_is_drawn_across_its_range() {
    let m = model(SCENARIO);
    let p = m
        .param_index("s.probability")
        .expect("the word's parameter");
    let cols = columns(&m, RUNS / 10, 16);
    let v = &cols[p];
    assert!(v.iter().all(|&x| (0.55..0.80).contains(&x)));
    // Uniform on [0.55, 0.8]: mean 0.675, sd 0.25 / sqrt(12); 5 standard errors.
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let se = 0.25 / 12f64.sqrt() / n.sqrt();
    assert!((mean - 0.675).abs() <= 5.0 * se, "{mean}");
}

fn run_out(file: &Path, out: &Path, extra: &[&str]) {
    rungs()
        .args(["run", "--runs", "3000", "--seed", "5", "--quiet"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .arg(file)
        .assert()
        .success();
}

#[test]
fn correlated_bytes_do_not_depend_on_threads_or_shards() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    let file = write_file(d, "correlated.toml", SCENARIO);
    for t in ["1", "2", "3"] {
        run_out(
            &file,
            &d.join(format!("t{t}")),
            &["--threads", t, "--per-run"],
        );
    }
    for k in 0..3 {
        run_out(&file, &d.join("parts"), &["--shard", &format!("{k}/3")]);
    }
    rungs()
        .arg("merge")
        .args((0..3).map(|k| d.join("parts").join(format!("shard-{k}-of-3.json"))))
        .args(["--quiet", "--out"])
        .arg(d.join("merged"))
        .assert()
        .success();
    for name in rungs::output::STATISTICS_FILES
        .iter()
        .copied()
        .chain(["runs.csv"])
    {
        let one = std::fs::read(d.join("t1").join(name)).expect("written");
        for other in ["t2", "t3"] {
            let b = std::fs::read(d.join(other).join(name)).expect("written");
            assert_eq!(one, b, "{name}: t1 vs {other}");
        }
        if name != "runs.csv" {
            let b = std::fs::read(d.join("merged").join(name)).expect("written");
            assert_eq!(one, b, "{name}: t1 vs 3 merged shards");
        }
    }
}
