//! `rungs sweep` from the command line and the sweep library against closed forms.
//!
//! Tolerances are 5 binomial standard errors for the runs used (a correct implementation
//! fails one with probability < 1e-6); seeds are fixed so a failure reproduces.

use std::path::Path;

mod common;

use assert_cmd::Command;
use common::{assert_prop, rungs, write_file};
use rungs::partial::Partial;
use rungs::scenario::{SweepSpec, load_str};
use rungs::sweep::design;

/// Step `a` happens with probability `p`, then `b` with probability `q`, which ends the run
/// with `war`; `u` is uncertain (for epistemic and tornado tests) and drives step `c`.
const SCENARIO: &str = r#"
[scenario]
name = "sweep test"
horizon = 100

[parameters]
p = 0.5
q = 0.4
u = { dist = "uniform", min = 0, max = 1 }
half_u = "u / 2"

[[steps]]
id = "a"
probability = "p"
delay = 1

[[steps]]
id = "b"
after = ["a"]
probability = "q"
delay = 1
ends = "war"

[[steps]]
id = "c"
probability = "half_u"
delay = 50
"#;

/// Parses a CSV file into its header and rows (the files have no quoted commas here).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[test]
fn grid_size_order_and_closed_form() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(tmp.path(), "s.toml", SCENARIO);
    let out = tmp.path().join("out");
    let runs = 4000u64;
    rungs()
        .args(["sweep", s.to_str().unwrap(), "--quiet", "--threads", "2"])
        .args(["--vary", "p=0.2,0.9", "--vary", "q=0..1:3"])
        .args(["--runs", &runs.to_string(), "--out", out.to_str().unwrap()])
        .assert()
        .success();

    // points.csv: 2 x 3 points, the first --vary slowest.
    let (h, rows) = csv(&out.join("points.csv"));
    assert_eq!(h, ["point", "p", "q"]);
    let expect = [
        ["0", "0.2", "0"],
        ["1", "0.2", "0.5"],
        ["2", "0.2", "1"],
        ["3", "0.9", "0"],
        ["4", "0.9", "0.5"],
        ["5", "0.9", "1"],
    ];
    assert_eq!(rows.len(), expect.len());
    for (r, e) in rows.iter().zip(expect) {
        assert_eq!(r, &e);
    }

    // sweep_steps.csv: per point, P(a) = p and P(b) = p q.
    let (h, rows) = csv(&out.join("sweep_steps.csv"));
    assert_eq!(&h[..4], ["point", "p", "q", "step"]);
    let (ip, iq, is, iprob) = (
        col(&h, "p"),
        col(&h, "q"),
        col(&h, "step"),
        col(&h, "probability"),
    );
    assert_eq!(rows.len(), 6 * 3, "3 steps at each of 6 points");
    for r in &rows {
        let (p, q): (f64, f64) = (r[ip].parse().unwrap(), r[iq].parse().unwrap());
        let est: f64 = r[iprob].parse().unwrap();
        match r[is].as_str() {
            "a" => assert_prop(est, p, runs, "P(a)"),
            "b" => assert_prop(est, p * q, runs, "P(b)"),
            // c is decided at t = 0 with probability E[u/2] and happens at t = 50 unless
            // war ended the run at t = 2 first.
            "c" => assert_prop(est, 0.25 * (1.0 - p * q), runs, "P(c) = E[u/2] (1 - p q)"),
            other => panic!("unexpected step {other}"),
        }
    }

    // sweep_outcomes.csv: war = p q, horizon = 1 - p q.
    let (h, rows) = csv(&out.join("sweep_outcomes.csv"));
    assert_eq!(&h[..4], ["point", "p", "q", "outcome"]);
    let (io, iprob) = (col(&h, "outcome"), col(&h, "probability"));
    assert_eq!(rows.len(), 6 * 2);
    for r in &rows {
        let pq: f64 = r[ip].parse::<f64>().unwrap() * r[iq].parse::<f64>().unwrap();
        let est: f64 = r[iprob].parse().unwrap();
        match r[io].as_str() {
            "war" => assert_prop(est, pq, runs, "P(war)"),
            "horizon" => assert_prop(est, 1.0 - pq, runs, "P(horizon)"),
            other => panic!("unexpected outcome {other}"),
        }
    }
    assert!(out.join("manifest.json").exists());
}

