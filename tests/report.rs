//! `rungs report`: every chart is there, the page fetches nothing, every number drawn is the
//! CSV's, text from the scenario is escaped, and bad input is refused with exit 2.

use std::path::Path;

mod common;

use common::{rungs, write_file};

/// A small ladder whose labels try to break out of the page (markup, quotes, a formula).
const SCENARIO: &str = r#"
[scenario]
name = "Report <script>alert('name')</script> test"
description = "A \"quoted\" & <b>bold</b> description"
time_unit = "day"
horizon = 100

[parameters]
d = { dist = "uniform", min = 1, max = 20, unit = "days" }
p_b = 0.5

[actors.red]
name = "Red <i>side</i>"

[[steps]]
id = "a"
label = "<img src=x onerror=alert(1)>"
actor = "red"
rung = 1
probability = 0.6
delay = "d"

[[steps]]
id = "b"
label = "=HYPERLINK(\"http://example.invalid\",\"x\")"
actor = "red"
rung = 2
after = ["a"]
probability = "p_b"
delay = 5
ends = "war"

[[steps]]
id = "c"
label = "Talks \"start\""
rung = 0
probability = 0.3
delay = 30
ends = "peace"
"#;

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let s = write_file(dir.path(), "s.toml", SCENARIO);
    (dir, s)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The `data-chart` names of the page's charts, in order.
fn charts(html: &str) -> Vec<String> {
    html.match_indices("data-chart=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Every `src`, `href`, `url(` or `@import` of the page: a page that fetches nothing has
/// only in-page anchors (`#id`).
fn assert_self_contained(html: &str) {
    // Text is escaped, so every `<` opens a tag and every tag ends at the next `>`; its
    // attribute values are quoted with `"` (escaped inside).
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let end = i + rest[i..].find('>').expect("a tag ends");
        let tag = &rest[i + 1..end];
        let mut t = tag.trim_start_matches(|c: char| c != ' ' && c != '\n');
        while let Some(eq) = t.find('=') {
            let name = t[..eq].trim().to_ascii_lowercase();
            let v = &t[eq + 1..];
            assert!(v.starts_with('"'), "unquoted attribute in <{tag}>");
            let close = 1 + v[1..].find('"').expect("closed quote");
            let value = &v[1..close];
            if [
                "src",
                "href",
                "xlink:href",
                "action",
                "srcset",
                "style",
                "poster",
                "data",
            ]
            .contains(&name.as_str())
            {
                assert!(value.starts_with('#'), "off-page reference: <{tag}>");
            }
            assert!(!name.starts_with("on"), "event handler in <{tag}>");
            t = &v[close + 1..];
        }
        rest = &rest[end..];
    }
    for bad in [
        "<script", "url(", "@import", "<link", "<iframe", "<object", "<embed",
    ] {
        assert!(!html.contains(bad), "the page holds `{bad}`");
    }
    // The only http text is the SVG namespace (a name, never fetched) and escaped labels.
    for (i, _) in html.match_indices("http") {
        let near = &html[i..(i + 30).min(html.len())];
        assert!(
            near.starts_with("http://www.w3.org/2000/svg")
                || near.starts_with("http-equiv")
                || html[..i].ends_with("(&quot;"),
            "unexpected address: {near}"
        );
    }
}

/// The CSV as rows of cells (header first).
fn csv_rows(p: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(p)
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn cell<'a>(rows: &'a [Vec<String>], r: usize, col: &str) -> &'a str {
    let c = rows[0].iter().position(|h| h == col).unwrap();
    &rows[r][c]
}

