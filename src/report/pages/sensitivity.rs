//! The sections of a sensitivity folder's page: the tornado chart and the importance
//! (RAW and RRW) bars.

use super::{
    cells_tip, columns, ids_in_order, label_of, model_labels, outcome_name, section, usage,
};
use crate::report::html::{Section, table};
use crate::report::svg::{self, Bar, Bars, Tornado, TornadoRow, Unit};
use crate::report::table::Csv;
use crate::report::{Error, Folder, Options};

/// The columns of tornado.csv that the tornado reads (`c[k]` is column `TORNADO[k]`) and
/// quotes in its tooltips.
const TORNADO: [&str; 7] = [
    "parameter",
    "outcome",
    "low_value",
    "high_value",
    "p_low",
    "p_high",
    "swing",
];

/// The columns the bars read (`c[k]` is column `IMPORTANCE[k]`) and quote in their tooltips:
/// all of importance.csv, as `rungs` writes it.
const IMPORTANCE: [&str; 7] = crate::sweep::importance::HEADER;

/// The outcome the tornado (and the workbook's importance chart) draws.
pub fn tornado_outcome(folder: &Folder, t: &Csv, o: &Options) -> Result<String, Error> {
    pick_outcome(folder, t, o, &["p_low", "p_high", "p_base"])
}

/// The base probability of each outcome, where the folder has one (importance.csv's
/// `p_base`, or a `p_base` column of tornado.csv).
fn base_of(folder: &Folder, outcome: &str) -> Option<f64> {
    for (file, col) in [("tornado.csv", "p_base"), ("importance.csv", "p_base")] {
        let Some(t) = folder.table(file) else {
            continue;
        };
        if let (Some(co), Some(cb)) = (t.has("outcome"), t.has(col))
            && let Some(r) = (0..t.rows.len()).find(|&r| t.text(r, co) == outcome)
        {
            return t.num(r, cb);
        }
    }
    None
}

/// The outcome to draw: `--outcome`, else the rarest non-horizon outcome (by its base
/// probability if known, else by the largest probability the table shows for it).
fn pick_outcome(folder: &Folder, t: &Csv, o: &Options, cols: &[&str]) -> Result<String, Error> {
    let ids = ids_in_order(t, "outcome")?;
    if let Some(want) = &o.outcome {
        if ids.contains(want) {
            return Ok(want.clone());
        }
        let names: Vec<&str> = ids.iter().map(String::as_str).collect();
        let hint = crate::diag::closest(want, &names)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "--outcome: `{}` is not an outcome of this scenario{hint}; its outcomes are {}",
            svg::cut(want, 60),
            names.join(", ")
        )));
    }
    let co = t.col("outcome").map_err(usage)?;
    let cs: Vec<usize> = cols.iter().filter_map(|c| t.has(c)).collect();
    let mut best: Option<(f64, String)> = None;
    for id in ids
        .iter()
        .filter(|i| *i != crate::scenario::HORIZON_OUTCOME)
    {
        let size = base_of(folder, id).unwrap_or_else(|| {
            (0..t.rows.len())
                .filter(|&r| t.text(r, co) == id)
                .flat_map(|r| cs.iter().filter_map(move |&c| t.num(r, c)))
                .fold(0.0, f64::max)
        });
        if best.as_ref().is_none_or(|(b, _)| size < *b) {
            best = Some((size, id.clone()));
        }
    }
    Ok(best.map_or_else(|| ids.first().cloned().unwrap_or_default(), |b| b.1))
}

