//! The sections of a comparison's page: the paired differences of outcomes and steps.

use super::{cells_tip, columns, label_of, model_labels, outcome_name, section};
use crate::report::html::Section;
use crate::report::svg::{self, Bar, Bars, Unit};
use crate::report::table::Csv;
use crate::report::{Error, Folder};

/// The columns the bars read (`c[k]` is column `COMPARE[k]`) and quote in their tooltips:
/// all of compare.csv, as `rungs` writes it.
const COMPARE: [&str; 7] = crate::sweep::compare::HEADER;

/// What changes from A to B: the paired differences of the outcomes, then of the steps,
/// largest first (compare.csv).
pub(super) fn compare(folder: &Folder) -> Result<Vec<Section>, Error> {
    let t = folder.need("compare.csv")?;
    let c = columns(t, &COMPARE)?;
    let step_labels = model_labels(folder);
    let mut out = Vec::new();
    for (kinds, what, name) in [
        (&["outcome"][..], "outcomes", "compare-outcomes"),
        (&["step", "branch"][..], "steps", "compare-steps"),
    ] {
        let mut rows: Vec<usize> = (0..t.rows.len())
            .filter(|&r| kinds.contains(&t.text(r, c[0])))
            .collect();
        let total = rows.len();
        rows.retain(|&r| t.num(r, c[4]) != Some(0.0) || t.num(r, c[6]) != Some(0.0));
        let unchanged = total - rows.len();
        rows.sort_by(|&a, &b| {
            let v = |r: usize| t.num(r, c[4]).unwrap_or(0.0).abs();
            v(b).total_cmp(&v(a))
        });
        rows.truncate(25);
        let mut b = Bars::new(
            name,
            &format!("Paired differences of the {what}, B minus A"),
            "B − A, in percentage points (95% interval)",
            Unit::Plain,
        );
        for &r in &rows {
            b.bars.push(diff_bar(folder, t, &c, r, &step_labels));
        }
        let body = if rows.is_empty() {
            format!("<p class=\"note\">No {what} differ between A and B.</p>")
        } else {
            let mut s = svg::bars(&b);
            if unchanged > 0 {
                s.push_str(&format!(
                    "<p class=\"note\">{unchanged} of {total} {what} are identical in A and B \
                     run for run (difference 0, interval of width 0) and are not drawn.</p>"
                ));
            }
            s
        };
        out.push(section(
            name,
            &format!("What changes in the {what}"),
            body,
            "each bar is the change in probability from A to B in percentage points, largest \
             first; the whisker is its 95% interval from the paired runs (common random \
             numbers), much narrower than comparing two separate runs would give. A whisker \
             that does not cross 0 is a change the runs can tell from chance.",
        ));
    }
    Ok(out)
}

/// The bar of row `r` of compare.csv (`c`: its columns in the order [`compare`] reads
/// them): the difference in percentage points with its paired interval.
fn diff_bar(
    folder: &Folder,
    t: &Csv,
    c: &[usize],
    r: usize,
    step_labels: &[(String, String)],
) -> Bar {
    let id = t.text(r, c[1]);
    let d = t.num(r, c[4]).unwrap_or(0.0);
    let (lo, hi) = (t.num(r, c[5]), t.num(r, c[6]));
    Bar {
        label: if t.text(r, c[0]) == "outcome" {
            outcome_name(id, folder)
        } else {
            label_of(step_labels, id).to_string()
        },
        value: d * 100.0,
        lo: lo.map(|v| v * 100.0),
        hi: hi.map(|v| v * 100.0),
        text: {
            let (l, h) = (lo.unwrap_or(d) * 100.0, hi.unwrap_or(d) * 100.0);
            let dec = if (d * 100.0).abs().max(l.abs()).max(h.abs()) >= 0.1 {
                2
            } else {
                3
            };
            let pp = |v: f64| format!("{v:+.dec$}");
            format!(
                "{} → {}: {} pp [{}, {}]",
                svg::pct(t.num(r, c[2]).unwrap_or(0.0)),
                svg::pct(t.num(r, c[3]).unwrap_or(0.0)),
                pp(d * 100.0),
                pp(l),
                pp(h)
            )
        },
        tip: cells_tip(t, r, &COMPARE),
        colour: if d < 0.0 { 0 } else { 1 },
    }
}
