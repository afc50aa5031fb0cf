//! `rungs run` and `rungs merge` end to end, through the files a user reads: the shipped
//! scenarios load, the textbook scenario's CSVs match its closed forms, and the bytes do not
//! depend on threads or shards.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn rungs() -> Command {
    Command::cargo_bin("rungs").expect("the rungs binary is built")
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Reads a CSV into rows keyed by the header.
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("the CSV opens");
    let header = r.headers().expect("a header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("an RFC 4180 record");
            header
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn row<'a>(
    rows: &'a [HashMap<String, String>],
    key: &str,
    value: &str,
) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row with {key} = {value}"))
}

fn num(r: &HashMap<String, String>, col: &str) -> f64 {
    r[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = `{}` is not a number", r[col]))
}

/// `observed` is a proportion of `n` runs; `p` the exact probability. Four standard errors.
fn assert_proportion(what: &str, observed: f64, p: f64, n: f64) {
    let se = (p * (1.0 - p) / n).sqrt().max(0.5 / n);
    assert!(
        (observed - p).abs() <= 4.0 * se,
        "{what}: {observed} vs exact {p} (4 se = {})",
        4.0 * se
    );
}

#[test]
fn shipped_scenarios_validate() {
    for name in ["dprk-kursk.toml", "textbook.toml"] {
        rungs()
            .arg("validate")
            .arg(scenario(name))
            .assert()
            .success();
    }
}

#[test]
fn textbook_csvs_match_the_closed_forms() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = dir.path().join("out");
    let n = 40_000.0;
    rungs()
        .args(["run", "--runs", "40000", "--quiet", "--out"])
        .arg(&out)
        .arg(scenario("textbook.toml"))
        .assert()
        .success();

    let steps = read_csv(&out.join("steps.csv"));
    let e3 = (-3.0f64).exp();
    for (id, p) in [
        ("first", 0.6),
        ("second", 0.3),
        ("red_moves", (1.0 - e3) / 3.0),
        ("blue_moves", 2.0 * (1.0 - e3) / 3.0),
        ("alarm", 1.0),
        ("review_low", 0.3),
    ] {
        let r = row(&steps, "step", id);
        assert_proportion(id, num(r, "probability"), p, n);
        assert!(num(r, "ci_low") <= num(r, "probability"));
        assert!(num(r, "probability") <= num(r, "ci_high"));
    }
    // Deterministic times are exact; the threshold is crossed at the end of the 25th tick.
    assert_eq!(num(row(&steps, "step", "first"), "time_mean"), 10.0);
    assert_eq!(num(row(&steps, "step", "alarm"), "time_mean"), 25.0);
    // `second` happens uniformly on [10, 20]: mean 15, sd 10/sqrt(12), se = sd/sqrt(k).
    let second = row(&steps, "step", "second");
    let k = num(second, "happened");
    let sd = 10.0 / 12f64.sqrt();
    assert!((num(second, "time_mean") - 15.0).abs() <= 4.0 * sd / k.sqrt());
    // Sample sd of a uniform: its standard error is about sd * sqrt(0.8 / (4 k)) (kurtosis
    // 1.8); four of them.
    assert!((num(second, "time_sd") - sd).abs() <= 4.0 * sd * (0.8 / (4.0 * k)).sqrt());
    let outcomes = read_csv(&out.join("outcomes.csv"));
    assert_proportion(
        "low",
        num(row(&outcomes, "outcome", "low"), "probability"),
        0.3,
        n,
    );
    assert_proportion(
        "horizon",
        num(row(&outcomes, "outcome", "horizon"), "probability"),
        0.7,
        n,
    );

    let rungs_csv = read_csv(&out.join("rungs.csv"));
    let all: Vec<_> = rungs_csv.iter().filter(|r| r["actor"] == "all").collect();
    let at = |rung: &str| *all.iter().find(|r| r["rung"] == rung).expect("a rung row");
    assert_proportion("p_reached 3", num(at("3"), "p_reached"), 1.0 - e3, n);
    assert_proportion("p_max 2", num(at("2"), "p_max"), 0.3 * e3, n);
    assert_proportion("p_max 0", num(at("0"), "p_max"), 0.4 * e3, n);

    let state = read_csv(&out.join("state.csv"));
    let gauge = row(&state, "actor", "gauge");
    // The run ends at the horizon (or at the branch on the last day): 2 a day for 100 days.
    assert_eq!(num(gauge, "max"), 200.0);

    let timeline = read_csv(&out.join("timeline.csv"));
    assert_eq!(timeline.len(), 101, "time points 0, 1, ..., 100");
    assert_eq!(num(&timeline[24], "alarm"), 0.0);
    assert_eq!(num(&timeline[25], "alarm"), 1.0);
}

