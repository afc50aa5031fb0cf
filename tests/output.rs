//! The CSV files of `rungs run` from a hand-built model and synthetic runs: headers, RFC 4180
//! quoting, empty cells, values, and the atomic output folder.

use rungs::engine::RunRecord;
use rungs::expr::Expr;
use rungs::output::{self, OutputDir, num};
use rungs::scenario::{Actor, Model, Node, NodeKind, Param, ParamValue, StateVar, Step, Trigger};
use rungs::stats::summary::{Dist, RepeatStats};
use rungs::stats::{BlockTree, Merge, Summary};

const LABEL: &str = "Strike, \"big\" one";
const WAR: &str = "war, \"hot\"";

fn node(id: &str, label: &str, kind: NodeKind, rung: u32, actor: Option<usize>) -> Node {
    Node {
        id: id.into(),
        label: label.into(),
        kind,
        step: 0,
        rung,
        actor,
    }
}

/// A hazard step of node `node` that may happen `repeat` times (only `repeat` matters here).
fn step(node: usize, repeat: u32) -> Step {
    Step {
        node,
        after: vec![],
        any_of: vec![],
        when: None,
        trigger: Trigger::Hazard {
            rate: Expr::constant(1.0),
        },
        effects: vec![],
        branches: vec![],
        excludes: vec![],
        ends: None,
        repeat,
    }
}

fn param(id: &str, v: f64) -> Param {
    Param {
        id: id.into(),
        value: ParamValue::Fixed(v),
        unit: None,
        description: None,
        span: 0..0,
    }
}

fn actor(id: &str) -> Actor {
    Actor {
        id: id.into(),
        name: id.to_uppercase(),
        bloc: None,
        vars: vec![],
    }
}

/// Nodes: strike (ru, rung 1, may happen 3 times), strike_hit (its branch, rung 2), talks
/// (ua, rung 0), never (no actor, rung 3). One state variable, ru.losses.
fn model() -> Model {
    Model {
        name: "tiny".into(),
        description: None,
        source: None,
        time_unit: "day".into(),
        horizon: 10.0,
        resolution: 1.0,
        params: vec![param("p_fixed", 2.0), param("p_drawn", 0.0)],
        param_order: vec![0, 1],
        actors: vec![actor("ru"), actor("ua")],
        vars: vec![StateVar {
            actor: 0,
            name: "losses".into(),
            init: Expr::constant(0.0),
        }],
        nodes: vec![
            node("strike", LABEL, NodeKind::Step, 1, Some(0)),
            node("strike_hit", "strike_hit", NodeKind::Branch, 2, Some(0)),
            Node {
                step: 1,
                ..node("talks", "Talks", NodeKind::Step, 0, Some(1))
            },
            Node {
                step: 2,
                ..node("never", "Never", NodeKind::Step, 3, None)
            },
        ],
        steps: vec![step(0, 3), step(2, 1), step(3, 1)],
        flows: vec![],
        outcomes: vec!["horizon".into(), WAR.into()],
        sweep: None,
        checks: vec![],
        correlations: vec![],
    }
}

const NA: f64 = f64::NAN;

#[allow(clippy::too_many_arguments)]
fn rec(
    run: u64,
    drawn: f64,
    first: [f64; 4],
    path: &[u32],
    outcome: usize,
    end: f64,
    max_rung: u32,
    actor_max: [u32; 2],
) -> RunRecord {
    RunRecord {
        run,
        params: vec![2.0, drawn],
        state: vec![100.0 * run as f64],
        first_time: first.to_vec(),
        counts: first.iter().map(|t| u32::from(!t.is_nan())).collect(),
        path: path.to_vec(),
        outcome,
        end_time: end,
        max_rung,
        actor_max_rung: actor_max.to_vec(),
    }
}

/// Four runs; strike happens 2, 0, 3 and 1 times.
fn records() -> Vec<RunRecord> {
    let mut r = vec![
        rec(0, 0.5, [1.5, 1.5, NA, NA], &[0, 1], 0, 10.0, 2, [2, 0]),
        rec(1, 1.5, [NA, NA, NA, NA], &[], 0, 10.0, 0, [0, 0]),
        rec(2, -0.25, [4.0, NA, 3.0, NA], &[2, 0], 1, 4.0, 1, [1, 0]),
        rec(3, 0.0000001, [0.0, NA, NA, NA], &[0], 0, 10.0, 1, [1, 0]),
    ];
    for (run, c) in r.iter_mut().zip([2, 0, 3, 1]) {
        run.counts[0] = c;
    }
    r
}

