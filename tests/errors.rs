//! Every file in tests/errors/ has exactly one problem; the loader must refuse it with
//! exactly one error, and the rendered diagnostic (file:line:col, the source line, the
//! caret, the message, the hint) is pinned by an insta snapshot reviewed by eye.

use std::path::{Path, PathBuf};

mod common;

use common::rungs;
use predicates::prelude::*;
use rungs::scenario::load_str;

fn error_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/errors exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn there_are_at_least_40_error_files() {
    assert!(error_files().len() >= 40);
}

#[test]
fn each_bad_file_gives_one_error_with_a_snapshot() {
    let mut problems = Vec::new();
    for path in error_files() {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let name = format!("tests/errors/{stem}.toml");
        match load_str(&name, &text) {
            Ok(_) => problems.push(format!("{stem}: loaded without error")),
            Err(d) => {
                if d.error_count() != 1 {
                    problems.push(format!(
                        "{stem}: {} errors, expected 1:\n{d}",
                        d.error_count()
                    ));
                }
                insta::assert_snapshot!(stem, d.to_string());
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn validate_exits_2_and_prints_the_diagnostic() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors/unknown_step_key.toml");
    rungs()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "unknown key `probabilty` in step `dprk_combat`",
        ))
        .stderr(predicate::str::contains("unknown_step_key.toml:7:1"))
        .stderr(predicate::str::contains("did you mean `probability`?"));
}

/// A `[sweep]` table is checked once, by the loader: `validate` refuses a table with both
/// `lhs` and `epistemic` at its spot (it used to pass, then `sweep` failed naming `--lhs`
/// with no location), and `sweep` says the same, from the same check.
#[test]
fn a_sweep_table_with_two_designs_fails_validate_and_sweep_at_its_spot() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors/sweep_lhs_and_epistemic.toml");
    let out = tempfile::tempdir().expect("a temp dir");
    for args in [vec!["validate"], vec!["sweep", "--quiet", "--out"]] {
        let mut cmd = rungs();
        cmd.args(&args);
        if args[0] == "sweep" {
            cmd.arg(out.path().join("o"));
        }
        cmd.arg(&file)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(
                "[sweep] gives both `lhs` and `epistemic`; a sweep is one design",
            ))
            .stderr(predicate::str::contains(
                "sweep_lhs_and_epistemic.toml:11:1",
            ))
            .stderr(predicate::str::contains("--lhs or --epistemic").not());
    }
    assert!(!out.path().join("o").exists());
}

#[test]
fn binary_and_latin1_files_are_refused_with_the_spot() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("latin1.toml");
    // `é` in Latin-1 is the single byte 0xE9: invalid UTF-8 on line 2, column 9.
    std::fs::write(&file, b"[scenario]\nname = \"Caf\xe9\"\n").expect("written");
    let d = rungs::scenario::load_file(&file).expect_err("not UTF-8");
    let text = d.to_string();
    assert!(text.contains("not valid UTF-8"), "{text}");
    assert!(text.contains("latin1.toml:2:"), "{text}");
    let bin = dir.path().join("binary.toml");
    let mut bytes = vec![0u8, 159, 146, 150];
    bytes.extend((0..4096u32).map(|i| (i * 7919 % 251) as u8));
    std::fs::write(&bin, &bytes).expect("written");
    rungs()
        .arg("validate")
        .arg(&bin)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid UTF-8"));
}

#[test]
fn the_tick_limit_applies_only_to_scenarios_that_tick() {
    // No flows and nothing reads `t`: no ticks, so any horizon is fine (spec, section 6).
    let events = "[scenario]\nname = \"x\"\nhorizon = 1e12\n[[steps]]\nid = \"a\"\nrung = 1\n\
                  delay = { dist = \"exponential\", mean = 1e11 }\n";
    let (model, _) = load_str("events.toml", events).expect("an event-driven model loads");
    assert_eq!(model.horizon, 1e12);
    // The same horizon with a guard on `t` ticks: refused, saying why it ticks.
    let ticking = events.replace("rung = 1\n", "rung = 1\nwhen = \"t > 5\"\n");
    let d = load_str("ticks.toml", &ticking).expect_err("too many ticks");
    let text = d.to_string();
    assert_eq!(d.error_count(), 1, "{text}");
    assert!(
        text.contains("a scenario that ticks may have at most 10000000"),
        "{text}"
    );
    assert!(text.contains("the `when` of step `a` reads `t`"), "{text}");
}

