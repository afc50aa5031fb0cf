//! report.xlsx: a `charts` sheet of native Excel charts, then one sheet per CSV (numbers as
//! numbers, the header frozen, columns sized), and `chart_data`, the cells the charts draw
//! copied into contiguous ranges (a chart series needs one range; the long CSV tables hold
//! one outcome's rows apart). No cell is computed: every value is a CSV cell.

use rust_xlsxwriter::{
    Chart, ChartLegendPosition, ChartType, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use super::table::{Csv, unguard};
use super::{Error, Folder, Options};

fn xe(e: XlsxError) -> Error {
    Error::Io(format!("cannot write report.xlsx: {e}"))
}

/// A sheet name for file `name`: its stem, at most 31 characters.
fn sheet_name(name: &str) -> String {
    name.trim_end_matches(".csv").chars().take(31).collect()
}

/// Writes `t` into `ws` from row 0: bold frozen header, numeric columns as numbers.
fn write_table(ws: &mut Worksheet, t: &Csv, bold: &Format) -> Result<(), Error> {
    let numeric: Vec<bool> = (0..t.header.len()).map(|c| t.numeric(c)).collect();
    let mut widths: Vec<usize> = t.header.iter().map(|h| h.chars().count() + 2).collect();
    for (c, h) in t.header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, bold)
            .map_err(xe)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let rr = (r + 1) as u32;
        if rr >= 1_048_576 {
            break;
        }
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let cc = c as u16;
            match (numeric.get(c), cell.parse::<f64>()) {
                (Some(true), Ok(v)) => {
                    ws.write_number(rr, cc, v).map_err(xe)?;
                }
                _ => {
                    // A string cell is never a formula, so the label is shown as written.
                    ws.write_string(rr, cc, unguard(cell)).map_err(xe)?;
                }
            }
            if r < 2000 {
                let w = if numeric.get(c) == Some(&true) {
                    cell.len().min(14)
                } else {
                    cell.chars().count()
                };
                if let Some(m) = widths.get_mut(c) {
                    *m = (*m).max(w + 2);
                }
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64)
            .map_err(xe)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xe)?;
    Ok(())
}

/// A block of `chart_data`: a header row, then columns of numbers or text.
struct Block {
    title: String,
    header: Vec<String>,
    /// `rows[r][c]`: a number, or a text (categories).
    rows: Vec<Vec<Cell>>,
}

impl Block {
    /// The largest number among the rows (-inf when there is none).
    fn max_value(&self) -> f64 {
        let nums = self.rows.iter().flatten().filter_map(|c| match c {
            Cell::Num(v) => Some(*v),
            _ => None,
        });
        nums.fold(f64::NEG_INFINITY, f64::max)
    }
}

#[derive(Clone)]
enum Cell {
    Num(f64),
    Text(String),
    Empty,
}

/// Where a block landed: its first data row and its last, in `chart_data`.
struct Placed {
    first: u32,
    last: u32,
}

const DATA: &str = "chart_data";

fn place(ws: &mut Worksheet, row: &mut u32, b: &Block, bold: &Format) -> Result<Placed, Error> {
    ws.write_string_with_format(*row, 0, &b.title, bold)
        .map_err(xe)?;
    *row += 1;
    for (c, h) in b.header.iter().enumerate() {
        ws.write_string_with_format(*row, c as u16, h, bold)
            .map_err(xe)?;
    }
    *row += 1;
    let first = *row;
    for r in &b.rows {
        for (c, v) in r.iter().enumerate() {
            match v {
                Cell::Num(x) => {
                    ws.write_number(*row, c as u16, *x).map_err(xe)?;
                }
                Cell::Text(s) => {
                    ws.write_string(*row, c as u16, s).map_err(xe)?;
                }
                Cell::Empty => {}
            }
        }
        *row += 1;
    }
    let last = row.saturating_sub(1).max(first);
    *row += 1;
    Ok(Placed { first, last })
}

