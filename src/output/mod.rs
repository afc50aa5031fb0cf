//! The files `rungs run` writes (see docs/outputs.md), written atomically.
//!
//! Entry points, in the order a command uses them:
//! 1. [`OutputDir::create`] makes a temporary folder beside the target;
//! 2. with `--per-run`, [`runs_header`] then [`format_run`] (an
//!    [`engine::many::RunFormatter`](crate::engine::many::RunFormatter)) stream `runs.csv`
//!    into [`OutputDir::create_file`];
//! 3. [`write_run_outputs`] writes the statistics CSVs from a finished [`Summary`], and
//!    [`write_conditional`] conditional.csv (unless `--conditional off`);
//! 4. [`write_manifest`] writes `manifest.json`;
//! 5. [`OutputDir::commit`] renames the folder into place (dropping it uncommitted removes it);
//! 6. [`human_summary`] is the text for stdout.
//!
//! The tables are also available one by one as [`Table`]s ([`steps_table`], ...), for
//! commands that prefix columns (sweeps).
//!
//! # Numbers
//! Every number is written with Rust's shortest round-trip formatting of f64 (`{}`): the
//! fewest digits that read back as the same f64, never an exponent (1e-7 is written
//! `0.0000001`), `-0` written `0`. An undefined value (the time statistics of a step that
//! never happened, the sd of a single value, any non-finite value) is an empty cell.
//!
//! # CSV
//! RFC 4180 quoting through the `csv` crate: a field is quoted when it holds a comma, a quote
//! or a line break, and quotes inside are doubled. Records end with `\n`.

mod conditional;
mod dir;
pub(crate) mod human;
mod manifest;
mod runs;
mod tables;

pub use conditional::{
    CONDITIONAL_COLUMNS, CONDITIONAL_FILE, ConditionalRows, DEFAULT_CONDITIONAL_TOP,
    conditional_table,
};
pub use dir::{OutputDir, OutputFile, check_out, result_tables, write_file_atomically};
pub use human::human_summary;
pub use manifest::{Manifest, write_manifest};
pub use runs::{format_run, runs_header};
pub use tables::{
    outcomes_table, parameters_table, paths_table, rungs_table, state_table, steps_table,
    timeline_table,
};

use std::io::{self, Write};

use crate::scenario::Model;
use crate::stats::Summary;

/// Default number of rows of paths.csv (`--paths N`).
pub const DEFAULT_PATHS_TOP: usize = 1000;

/// A CSV table: a header and rows of already formatted cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Records, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names and no rows.
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Writes the table as CSV (RFC 4180 quoting), every cell passed through
    /// [`spreadsheet_safe`].
    pub fn write_csv<W: Write>(&self, w: W) -> io::Result<()> {
        let mut csv = csv::Writer::from_writer(w);
        write_record(&mut csv, &self.header)?;
        for r in &self.rows {
            write_record(&mut csv, r)?;
        }
        csv.flush()?;
        Ok(())
    }

    /// The table as CSV text.
    pub fn to_csv_string(&self) -> String {
        let mut buf = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.write_csv(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    }
}

/// Writes one CSV record, every cell passed through [`spreadsheet_safe`]: how every table
/// rungs writes gets its rows, whole or streamed.
pub fn write_record<W: Write>(csv: &mut csv::Writer<W>, cells: &[String]) -> io::Result<()> {
    csv.write_record(cells.iter().map(|c| spreadsheet_safe(c).into_owned()))?;
    Ok(())
}

/// A cell as it can be opened in a spreadsheet without harm. Text from a scenario file (a
/// label, a description) that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// would be read by Excel or LibreOffice as a formula (`=HYPERLINK(...)`,
/// `=WEBSERVICE(...)`); as OWASP advises for CSV injection, such a cell gets a leading `'`,
/// which spreadsheets show as text. A cell that is a plain number (`-0.25`, `-3`,
/// `1e-05`) is left as it is: numbers stay numbers, and a number is not a formula.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A number as written in every output (see the module documentation); empty if not
/// finite.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        String::new()
    } else if x == 0.0 {
        "0".to_string()
    } else {
        format!("{x}")
    }
}

/// [`num`] of a value that may not exist.
pub fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

/// The statistics files of `rungs run` (and `rungs merge`), in the order they are written.
/// runs.csv (`--per-run`) and manifest.json come beside them.
pub const STATISTICS_FILES: [&str; 7] = [
    "steps.csv",
    "outcomes.csv",
    "rungs.csv",
    "state.csv",
    "parameters.csv",
    "timeline.csv",
    "paths.csv",
];

/// Writes the [`STATISTICS_FILES`] (paths.csv with the `paths_top` most frequent paths) into
/// `dir`.
pub fn write_run_outputs(
    dir: &OutputDir,
    model: &Model,
    summary: &Summary,
    paths_top: usize,
) -> io::Result<()> {
    let tables = [
        steps_table(model, summary),
        outcomes_table(model, summary),
        rungs_table(model, summary),
        state_table(model, summary),
        parameters_table(model, summary),
        timeline_table(model, summary),
        paths_table(model, summary, paths_top),
    ];
    for (name, table) in STATISTICS_FILES.into_iter().zip(tables) {
        dir.write_table(name, &table)?;
    }
    Ok(())
}

/// Writes [`CONDITIONAL_FILE`] into `dir` with the rows `rows` keeps; nothing for `off` or a
/// scenario too large for conditional counts ([`crate::stats::conditional`]). Returns
/// whether it was written.
pub fn write_conditional(
    dir: &OutputDir,
    model: &Model,
    summary: &Summary,
    rows: ConditionalRows,
) -> io::Result<bool> {
    match conditional_table(model, summary, rows) {
        Some(table) => dir.write_table(CONDITIONAL_FILE, &table).map(|()| true),
        None => Ok(false),
    }
}