/// The text shown after each tooltip that quotes `file row N`: (tooltip, shown value).
fn drawn(html: &str, file: &str) -> Vec<(String, String)> {
    let key = format!("<title>{file} row ");
    let mut out = Vec::new();
    for (i, _) in html.match_indices(&key) {
        let rest = &html[i + 7..];
        let tip = rest[..rest.find("</title>").unwrap()].to_string();
        // The bar's visible value text follows in the same group.
        let group_end = rest.find("</g>").unwrap_or(rest.len());
        let group = &rest[..group_end];
        let shown = group
            .find("class=\"value\"")
            .map(|v| {
                let t = &group[v..];
                let s = t.find('>').unwrap() + 1;
                let e = t.find("</text>").unwrap();
                t[s..e].to_string()
            })
            .unwrap_or_default();
        out.push((tip, shown));
    }
    out
}

/// `x%` (leading percentage of `shown`) matches `p` to the digits shown.
fn assert_pct(shown: &str, p: f64, what: &str) {
    let num: String = shown
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    let v: f64 = num.parse().unwrap_or_else(|_| panic!("{what}: `{shown}`"));
    let decimals = num.split('.').nth(1).map_or(0, str::len) as i32;
    let tol = 0.5 * 10f64.powi(-decimals) + 1e-9;
    assert!(
        (v - p * 100.0).abs() <= tol,
        "{what}: shows {shown}, the CSV says {p}"
    );
}

/// The value of `name=` in a tooltip.
fn tip_value<'a>(tip: &'a str, name: &str) -> &'a str {
    let k = format!("{name}=");
    let i = tip.find(&k).unwrap_or_else(|| panic!("no {name} in {tip}")) + k.len();
    let rest = &tip[i..];
    &rest[..rest.find(", ").unwrap_or(rest.len())]
}

