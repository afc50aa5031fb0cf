//! `rungs graph`: the escalation ladder as a Graphviz (dot) or Mermaid graph.
//!
//! One node per step and per branch, labelled with its label, actor and rung; nodes of one
//! rung share a rank, rung 0 at the bottom and the highest rung at the top (a ladder).
//! Edges:
//! - `after`: solid arrow from each required node to the step;
//! - `any_of`: dashed arrow;
//! - step to each of its branches: bold arrow (labelled with the branch probability in dot);
//! - `excludes`: red dotted arrow, which does not take part in the layout.
//!
//! Steps and branches that end the run are drawn with a distinct shape and name their
//! outcome. Every label is escaped for its format, so any text in a scenario (quotes,
//! backslashes, angle brackets, newlines, non-ASCII) yields a graph the tools accept.

use std::fmt::Write;

use crate::scenario::{BranchProbability, Model, NodeId, NodeKind};

/// A node's results, from the steps.csv of an output folder (`rungs graph --results DIR`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeResult {
    /// The probability that it happened (`probability`).
    pub probability: f64,
    /// The median time it first happened, when it did (`time_p50`).
    pub median: Option<f64>,
}

/// A fill colour for probability `p`: near white at 0 to dark blue at 1, lightness falling
/// steadily (readable in greyscale); and whether text on it should be white.
pub fn probability_fill(p: f64) -> (String, bool) {
    let t = p.clamp(0.0, 1.0).sqrt();
    let (a, b) = ((247.0, 251.0, 255.0), (8.0, 48.0, 107.0));
    let mix = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    (
        format!(
            "#{:02x}{:02x}{:02x}",
            mix(a.0, b.0),
            mix(a.1, b.1),
            mix(a.2, b.2)
        ),
        t > 0.55,
    )
}

/// The line a node with results gets: `p 23.9%, median 19.4 days`.
fn result_line(r: &NodeResult, unit: &str) -> String {
    let p = crate::report::svg::pct(r.probability);
    match r.median {
        Some(m) => format!("p {p}, median {} {unit}", crate::report::svg::num(m)),
        None => format!("p {p}"),
    }
}

/// What the graph shows of one node, computed once for both formats.
struct NodeInfo<'a> {
    id: &'a str,
    kind: NodeKind,
    rung: u32,
    /// The text lines of the node's label (label, then "actor, rung n", then "ends: x").
    lines: Vec<String>,
    /// The outcome this node ends the run with, if any.
    ends: Option<&'a str>,
}

/// The kinds of edges drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EdgeKind {
    After,
    AnyOf,
    Branch,
    Excludes,
}

/// One edge, between node indices.
struct Edge {
    from: NodeId,
    to: NodeId,
    kind: EdgeKind,
    /// A short label (the probability of a branch), if any.
    label: Option<String>,
}

fn node_infos(model: &Model) -> Vec<NodeInfo<'_>> {
    let mut ends: Vec<Option<&str>> = vec![None; model.nodes.len()];
    let outcome = |o: usize| model.outcomes.get(o).map(String::as_str);
    for step in &model.steps {
        if let (Some(slot), Some(o)) = (ends.get_mut(step.node), step.ends) {
            *slot = outcome(o);
        }
        for b in &step.branches {
            if let (Some(slot), Some(o)) = (ends.get_mut(b.node), b.ends) {
                *slot = outcome(o);
            }
        }
    }
    model
        .nodes
        .iter()
        .zip(ends)
        .map(|(n, ends)| {
            let actor = n
                .actor
                .and_then(|a| model.actors.get(a))
                .map(|a| a.name.as_str());
            let mut lines = vec![n.label.clone()];
            lines.push(match actor {
                Some(a) => format!("{a}, rung {}", n.rung),
                None => format!("rung {}", n.rung),
            });
            if let Some(o) = ends {
                lines.push(format!("ends: {o}"));
            }
            NodeInfo {
                id: &n.id,
                kind: n.kind,
                rung: n.rung,
                lines,
                ends,
            }
        })
        .collect()
}

