//! `rungs report`: draws a finished output folder as one self-contained HTML page
//! (`report.html`) and an Excel workbook with native charts (`report.xlsx`).
//!
//! The drawing is kept apart from the computing: this module reads the folder's CSV files
//! and its manifest.json, and never recomputes a statistic. Every number on the page and in
//! the workbook is a cell of a CSV (rounded for reading on the page; the tooltips and the
//! workbook carry the cells verbatim). The scenario text stored in the manifest supplies
//! only words: the scenario's name and description, its time unit, the units of its
//! parameters and the names of its actors.
//!
//! The page has no script, no external font, style or image: charts are inline SVG
//! ([`svg`]), the style is inline CSS, and every text that comes from a file is escaped.

mod html;
mod ladder;
mod pages;
pub(crate) mod svg;
mod table;
mod xlsx;

use std::path::{Path, PathBuf};

use crate::output::Manifest;
use crate::scenario::Model;

pub use table::Csv;

/// What `rungs report` was asked for.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Steps (ids) whose timeline and sweep curves are drawn; empty: the first step of each
    /// rung.
    pub steps: Vec<String>,
    /// The outcome of the tornado chart; `None`: the rarest outcome other than `horizon`.
    pub outcome: Option<String>,
    /// Write report.xlsx too.
    pub xlsx: bool,
}

/// Why a report could not be written.
#[derive(Debug)]
pub enum Error {
    /// The folder or an option is wrong (exit 2).
    Usage(String),
    /// Reading or writing failed (exit 1).
    Io(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Usage(m) | Error::Io(m) => f.write_str(m),
        }
    }
}

/// The files a report wrote, with their sizes in bytes.
#[derive(Debug)]
pub struct Written {
    /// report.html and its size.
    pub html: (PathBuf, u64),
    /// report.xlsx and its size, if written.
    pub xlsx: Option<(PathBuf, u64)>,
}

/// A finished output folder, read.
pub struct Folder {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// The scenario, loaded from the manifest's text (`None` if it no longer loads).
    pub model: Option<Model>,
    /// The CSV files, in the manifest's order (runs.csv excepted: it can be gigabytes).
    pub tables: Vec<Csv>,
}

/// The largest CSV file a report reads (runs.csv is never read).
const MAX_CSV_BYTES: u64 = 1 << 30;

impl Folder {
    /// Reads `dir`: its manifest (refused unless rungs wrote it) and every CSV it lists.
    pub fn read(dir: &Path) -> Result<Folder, Error> {
        if !dir.join("manifest.json").is_file() {
            return Err(Error::Usage(format!(
                "{} has no manifest.json: give `rungs report` a folder written by `rungs run`, \
                 `sweep`, `compare` or `merge`",
                dir.display()
            )));
        }
        let mut manifest = Manifest::read(dir).map_err(Error::Usage)?;
        if manifest.kind.is_empty() {
            // A manifest from before `kind`: the command and the files say it.
            let has = |f: &str| dir.join(f).is_file();
            manifest.kind = match manifest.command.as_str() {
                "sweep" if has("points.csv") => "sweep",
                "sweep" if has("tornado.csv") && has("importance.csv") => "tornado+importance",
                "sweep" if has("tornado.csv") => "tornado",
                "sweep" if has("importance.csv") => "importance",
                c => c,
            }
            .to_string();
        }
        let known = [
            "run",
            "sweep",
            "tornado",
            "importance",
            "tornado+importance",
            "compare",
        ];
        if !known.contains(&manifest.kind.as_str()) {
            return Err(Error::Usage(format!(
                "{}: the manifest does not say what kind of folder this is (kind `{}`); \
                 this rungs reports {}",
                dir.display(),
                svg::cut(&manifest.kind, 40),
                known.join(", ")
            )));
        }
        let model = if manifest.scenario_text.is_empty() {
            None
        } else {
            crate::scenario::load_str(&manifest.scenario_path, &manifest.scenario_text)
                .ok()
                .map(|(m, _)| m)
        };
        let mut names: Vec<String> = manifest
            .files
            .iter()
            .filter(|f| f.ends_with(".csv") && f.as_str() != "runs.csv")
            .cloned()
            .collect();
        if names.is_empty() {
            // An older manifest without `files`: the CSVs present.
            names.extend(
                crate::output::result_tables()
                    .filter(|n| dir.join(n).is_file())
                    .map(String::from),
            );
        }
        // The main tables first, in the order docs/outputs.md lists them.
        let rank = |n: &str| {
            const ORDER: [&str; 14] = [
                "steps.csv",
                "outcomes.csv",
                "rungs.csv",
                "timeline.csv",
                "paths.csv",
                "conditional.csv",
                "state.csv",
                "parameters.csv",
                "sweep_outcomes.csv",
                "sweep_steps.csv",
                "points.csv",
                "tornado.csv",
                "importance.csv",
                "compare.csv",
            ];
            ORDER.iter().position(|o| *o == n).unwrap_or(ORDER.len())
        };
        names.sort_by_key(|n| rank(n));
        let mut tables = Vec::new();
        for n in names {
            tables.push(Csv::read(&dir.join(&n), &n, MAX_CSV_BYTES).map_err(Error::Usage)?);
        }
        Ok(Folder {
            dir: dir.to_path_buf(),
            manifest,
            model,
            tables,
        })
    }

