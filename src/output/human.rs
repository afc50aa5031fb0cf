//! The short summary printed on stdout after a run.

use std::fmt::Write;

use crate::scenario::Model;
use crate::scenario::words::term_for;
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

/// [`terminal_text`] at the summary's column width, padded to `width` characters: the id
/// column of every table rungs prints (run, sweep, compare), so long ids keep it aligned.
pub fn cell(text: &str, width: usize) -> String {
    let shown = terminal_text(text, MAX_SHOWN_CHARS);
    let pad = width.saturating_sub(shown.chars().count());
    format!("{shown}{}", " ".repeat(pad))
}

/// The width of a column of `texts` as [`cell`] shows them.
pub fn column_width<'a>(texts: impl Iterator<Item = &'a str>) -> usize {
    texts
        .map(|t| terminal_text(t, MAX_SHOWN_CHARS).chars().count())
        .max()
        .unwrap_or(0)
}

/// The width of the number before an interval (`100.0%`, `-0.027%` fit), so that the
/// intervals of a column of [`with_interval`] lines start at one place.
pub const NUMBER_WIDTH: usize = 7;

/// The label of a 95% confidence interval, as every summary writes it.
pub const CI95: &str = "95% CI";

/// The decimals a percentage `x` (in percent) is shown with: one from 1% up (`67.0%`), two
/// significant digits below (`0.21%`, `0.090%`, `0.0040%`; at most six decimals), so that a
/// rare outcome, its interval and a small difference keep the digits that tell them apart.
fn decimals(x: f64) -> usize {
    let a = x.abs();
    if a >= 1.0 || a == 0.0 || !a.is_finite() {
        1
    } else {
        (1 - a.log10().floor() as i64).clamp(1, 6) as usize
    }
}

/// A probability as a percentage (`67.0%`, `0.21%`, `0.027%`): the one way run, sweep and
/// compare print a probability on the terminal.
pub fn percent(p: f64) -> String {
    let x = 100.0 * p;
    format!("{x:.d$}%", d = decimals(x))
}

/// A difference of two probabilities in percentage points, signed, with [`percent`]'s digits
/// (`+7.0%`, `-0.040%`; no sign for none at all: `0.0%`).
pub fn percent_change(d: f64) -> String {
    let x = 100.0 * d;
    if x == 0.0 {
        "0.0%".into()
    } else {
        format!("{x:+.d$}%", d = decimals(x))
    }
}

/// An interval in words, as every summary writes it: `(95% CI 65.0% to 69.1%)`.
pub fn interval(label: &str, lo: &str, hi: &str) -> String {
    format!("({label} {lo} to {hi})")
}

/// `shown` right-aligned in [`NUMBER_WIDTH`], then its [`interval`]:
/// `  67.0%  (95% CI 65.0% to 69.1%)`.
pub fn with_interval(shown: &str, label: &str, lo: &str, hi: &str) -> String {
    format!("{shown:>NUMBER_WIDTH$}  {}", interval(label, lo, hi))
}

/// A probability and its 95% interval: `  67.0%  (95% CI 65.0% to 69.1%)`.
pub fn percent_ci(p: f64, (lo, hi): (f64, f64)) -> String {
    with_interval(&percent(p), CI95, &percent(lo), &percent(hi))
}

/// The 95% interval of a difference of probabilities: `(95% CI -7.9% to -6.1%)`.
pub fn change_interval((lo, hi): (f64, f64)) -> String {
    interval(CI95, &percent_change(lo), &percent_change(hi))
}

/// `k` runs in `n` as a percentage with its Wilson 95% interval; `-` without runs.
pub fn share_ci(k: u64, n: u64) -> String {
    match wilson(k, n) {
        Some(ci) => percent_ci(k as f64 / n as f64, ci),
        None => "-".to_string(),
    }
}

/// A few lines for a person: the outcomes with their probabilities, Wilson intervals and
/// ICD 203 words ([`crate::scenario::words`]), then the five most likely steps and branches
/// among the highest rungs (sorted by rung, highest first, then by probability; only those
/// that happened at least once), the same way. The caller adds where the files went.
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
        let words = term_for(o.count as f64 / n as f64);
        let _ = writeln!(
            s,
            "  {}  {}  {words}",
            cell(label, width),
            share_ci(o.count, n)
        );
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
    let term = |i: usize| term_for(summary.nodes[i].happened as f64 / n as f64);
    // The words as a column, so that the labels after them line up too.
    let words_width = column_width(nodes.iter().map(|&i| term(i)));
    for i in nodes {
        let node = &model.nodes[i];
        let words = if node.label != node.id {
            format!(
                "{}  {}",
                cell(term(i), words_width),
                terminal_text(&node.label, 200)
            )
        } else {
            term(i).to_string()
        };
        let _ = writeln!(
            s,
            "  rung {:>2}  {}  {}  {words}",
            node.rung,
            cell(&node.id, width),
            share_ci(summary.nodes[i].happened, n)
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

    #[test]
    fn probabilities_read_as_percentages_with_intervals() {
        assert_eq!(percent(0.6703), "67.0%");
        assert_eq!(percent(0.00027), "0.027%");
        assert_eq!(percent(0.0021), "0.21%");
        assert_eq!(percent(0.0009), "0.090%");
        assert_eq!(percent(0.005), "0.50%");
        assert_eq!(percent(0.00004), "0.0040%");
        assert_eq!(percent(1e-6), "0.00010%");
        assert_eq!(percent(0.015), "1.5%");
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent_change(0.07), "+7.0%");
        assert_eq!(percent_change(-0.0004), "-0.040%");
        assert_eq!(percent_change(-0.0000004), "-0.000040%");
        assert_eq!(percent_change(0.0), "0.0%");
        assert_eq!(percent_change(-0.0), "0.0%");
        assert_eq!(
            percent_ci(0.67, (0.65, 0.691)),
            "  67.0%  (95% CI 65.0% to 69.1%)"
        );
        assert_eq!(
            change_interval((-0.079, -0.00061)),
            "(95% CI -7.9% to -0.061%)"
        );
        // 0 of 10: the Wilson interval's lower end is exactly 0; no runs: no interval.
        assert!(share_ci(0, 10).starts_with("   0.0%  (95% CI 0.0% to "));
        assert_eq!(share_ci(0, 0), "-");
    }
}
