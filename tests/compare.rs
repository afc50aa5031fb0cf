//! `rungs compare` against closed forms, and the variance reduction of common random
//! numbers. Tolerances are 5 standard errors of the estimate for the runs used.

use std::path::Path;

mod common;

use common::{rungs, write_file};

/// Step `a` with probability {PA} after an uncertain delay, then `b` (probability 0.5)
/// ending in `war`; `c` happens (or not) at t = 0, before anything can end the run, so it
/// does not depend on `a`.
fn scenario(pa: f64) -> String {
    format!(
        r#"
[scenario]
name = "compare test"
horizon = 100

[parameters]
d = {{ dist = "uniform", min = 1, max = 20 }}

[[steps]]
id = "a"
probability = {pa}
delay = "d"

[[steps]]
id = "b"
after = ["a"]
probability = 0.5
ends = "war"

[[steps]]
id = "c"
probability = 0.3
delay = 0
"#
    )
}

/// compare.csv as (kind, id) -> (p_a, p_b, diff, lo, hi).
#[allow(clippy::type_complexity)]
fn compare(
    a: &Path,
    b: &Path,
    runs: u64,
    threads: &str,
    out: &Path,
) -> Vec<(String, String, [f64; 5])> {
    rungs()
        .args([
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--quiet",
        ])
        .args(["--runs", &runs.to_string(), "--threads", threads, "--out"])
        .arg(out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("compare.csv")).expect("compare.csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("kind,id,p_a,p_b,diff,diff_ci_low,diff_ci_high")
    );
    lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let f = |i: usize| {
                c[i].parse::<f64>()
                    .unwrap_or_else(|_| panic!("cell {i} of {l}"))
            };
            (
                c[0].to_string(),
                c[1].to_string(),
                [f(2), f(3), f(4), f(5), f(6)],
            )
        })
        .collect()
}

#[test]
fn identical_files_differ_by_exactly_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_file(tmp.path(), "a.toml", &scenario(0.6));
    let b = write_file(tmp.path(), "b.toml", &scenario(0.6));
    let rows = compare(&a, &b, 3000, "2", &tmp.path().join("out"));
    let ids: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
    assert_eq!(
        ids,
        [
            ("step", "a"),
            ("step", "b"),
            ("step", "c"),
            ("outcome", "horizon"),
            ("outcome", "war")
        ]
    );
    for (kind, id, v) in &rows {
        assert_eq!(v[0], v[1], "{kind} {id}");
        assert_eq!((v[2], v[3], v[4]), (0.0, 0.0, 0.0), "{kind} {id}");
    }
}

#[test]
fn a_changed_probability_moves_by_the_closed_form_with_a_narrow_paired_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let (pa, pb) = (0.4, 0.5);
    let a = write_file(tmp.path(), "a.toml", &scenario(pa));
    let b = write_file(tmp.path(), "b.toml", &scenario(pb));
    let n = 20_000u64;
    let rows = compare(&a, &b, n, "2", &tmp.path().join("out"));
    let get = |id: &str| rows.iter().find(|r| r.1 == id).expect(id).2;

    // Step a: d_i = 1 exactly when the shared draw falls in [0.4, 0.5): mean 0.1,
    // variance 0.1 * 0.9.
    let va = get("a");
    let se = (0.1f64 * 0.9 / n as f64).sqrt();
    assert!((va[2] - 0.1).abs() < 5.0 * se, "diff of a: {}", va[2]);
    assert!(
        va[3] < 0.1 && 0.1 < va[4],
        "interval {:?} misses 0.1",
        &va[3..]
    );
    // The paired interval against the unpaired one (two independent samples): sqrt(0.09)
    // against sqrt(0.24 + 0.25), about 0.43 of the width.
    let width = va[4] - va[3];
    let unpaired = 2.0 * 1.96 * ((pa * (1.0 - pa) + pb * (1.0 - pb)) / n as f64).sqrt();
    assert!(
        width < 0.6 * unpaired,
        "paired {width} vs unpaired {unpaired}"
    );

    // war = p * 0.5: diff 0.05.
    let vw = get("war");
    let se_w = (0.05f64 * 0.95 / n as f64).sqrt();
    assert!((vw[2] - 0.05).abs() < 5.0 * se_w, "diff of war: {}", vw[2]);
    assert!((vw[0] - pa * 0.5).abs() < 5.0 * (0.2f64 * 0.8 / n as f64).sqrt());

    // c is untouched by the edit: common random numbers make its difference exactly 0.
    let vc = get("c");
    assert_eq!((vc[2], vc[3], vc[4]), (0.0, 0.0, 0.0));

    // The same bytes for another thread count.
    let one = compare(&a, &b, n, "1", &tmp.path().join("out1"));
    assert_eq!(one, rows);
}

#[test]
fn ids_in_only_one_file_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_file(tmp.path(), "a.toml", &scenario(0.5));
    let extra = format!(
        "{}\n[[steps]]\nid = \"e\"\nprobability = 0.25\nends = \"deal\"\n",
        scenario(0.5)
    );
    let b = write_file(tmp.path(), "b.toml", &extra);
    let rows = compare(&a, &b, 4000, "2", &tmp.path().join("out"));
    let e = rows.iter().find(|r| r.1 == "e").expect("e listed");
    assert_eq!(e.0, "step");
    assert_eq!(e.2[0], 0.0, "absent in A");
    let deal = rows.iter().find(|r| r.1 == "deal").expect("deal listed");
    assert_eq!(deal.0, "outcome");
    assert!(deal.2[1] > 0.0);
}