const FILES: [&str; 3] = ["points.csv", "sweep_steps.csv", "sweep_outcomes.csv"];

#[test]
fn threads_do_not_change_bytes_and_shards_merge_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(tmp.path(), "s.toml", SCENARIO);
    // 2500 runs: two full blocks and a partial one, so block boundaries are exercised.
    let common = |cmd: &mut Command| {
        cmd.args(["sweep", s.to_str().unwrap(), "--quiet", "--runs", "2500"])
            .args(["--vary", "p=0.1..0.9:5"]);
    };
    for t in ["1", "2"] {
        let mut c = rungs();
        common(&mut c);
        c.args(["--threads", t, "--out"])
            .arg(tmp.path().join(format!("t{t}")))
            .assert()
            .success();
    }
    for f in FILES {
        let a = std::fs::read(tmp.path().join("t1").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("t2").join(f)).unwrap();
        assert!(a == b, "{f} differs between --threads 1 and 2");
    }

    let parts_dir = tmp.path().join("parts");
    for k in ["0/2", "1/2"] {
        let mut c = rungs();
        common(&mut c);
        c.args(["--threads", "2", "--shard", k, "--out"])
            .arg(&parts_dir)
            .assert()
            .success();
    }
    let mut parts = Vec::new();
    for k in [1, 0] {
        let path = parts_dir.join(format!("shard-{k}-of-2.json"));
        let text = std::fs::read_to_string(&path).expect("shard file");
        let part: Partial<serde_json::Value> =
            rungs::partial::open(text.as_bytes()).expect("partial");
        assert_eq!(part.job.command, "sweep");
        parts.push((path.display().to_string(), part));
    }
    // One shard alone is refused: a gap.
    let merged = tmp.path().join("merged");
    let err = rungs::sweep::merge_sweep(vec![parts[0].clone()], &merged).unwrap_err();
    assert!(err.to_string().contains("gap"), "{err}");
    let done = rungs::sweep::merge_sweep(parts, &merged).expect("merge");
    assert_eq!(done.points, 5);
    for f in FILES {
        let a = std::fs::read(tmp.path().join("t1").join(f)).unwrap();
        let b = std::fs::read(merged.join(f)).unwrap();
        assert!(
            a == b,
            "{f} differs between the unsharded and the merged sweep"
        );
    }
}

#[test]
fn sweep_table_in_the_scenario_is_used_without_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!("{SCENARIO}\n[sweep]\nvary = {{ q = \"0.2..0.6:3\" }}\n");
    let s = write_file(tmp.path(), "s.toml", &text);
    let out = tmp.path().join("out");
    rungs()
        .args([
            "sweep",
            s.to_str().unwrap(),
            "--quiet",
            "--runs",
            "100",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let (h, rows) = csv(&out.join("points.csv"));
    assert_eq!(h, ["point", "q"]);
    let qs: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(qs, ["0.2", "0.4", "0.6"]);
}

#[test]
fn bad_designs_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(tmp.path(), "s.toml", SCENARIO);
    for args in [
        vec!["--vary", "nope=1,2"],
        vec!["--vary", "p=0..1"],
        vec!["--lhs", "5"],
        vec![],
        vec!["--vary", "p=1", "--vary", "p=2"],
    ] {
        rungs()
            .args(["sweep", s.to_str().unwrap(), "--quiet", "--runs", "10"])
            .args(&args)
            .arg("--out")
            .arg(tmp.path().join("x"))
            .assert()
            .code(2);
    }
    assert!(!tmp.path().join("x").exists(), "nothing written on error");
}

