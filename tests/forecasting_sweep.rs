//! Forecasting over sweeps: `rungs extend` of a sweep folder against a fresh sweep,
//! `--precision` with `--shard` (a sweep's points shard; a run's refuses and says why), and
//! `--given` on a sweep and a comparison across thread counts.

mod common;

use std::path::Path;

use common::{rungs, write_file};

/// a ~ Exp(lam) (a hazard step), b = a + 5 (after a, delay 5), horizon 30.
const EXP: &str = "[scenario]\nname = \"exp\"\nhorizon = 30\n\n[parameters]\nlam = 0.05\n\
mu = { dist = \"uniform\", min = 2, max = 8 }\n\n\
[[steps]]\nid = \"a\"\nrung = 1\nhazard = \"lam\"\n\n\
[[steps]]\nid = \"b\"\nrung = 2\nafter = [\"a\"]\ndelay = \"mu\"\n";

/// The files of a sweep folder that must be the same bytes.
const SWEEP_FILES: [&str; 4] = [
    "points.csv",
    "sweep_steps.csv",
    "sweep_outcomes.csv",
    "extend.jsonl",
];

/// Runs `rungs ARGS` in `cwd`, asserting success; returns stdout.
fn ok(cwd: &Path, args: &[&str]) -> String {
    let out = rungs().current_dir(cwd).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `rungs ARGS` in `cwd`, asserting exit status `code`; returns stderr.
fn fails(cwd: &Path, args: &[&str], code: i32) -> String {
    let out = rungs().current_dir(cwd).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    err
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn same(a: &Path, b: &Path, files: &[&str]) {
    common::same_bytes(a, b, files);
}

/// `rungs sweep ARGS --runs small`, extended (through each of `steps`) to `big`, against
/// `rungs sweep ARGS --runs big`: the same bytes, extend.jsonl included.
fn sweep_extend_matches_fresh(d: &Path, args: &[&str], small: &str, steps: &[&str]) {
    let base = [&["sweep", "exp.toml", "-q", "--seed", "11"], args].concat();
    let big = *steps.last().unwrap();
    ok(d, &[&base[..], &["--runs", small, "--out", "ext"]].concat());
    ok(d, &[&base[..], &["--runs", big, "--out", "fresh"]].concat());
    for (i, to) in steps.iter().enumerate() {
        let threads = (i + 1).to_string();
        let said = ok(d, &["extend", "ext", "--runs", to, "--threads", &threads]);
        assert!(said.contains("extended ext from"), "{said}");
    }
    same(&d.join("ext"), &d.join("fresh"), &SWEEP_FILES);
    let (m, f) = (manifest(&d.join("ext")), manifest(&d.join("fresh")));
    assert_eq!(m["runs"].to_string(), big);
    assert_eq!(m["kind"], "sweep");
    assert!(m["extended_from"].is_u64());
    assert_eq!(m["runs_drawn"], f["runs_drawn"]);
    assert_eq!(m["options"], f["options"]);
    assert_eq!(m["given"], f["given"]);
}

#[test]
fn sweep_extend_writes_the_bytes_of_a_fresh_sweep() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write_file(p, "exp.toml", EXP);
    // A grid whose short last block is continued, then topped up again.
    sweep_extend_matches_fresh(
        p,
        &["--vary", "lam=0.02,0.1", "--vary", "mu=3,6"],
        "1500",
        &["2500", "5000"],
    );
    // A Latin hypercube of whole blocks, with news.
    sweep_extend_matches_fresh(
        p,
        &[
            "--lhs",
            "3",
            "--vary",
            "lam=0.02..0.2",
            "--given",
            "a>4",
            "--set",
            "mu=4",
        ],
        "2048",
        &["3000"],
    );
    // Epistemic points (drawn from the scenario's own distributions), with news.
    sweep_extend_matches_fresh(
        p,
        &["--epistemic", "4", "--given", "b=10..40"],
        "700",
        &["2100"],
    );
}

#[test]
fn sweep_extend_refuses_what_it_cannot_top_up_and_says_why() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write_file(p, "exp.toml", EXP);
    let sweep = ["sweep", "exp.toml", "--vary", "lam=0.05,0.1", "-q"];
    ok(p, &[&sweep[..], &["--runs", "1500", "--out", "s"]].concat());
    let e = fails(p, &["extend", "s", "--runs", "1500"], 2);
    assert!(e.contains("already holds 1,500 runs per point"), "{e}");
    // Sensitivity tables and a sweep merged from shards keep no blocks.
    ok(
        p,
        &[
            "sweep",
            "exp.toml",
            "--tornado",
            "--runs",
            "500",
            "-q",
            "--out",
            "t",
        ],
    );
    let e = fails(p, &["extend", "t", "--runs", "1000"], 2);
    assert!(e.contains("results of a `tornado`"), "{e}");
    for k in 0..2 {
        let shard = format!("{k}/2");
        let args = ["--runs", "1500", "--shard", &shard, "--out", "parts"];
        ok(p, &[&sweep[..], &args[..]].concat());
    }
    let parts = ["parts/shard-0-of-2.json", "parts/shard-1-of-2.json"];
    ok(
        p,
        &[&["merge", "-q", "--out", "m"][..], &parts[..]].concat(),
    );
    let e = fails(p, &["extend", "m", "--runs", "3000"], 2);
    assert!(
        e.contains("has no extend.jsonl") && e.contains("rungs merge"),
        "{e}"
    );
    ok(
        p,
        &[&sweep[..], &["--precision", "0.05", "--out", "prec"]].concat(),
    );
    let e = fails(p, &["extend", "prec", "--runs", "9000"], 2);
    assert!(e.contains("--precision sweep"), "{e}");
    // A copy of `s` with one change.
    let copy = |name: &str, edit: &dyn Fn(&Path)| {
        let dst = p.join(name);
        std::fs::create_dir_all(&dst).unwrap();
        for f in std::fs::read_dir(p.join("s")).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), dst.join(f.file_name())).unwrap();
        }
        edit(&dst);
        fails(p, &["extend", name, "--runs", "3000"], 2)
    };
    let lines = |dir: &Path| -> Vec<String> {
        let text = std::fs::read_to_string(dir.join("extend.jsonl")).unwrap();
        text.lines().map(str::to_string).collect()
    };
    let put = |dir: &Path, lines: &[String]| {
        std::fs::write(dir.join("extend.jsonl"), lines.join("\n") + "\n").unwrap();
    };
    let e = copy("swapped", &|dir| {
        let mut l = lines(dir);
        l.swap(1, 2);
        put(dir, &l);
    });
    assert!(e.contains("damaged at point 0"), "{e}");
    let e = copy("cut", &|dir| put(dir, &lines(dir)[..2]));
    assert!(e.contains("damaged at point 1: the file ends early"), "{e}");
    let e = copy("edited", &|dir| {
        let mut l = lines(dir);
        assert!(l[2].contains("\"runs\":1024"));
        l[2] = l[2].replacen("\"runs\":1024", "\"runs\":1023", 1);
        put(dir, &l);
    });
    assert!(e.contains("does not follow from the lines before"), "{e}");
    let e = copy("seed", &|dir| {
        let m = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
        let m = m.replace("\"seed\": 20241101", "\"seed\": 5");
        std::fs::write(dir.join("manifest.json"), m).unwrap();
    });
    assert!(e.contains("disagree on the seed"), "{e}");
    let e = copy("bare", &|dir| {
        std::fs::remove_file(dir.join("extend.jsonl")).unwrap()
    });
    assert!(e.contains("has no extend.jsonl"), "{e}");
    write_file(p, "exp.toml", &EXP.replace("0.05", "0.07"));
    let e = fails(p, &["extend", "s", "--runs", "3000"], 2);
    assert!(
        e.contains("has changed since the folder was written"),
        "{e}"
    );
    // Every refusal left the folder as it was.
    assert_eq!(manifest(&p.join("s"))["runs"], 1500);
}

