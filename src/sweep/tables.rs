//! The sweep's files: points.csv, sweep_steps.csv and sweep_outcomes.csv (long tables: the
//! point and its parameter values, then the columns of steps.csv / outcomes.csv), written
//! the same way by an unsharded sweep and by [`merge_sweep`], so the bytes agree.

use std::path::Path;

use crate::output::{OutputDir, OutputFile, Table, num, outcomes_table, steps_table, write_record};
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

/// Writes a sweep's files into `dir` point by point, as the points finish: points.csv
/// whole at the start, then each point's rows of sweep_steps.csv and sweep_outcomes.csv
/// (long tables: the point and its parameter values, then the columns of steps.csv /
/// outcomes.csv). So a sweep of any number of points holds one point's summary at a time.
/// The unsharded sweep and [`merge_sweep`] both write through it, so their bytes agree.
pub struct SweepWriter {
    points: Table,
    steps: csv::Writer<OutputFile>,
    outcomes: csv::Writer<OutputFile>,
    next: usize,
}

impl SweepWriter {
    /// Writes points.csv and the headers of the two long tables into `dir`.
    pub fn create(dir: &OutputDir, model: &Model, design: &Design) -> std::io::Result<Self> {
        let points = points_table(design);
        dir.write_table("points.csv", &points)?;
        let empty = Summary::new(model);
        let open = |name: &str, inner: Table| -> std::io::Result<csv::Writer<OutputFile>> {
            let mut w = csv::Writer::from_writer(dir.create_file(name)?);
            let mut header = points.header.clone();
            header.extend(inner.header);
            write_record(&mut w, &header)?;
            Ok(w)
        };
        Ok(SweepWriter {
            steps: open("sweep_steps.csv", steps_table(model, &empty))?,
            outcomes: open("sweep_outcomes.csv", outcomes_table(model, &empty))?,
            points,
            next: 0,
        })
    }

    /// Adds the rows of point `point`, which must be the next in order.
    pub fn add(&mut self, model: &Model, point: usize, summary: &Summary) -> std::io::Result<()> {
        let prefix = match self.points.rows.get(point) {
            Some(p) if point == self.next => p,
            _ => {
                return Err(std::io::Error::other(format!(
                    "internal error: sweep point {point} written out of order"
                )));
            }
        };
        for (w, table) in [
            (&mut self.steps, steps_table(model, summary)),
            (&mut self.outcomes, outcomes_table(model, summary)),
        ] {
            for r in table.rows {
                let mut row = prefix.clone();
                row.extend(r);
                write_record(w, &row)?;
            }
        }
        self.next += 1;
        Ok(())
    }

    /// Flushes the files; every point must have been added.
    pub fn finish(mut self) -> std::io::Result<()> {
        if self.next != self.points.rows.len() {
            return Err(std::io::Error::other(format!(
                "internal error: {} of {} sweep points written",
                self.next,
                self.points.rows.len()
            )));
        }
        self.steps.flush()?;
        self.outcomes.flush()
    }
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
    let model = job_model(&first_name, &job, &scenario_text)?;
    // The rule of a precision sweep, as its manifest records it.
    let precision: Option<serde_json::Value> = job
        .options
        .iter()
        .find(|(k, _)| k == "precision")
        .map(|(_, v)| serde_json::from_str(v))
        .transpose()
        .map_err(|e| SweepError::Usage(format!("{first_name}: damaged precision rule ({e})")))?;
    let dir = OutputDir::create(out)?;
    let mut writer: Option<(Design, SweepWriter)> = None;
    let n_parts = parts.len();
    let shape = Summary::new(&model);
    let mut drawn = 0u64;
    for (name, p) in parts {
        let payload: SweepPayload = serde_json::from_value(p.payload)
            .map_err(|e| SweepError::Usage(format!("{name}: not a sweep partial file ({e})")))?;
        drawn = drawn.saturating_add(payload.drawn);
        if payload.summaries.len() as u64 != p.covers.end - p.covers.start {
            return Err(SweepError::Usage(format!(
                "{name}: covers points {}..{} but holds {} summaries",
                p.covers.start,
                p.covers.end,
                payload.summaries.len()
            )));
        }
        check_summaries(
            &name,
            p.covers.start,
            &payload.summaries,
            &shape,
            &job,
            precision.is_some(),
        )?;
        let (design, w) = match &mut writer {
            None => {
                let w = SweepWriter::create(&dir, &model, &payload.design)?;
                writer.insert((payload.design, w))
            }
            Some((d, _)) if *d != payload.design => {
                return Err(SweepError::Usage(format!(
                    "{name} and {first_name} hold different sweep designs"
                )));
            }
            Some(dw) => dw,
        };
        if design.len() as u64 != p.total {
            return Err(SweepError::Usage(format!(
                "{name}: a design of {} points in a job of {}",
                design.len(),
                p.total
            )));
        }
        for (i, summary) in payload.summaries.iter().enumerate() {
            w.add(&model, p.covers.start as usize + i, summary)?;
        }
    }
    let (design, w) = writer.ok_or_else(|| SweepError::Usage("no partial files given".into()))?;
    w.finish()?;
    let written = crate::sweep::Written {
        threads: 1,
        shards: n_parts as u64,
        start: std::time::SystemTime::now(),
        wall: std::time::Duration::ZERO,
        options: match &precision {
            Some(rule) => serde_json::json!({ "design": design.describe(), "precision": rule }),
            None => serde_json::json!({ "design": design.describe() }),
        },
        scenario_text: scenario_text.clone(),
        runs_drawn: Some(drawn),
        extended_from: None,
    };
    crate::sweep::commit_folder(dir, &job, &written)?;
    Ok(MergedSweep {
        points: design.len(),
        parts: n_parts,
        job,
    })
}

/// The model a sweep partial's job ran (`first_name` names the partial in messages).
fn job_model(
    first_name: &str,
    job: &crate::partial::JobIdentity,
    scenario_text: &str,
) -> Result<Model, SweepError> {
    job.model(scenario_text).map_err(|e| {
        SweepError::Usage(match e {
            crate::partial::JobModelError::Scenario(d) => {
                format!("{first_name}: the scenario inside does not load with this rungs:\n{d}")
            }
            crate::partial::JobModelError::UnknownOverride(name) => {
                format!("{first_name}: --set names an unknown parameter `{name}`")
            }
        })
    })
}

/// Checks the point summaries a partial holds (`name` for messages; the first is point
/// `first`): each over the job's
/// runs (for a `precise` sweep, at most them) and consistent in itself.
fn check_summaries(
    name: &str,
    first: u64,
    summaries: &[Summary],
    shape: &Summary,
    job: &crate::partial::JobIdentity,
    precise: bool,
) -> Result<(), SweepError> {
    for (i, summary) in summaries.iter().enumerate() {
        // A precision sweep's points stop on their own, at most at the job's runs.
        let runs_ok = if precise {
            summary.runs >= 1 && summary.runs <= job.runs
        } else {
            summary.runs == job.runs
        };
        let checked = if runs_ok {
            summary.check(shape)
        } else {
            Err(format!(
                "{} runs where the job has {}",
                summary.runs, job.runs
            ))
        };
        checked.map_err(|e| {
            SweepError::Usage(format!(
                "{name}: damaged partial file: point {}: {e}",
                first + i as u64
            ))
        })?;
    }
    Ok(())
}