/// The tornado chart of one outcome (tornado.csv), and the table of its values.
pub(super) fn tornado(folder: &Folder, o: &Options) -> Result<Vec<Section>, Error> {
    let t = folder.need("tornado.csv")?;
    let outcome = tornado_outcome(folder, t, o)?;
    let c = columns(t, &TORNADO)?;
    let rows: Vec<usize> = (0..t.rows.len())
        .filter(|&r| t.text(r, c[1]) == outcome)
        .collect();
    let shown = rows.len().min(20);
    let base = base_of(folder, &outcome);
    let tr = Tornado {
        name: "tornado".into(),
        title: format!(
            "What moves the probability of {}",
            outcome_name(&outcome, folder)
        ),
        x_label: format!("probability of {}", outcome_name(&outcome, folder)),
        rows: rows[..shown]
            .iter()
            .map(|&r| tornado_row(t, &c, r))
            .collect(),
        base,
    };
    let others: Vec<String> = ids_in_order(t, "outcome")?
        .into_iter()
        .filter(|i| *i != outcome)
        .collect();
    let mut body = svg::tornado(&tr);
    body.push_str(&values_table(folder, t, &c, &rows[..shown]));
    let base_words = if base.is_some() {
        "The dashed line is the base probability, with every parameter drawn as usual."
    } else {
        "tornado.csv does not hold the base probability, so no centre line is drawn (a \
         `--tornado --importance` folder has it, in importance.csv)."
    };
    Ok(vec![section(
        "tornado",
        &format!("What moves {}", outcome_name(&outcome, folder)),
        body,
        &format!(
            "each bar runs from the probability with the parameter fixed at its low value \
             (open circle) to that at its high value (black square), every other parameter \
             drawn as usual; the longest bars, at the top, are the parameters that matter \
             most. {base_words} Showing the {shown} largest of {} parameters. Other outcomes: \
             `rungs report DIR --outcome NAME` with one of {}.",
            rows.len(),
            if others.is_empty() {
                "none".to_string()
            } else {
                others.join(", ")
            }
        ),
    )])
}

/// The bar of row `r` of tornado.csv (`c`: its columns in the order [`tornado`] reads them).
fn tornado_row(t: &Csv, c: &[usize], r: usize) -> TornadoRow {
    let p = t.text(r, c[0]);
    TornadoRow {
        label: p.to_string(),
        p_low: t.num(r, c[4]).unwrap_or(0.0),
        p_high: t.num(r, c[5]).unwrap_or(0.0),
        text: format!(
            "{} → {} (swing {})",
            svg::pct(t.num(r, c[4]).unwrap_or(0.0)),
            svg::pct(t.num(r, c[5]).unwrap_or(0.0)),
            svg::pct(t.num(r, c[6]).unwrap_or(0.0))
        ),
        tip: cells_tip(t, r, &TORNADO),
    }
}

/// The table under the tornado: each parameter's low and high values (with its unit) and
/// the probabilities there.
fn values_table(folder: &Folder, t: &Csv, c: &[usize], rows: &[usize]) -> String {
    let unit_of = |p: &str| {
        folder
            .model
            .as_ref()
            .and_then(|m| m.params.iter().find(|q| q.id == p))
            .and_then(|q| q.unit.clone())
            .map(|u| format!(" {u}"))
            .unwrap_or_default()
    };
    let mut rows_t = Vec::new();
    for &r in rows {
        let p = t.text(r, c[0]);
        rows_t.push(vec![
            (p.to_string(), false),
            (
                format!(
                    "{}{}",
                    t.num(r, c[2]).map(svg::num).unwrap_or_default(),
                    unit_of(p)
                ),
                true,
            ),
            (
                format!(
                    "{}{}",
                    t.num(r, c[3]).map(svg::num).unwrap_or_default(),
                    unit_of(p)
                ),
                true,
            ),
            (svg::pct(t.num(r, c[4]).unwrap_or(0.0)), true),
            (svg::pct(t.num(r, c[5]).unwrap_or(0.0)), true),
        ]);
    }
    table(
        &[
            ("parameter", false),
            ("low value", true),
            ("high value", true),
            ("P at low", true),
            ("P at high", true),
        ],
        &rows_t,
    )
}

