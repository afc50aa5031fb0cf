//! Partial results of shards (`--shard K/N`) and the checks `rungs merge` makes before it
//! combines them.
//!
//! A partial file is self-describing JSON: a format tag and version, the tool version, the
//! command, the scenario's text and SHA-256, the seed, the total run count, the overrides,
//! which part of the work it covers, and the accumulated statistics of that part. The
//! scenario text travels inside so that `merge` needs nothing but the partial files.

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `format` tag of a partial file.
pub const FORMAT: &str = "rungs-partial";
/// The version of the partial format; merge refuses others. Version 2 seals the file with a
/// SHA-256 of its body ([`seal`], [`open`]). Version 3 adds exact value counts to every
/// distribution and repeat counts to the steps that can repeat
/// ([`Dist`](crate::stats::summary::Dist), [`NodeStats`](crate::stats::summary::NodeStats)).
/// Version 4 adds the counts of conditional.csv
/// ([`Conditional`](crate::stats::conditional::Conditional)).
pub const FORMAT_VERSION: u32 = 4;

/// The largest partial file `merge` reads. A shard's statistics are bounded (paths are
/// pruned to a fixed count, sketches have a bounded number of buckets): real partials of
/// the shipped scenarios are a few megabytes; this bound only stops a wrong file
/// (`/dev/zero`, a disk image) from exhausting memory.
pub const MAX_PARTIAL_BYTES: u64 = 1 << 30;

/// What every partial of one job must agree on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobIdentity {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The rungs version that wrote it (outputs may differ between versions).
    pub tool_version: String,
    /// `run` or `sweep`.
    pub command: String,
    /// The scenario path as given on the command line (informative only).
    pub scenario_path: String,
    /// SHA-256 of the scenario file, hex.
    pub scenario_sha256: String,
    /// The seed.
    pub seed: u64,
    /// Runs per point (the whole job's, not the shard's).
    pub runs: u64,
    /// `--set` overrides, in the order given.
    pub overrides: Vec<(String, f64)>,
    /// Options that change the numbers or the files (e.g. the sweep design), as text.
    pub options: Vec<(String, String)>,
}

/// Why the model of a job could not be rebuilt ([`JobIdentity::model`]).
#[derive(Debug)]
pub enum JobModelError {
    /// The scenario text does not load with this rungs.
    Scenario(Box<crate::diag::Diagnostics>),
    /// A `--set` override names a parameter the scenario does not have.
    UnknownOverride(String),
}

impl JobIdentity {
    /// The model the job ran: `scenario_text` (the text the partial or state file carries)
    /// loaded, with the job's `--set` overrides applied. Merging and extending need nothing
    /// but the files.
    pub fn model(&self, scenario_text: &str) -> Result<crate::scenario::Model, JobModelError> {
        let (mut model, _warnings) = crate::scenario::load_str(&self.scenario_path, scenario_text)
            .map_err(|d| JobModelError::Scenario(Box::new(d)))?;
        for (name, value) in &self.overrides {
            let i = model
                .param_index(name)
                .ok_or_else(|| JobModelError::UnknownOverride(name.clone()))?;
            model.set_param(i, *value);
        }
        Ok(model)
    }

    /// The identity of a job, for `command` on the scenario `path` whose bytes are `text`.
    pub fn new(
        command: &str,
        path: &Path,
        text: &[u8],
        seed: u64,
        runs: u64,
        overrides: &[(String, f64)],
    ) -> Self {
        JobIdentity {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_string(),
            scenario_path: path.display().to_string(),
            scenario_sha256: sha256_hex(text),
            seed,
            runs,
            overrides: overrides.to_vec(),
            options: Vec::new(),
        }
    }

    /// The first field in which `other` differs from `self`, as a sentence.
    pub fn mismatch(&self, other: &JobIdentity) -> Option<String> {
        let differs =
            |what: &str, a: String, b: String| Some(format!("{what} differ: {a} and {b}"));
        if self.format != other.format || self.format_version != other.format_version {
            return differs(
                "partial-file formats",
                format!("{} v{}", self.format, self.format_version),
                format!("{} v{}", other.format, other.format_version),
            );
        }
        if self.tool_version != other.tool_version {
            return differs(
                "rungs versions",
                self.tool_version.clone(),
                other.tool_version.clone(),
            );
        }
        if self.command != other.command {
            return differs("commands", self.command.clone(), other.command.clone());
        }
        if self.scenario_sha256 != other.scenario_sha256 {
            return differs(
                "scenario files (SHA-256)",
                self.scenario_sha256.clone(),
                other.scenario_sha256.clone(),
            );
        }
        if self.seed != other.seed {
            return differs("seeds", self.seed.to_string(), other.seed.to_string());
        }
        if self.runs != other.runs {
            return differs("run counts", self.runs.to_string(), other.runs.to_string());
        }
        if self.overrides != other.overrides {
            return differs(
                "--set overrides",
                format!("{:?}", self.overrides),
                format!("{:?}", other.overrides),
            );
        }
        if self.options != other.options {
            return differs(
                "options",
                format!("{:?}", self.options),
                format!("{:?}", other.options),
            );
        }
        None
    }
}