fn summary(m: &Model) -> Summary {
    let mut s = Summary::new(m);
    for r in records() {
        s.record(m, &r);
    }
    s
}

fn read(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn f(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("not a number: {cell:?}"))
}

#[test]
fn steps_csv() {
    let m = model();
    let text = output::steps_table(&m, &summary(&m)).to_csv_string();
    let (h, rows) = read(&text);
    assert_eq!(
        h.join(","),
        "step,label,actor,rung,kind,runs,happened,probability,ci_low,ci_high,\
         time_mean,time_sd,time_p05,time_p25,time_p50,time_p75,time_p95,\
         count_mean,count_sd,count_p05,count_p25,count_p50,count_p75,count_p95,count_max,\
         words"
    );
    // RFC 4180: the label with a comma and quotes is quoted, quotes doubled.
    assert!(text.contains("strike,\"Strike, \"\"big\"\" one\",ru,1,step,4,3,0.75,"));
    assert_eq!(rows.len(), 4);
    let strike = &rows[0];
    assert_eq!(strike[1], LABEL);
    // Wilson 3 of 4, reference from the closed form evaluated independently (Python).
    assert!((f(&strike[8]) - 0.30064184258240184).abs() < 1e-12);
    assert!((f(&strike[9]) - 0.9544127391902995).abs() < 1e-12);
    // First times 1.5, 4, 0: mean 11/6, sd from the two-pass formula.
    let mean = 5.5 / 3.0;
    let sd = (([1.5f64, 4.0, 0.0]
        .iter()
        .map(|x| (x - mean).powi(2))
        .sum::<f64>())
        / 2.0)
        .sqrt();
    assert!((f(&strike[10]) - mean).abs() < 1e-12);
    assert!((f(&strike[11]) - sd).abs() < 1e-12);
    // Quantiles of {0, 1.5, 4}, ranks floor(q * 2): few values, so exact.
    assert_eq!(strike[12..17], ["0", "0", "1.5", "1.5", "1.5"]);
    // Happened 2, 0, 3, 1 times in the four runs: mean 1.5, sd sqrt(5/3), quantiles of
    // ranks floor(q * 3) of {0, 1, 2, 3}, exact; max 3.
    assert_eq!(strike[17], "1.5");
    assert!((f(&strike[18]) - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
    assert_eq!(strike[19..25], ["0", "0", "1", "2", "2", "3"]);
    // 3 of 4 runs: ICD 203's "likely" (55-80%), last.
    assert_eq!(strike[25], "likely");
    // A branch inherits the actor; a step that happened once has no sd.
    assert_eq!(
        &rows[1][..8],
        [
            "strike_hit",
            "strike_hit",
            "ru",
            "2",
            "branch",
            "4",
            "1",
            "0.25"
        ]
    );
    assert_eq!(rows[1][11], "");
    assert_eq!(f(&rows[1][14]), 1.5);
    // The branch of a repeating step repeats too: once in run 0, never in the others.
    assert_eq!(
        rows[1][17..25],
        ["0.25", "0.5", "0", "0", "0", "0", "0", "1"]
    );
    // A step that cannot repeat has empty count cells.
    assert!(
        rows[2][17..25].iter().all(String::is_empty),
        "{:?}",
        rows[2]
    );
    // Never happened: probability 0, interval [0, x], empty time cells; no actor: empty.
    let never = &rows[3];
    assert_eq!(
        &never[..8],
        ["never", "Never", "", "3", "step", "4", "0", "0"]
    );
    assert_eq!(never[8], "0");
    assert!(never[10..25].iter().all(String::is_empty), "{never:?}");
    // 0 in 4 runs: "in none of them", the lowest term (docs/outputs.md, Words).
    assert_eq!(never[25], "almost no chance");
}

#[test]
fn outcomes_rungs_parameters_state() {
    let m = model();
    let s = summary(&m);
    let text = output::outcomes_table(&m, &s).to_csv_string();
    assert!(text.starts_with(
        "outcome,runs,count,probability,ci_low,ci_high,time_mean,time_p50,words\n\
         horizon,4,3,0.75,"
    ));
    assert!(text.contains("\n\"war, \"\"hot\"\"\",4,1,0.25,"));
    let (_, rows) = read(&text);
    assert_eq!(
        (rows[0][8].as_str(), rows[1][8].as_str()),
        ("likely", "unlikely")
    );
    assert_eq!(rows[0][6], "10");
    assert_eq!(rows[0][7], "10");
    assert_eq!(rows[1][0], WAR);

    // max_rung per run: 2, 0, 1, 1; ru's highest rung is 2, ua's 0.
    let text = output::rungs_table(&m, &s).to_csv_string();
    assert_eq!(
        text,
        "actor,rung,p_reached,p_max\n\
         all,0,1,0.25\nall,1,0.75,0.5\nall,2,0.25,0.25\nall,3,0,0\n\
         ru,0,1,0.25\nru,1,0.75,0.5\nru,2,0.25,0.25\n\
         ua,0,1,1\n"
    );

    let text = output::parameters_table(&m, &s).to_csv_string();
    let (h, rows) = read(&text);
    assert_eq!(h.join(","), "parameter,mean,sd,min,p05,p25,p50,p75,p95,max");
    // A fixed parameter: sd exactly 0, every quantile the value.
    assert_eq!(
        rows[0],
        ["p_fixed", "2", "0", "2", "2", "2", "2", "2", "2", "2"]
    );
    // Plain numbers, no exponent, for a tiny value; exact quantiles of
    // {-0.25, 0.0000001, 0.5, 1.5} at ranks floor(q * 3).
    assert_eq!(rows[1][0], "p_drawn");
    assert_eq!(rows[1][3], "-0.25");
    assert_eq!(
        rows[1][4..],
        ["-0.25", "-0.25", "0.0000001", "0.5", "0.5", "1.5"]
    );
    assert!(
        rows.iter().flat_map(|r| &r[1..]).all(|c| !c.contains('e')),
        "{text}"
    );

    // Final losses 0, 100, 200, 300: quantiles of ranks floor(q * 3), exact.
    let (h, rows) = read(&output::state_table(&m, &s).to_csv_string());
    assert_eq!(
        h.join(","),
        "actor,variable,mean,sd,min,p05,p25,p50,p75,p95,max"
    );
    let r = &rows[0];
    assert_eq!(
        r[..5],
        ["ru", "losses", "150", &num((50000.0f64 / 3.0).sqrt()), "0"]
    );
    assert_eq!(r[5..], ["0", "0", "100", "200", "200", "300"]);
}

#[test]
fn timeline_and_paths() {
    let m = model();
    let s = summary(&m);
    let (h, rows) = read(&output::timeline_table(&m, &s).to_csv_string());
    assert_eq!(h, ["time", "strike", "strike_hit", "talks", "never"]);
    assert_eq!(rows.len(), 11);
    let col = |c: usize| rows.iter().map(|r| r[c].clone()).collect::<Vec<_>>();
    assert_eq!(
        col(0),
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]
    );
    // strike at 0, 1.5 and 4: by 0 one run, by 2 two, by 4 three.
    assert_eq!(
        col(1),
        [
            "0.25", "0.25", "0.5", "0.5", "0.75", "0.75", "0.75", "0.75", "0.75", "0.75", "0.75"
        ]
    );
    assert_eq!(col(3)[2..4], ["0", "0.25"]);
    assert!(col(4).iter().all(|c| c == "0"));

    // Four paths once each: ties in path order (node indices), empty path first.
    let text = output::paths_table(&m, &s, 1000).to_csv_string();
    assert_eq!(
        text,
        "rank,path,outcome,count,probability\n\
         1,,horizon,1,0.25\n\
         2,strike,horizon,1,0.25\n\
         3,strike > strike_hit,horizon,1,0.25\n\
         4,talks > strike,\"war, \"\"hot\"\"\",1,0.25\n"
    );
    // Most frequent first, and the top-N cut.
    let mut s2 = s.clone();
    s2.record(&m, &records()[2]);
    let (_, rows) = read(&output::paths_table(&m, &s2, 2).to_csv_string());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][..4], ["1", "talks > strike", WAR, "2"]);
    assert_eq!(rows[1][1], "");
}

