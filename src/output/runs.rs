//! runs.csv (`--per-run`): one row per run, streamed in run order.

use std::io::Write;

use crate::engine::RunRecord;
use crate::scenario::Model;

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

/// The header line of runs.csv, `\n` included: `run`, each parameter id, `outcome`,
/// `end_time`, `max_rung`, then `<id>_time` for each step and branch.
pub fn runs_header(model: &Model) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"run");
    for p in &model.params {
        out.push(b',');
        push_field(&mut out, &p.id);
    }
    out.extend_from_slice(b",outcome,end_time,max_rung");
    for n in &model.nodes {
        out.push(b',');
        push_field(&mut out, &format!("{}_time", n.id));
    }
    out.push(b'\n');
    out
}

/// Appends the runs.csv line of one run (`\n` included) to `out`. Has the shape of
/// [`RunFormatter`](crate::engine::many::RunFormatter); allocates nothing but `out`'s growth.
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
    out.push(b'\n');
}
