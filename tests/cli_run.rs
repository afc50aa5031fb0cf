//! `rungs run` and `rungs merge` end to end, through the files a user reads: the shipped
//! scenarios load, the textbook scenario's CSVs match its closed forms, and the bytes do not
//! depend on threads or shards.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod common;

use common::rungs;
use rungs::output::STATISTICS_FILES;

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Runs `rungs run SCENARIO --quiet --out TMP/out` with `args`; returns the temporary folder
/// (deleted when dropped) and the output folder.
fn run_to_temp(args: &[&str], file: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = dir.path().join("out");
    rungs()
        .arg("run")
        .args(args)
        .args(["--quiet", "--out"])
        .arg(&out)
        .arg(file)
        .assert()
        .success();
    (dir, out)
}

/// `rungs run BASE.. --threads T --out DIR/tT FILE` for each thread count.
fn run_with_threads(base: &[&str], file: &Path, d: &Path, threads: &[&str]) {
    for threads in threads {
        rungs()
            .args(base)
            .args(["--threads", threads, "--out"])
            .arg(d.join(format!("t{threads}")))
            .arg(file)
            .assert()
            .success();
    }
}

/// `rungs run BASE.. --shard K/N --out DIR FILE` for every K.
fn run_shards(base: &[&str], file: &Path, n: u64, dir: &Path) {
    for k in 0..n {
        rungs()
            .args(base)
            .args(["--shard", &format!("{k}/{n}"), "--out"])
            .arg(dir)
            .arg(file)
            .assert()
            .success();
    }
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
    for name in ["dprk-kursk.toml", "kahn-ladder.toml", "textbook.toml"] {
        rungs()
            .arg("validate")
            .arg(scenario(name))
            .assert()
            .success();
    }
}

#[test]
fn textbook_csvs_match_the_closed_forms() {
    let (_dir, out) = run_to_temp(&["--runs", "40000"], &scenario("textbook.toml"));
    let n = 40_000.0;

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
    run_with_threads(&base, &file, d, &["1", "2", "3"]);
    let names = STATISTICS_FILES;
    for name in names {
        let one = std::fs::read(d.join("t1").join(name)).expect("written");
        for threads in ["2", "3"] {
            let other = std::fs::read(d.join(format!("t{threads}")).join(name)).expect("written");
            assert_eq!(one, other, "{name}: 1 vs {threads} threads");
        }
    }
    // 5000 runs are 5 blocks: N = 3 and 4 split them unevenly; the parts are handed to
    // merge in a scrambled order.
    let mut parts = Vec::new();
    for n in 1..=5u64 {
        let dir_n = d.join(format!("parts{n}"));
        run_shards(&base, &file, n, &dir_n);
        parts = (0..n)
            .map(|i| (n - i) % n)
            .map(|k| dir_n.join(format!("shard-{k}-of-{n}.json")))
            .collect();
        let merged = d.join(format!("merged{n}"));
        rungs()
            .arg("merge")
            .args(&parts)
            .arg("--quiet")
            .arg("--out")
            .arg(&merged)
            .assert()
            .success();
        for name in names {
            let one = std::fs::read(d.join("t1").join(name)).expect("written");
            let m = std::fs::read(merged.join(name)).expect("written");
            assert_eq!(one, m, "{name}: {n} merged shards");
        }
    }

    // Two of five shards: a gap is refused, and nothing is written.
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
    let (_dir, out) = run_to_temp(&["--runs", "3000", "--per-run"], &scenario("textbook.toml"));
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

/// The exact bytes of every statistics CSV of a small scenario, pinned: any change to the
/// engine's draws, the reduction order or the number formatting shows up here. If a change
/// is intended, regenerate with the command in tests/golden/README.md and say why in the
/// commit.
#[test]
fn golden_csvs_are_pinned() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let (_dir, out) = run_to_temp(
        &["--runs", "3000", "--seed", "11"],
        &golden.join("scenario.toml"),
    );
    let pinned = std::fs::read_dir(golden.join("expected"))
        .expect("golden files")
        .count();
    let csvs = STATISTICS_FILES
        .iter()
        .chain(&[rungs::output::CONDITIONAL_FILE]);
    assert_eq!(
        pinned,
        STATISTICS_FILES.len() + 1,
        "every statistics CSV and conditional.csv is pinned, nothing else"
    );
    for name in csvs {
        let want = std::fs::read_to_string(golden.join("expected").join(name)).expect("read");
        let got = std::fs::read_to_string(out.join(name)).expect("written");
        assert_eq!(got, want, "{name} differs from the pinned bytes");
    }
}