#[test]
fn runs_csv_rows_read_back() {
    let m = model();
    let mut bytes = output::runs_header(&m);
    for r in records() {
        output::format_run(&m, &r, &mut bytes);
    }
    let text = String::from_utf8(bytes).unwrap();
    let (h, rows) = read(&text);
    assert_eq!(
        h.join(","),
        "run,p_fixed,p_drawn,outcome,end_time,max_rung,strike_time,strike_hit_time,\
         talks_time,never_time,ru_losses_final,strike_count,strike_hit_count"
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[0],
        [
            "0", "2", "0.5", "horizon", "10", "2", "1.5", "1.5", "", "", "0", "2", "1"
        ]
    );
    assert_eq!(rows[2][10..], ["200", "3", "0"]);
    assert_eq!(rows[2][3], WAR);
    assert_eq!(rows[3][2], "0.0000001");
    // Same bytes as the csv crate would write for those cells.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&rows[2]).unwrap();
    let expected = String::from_utf8(w.into_inner().unwrap()).unwrap();
    assert!(text.contains(&expected));
}

/// The block tree of the records `runs` (one block per record), through JSON as a shard's
/// partial travels.
fn shard(m: &Model, runs: std::ops::Range<usize>) -> BlockTree<Summary> {
    let mut tree = BlockTree::new();
    for b in runs {
        let mut s = Summary::new(m);
        s.record(m, &records()[b]);
        tree.push(b as u64, 1, s).unwrap();
    }
    serde_json::from_str(&serde_json::to_string(&tree).unwrap()).unwrap()
}