fn chart(kind: ChartType, title: &str, x: &str, y: &str) -> Chart {
    let mut c = Chart::new(kind);
    c.title().set_name(title);
    c.x_axis().set_name(x);
    c.y_axis().set_name(y);
    c.legend().set_position(ChartLegendPosition::Bottom);
    c.set_width(760).set_height(400);
    c
}

/// The workbook's bytes.
pub fn workbook(folder: &Folder, o: &Options) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_align(FormatAlign::Left);
    // The charts sheet first, so that the workbook opens on it.
    wb.add_worksheet().set_name("charts").map_err(xe)?;
    for t in &folder.tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.name)).map_err(xe)?;
        write_table(ws, t, &bold)?;
    }
    let mut charts: Vec<Chart> = Vec::new();
    let blocks = blocks(folder, o)?;
    if !blocks.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name(DATA).map_err(xe)?;
        let mut row = 0;
        for (b, kind, xl, yl) in &blocks {
            let p = place(ws, &mut row, b, &bold)?;
            let mut c = chart(*kind, &b.title, xl, yl);
            let horizontal = matches!(kind, ChartType::Bar);
            for s in 1..b.header.len() {
                c.add_series()
                    .set_name((DATA, p.first - 1, s as u16))
                    .set_categories((DATA, p.first, 0, p.last, 0))
                    .set_values((DATA, p.first, s as u16, p.last, s as u16));
            }
            if yl.contains('%') {
                let axis = if horizontal { c.x_axis() } else { c.y_axis() };
                axis.set_num_format("0%");
                // A probability axis ends at 100%: left to itself, Excel (and LibreOffice)
                // run it to 120% above values near 1. Below 0.8 the automatic end is under
                // 100% anyway, and a rare outcome keeps its own scale.
                if b.max_value() > 0.8 {
                    axis.set_max(1.0);
                }
            }
            if horizontal {
                // First row at the top, the value axis kept at the bottom.
                c.y_axis()
                    .set_reverse()
                    .set_crossing(rust_xlsxwriter::ChartAxisCrossing::Max);
                c.x_axis().set_name(yl);
                c.y_axis().set_name(xl);
            }
            charts.push(c);
        }
        ws.set_column_width(0, 40).map_err(xe)?;
    }
    let ws = wb.worksheet_from_name("charts").map_err(xe)?;
    ws.write_string_with_format(
        0,
        0,
        "Native charts of the sheets that follow (chart_data holds the cells they draw, copied from the CSV sheets). Restyle them as you like.",
        &bold,
    )
    .map_err(xe)?;
    for (i, c) in charts.iter().enumerate() {
        ws.insert_chart((2 + 22 * i) as u32, 0, c).map_err(xe)?;
    }
    wb.save_to_buffer().map_err(xe)
}

type Spec = (Block, ChartType, String, String);

fn col(t: &Csv, c: &str) -> Result<usize, Error> {
    t.col(c).map_err(Error::Usage)
}

fn num(t: &Csv, r: usize, c: usize) -> Cell {
    t.num(r, c).map_or(Cell::Empty, Cell::Num)
}

/// The chart blocks of `folder`: (data, chart type, x label, y label).
fn blocks(folder: &Folder, o: &Options) -> Result<Vec<Spec>, Error> {
    let mut out: Vec<Spec> = Vec::new();
    let kind = folder.manifest.kind.as_str();
    if kind == "run" {
        out.extend(run_blocks(folder, o)?);
    }
    if kind == "sweep" {
        out.extend(sweep_blocks(folder, o)?);
    }
    if kind.contains("tornado") {
        out.extend(tornado_block(folder, o)?);
    }
    if kind.contains("importance") {
        out.extend(importance_block(folder, o)?);
    }
    if kind == "compare" {
        out.extend(compare_block(folder)?);
    }
    Ok(out)
}

