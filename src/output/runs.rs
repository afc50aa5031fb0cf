//! runs.csv (`--per-run`): one row per run, streamed in run order.

use std::collections::HashSet;
use std::io::Write;

use crate::engine::RunRecord;
use crate::scenario::Model;
use crate::stats::summary::can_repeat;

/// Appends one CSV field with RFC 4180 quoting (quoted only if it holds a comma, a quote or
/// a line break).
fn push_field(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Appends a number as in every output (shortest round trip, `-0` as `0`, empty if not
/// finite), without allocating.
fn push_num(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        let x = if x == 0.0 { 0.0 } else { x };
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{x}");
    }
}

/// The column names of runs.csv: `run`, each parameter id, `outcome`, `end_time`,
/// `max_rung`, `<id>_time` for each step and branch, `<actor>_<variable>_final` for each
/// state variable (its value at the end of the run; `_final` because scenarios often name a
/// parameter `<actor>_<variable>` for the variable's initial value), and `<id>_count` for
/// each node that can happen more than once ([`can_repeat`]). Ids may still make two names
/// equal (a parameter `a_time` beside a step `a`):
/// a later duplicate gets the first free suffix `_2`, `_3`, ..., so every column has its
/// own name.
pub fn runs_columns(model: &Model) -> Vec<String> {
    let mut names = vec!["run".to_string()];
    names.extend(model.params.iter().map(|p| p.id.clone()));
    names.extend(["outcome", "end_time", "max_rung"].map(String::from));
    names.extend(model.nodes.iter().map(|n| format!("{}_time", n.id)));
    names.extend(model.vars.iter().map(|v| {
        let actor = model.actors.get(v.actor).map_or("?", |a| a.id.as_str());
        format!("{actor}_{}_final", v.name)
    }));
    names.extend(
        model
            .nodes
            .iter()
            .filter(|n| can_repeat(model, n))
            .map(|n| format!("{}_count", n.id)),
    );
    unique(names)
}

/// `names` with each repeated name (after its first) given the first suffix `_k`, k >= 2,
/// that no other name has.
fn unique(names: Vec<String>) -> Vec<String> {
    let taken: HashSet<String> = names.iter().cloned().collect();
    let mut used = HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let mut candidate = name.clone();
        let mut k = 2;
        while used.contains(&candidate) || (candidate != name && taken.contains(&candidate)) {
            candidate = format!("{name}_{k}");
            k += 1;
        }
        used.insert(candidate.clone());
        out.push(candidate);
    }
    out
}

/// The header line of runs.csv, `\n` included: the names of [`runs_columns`].
pub fn runs_header(model: &Model) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, name) in runs_columns(model).iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_field(&mut out, name);
    }
    out.push(b'\n');
    out
}

/// Appends the runs.csv line of one run (`\n` included) to `out`, in the columns of
/// [`runs_columns`]. Has the shape of [`RunFormatter`](crate::engine::many::RunFormatter);
/// allocates nothing but `out`'s growth.
pub fn format_run(model: &Model, rec: &RunRecord, out: &mut Vec<u8>) {
    let _ = write!(out, "{}", rec.run);
    for i in 0..model.params.len() {
        out.push(b',');
        push_num(out, rec.params.get(i).copied().unwrap_or(f64::NAN));
    }
    out.push(b',');
    push_field(
        out,
        model.outcomes.get(rec.outcome).map_or("?", String::as_str),
    );
    out.push(b',');
    push_num(out, rec.end_time);
    let _ = write!(out, ",{}", rec.max_rung);
    for i in 0..model.nodes.len() {
        out.push(b',');
        push_num(out, rec.first_time.get(i).copied().unwrap_or(f64::NAN));
    }
    for i in 0..model.vars.len() {
        out.push(b',');
        push_num(out, rec.state.get(i).copied().unwrap_or(f64::NAN));
    }
    for (i, node) in model.nodes.iter().enumerate() {
        if can_repeat(model, node) {
            out.push(b',');
            if let Some(c) = rec.counts.get(i) {
                let _ = write!(out, "{c}");
            }
        }
    }
    out.push(b'\n');
}