/// The golden scenario's discrete parameter, repeating step and tick-aligned threshold:
/// quantiles that are values that can occur, each one the closed form's.
#[test]
fn exact_quantiles_match_the_closed_forms() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/scenario.toml");
    let (_dir, out) = run_to_temp(&["--runs", "20000"], &golden);
    let n = 20_000.0;
    let q = ["p05", "p25", "p50", "p75", "p95"];

    // raid_p is 0.3, 0.5, 0.8 with weights 1 : 3 : 1, so its CDF is 0.2, 0.8, 1: the
    // quantiles are 0.3, 0.5, 0.5, 0.5, 0.8 (every level at least 0.05 from a jump, 17 se).
    let params = read_csv(&out.join("parameters.csv"));
    let raid_p = row(&params, "parameter", "raid_p");
    let got: Vec<&str> = q.iter().map(|c| raid_p[*c].as_str()).collect();
    assert_eq!(got, ["0.3", "0.5", "0.5", "0.5", "0.8"]);
    assert_eq!(
        (raid_p["min"].as_str(), raid_p["max"].as_str()),
        ("0.3", "0.8")
    );

    // raid is tried every 10 days until it fails, at most 5 times: P(count >= k) =
    // E[raid_p^k] = (0.3^k + 3 0.5^k + 0.8^k) / 5, so the CDF at 0..4 is 0.48, 0.704,
    // 0.8172, 0.87896, 0.915228 and the quantiles 0, 0, 1, 2, 5 (5.7 se or more from a jump).
    let tail = |k: i32| (0.3f64.powi(k) + 3.0 * 0.5f64.powi(k) + 0.8f64.powi(k)) / 5.0;
    let steps = read_csv(&out.join("steps.csv"));
    let raid = row(&steps, "step", "raid");
    let got: Vec<&str> = q
        .iter()
        .map(|c| raid[&format!("count_{c}")].as_str())
        .collect();
    assert_eq!(got, ["0", "0", "1", "2", "5"]);
    assert_eq!(raid["count_max"], "5");
    assert_proportion("raid", num(raid, "probability"), tail(1), n);
    // E[count] = sum of the tails; E[count^2] = sum of (2k - 1) tail(k).
    let mean: f64 = (1..=5).map(tail).sum();
    let second: f64 = (1..=5).map(|k| f64::from(2 * k - 1) * tail(k)).sum();
    let sd = (second - mean * mean).sqrt();
    assert!((num(raid, "count_mean") - mean).abs() <= 4.0 * sd / n.sqrt());
    // It happens first on day 10, always.
    assert_eq!(raid["time_p05"], "10");
    // A step that cannot repeat has no count cells.
    assert_eq!(row(&steps, "step", "first")["count_mean"], "");
}