#[test]
fn epistemic_points_follow_the_distributions() {
    let (model, _) = load_str("s.toml", SCENARIO).expect("loads");
    let k = 4000u32;
    let spec = SweepSpec {
        epistemic: Some(k),
        ..SweepSpec::default()
    };
    let d = design::build(
        &model,
        &design::check_flags(&model, spec.clone()).unwrap(),
        11,
    )
    .expect("design");
    assert_eq!(d.params, ["u"], "only drawn parameters are columns");
    // u ~ uniform(0, 1): mean 1/2, variance 1/12; 5 standard errors.
    let n = f64::from(k);
    let mean = d.points.iter().map(|p| p[0]).sum::<f64>() / n;
    let var = d.points.iter().map(|p| (p[0] - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert!(
        (mean - 0.5).abs() < 5.0 * (1.0 / 12.0 / n).sqrt(),
        "mean {mean}"
    );
    // Var of the sample variance of a uniform: (mu4 - sigma^4 (n-3)/(n-1)) / n, mu4 = 1/80.
    let se_var = ((1.0 / 80.0 - (1.0 / 144.0) * (n - 3.0) / (n - 1.0)) / n).sqrt();
    assert!((var - 1.0 / 12.0).abs() < 5.0 * se_var, "variance {var}");
    assert!(d.points.iter().all(|p| (0.0..1.0).contains(&p[0])));
    assert_eq!(
        d,
        design::build(&model, &design::check_flags(&model, spec).unwrap(), 11).unwrap(),
        "deterministic"
    );
    // At a point, u is fixed and the derived half_u follows it.
    let m = d.model_at(&model, 3);
    assert!(
        matches!(m.params[2].value, rungs::scenario::ParamValue::Fixed(v) if v == d.points[3][0])
    );
    assert!(matches!(
        m.params[3].value,
        rungs::scenario::ParamValue::Derived(_)
    ));
}

#[test]
fn tornado_and_importance() {
    let tmp = tempfile::tempdir().unwrap();
    // war happens iff a (probability p) then b (probability q); u does nothing to war.
    let s = write_file(tmp.path(), "s.toml", SCENARIO);
    let out = tmp.path().join("out");
    let runs = 4000u64;
    rungs()
        .args([
            "sweep",
            s.to_str().unwrap(),
            "--quiet",
            "--tornado",
            "--importance",
        ])
        .args(["--vary", "p=0.2..0.8", "--runs", &runs.to_string(), "--out"])
        .arg(&out)
        .assert()
        .success();

    let (h, rows) = csv(&out.join("tornado.csv"));
    assert_eq!(
        h,
        [
            "parameter",
            "outcome",
            "low_value",
            "high_value",
            "p_base",
            "p_low",
            "p_high",
            "swing"
        ]
    );
    // p (given range) and u (drawn) move, 2 outcomes each.
    assert_eq!(rows.len(), 4);
    // Ranked by war, the rarest outcome other than horizon: its rows first, each group
    // largest swing first.
    let outcomes: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(outcomes, ["war", "war", "horizon", "horizon"]);
    for group in rows.chunks(2) {
        let swings: Vec<f64> = group.iter().map(|r| r[7].parse().unwrap()).collect();
        assert!(swings[0] >= swings[1], "largest swing first: {swings:?}");
    }
    // The base: every parameter drawn as usual, p = 0.5: war = p q = 0.2.
    assert_prop(rows[0][4].parse().unwrap(), 0.2, runs, "base war");
    assert_eq!(rows[0][4], rows[1][4], "one base per outcome");
    for r in &rows {
        let (lo, hi): (f64, f64) = (r[2].parse().unwrap(), r[3].parse().unwrap());
        let (pl, ph): (f64, f64) = (r[5].parse().unwrap(), r[6].parse().unwrap());
        match (r[0].as_str(), r[1].as_str()) {
            ("p", "war") => {
                assert_eq!((lo, hi), (0.2, 0.8));
                assert_prop(pl, 0.2 * 0.4, runs, "war at p low");
                assert_prop(ph, 0.8 * 0.4, runs, "war at p high");
            }
            ("u", outcome) => {
                // p10 and p90 of uniform(0, 1), exact or from 4096 draws (sd of the
                // empirical p10 is about sqrt(0.1 * 0.9 / 4096) = 0.005).
                assert!(
                    (lo - 0.1).abs() < 0.025 && (hi - 0.9).abs() < 0.025,
                    "{lo} {hi}"
                );
                // u does not touch war, and common random numbers make that exact.
                assert_eq!(pl, ph, "u moved {outcome}");
            }
            ("p", "horizon") => {}
            other => panic!("unexpected row {other:?}"),
        }
    }

    let (h, rows) = csv(&out.join("importance.csv"));
    assert_eq!(
        h,
        [
            "step",
            "outcome",
            "p_base",
            "p_blocked",
            "p_forced",
            "raw",
            "rrw"
        ]
    );
    assert_eq!(rows.len(), 3 * 2);
    let row = |step: &str, outcome: &str| {
        rows.iter()
            .find(|r| r[0] == step && r[1] == outcome)
            .unwrap_or_else(|| panic!("no row {step} {outcome}"))
    };
    let a_war = row("a", "war");
    let f = |s: &str| s.parse::<f64>().unwrap();
    assert_prop(f(&a_war[2]), 0.2, runs, "base war = p q");
    assert_eq!(f(&a_war[3]), 0.0, "blocking a blocks war");
    assert_prop(f(&a_war[4]), 0.4, runs, "forcing a: war = q");
    assert_eq!(a_war[6], "", "rrw undefined when p_blocked = 0");
    let raw = f(&a_war[5]);
    assert!((raw - f(&a_war[4]) / f(&a_war[2])).abs() < 1e-12);
    let b_war = row("b", "war");
    assert_prop(f(&b_war[4]), 0.5, runs, "forcing b: war = p");
    assert_eq!(f(&b_war[3]), 0.0, "blocking b blocks war");
    // c has no bearing on war: on common random numbers all three are the same runs.
    let c_war = row("c", "war");
    assert_eq!(
        (c_war[3].as_str(), c_war[4].as_str()),
        (c_war[2].as_str(), c_war[2].as_str())
    );
    assert_eq!((c_war[5].as_str(), c_war[6].as_str()), ("1", "1"));
}

/// Shards of a sweep merged with `rungs merge` (the command line, files given in scrambled
/// order) are the same bytes as the unsharded sweep, for N = 1..5 shards of 7 points (uneven
/// splits) and for 5 shards of 3 points (some shards empty).
#[test]
fn cli_merge_of_1_to_5_shards_gives_the_unsharded_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(tmp.path(), "s.toml", SCENARIO);
    for (vary, shards) in [("p=0.1..0.7:7", 1..=5u64), ("p=0.1..0.5:3", 5..=5)] {
        let common = |cmd: &mut Command| {
            cmd.args(["sweep", s.to_str().unwrap(), "--quiet", "--runs", "2100"])
                .args(["--vary", vary, "--vary", "q=0.3,0.6"]);
        };
        let whole = tmp.path().join(format!("whole-{vary}"));
        let mut c = rungs();
        common(&mut c);
        c.args(["--threads", "2", "--out"])
            .arg(&whole)
            .assert()
            .success();
        for n in shards {
            let parts_dir = tmp.path().join(format!("parts-{vary}-{n}"));
            for k in 0..n {
                let mut c = rungs();
                common(&mut c);
                // Alternate thread counts: a shard's bytes must not depend on them either.
                c.args(["--threads", if k % 2 == 0 { "1" } else { "2" }])
                    .args(["--shard", &format!("{k}/{n}"), "--out"])
                    .arg(&parts_dir)
                    .assert()
                    .success();
            }
            // A scrambled order: odd shards first, then even ones, each half reversed.
            let mut order: Vec<u64> = (0..n).filter(|k| k % 2 == 1).rev().collect();
            order.extend((0..n).filter(|k| k % 2 == 0).rev());
            let merged = tmp.path().join(format!("merged-{vary}-{n}"));
            let mut m = rungs();
            m.args(["merge", "--quiet", "--out"]).arg(&merged);
            for k in &order {
                m.arg(parts_dir.join(format!("shard-{k}-of-{n}.json")));
            }
            m.assert().success();
            for f in FILES {
                let a = std::fs::read(whole.join(f)).unwrap();
                let b = std::fs::read(merged.join(f)).unwrap();
                assert!(
                    a == b,
                    "{f}: {n} shards of {vary} merged differ from unsharded"
                );
            }
            if n > 1 {
                // Leaving out a shard is refused (exit 2), and nothing is written.
                let mut m = rungs();
                let partial_out = tmp.path().join(format!("partial-{vary}-{n}"));
                m.args(["merge", "--quiet", "--out"]).arg(&partial_out);
                for k in &order[1..] {
                    m.arg(parts_dir.join(format!("shard-{k}-of-{n}.json")));
                }
                m.assert().code(2);
                assert!(!partial_out.exists());
            }
        }
    }
}

/// Designs beyond the limits are refused before any run, with a message naming the limit.
#[test]
fn designs_larger_than_the_limits_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(tmp.path(), "s.toml", SCENARIO);
    let cases: [(Vec<&str>, &str); 4] = [
        // 1000 x 1000 = 10^6 points > 100,000.
        (
            vec!["--vary", "p=0..1:1000", "--vary", "q=0..1:1000"],
            "limit of 100000",
        ),
        (
            vec!["--lhs", "200000", "--vary", "p=0..1"],
            "limit of 100000",
        ),
        (vec!["--epistemic", "100001"], "limit of 100000"),
        // 1000 points x 10^8 runs = 10^11 runs > 10^10.
        (
            vec!["--vary", "p=0..1:1000", "--runs", "100000000"],
            "limit of 10000000000",
        ),
    ];
    for (args, msg) in cases {
        let out = rungs()
            .args(["sweep", s.to_str().unwrap(), "--quiet"])
            .args(&args)
            .arg("--out")
            .arg(tmp.path().join("x"))
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(2)
            .get_output()
            .clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "{args:?}: {err}");
    }
    assert!(!tmp.path().join("x").exists());
    // Exactly at the limits is accepted by the check.
    assert!(design::check_size(design::MAX_POINTS, 100_000).is_ok());
    assert!(design::check_size(design::MAX_POINTS, 100_001).is_err());
    assert!(design::check_size(design::MAX_POINTS + 1, 1).is_err());
}

