//! `rungs check` and `[[checks]]`: verdicts (ok, FAIL, undecided) and exit codes, estimates
//! against closed forms (tolerances of 5 standard errors), the paired difference of
//! `rises` on common random numbers, determinism across thread counts, `--set`, `--runs`.

use std::path::{Path, PathBuf};

mod common;

use common::{rungs, write_file};
use predicates::prelude::*;
use rungs::check::decide::{Settings, Status, Verdict, Z99, run_checks};
use rungs::engine::RunRecord;
use rungs::engine::run::Runner;
use rungs::scenario::{Model, load_str};

/// `a` happens with probability `p_a` at t = 1; `b` follows with probability 0.5 after a
/// uniform 0..10 delay and ends the run as `war`; `c` happens with probability `u`, a uniform
/// 0..1 parameter, at t = 0.
const BASE: &str = r#"
[scenario]
name = "check test"
horizon = 100

[parameters]
p_a = 0.3
u = { dist = "uniform", min = 0, max = 1 }
unused = 1

[[steps]]
id = "a"
probability = "p_a"
delay = 1

[[steps]]
id = "b"
after = ["a"]
probability = 0.5
delay = { dist = "uniform", min = 0, max = 10 }
ends = "war"

[[steps]]
id = "c"
probability = "u"
delay = 0
"#;

/// BASE with the given `[[checks]]` tables appended.
fn scenario(checks: &str) -> String {
    format!("{BASE}\n{checks}")
}

fn model(checks: &str) -> Model {
    match load_str("test.toml", &scenario(checks)) {
        Ok((m, _)) => m,
        Err(d) => panic!("{d}"),
    }
}

fn verdicts(m: &Model, threads: usize, runs: Option<u64>) -> Vec<Verdict> {
    let settings = Settings {
        runs,
        seed: None,
        default_seed: 7,
        threads,
    };
    run_checks(m, &settings, &|_| {}).expect("the checks run")
}

fn one(checks: &str) -> Verdict {
    verdicts(&model(checks), 2, None).remove(0)
}

fn check_file(dir: &Path, checks: &str) -> PathBuf {
    write_file(dir, "s.toml", &scenario(checks))
}

#[test]
fn a_passing_a_failing_and_an_undecided_check() {
    let ok = one("[[checks]]\nclaim = \"a is likely enough\"\nexpect = \"p(a) > 0.25\"");
    assert_eq!(ok.status, Status::Ok, "{ok:?}");
    let fail = one("[[checks]]\nclaim = \"a is likely\"\nexpect = \"p(a) > 0.35\"");
    assert_eq!(fail.status, Status::Fail, "{fail:?}");
    // The truth sits on the bound: the interval straddles it (unless the estimate lands more
    // than 2.6 standard errors away, 1% of seeds; this seed is fixed).
    let undecided = one("[[checks]]\nclaim = \"a on the bound\"\nexpect = \"p(a) > 0.3\"");
    assert_eq!(undecided.status, Status::Undecided, "{undecided:?}");
    let (lo, hi) = undecided.interval.expect("an interval");
    assert!(lo < 0.3 && 0.3 < hi, "{lo} {hi}");
    assert!(undecided.suggest_runs.is_some_and(|n| n > 20_000));
    // Wilson 99% at n = 20000 around 0.3: half-width about 2.576 * sqrt(0.21 / 20000).
    let half = (hi - lo) / 2.0;
    let expected = Z99 * (0.21f64 / 20_000.0).sqrt();
    assert!((half / expected - 1.0).abs() < 0.03, "{half} vs {expected}");
}

#[test]
fn exit_codes_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    let good = check_file(
        dir.path(),
        "[[checks]]\nclaim = \"a is likely enough\"\nexpect = \"p(a) > 0.25\"\n\n\
         [[checks]]\nclaim = \"b needs a\"\nexpect = \"p(b and not a) == 0\"",
    );
    rungs()
        .arg("check")
        .arg(&good)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ok         a is likely enough | p(a) > 0.25 | 0.2",
        ))
        .stdout(predicate::str::contains("happened in 0 of 20000 runs"))
        .stdout(predicate::str::contains(
            "2 checks: 2 ok, 0 FAIL, 0 undecided",
        ));
    let undecided = write_file(
        dir.path(),
        "u.toml",
        &scenario("[[checks]]\nclaim = \"on the bound\"\nexpect = \"p(a) > 0.3\""),
    );
    rungs()
        .arg("check")
        .arg(&undecided)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "undecided  on the bound | p(a) > 0.3 |",
        ))
        .stdout(predicate::str::contains("straddles 0.3"))
        .stdout(predicate::str::contains("raise runs"));
    let failing = write_file(
        dir.path(),
        "f.toml",
        &scenario("[[checks]]\nclaim = \"b never\"\nexpect = \"p(b) == 0\""),
    );
    let out = rungs().arg("check").arg(&failing).assert().code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with("FAIL       b never | p(b) == 0 | happened in "),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 check: 0 ok, 1 FAIL, 0 undecided"),
        "{stdout}"
    );
    // --quiet prints only the lines of checks that are not ok.
    rungs()
        .args(["check", "--quiet"])
        .arg(&good)
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}

