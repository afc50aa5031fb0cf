//! The ladder drawn as SVG and laid out by rungs itself (no Graphviz): one band per rung,
//! the highest at the top, each step and branch a box coloured by its probability.

use std::fmt::Write;

use super::svg::{cut, esc};
use crate::scenario::{Model, Node, NodeKind};

/// What the ladder shows of a node, from steps.csv.
#[derive(Clone, Debug, Default)]
pub struct NodeResult {
    /// `probability`.
    pub p: f64,
    /// `time_p50`, if the node happened.
    pub median: Option<f64>,
    /// The tooltip (the CSV cells).
    pub tip: String,
}

const W: f64 = 152.0;
const H: f64 = 58.0;
const GAP_X: f64 = 12.0;
const GAP_Y: f64 = 16.0;
const LEFT: f64 = 64.0;
const PER_ROW: usize = 5;

/// The fill for probability `p`: the colour scale of `rungs graph`'s drawings (near white at
/// 0 to dark blue at 1), so that the report's ladder and the graph read alike.
fn fill(p: f64) -> String {
    crate::graph::probability_fill(p).0
}

/// Up to two lines of at most `n` characters each, cut at spaces.
fn wrap(s: &str, n: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in s.split_whitespace() {
        let full = lines.len() == 2;
        let last = lines.last_mut().expect("one line");
        if last.is_empty() {
            last.push_str(word);
        } else if last.chars().count() + 1 + word.chars().count() <= n {
            last.push(' ');
            last.push_str(word);
        } else if full {
            last.push(' ');
            last.push_str(word);
            break;
        } else {
            lines.push(word.to_string());
        }
    }
    lines.iter().map(|l| cut(l, n)).collect()
}

/// The ladder of `model` with each node's result (indexed like `model.nodes`; `None` where
/// the folder has none), times in `unit`.
pub fn ladder(model: &Model, results: &[Option<NodeResult>], unit: &str) -> String {
    let Layout {
        pos,
        bands,
        height: y,
    } = layout(model);
    let width = LEFT + PER_ROW as f64 * (W + GAP_X) + (W + GAP_X) / 2.0 + 8.0;
    let mut o = String::new();
    for (k, (r, a, b)) in bands.iter().enumerate() {
        let _ = write!(
            o,
            "<rect x=\"2\" y=\"{a:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>\
             <text x=\"10\" y=\"{:.1}\" font-weight=\"600\" fill=\"#333\">rung {r}</text>",
            width - 4.0,
            b - a,
            if k % 2 == 0 { "#f6f7f9" } else { "#fff" },
            (a + b) / 2.0 + 4.0
        );
    }
    // Edges under the boxes: after (solid), any_of (dashed), branch (thick).
    o.push_str(&edges(model, &pos));
    let ends: Vec<bool> = (0..model.nodes.len())
        .map(|i| {
            model.steps.iter().any(|s| {
                (s.node == i && s.ends.is_some())
                    || s.branches.iter().any(|b| b.node == i && b.ends.is_some())
            })
        })
        .collect();
    for (i, n) in model.nodes.iter().enumerate() {
        let r = results.get(i).cloned().flatten();
        o.push_str(&node_box(n, pos[i], r, ends[i]));
    }
    let ky = y + 6.0;
    o.push_str(&key(ky, unit));
    let h = ky + 24.0;
    format!(
        "<svg class=\"chart\" data-chart=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {h:.0}\" width=\"{width:.0}\" height=\"{h:.0}\" role=\"img\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\" font-size=\"12\"><title>The ladder, each step with its probability</title>{o}</svg>"
    )
}

/// Where the ladder's boxes go: one band per rung, highest first, [`PER_ROW`] boxes a row.
struct Layout {
    /// The top left corner of each node's box, indexed like `model.nodes`.
    pos: Vec<(f64, f64)>,
    /// The bands: (rung, top, bottom).
    bands: Vec<(u32, f64, f64)>,
    /// The height used.
    height: f64,
}

/// The [`Layout`] of `model`'s nodes.
fn layout(model: &Model) -> Layout {
    let mut rungs: Vec<u32> = model.nodes.iter().map(|n| n.rung).collect();
    rungs.sort_unstable();
    rungs.dedup();
    rungs.reverse();
    // Position of each node: (x, y) of its box's top left corner.
    let mut pos = vec![(0.0, 0.0); model.nodes.len()];
    let mut y = 8.0;
    let mut bands = Vec::new();
    for &r in &rungs {
        let members: Vec<usize> = (0..model.nodes.len())
            .filter(|&i| model.nodes[i].rung == r)
            .collect();
        let rows = members.len().div_ceil(PER_ROW).max(1);
        let top = y;
        for (k, &i) in members.iter().enumerate() {
            let (row, col) = (k / PER_ROW, k % PER_ROW);
            // Odd rows are shifted by half a box, so that edges between rows show.
            let shift = if row % 2 == 1 { (W + GAP_X) / 2.0 } else { 0.0 };
            pos[i] = (
                LEFT + shift + col as f64 * (W + GAP_X),
                y + row as f64 * (H + GAP_Y),
            );
        }
        y += rows as f64 * (H + GAP_Y) + 10.0;
        bands.push((r, top - 4.0, y - 8.0));
    }
    Layout {
        pos,
        bands,
        height: y,
    }
}

