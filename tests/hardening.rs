//! Output that cannot be turned against its reader: long or hostile ids in the summary, and
//! a closed or full stdout.

mod common;

use common::{rungs, write_file};

fn scenario_with_id(id: &str, label: &str) -> String {
    format!(
        r#"
[scenario]
name = "Hostile"
horizon = 10

[[steps]]
id = "{id}"
label = "{label}"
rung = 1
probability = 1
delay = 1
"#
    )
}

/// `rungs run SCENARIO --runs 50 --out OUT`, which must succeed.
fn run_ok(scenario: &std::path::Path, out: &std::path::Path) -> std::process::Output {
    let done = rungs()
        .arg("run")
        .arg(scenario)
        .args(["--runs", "50", "--out"])
        .arg(out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{err}");
    done
}

#[test]
fn a_65536_character_id_does_not_panic_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let id = format!("s{}", "x".repeat(65_535));
    let path = write_file(dir.path(), "long.toml", &scenario_with_id(&id, "Long"));
    let out = run_ok(&path, &dir.path().join("o"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains('…') && stdout.lines().all(|l| l.len() < 400),
        "{stdout}"
    );
}

#[test]
fn control_and_bidi_characters_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "esc.toml",
        &scenario_with_id("step", "a\\u001b[2J\\u0007b\\u202Ec"),
    );
    let out = run_ok(&path, &dir.path().join("o"));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(!stdout.contains('\u{202e}'), "{stdout:?}");
    assert!(stdout.contains("\\u{1b}[2J\\u{7}b\\u{202e}c"), "{stdout}");
}

#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("no /dev/full here; skipped");
        return;
    };
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/textbook.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rungs"))
        .args(["validate", scenario])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write to stdout") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn a_reader_that_stops_early_ends_rungs_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // 300 summaries are ~110 KB, more than a pipe holds: rungs is still writing when the
    // reader goes away, so it meets the broken pipe (without the fix: a panic, exit 101).
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/textbook.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rungs"))
        .arg("validate")
        .args(std::iter::repeat_n(scenario, 300))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(13),
        "{:?}: ended by SIGPIPE",
        out.status
    );
}

#[test]
fn a_diagnostic_shows_a_window_of_a_long_line_not_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let expr = format!("{}nope", "1 + ".repeat(250_000));
    let text = format!(
        "[scenario]\nname = \"x\"\nhorizon = 10\n\n[[steps]]\nid = \"a\"\nrung = 1\nprobability = \"{expr}\"\n"
    );
    let path = write_file(dir.path(), "long.toml", &text);
    let out = rungs().arg("validate").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.len() < 2_000, "{} bytes of diagnostics", err.len());
    // The caret stands under the unknown name.
    let lines: Vec<&str> = err.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("8 | "))
        .expect("the excerpt of line 8");
    let shown = lines[i].split_once(" | ").unwrap().1;
    let caret = lines[i + 1].split_once(" | ").unwrap().1;
    let at = caret.find('^').unwrap();
    assert_eq!(
        shown.chars().skip(at).take(4).collect::<String>(),
        "nope",
        "{err}"
    );
}