#[test]
fn an_exact_failure_names_the_first_run_that_breaks_it() {
    let v = one("[[checks]]\nclaim = \"b never\"\nexpect = \"p(b) == 0\"");
    assert_eq!(v.status, Status::Fail);
    let first = v.example_run.expect("a run to replay");
    // Replay runs 0..=first with the engine: `b` happens in `first` and in no run before it.
    let m = model("");
    let b = m.node_index("b").unwrap();
    let mut runner = Runner::new(&m, 7);
    let mut rec = RunRecord::default();
    for run in 0..=first {
        runner.run(run, &mut rec).unwrap();
        assert_eq!(rec.counts[b] > 0, run == first, "run {run}");
    }
    let always = one("[[checks]]\nclaim = \"c always\"\nexpect = \"p(c) == 1\"");
    assert_eq!(always.status, Status::Fail);
    let ok = one("[[checks]]\nclaim = \"war is b\"\nexpect = \"p(war | b) == 1\"");
    assert_eq!(ok.status, Status::Ok, "{ok:?}");
}

#[test]
fn the_trace_command_of_a_failure_replays_that_run() {
    let dir = tempfile::tempdir().unwrap();
    let f = check_file(
        dir.path(),
        "[[checks]]\nclaim = \"b never\"\nexpect = \"p(b) == 0\"",
    );
    let out = rungs()
        .args(["check", "--seed", "7"])
        .arg(&f)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let cmd = stdout
        .split("the first such run: ")
        .nth(1)
        .and_then(|s| s.lines().next())
        .unwrap_or_else(|| panic!("no trace command in {stdout}"));
    let words: Vec<&str> = cmd.split_whitespace().collect();
    assert_eq!(words[..2], ["rungs", "trace"], "{cmd}");
    let trace = rungs().args(&words[1..]).assert().code(0);
    let text = String::from_utf8_lossy(&trace.get_output().stdout).into_owned();
    assert!(text.contains("HAPPENED  b"), "{text}");
}

#[test]
fn conditional_probabilities_match_closed_forms() {
    let n = 20_000f64;
    // P(b | a) = 0.5 over the ~0.3 n runs in which a happened.
    let v = one("[[checks]]\nclaim = \"half\"\nexpect = \"0.4 < p(b | a) < 0.6\"");
    let se = (0.25 / (0.3 * n)).sqrt();
    let est = v.estimate.unwrap();
    assert!((est - 0.5).abs() < 5.0 * se, "{est}");
    assert_eq!(v.status, Status::Ok);
    // A condition on a drawn parameter: P(c | u > 0.5) = E[u | u > 0.5] = 0.75, over ~n/2
    // runs; and outcomes and parameters combine: P(c and u < 0.2) = 0.2^2 / 2 = 0.02.
    let v = one("[[checks]]\nclaim = \"c given u\"\nexpect = \"0.7 < p(c | u > 0.5) < 0.8\"");
    let est = v.estimate.unwrap();
    assert!(
        (est - 0.75).abs() < 5.0 * (0.75 * 0.25 / (n / 2.0)).sqrt(),
        "{est}"
    );
    let v = one("[[checks]]\nclaim = \"joint\"\nexpect = \"p(c and u < 0.2) < 0.05\"");
    let est = v.estimate.unwrap();
    assert!((est - 0.02).abs() < 5.0 * (0.02 * 0.98 / n).sqrt(), "{est}");
    // The outcome `war` is the step `b` that ends the run: P(war | a) = 0.5 too.
    let v = one("[[checks]]\nclaim = \"war\"\nexpect = \"0.4 < p(war | fired(a)) < 0.6\"");
    assert!((v.estimate.unwrap() - 0.5).abs() < 5.0 * se);
    // The condition never holds: undecided, not a verdict.
    let v = one("[[checks]]\nclaim = \"never\"\nexpect = \"p(b | u > 2) < 0.5\"");
    assert_eq!(v.status, Status::Undecided, "{v:?}");
}

