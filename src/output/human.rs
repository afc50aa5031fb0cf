//! The short summary printed on stdout after a run.

use std::fmt::Write;

use crate::scenario::Model;
use crate::stats::{Summary, wilson};

/// How many steps the summary lists.
const TOP_STEPS: usize = 5;

/// The widest an id or label is shown in a summary column; longer ones are cut with `…`
/// (a 65,536-character id would otherwise overflow the formatter's width).
pub const MAX_SHOWN_CHARS: usize = 60;

/// Text from a scenario file made safe for a terminal: the characters
/// [`crate::diag::hides_text`] names (controls, bidirectional overrides) are shown escaped as
/// `\u{..}`, and text longer than `max` characters is cut with `…`.
pub fn terminal_text(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        if crate::diag::hides_text(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// [`terminal_text`] at the summary's column width, padded to `width` characters.
fn cell(text: &str, width: usize) -> String {
    let shown = terminal_text(text, MAX_SHOWN_CHARS);
    let pad = width.saturating_sub(shown.chars().count());
    format!("{shown}{}", " ".repeat(pad))
}

/// The width of a column of `texts` as [`cell`] shows them.
fn column_width<'a>(texts: impl Iterator<Item = &'a str>) -> usize {
    texts
        .map(|t| terminal_text(t, MAX_SHOWN_CHARS).chars().count())
        .max()
        .unwrap_or(0)
}

/// A probability as a percentage with enough digits for small ones.
fn pct(p: f64) -> String {
    let x = 100.0 * p;
    if x != 0.0 && x.abs() < 0.1 {
        format!("{x:.3}%")
    } else {
        format!("{x:.1}%")
    }
}

/// `p (lo–hi)` of `k` in `n`.
fn with_ci(k: u64, n: u64) -> String {
    match wilson(k, n) {
        Some((lo, hi)) => format!(
            "{:>7}  (95% CI {} to {})",
            pct(k as f64 / n as f64),
            pct(lo),
            pct(hi)
        ),
        None => "-".to_string(),
    }
}

/// A few lines for a person: the outcomes with their probabilities and Wilson intervals,
/// then the five most likely steps and branches among the highest rungs (sorted by rung,
/// highest first, then by probability; only those that happened at least once). The caller
/// adds where the files went.
pub fn human_summary(model: &Model, summary: &Summary) -> String {
    let n = summary.runs;
    let mut s = String::new();
    let _ = writeln!(s, "{}: {} runs", terminal_text(&model.name, 200), n);
    if n == 0 {
        return s;
    }
    let width = column_width(model.outcomes.iter().map(String::as_str));
    let _ = writeln!(s, "Outcomes:");
    for (label, o) in model.outcomes.iter().zip(&summary.outcomes) {
        let _ = writeln!(s, "  {}  {}", cell(label, width), with_ci(o.count, n));
    }
    let mut nodes: Vec<usize> = (0..model.nodes.len().min(summary.nodes.len()))
        .filter(|&i| summary.nodes[i].happened > 0)
        .collect();
    nodes.sort_by(|&a, &b| {
        let (na, nb) = (&model.nodes[a], &model.nodes[b]);
        nb.rung
            .cmp(&na.rung)
            .then(summary.nodes[b].happened.cmp(&summary.nodes[a].happened))
            .then(a.cmp(&b))
    });
    nodes.truncate(TOP_STEPS);
    if nodes.is_empty() {
        let _ = writeln!(s, "No step happened in any run.");
        return s;
    }
    let _ = writeln!(s, "Most likely steps of the highest rungs:");
    let width = column_width(nodes.iter().map(|&i| model.nodes[i].id.as_str()));
    for i in nodes {
        let node = &model.nodes[i];
        let label = if node.label != node.id {
            format!("  {}", terminal_text(&node.label, 200))
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  rung {:>2}  {}  {}{label}",
            node.rung,
            cell(&node.id, width),
            with_ci(summary.nodes[i].happened, n)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_escapes_controls_and_bidi_and_cuts() {
        assert_eq!(terminal_text("a\u{1b}[2Jb", 60), "a\\u{1b}[2Jb");
        assert_eq!(
            terminal_text("x\u{202e}y\r\0", 60),
            "x\\u{202e}y\\u{d}\\u{0}"
        );
        assert_eq!(terminal_text("abcdef", 3), "abc…");
        assert_eq!(cell("ab", 4), "ab  ");
        let long = "x".repeat(70_000);
        assert_eq!(cell(&long, 100).chars().count(), 100);
    }
}