#[test]
fn shards_merge_to_the_same_bytes() {
    let m = model();
    let whole = serde_json::to_string(&shard(&m, 0..4).finish()).unwrap();
    for cut in 0..=4 {
        let mut a = shard(&m, 0..cut);
        a.append(shard(&m, cut..4)).unwrap();
        let merged = a.finish().unwrap();
        assert_eq!(
            serde_json::to_string(&Some(&merged)).unwrap(),
            whole,
            "cut {cut}"
        );
        // The CSVs are the same bytes too, the exact quantiles and repeat counts included.
        let one = shard(&m, 0..4).finish().unwrap();
        for table in [
            output::steps_table,
            output::parameters_table,
            output::state_table,
        ] {
            assert_eq!(
                table(&m, &merged).to_csv_string(),
                table(&m, &one).to_csv_string()
            );
        }
    }
    // The counts agree with recording everything in one summary (floats only up to rounding).
    let merged = shard(&m, 0..4).finish().unwrap();
    let flat = summary(&m);
    assert_eq!(merged.paths, flat.paths);
    assert_eq!(merged.timeline, flat.timeline);
    assert_eq!(merged.rungs_all, flat.rungs_all);
    let mut empty = Summary::new(&m);
    empty.merge(&flat);
    assert_eq!(empty, flat);
}