fn edges(model: &Model) -> Vec<Edge> {
    let n = model.nodes.len();
    let mut out = Vec::new();
    let mut push = |from: NodeId, to: NodeId, kind: EdgeKind, label: Option<String>| {
        // A malformed model must not make the drawing panic: skip dangling indices.
        if from < n && to < n {
            out.push(Edge {
                from,
                to,
                kind,
                label,
            });
        }
    };
    for step in &model.steps {
        for &a in &step.after {
            push(a, step.node, EdgeKind::After, None);
        }
        for &a in &step.any_of {
            push(a, step.node, EdgeKind::AnyOf, None);
        }
        for b in &step.branches {
            let p = match &b.probability {
                BranchProbability::Value(e) => e.text().to_string(),
                BranchProbability::Rest => "rest".to_string(),
            };
            push(step.node, b.node, EdgeKind::Branch, Some(p));
        }
        for &x in &step.excludes {
            if let Some(target) = model.steps.get(x) {
                push(step.node, target.node, EdgeKind::Excludes, None);
            }
        }
    }
    out
}

/// The distinct rungs in use, lowest first.
fn rungs(infos: &[NodeInfo<'_>]) -> Vec<u32> {
    let mut r: Vec<u32> = infos.iter().map(|i| i.rung).collect();
    r.sort_unstable();
    r.dedup();
    r
}

/// Escapes text for a double-quoted dot string: backslashes and quotes are escaped, line
/// breaks become centred line breaks, other control characters become spaces.
fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The ladder as a Graphviz digraph (`dot -Tsvg`).
pub fn to_dot(model: &Model) -> String {
    to_dot_with(model, &[], "")
}

/// The ladder as a Graphviz digraph with each node's results (indexed like `model.nodes`;
/// empty for none) on it: its probability and median time (in `unit`) as a last label line,
/// its fill darker and its border heavier the likelier it is.
pub fn to_dot_with(model: &Model, results: &[Option<NodeResult>], unit: &str) -> String {
    let mut infos = node_infos(model);
    for (info, r) in infos.iter_mut().zip(results) {
        if let Some(r) = r {
            info.lines.push(result_line(r, unit));
        }
    }
    let mut s = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(
        s,
        "// {}: escalation ladder drawn by rungs",
        one_line(&model.name)
    );
    s.push_str("digraph ladder {\n");
    // Bottom to top: rung 0 at the bottom, escalation goes up the ladder.
    s.push_str("  rankdir=BT;\n  newrank=true;\n");
    let _ = writeln!(
        s,
        "  label=\"{}\";\n  labelloc=t;\n  fontname=\"Helvetica\";",
        dot_escape(&model.name)
    );
    s.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f2f2f2\", fontname=\"Helvetica\"];\n");
    s.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");

    let rungs = rungs(&infos);
    // The rung axis: an invisible chain of rung labels keeps the ranks in rung order even
    // where steps depend on steps of higher rungs (de-escalation).
    s.push_str("  // rung axis\n");
    for r in &rungs {
        let _ = writeln!(
            s,
            "  \"rung {r}\" [shape=plaintext, style=\"\", label=\"rung {r}\", fontcolor=\"#777777\"];"
        );
    }
    for w in rungs.windows(2) {
        let _ = writeln!(s, "  \"rung {}\" -> \"rung {}\" [style=invis];", w[0], w[1]);
    }

    for r in &rungs {
        let _ = writeln!(
            s,
            "  subgraph rung_{r} {{\n    rank=same;\n    \"rung {r}\";"
        );
        for (i, info) in infos.iter().enumerate().filter(|(_, x)| x.rung == *r) {
            let label = info
                .lines
                .iter()
                .map(|l| dot_escape(l))
                .collect::<Vec<_>>()
                .join("\\n");
            let attrs = dot_node_attrs(info, results.get(i).and_then(Option::as_ref));
            let sep = if attrs.is_empty() { "" } else { ", " };
            let _ = writeln!(
                s,
                "    \"{}\" [label=\"{label}\"{sep}{attrs}];",
                dot_escape(info.id)
            );
        }
        s.push_str("  }\n");
    }

    for e in edges(model) {
        let attrs = match e.kind {
            EdgeKind::After => String::new(),
            EdgeKind::AnyOf => " [style=dashed]".to_string(),
            EdgeKind::Branch => format!(
                " [style=bold, label=\"{}\"]",
                dot_escape(e.label.as_deref().unwrap_or(""))
            ),
            // Exclusions cut across the ladder; letting them shape the layout would scramble
            // the ranks.
            EdgeKind::Excludes => {
                " [style=dotted, color=red, fontcolor=red, label=\"excludes\", constraint=false]"
                    .to_string()
            }
        };
        let _ = writeln!(
            s,
            "  \"{}\" -> \"{}\"{attrs};",
            dot_escape(infos[e.from].id),
            dot_escape(infos[e.to].id)
        );
    }
    s.push_str("}\n");
    s
}

