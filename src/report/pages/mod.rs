//! The sections of the page, per kind of folder. Every number comes from a CSV cell.
//!
//! [`page`] lays out the page; its sections come from one file per kind of folder: `run`
//! (a run or a merge), `sweep` (a design of points), `sensitivity` (tornado and
//! importance) and `compare`. The helpers below are shared by them.

mod compare;
mod run;
mod sensitivity;
mod sweep;

use super::html::{Page, Section};
use super::svg;
use super::table::{Csv, unguard};
use super::{Error, Folder, Options};

pub use run::default_or_chosen;
pub use sensitivity::tornado_outcome;
pub use sweep::sweep_steps;

use compare::compare;
use run::run;
use sensitivity::{importance, tornado};
use sweep::sweep;

pub(super) fn usage(e: String) -> Error {
    Error::Usage(e)
}

/// The page of `folder`, as HTML text.
pub fn page(folder: &Folder, o: &Options) -> Result<String, Error> {
    let m = &folder.manifest;
    let (title, description) = match &folder.model {
        Some(model) => (model.name.clone(), model.description.clone()),
        None => (m.scenario_path.clone(), None),
    };
    let kind = match m.kind.as_str() {
        "run" => "Run report",
        "sweep" => "Sweep report",
        "tornado" => "Tornado report",
        "importance" => "Importance report",
        "tornado+importance" => "Tornado and importance report",
        _ => "Comparison report",
    };
    let mut meta = vec![
        ("scenario".to_string(), m.scenario_path.clone()),
        (
            if m.kind == "run" || m.kind == "compare" {
                "runs"
            } else {
                "runs per point or variant"
            }
            .to_string(),
            svg::num(m.runs as f64),
        ),
        ("seed".to_string(), m.seed.to_string()),
        (
            "date".to_string(),
            m.start_time.replace('T', " ").replace('Z', " UTC"),
        ),
    ];
    if let Some(model) = &folder.model {
        meta.push((
            "horizon".into(),
            format!("{} {}", svg::num(model.horizon), folder.time_unit()),
        ));
    }
    if !m.overrides.is_empty() {
        meta.push((
            "--set".into(),
            m.overrides
                .iter()
                .map(|o| format!("{}={}", o.name, o.value))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if let (true, Some(b)) = (
        m.kind == "compare",
        m.options.get("b_path").and_then(|v| v.as_str()),
    ) {
        meta[0] = ("A".into(), m.scenario_path.clone());
        meta.insert(1, ("B".into(), b.to_string()));
    }
    let sections = match m.kind.as_str() {
        "run" => run(folder, o)?,
        "sweep" => sweep(folder, o)?,
        "tornado" => tornado(folder, o)?,
        "importance" => importance(folder, o)?,
        "tornado+importance" => {
            let mut s = tornado(folder, o)?;
            s.extend(importance(folder, o)?);
            s
        }
        _ => compare(folder)?,
    };
    let page = Page {
        title,
        kind: kind.into(),
        description,
        meta,
        sections,
        footer: format!(
            "Written by rungs report (rungs {}) from the CSV files of {}: every number here \
             is a cell of those files (hover a bar or point for the exact cells). Scenario \
             SHA-256 {}.",
            m.tool_version,
            folder.dir.display(),
            m.scenario_sha256
        ),
    };
    Ok(page.render())
}

/// The rows of `steps.csv`-like tables: (row index) of kind `step` for each rung's first.
pub(super) fn main_steps(t: &Csv) -> Result<Vec<String>, Error> {
    let (c_step, c_rung, c_kind) = (
        t.col("step").map_err(usage)?,
        t.col("rung").map_err(usage)?,
        t.col("kind").map_err(usage)?,
    );
    let mut seen = Vec::new();
    let mut out: Vec<(f64, String)> = Vec::new();
    for r in 0..t.rows.len() {
        if t.text(r, c_kind) != "step" {
            continue;
        }
        let rung = t.num(r, c_rung).unwrap_or(0.0);
        if !seen.contains(&(rung as i64)) {
            seen.push(rung as i64);
            out.push((rung, t.text(r, c_step).to_string()));
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(out.into_iter().map(|(_, s)| s).take(8).collect())
}

/// Checks the ids of `--steps` against the ids in column `step` of `t`.
pub(super) fn chosen_steps(t: &Csv, o: &Options) -> Result<Vec<String>, Error> {
    if o.steps.is_empty() {
        return main_steps(t);
    }
    let c = t.col("step").map_err(usage)?;
    let ids: Vec<&str> = (0..t.rows.len()).map(|r| t.text(r, c)).collect();
    for s in &o.steps {
        if !ids.contains(&s.as_str()) {
            let mut hint = crate::diag::closest(s, &ids)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            if ids.len() <= 30 {
                hint.push_str(&format!("; its steps and branches are {}", ids.join(", ")));
            }
            return Err(Error::Usage(format!(
                "--steps: `{}` is not a step or branch of this scenario{hint}",
                svg::cut(s, 60)
            )));
        }
    }
    let mut out = Vec::new();
    for s in &o.steps {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    Ok(out)
}

/// Labels of steps by id, from a table with `step` and `label` columns.
pub(super) fn labels(t: &Csv) -> Vec<(String, String)> {
    let (Some(s), Some(l)) = (t.has("step"), t.has("label")) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for r in 0..t.rows.len() {
        let id = t.text(r, s);
        if !out.iter().any(|(i, _)| i == id) {
            out.push((id.to_string(), unguard(t.text(r, l)).to_string()));
        }
    }
    out
}

/// Labels of steps and branches by id, from the scenario (empty if it no longer loads).
pub(super) fn model_labels(folder: &Folder) -> Vec<(String, String)> {
    folder
        .model
        .as_ref()
        .map(|m| {
            m.nodes
                .iter()
                .map(|n| (n.id.clone(), n.label.clone()))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn label_of<'a>(labels: &'a [(String, String)], id: &'a str) -> &'a str {
    labels
        .iter()
        .find(|(i, _)| i == id)
        .map_or(id, |(_, l)| l.as_str())
}

pub(super) fn outcome_name(o: &str, folder: &Folder) -> String {
    if o == crate::scenario::HORIZON_OUTCOME {
        match &folder.model {
            Some(m) => format!(
                "horizon (no end state by {} {})",
                svg::num(m.horizon),
                folder.time_unit()
            ),
            None => "horizon (no end state)".into(),
        }
    } else {
        // The label of the step or branch of the same id, else of the one step or branch
        // that ends the run this way; else the outcome's name.
        let Some(m) = folder.model.as_ref() else {
            return o.to_string();
        };
        if let Some(n) = m.nodes.iter().find(|n| n.id == o) {
            return n.label.clone();
        }
        let Some(k) = m.outcomes.iter().position(|x| x == o) else {
            return o.to_string();
        };
        let mut enders = Vec::new();
        for s in &m.steps {
            if s.ends == Some(k) {
                enders.push(s.node);
            }
            for b in &s.branches {
                if b.ends == Some(k) {
                    enders.push(b.node);
                }
            }
        }
        match enders.as_slice() {
            [one] => m
                .nodes
                .get(*one)
                .map_or_else(|| o.to_string(), |n| n.label.clone()),
            _ => o.to_string(),
        }
    }
}

pub(super) fn interval_text(p: f64, lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!("{} ({}–{})", svg::pct(p), svg::pct(l), svg::pct(h)),
        _ => svg::pct(p),
    }
}

/// The indices of the columns `names` of `t`, in that order (a missing one: a usage error
/// naming it).
pub(super) fn columns(t: &Csv, names: &[&str]) -> Result<Vec<usize>, Error> {
    names.iter().map(|c| t.col(c).map_err(usage)).collect()
}

/// A tooltip quoting cells of row `r` of `t` verbatim: `file: col=value, ...`.
pub(super) fn cells_tip(t: &Csv, r: usize, cols: &[&str]) -> String {
    let mut parts = Vec::new();
    for c in cols {
        if let Some(i) = t.has(c) {
            parts.push(format!("{c}={}", unguard(t.text(r, i))));
        }
    }
    format!("{} row {}: {}", t.name, r + 2, parts.join(", "))
}

pub(super) fn section(id: &str, heading: &str, body: String, how: &str) -> Section {
    Section {
        id: id.into(),
        heading: heading.into(),
        body,
        how: with_code(how),
    }
}

/// `text` escaped, with each `quoted` stretch set as code.
pub(super) fn with_code(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return svg::esc(text); // An unmatched backtick: plain text.
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", svg::esc(p))
            } else {
                svg::esc(p)
            }
        })
        .collect()
}

pub(super) fn ids_in_order(t: &Csv, key: &str) -> Result<Vec<String>, Error> {
    let c = t.col(key).map_err(usage)?;
    let mut out: Vec<String> = Vec::new();
    for r in 0..t.rows.len() {
        let v = t.text(r, c);
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    Ok(out)
}

pub(super) fn rows_of(t: &Csv, key: &str, id: &str) -> Result<Vec<usize>, Error> {
    let c = t.col(key).map_err(usage)?;
    Ok((0..t.rows.len()).filter(|&r| t.text(r, c) == id).collect())
}
