//! What `rungs run`, `sweep` and `compare` print on the terminal: every probability as a
//! percentage with its interval, in the same words (`67.0%  (95% CI 65.0% to 69.1%)`), in
//! columns that stay aligned however long the ids. The numbers are checked against closed
//! forms within 5 standard errors, so a line that prints the wrong number fails too.

mod common;

use common::{rungs, write_file};

/// Ids 40+ characters long, one of them over the 60 characters a column shows.
const LONG_STEP: &str = "the_first_step_of_a_very_long_escalation_ladder";
const LONG_OUTCOME: &str = "an_outcome_whose_name_is_much_longer_than_forty_characters";
const LONGEST: &str = "a_step_whose_id_is_longer_than_the_sixty_characters_a_column_shows_at_most";

/// [`LONG_STEP`] happens with probability `p` at t = 1 and ends the run in [`LONG_OUTCOME`]
/// (otherwise the horizon); [`LONGEST`] happens with probability 0.5 at t = 0, before
/// anything can end the run.
fn scenario(p: &str) -> String {
    format!(
        r#"
[scenario]
name = "screens"
horizon = 10

[parameters]
p = {p}

[[steps]]
id = "{LONG_STEP}"
probability = "p"
delay = 1
ends = "{LONG_OUTCOME}"

[[steps]]
id = "{LONGEST}"
probability = 0.5
delay = 0
"#
    )
}

/// The stdout of `rungs ARGS` (it must succeed).
fn stdout(args: &[&str]) -> String {
    let out = rungs().args(args).assert().success().get_output().clone();
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// A percentage as printed (`67.0%`, `+0.3%`, `-0.027%`), as a probability.
fn percent(s: &str) -> f64 {
    let v: f64 = s
        .strip_suffix('%')
        .unwrap_or_else(|| panic!("`{s}` is not a percentage"))
        .parse()
        .unwrap_or_else(|e| panic!("`{s}`: {e}"));
    v / 100.0
}

/// The value and interval of a line `... X%  (95% CI L% to H%)`, and the character
/// column where `(95% CI` starts; `None` for a line without an interval. What follows the
/// interval ([`words`]) is not read here.
fn interval(line: &str) -> Option<(f64, f64, f64, usize)> {
    let at = line.find("  (95% CI ")?;
    let (head, tail) = line.split_at(at);
    let inner = tail
        .trim_start()
        .strip_prefix("(95% CI ")?
        .split_once(')')
        .unwrap_or_else(|| panic!("`{line}`: the interval is not closed"))
        .0;
    let (lo, hi) = inner
        .split_once(" to ")
        .unwrap_or_else(|| panic!("`{line}`: no `to` in the interval"));
    let value = head.rsplit(' ').next().unwrap();
    Some((
        percent(value),
        percent(lo),
        percent(hi),
        head.chars().count(),
    ))
}

/// The words after a line's interval (`likely` in `67.0%  (95% CI ...)  likely`).
fn words(line: &str) -> &str {
    line.rsplit_once(')').map_or("", |(_, w)| w.trim())
}

/// Asserts `p` is within 5 binomial standard errors of `n` runs of the exact `want`.
fn near(p: f64, want: f64, n: f64, what: &str) {
    let se = (want * (1.0 - want) / n).sqrt().max(1e-9);
    assert!(
        (p - want).abs() <= 5.0 * se + 0.0005,
        "{what}: printed {p}, expected {want}"
    );
}

#[test]
fn run_prints_percentages_with_intervals_in_aligned_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(tmp.path(), "s.toml", &scenario("0.3"));
    let out = tmp.path().join("o");
    let text = stdout(&[
        "run",
        s.to_str().unwrap(),
        "--runs",
        "4000",
        "--out",
        out.to_str().unwrap(),
    ]);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("95% CI")).collect();
    assert_eq!(lines.len(), 4, "{text}");
    let mut columns = Vec::new();
    for l in &lines {
        let (p, lo, hi, col) = interval(l).unwrap_or_else(|| panic!("{l}"));
        assert!(lo <= p && p <= hi, "{l}");
        columns.push(col);
        let want = if l.contains(LONG_OUTCOME) || l.contains(LONG_STEP) {
            0.3
        } else if l.contains("horizon") {
            0.7
        } else {
            0.5
        };
        near(p, want, 4000.0, l);
        // ICD 203: 30% unlikely, 70% likely, 50% roughly even chance; 5 se of 4,000 runs
        // (under 0.04) keeps each estimate inside its term's range.
        let term = if want < 0.45 {
            "unlikely"
        } else if want > 0.55 {
            "likely"
        } else {
            "roughly even chance"
        };
        assert_eq!(words(l), term, "{l}");
    }
    // The two outcome lines line up, and so do the two step lines (each block its own
    // width); the id over 60 characters is cut with `…` and still lines up.
    assert_eq!(columns[0], columns[1], "{text}");
    assert_eq!(columns[2], columns[3], "{text}");
    assert!(text.contains('…'), "{text}");
}

