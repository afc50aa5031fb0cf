//! manifest.json: what produced the files, enough to reproduce them.

use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::output::OutputDir;
use crate::partial::JobIdentity;

/// One `--set NAME=VALUE`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Override {
    /// Parameter id.
    pub name: String,
    /// Value it was fixed to.
    pub value: f64,
}

/// The largest manifest.json [`Manifest::read`] accepts: it holds the scenario text (twice
/// for compare), each at most [`MAX_FILE_BYTES`](crate::scenario::load::MAX_FILE_BYTES)
/// and at most 6 times longer once escaped as JSON (`\u0001`).
pub const MAX_MANIFEST_BYTES: u64 =
    2 * 6 * crate::scenario::load::MAX_FILE_BYTES as u64 + (1 << 20);

/// The contents of manifest.json (serialized with these field names, in this order).
///
/// Fields added since the first format (`kind`, `files`, `options`, `scenario_text`) read
/// as empty from an older manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `rungs`.
    pub tool: String,
    /// The rungs version.
    pub tool_version: String,
    /// The command whose results these are: `run` (also for a `merge` of run partials),
    /// `sweep`, `compare`.
    pub command: String,
    /// What the folder holds, which says how to read it: `run`, `sweep`, `tornado`,
    /// `importance`, `tornado+importance` or `compare`.
    #[serde(default)]
    pub kind: String,
    /// The files rungs wrote into the folder, manifest.json included, sorted by name.
    #[serde(default)]
    pub files: Vec<String>,
    /// The scenario path as given on the command line.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes, lowercase hex.
    pub scenario_sha256: String,
    /// The seed.
    pub seed: u64,
    /// Runs (per point, for a sweep).
    pub runs: u64,
    /// `--set` overrides, in the order given.
    pub overrides: Vec<Override>,
    /// Worker threads (of this process; for `merge`, of the merging process).
    pub threads: usize,
    /// Number of shards the work was split into (1 if not sharded).
    pub shards: u64,
    /// When the command started, RFC 3339 UTC (`2026-11-05T14:03:27Z`).
    pub start_time: String,
    /// Wall-clock seconds the command took (milliseconds precision).
    pub wall_time_seconds: f64,
    /// Every other option that shaped the files: `paths`, `per_run` and `conditional` for
    /// a run, the
    /// design and the sensitivity tables for a sweep, the second scenario of a compare.
    #[serde(default)]
    pub options: serde_json::Value,
    /// The scenario file's text, exactly as it was loaded (its SHA-256 is
    /// `scenario_sha256`): with the options above, the folder alone can rerun the command.
    #[serde(default)]
    pub scenario_text: String,
    /// The observations the runs are conditioned on (`--given`), as `STEP<=T`, `STEP>T`,
    /// `STEP=T1..T2`; absent without news. `runs` then counts the runs that agree.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given: Vec<String>,
    /// With news: the runs drawn to find `runs` that agree (their ratio is the acceptance
    /// rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs_drawn: Option<u64>,
    /// For a folder `rungs extend` topped up: the runs it held before (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_from: Option<u64>,
}

impl Manifest {
    /// Reads `dir/manifest.json`, refusing a file that is not rungs' (wrong `tool`), too
    /// large, or whose `scenario_text` does not have the recorded SHA-256: a folder whose
    /// manifest does not describe it must not be taken for one that does.
    pub fn read(dir: &Path) -> Result<Manifest, String> {
        let path = dir.join("manifest.json");
        let bytes = crate::input::read_bounded(&path, MAX_MANIFEST_BYTES, "manifest")?;
        let m: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not a rungs manifest ({e})", path.display()))?;
        if m.tool != "rungs" {
            return Err(format!(
                "{}: written by `{}`, not by rungs",
                path.display(),
                super::human::terminal_text(&m.tool, super::human::MAX_SHOWN_CHARS)
            ));
        }
        if !m.scenario_text.is_empty()
            && crate::partial::sha256_hex(m.scenario_text.as_bytes()) != m.scenario_sha256
        {
            return Err(format!(
                "{}: the scenario text does not match its scenario_sha256; the manifest was \
                 edited or damaged",
                path.display()
            ));
        }
        Ok(m)
    }
}

