//! `rungs graph`: the structure of the dot and Mermaid drawings of a small ladder that uses
//! every kind of edge and end state, with labels that need escaping. When Graphviz's `dot`
//! is installed, it must also accept the output; when it is not, that check is skipped.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use rungs::graph::{to_dot, to_mermaid};
use rungs::scenario::{Model, load_str};

/// Rungs 0, 1, 2 and 4 (3 unused); an `after`, two `any_of`, two branches (one ending the
/// run), an `excludes`, an ending step, and labels full of quotes, backslashes and brackets.
const LADDER: &str = r#"
[scenario]
name = 'Test "ladder" <a&b> \ back'
horizon = 100

[actors.ru]
name = "Russia"

[actors.ua]
name = 'Ukraine "UA" #1'

[[steps]]
id = "deploy"
label = 'Troops "deploy" <fast> & {go} \n [now] `x` | end'
actor = "ru"
rung = 1
probability = 0.5

[[steps]]
id = "strike"
label = "Strike"
actor = "ua"
rung = 2
after = ["deploy"]
excludes = ["talks"]

[[steps.branches]]
id = "strike_hit"
label = "Hit"
probability = 0.3
rung = 4
ends = "war"

[[steps.branches]]
id = "strike_miss"
label = "Miss"
probability = "rest"

[[steps]]
id = "talks"
label = "Talks"
rung = 0
any_of = ["deploy", "strike_miss"]
ends = "ceasefire"
"#;

fn model() -> Model {
    match load_str("ladder.toml", LADDER) {
        Ok((m, _)) => m,
        Err(d) => panic!("test scenario does not load:\n{d}"),
    }
}

/// The number of `"` in `line` not preceded by an escaping backslash.
fn unescaped_quotes(line: &str) -> usize {
    let mut n = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => n += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    n
}

/// Node ids declared in each `subgraph rung_N { ... }` block of a dot text.
fn dot_ranks(dot: &str) -> BTreeMap<u32, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut current: Option<u32> = None;
    for line in dot.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("subgraph rung_") {
            let r: u32 = rest.trim_end_matches(" {").parse().expect("rung number");
            current = Some(r);
            out.insert(r, Vec::new());
        } else if line == "}" {
            current = None;
        } else if let Some(r) = current
            && line.starts_with('"')
            && line.contains(" [label=")
        {
            let id = line[1..].split('"').next().unwrap_or_default().to_string();
            out.get_mut(&r).expect("open subgraph").push(id);
        }
    }
    out
}

/// The attribute list of the edge `"a" -> "b"` in a dot text ("" if it has none).
fn dot_edge<'a>(dot: &'a str, a: &str, b: &str) -> Option<&'a str> {
    let head = format!("\"{a}\" -> \"{b}\"");
    dot.lines()
        .map(str::trim)
        .find(|l| l.starts_with(&head))
        .map(|l| l[head.len()..].trim_end_matches(';').trim())
}

/// The attribute list of the declaration of node `id` in a dot text.
fn dot_node<'a>(dot: &'a str, id: &str) -> &'a str {
    let head = format!("\"{id}\" [");
    dot.lines()
        .map(str::trim)
        .find(|l| l.starts_with(&head))
        .unwrap_or_else(|| panic!("node {id} not declared in:\n{dot}"))
}