/// The arrows between the boxes at `pos`: what a step needs (`after`, solid; `any_of`,
/// dashed) and a step's branches (thick), each from border to border.
fn edges(model: &Model, pos: &[(f64, f64)]) -> String {
    let mut o = String::new();
    let centre = |i: usize| (pos[i].0 + W / 2.0, pos[i].1 + H / 2.0);
    let border = |i: usize, toward: (f64, f64)| {
        let (cx, cy) = centre(i);
        let (dx, dy) = (toward.0 - cx, toward.1 - cy);
        let s = if dx == 0.0 && dy == 0.0 {
            0.0
        } else {
            let sx = if dx != 0.0 {
                (W / 2.0) / dx.abs()
            } else {
                f64::INFINITY
            };
            let sy = if dy != 0.0 {
                (H / 2.0) / dy.abs()
            } else {
                f64::INFINITY
            };
            sx.min(sy)
        };
        (cx + dx * s, cy + dy * s)
    };
    let mut edge = |from: usize, to: usize, style: &str| {
        if from >= pos.len() || to >= pos.len() || from == to {
            return;
        }
        let (a, b) = (border(from, centre(to)), border(to, centre(from)));
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        let (ux, uy) = (dx / len, dy / len);
        let (hx, hy) = (b.0 - ux * 8.0, b.1 - uy * 8.0);
        let _ = write!(
            o,
            "<path d=\"M{:.1} {:.1}L{hx:.1} {hy:.1}\" stroke=\"#555\" fill=\"none\" stroke-opacity=\"0.7\"{style}/>\
             <path d=\"M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z\" fill=\"#555\" fill-opacity=\"0.8\"/>",
            a.0,
            a.1,
            b.0,
            b.1,
            hx - uy * 4.0,
            hy + ux * 4.0,
            hx + uy * 4.0,
            hy - ux * 4.0
        );
    };
    for step in &model.steps {
        for &a in &step.after {
            edge(a, step.node, " stroke-width=\"1.2\"");
        }
        for &a in &step.any_of {
            edge(
                a,
                step.node,
                " stroke-width=\"1.2\" stroke-dasharray=\"5 3\"",
            );
        }
        for b in &step.branches {
            edge(step.node, b.node, " stroke-width=\"2.6\"");
        }
    }
    o
}

/// The box of node `n` at `(x, y)`: its label, its probability and median time, coloured
/// by the probability; a thick border if it `ends` the run.
fn node_box(n: &Node, (x, y): (f64, f64), r: Option<NodeResult>, ends: bool) -> String {
    let mut o = String::new();
    let p = r.as_ref().map(|r| r.p);
    let bg = p.map_or("#ffffff".to_string(), fill);
    let fg = if p.is_some_and(|p| p.sqrt() > 0.55) {
        "#fff"
    } else {
        "#111"
    };
    let tip = r.as_ref().map_or_else(|| n.id.clone(), |r| r.tip.clone());
    let (rx, dash) = match n.kind {
        NodeKind::Step => (3.0, ""),
        NodeKind::Branch => (14.0, " stroke-dasharray=\"4 2\""),
    };
    let stroke = if ends { "2.6" } else { "1" };
    let _ = write!(
        o,
        "<g class=\"node\" data-node=\"{}\"><title>{}</title>\
         <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{W}\" height=\"{H}\" rx=\"{rx}\" fill=\"{bg}\" stroke=\"#222\" stroke-width=\"{stroke}\"{dash}/>",
        esc(&n.id),
        esc(&tip)
    );
    let mut ty = y + 16.0;
    for line in wrap(&n.label, 24) {
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{fg}\">{}</text>",
            x + W / 2.0,
            esc(&line)
        );
        ty += 13.0;
    }
    let value = match &r {
        Some(r) => match r.median {
            Some(m) => format!("{} · median {}", super::svg::pct(r.p), super::svg::num(m)),
            None => super::svg::pct(r.p),
        },
        None => String::new(),
    };
    let _ = write!(
        o,
        "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"600\" fill=\"{fg}\">{}</text></g>",
        x + W / 2.0,
        y + H - 8.0,
        esc(&value)
    );
    o
}

/// The colour key under the ladder, at height `ky`.
fn key(ky: f64, unit: &str) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<text x=\"{LEFT}\" y=\"{:.1}\" fill=\"#333\">probability:</text>",
        ky + 10.0
    );
    for k in 0..=10 {
        let p = k as f64 / 10.0;
        let _ = write!(
            o,
            "<rect x=\"{:.1}\" y=\"{ky:.1}\" width=\"22\" height=\"14\" fill=\"{}\" stroke=\"#999\" stroke-width=\"0.5\"/>",
            LEFT + 80.0 + 22.0 * k as f64,
            fill(p)
        );
    }
    let _ = write!(
        o,
        "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">0% … 100% · median times in {}</text>",
        LEFT + 80.0 + 22.0 * 11.0 + 8.0,
        ky + 11.0,
        esc(unit)
    );
    o
}