/// Run-time errors (found when a run draws its numbers, not when the file loads) point into
/// the file too: file:line:col and a caret under the expression that failed. Each scenario
/// fails in some run of the first 200; the first failure's message is pinned.
#[test]
fn run_time_errors_point_at_the_expression_in_the_file() {
    use rungs::engine::RunRecord;
    use rungs::engine::run::Runner;
    let head = "[scenario]\nname = \"x\"\nhorizon = 10\n\n[parameters]\n\
                z = { dist = \"uniform\", min = -1, max = 1 }\n\n";
    let cases = [
        (
            "runtime_nan_guard",
            "[[steps]]\nid = \"a\"\nwhen = \"sqrt(z) > 0\"\n",
        ),
        (
            "runtime_nan_while",
            "[actors.u]\nstate = { x = 0 }\n\n[[flows]]\ntarget = \"u.x\"\nrate = 1\n\
             while = \"ln(z) < 1\"\n",
        ),
        (
            "runtime_probability",
            "[[steps]]\nid = \"a\"\nprobability = \"0.5 + z\"\n",
        ),
        (
            "runtime_effect",
            "[actors.u]\nstate = { x = 1 }\n\n[[steps]]\nid = \"a\"\n\
             effects = [\"u.x += 1\", \"u.x /= floor(z)\"]\n",
        ),
        (
            "runtime_hazard",
            "[[steps]]\nid = \"a\"\nhazard = \"0.1 * z\"\n",
        ),
        (
            "runtime_dist_arg",
            "[[steps]]\nid = \"a\"\ndelay = { dist = \"normal\", mean = 5, sd = \"z\" }\n",
        ),
    ];
    for (name, body) in cases {
        let file = format!("{name}.toml");
        let text = format!("{head}{body}");
        let (model, _) = load_str(&file, &text).unwrap_or_else(|d| panic!("{name}:\n{d}"));
        let mut runner = Runner::new(&model, 20241101);
        let mut rec = RunRecord::default();
        let err = (0..200)
            .find_map(|i| runner.run(i, &mut rec).err())
            .unwrap_or_else(|| panic!("{name}: no run failed"));
        let shown = err.to_string();
        assert!(shown.contains(&format!("--> {file}:")), "{shown}");
        insta::assert_snapshot!(name, shown);
    }
}

#[test]
fn constants_are_checked_only_when_every_input_is_fixed() {
    let head = "[scenario]\nname = \"x\"\nhorizon = 10\n";
    // `z` drawn, varied by the file's own sweep, or the expression reads state or `t`:
    // nothing is known before the runs, so the file loads (the runs check each value).
    for body in [
        "[parameters]\nz = { dist = \"uniform\", min = 0, max = 1 }\nq = \"1 / z\"\n\
         [[steps]]\nid = \"a\"\nprobability = \"min(q, 1)\"\n",
        "[parameters]\nz = 0\nq = \"1 / z\"\n[sweep]\nvary = { z = \"1..2:3\" }\n\
         [[steps]]\nid = \"a\"\nprobability = \"1 / (1 + q)\"\n",
        "[actors.u]\nstate = { x = 0 }\n[[steps]]\nid = \"a\"\nprobability = \"1 / u.x\"\n",
        "[[steps]]\nid = \"a\"\ndelay = \"5 - t\"\n",
    ] {
        let text = format!("{head}{body}");
        if let Err(d) = load_str("ok.toml", &text) {
            panic!("{body}\n{d}");
        }
    }
    // One cause, one error: a parameter that is not finite is reported, not every
    // expression that reads it.
    let text = format!(
        "{head}[parameters]\nz = 0\nq = \"1 / z\"\nr = \"2 * q\"\n[[steps]]\nid = \"a\"\n\
         probability = \"r\"\ndelay = \"q\"\n"
    );
    let d = load_str("one.toml", &text).expect_err("q is inf");
    assert_eq!(d.error_count(), 1, "{d}");
    assert!(d.to_string().contains("parameter `q` is inf"), "{d}");
}