#[test]
fn sweep_prints_each_point_as_run_does_and_says_per_point() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(tmp.path(), "s.toml", &scenario("0.5"));
    let help = stdout(&["sweep", "--help"]);
    assert!(
        help.contains("Number of Monte Carlo runs per point"),
        "{help}"
    );
    let out = tmp.path().join("o");
    let text = stdout(&[
        "sweep",
        s.to_str().unwrap(),
        "--runs",
        "3000",
        "--vary",
        "p=0.1,0.8",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        text.starts_with("sweep: 2 points (grid) over p; 3000 runs per point\n"),
        "{text}"
    );
    let mut point = None;
    let mut checked = 0;
    let mut columns = Vec::new();
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("Point ") {
            point = Some(if rest.ends_with("p = 0.1") { 0.1 } else { 0.8 });
            assert!(
                rest.ends_with("p = 0.1") || rest.ends_with("p = 0.8"),
                "{l}"
            );
        } else if let Some((p, lo, hi, col)) = interval(l) {
            let at = point.expect("a point heads its outcomes");
            let want = if l.contains(LONG_OUTCOME) {
                at
            } else {
                1.0 - at
            };
            assert!(lo <= p && p <= hi, "{l}");
            near(p, want, 3000.0, l);
            columns.push(col);
            checked += 1;
        }
    }
    assert_eq!(checked, 4, "{text}");
    assert!(columns.iter().all(|&c| c == columns[0]), "{text}");
}

#[test]
fn epistemic_and_tornado_print_percentages() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_file(
        tmp.path(),
        "s.toml",
        &scenario(r#"{ dist = "uniform", min = 0.2, max = 0.6 }"#),
    );
    let text = stdout(&[
        "sweep",
        s.to_str().unwrap(),
        "--runs",
        "500",
        "--epistemic",
        "4",
        "--out",
        tmp.path().join("e").to_str().unwrap(),
    ]);
    let spread: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("(90% of points "))
        .collect();
    assert_eq!(spread.len(), 2, "{text}");
    for l in spread {
        let (head, tail) = l.split_once("  (90% of points ").unwrap();
        let (lo, hi) = tail.strip_suffix(')').unwrap().split_once(" to ").unwrap();
        let p = percent(head.rsplit(' ').next().unwrap());
        assert!(percent(lo) <= p && p <= percent(hi), "{l}");
    }
    let text = stdout(&[
        "sweep",
        s.to_str().unwrap(),
        "--runs",
        "2000",
        "--tornado",
        "--outcome",
        LONG_OUTCOME,
        "--out",
        tmp.path().join("t").to_str().unwrap(),
    ]);
    // p at its p10 and p90 (0.24 and 0.56): the outcome's probability equals p.
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("p ") && l.contains(" to "))
        .unwrap_or_else(|| panic!("{text}"));
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields[0], "p", "{line}");
    assert_eq!((fields[2], fields[4]), ("to", "swing"), "{line}");
    near(percent(fields[1]), 0.24, 2000.0, line);
    near(percent(fields[3]), 0.56, 2000.0, line);
    assert!(text.contains("2000 runs per variant; base "), "{text}");
}

#[test]
fn compare_columns_line_up_with_long_ids_and_set_says_both_sides() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_file(tmp.path(), "a.toml", &scenario("0.3"));
    let b = write_file(
        tmp.path(),
        "b.toml",
        &scenario("0.3").replace("probability = 0.5", "probability = 0.7"),
    );
    let help = stdout(&["compare", "--help"]);
    assert!(help.contains("fixed value in both A and B"), "{help}");
    let text = stdout(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--runs",
        "4000",
        "--set",
        "p=0.4",
        "--out",
        tmp.path().join("o").to_str().unwrap(),
    ]);
    assert!(
        text.lines()
            .any(|l| l == "--set p=0.4 changes both A and B"),
        "{text}"
    );
    // Every number column ends at the same character in the two headers and every row.
    let ends = |l: &str| -> Vec<usize> {
        let chars: Vec<char> = l.chars().collect();
        (1..chars.len())
            .filter(|&i| chars[i - 1] != ' ' && chars[i] == ' ' && chars.get(i + 1) == Some(&' '))
            .collect()
    };
    let heads: Vec<&str> = text.lines().filter(|l| l.contains("B - A")).collect();
    assert_eq!(heads.len(), 2, "{text}");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("B - A") && interval(l).is_some())
        .collect();
    // Two outcomes (horizon, the long one) and the one step that changed.
    assert_eq!(rows.len(), 3, "{text}");
    // The first end is the title's or the id's; then A, B and B - A.
    let want = ends(heads[0]);
    assert_eq!(ends(heads[1])[1..4], want[1..4], "{text}");
    for r in &rows {
        assert_eq!(ends(r)[1..4], want[1..4], "`{r}` against `{}`", heads[0]);
    }
    // The ids' column: as wide as the cut id (60 characters and `…`) in every row.
    let ids: Vec<usize> = rows.iter().map(|r| ends(r)[0]).collect();
    assert!(ids.iter().all(|&e| e <= 2 + 61), "{text}");
    // The changed step: 0.5 -> 0.7 on common random numbers, a paired difference of 0.2.
    let step = rows
        .iter()
        .find(|r| r.contains('…'))
        .expect("the long id, cut");
    let (d, lo, hi, _) = interval(step).unwrap();
    near(d, 0.2, 4000.0, step);
    assert!(lo <= d && d <= hi && step.contains("  +"), "{step}");
    // The outcomes did not change: exactly 0 and no sign.
    let war = rows.iter().find(|r| r.contains(LONG_OUTCOME)).unwrap();
    assert!(war.contains("     0.0%  (95% CI 0.0% to 0.0%)"), "{war}");
    near(
        percent(war.split_whitespace().nth(1).unwrap()),
        0.4,
        4000.0,
        war,
    );
}