/// A threshold on a flow and nothing else: the step can only happen at the end of a daily
/// tick, over 900 days, far more distinct days than exact value counts hold; its time
/// quantiles are read exactly from the timeline (whole days), and match the closed form.
#[test]
fn tick_aligned_times_have_exact_quantiles() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("ticks.toml");
    std::fs::write(
        &file,
        "[scenario]\nname = \"ticks\"\nhorizon = 1000\nresolution = 1\n\n\
         [parameters]\nrate = { dist = \"uniform\", min = 0.1, max = 1 }\n\n\
         [actors.g]\nstate = { level = 0 }\n\n\
         [[flows]]\ntarget = \"g.level\"\nrate = \"rate\"\n\n\
         [[steps]]\nid = \"cross\"\nwhen = \"g.level >= 100\"\n",
    )
    .expect("written");
    let n = 20_000.0f64;
    let (_out_dir, out) = run_to_temp(&["--runs", "20000"], &file);
    let steps = read_csv(&out.join("steps.csv"));
    let cross = row(&steps, "step", "cross");
    assert_eq!(cross["happened"], "20000");
    // T = ceil(100 / rate) with rate uniform on [0.1, 1]: F(t) = (1 - 100 / t) / 0.9 on
    // [100, 1000], so the q-quantile is 100 / (1 - 0.9 q), up to the whole day; its standard
    // error is sqrt(q (1 - q) / n) / F'(t) with F'(t) = 100 / (0.9 t^2).
    for (c, q) in [
        ("p05", 0.05),
        ("p25", 0.25),
        ("p50", 0.5),
        ("p75", 0.75),
        ("p95", 0.95),
    ] {
        let t = num(cross, &format!("time_{c}"));
        assert_eq!(t, t.round(), "time_{c} = {t} is not a tick end");
        let exact = 100.0 / (1.0 - 0.9 * q);
        let se = (q * (1.0 - q) / n).sqrt() / (100.0 / (0.9 * exact * exact));
        assert!(
            (t - exact).abs() <= 4.0 * se + 1.0,
            "time_{c} = {t}, exact {exact}"
        );
    }
}

/// runs.csv's final state and repeat counts: the same bytes for any thread count, and the
/// exact quantiles of steps.csv and state.csv are those of its columns.
#[test]
fn per_run_state_and_counts_match_the_tables() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    let base = [
        "run",
        "--runs",
        "3000",
        "--seed",
        "5",
        "--per-run",
        "--quiet",
    ];
    run_with_threads(&base, &scenario("dprk-kursk.toml"), d, &["1", "2", "3"]);
    let one = std::fs::read(d.join("t1/runs.csv")).expect("written");
    for t in ["2", "3"] {
        let other = std::fs::read(d.join(format!("t{t}/runs.csv"))).expect("written");
        assert!(one == other, "runs.csv: 1 vs {t} threads");
    }
    let runs = read_csv(&d.join("t1/runs.csv"));
    // Column `col` of runs.csv, sorted; the exact quantile rule (rank floor(q (n - 1))).
    let column = |col: &str| {
        let mut v: Vec<f64> = runs.iter().map(|r| num(r, col)).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let exact = |v: &[f64], q: f64| v[(q * (v.len() - 1) as f64).floor() as usize];
    let levels = [
        ("p05", 0.05),
        ("p25", 0.25),
        ("p50", 0.5),
        ("p75", 0.75),
        ("p95", 0.95),
    ];
    let distinct = |v: &[f64]| 1 + v.windows(2).filter(|w| w[0] != w[1]).count();

    let steps = read_csv(&d.join("t1/steps.csv"));
    let mut repeating = 0;
    for s in &steps {
        let col = format!("{}_count", s["step"]);
        if s["count_mean"].is_empty() {
            assert!(
                !runs[0].contains_key(&col),
                "{col} for a step that cannot repeat"
            );
            continue;
        }
        repeating += 1;
        let v = column(&col);
        assert!(distinct(&v) <= rungs::stats::MAX_EXACT, "{col}: few values");
        for (c, q) in levels {
            assert_eq!(num(s, &format!("count_{c}")), exact(&v, q), "{col} {c}");
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!(
            (num(s, "count_mean") - mean).abs() <= 1e-9 * mean.max(1.0),
            "{col}"
        );
        assert_eq!(num(s, "count_max"), v[v.len() - 1]);
        // At least once in exactly the runs it happened in.
        let happened = v.iter().filter(|&&c| c > 0.0).count();
        assert_eq!(s["happened"], happened.to_string(), "{col}");
    }
    assert!(repeating >= 3, "dprk-kursk has repeating steps");

    let state = read_csv(&d.join("t1/state.csv"));
    let mut exact_vars = 0;
    for s in &state {
        let v = column(&format!("{}_{}_final", s["actor"], s["variable"]));
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!((num(s, "mean") - mean).abs() <= 1e-9 * mean.abs().max(1.0));
        assert_eq!((num(s, "min"), num(s, "max")), (v[0], v[v.len() - 1]));
        if distinct(&v) <= rungs::stats::MAX_EXACT {
            exact_vars += 1;
            for (c, q) in levels {
                assert_eq!(num(s, c), exact(&v, q), "{} {c}", s["variable"]);
            }
        }
    }
    assert!(
        exact_vars >= 2,
        "integer state (generals, members engaged) is exact"
    );
}

/// Every file a user opens: every row has every column, and every column that is not text
/// holds plain numbers (or empty cells), as a spreadsheet must read them.
#[test]
fn every_csv_reads_back_as_numbers() {
    let (_dir, out) = run_to_temp(
        &["--runs", "2000", "--per-run"],
        &scenario("dprk-kursk.toml"),
    );
    let text_columns = [
        "step",
        "label",
        "actor",
        "kind",
        "outcome",
        "variable",
        "parameter",
        "path",
        "words",
        "given",
    ];
    let more = ["runs.csv", rungs::output::CONDITIONAL_FILE];
    for name in STATISTICS_FILES.into_iter().chain(more) {
        let mut r = csv::Reader::from_path(out.join(name)).expect("opens");
        let header = r.headers().expect("a header").clone();
        for h in header.iter() {
            assert!(
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name}: column `{h}` is not snake_case"
            );
        }
        let mut rows = 0;
        for rec in r.records() {
            let rec = rec.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(rec.len(), header.len(), "{name}: a short row");
            for (h, v) in header.iter().zip(rec.iter()) {
                if text_columns.contains(&h) || v.is_empty() {
                    continue;
                }
                let x: f64 = v
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}: {h} = `{v}` is not a number"));
                assert!(x.is_finite(), "{name}: {h} = {v}");
                assert!(
                    !v.contains(['e', 'E']),
                    "{name}: {h} = {v} uses an exponent"
                );
            }
            rows += 1;
        }
        assert!(rows > 0, "{name} has no rows");
    }
}