#[test]
fn text_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let labels = [
        ("=1+1", "'=1+1"),
        (
            "=HYPERLINK(\\\"http://example.invalid\\\",\\\"y\\\")",
            "'=HYPERLINK(\"http://example.invalid\",\"y\")",
        ),
        ("+cmd", "'+cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-3", "-3"),
        ("plain", "plain"),
    ];
    let mut text = String::from("[scenario]\nname = \"=cmd\"\nhorizon = 10\n");
    for (i, (label, _)) in labels.iter().enumerate() {
        text.push_str(&format!(
            "\n[[steps]]\nid = \"s{i}\"\nlabel = \"{label}\"\nrung = 1\nprobability = 0.5\ndelay = 1\n"
        ));
    }
    let path = write_file(dir.path(), "formulas.toml", &text);
    let out = dir.path().join("o");
    rungs()
        .arg("run")
        .arg(&path)
        .args(["--runs", "200", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut csv = csv::Reader::from_path(out.join("steps.csv")).unwrap();
    let headers = csv.headers().unwrap().clone();
    let label = headers.iter().position(|h| h == "label").unwrap();
    let probability = headers.iter().position(|h| h == "probability").unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    for ((_, want), row) in labels.iter().zip(&rows) {
        assert_eq!(&row[label], *want);
        // Numbers stay numbers.
        assert!(row[probability].parse::<f64>().is_ok(), "{:?}", row);
    }
}

/// Runs rungs under a 2 GB address-space cap: a case that used to allocate without bound
/// must now fail cleanly (exit 2, a message) inside the cap, never abort or be killed.
fn capped(args: &[&str]) -> std::process::Output {
    let cmd = format!(
        "ulimit -v 2000000; exec '{}' {}",
        env!("CARGO_BIN_EXE_rungs"),
        args.join(" ")
    );
    std::process::Command::new("sh")
        .args(["-c", &cmd])
        .output()
        .unwrap()
}

#[test]
fn huge_rungs_and_sweeps_are_refused_within_a_memory_cap() {
    let dir = tempfile::tempdir().unwrap();
    let rung = write_file(
        dir.path(),
        "rung.toml",
        "[scenario]\nname = \"x\"\nhorizon = 10\n[[steps]]\nid = \"a\"\nrung = 100000000\nprobability = 1\n",
    );
    let sweep = write_file(
        dir.path(),
        "sweep.toml",
        "[scenario]\nname = \"x\"\nhorizon = 10\n[parameters]\np = 0.5\n[sweep]\nvary = { p = \"0..1:4294967295\" }\n[[steps]]\nid = \"a\"\nrung = 1\nprobability = \"p\"\n",
    );
    let out_dir = dir.path().join("o");
    let (rung, sweep, out_dir) = (
        rung.to_str().unwrap(),
        sweep.to_str().unwrap(),
        out_dir.to_str().unwrap(),
    );
    let cases: [(Vec<&str>, &str); 5] = [
        (vec!["run", rung, "--out", out_dir], "at most 1000"),
        (
            vec!["sweep", sweep, "--out", out_dir],
            "more than a design may have",
        ),
        (
            vec![
                "sweep",
                sweep,
                "--vary",
                "p=0..1:1000000000",
                "--out",
                out_dir,
            ],
            "more than a design may have",
        ),
        (
            vec![
                "sweep",
                sweep,
                "--vary",
                "p=0..1:4294967295",
                "--out",
                out_dir,
            ],
            "more than a design may have",
        ),
        (vec!["run", rung, "--threads", "100000"], "1 to 256"),
    ];
    for (args, says) in cases {
        let out = capped(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn run_sweep_and_compare_print_validates_warnings_unless_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "dead.toml",
        "[scenario]\nname = \"w\"\nhorizon = 10\n[parameters]\np = 0.5\n[[steps]]\nid = \"s\"\nrung = 1\nprobability = 0\n",
    );
    let p = path.to_str().unwrap();
    let out = dir.path().join("o");
    let o = out.to_str().unwrap();
    for args in [
        vec!["run", p, "--runs", "20", "--out", o],
        vec![
            "sweep",
            p,
            "--vary",
            "p=0.1,0.2",
            "--runs",
            "20",
            "--out",
            o,
        ],
        vec!["compare", p, p, "--runs", "20", "--out", o],
    ] {
        let loud = rungs().args(&args).output().unwrap();
        assert!(loud.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&loud.stderr);
        assert!(err.contains("step `s` can never happen"), "{args:?}: {err}");
        let quiet = rungs().args(&args).arg("--quiet").output().unwrap();
        assert!(
            quiet.status.success() && quiet.stderr.is_empty(),
            "{args:?}"
        );
    }
}

#[test]
fn a_run_time_error_says_how_to_reproduce_it_with_the_real_path_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "my bad.toml",
        "[scenario]\nname = \"bad\"\nhorizon = 10\n[parameters]\nk = 2\n[actors.a]\nstate = { z = 0 }\n[[steps]]\nid = \"s\"\nrung = 1\nprobability = \"a.z + k\"\n",
    );
    let out = rungs()
        .arg("run")
        .arg(&path)
        .args(["--set", "k=3", "--quiet", "--out"])
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let want = format!(
        "reproduce with: rungs trace '{}' --set k=3 --run 0 --seed",
        path.display()
    );
    assert!(err.contains(&want), "{err}");
    assert!(!dir.path().join("o").exists());
}
