//! The commit of an output folder is atomic and clean: signals remove the temporary folder,
//! a killed run's leftovers are recognised by their lock and removed by the next run, a live
//! run's folder is not, concurrent runs into one folder all succeed, there is never a moment
//! without the folder, and I/O errors name their path.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::write_file;

/// A scenario whose runs take long enough to be caught in the act: a daily flow over 10
/// years, so each run ticks 3,650 times.
const SLOW: &str = r#"[scenario]
name = "slow"
horizon = 3650
[actors.a]
state = { x = 0 }
[[flows]]
target = "a.x"
rate = "1"
[[steps]]
id = "s"
rung = 1
hazard = 0.001
"#;

/// A scenario that runs in an instant.
const QUICK: &str = "[scenario]\nname = \"q\"\nhorizon = 10\n[[steps]]\nid = \"a\"\nrung = 1\nprobability = 0.5\ndelay = 1\n";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("rungs")
}

/// Starts `rungs run SCENARIO --out out ARGS` in `dir`.
fn start(dir: &Path, scenario: &str, args: &[&str]) -> Child {
    Command::new(bin())
        .current_dir(dir)
        .args(["run", scenario, "--out", "out", "--quiet"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs `rungs run SCENARIO --out out ARGS` in `dir` to its end; panics unless it succeeds.
fn run_ok(dir: &Path, scenario: &str, args: &[&str]) {
    let out = start(dir, scenario, args).wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The names in `dir` that start with `.out`: temporary folders and lock files.
fn hidden(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out"))
        .collect();
    v.sort();
    v
}

/// Waits until a temporary folder of `out` exists in `dir` and holds `file`, non-empty.
fn wait_for_temporary(dir: &Path, file: &str) -> PathBuf {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        for name in hidden(dir) {
            let p = dir.join(&name).join(file);
            if !name.ends_with(".lock") && std::fs::metadata(&p).is_ok_and(|m| m.len() > 0) {
                return dir.join(name);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!(
        "no temporary folder with {file} appeared in {}",
        dir.display()
    );
}

fn kill(child: &Child, signal: i32) {
    // SAFETY: sending a signal to a child we started and have not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
}

/// The manifest of the folder `out` in `dir`.
fn manifest(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("out/manifest.json")).unwrap()
}

#[test]
fn each_signal_removes_the_temporary_folder_and_exits_with_128_plus_the_signal() {
    for (signal, code) in [
        (libc::SIGINT, 130),
        (libc::SIGTERM, 143),
        (libc::SIGHUP, 129),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_file(dir.path(), "slow.toml", SLOW);
        write_file(dir.path(), "q.toml", QUICK);
        run_ok(dir.path(), "q.toml", &["--runs", "100"]);
        let before = manifest(dir.path());
        let child = start(
            dir.path(),
            "slow.toml",
            &["--runs", "100000000", "--per-run", "--threads", "1"],
        );
        wait_for_temporary(dir.path(), "runs.csv");
        kill(&child, signal);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "signal {signal}: {stderr}");
        assert!(stderr.contains("stopped by SIG"), "{stderr}");
        assert_eq!(hidden(dir.path()), Vec::<String>::new(), "signal {signal}");
        assert_eq!(
            manifest(dir.path()),
            before,
            "the old results are untouched"
        );
    }
}

#[test]
fn a_killed_runs_leftovers_are_removed_by_the_next_run_and_the_old_results_survive() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "slow.toml", SLOW);
    write_file(dir.path(), "q.toml", QUICK);
    run_ok(dir.path(), "q.toml", &["--runs", "100"]);
    let before = manifest(dir.path());
    let mut child = start(
        dir.path(),
        "slow.toml",
        &["--runs", "100000000", "--per-run", "--threads", "1"],
    );
    let tmp = wait_for_temporary(dir.path(), "runs.csv");
    kill(&child, libc::SIGKILL);
    child.wait().unwrap();
    assert!(tmp.exists(), "kill -9 cannot clean up");
    assert_eq!(
        manifest(dir.path()),
        before,
        "the old results are untouched"
    );
    run_ok(dir.path(), "q.toml", &["--runs", "200"]);
    assert_eq!(hidden(dir.path()), Vec::<String>::new());
    assert!(manifest(dir.path()).contains("\"runs\": 200"));
}

#[test]
fn a_live_runs_temporary_folder_is_not_taken_for_a_stale_one() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "slow.toml", SLOW);
    write_file(dir.path(), "q.toml", QUICK);
    let slow = start(
        dir.path(),
        "slow.toml",
        &["--runs", "60000", "--per-run", "--threads", "1"],
    );
    let tmp = wait_for_temporary(dir.path(), "runs.csv");
    // Another rungs into the same --out, same pid namespace or not: the lock says the
    // folder is alive.
    run_ok(dir.path(), "q.toml", &["--runs", "100"]);
    assert!(tmp.exists(), "the live run's temporary folder was removed");
    let out = slow.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(manifest(dir.path()).contains("\"scenario_path\": \"slow.toml\""));
    assert_eq!(hidden(dir.path()), Vec::<String>::new());
}

#[test]
fn concurrent_runs_into_one_folder_all_succeed_and_leave_one_whole_result() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "q.toml", QUICK);
    write_file(dir.path(), "slow.toml", SLOW);
    for _round in 0..3 {
        let children: Vec<Child> = (0..4)
            .map(|i| {
                let scenario = if i % 2 == 0 { "q.toml" } else { "slow.toml" };
                start(dir.path(), scenario, &["--runs", "20", "--threads", "1"])
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // One result, whole: the files its manifest lists are exactly the folder's.
        let m: serde_json::Value = serde_json::from_str(&manifest(dir.path())).unwrap();
        let listed: Vec<&str> = m["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        let mut present: Vec<String> = std::fs::read_dir(dir.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        present.sort();
        assert_eq!(listed, present);
        assert_eq!(hidden(dir.path()), Vec::<String>::new());
    }
}

#[test]
fn there_is_never_a_moment_without_the_out_folder() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "q.toml", QUICK);
    run_ok(dir.path(), "q.toml", &["--runs", "10"]);
    let watched = dir.path().join("out/steps.csv");
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let done = done.clone();
        std::thread::spawn(move || {
            let (mut looks, mut misses) = (0u64, 0u64);
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                looks += 1;
                if std::fs::symlink_metadata(&watched).is_err() {
                    misses += 1;
                }
            }
            (looks, misses)
        })
    };
    for runs in 11..41 {
        run_ok(dir.path(), "q.toml", &["--runs", &runs.to_string()]);
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (looks, misses) = watcher.join().unwrap();
    assert!(looks > 1000, "the watcher looked only {looks} times");
    assert_eq!(
        misses, 0,
        "out/steps.csv was missing {misses} of {looks} times"
    );
}

#[test]
fn io_errors_name_their_path() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "q.toml", QUICK);
    write_file(dir.path(), "a-file", "not a folder");
    let out = Command::new(bin())
        .current_dir(dir.path())
        .args(["run", "q.toml", "--runs", "10", "--out", "a-file/results"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("a-file"), "{stderr}");
    let long = "x".repeat(300);
    let out = Command::new(bin())
        .current_dir(dir.path())
        .args(["run", "q.toml", "--runs", "10", "--out", &long])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("xxxxxxxxxx"), "{stderr}");
}