    /// The table of file `name`, if the folder has it.
    pub fn table(&self, name: &str) -> Option<&Csv> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The table of file `name`, or a usage error naming it.
    pub fn need(&self, name: &str) -> Result<&Csv, Error> {
        self.table(name).ok_or_else(|| {
            Error::Usage(format!(
                "{}: a `{}` folder should hold {name}, and it is missing",
                self.dir.display(),
                self.manifest.kind
            ))
        })
    }

    /// The scenario's time unit in the plural (`days`), or `time units`.
    pub fn time_unit(&self) -> String {
        match &self.model {
            Some(m) if !m.time_unit.is_empty() => plural(&m.time_unit),
            _ => "time units".into(),
        }
    }
}

/// `day` → `days`, `week` → `weeks` (an English plural for the usual time units).
pub fn plural(unit: &str) -> String {
    if unit.ends_with('s') {
        unit.to_string()
    } else {
        format!("{unit}s")
    }
}

/// Writes `DIR/report.html` (and `DIR/report.xlsx` with `options.xlsx`), each atomically:
/// into a hidden temporary file in the folder, then renamed over the old one. Adds them to
/// the manifest's `files`.
pub fn write(dir: &Path, options: &Options) -> Result<Written, Error> {
    let folder = Folder::read(dir)?;
    let page = pages::page(&folder, options)?;
    let html_path = dir.join("report.html");
    let html_len = page.len() as u64;
    let workbook = if options.xlsx {
        Some(xlsx::workbook(&folder, options)?)
    } else {
        None
    };
    write_atomic(&html_path, page.as_bytes())?;
    let mut written = Written {
        html: (html_path, html_len),
        xlsx: None,
    };
    if let Some(bytes) = workbook {
        let p = dir.join("report.xlsx");
        write_atomic(&p, &bytes)?;
        written.xlsx = Some((p, bytes.len() as u64));
    }
    add_to_manifest(&folder, options.xlsx)?;
    Ok(written)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename: a
/// reader sees the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let io = |e: std::io::Error| Error::Io(format!("cannot write {}: {e}", path.display()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}

/// Adds report.html (and report.xlsx) to the manifest's list of files rungs wrote, so that
/// the folder stays rungs' own. The manifest is rewritten atomically, with nothing else
/// changed.
fn add_to_manifest(folder: &Folder, xlsx: bool) -> Result<(), Error> {
    let mut m = folder.manifest.clone();
    if m.files.is_empty() {
        return Ok(());
    }
    let mut changed = false;
    for name in ["report.html", "report.xlsx"] {
        if (name == "report.html" || xlsx) && !m.files.iter().any(|f| f == name) {
            m.files.push(name.to_string());
            changed = true;
        }
    }
    if !changed {
        return Ok(());
    }
    m.files.sort();
    let mut bytes = serde_json::to_vec_pretty(&m).map_err(|e| Error::Io(e.to_string()))?;
    bytes.push(b'\n');
    write_atomic(&folder.dir.join("manifest.json"), &bytes)
}

/// The results of each node of `model` (indexed like `model.nodes`) from the steps.csv of
/// the run folder `dir`, for `rungs graph --results`. The folder must be a run of a scenario
/// with these step ids; a node the folder does not have is `None`.
pub fn node_results(
    dir: &Path,
    model: &Model,
) -> Result<Vec<Option<crate::graph::NodeResult>>, Error> {
    let folder = Folder::read(dir)?;
    if folder.manifest.kind != "run" {
        return Err(Error::Usage(format!(
            "--results {}: a `{}` folder; give the folder of a `rungs run` (or merge) of this \
             scenario",
            dir.display(),
            folder.manifest.kind
        )));
    }
    let steps = folder.need("steps.csv")?;
    let (cs, cp, cm) = (
        steps.col("step").map_err(Error::Usage)?,
        steps.col("probability").map_err(Error::Usage)?,
        steps.col("time_p50").map_err(Error::Usage)?,
    );
    let out: Vec<Option<crate::graph::NodeResult>> = model
        .nodes
        .iter()
        .map(|n| {
            let r = (0..steps.rows.len()).find(|&r| steps.text(r, cs) == n.id)?;
            Some(crate::graph::NodeResult {
                probability: steps.num(r, cp)?,
                median: steps.num(r, cm),
            })
        })
        .collect();
    if out.iter().all(Option::is_none) {
        return Err(Error::Usage(format!(
            "--results {}: its steps.csv names none of this scenario's steps; give the \
             results of this scenario",
            dir.display()
        )));
    }
    Ok(out)
}