/// Without a terminal (as here, stderr is a pipe) no progress bar is drawn, even without
/// --quiet: stderr stays empty and stdout has the summary.
#[test]
fn no_progress_bar_without_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(tmp.path(), "s.toml", SCENARIO);
    let out = rungs()
        .args(["sweep", s.to_str().unwrap(), "--runs", "3000"])
        .args(["--vary", "p=0.2,0.4", "--out"])
        .arg(tmp.path().join("o"))
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("sweep: 2 points"));
}

/// Each point of a sweep is exactly `rungs run` of that point: the (point, block) work
/// stream gives the same summary bytes as running the point's model alone, for any thread
/// count and any range of points.
#[test]
fn a_point_is_the_same_summary_as_a_run_of_that_point() {
    let (model, _) = load_str("s.toml", SCENARIO).expect("scenario");
    let vary = vec![
        design::parse_vary(&model, "p=0.1..0.9:3").unwrap(),
        design::parse_vary(&model, "q=0.2,0.7").unwrap(),
    ];
    let spec = SweepSpec {
        vary,
        ..SweepSpec::default()
    };
    let d = design::build(&model, &design::check_flags(&model, spec).unwrap(), 7).unwrap();
    let runs = 2500;
    let alone: Vec<String> = (0..d.len())
        .map(|i| {
            let s = rungs::stats::run_all(&d.model_at(&model, i), 7, runs, 2).unwrap();
            serde_json::to_string(&s).unwrap()
        })
        .collect();
    for (threads, range) in [(1, 0..6), (2, 0..6), (3, 1..5), (2, 5..6)] {
        let mut got = Vec::new();
        let job = rungs::sweep::Points {
            base: &model,
            design: &d,
            range: range.clone(),
            seed: 7,
            runs,
            threads,
            given: &rungs::engine::given::Given::none(),
        };
        rungs::sweep::run_points(&job, &|_| {}, &mut |p, s| {
            got.push((p, s));
            Ok(())
        })
        .unwrap();
        assert_eq!(got.len(), range.len());
        for ((p, s), i) in got.iter().zip(range.clone()) {
            assert_eq!(*p, i, "points come in order");
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                alone[i],
                "point {i}, {threads} threads"
            );
        }
    }
}