/// The dot attributes of a node: by its kind, or, with a result, filled by its probability.
fn dot_node_attrs(info: &NodeInfo<'_>, result: Option<&NodeResult>) -> String {
    let attrs = match (info.kind, info.ends.is_some()) {
        (_, true) => "shape=doubleoctagon, style=filled, fillcolor=\"#f4cccc\"",
        (NodeKind::Step, false) => "",
        (NodeKind::Branch, false) => "shape=ellipse, style=filled, fillcolor=\"#dde8f5\"",
    };
    let mut attrs = attrs.to_string();
    if let Some(r) = result {
        let (fill, dark) = probability_fill(r.probability);
        // Later attributes win in dot: the probability's colour replaces the kind's.
        let _ = write!(
            attrs,
            "{}style=filled, fillcolor=\"{fill}\", fontcolor=\"{}\", penwidth={:.1}",
            if attrs.is_empty() { "" } else { ", " },
            if dark { "#ffffff" } else { "#000000" },
            1.0 + 3.0 * r.probability.clamp(0.0, 1.0)
        );
    }
    attrs
}

/// A Mermaid node id for node `i`: `n_<id>` where the id is plain (always, for a loaded
/// scenario), else `n<i>`. The prefix keeps Mermaid keywords such as `end` from being ids.
fn mermaid_id(infos: &[NodeInfo<'_>], i: NodeId) -> String {
    let id = infos[i].id;
    let plain = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        format!("n_{id}")
    } else {
        format!("n{i}")
    }
}

/// Escapes text for a double-quoted Mermaid label: letters, digits, spaces and harmless
/// punctuation stay; everything else (quotes, `<>&#`, backticks, brackets ...) becomes a
/// numeric entity (`#34;`), which Mermaid decodes; line breaks become `<br/>`.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("<br/>"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c if c.is_alphanumeric() || " ,.:_-+/=!?'%()".contains(c) => out.push(c),
            c => {
                let _ = write!(out, "#{};", u32::from(c));
            }
        }
    }
    out
}

/// The ladder as a Mermaid flowchart (paste into Markdown or the Mermaid live editor).
pub fn to_mermaid(model: &Model) -> String {
    to_mermaid_with(model, &[], "")
}

