//! conditional.csv against closed forms (a chain, an independent pair, an outcome), its
//! bytes across threads, shards + merge and extend, `--conditional off|N`, `--given`; and
//! the `words` column of steps.csv and outcomes.csv on known probabilities.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{assert_prop, rungs, write_file};
use rungs::scenario::words::term_for;

/// a (P = 0.4, at t = 1); b after a (P = 0.7, 1 later); d after b (P = 0.5, 1 later) ends
/// the run in `war`; c (P = 0.5, at t = 0) is independent of them all.
const SCENARIO: &str = r#"
[scenario]
name = "conditional"
horizon = 10

[[steps]]
id = "a"
probability = 0.4
delay = 1

[[steps]]
id = "b"
after = ["a"]
probability = 0.7
delay = 1

[[steps]]
id = "d"
after = ["b"]
probability = 0.5
delay = 1
ends = "war"

[[steps]]
id = "c"
probability = 0.5
delay = 0
"#;

const PA: f64 = 0.4;
const QB: f64 = 0.7;
const QD: f64 = 0.5;
const PC: f64 = 0.5;

/// Runs `rungs ARGS` in `cwd`, asserting success.
fn ok(cwd: &Path, args: &[&str]) -> String {
    let out = rungs().current_dir(cwd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `rungs run s.toml --runs RUNS --out OUT -q EXTRA...` in `cwd`, asserting success.
fn run(cwd: &Path, runs: &str, out: &str, extra: &[&str]) {
    let args = [
        &["run", "s.toml", "--runs", runs, "--out", out, "-q"][..],
        extra,
    ]
    .concat();
    ok(cwd, &args);
}

/// A CSV as its header and rows of `column -> cell`.
fn table(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|row| {
            header
                .iter()
                .cloned()
                .zip(row.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn f(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {:?} in {row:?}", row[col]))
}

/// conditional.csv as `(given, step, kind) -> row`.
fn pairs(dir: &Path) -> HashMap<(String, String, String), HashMap<String, String>> {
    table(&dir.join("conditional.csv"))
        .into_iter()
        .map(|r| {
            (
                (r["given"].clone(), r["step"].clone(), r["kind"].clone()),
                r,
            )
        })
        .collect()
}

fn get<'a>(
    p: &'a HashMap<(String, String, String), HashMap<String, String>>,
    given: &str,
    step: &str,
    kind: &str,
) -> &'a HashMap<String, String> {
    p.get(&(given.into(), step.into(), kind.into()))
        .unwrap_or_else(|| panic!("no row {given} -> {step} ({kind})"))
}

fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write_file(d.path(), "s.toml", SCENARIO);
    d
}

#[test]
fn chain_independent_pair_and_outcome_match_closed_forms() {
    let d = setup();
    let n = 40_000u64;
    run(d.path(), "40000", "o", &[]);
    let p = pairs(&d.path().join("o"));
    let na = f(get(&p, "a", "war", "outcome"), "given_runs") as u64;
    assert_prop(na as f64 / n as f64, PA, n, "P(a)");

    // The chain: P(b | a) = q exactly, within 5 se of its n_a trials; a always first.
    let ab = get(&p, "a", "b", "step");
    assert_prop(f(ab, "probability"), QB, na, "P(b | a)");
    assert_eq!(f(ab, "before"), 1.0);
    assert!(f(ab, "ci_low") <= f(ab, "probability") && f(ab, "probability") <= f(ab, "ci_high"));
    // b only after a: P(a | b) = 1 exactly, and b is never first.
    let ba = get(&p, "b", "a", "step");
    assert_eq!(
        (f(ba, "probability"), f(ba, "ci_high"), f(ba, "before")),
        (1.0, 1.0, 0.0)
    );
    assert_eq!(ba["happened"], ba["given_runs"]);
    // lift = P(b | a) / P(b) = 1 / P(a) with P(b) = P(a) q; the row's own cells agree.
    assert!((f(ab, "lift") - f(ab, "probability") / f(ab, "overall")).abs() < 1e-12);
    assert!((f(ab, "lift") - n as f64 / na as f64).abs() < 1e-9);

    // The independent pair: lift(c | a) - 1 = (1 - f)(p(c|a) - p(c|not a)) / p(c) with
    // f = n_a / n, whose standard error is (1 - f) sqrt(p(1-p) (1/n_a + 1/n_not_a)) / p;
    // within 5 of them of 1. c happens at t = 0, before a (t = 1): before = 1.
    let ac = get(&p, "a", "c", "step");
    let fa = na as f64 / n as f64;
    let se = (1.0 - fa) * (PC * (1.0 - PC) * (1.0 / na as f64 + 1.0 / (n - na) as f64)).sqrt() / PC;
    assert!(
        (f(ac, "lift") - 1.0).abs() <= 5.0 * se,
        "lift(c | a) = {}",
        ac["lift"]
    );
    assert_prop(f(ac, "probability"), PC, na, "P(c | a)");
    assert_eq!(f(ac, "before"), 0.0);
    assert_eq!(f(get(&p, "c", "a", "step"), "before"), 1.0);

    // Outcomes as `step`: P(war | a) = q q_d, P(war | b) = q_d, P(war | d) = 1; before = 1.
    let wa = get(&p, "a", "war", "outcome");
    assert_prop(f(wa, "probability"), QB * QD, na, "P(war | a)");
    assert_eq!(f(wa, "before"), 1.0);
    let nb = f(get(&p, "b", "war", "outcome"), "given_runs") as u64;
    assert_prop(
        f(get(&p, "b", "war", "outcome"), "probability"),
        QD,
        nb,
        "P(war | b)",
    );
    assert_eq!(f(get(&p, "d", "war", "outcome"), "probability"), 1.0);
    assert_eq!(f(get(&p, "d", "horizon", "outcome"), "probability"), 0.0);
    // The step d and the outcome war are different rows with the same numbers here.
    assert_eq!(get(&p, "a", "d", "step")["happened"], wa["happened"]);

    // Every row agrees with steps.csv and outcomes.csv: given_runs is the given's
    // `happened`, overall the step's probability; words the probability's term.
    let dir = d.path().join("o");
    let steps: HashMap<String, HashMap<String, String>> = table(&dir.join("steps.csv"))
        .into_iter()
        .map(|r| (r["step"].clone(), r))
        .collect();
    let outcomes: HashMap<String, HashMap<String, String>> = table(&dir.join("outcomes.csv"))
        .into_iter()
        .map(|r| (r["outcome"].clone(), r))
        .collect();
    for ((g, st, kind), r) in &p {
        assert_eq!(r["given_runs"], steps[g]["happened"], "{g}");
        let overall = if kind == "outcome" {
            &outcomes[st]
        } else {
            &steps[st]
        };
        assert_eq!(r["overall"], overall["probability"], "{g} -> {st}");
        assert_eq!(r["words"], term_for(f(r, "probability")), "{g} -> {st}");
    }
    // 4 givens x (3 other steps + 2 outcomes); no self pairs.
    assert_eq!(p.len(), 4 * 5);
    assert!(p.keys().all(|(g, s, _)| g != s));
}

#[test]
fn a_given_that_never_happened_has_no_rows() {
    let d = setup();
    write_file(
        d.path(),
        "never.toml",
        &SCENARIO.replace("probability = 0.5\ndelay = 0", "probability = 0\ndelay = 0"),
    );
    ok(
        d.path(),
        &["run", "never.toml", "--runs", "2000", "--out", "o", "-q"],
    );
    let p = pairs(&d.path().join("o"));
    assert!(p.keys().all(|(g, _, _)| g != "c"), "c never happened");
    // c as a step is still there, with probability 0 and no lift (P(c) = 0).
    let ac = get(&p, "a", "c", "step");
    assert_eq!(
        (
            ac["probability"].as_str(),
            ac["lift"].as_str(),
            ac["before"].as_str()
        ),
        ("0", "", "")
    );
}

/// The files conditional.csv must match across ways of computing the same runs.
fn same(a: &Path, b: &Path) {
    common::same_bytes(a, b, &["conditional.csv", "steps.csv", "outcomes.csv"]);
}

#[test]
fn same_bytes_for_any_threads_shards_merge_and_extend() {
    let d = setup();
    let p = d.path();
    // 5,000 runs: four full blocks and a short one.
    for t in ["1", "2", "3"] {
        run(p, "5000", &format!("t{t}"), &["--threads", t]);
    }
    for n in [2u32, 3] {
        let mut merge = vec![
            "merge".to_string(),
            "-q".into(),
            "--out".into(),
            format!("m{n}"),
        ];
        for k in 0..n {
            run(
                p,
                "5000",
                &format!("parts{n}"),
                &["--shard", &format!("{k}/{n}")],
            );
            merge.push(format!("parts{n}/shard-{k}-of-{n}.json"));
        }
        let args: Vec<&str> = merge.iter().map(String::as_str).collect();
        ok(p, &args);
    }
    run(p, "3000", "e", &[]);
    ok(p, &["extend", "e", "--runs", "5000", "-q"]);
    for other in ["t2", "t3", "m2", "m3", "e"] {
        same(&p.join("t1"), &p.join(other));
    }
    // Off, and a top N, carry through merge and extend too.
    run(p, "3000", "e3", &["--conditional", "3"]);
    ok(p, &["extend", "e3", "--runs", "5000", "-q"]);
    run(p, "5000", "f3", &["--conditional", "3"]);
    same(&p.join("e3"), &p.join("f3"));
    let mut args = vec!["merge", "-q", "--conditional", "off", "--out", "moff"];
    args.extend(["parts2/shard-0-of-2.json", "parts2/shard-1-of-2.json"]);
    ok(p, &args);
    assert!(!p.join("moff/conditional.csv").exists());
}

#[test]
fn off_writes_none_and_top_n_keeps_the_largest_sure_shifts() {
    let d = setup();
    let p = d.path();
    run(p, "3000", "off", &["--conditional", "off"]);
    assert!(!p.join("off/conditional.csv").exists());
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("off/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["options"]["conditional"], "off");
    assert!(
        !m["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "conditional.csv")
    );
    // Turning it off changes no other file.
    run(p, "3000", "on", &[]);
    for name in rungs::output::STATISTICS_FILES {
        assert_eq!(
            std::fs::read(p.join("off").join(name)).unwrap(),
            std::fs::read(p.join("on").join(name)).unwrap(),
            "{name}"
        );
    }

    run(p, "3000", "all", &["--conditional", "all"]);
    run(p, "3000", "top", &["--conditional", "top=7"]);
    let all = table(&p.join("all/conditional.csv"));
    let top = table(&p.join("top/conditional.csv"));
    assert_eq!(top.len(), 7);
    // The default (1000) keeps all 20 here: the same bytes as `all`.
    assert_eq!(
        std::fs::read(p.join("all/conditional.csv")).unwrap(),
        std::fs::read(p.join("on/conditional.csv")).unwrap()
    );
    // A subset of `all`, in its order.
    let key =
        |r: &HashMap<String, String>| (r["given"].clone(), r["step"].clone(), r["kind"].clone());
    let order: Vec<_> = all.iter().map(key).collect();
    let at: Vec<usize> = top
        .iter()
        .map(|r| order.iter().position(|k| *k == key(r)).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    // Kept rows' sure shift (how far the interval lies from P(step)) is at least every
    // dropped row's.
    let sure = |r: &HashMap<String, String>| {
        let o = f(r, "overall");
        (f(r, "ci_low") - o).max(o - f(r, "ci_high")).max(0.0)
    };
    let least_kept = top.iter().map(sure).fold(f64::INFINITY, f64::min);
    for r in &all {
        if !top.iter().any(|t| key(t) == key(r)) {
            assert!(
                sure(r) <= least_kept,
                "{r:?} dropped, sure shift {}",
                sure(r)
            );
        }
    }
    // Bad values are refused, nothing written.
    let out = rungs()
        .current_dir(p)
        .args(["run", "s.toml", "--conditional", "some", "--out", "bad"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--conditional takes `off`, `all`"));
    assert!(!p.join("bad").exists());
}

#[test]
fn given_runs_condition_the_conditional_table() {
    let d = setup();
    let p = d.path();
    let n = 20_000u64;
    // Only runs in which c happened (at t = 0) agree: c is given in every one of them.
    run(p, "20000", "g", &["--given", "c<=0"]);
    let pr = pairs(&p.join("g"));
    let ca = get(&pr, "c", "a", "step");
    assert_eq!(ca["given_runs"], n.to_string());
    assert_prop(f(ca, "probability"), PA, n, "P(a | c), given c");
    // Every given's runs are its happenings among the agreeing runs only.
    let steps = table(&p.join("g/steps.csv"));
    for r in &steps {
        if r["happened"] != "0" && r["step"] != "c" {
            assert_eq!(
                get(&pr, &r["step"], "c", "step")["probability"],
                "1",
                "{}",
                r["step"]
            );
        }
    }
}

#[test]
fn words_columns_say_the_icd_203_terms_of_known_probabilities() {
    let d = setup();
    let p = d.path();
    let n = 20_000u64;
    let out = ok(p, &["run", "s.toml", "--runs", "20000", "--out", "o"]);
    // 5 se of 20,000 runs is under 0.018: each estimate stays inside its term's range.
    let want = [
        ("a", PA, "unlikely"),
        ("b", PA * QB, "unlikely"),
        ("d", PA * QB * QD, "very unlikely"),
        ("c", PC, "roughly even chance"),
    ];
    let steps: HashMap<String, HashMap<String, String>> = table(&p.join("o/steps.csv"))
        .into_iter()
        .map(|r| (r["step"].clone(), r))
        .collect();
    for (id, prob, words) in want {
        assert_prop(f(&steps[id], "probability"), prob, n, id);
        assert_eq!(steps[id]["words"], words, "{id}");
    }
    let outcomes = table(&p.join("o/outcomes.csv"));
    let war = PA * QB * QD;
    for r in &outcomes {
        let (prob, words) = if r["outcome"] == "war" {
            (war, "very unlikely")
        } else {
            (1.0 - war, "very likely")
        };
        assert_prop(f(r, "probability"), prob, n, &r["outcome"]);
        assert_eq!(r["words"], words);
    }
    // The words are the last column, after those older versions wrote.
    let header = std::fs::read_to_string(p.join("o/steps.csv")).unwrap();
    assert!(header.lines().next().unwrap().ends_with(",count_max,words"));
    let header = std::fs::read_to_string(p.join("o/outcomes.csv")).unwrap();
    assert!(header.lines().next().unwrap().ends_with(",time_p50,words"));
    // The printed summary says them too, after each interval.
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("war "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.ends_with(")  very unlikely"), "{line}");
    let line = out
        .lines()
        .find(|l| l.contains(" c "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.ends_with(")  roughly even chance"), "{line}");
}

#[test]
fn a_scenario_too_large_for_the_counts_gets_no_file_and_says_so() {
    let d = tempfile::tempdir().unwrap();
    // 520 steps and one outcome: 520 x 521 counts, more than the 512² kept.
    let mut text = String::from("[scenario]\nname = \"big\"\nhorizon = 5\n");
    for i in 0..520 {
        text.push_str(&format!(
            "\n[[steps]]\nid = \"s{i}\"\nprobability = 0.5\ndelay = 1\n"
        ));
    }
    write_file(d.path(), "s.toml", &text);
    let out = rungs()
        .current_dir(d.path())
        .args(["run", "s.toml", "--runs", "200", "--out", "o"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("conditional.csv is not written"), "{err}");
    assert!(d.path().join("o/steps.csv").exists());
    assert!(!d.path().join("o/conditional.csv").exists());
    // Asked for explicitly: refused before anything runs, nothing written.
    let out = rungs()
        .current_dir(d.path())
        .args([
            "run",
            "s.toml",
            "--runs",
            "200",
            "--conditional",
            "all",
            "--out",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use --conditional off"));
    assert!(!d.path().join("x").exists());
    run(d.path(), "200", "y", &["--conditional", "off"]);
}