/// A sweep point's rows are byte for byte the rows of `rungs run --set` at the point's
/// values (same seed, same --runs), for steps and outcomes.
#[test]
fn a_point_matches_rungs_run_with_set() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(tmp.path(), "s.toml", SCENARIO);
    let (run_out, sweep_out) = (tmp.path().join("run"), tmp.path().join("sweep"));
    rungs()
        .args(["run", s.to_str().unwrap(), "--quiet", "--runs", "2500"])
        .args(["--set", "p=0.3", "--out"])
        .arg(&run_out)
        .assert()
        .success();
    rungs()
        .args(["sweep", s.to_str().unwrap(), "--quiet", "--runs", "2500"])
        .args(["--vary", "p=0.1,0.3", "--threads", "2", "--out"])
        .arg(&sweep_out)
        .assert()
        .success();
    for (run_file, sweep_file) in [
        ("steps.csv", "sweep_steps.csv"),
        ("outcomes.csv", "sweep_outcomes.csv"),
    ] {
        let run = std::fs::read_to_string(run_out.join(run_file)).unwrap();
        let sweep = std::fs::read_to_string(sweep_out.join(sweep_file)).unwrap();
        let want: Vec<&str> = run.lines().skip(1).collect();
        let got: Vec<&str> = sweep
            .lines()
            .filter_map(|l| l.strip_prefix("1,0.3,"))
            .collect();
        assert!(!want.is_empty());
        assert_eq!(
            got, want,
            "{sweep_file} at point 1 vs {run_file} of run --set p=0.3"
        );
    }
}