impl Manifest {
    /// A manifest for `command` on the scenario at `scenario_path` whose bytes are
    /// `scenario_bytes`, started at `start` and lasting `wall`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        command: &str,
        scenario_path: &str,
        scenario_bytes: &[u8],
        seed: u64,
        runs: u64,
        overrides: &[(String, f64)],
        threads: usize,
        shards: u64,
        start: SystemTime,
        wall: Duration,
    ) -> Manifest {
        let job = JobIdentity::new(
            command,
            std::path::Path::new(scenario_path),
            scenario_bytes,
            seed,
            runs,
            overrides,
        );
        Manifest::for_job(&job, threads, shards, start, wall)
    }

    /// The manifest of the job a partial file or a command identifies.
    pub fn for_job(
        job: &JobIdentity,
        threads: usize,
        shards: u64,
        start: SystemTime,
        wall: Duration,
    ) -> Manifest {
        Manifest {
            tool: "rungs".to_string(),
            tool_version: job.tool_version.clone(),
            command: job.command.clone(),
            kind: job.command.clone(),
            files: Vec::new(),
            scenario_path: job.scenario_path.clone(),
            scenario_sha256: job.scenario_sha256.clone(),
            seed: job.seed,
            runs: job.runs,
            overrides: job
                .overrides
                .iter()
                .map(|(name, value)| Override {
                    name: name.clone(),
                    value: *value,
                })
                .collect(),
            threads,
            shards,
            start_time: rfc3339_utc(start),
            wall_time_seconds: wall.as_millis() as f64 / 1000.0,
            options: serde_json::json!({}),
            scenario_text: String::new(),
            given: Vec::new(),
            runs_drawn: None,
            extended_from: None,
        }
    }
}

impl Manifest {
    /// Records the news of `job` (its `given` option, as `--given` put it there) and the
    /// runs drawn to find the agreeing ones; nothing without news.
    pub fn record_news(&mut self, job: &JobIdentity, runs_drawn: Option<u64>) {
        if let Some((_, given)) = job.options.iter().find(|(k, _)| k == "given") {
            self.given = given.split("; ").map(str::to_string).collect();
            self.runs_drawn = runs_drawn;
        }
    }
}

/// Writes `manifest.json` (pretty JSON, trailing newline) into `dir`, last: its `files` are
/// the files already in the folder (hidden bookkeeping files aside) and manifest.json.
pub fn write_manifest(dir: &OutputDir, manifest: &Manifest) -> io::Result<()> {
    let mut files = vec!["manifest.json".to_string()];
    for entry in std::fs::read_dir(dir.path())? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && entry.file_type()?.is_file() && name != "manifest.json" {
            files.push(name);
        }
    }
    files.sort();
    let manifest = Manifest {
        files,
        ..manifest.clone()
    };
    let mut f = dir.create_file("manifest.json")?;
    serde_json::to_writer_pretty(&mut f, &manifest).map_err(io::Error::other)?;
    f.write_all(b"\n")?;
    f.flush()
}

/// `t` as RFC 3339 in UTC to the second, e.g. `2026-11-05T14:03:27Z` (times before 1970
/// are written as 1970-01-01T00:00:00Z).
pub fn rfc3339_utc(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`,
/// proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        let at = |s: u64| rfc3339_utc(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        // `date -u -d @951782400` : 2000-02-29 00:00:00 (a leap day of a century leap year).
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        // `date -u -d @1735689599`: 2024-12-31 23:59:59.
        assert_eq!(at(1_735_689_599), "2024-12-31T23:59:59Z");
        // `date -u -d @4102444800`: 2100-01-01 00:00:00.
        assert_eq!(at(4_102_444_800), "2100-01-01T00:00:00Z");
    }
}