/// A ladder where almost every run takes its own path (20 competing hazards, each happening
/// once, in random order: 20! orders): more distinct paths than a summary keeps. Memory stays
/// bounded, the dropped runs are counted, and the bytes still do not depend on threads or
/// shards (what is dropped is fixed by the merge tree, not by the split).
#[test]
fn many_distinct_paths_stay_bounded_and_deterministic() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    let mut text = String::from("[scenario]\nname = \"many paths\"\nhorizon = 1000\n");
    for i in 0..20 {
        text.push_str(&format!("\n[[steps]]\nid = \"s{i}\"\nhazard = 0.1\n"));
    }
    let file = d.join("many.toml");
    std::fs::write(&file, text).expect("written");
    let base = ["run", "--runs", "25000", "--quiet"];
    run_with_threads(&base, &file, d, &["1", "3"]);
    run_shards(&base, &file, 3, &d.join("parts"));
    rungs()
        .arg("merge")
        .args((0..3).map(|k| d.join("parts").join(format!("shard-{k}-of-3.json"))))
        .args(["--quiet", "--paths", "20000", "--out"])
        .arg(d.join("merged"))
        .assert()
        .success();
    let paths = |dir: &str| std::fs::read(d.join(dir).join("paths.csv")).expect("written");
    assert_eq!(paths("t1"), paths("t3"));
    let one = read_csv(&d.join("t1").join("paths.csv"));
    assert_eq!(one.len(), 1000, "the default --paths");
    let merged = read_csv(&d.join("merged").join("paths.csv"));
    assert!(
        merged.len() <= 10_000,
        "at most MAX_PATHS kept: {}",
        merged.len()
    );
    // The same kept set and counts as the unsharded run, read to 20000 rows.
    assert_eq!(&merged[..1000], &one[..]);
    let steps_1 = std::fs::read(d.join("t1").join("steps.csv")).expect("written");
    assert_eq!(
        steps_1,
        std::fs::read(d.join("merged").join("steps.csv")).expect("written")
    );
}