/// Which steps matter most: per outcome, the RAW and RRW of the steps with an effect,
/// largest first (importance.csv).
pub(super) fn importance(folder: &Folder, o: &Options) -> Result<Vec<Section>, Error> {
    let t = folder.need("importance.csv")?;
    let c = columns(t, &IMPORTANCE)?;
    let mut outcomes: Vec<String> = ids_in_order(t, "outcome")?
        .into_iter()
        .filter(|i| i != crate::scenario::HORIZON_OUTCOME)
        .collect();
    if let Some(want) = &o.outcome {
        let first = pick_outcome(folder, t, o, &[])?;
        outcomes.retain(|x| *x != first);
        outcomes.insert(0, first);
        let _ = want;
    }
    let step_labels = model_labels(folder);
    let mut body = String::new();
    for outcome in &outcomes {
        let mut rows: Vec<usize> = (0..t.rows.len())
            .filter(|&r| t.text(r, c[1]) == *outcome)
            .filter(|&r| !(t.num(r, c[5]) == Some(1.0) && t.num(r, c[6]) == Some(1.0)))
            .collect();
        // Largest effect first: the larger of the two ratios (an empty one is infinite).
        let key = |r: usize| {
            let v = |c: usize| t.num(r, c).unwrap_or(f64::INFINITY);
            let (a, b) = (v(c[5]), v(c[6]));
            a.max(1.0 / a).max(b.max(1.0 / b))
        };
        rows.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
        rows.truncate(15);
        let base = rows.first().and_then(|&r| t.num(r, c[2]));
        let mut b = Bars::new(
            &format!("importance-{outcome}"),
            &format!(
                "Importance of each step for {}",
                outcome_name(outcome, folder)
            ),
            "ratio (log scale; 1 = no effect)",
            Unit::Ratio,
        );
        b.log = true;
        b.base = 1.0;
        for &r in &rows {
            let label = label_of(&step_labels, t.text(r, c[0])).to_string();
            push_ratio_bars(&mut b, t, &c, r, label);
        }
        body.push_str(&format!(
            "<h3>{}{}</h3>",
            svg::esc(&outcome_name(outcome, folder)),
            base.map(|p| format!(" (base {})", svg::pct(p)))
                .unwrap_or_default()
        ));
        if rows.is_empty() {
            body.push_str("<p class=\"note\">No step changes this outcome.</p>");
        } else {
            body.push_str(&svg::bars(&b));
        }
    }
    Ok(vec![section(
        "importance",
        "Which steps matter most",
        body,
        "for each outcome, the steps ranked by their largest effect: the blue bar (RAW, \
         risk achievement worth) is how many times likelier the outcome becomes if the step \
         is certain once enabled; the orange bar (RRW, risk reduction worth) how many times \
         less likely it becomes if the step is prevented. Ratios are on a log scale around \
         1 (no effect); a bar left of 1 means the opposite direction (RRW below 1: the step \
         protects against the outcome). Steps with no effect are left out.",
    )])
}

/// The two bars of row `r` of importance.csv: its RAW and its RRW (`c`: the columns in the
/// order [`importance`] reads them), the first labelled with the step.
fn push_ratio_bars(b: &mut Bars, t: &Csv, c: &[usize], r: usize, label: String) {
    let tipc = cells_tip(t, r, &IMPORTANCE);
    for (col, what, colour) in [
        (c[5], "if certain (RAW)", 0),
        (c[6], "if prevented (RRW)", 1),
    ] {
        let v = t.num(r, col);
        let text = match v {
            Some(v) => format!("×{} {what}", svg::num(v)),
            None if what.contains("RRW") => "prevents it entirely (RRW ∞)".into(),
            None => "no base probability".into(),
        };
        b.bars.push(Bar {
            label: if colour == 0 {
                label.clone()
            } else {
                String::new()
            },
            // An empty RRW: blocking the step leaves no run with the outcome.
            value: v.unwrap_or(if colour == 1 { f64::INFINITY } else { f64::NAN }),
            lo: None,
            hi: None,
            text,
            tip: tipc.clone(),
            colour,
        });
    }
}