/// The ladder as a Mermaid flowchart with each node's results on it (see [`to_dot_with`]).
pub fn to_mermaid_with(model: &Model, results: &[Option<NodeResult>], unit: &str) -> String {
    let mut infos = node_infos(model);
    for (info, r) in infos.iter_mut().zip(results) {
        if let Some(r) = r {
            info.lines.push(result_line(r, unit));
        }
    }
    let mut s = String::new();
    // The title sits in YAML front matter: a YAML double-quoted string, not a Mermaid label.
    let title = one_line(&model.name)
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let _ = writeln!(s, "---\ntitle: \"{title}\"\n---");
    s.push_str("flowchart BT\n");
    s.push_str("  classDef branch fill:#dde8f5,stroke:#6c8ebf;\n");
    s.push_str("  classDef ends fill:#f4cccc,stroke:#b85450,stroke-width:2px;\n");
    for r in rungs(&infos) {
        let _ = writeln!(s, "  subgraph rung_{r} [\"rung {r}\"]\n    direction LR");
        for (i, info) in infos.iter().enumerate().filter(|(_, i)| i.rung == r) {
            let label = info
                .lines
                .iter()
                .map(|l| mermaid_escape(l))
                .collect::<Vec<_>>()
                .join("<br/>");
            let id = mermaid_id(&infos, i);
            // Shapes: step rounded box, branch stadium, end state hexagon.
            let (open, close, class) = match (info.kind, info.ends.is_some()) {
                (_, true) => ("{{", "}}", ":::ends"),
                (NodeKind::Step, false) => ("(", ")", ""),
                (NodeKind::Branch, false) => ("([", "])", ":::branch"),
            };
            let _ = writeln!(s, "    {id}{open}\"{label}\"{close}{class}");
        }
        s.push_str("  end\n");
    }
    let mut excludes = Vec::new();
    for (k, e) in edges(model).iter().enumerate() {
        let from = mermaid_id(&infos, e.from);
        let to = mermaid_id(&infos, e.to);
        let _ = match e.kind {
            EdgeKind::After => writeln!(s, "  {from} --> {to}"),
            EdgeKind::AnyOf => writeln!(s, "  {from} -.-> {to}"),
            EdgeKind::Branch => writeln!(
                s,
                "  {from} ==>|\"{}\"| {to}",
                mermaid_escape(e.label.as_deref().unwrap_or(""))
            ),
            EdgeKind::Excludes => {
                excludes.push(k);
                writeln!(s, "  {from} -. excludes .-> {to}")
            }
        };
    }
    for (i, r) in results.iter().enumerate().take(infos.len()) {
        if let Some(r) = r {
            let (fill, dark) = probability_fill(r.probability);
            let _ = writeln!(
                s,
                "  style {} fill:{fill},color:{},stroke-width:{:.1}px",
                mermaid_id(&infos, i),
                if dark { "#fff" } else { "#000" },
                1.0 + 3.0 * r.probability.clamp(0.0, 1.0)
            );
        }
    }
    // Mermaid styles links by their index in order of appearance.
    if !excludes.is_empty() {
        let list: Vec<String> = excludes.iter().map(usize::to_string).collect();
        let _ = writeln!(
            s,
            "  linkStyle {} stroke:red,stroke-dasharray:2 3,color:red",
            list.join(",")
        );
    }
    s
}

/// Text on one line (for comments and titles).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_escape_handles_quotes_backslashes_and_lines() {
        assert_eq!(dot_escape(r#"a "b" \c"#), r#"a \"b\" \\c"#);
        assert_eq!(dot_escape("one\r\ntwo\tthree"), "one\\ntwo three");
        assert_eq!(dot_escape("Курск ✓"), "Курск ✓");
    }

    #[test]
    fn mermaid_escape_encodes_markup() {
        assert_eq!(mermaid_escape("a\"b"), "a#34;b");
        assert_eq!(mermaid_escape("<b>&#"), "#60;b#62;#38;#35;");
        assert_eq!(
            mermaid_escape("[x]{y}|`z`;"),
            "#91;x#93;#123;y#125;#124;#96;z#96;#59;"
        );
        assert_eq!(mermaid_escape("line\nnext"), "line<br/>next");
        assert_eq!(mermaid_escape("Курск (3%), ok?"), "Курск (3%), ok?");
    }
}
