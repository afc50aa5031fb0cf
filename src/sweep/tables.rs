//! The sweep's files: points.csv, sweep_steps.csv and sweep_outcomes.csv (long tables: the
//! point and its parameter values, then the columns of steps.csv / outcomes.csv), written
//! the same way by an unsharded sweep and by [`merge_sweep`], so the bytes agree.

use std::path::Path;

use crate::output::{Table, num, outcomes_table, steps_table};
use crate::partial::{Partial, check_cover};
use crate::scenario::Model;
use crate::stats::Summary;
use crate::sweep::{Design, SweepError, SweepPayload};

/// points.csv: `point`, then one column per varied parameter.
pub fn points_table(design: &Design) -> Table {
    let mut header = vec!["point".to_string()];
    header.extend(design.params.iter().cloned());
    let rows = design
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut r = vec![i.to_string()];
            r.extend(p.iter().map(|v| num(*v)));
            r
        })
        .collect();
    Table { header, rows }
}

/// A long table: for each point, its number and parameter values before each row of the
/// per-point table `inner` makes.
fn long_table(
    design: &Design,
    summaries: &[Summary],
    inner: impl Fn(&Summary) -> Table,
    empty_header: Table,
) -> Table {
    let points = points_table(design);
    let mut out = Table {
        header: points.header.clone(),
        rows: Vec::new(),
    };
    let mut inner_header = None;
    for (prefix, s) in points.rows.iter().zip(summaries) {
        let t = inner(s);
        for r in t.rows {
            let mut row = prefix.clone();
            row.extend(r);
            out.rows.push(row);
        }
        inner_header.get_or_insert(t.header);
    }
    out.header
        .extend(inner_header.unwrap_or(empty_header.header));
    out
}

/// The three sweep tables with their file names.
pub fn sweep_files(
    model: &Model,
    design: &Design,
    summaries: &[Summary],
) -> Vec<(&'static str, Table)> {
    let empty = Summary::new(model);
    let steps = long_table(
        design,
        summaries,
        |s| steps_table(model, s),
        steps_table(model, &empty),
    );
    let outcomes = long_table(
        design,
        summaries,
        |s| outcomes_table(model, s),
        outcomes_table(model, &empty),
    );
    vec![
        ("points.csv", points_table(design)),
        ("sweep_steps.csv", steps),
        ("sweep_outcomes.csv", outcomes),
    ]
}

/// What [`merge_sweep`] did.
#[derive(Clone, Debug)]
pub struct MergedSweep {
    /// Number of points.
    pub points: usize,
    /// Number of partial files read.
    pub parts: usize,
    /// The job they belonged to.
    pub job: crate::partial::JobIdentity,
}

/// Combines the partial files of a sharded sweep (`command == "sweep"`; any order, each
/// named for messages, e.g. by its path) into `out`: the same points.csv, sweep_steps.csv
/// and sweep_outcomes.csv, byte for byte, as the unsharded sweep, and a manifest.json.
/// Refuses gaps, overlaps and partials of different jobs ([`check_cover`]), payloads that do
/// not parse, and designs that disagree.
pub fn merge_sweep(
    parts: Vec<(String, Partial<serde_json::Value>)>,
    out: &Path,
) -> Result<MergedSweep, SweepError> {
    let parts = check_cover(parts).map_err(SweepError::Usage)?;
    let first_name = parts[0].0.clone();
    let first = &parts[0].1;
    let job = first.job.clone();
    if job.command != "sweep" {
        return Err(SweepError::Usage(format!(
            "{first_name} is a partial of `rungs {}`, not of a sweep",
            job.command
        )));
    }
    let scenario_text = first.scenario_text.clone();
    let (mut model, _) =
        crate::scenario::load_str(&job.scenario_path, &scenario_text).map_err(|d| {
            SweepError::Usage(format!(
                "{first_name}: the scenario inside does not load with this rungs:\n{d}"
            ))
        })?;
    for (name, v) in &job.overrides {
        let p = model.param_index(name).ok_or_else(|| {
            SweepError::Usage(format!(
                "{first_name}: --set names an unknown parameter `{name}`"
            ))
        })?;
        model.set_param(p, *v);
    }
    let mut design: Option<Design> = None;
    let mut summaries = Vec::new();
    let n_parts = parts.len();
    for (name, p) in parts {
        let payload: SweepPayload = serde_json::from_value(p.payload)
            .map_err(|e| SweepError::Usage(format!("{name}: not a sweep partial file ({e})")))?;
        if payload.summaries.len() as u64 != p.covers.end - p.covers.start {
            return Err(SweepError::Usage(format!(
                "{name}: covers points {}..{} but holds {} summaries",
                p.covers.start,
                p.covers.end,
                payload.summaries.len()
            )));
        }
        let shape = Summary::new(&model);
        for (i, summary) in payload.summaries.iter().enumerate() {
            let checked = if summary.runs == job.runs {
                summary.check(&shape)
            } else {
                Err(format!(
                    "{} runs where the job has {}",
                    summary.runs, job.runs
                ))
            };
            checked.map_err(|e| {
                SweepError::Usage(format!(
                    "{name}: damaged partial file: point {}: {e}",
                    p.covers.start + i as u64
                ))
            })?;
        }
        match &design {
            None => design = Some(payload.design),
            Some(d) if *d != payload.design => {
                return Err(SweepError::Usage(format!(
                    "{name} and {first_name} hold different sweep designs"
                )));
            }
            Some(_) => {}
        }
        summaries.extend(payload.summaries);
    }
    let design = design.ok_or_else(|| SweepError::Usage("no partial files given".into()))?;
    if design.len() != summaries.len() {
        return Err(SweepError::Usage(format!(
            "the partial files hold {} points but the design has {}",
            summaries.len(),
            design.len()
        )));
    }
    let files = sweep_files(&model, &design, &summaries);
    let written = crate::sweep::Written {
        threads: 1,
        shards: n_parts as u64,
        start: std::time::SystemTime::now(),
        wall: std::time::Duration::ZERO,
        options: serde_json::json!({ "design": design.describe() }),
        scenario_text: scenario_text.clone(),
    };
    crate::sweep::write_files(out, &files, &job, &written)?;
    Ok(MergedSweep {
        points: design.len(),
        parts: n_parts,
        job,
    })
}