#[test]
fn mean_time_matches_the_closed_form() {
    // b happens at 1 + U(0, 10): mean 6, sd 10 / sqrt(12), over ~0.15 n runs.
    let v = one("[[checks]]\nclaim = \"b on day 6\"\nexpect = \"5 < mean_time(b) < 7\"");
    let nb: f64 = 0.15 * 20_000.0;
    let se = 10.0 / 12f64.sqrt() / nb.sqrt();
    let est = v.estimate.unwrap();
    assert!((est - 6.0).abs() < 5.0 * se, "{est}");
    let (lo, hi) = v.interval.unwrap();
    assert!(
        ((hi - lo) / 2.0 / (Z99 * se) - 1.0).abs() < 0.1,
        "{lo} {hi}"
    );
    assert_eq!(v.status, Status::Ok);
    // The outcome's time is the end time of the runs it ends: the same as b's.
    let w = one("[[checks]]\nclaim = \"war on day 6\"\nexpect = \"5 < mean_time(war) < 7\"");
    assert_eq!(w.estimate, v.estimate);
    // a happens on day 1 exactly: a zero-width interval.
    let a = one("[[checks]]\nclaim = \"a on day 1\"\nexpect = \"0.999 < mean_time(a) < 1.001\"");
    assert_eq!((a.status, a.interval), (Status::Ok, Some((1.0, 1.0))));
}

#[test]
fn rises_is_the_paired_difference_on_common_random_numbers() {
    // With p_a = 0.4 and 0.6, run i draws the same uniform for a's chance in both: a happens
    // at 0.6 whenever it does at 0.4, and b's own draws agree. So the paired difference of
    // b's indicator is 0 or 1, 1 with probability (0.6 - 0.4) * 0.5 = 0.1: mean 0.1, sd 0.3.
    let n = 20_000f64;
    let v = one(
        "[[checks]]\nclaim = \"more a, more b\"\nvary = { p_a = [0.4, 0.6] }\nexpect = \"rises(p(b))\"",
    );
    assert_eq!(v.status, Status::Ok, "{v:?}");
    let diff = v.estimate.unwrap();
    let se = (0.09 / n).sqrt();
    assert!((diff - 0.1).abs() < 5.0 * se, "{diff}");
    let (lo, hi) = v.interval.unwrap();
    let half = (hi - lo) / 2.0;
    assert!((half / (Z99 * se) - 1.0).abs() < 0.05, "half {half}");
    // Two independent samples would give sd sqrt(0.2 * 0.8 + 0.3 * 0.7) = 0.61: the pairing
    // halves the interval.
    assert!(half < 0.55 * Z99 * (0.37 / n).sqrt(), "half {half}");
    // The same runs claimed the other way: FAIL (the 99% interval excludes a fall).
    let f = one(
        "[[checks]]\nclaim = \"more a, less b\"\nvary = { p_a = [0.4, 0.6] }\nexpect = \"falls(p(b))\"",
    );
    assert_eq!(f.status, Status::Fail);
    assert_eq!(f.estimate, v.estimate);
    // A parameter nothing reads changes nothing in any run: FAIL, exactly.
    let same =
        one("[[checks]]\nclaim = \"unused\"\nvary = { unused = [1, 2] }\nexpect = \"rises(p(b))\"");
    assert_eq!((same.status, same.estimate), (Status::Fail, Some(0.0)));
    assert!(
        same.evidence.contains("the same in every one"),
        "{}",
        same.evidence
    );
    // A small effect with few runs: undecided. From p_a = 0.3 to 0.304, b happens in about
    // k ~ Poisson(2000 * 0.004 * 0.5 = 4) more of 2000 paired runs, and nowhere less, so z is
    // about sqrt(k): undecided for 1 <= k <= 8, 96% of seeds (this one is fixed).
    let m = model(
        "[[checks]]\nclaim = \"tiny\"\nvary = { p_a = [0.3, 0.304] }\nexpect = \"rises(p(b))\"",
    );
    let small = verdicts(&m, 2, Some(2000)).remove(0);
    assert_eq!(small.status, Status::Undecided, "{small:?}");
}

