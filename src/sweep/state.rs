//! What a design sweep keeps in its folder for `rungs extend` ([`STATE_FILE`]): for every
//! point, the [`RunState`] `rungs run` keeps in extend.json for a run (the merge tree of
//! its complete blocks, its short last block apart with where its stream stopped, its
//! draws), one point per line, so that a sweep of any number of points is written and read
//! back one point at a time.
//!
//! The first line is a sealed partial file ([`crate::partial::seal`]: the job, the scenario
//! text, a checksum) whose cover is the design's points. Each further line is
//! `{"point":P,"chain":H,"state":{...}}`, where `H` is the SHA-256 of the line before's `H`
//! (for the first point, of the first line) followed by the state's bytes: a line edited,
//! dropped, swapped or taken from another sweep's file breaks the chain and is refused.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::forecast::RunState;
use crate::output::{OutputDir, OutputFile};
use crate::partial::{self, Partial};

/// The file a design sweep's folder keeps for `rungs extend`.
pub const STATE_FILE: &str = "extend.jsonl";

/// The payload of the first line: how many point lines follow.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Head {
    /// Point lines that follow, one per point of the design, in point order.
    pub points: u64,
}

/// One point's line as read back, the state left as its exact bytes for the chain.
#[derive(Deserialize)]
struct LineIn<'a> {
    point: u64,
    chain: String,
    #[serde(borrow)]
    state: &'a serde_json::value::RawValue,
}

/// The next link of the chain: SHA-256 of the previous link's hex and `bytes`.
fn link(previous: &str, bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(previous.as_bytes());
    h.update(bytes);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes [`STATE_FILE`] into an output folder point by point, as the points finish.
pub struct StateWriter {
    file: OutputFile,
    chain: String,
    next: u64,
    points: u64,
}

impl StateWriter {
    /// Creates the file in `dir` with its first line: `head`, sealed, whose payload says
    /// how many points follow.
    pub fn create(dir: &OutputDir, head: &Partial<Head>) -> std::io::Result<StateWriter> {
        let mut first = partial::seal(head).map_err(std::io::Error::other)?;
        let chain = link("", &first);
        first.push(b'\n');
        let mut file = dir.create_file(STATE_FILE)?;
        file.write_all(&first)?;
        Ok(StateWriter {
            file,
            chain,
            next: 0,
            points: head.payload.points,
        })
    }

    /// Adds the state of point `point`, which must be the next in order.
    pub fn add(&mut self, point: usize, state: &RunState) -> std::io::Result<()> {
        if point as u64 != self.next || self.next >= self.points {
            return Err(std::io::Error::other(format!(
                "internal error: sweep point {point} kept out of order"
            )));
        }
        let bytes = serde_json::to_string(state).map_err(std::io::Error::other)?;
        self.chain = link(&self.chain, bytes.as_bytes());
        writeln!(
            self.file,
            "{{\"point\":{point},\"chain\":\"{}\",\"state\":{bytes}}}",
            self.chain
        )?;
        self.next += 1;
        Ok(())
    }

    /// Keeps point `point`'s state (the next in order), adds its draws to `drawn`, and
    /// returns its summary: what a sweep writes into its tables for the point.
    pub fn keep(
        &mut self,
        model: &crate::scenario::Model,
        point: usize,
        state: RunState,
        drawn: &mut u64,
    ) -> Result<crate::stats::Summary, crate::sweep::SweepError> {
        self.add(point, &state)?;
        *drawn += state.drawn;
        let tree = state.into_tree().map_err(crate::sweep::SweepError::Run)?;
        Ok(tree
            .finish()
            .unwrap_or_else(|| crate::stats::Summary::new(model)))
    }

    /// Flushes the file; every point must have been added.
    pub fn finish(mut self) -> std::io::Result<()> {
        if self.next != self.points {
            return Err(std::io::Error::other(format!(
                "internal error: {} of {} sweep points kept",
                self.next, self.points
            )));
        }
        self.file.flush()
    }
}

/// Reads [`STATE_FILE`] back point by point, checking the chain as it goes.
pub struct StateReader {
    lines: BufReader<File>,
    chain: String,
    next: u64,
    /// The first line: the job, the scenario text, the number of points.
    pub head: Partial<Head>,
}

impl StateReader {
    /// Opens the file at `path` and reads its first line (refusing anything but a regular
    /// file, and lines longer than a partial file may be). Errors are sentences without the
    /// file name.
    pub fn open(path: &Path) -> Result<StateReader, String> {
        let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
        if !meta.is_file() {
            return Err("not a regular file".into());
        }
        let file = File::open(path).map_err(|e| e.to_string())?;
        let mut lines = BufReader::new(file);
        let first = read_line(&mut lines)?.ok_or("empty")?;
        let chain = link("", &first);
        let part = partial::open(&first)?;
        let payload: Head = serde_json::from_value(part.payload.clone())
            .map_err(|e| format!("damaged: its first line ({e})"))?;
        let head = Partial {
            job: part.job,
            scenario_text: part.scenario_text,
            shard: part.shard,
            covers: part.covers,
            total: part.total,
            payload,
        };
        Ok(StateReader {
            lines,
            chain,
            next: 0,
            head,
        })
    }

    /// The state of the next point (they come in point order).
    pub fn next_state(&mut self) -> Result<RunState, String> {
        let p = self.next;
        let damaged = |why: &str| format!("damaged at point {p}: {why}");
        if p >= self.head.payload.points {
            return Err(damaged("the file has fewer points than the design"));
        }
        let line = read_line(&mut self.lines)?.ok_or_else(|| damaged("the file ends early"))?;
        let parsed: LineIn<'_> = serde_json::from_slice(&line)
            .map_err(|e| damaged(&format!("not a point's line ({e})")))?;
        let chain = link(&self.chain, parsed.state.get().as_bytes());
        if parsed.point != p || parsed.chain != chain {
            return Err(damaged(
                "its checksum does not follow from the lines before (was it edited, \
                 truncated or put together from other files?)",
            ));
        }
        let state: RunState = serde_json::from_str(parsed.state.get())
            .map_err(|e| damaged(&format!("its state does not parse ({e})")))?;
        self.chain = chain;
        self.next += 1;
        Ok(state)
    }

    /// Checks that every point was read and nothing follows.
    pub fn finish(mut self) -> Result<(), String> {
        if self.next != self.head.payload.points {
            return Err(format!(
                "{} of its {} points were read",
                self.next, self.head.payload.points
            ));
        }
        match read_line(&mut self.lines)? {
            None => Ok(()),
            Some(_) => Err("damaged: lines after the last point".into()),
        }
    }
}

/// One line without its newline (None at the end of the file), at most
/// [`partial::MAX_PARTIAL_BYTES`] long.
fn read_line(r: &mut BufReader<File>) -> Result<Option<Vec<u8>>, String> {
    let mut line = Vec::new();
    let limit = partial::MAX_PARTIAL_BYTES;
    let n = r
        .by_ref()
        .take(limit + 1)
        .read_until(b'\n', &mut line)
        .map_err(|e| e.to_string())?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
    } else if n as u64 > limit {
        return Err(format!(
            "damaged: a line longer than {} bytes",
            partial::MAX_PARTIAL_BYTES
        ));
    }
    Ok(Some(line))
}