#[test]
fn a_precision_sweep_shards_to_the_bytes_of_one_process_and_a_precision_run_refuses() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write_file(p, "exp.toml", EXP);
    let sweep = [
        "sweep",
        "exp.toml",
        "--vary",
        "lam=0.02,0.1,0.3",
        "--precision",
        "0.02",
        "-q",
    ];
    ok(p, &[&sweep[..], &["--out", "one"]].concat());
    for k in 0..2 {
        let shard = format!("{k}/2");
        ok(
            p,
            &[&sweep[..], &["--shard", &shard, "--out", "parts"]].concat(),
        );
    }
    let parts = ["parts/shard-0-of-2.json", "parts/shard-1-of-2.json"];
    ok(
        p,
        &[&["merge", "-q", "--out", "m"][..], &parts[..]].concat(),
    );
    same(&p.join("one"), &p.join("m"), &SWEEP_FILES[..3]);
    let (one, m) = (manifest(&p.join("one")), manifest(&p.join("m")));
    assert_eq!(one["options"], m["options"]);
    assert_eq!(one["runs"], m["runs"]);
    // The points stopped at different counts (their `runs` column), not at --max-runs.
    let rows = std::fs::read_to_string(p.join("m/sweep_outcomes.csv")).unwrap();
    let mut runs: Vec<&str> = rows
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    runs.dedup();
    assert!(runs.len() >= 2 && !runs.contains(&"10000000"), "{runs:?}");
    // A run cannot know where to stop from its shard of the blocks: refused, with a way.
    let e = fails(
        p,
        &[
            "run",
            "exp.toml",
            "--precision",
            "0.01",
            "--shard",
            "0/2",
            "--out",
            "r",
        ],
        2,
    );
    assert!(
        e.contains("no shard sees") && e.contains("rungs extend"),
        "{e}"
    );
}

/// `rungs ARGS --threads T` for T = 1, 2, 3: `files` and the runs drawn are the same.
fn same_for_any_thread_count(p: &Path, args: &[&str], files: &[&str]) {
    for t in ["1", "2", "3"] {
        let out = format!("t{t}");
        ok(p, &[args, &["--threads", t, "-q", "--out", &out]].concat());
    }
    for t in ["t2", "t3"] {
        same(&p.join("t1"), &p.join(t), files);
        let drawn = |d: &str| manifest(&p.join(d))["runs_drawn"].clone();
        assert!(drawn("t1").is_u64());
        assert_eq!(drawn("t1"), drawn(t));
    }
}

#[test]
fn a_sweep_with_news_is_the_same_bytes_for_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    write_file(d.path(), "exp.toml", EXP);
    let args = [
        "sweep",
        "exp.toml",
        "--vary",
        "lam=0.05,0.1,0.2",
        "--runs",
        "2100",
        "--given",
        "a>4",
    ];
    same_for_any_thread_count(d.path(), &args, &SWEEP_FILES);
}

#[test]
fn a_comparison_with_news_is_the_same_bytes_for_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write_file(p, "exp.toml", EXP);
    write_file(p, "b.toml", &EXP.replace("lam = 0.05", "lam = 0.1"));
    let args = [
        "compare", "exp.toml", "b.toml", "--runs", "2500", "--given", "a>4",
    ];
    same_for_any_thread_count(p, &args, &["compare.csv"]);
}