#[test]
fn tornado_outcome_ranks_by_the_outcome_or_step_given() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(tmp.path(), "s.toml", SCENARIO);
    let out = tmp.path().join("out");
    let runs = 2000u64;
    let tornado = |target: &str| {
        let o = rungs()
            .args([
                "sweep",
                s.to_str().unwrap(),
                "--tornado",
                "--outcome",
                target,
            ])
            .args(["--vary", "p=0.2..0.8", "--runs", &runs.to_string(), "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        (stdout, csv(&out.join("tornado.csv")).1)
    };
    let (stdout, rows) = tornado("horizon");
    assert!(
        stdout.contains("ranked by their swing on `horizon`"),
        "{stdout}"
    );
    assert_eq!(rows[0][1], "horizon");
    // A step: its rows come first, then every outcome's; step a happens with p.
    let (stdout, rows) = tornado("a");
    assert!(stdout.contains("on `a`"), "{stdout}");
    assert_eq!(rows.len(), 2 + 4);
    assert_eq!((rows[0][0].as_str(), rows[0][1].as_str()), ("p", "a"));
    assert_prop(rows[0][5].parse().unwrap(), 0.2, runs, "a at p low");
    assert_prop(rows[0][6].parse().unwrap(), 0.8, runs, "a at p high");
    assert_prop(rows[0][4].parse().unwrap(), 0.5, runs, "a at base");
    let o = rungs()
        .args([
            "sweep",
            s.to_str().unwrap(),
            "--tornado",
            "--outcome",
            "wra",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `war`"));
}