#[test]
fn run_report_has_every_chart_fetches_nothing_and_draws_the_csv_numbers() {
    let (dir, s) = setup();
    let out = dir.path().join("out");
    rungs()
        .args([
            "run",
            s.to_str().unwrap(),
            "--runs",
            "3000",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    rungs()
        .arg("report")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("report.html"))
        .stdout(predicates::str::contains("report.xlsx"));
    let html = read(&out.join("report.html"));
    assert_eq!(
        charts(&html),
        ["outcomes", "timeline", "rungs", "ladder", "paths", "times"],
        "the charts of a run report"
    );
    assert_self_contained(&html);
    // Escaped, never live.
    assert!(!html.contains("<img"));
    assert!(!html.contains("<i>side"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("Report &lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; test"));
    assert!(html.contains("Red &lt;i&gt;side&lt;/i&gt;"));
    // The formula label is shown as the scenario wrote it (text on a page runs nothing).
    assert!(html.contains("=HYPERLINK(&quot;http://example.invalid&quot;,&quot;x&quot;)"));
    assert!(html.contains("How to read this:"));

    // Every outcome bar: the tooltip quotes the CSV cells verbatim, the text rounds them.
    let oc = csv_rows(&out.join("outcomes.csv"));
    let bars = drawn(&html, "outcomes.csv");
    assert_eq!(bars.len(), oc.len() - 1);
    for (r, (tip, shown)) in bars.iter().enumerate() {
        let row = r + 1;
        for col in ["outcome", "count", "probability", "ci_low", "ci_high"] {
            assert_eq!(tip_value(tip, col), cell(&oc, row, col), "{col} of {tip}");
        }
        let p: f64 = cell(&oc, row, "probability").parse().unwrap();
        assert_pct(shown, p, tip);
        // The interval shown in brackets.
        let inner = &shown[shown.find('(').unwrap() + 1..];
        let lo: f64 = cell(&oc, row, "ci_low").parse().unwrap();
        assert_pct(inner, lo, tip);
    }
    // Rungs and paths likewise.
    let rt = csv_rows(&out.join("rungs.csv"));
    let rbars = drawn(&html, "rungs.csv");
    assert!(!rbars.is_empty());
    for (tip, shown) in &rbars {
        let row: usize = tip["rungs.csv row ".len()..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let p: f64 = cell(&rt, row - 1, "p_reached").parse().unwrap();
        assert_eq!(tip_value(tip, "p_reached"), cell(&rt, row - 1, "p_reached"));
        assert_pct(shown, p, tip);
    }
    let pt = csv_rows(&out.join("paths.csv"));
    let pbars = drawn(&html, "paths.csv");
    assert_eq!(pbars.len(), (pt.len() - 1).min(12));
    for (k, (tip, shown)) in pbars.iter().enumerate() {
        let p: f64 = cell(&pt, k + 1, "probability").parse().unwrap();
        assert_pct(shown, p, tip);
        assert!(shown.contains(&format!("({} runs)", cell(&pt, k + 1, "count"))));
    }
    // Time strips: the median shown is the CSV's.
    let st = csv_rows(&out.join("steps.csv"));
    let (strips, nodes): (Vec<_>, Vec<_>) = drawn(&html, "steps.csv")
        .into_iter()
        .partition(|(_, shown)| shown.starts_with("median "));
    assert_eq!(
        strips.len(),
        3,
        "a strip per step that happens after the start"
    );
    // The ladder: a box per step, its probability the CSV's.
    assert_eq!(nodes.len(), 3, "a ladder box per step");
    for (tip, shown) in &nodes {
        let step = tip_value(tip, "step");
        let r = (1..st.len())
            .find(|&r| cell(&st, r, "step") == step)
            .unwrap();
        assert_pct(shown, cell(&st, r, "probability").parse().unwrap(), tip);
    }
    for (tip, shown) in strips {
        let step = tip_value(&tip, "step");
        let r = (1..st.len())
            .find(|&r| cell(&st, r, "step") == step)
            .unwrap();
        let median: f64 = cell(&st, r, "time_p50").parse().unwrap();
        let m: f64 = shown["median ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (m - median).abs() <= 0.051 * median.max(1.0),
            "{shown} vs {median}"
        );
        assert_eq!(tip_value(&tip, "time_p50"), cell(&st, r, "time_p50"));
    }
    // The timeline draws the first step of each rung not certain at the start: c, a, b.
    for label in ["Talks &quot;start&quot;", "&lt;img src=x", "=HYPERLINK"] {
        let series = html
            .match_indices("data-series=\"")
            .any(|(i, m)| html[i + m.len()..].starts_with(label));
        assert!(series, "timeline series {label}");
    }

    // The workbook: a zip with a chart part, one sheet per CSV and the charts sheet.
    let x = std::fs::read(out.join("report.xlsx")).unwrap();
    assert_eq!(&x[..2], b"PK");
    let has = |name: &str| x.windows(name.len()).any(|w| w == name.as_bytes());
    assert!(has("xl/charts/chart1.xml") && has("xl/charts/chart3.xml"));
    assert!(
        has("xl/worksheets/sheet10.xml"),
        "charts + 8 CSVs (conditional.csv too) + chart_data"
    );

    // The manifest lists the report, and the folder is still rungs' own: run replaces it.
    let m: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let files: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"report.html") && files.contains(&"report.xlsx"),
        "{files:?}"
    );
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with('.')),
        "no temporary file left: {names:?}"
    );
    rungs()
        .args([
            "run",
            s.to_str().unwrap(),
            "--runs",
            "100",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(
        !out.join("report.html").exists(),
        "the old report went with the old results"
    );
}

#[test]
fn steps_option_picks_the_curves_and_bad_names_are_refused() {
    let (dir, s) = setup();
    let out = dir.path().join("out");
    rungs()
        .args([
            "run",
            s.to_str().unwrap(),
            "--runs",
            "500",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    rungs()
        .arg("report")
        .arg(&out)
        .args(["--steps", "b", "--no-xlsx", "--quiet"])
        .assert()
        .success()
        .stdout("");
    let html = read(&out.join("report.html"));
    assert_eq!(html.matches("data-series=\"").count(), 1);
    assert!(!out.join("report.xlsx").exists());
    let before = read(&out.join("report.html"));
    rungs()
        .arg("report")
        .arg(&out)
        .args(["--steps", "bb"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`bb` is not a step"))
        .stderr(predicates::str::contains(
            "its steps and branches are a, b, c",
        ));
    assert_eq!(read(&out.join("report.html")), before, "nothing written");
    rungs()
        .arg("report")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("has no manifest.json"));
    assert!(!dir.path().join("report.html").exists());
    rungs()
        .arg("report")
        .arg(dir.path().join("nothing"))
        .assert()
        .code(2);
    // A manifest that is not rungs' is refused.
    let fake = dir.path().join("fake");
    std::fs::create_dir(&fake).unwrap();
    write_file(&fake, "manifest.json", r#"{"tool":"other"}"#);
    rungs().arg("report").arg(&fake).assert().code(2);
    assert!(!fake.join("report.html").exists());
}

#[test]
fn sweep_reports_draw_curves_heat_maps_and_scatters_from_the_csv() {
    let (dir, s) = setup();
    let one = dir.path().join("one");
    rungs()
        .args([
            "sweep",
            s.to_str().unwrap(),
            "--vary",
            "p_b=0..1:5",
            "--runs",
            "500",
            "--quiet",
            "--out",
        ])
        .arg(&one)
        .assert()
        .success();
    rungs().arg("report").arg(&one).arg("-q").assert().success();
    let html = read(&one.join("report.html"));
    assert_eq!(charts(&html), ["sweep-outcomes", "sweep-steps"]);
    assert_self_contained(&html);
    let so = csv_rows(&one.join("sweep_outcomes.csv"));
    let tips: Vec<String> = html
        .match_indices("<title>sweep_outcomes.csv row ")
        .map(|(i, _)| html[i + 7..i + html[i..].find("</title>").unwrap()].to_string())
        .collect();
    assert_eq!(tips.len(), so.len() - 1, "a point per row");
    for t in &tips {
        let row: usize = t["sweep_outcomes.csv row ".len()..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        for col in [
            "point",
            "p_b",
            "outcome",
            "probability",
            "ci_low",
            "ci_high",
        ] {
            assert_eq!(tip_value(t, col), cell(&so, row - 1, col), "{t}");
        }
    }

    let two = dir.path().join("two");
    rungs()
        .args([
            "sweep",
            s.to_str().unwrap(),
            "--vary",
            "p_b=0.2,0.8",
            "--vary",
            "d=1,10,19",
            "--runs",
            "300",
            "--quiet",
            "--out",
        ])
        .arg(&two)
        .assert()
        .success();
    rungs().arg("report").arg(&two).arg("-q").assert().success();
    let html = read(&two.join("report.html"));
    assert!(charts(&html).iter().all(|c| c.starts_with("heat-")));
    assert_eq!(
        charts(&html).len(),
        3 + 3,
        "outcomes horizon, war, peace; steps c, a, b"
    );
    // Every cell's text is its CSV probability.
    let so = csv_rows(&two.join("sweep_outcomes.csv"));
    let cells = drawn(&html, "sweep_outcomes.csv");
    assert_eq!(cells.len(), so.len() - 1);
    for (tip, shown) in &cells {
        assert_pct(shown, tip_value(tip, "probability").parse().unwrap(), tip);
    }

    let lhs = dir.path().join("lhs");
    rungs()
        .args([
            "sweep",
            s.to_str().unwrap(),
            "--lhs",
            "6",
            "--vary",
            "p_b=0..1",
            "--vary",
            "d=1..20",
            "--runs",
            "200",
            "--quiet",
            "--out",
        ])
        .arg(&lhs)
        .assert()
        .success();
    rungs().arg("report").arg(&lhs).arg("-q").assert().success();
    assert_eq!(
        charts(&read(&lhs.join("report.html"))),
        [
            "scatter-outcomes",
            "scatter-steps",
            "scatter-outcomes",
            "scatter-steps"
        ]
    );

    let epi = dir.path().join("epi");
    rungs()
        .args([
            "sweep",
            s.to_str().unwrap(),
            "--epistemic",
            "5",
            "--runs",
            "200",
            "--quiet",
            "--out",
        ])
        .arg(&epi)
        .assert()
        .success();
    rungs().arg("report").arg(&epi).arg("-q").assert().success();
    assert_eq!(
        charts(&read(&epi.join("report.html"))),
        ["spread-outcomes", "spread-steps"]
    );
}

#[test]
fn tornado_importance_and_compare_reports() {
    let (dir, s) = setup();
    let ti = dir.path().join("ti");
    rungs()
        .args([
            "sweep",
            s.to_str().unwrap(),
            "--tornado",
            "--importance",
            "--runs",
            "1000",
            "--quiet",
            "--out",
        ])
        .arg(&ti)
        .assert()
        .success();
    rungs().arg("report").arg(&ti).arg("-q").assert().success();
    let html = read(&ti.join("report.html"));
    let names = charts(&html);
    assert_eq!(names[0], "tornado");
    assert!(
        names[1..].iter().all(|n| n.starts_with("importance-")),
        "{names:?}"
    );
    assert_self_contained(&html);
    // The default outcome is the rarer of war and peace; its base line is importance.csv's.
    let imp = csv_rows(&ti.join("importance.csv"));
    let base = |o: &str| -> f64 {
        let r = (1..imp.len())
            .find(|&r| cell(&imp, r, "outcome") == o)
            .unwrap();
        cell(&imp, r, "p_base").parse().unwrap()
    };
    let rarest = if base("war") < base("peace") {
        "war"
    } else {
        "peace"
    };
    let r = (1..imp.len())
        .find(|&r| cell(&imp, r, "outcome") == rarest)
        .unwrap();
    assert!(
        html.contains(&format!("base probability {}", cell(&imp, r, "p_base"))),
        "the centre line is the base of {rarest}"
    );
    let tt = csv_rows(&ti.join("tornado.csv"));
    let bars = drawn(&html, "tornado.csv");
    assert_eq!(
        bars.len(),
        1,
        "a bar per uncertain parameter: d (p_b is fixed)"
    );
    for (tip, shown) in bars {
        assert_eq!(tip_value(&tip, "outcome"), rarest);
        let p_low: f64 = tip_value(&tip, "p_low").parse().unwrap();
        assert_pct(&shown, p_low, &tip);
        assert!((1..tt.len()).any(|r| cell(&tt, r, "p_low") == tip_value(&tip, "p_low")));
    }
    rungs()
        .arg("report")
        .arg(&ti)
        .args(["--outcome", "peace", "-q"])
        .assert()
        .success();
    assert!(read(&ti.join("report.html")).contains("probability of Talks &quot;start&quot;"));
    rungs()
        .arg("report")
        .arg(&ti)
        .args(["--outcome", "wars"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean `war`?"));

    // Compare: B makes b likelier.
    let b = write_file(
        dir.path(),
        "b.toml",
        &SCENARIO.replace("p_b = 0.5", "p_b = 0.7"),
    );
    let cmp = dir.path().join("cmp");
    rungs()
        .args([
            "compare",
            s.to_str().unwrap(),
            b.to_str().unwrap(),
            "--runs",
            "2000",
            "--quiet",
            "--out",
        ])
        .arg(&cmp)
        .assert()
        .success();
    rungs().arg("report").arg(&cmp).arg("-q").assert().success();
    let html = read(&cmp.join("report.html"));
    assert_eq!(charts(&html), ["compare-outcomes", "compare-steps"]);
    let cc = csv_rows(&cmp.join("compare.csv"));
    let bars = drawn(&html, "compare.csv");
    assert!(!bars.is_empty());
    let mut last = f64::INFINITY;
    for (tip, shown) in bars.iter().filter(|(t, _)| t.contains("kind=step")) {
        let d: f64 = tip_value(tip, "diff").parse().unwrap();
        assert!(d.abs() <= last, "sorted by size");
        last = d.abs();
        let r = (1..cc.len())
            .find(|&r| cell(&cc, r, "id") == tip_value(tip, "id"))
            .unwrap();
        assert_eq!(tip_value(tip, "diff"), cell(&cc, r, "diff"));
        let pp: f64 = shown[shown.find(": ").unwrap() + 2..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((pp - d * 100.0).abs() <= 0.0051, "{shown} vs {d}");
    }
}

#[test]
fn report_flag_draws_the_folder_in_the_same_command() {
    let (dir, s) = setup();
    let out = dir.path().join("run");
    rungs()
        .args([
            "run",
            s.to_str().unwrap(),
            "--runs",
            "300",
            "--quiet",
            "--report",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    assert!(out.join("report.html").is_file() && out.join("report.xlsx").is_file());
    let sw = dir.path().join("sweep");
    rungs()
        .args([
            "sweep",
            s.to_str().unwrap(),
            "--vary",
            "p_b=0,1",
            "--runs",
            "100",
            "--report",
            "--out",
        ])
        .arg(&sw)
        .assert()
        .success()
        .stdout(predicates::str::contains("report.html"));
    assert_eq!(
        charts(&read(&sw.join("report.html"))),
        ["sweep-outcomes", "sweep-steps"]
    );
    let b = write_file(
        dir.path(),
        "b.toml",
        &SCENARIO.replace("p_b = 0.5", "p_b = 0.6"),
    );
    let cmp = dir.path().join("cmp");
    rungs()
        .args([
            "compare",
            s.to_str().unwrap(),
            b.to_str().unwrap(),
            "--runs",
            "200",
            "-q",
            "--report",
            "--out",
        ])
        .arg(&cmp)
        .assert()
        .success();
    assert!(cmp.join("report.html").is_file());
    rungs()
        .args([
            "run",
            s.to_str().unwrap(),
            "--runs",
            "300",
            "--report",
            "--shard",
            "0/2",
            "--out",
        ])
        .arg(dir.path().join("parts"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--report cannot be combined with --shard",
        ));
    assert!(!dir.path().join("parts").exists());
}

#[test]
fn graph_results_puts_each_probability_on_its_node() {
    let (dir, s) = setup();
    let out = dir.path().join("run");
    rungs()
        .args([
            "run",
            s.to_str().unwrap(),
            "--runs",
            "400",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let st = csv_rows(&out.join("steps.csv"));
    let dot = rungs()
        .args(["graph", s.to_str().unwrap(), "--results"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(dot.status.success());
    let dot = String::from_utf8(dot.stdout).unwrap();
    let mermaid = rungs()
        .args([
            "graph",
            s.to_str().unwrap(),
            "--format",
            "mermaid",
            "--results",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let mermaid = String::from_utf8(mermaid.stdout).unwrap();
    for r in 1..st.len() {
        let (id, p) = (cell(&st, r, "step"), cell(&st, r, "probability"));
        let line = dot
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("\"{id}\" [")))
            .unwrap();
        let shown = &line[line.find("\\np ").unwrap() + 4..];
        assert_pct(shown, p.parse().unwrap(), line);
        assert!(
            line.contains("fillcolor=\"#") && line.contains("penwidth="),
            "{line}"
        );
        assert!(mermaid.contains(&format!("style n_{id} fill:#")), "{id}");
    }
    // Without --results the drawing is the structure alone.
    let plain = rungs()
        .args(["graph", s.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8(plain.stdout)
            .unwrap()
            .contains("penwidth")
    );
    // A sweep folder has no single probability per step.
    let sw = dir.path().join("sweep");
    rungs()
        .args([
            "sweep",
            s.to_str().unwrap(),
            "--vary",
            "p_b=0,1",
            "--runs",
            "50",
            "-q",
            "--out",
        ])
        .arg(&sw)
        .assert()
        .success();
    rungs()
        .args(["graph", s.to_str().unwrap(), "--results"])
        .arg(&sw)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("a `sweep` folder"));
}