#[test]
fn bytes_do_not_depend_on_threads_or_shards() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    let base = ["run", "--runs", "5000", "--seed", "7", "--quiet"];
    let file = scenario("dprk-kursk.toml");
    for threads in ["1", "3"] {
        rungs()
            .args(base)
            .args(["--threads", threads, "--out"])
            .arg(d.join(format!("t{threads}")))
            .arg(&file)
            .assert()
            .success();
    }
    for k in 0..3 {
        rungs()
            .args(base)
            .args(["--threads", "2", "--shard", &format!("{k}/3"), "--out"])
            .arg(d.join("parts"))
            .arg(&file)
            .assert()
            .success();
    }
    // Parts in a scrambled order: merge sorts them by what they cover.
    let parts: Vec<PathBuf> = [2, 0, 1]
        .iter()
        .map(|k| d.join("parts").join(format!("shard-{k}-of-3.json")))
        .collect();
    rungs()
        .arg("merge")
        .args(&parts)
        .arg("--quiet")
        .arg("--out")
        .arg(d.join("merged"))
        .assert()
        .success();
    for name in [
        "steps.csv",
        "outcomes.csv",
        "rungs.csv",
        "state.csv",
        "parameters.csv",
        "timeline.csv",
        "paths.csv",
    ] {
        let one = std::fs::read(d.join("t1").join(name)).expect("written");
        assert_eq!(
            one,
            std::fs::read(d.join("t3").join(name)).expect("written"),
            "{name}: 1 vs 3 threads"
        );
        assert_eq!(
            one,
            std::fs::read(d.join("merged").join(name)).expect("written"),
            "{name}: merged shards"
        );
    }

    // A missing shard is refused, and nothing is written.
    rungs()
        .arg("merge")
        .args(&parts[..2])
        .arg("--out")
        .arg(d.join("gap"))
        .assert()
        .code(2);
    assert!(!d.join("gap").exists());
}

#[test]
fn per_run_rows_match_the_summary() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = dir.path().join("out");
    rungs()
        .args(["run", "--runs", "3000", "--per-run", "--quiet", "--out"])
        .arg(&out)
        .arg(scenario("textbook.toml"))
        .assert()
        .success();
    let runs = read_csv(&out.join("runs.csv"));
    assert_eq!(runs.len(), 3000);
    assert_eq!(runs[0]["run"], "0");
    assert_eq!(runs[2999]["run"], "2999");
    let happened = runs.iter().filter(|r| !r["second_time"].is_empty()).count();
    let steps = read_csv(&out.join("steps.csv"));
    assert_eq!(
        happened.to_string(),
        row(&steps, "step", "second")["happened"]
    );
}

#[test]
fn a_bad_scenario_writes_nothing_and_exits_2() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[scenario]\nname = \"x\"\nhorizon = 10\n\n[[steps]]\nid = \"a\"\nwhen = \"t >= 1 +\"\n",
    )
    .expect("written");
    let out = dir.path().join("out");
    rungs()
        .arg("run")
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.toml:7:"));
    assert!(!out.exists());
}