#[test]
fn rises_of_a_conditional_probability_and_a_mean_time() {
    // P(b | a) is 0.5 whatever p_a: no rise. Undecided or FAIL, never ok.
    let v = one(
        "[[checks]]\nclaim = \"flat\"\nvary = { p_a = [0.4, 0.6] }\nexpect = \"rises(p(b | a))\"",
    );
    assert_ne!(v.status, Status::Ok, "{v:?}");
    assert!(v.estimate.unwrap().abs() < 5.0 * (0.25f64 / (0.4 * 20_000.0)).sqrt());
    // The delay of b does not depend on p_a either.
    let t = one(
        "[[checks]]\nclaim = \"flat\"\nvary = { p_a = [0.4, 0.6] }\nexpect = \"falls(mean_time(b))\"",
    );
    assert_ne!(t.status, Status::Ok, "{t:?}");
}

#[test]
fn verdicts_do_not_depend_on_the_thread_count() {
    let checks = "[[checks]]\nclaim = \"x\"\nexpect = \"0.2 < p(a) < 0.4\"\n\n\
        [[checks]]\nclaim = \"y\"\nexpect = \"5 < mean_time(b) < 7\"\nruns = 30000\n\n\
        [[checks]]\nclaim = \"z\"\nvary = { p_a = [0.4, 0.6] }\nexpect = \"rises(p(b | c))\"\nseed = 3";
    let m = model(checks);
    let one = verdicts(&m, 1, None);
    let two = verdicts(&m, 2, None);
    assert_eq!(one, two);
    assert_eq!(one.len(), 3);
    let dir = tempfile::tempdir().unwrap();
    let f = check_file(dir.path(), checks);
    let out = |t: &str| {
        rungs()
            .args(["check", "--threads", t])
            .arg(&f)
            .assert()
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(out("1"), out("2"));
}

#[test]
fn set_runs_and_seed_override_the_checks() {
    let dir = tempfile::tempdir().unwrap();
    let f = check_file(
        dir.path(),
        "[[checks]]\nclaim = \"a is unlikely\"\nexpect = \"p(a) < 0.5\"\nruns = 5000",
    );
    rungs()
        .arg("check")
        .arg(&f)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("5000 runs"));
    rungs()
        .args(["check", "--set", "p_a=0.9"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("FAIL"));
    rungs()
        .args(["check", "--runs", "300"])
        .arg(&f)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("300 runs"));
    rungs()
        .args(["check", "--set", "nope=1"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no parameter `nope`"));
    rungs()
        .args(["check", "--runs", "0"])
        .arg(&f)
        .assert()
        .code(2);
}

#[test]
fn a_run_time_error_in_a_varied_run_says_how_to_replay_it() {
    // With p_a = 0.5 the probability of `d` is 1.5: a run-time error, exit 1, and the
    // replay command carries the varied value.
    let dir = tempfile::tempdir().unwrap();
    let text = scenario(
        "[[steps]]\nid = \"d\"\nprobability = \"p_a * 3\"\ndelay = 0\n\n\
         [[checks]]\nclaim = \"d\"\nvary = { p_a = [0.1, 0.5] }\nexpect = \"rises(p(d))\"",
    );
    let f = write_file(dir.path(), "r.toml", &text);
    rungs()
        .arg("check")
        .arg(&f)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "its probability must be between 0 and 1",
        ))
        .stderr(predicate::str::contains("--set p_a=0.5"));
}

#[test]
fn a_bad_check_is_a_scenario_error_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let f = check_file(
        dir.path(),
        "[[checks]]\nclaim = \"typo\"\nexpect = \"p(wr) > 0.1\"",
    );
    for cmd in ["check", "validate"] {
        rungs()
            .arg(cmd)
            .arg(&f)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains("s.toml:30:13"))
            .stderr(predicate::str::contains("did you mean `war`?"));
    }
}

#[test]
fn a_scenario_without_checks_passes() {
    let dir = tempfile::tempdir().unwrap();
    let f = check_file(dir.path(), "");
    rungs()
        .arg("check")
        .arg(&f)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no [[checks]]"));
}

#[test]
fn every_shipped_scenario_passes_its_checks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let with_checks = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            load_str("x", &text).is_ok_and(|(m, _)| !m.checks.is_empty())
        })
        .count();
    assert!(with_checks >= 1, "textbook.toml has checks");
    rungs()
        .args(["check", "--quiet"])
        .args(&files)
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}