/// The charts of a run: outcomes, the timeline and the rungs of the whole ladder.
fn run_blocks(folder: &Folder, o: &Options) -> Result<Vec<Spec>, Error> {
    let mut out: Vec<Spec> = Vec::new();
    let unit = folder.time_unit();
    let oc = folder.need("outcomes.csv")?;
    let (co, cp) = (col(oc, "outcome")?, col(oc, "probability")?);
    out.push((
        Block {
            title: "How the runs ended".into(),
            header: vec!["outcome".into(), "probability".into()],
            rows: (0..oc.rows.len())
                .map(|r| vec![Cell::Text(oc.text(r, co).into()), num(oc, r, cp)])
                .collect(),
        },
        ChartType::Bar,
        "outcome".into(),
        "share of runs (%)".into(),
    ));
    let tl = folder.need("timeline.csv")?;
    let steps = folder.need("steps.csv")?;
    let ids = super::pages::default_or_chosen(steps, tl, o)?;
    let ct = col(tl, "time")?;
    let cs: Vec<usize> = ids.iter().map(|i| col(tl, i)).collect::<Result<_, _>>()?;
    let mut header = vec!["time".to_string()];
    let (cid, clab) = (col(steps, "step")?, col(steps, "label")?);
    header.extend(ids.iter().map(|id| {
        (0..steps.rows.len())
            .find(|&r| steps.text(r, cid) == id)
            .map_or(id.clone(), |r| unguard(steps.text(r, clab)).to_string())
    }));
    out.push((
        Block {
            title: "Probability that each step has happened by each time".into(),
            header,
            rows: (0..tl.rows.len())
                .map(|r| {
                    let mut v = vec![num(tl, r, ct)];
                    v.extend(cs.iter().map(|&c| num(tl, r, c)));
                    v
                })
                .collect(),
        },
        ChartType::ScatterStraight,
        format!("time ({unit})"),
        "P(happened by then) (%)".into(),
    ));
    if let Some(rt) = folder.table("rungs.csv") {
        let (ca, cr, cp) = (col(rt, "actor")?, col(rt, "rung")?, col(rt, "p_reached")?);
        out.push((
            Block {
                title: "Share of runs reaching at least each rung (the whole ladder)".into(),
                header: vec!["rung".into(), "p_reached".into()],
                rows: (0..rt.rows.len())
                    .filter(|&r| rt.text(r, ca) == "all")
                    .map(|r| {
                        vec![
                            Cell::Text(format!("rung {}", rt.text(r, cr))),
                            num(rt, r, cp),
                        ]
                    })
                    .collect(),
            },
            ChartType::Column,
            "rung".into(),
            "share of runs (%)".into(),
        ));
    }
    Ok(out)
}

/// The charts of a sweep: the outcomes and the chosen steps at each point, against the first
/// varied parameter.
fn sweep_blocks(folder: &Folder, o: &Options) -> Result<Vec<Spec>, Error> {
    let mut out: Vec<Spec> = Vec::new();
    let points = folder.need("points.csv")?;
    let param = points.header.get(1).cloned().unwrap_or_default();
    for (file, key) in [
        ("sweep_outcomes.csv", "outcome"),
        ("sweep_steps.csv", "step"),
    ] {
        let t = folder.need(file)?;
        let (cpt, ck, cp, cx) = (
            col(t, "point")?,
            col(t, key)?,
            col(t, "probability")?,
            col(t, &param)?,
        );
        let ids: Vec<String> = if key == "outcome" {
            let mut v: Vec<String> = Vec::new();
            for r in 0..t.rows.len() {
                if !v.iter().any(|x| x == t.text(r, ck)) {
                    v.push(t.text(r, ck).to_string());
                }
            }
            v
        } else {
            super::pages::sweep_steps(t, o)?
        };
        let mut header = vec![param.clone()];
        header.extend(ids.iter().cloned());
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        let mut point_of: Vec<String> = Vec::new();
        for r in 0..t.rows.len() {
            let p = t.text(r, cpt);
            let i = match point_of.iter().position(|x| x == p) {
                Some(i) => i,
                None => {
                    point_of.push(p.to_string());
                    let mut v = vec![num(t, r, cx)];
                    v.extend(ids.iter().map(|_| Cell::Empty));
                    rows.push(v);
                    point_of.len() - 1
                }
            };
            if let Some(j) = ids.iter().position(|x| x == t.text(r, ck)) {
                rows[i][j + 1] = num(t, r, cp);
            }
        }
        let one_d = points.header.len() == 2
            && folder.manifest.options["design"]["kind"].as_str() == Some("grid");
        out.push((
            Block {
                title: format!("Probability of each {key} at each point, against {param}"),
                header,
                rows,
            },
            if one_d {
                ChartType::ScatterStraightWithMarkers
            } else {
                ChartType::Scatter
            },
            param.clone(),
            "probability (%)".into(),
        ));
    }
    Ok(out)
}