/// A shard's partial result.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Partial<T> {
    /// What job it belongs to.
    pub job: JobIdentity,
    /// The scenario file's text (so `merge` can write labels and ids without the file).
    pub scenario_text: String,
    /// `K/N` as given.
    pub shard: (u64, u64),
    /// The units of work it covers (blocks of runs for `run`, points for `sweep`).
    pub covers: Range<u64>,
    /// How many units the whole job has.
    pub total: u64,
    /// The statistics of its part.
    pub payload: T,
}

/// The outer object of a partial file: the SHA-256 of the body's exact bytes, then the body
/// (a [`Partial`] as JSON). Any change to the body, a flipped bit included, makes the
/// checksum disagree, so `merge` refuses it instead of adding wrong counts.
#[derive(Serialize)]
struct Sealed<'a> {
    format: &'static str,
    sha256: String,
    partial: &'a serde_json::value::RawValue,
}

/// The outer object as read back, with the body left as raw text so the checksum is
/// computed over exactly the bytes that were written.
#[derive(Deserialize)]
struct SealedIn<'a> {
    format: String,
    sha256: String,
    #[serde(borrow)]
    partial: &'a serde_json::value::RawValue,
}

/// The bytes of a partial file: `{"format":"rungs-partial","sha256":"…","partial":{…}}`.
pub fn seal<T: Serialize>(partial: &Partial<T>) -> Result<Vec<u8>, serde_json::Error> {
    let body = serde_json::to_string(partial)?;
    let raw = serde_json::value::RawValue::from_string(body)?;
    let sealed = Sealed {
        format: FORMAT,
        sha256: sha256_hex(raw.get().as_bytes()),
        partial: &raw,
    };
    serde_json::to_vec(&sealed)
}

/// Reads the bytes of a partial file written by [`seal`]: checks the checksum over the body,
/// the scenario text against its SHA-256, and the shape of the cover (`K < N`, a non-empty
/// range inside `0..total`). The payload is left as JSON: its type depends on the command,
/// and its own consistency is checked where it is decoded. Errors are sentences without the
/// file name (the caller adds it).
pub fn open(bytes: &[u8]) -> Result<Partial<serde_json::Value>, String> {
    let not_partial = |e: &dyn std::fmt::Display| {
        format!(
            "not a rungs partial file ({e}); partial files are the shard-K-of-N.json files \
             that `rungs run --shard K/N` and `rungs sweep --shard K/N` write"
        )
    };
    let sealed: SealedIn = serde_json::from_slice(bytes).map_err(|e| not_partial(&e))?;
    if sealed.format != FORMAT {
        return Err(not_partial(&format!("format `{}`", sealed.format)));
    }
    let body = sealed.partial.get();
    if sha256_hex(body.as_bytes()) != sealed.sha256 {
        return Err(
            "damaged: its checksum does not match its contents (was it edited, \
                    truncated or corrupted in transfer?); run that shard again"
                .to_string(),
        );
    }
    let part: Partial<serde_json::Value> =
        serde_json::from_str(body).map_err(|e| not_partial(&e))?;
    if part.job.format != FORMAT || part.job.format_version != FORMAT_VERSION {
        return Err(format!(
            "written in partial format {} v{}; this rungs reads {FORMAT} v{FORMAT_VERSION} \
             (merge with the rungs version that wrote it: {})",
            part.job.format, part.job.format_version, part.job.tool_version
        ));
    }
    if sha256_hex(part.scenario_text.as_bytes()) != part.job.scenario_sha256 {
        return Err("damaged: the scenario text it carries does not match its SHA-256".to_string());
    }
    let (k, n) = part.shard;
    if n == 0 || k >= n {
        return Err(format!("damaged: shard {k}/{n} is not K/N with 0 <= K < N"));
    }
    if part.covers.start > part.covers.end || part.covers.end > part.total {
        return Err(format!(
            "damaged: it covers {}..{} of a job of {} units",
            part.covers.start, part.covers.end, part.total
        ));
    }
    Ok(part)
}

