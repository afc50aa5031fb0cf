//! A CSV file of an output folder, read as text cells.

use std::path::Path;

/// One CSV file: its name, header and rows, as the text of each cell.
#[derive(Clone, Debug)]
pub struct Csv {
    /// The file name (`steps.csv`).
    pub name: String,
    /// Column names.
    pub header: Vec<String>,
    /// Records.
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    /// Reads `path` (at most `limit` bytes), named `name` in messages.
    pub fn read(path: &Path, name: &str, limit: u64) -> Result<Csv, String> {
        let bytes = crate::input::read_bounded(path, limit, "results file")?;
        Csv::parse(name, &bytes)
    }

    /// Parses CSV bytes.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<Csv, String> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(bytes);
        let header = r
            .headers()
            .map_err(|e| format!("{name}: {e}"))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| format!("{name}: {e}"))?;
            rows.push(rec.iter().map(str::to_string).collect());
        }
        Ok(Csv {
            name: name.to_string(),
            header,
            rows,
        })
    }

    /// The index of column `col`, or an error naming the file.
    pub fn col(&self, col: &str) -> Result<usize, String> {
        self.header.iter().position(|h| h == col).ok_or_else(|| {
            format!(
                "{}: no column `{col}` (is this folder from another version of rungs?)",
                self.name
            )
        })
    }

    /// The index of column `col`, if present.
    pub fn has(&self, col: &str) -> Option<usize> {
        self.header.iter().position(|h| h == col)
    }

    /// The cell text at (`row`, `col`).
    pub fn text(&self, row: usize, col: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .map_or("", String::as_str)
    }

    /// The cell at (`row`, `col`) as a number; `None` if empty or not a number.
    pub fn num(&self, row: usize, col: usize) -> Option<f64> {
        self.text(row, col)
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    }

    /// Whether column `col` holds numbers: every non-empty cell parses as one, and at least
    /// one is there. Id and label columns are text whatever they hold.
    pub fn numeric(&self, col: usize) -> bool {
        const TEXT: [&str; 10] = [
            "step",
            "label",
            "actor",
            "kind",
            "outcome",
            "path",
            "parameter",
            "id",
            "variable",
            "rank_text",
        ];
        if self
            .header
            .get(col)
            .is_some_and(|h| TEXT.contains(&h.as_str()))
        {
            return false;
        }
        let mut any = false;
        for r in &self.rows {
            let t = r.get(col).map_or("", String::as_str);
            if t.is_empty() {
                continue;
            }
            if t.parse::<f64>().is_err() {
                return false;
            }
            any = true;
        }
        any
    }
}

/// A label as the scenario wrote it: the CSV writer puts a `'` before text that a
/// spreadsheet would run as a formula (`=1+1`); the page shows the text itself (escaped).
pub fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}