#[test]
fn dot_has_one_rank_per_rung_in_order() {
    let dot = to_dot(&model());
    let ranks = dot_ranks(&dot);
    let expect: BTreeMap<u32, Vec<String>> = [
        (0, vec!["talks"]),
        (1, vec!["deploy"]),
        (2, vec!["strike", "strike_miss"]),
        (4, vec!["strike_hit"]),
    ]
    .into_iter()
    .map(|(r, v)| (r, v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(ranks, expect, "{dot}");
    assert_eq!(dot.matches("rank=same").count(), 4, "{dot}");
    // The invisible rung axis orders the ranks, skipping the unused rung 3.
    for (a, b) in [(0, 1), (1, 2), (2, 4)] {
        let attrs = dot_edge(&dot, &format!("rung {a}"), &format!("rung {b}"));
        assert_eq!(attrs, Some("[style=invis]"), "{dot}");
    }
    assert!(dot.contains("rankdir=BT"), "{dot}");
}

#[test]
fn dot_edges_have_their_styles() {
    let dot = to_dot(&model());
    assert_eq!(dot_edge(&dot, "deploy", "strike"), Some(""), "after: plain");
    assert_eq!(
        dot_edge(&dot, "deploy", "talks"),
        Some("[style=dashed]"),
        "any_of"
    );
    assert_eq!(
        dot_edge(&dot, "strike_miss", "talks"),
        Some("[style=dashed]")
    );
    let hit = dot_edge(&dot, "strike", "strike_hit").expect("step -> branch");
    assert!(
        hit.contains("style=bold") && hit.contains("label=\"0.3\""),
        "{hit}"
    );
    let miss = dot_edge(&dot, "strike", "strike_miss").expect("step -> branch");
    assert!(miss.contains("label=\"rest\""), "{miss}");
    let ex = dot_edge(&dot, "strike", "talks").expect("excludes");
    for attr in ["style=dotted", "color=red", "constraint=false"] {
        assert!(ex.contains(attr), "excludes edge lacks {attr}: {ex}");
    }
    // Exactly these six edges, plus the three of the rung axis.
    assert_eq!(dot.matches(" -> ").count(), 6 + 3, "{dot}");
}

#[test]
fn dot_marks_end_states_and_kinds() {
    let dot = to_dot(&model());
    for end in ["talks", "strike_hit"] {
        assert!(dot_node(&dot, end).contains("shape=doubleoctagon"), "{dot}");
    }
    assert!(dot_node(&dot, "talks").contains("ends: ceasefire"));
    assert!(dot_node(&dot, "strike_hit").contains("ends: war"));
    assert!(dot_node(&dot, "strike_miss").contains("shape=ellipse"));
    assert!(!dot_node(&dot, "strike").contains("shape="));
    // Actor names and rungs in the labels; a branch inherits its step's actor.
    assert!(dot_node(&dot, "strike").contains(r#"Ukraine \"UA\" #1, rung 2"#));
    assert!(dot_node(&dot, "strike_hit").contains(r#"Ukraine \"UA\" #1, rung 4"#));
    assert!(dot_node(&dot, "talks").contains(r#"\nrung 0"#));
}

#[test]
fn dot_escapes_labels() {
    let dot = to_dot(&model());
    // The TOML literal string keeps `\n` as a backslash and an n: it must stay visible text.
    let deploy = dot_node(&dot, "deploy");
    assert!(
        deploy.contains(r#"Troops \"deploy\" <fast> & {go} \\n [now] `x` | end"#),
        "{deploy}"
    );
    assert!(
        dot.contains(r#"label="Test \"ladder\" <a&b> \\ back""#),
        "{dot}"
    );
    for line in dot.lines() {
        assert_eq!(unescaped_quotes(line) % 2, 0, "unbalanced quotes: {line}");
    }
}

#[test]
fn dot_is_accepted_by_graphviz_when_installed() {
    let dot = to_dot(&model());
    let child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("skipped: Graphviz `dot` is not installed");
        return;
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot.as_bytes())
        .expect("write to dot");
    let out = child.wait_with_output().expect("dot runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dot failed: {stderr}\n{dot}");
    assert!(stderr.trim().is_empty(), "dot warns: {stderr}\n{dot}");
    let svg = String::from_utf8_lossy(&out.stdout);
    // Graphviz writes the escaped label back as XML text.
    assert!(
        svg.contains("Troops &quot;deploy&quot; &lt;fast&gt; &amp;"),
        "{svg}"
    );
    assert_eq!(svg.matches("class=\"node\"").count(), 5 + 4, "{svg}");
}

#[test]
fn mermaid_structure() {
    let mm = to_mermaid(&model());
    let lines: Vec<&str> = mm.lines().collect();
    assert_eq!(lines[0], "---", "{mm}");
    assert_eq!(
        lines[1], r#"title: "Test \"ladder\" <a&b> \\ back""#,
        "{mm}"
    );
    assert!(lines.contains(&"flowchart BT"), "{mm}");
    // One subgraph per rung in use, with its nodes.
    for (r, ids) in [
        (0, &["talks"][..]),
        (1, &["deploy"]),
        (2, &["strike", "strike_miss"]),
        (4, &["strike_hit"]),
    ] {
        let start = lines
            .iter()
            .position(|l| l.trim_start().starts_with(&format!("subgraph rung_{r} ")))
            .unwrap_or_else(|| panic!("no subgraph for rung {r}:\n{mm}"));
        let len = lines[start..]
            .iter()
            .position(|l| l.trim() == "end")
            .expect("subgraph closed");
        let block = &lines[start..start + len];
        let declared = block.iter().filter(|l| l.contains("\"")).count() - 1;
        assert_eq!(declared, ids.len(), "rung {r}: {block:?}");
        for id in ids {
            assert!(
                block
                    .iter()
                    .any(|l| l.trim_start().starts_with(&format!("n_{id}"))),
                "rung {r} lacks {id}: {block:?}"
            );
        }
    }
    assert_eq!(mm.matches("subgraph ").count(), 4, "{mm}");
    // Shapes: end states hexagons, branches stadiums, steps rounded.
    assert!(mm.contains("n_talks{{\""), "{mm}");
    assert!(mm.contains("n_strike_hit{{\""), "{mm}");
    assert!(mm.contains("n_strike_miss([\""), "{mm}");
    assert!(mm.contains("n_strike(\""), "{mm}");
    // Edges, in order: after, two branches, excludes, two any_of.
    let edges: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| *l != "---" && (l.contains("--") || l.contains("==") || l.contains("-.")))
        .collect();
    assert_eq!(
        edges,
        [
            "n_deploy --> n_strike",
            "n_strike ==>|\"0.3\"| n_strike_hit",
            "n_strike ==>|\"rest\"| n_strike_miss",
            "n_strike -. excludes .-> n_talks",
            "n_deploy -.-> n_talks",
            "n_strike_miss -.-> n_talks",
        ],
        "{mm}"
    );
    // The excludes edge is the fourth (index 3) and drawn red.
    assert!(mm.contains("linkStyle 3 stroke:red"), "{mm}");
}

#[test]
fn mermaid_escapes_labels() {
    let mm = to_mermaid(&model());
    for line in mm.lines().skip(3) {
        // Outside the front matter, quotes only delimit labels: none inside them.
        let q = line.matches('"').count();
        assert!(q == 0 || q == 2, "stray quote: {line}");
        // Angle brackets only in the <br/> line breaks rungs writes itself.
        if q == 2 {
            let (a, b) = (line.find('"').unwrap_or(0), line.rfind('"').unwrap_or(0));
            let label = line[a + 1..b].replace("<br/>", "");
            assert!(!label.contains(['<', '>', '"']), "{line}");
        }
    }
    let deploy = mm
        .lines()
        .find(|l| l.trim_start().starts_with("n_deploy("))
        .expect("deploy declared");
    assert!(
        deploy.contains("Troops #34;deploy#34; #60;fast#62; #38; #123;go#125; #92;n #91;now#93; #96;x#96; #124; end<br/>Russia, rung 1"),
        "{deploy}"
    );
}