/// The tornado of the chosen outcome: each parameter at its low and high value.
fn tornado_block(folder: &Folder, o: &Options) -> Result<Vec<Spec>, Error> {
    let mut out: Vec<Spec> = Vec::new();
    let t = folder.need("tornado.csv")?;
    let outcome = super::pages::tornado_outcome(folder, t, o)?;
    let (cpar, co, cl, ch) = (
        col(t, "parameter")?,
        col(t, "outcome")?,
        col(t, "p_low")?,
        col(t, "p_high")?,
    );
    out.push((
        Block {
            title: format!(
                "Tornado: probability of {outcome} with each parameter at its low and high value"
            ),
            header: vec!["parameter".into(), "p_low".into(), "p_high".into()],
            rows: (0..t.rows.len())
                .filter(|&r| t.text(r, co) == outcome)
                .take(20)
                .map(|r| {
                    vec![
                        Cell::Text(t.text(r, cpar).into()),
                        num(t, r, cl),
                        num(t, r, ch),
                    ]
                })
                .collect(),
        },
        ChartType::Bar,
        "parameter".into(),
        format!("probability of {outcome} (%)"),
    ));
    Ok(out)
}

/// The RAW and RRW of each step for the chosen outcome.
fn importance_block(folder: &Folder, o: &Options) -> Result<Vec<Spec>, Error> {
    let mut out: Vec<Spec> = Vec::new();
    let t = folder.need("importance.csv")?;
    let outcome = super::pages::tornado_outcome(folder, t, o)?;
    let (cs, co, cra, crr) = (
        col(t, "step")?,
        col(t, "outcome")?,
        col(t, "raw")?,
        col(t, "rrw")?,
    );
    out.push((
        Block {
            title: format!("Importance of each step for {outcome} (RAW, RRW)"),
            header: vec!["step".into(), "raw".into(), "rrw".into()],
            rows: (0..t.rows.len())
                .filter(|&r| t.text(r, co) == outcome)
                .map(|r| {
                    vec![
                        Cell::Text(t.text(r, cs).into()),
                        num(t, r, cra),
                        num(t, r, crr),
                    ]
                })
                .collect(),
        },
        ChartType::Bar,
        "step".into(),
        "ratio".into(),
    ));
    Ok(out)
}

/// The paired differences B - A, largest first.
fn compare_block(folder: &Folder) -> Result<Vec<Spec>, Error> {
    let mut out: Vec<Spec> = Vec::new();
    let t = folder.need("compare.csv")?;
    let (ck, ci, cd) = (col(t, "kind")?, col(t, "id")?, col(t, "diff")?);
    let mut rows: Vec<usize> = (0..t.rows.len())
        .filter(|&r| t.num(r, cd) != Some(0.0))
        .collect();
    rows.sort_by(|&a, &b| {
        let v = |r: usize| t.num(r, cd).unwrap_or(0.0).abs();
        v(b).total_cmp(&v(a))
    });
    rows.truncate(25);
    out.push((
        Block {
            title: "Paired differences B - A (largest first)".into(),
            header: vec!["id".into(), "diff".into()],
            rows: rows
                .iter()
                .map(|&r| {
                    vec![
                        Cell::Text(format!("{} ({})", t.text(r, ci), t.text(r, ck))),
                        num(t, r, cd),
                    ]
                })
                .collect(),
        },
        ChartType::Bar,
        "step or outcome".into(),
        "difference in probability (%)".into(),
    ));
    Ok(out)
}
