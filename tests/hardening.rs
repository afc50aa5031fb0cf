//! Output that cannot be turned against its reader: long or hostile ids in the summary, and
//! a closed or full stdout. Bounded inputs: huge rungs, sweeps, files, devices and FIFOs
//! are refused fast inside a memory cap; the loader is linear in the steps; a large
//! `discrete` draws in logarithmic time.

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
    let rung_max = write_file(
        dir.path(),
        "rung_max.toml",
        "[scenario]\nname = \"x\"\nhorizon = 10\n[[steps]]\nid = \"a\"\nrung = 4294967295\nprobability = 1\n",
    );
    let plain = write_file(
        dir.path(),
        "plain.toml",
        "[scenario]\nname = \"x\"\nhorizon = 10\n[parameters]\np = 0.5\n[[steps]]\nid = \"a\"\nrung = 1\nprobability = \"p\"\n",
    );
    let (rung_max, plain) = (rung_max.to_str().unwrap(), plain.to_str().unwrap());
    let cases: [(Vec<&str>, &str); 8] = [
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
        (vec!["run", rung_max, "--out", out_dir], "at most 1000"),
        (
            vec![
                "sweep",
                plain,
                "--lhs",
                "4294967295",
                "--vary",
                "p=0..1",
                "--out",
                out_dir,
            ],
            "more points than the limit",
        ),
        (
            vec![
                "sweep",
                plain,
                "--epistemic",
                "4294967295",
                "--out",
                out_dir,
            ],
            "more points than the limit",
        ),
    ];
    for (args, says) in cases {
        // Refused before allocating: fast, and inside the cap.
        let start = std::time::Instant::now();
        let out = capped(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(start.elapsed().as_secs() < 20, "{args:?}");
    }
    // The largest rung accepted runs inside the cap.
    let top = write_file(
        dir.path(),
        "top.toml",
        "[scenario]\nname = \"x\"\nhorizon = 10\n[[steps]]\nid = \"a\"\nrung = 1000\nprobability = 1\n",
    );
    let out = capped(&[
        "run",
        top.to_str().unwrap(),
        "--runs",
        "1000",
        "--quiet",
        "--out",
        out_dir,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    // A sweep: the point's values come after the user's --set, so the trace replays the point.
    let out = rungs()
        .arg("sweep")
        .arg(&path)
        .args(["--set", "k=3", "--vary", "k=0.5,3", "--quiet", "--out"])
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let want = format!(
        "reproduce with: rungs trace '{}' --set k=3 --set k=3 --run 0 --seed",
        path.display()
    );
    assert!(err.contains("point 1 (k=3)"), "{err}");
    assert!(err.contains(&want), "{err}");
    assert!(!dir.path().join("o").exists());
}

/// A chain of `n` steps, each after the one before, written last to first when `reversed`
/// (the first step then has probability 0, so every step gets a warning).
fn chain(n: usize, reversed: bool) -> String {
    let mut text = String::from("[scenario]\nname = \"chain\"\nhorizon = 10\n");
    let order: Vec<usize> = if reversed {
        (0..n).rev().collect()
    } else {
        (0..n).collect()
    };
    for i in order {
        let p = if reversed && i == 0 { "0" } else { "0.5" };
        text.push_str(&format!(
            "\n[[steps]]\nid = \"s{i}\"\nrung = 1\nprobability = {p}\n"
        ));
        if i > 0 {
            text.push_str(&format!("after = \"s{}\"\n", i - 1));
        }
    }
    text
}

/// Runs rungs with `args` (output discarded) and returns its exit code and the CPU time it
/// used (user + system, of this child alone: other tests run in parallel), so timing checks
/// do not depend on how busy the machine is.
// The child is waited for by `wait4`, which reports its resource use; std cannot.
#[allow(clippy::zombie_processes)]
fn cpu_seconds(args: &[&std::ffi::OsStr]) -> (Option<i32>, f64) {
    use std::process::{Command, Stdio};
    let child = Command::new(env!("CARGO_BIN_EXE_rungs"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: wait4 writes a status and an rusage for our own child, which is not waited
    // for elsewhere.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, secs(usage.ru_utime) + secs(usage.ru_stime))
}

#[test]
fn the_loader_and_its_checks_are_linear_in_the_number_of_steps() {
    // Quadratic id lookups made 4x the steps cost 16x the time (200,000 steps: 110 s);
    // so did the unreachable-step check on a file in reverse order, and rendering line
    // numbers of its warnings. Linear work gives about 4x; 9x is a generous bound.
    let dir = tempfile::tempdir().unwrap();
    for reversed in [false, true] {
        let small = write_file(dir.path(), "small.toml", &chain(20_000, reversed));
        let large = write_file(dir.path(), "large.toml", &chain(80_000, reversed));
        let (code, t_small) = cpu_seconds(&["validate".as_ref(), small.as_os_str()]);
        assert_eq!(code, Some(0));
        let (code, t_large) = cpu_seconds(&["validate".as_ref(), large.as_os_str()]);
        assert_eq!(code, Some(0));
        assert!(
            t_large < 9.0 * t_small.max(0.05) && t_large < 60.0,
            "reversed {reversed}: 20k steps {t_small:.2} s, 80k steps {t_large:.2} s of CPU"
        );
    }
}

#[test]
fn validate_lists_a_few_ids_per_line_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "chain.toml", &chain(20_000, false));
    let out = rungs().arg("validate").arg(&path).output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.len() < 1_000, "{} bytes", stdout.len());
    assert!(
        stdout.contains("rung 1: s0, s1, s2, s3, s4, s5, s6, s7, and 19992 more\n"),
        "{stdout}"
    );
}

/// A parameter `k` drawn from a `discrete` with `n` values and weights.
fn big_discrete(n: usize) -> String {
    let values: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    let weights: Vec<String> = (0..n).map(|i| (i % 7 + 1).to_string()).collect();
    format!(
        "[scenario]\nname = \"d\"\nhorizon = 10\n[parameters]\nk = {{ dist = \"discrete\", values = [{}], weights = [{}] }}\n[[steps]]\nid = \"a\"\nrung = 1\nprobability = \"k / {n}\"\n",
        values.join(", "),
        weights.join(", ")
    )
}

#[test]
fn a_million_value_discrete_draws_in_logarithmic_time() {
    // A draw used to scan every weight: 20 ms per draw, 40 s for 2,000 runs. Now a table
    // is built once and searched: 1,980 more draws cost far less than a second.
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "d.toml", &big_discrete(1_000_000));
    let out = dir.path().join("o");
    let run = |runs: &str| {
        let (code, t) = cpu_seconds(&[
            "run".as_ref(),
            path.as_os_str(),
            "--runs".as_ref(),
            runs.as_ref(),
            "--quiet".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert_eq!(code, Some(0), "--runs {runs}");
        t
    };
    let few = run("20");
    let many = run("2000");
    assert!(
        many - few < 10.0,
        "20 runs {few:.2} s, 2000 runs {many:.2} s of CPU"
    );
    // And it fits the memory cap.
    let capped = capped(&[
        "run",
        path.to_str().unwrap(),
        "--runs",
        "2000",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        capped.status.success(),
        "{}",
        String::from_utf8_lossy(&capped.stderr)
    );
}

#[test]
fn scenarios_too_large_to_hold_are_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    // 4,000,000 one-digit values: a 16 MB file that used to take 3 GB to read.
    let ones = vec!["1"; 2_000_000].join(",");
    let many = write_file(
        dir.path(),
        "many.toml",
        &format!(
            "[scenario]\nname = \"d\"\nhorizon = 10\n[parameters]\nk = {{ dist = \"discrete\", values = [{ones}], weights = [{ones}] }}\n[[steps]]\nid = \"a\"\nprobability = \"k / 2\"\n"
        ),
    );
    // 2,000 steps x 2,001 timeline points: 4,002,000 counts per summary is within the
    // bound; 20,000 steps over the same horizon are not.
    let mut wide = chain(20_000, false);
    wide = wide.replacen("horizon = 10", "horizon = 2000", 1);
    let wide = write_file(dir.path(), "wide.toml", &wide);
    let cases: [(&std::path::Path, &str); 2] = [
        (&many, "a scenario may have at most 3000000"),
        (&wide, "timeline points"),
    ];
    for (path, says) in cases {
        let start = std::time::Instant::now();
        let out = capped(&["validate", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{err}");
        assert!(start.elapsed().as_secs() < 60);
    }
    let narrow = chain(2_000, false).replacen("horizon = 10", "horizon = 2000", 1);
    let narrow = write_file(dir.path(), "narrow.toml", &narrow);
    rungs().arg("validate").arg(&narrow).assert().success();
}

#[test]
fn sweep_tables_asking_for_too_many_points_are_load_errors_at_their_spot() {
    let dir = tempfile::tempdir().unwrap();
    let head = "[scenario]\nname = \"x\"\nhorizon = 10\n[parameters]\np = 0.5\n[[steps]]\nid = \"a\"\nrung = 1\nprobability = \"p\"\n";
    for (table, says, at) in [
        (
            "vary = { p = \"0..1:4294967295\" }",
            "[sweep] `p`: `4294967295` values after `:` are more than a design may have points (100000)",
            ":11:14",
        ),
        (
            "vary = { p = \"0..1:1000000000\" }",
            "[sweep] `p`: `1000000000` values after `:`",
            ":11:14",
        ),
        (
            "lhs = 4294967295\nvary = { p = \"0..1\" }",
            "`lhs` of [sweep] asks for 4294967295 points",
            ":11:1",
        ),
        (
            "epistemic = 100001",
            "`epistemic` of [sweep] asks for 100001 points",
            ":11:1",
        ),
    ] {
        let path = write_file(dir.path(), "s.toml", &format!("{head}[sweep]\n{table}\n"));
        let p = path.to_str().unwrap();
        let o = dir.path().join("o");
        for args in [
            vec!["validate", p],
            vec!["sweep", p, "--out", o.to_str().unwrap()],
        ] {
            let out = capped(&args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(says) && err.contains(at), "{args:?}: {err}");
        }
    }
}

#[test]
fn devices_fifos_and_folders_are_refused_as_scenarios_and_partials() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/textbook.toml");
    let out = dir.path().join("o");
    let (fifo, out) = (fifo.to_str().unwrap(), out.to_str().unwrap());
    let folder = dir.path().to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["validate", "/dev/zero"], "scenario file"),
        (vec!["validate", fifo], "scenario file"),
        (vec!["run", "/dev/zero", "--out", out], "scenario file"),
        (vec!["run", fifo, "--out", out], "scenario file"),
        (
            vec!["compare", scenario, fifo, "--out", out],
            "scenario file",
        ),
        (vec!["merge", "/dev/zero", "--out", out], "partial file"),
        (vec!["merge", fifo, "--out", out], "partial file"),
        (vec!["validate", folder], "a folder"),
    ];
    for (args, what) in cases {
        // A FIFO with no writer would block a reader forever: give up after 20 s.
        let mut child = Command::new(env!("CARGO_BIN_EXE_rungs"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed().as_secs() > 20 {
                let _ = child.kill();
                panic!("{args:?} hangs");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let done = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(what), "{args:?}: {err}");
        if what != "a folder" {
            assert!(err.contains("not a regular file"), "{args:?}: {err}");
        }
    }
}

#[test]
fn two_hundred_thousand_steps_run_inside_the_memory_cap() {
    // The engine's watchers were a set of step bits per node: nodes x steps bits, 5 GB for
    // 200,000 steps (an allocation abort under the cap). Now lists: about 640 MB in all.
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "chain.toml", &chain(200_000, false));
    let out = dir.path().join("o");
    let done = capped(&[
        "run",
        path.to_str().unwrap(),
        "--runs",
        "10",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{err}");
    assert!(out.join("steps.csv").exists());
}
