//! `rungs trace` finds the run you want (`--outcome`, `--step`) and can show only what
//! happened (`--events-only`).

mod common;

use common::{rungs, write_file};

/// A rare war (5% of runs) and a flow, so a trace has hazard updates on every tick.
const SCENARIO: &str = r#"[scenario]
name = "t"
horizon = 20
[actors.a]
state = { tension = 0, unused = 3 }
[[flows]]
target = "a.tension"
rate = "1"
[[steps]]
id = "spark"
rung = 1
hazard = "0.01 * a.tension"
[[steps]]
id = "war"
rung = 2
after = "spark"
probability = 0.3
ends = "war"
"#;

/// The outcome of each run, from `rungs run --per-run`'s runs.csv.
fn outcomes(dir: &std::path::Path, runs: u64) -> Vec<String> {
    let out = dir.join("out");
    rungs()
        .args([
            "run",
            "t.toml",
            "--per-run",
            "--quiet",
            "--runs",
            &runs.to_string(),
        ])
        .arg("--out")
        .arg(&out)
        .current_dir(dir)
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect()
}

/// The run index in trace's first line, "run I is the first of ...".
fn found(stdout: &str) -> u64 {
    let first = stdout.lines().next().unwrap();
    first
        .strip_prefix("run ")
        .and_then(|r| r.split(' ').next())
        .and_then(|i| i.parse().ok())
        .unwrap_or_else(|| panic!("no run index in {first:?}"))
}

#[test]
fn outcome_traces_the_first_run_that_ends_so() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "t.toml", SCENARIO);
    let out = rungs()
        .args(["trace", "t.toml", "--outcome", "war"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let i = found(&stdout);
    assert!(stdout.contains("END       outcome `war`"), "{stdout}");
    // runs.csv agrees: run i ends in war and no earlier run does.
    let all = outcomes(dir.path(), i + 1);
    assert_eq!(all[i as usize], "war");
    assert!(all[..i as usize].iter().all(|o| o != "war"));
}

#[test]
fn step_traces_the_first_run_in_which_it_happens() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "t.toml", SCENARIO);
    let out = rungs()
        .args(["trace", "t.toml", "--step", "war", "--events-only"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("HAPPENED  war"), "{stdout}");
    assert_eq!(found(&stdout), {
        let all = outcomes(dir.path(), 1000);
        all.iter().position(|o| o == "war").unwrap() as u64
    });
}

#[test]
fn events_only_hides_ticks_parameters_and_unchanged_state() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "t.toml", SCENARIO);
    let trace = |extra: &[&str]| {
        let out = rungs()
            .args(["trace", "t.toml", "--run", "3"])
            .args(extra)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let (full, brief) = (trace(&[]), trace(&["--events-only"]));
    assert!(full.contains("   hazard    spark"), "{full}");
    assert!(!brief.contains("hazard"), "{brief}");
    assert!(brief.lines().count() < full.lines().count() / 2, "{brief}");
    assert!(
        full.contains("a.unused") && !brief.contains("a.unused"),
        "{brief}"
    );
    assert!(brief.contains("a.tension"), "a flow changes it: {brief}");
}

#[test]
fn a_search_that_finds_nothing_or_an_unknown_id_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "t.toml", SCENARIO);
    let out = rungs()
        .args(["trace", "t.toml", "--outcome", "wra"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `war`"));
    // --search 0 looks at no run: the search must fail, and say so.
    let out = rungs()
        .args(["trace", "t.toml", "--outcome", "war", "--search", "0"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("none of runs 0..0"), "{err}");
}