/// Writes a shard's partial file into `dir` as [`file_name`] of its shard, atomically
/// ([`write_file_atomically`](crate::output::write_file_atomically)): a killed shard never
/// leaves a truncated part for `merge` to trip on, and other shards' files in the folder are
/// left alone. Returns the path written; errors name it.
pub fn write<T: Serialize>(dir: &Path, partial: &Partial<T>) -> Result<std::path::PathBuf, String> {
    let path = dir.join(file_name(partial.shard.0, partial.shard.1));
    let bytes = seal(partial).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    crate::output::write_file_atomically(&path, &bytes).map_err(|e| e.to_string())?;
    Ok(path)
}

/// Reads and [`open`]s the partial file at `path`, refusing anything but a regular file of at
/// most [`MAX_PARTIAL_BYTES`] (a FIFO would hang the read, `/dev/zero` would never end).
pub fn read_file(path: &Path) -> Result<Partial<serde_json::Value>, String> {
    let bytes = crate::input::read_bounded(path, MAX_PARTIAL_BYTES, "partial file")?;
    open(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parses `K/N` (0 <= K < N).
pub fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--shard takes K/N with 0 <= K < N (e.g. 0/4), got `{s}`");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let k: u64 = k.trim().parse().map_err(|_| bad())?;
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

/// The file name a shard writes in its output folder.
pub fn file_name(k: u64, n: u64) -> String {
    format!("shard-{k}-of-{n}.json")
}

/// Checks that `parts` (any order) are of one job and cover `0..total` exactly once;
/// returns them sorted by coverage.
pub fn check_cover<T>(
    mut parts: Vec<(String, Partial<T>)>,
) -> Result<Vec<(String, Partial<T>)>, String> {
    let Some((first_name, first)) = parts.first() else {
        return Err("no partial files given".to_string());
    };
    let (first_name, job, total) = (first_name.clone(), first.job.clone(), first.total);
    for (name, p) in &parts {
        if let Some(why) = job.mismatch(&p.job) {
            return Err(format!(
                "{first_name} and {name} are not parts of the same job: {why}"
            ));
        }
        if p.total != total {
            return Err(format!(
                "{first_name} and {name} disagree on the size of the job"
            ));
        }
    }
    parts.sort_by_key(|(_, p)| (p.covers.start, p.covers.end));
    let mut at = 0;
    let mut prev = String::new();
    for (name, p) in &parts {
        let (s, e) = (p.covers.start, p.covers.end);
        if s > at {
            let unit = if job.command == "sweep" {
                "points"
            } else {
                "blocks of runs"
            };
            return Err(format!(
                "a gap: no partial file covers {unit} {at}..{s} (after {}); is a shard missing?",
                if prev.is_empty() {
                    "the start".to_string()
                } else {
                    prev.clone()
                }
            ));
        }
        if s < at {
            return Err(format!(
                "{prev} and {name} overlap: the same work would be counted twice"
            ));
        }
        at = e;
        prev = name.clone();
    }
    if at != total {
        return Err(format!(
            "a gap at the end: the partial files cover up to {at} of {total}; is a shard missing?"
        ));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(start: u64, end: u64) -> (String, Partial<()>) {
        let job = JobIdentity::new("run", Path::new("x.toml"), b"text", 1, 10, &[]);
        (
            format!("p{start}"),
            Partial {
                job,
                scenario_text: String::new(),
                shard: (0, 1),
                covers: start..end,
                total: 10,
                payload: (),
            },
        )
    }

    #[test]
    fn cover_accepts_any_order_and_refuses_gaps_and_overlaps() {
        assert!(check_cover(vec![part(5, 10), part(0, 5)]).is_ok());
        assert!(
            check_cover(vec![part(0, 4), part(5, 10)])
                .unwrap_err()
                .contains("gap")
        );
        assert!(
            check_cover(vec![part(0, 6), part(5, 10)])
                .unwrap_err()
                .contains("overlap")
        );
        assert!(check_cover(vec![part(0, 6)]).unwrap_err().contains("end"));
        let mut other = part(5, 10);
        other.1.job.seed = 2;
        assert!(
            check_cover(vec![part(0, 5), other])
                .unwrap_err()
                .contains("seeds")
        );
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(parse_shard("3/8"), Ok((3, 8)));
        assert!(parse_shard("8/8").is_err());
        assert!(parse_shard("1").is_err());
        assert!(parse_shard("0/0").is_err());
    }
}