/// Times that are all grid points (tick ends) have exact quantiles read from the timeline,
/// however many distinct days they span; one time off the grid and they come from the sketch.
#[test]
fn times_on_the_grid_are_exact_beyond_the_exact_bound() {
    let m = Model {
        horizon: 1000.0,
        ..model()
    };
    let days: Vec<f64> = (0..2000u64).map(|r| ((r * 37) % 1001) as f64).collect();
    let mut s = Summary::new(&m);
    for (r, &t) in days.iter().enumerate() {
        s.record(
            &m,
            &rec(r as u64, 0.5, [t, NA, NA, NA], &[0], 0, 1000.0, 1, [1, 0]),
        );
    }
    assert!(
        !s.nodes[0].time.is_exact(),
        "more days than exact counts hold"
    );
    assert_eq!(s.nodes[0].off_grid, 0);
    assert_eq!(s.check(&Summary::new(&m)), Ok(()));
    let mut sorted = days.clone();
    sorted.sort_by(f64::total_cmp);
    let exact = |q: f64| sorted[(q * 1999.0).floor() as usize];
    for i in 0..=100 {
        let q = f64::from(i) / 100.0;
        assert_eq!(s.time_quantile(0, q), Some(exact(q)), "q = {q}");
    }
    let (_, rows) = read(&output::steps_table(&m, &s).to_csv_string());
    let printed: Vec<f64> = rows[0][12..17].iter().map(|c| f(c)).collect();
    let want: Vec<f64> = [0.05, 0.25, 0.5, 0.75, 0.95].map(exact).to_vec();
    assert_eq!(printed, want);

    // A forged claim that all times are on the grid, beside one that is not, is refused.
    let mut off = s.clone();
    off.record(
        &m,
        &rec(2000, 0.5, [10.5, NA, NA, NA], &[0], 0, 1000.0, 1, [1, 0]),
    );
    assert_eq!(off.nodes[0].off_grid, 1);
    assert_eq!(off.check(&Summary::new(&m)), Ok(()));
    // Off the grid: the sketch answers, within 1% but not a whole day everywhere.
    let sketchy = (0..=100).any(|i| {
        let v = off.time_quantile(0, f64::from(i) / 100.0).unwrap();
        v != v.round()
    });
    assert!(sketchy, "the guard: the sketch is not exact");
    let mut forged = off.clone();
    forged.nodes[0].off_grid = 0;
    assert!(
        forged
            .check(&Summary::new(&m))
            .unwrap_err()
            .contains("grid")
    );
    forged.nodes[0].off_grid = 2002;
    assert!(
        forged
            .check(&Summary::new(&m))
            .unwrap_err()
            .contains("grid")
    );
}

/// Repeat counts read back from a partial must agree with the step's happenings and with
/// the scenario's shape, even when they are consistent in themselves.
#[test]
fn check_refuses_repeat_counts_that_disagree_with_the_runs() {
    let m = model();
    let shape = Summary::new(&m);
    let good = summary(&m);
    assert_eq!(good.check(&shape), Ok(()));
    // strike happened in 3 of the 4 runs: counts of 1, 1, 1, 1 claim all 4.
    let mut bad = good.clone();
    let mut every = Dist::default();
    (0..4).for_each(|_| every.push(1.0));
    bad.repeats[0].count = every;
    let err = bad.check(&shape).unwrap_err();
    assert!(err.contains("step 0: repeat counts"), "{err}");
    // Counts over 3 runs where there were 4.
    let mut short = good.clone();
    let mut three = Dist::default();
    [2.0, 3.0, 1.0].iter().for_each(|&c| three.push(c));
    short.repeats[0].count = three;
    assert!(short.check(&shape).is_err());
    // Counts for a step that cannot repeat, or none for one that can: not this scenario.
    let mut extra = good.clone();
    extra.repeats.push(RepeatStats {
        node: 2,
        count: Dist::default(),
    });
    assert!(extra.check(&shape).unwrap_err().contains("shape"));
    let mut other = good.clone();
    other.repeats[1].node = 2;
    assert!(other.check(&shape).unwrap_err().contains("shape"));
    let mut missing = good;
    missing.repeats.clear();
    assert!(missing.check(&shape).unwrap_err().contains("shape"));
}

#[test]
fn human_summary_lists_outcomes_and_top_steps() {
    let m = model();
    let text = output::human_summary(&m, &summary(&m));
    assert!(text.contains("tiny: 4 runs"), "{text}");
    assert!(text.contains("horizon"));
    assert!(text.contains("75.0%"));
    // Highest rung first: strike_hit (rung 2), then strike, then talks; `never` omitted.
    let hit = text.find("strike_hit").unwrap();
    let talks = text.find("talks").unwrap();
    assert!(hit < talks);
    assert!(!text.contains("never"));
}

#[test]
fn output_dir_is_atomic() {
    let base = tempfile::tempdir().unwrap();
    let target = base.path().join("results");
    let m = model();
    let s = summary(&m);

    // Dropped without commit: nothing left behind.
    {
        let dir = OutputDir::create(&target).unwrap();
        output::write_run_outputs(&dir, &m, &s, 10).unwrap();
        assert!(dir.path().join("steps.csv").exists());
    }
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 0);

    // Committed: every file in place.
    let dir = OutputDir::create(&target).unwrap();
    output::write_run_outputs(&dir, &m, &s, 10).unwrap();
    let start = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_735_689_599);
    let man = output::Manifest::new(
        "run",
        "tiny.toml",
        b"abc",
        7,
        4,
        &[("p_drawn".into(), 0.5)],
        2,
        1,
        start,
        std::time::Duration::from_millis(1500),
    );
    output::write_manifest(&dir, &man).unwrap();
    dir.commit().unwrap();
    for f in output::STATISTICS_FILES
        .into_iter()
        .chain(["manifest.json"])
    {
        assert!(target.join(f).exists(), "{f}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(target.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(json["start_time"], "2024-12-31T23:59:59Z");
    assert_eq!(json["wall_time_seconds"], 1.5);
    assert_eq!(
        json["scenario_sha256"],
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(json["overrides"][0]["name"], "p_drawn");

    // Committed again over its own folder: replaced.
    let dir = OutputDir::create(&target).unwrap();
    output::write_run_outputs(&dir, &m, &s, 10).unwrap();
    output::write_manifest(&dir, &man).unwrap();
    dir.commit().unwrap();
    assert!(target.join("paths.csv").exists());
    assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 1);

    // A file the user added to it: the commit is refused, and nothing is lost.
    std::fs::write(target.join("notes.txt"), "mine").unwrap();
    let dir = OutputDir::create(&target).unwrap();
    output::write_run_outputs(&dir, &m, &s, 10).unwrap();
    let err = dir.commit().unwrap_err().to_string();
    assert!(err.contains("notes.txt"), "{err}");
    assert_eq!(
        std::fs::read_to_string(target.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(target.join("paths.csv").exists());
    std::fs::remove_file(target.join("notes.txt")).unwrap();
    assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 1);

    // A file in the way is an error, and it is left alone.
    let file = base.path().join("afile");
    std::fs::write(&file, "x").unwrap();
    let dir = OutputDir::create(&file).unwrap();
    assert!(dir.commit().is_err());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 2);
}

/// Cost of `Summary::record` on a 15-node, 6-parameter, 4-variable shape with a handful of
/// distinct paths (`cargo test --release --test output -- --ignored --nocapture`).
#[test]
#[ignore]
fn record_cost() {
    let mut m = model();
    m.nodes = (0..15)
        .map(|i| node(&format!("n{i}"), "x", NodeKind::Step, i % 5, Some(0)))
        .collect();
    m.params = (0..6).map(|i| param(&format!("p{i}"), 1.0)).collect();
    m.vars = (0..4)
        .map(|i| StateVar {
            actor: 0,
            name: format!("v{i}"),
            init: Expr::constant(0.0),
        })
        .collect();
    m.horizon = 365.0;
    let recs: Vec<RunRecord> = (0..64u64)
        .map(|r| {
            let first: Vec<f64> = (0..15)
                .map(|i| {
                    if (r + i) % 3 == 0 {
                        NA
                    } else {
                        (r * 7 + i * 13) as f64 % 365.0
                    }
                })
                .collect();
            RunRecord {
                run: r,
                params: (0..6).map(|i| 0.1 + (r * i) as f64).collect(),
                state: (0..4).map(|i| (r + i) as f64 * 3.5).collect(),
                path: (0..15u32)
                    .filter(|&i| !first[i as usize].is_nan())
                    .take((r % 5) as usize)
                    .collect(),
                counts: vec![1; 15],
                first_time: first,
                outcome: (r % 2) as usize,
                end_time: 100.0 + r as f64,
                max_rung: (r % 5) as u32,
                actor_max_rung: vec![(r % 5) as u32, 0],
            }
        })
        .collect();
    let n = 2_000_000u64;
    let t = std::time::Instant::now();
    let mut s = Summary::new(&m);
    for i in 0..n {
        s.record(&m, &recs[(i % 64) as usize]);
    }
    let el = t.elapsed();
    println!("record: {:.1} ns/run", el.as_nanos() as f64 / n as f64);
    assert_eq!(s.runs, n);
}
