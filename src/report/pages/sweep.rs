//! The sections of a sweep's page: the design, then the outcomes and steps against the
//! varied parameters (curves, heat maps, epistemic spreads or scatter plots).

use super::{
    cells_tip, chosen_steps, ids_in_order, label_of, labels, outcome_name, rows_of, section, usage,
};
use crate::report::html::Section;
use crate::report::svg::{self, Heat, Lines, Series, Unit};
use crate::report::table::Csv;
use crate::report::{Error, Folder, Options};

/// The steps of a sweep's curves: `--steps`, or the first step of each rung less those
/// that happen in every run at the first point.
pub fn sweep_steps(ss: &Csv, o: &Options) -> Result<Vec<String>, Error> {
    let first = first_point(ss)?;
    let mut chosen = chosen_steps(&first, o)?;
    if o.steps.is_empty() {
        let (cs, cp) = (
            first.col("step").map_err(usage)?,
            first.col("probability").map_err(usage)?,
        );
        chosen.retain(|id| {
            !(0..first.rows.len()).any(|r| first.text(r, cs) == id && first.num(r, cp) == Some(1.0))
        });
    }
    Ok(chosen)
}

/// The varied parameters of a sweep: the columns of points.csv after `point`.
/// What the charts of a sweep share: the folder, its varied parameters and its steps' labels.
struct Sweep<'a> {
    folder: &'a Folder,
    /// The varied parameters: the columns of points.csv after `point`.
    params: Vec<String>,
    npoints: usize,
    step_labels: Vec<(String, String)>,
}

/// What is plotted: (table, key column, ids, what).
type Group<'a> = (&'a Csv, &'a str, Vec<String>, &'a str);

impl Sweep<'_> {
    /// A parameter with its unit: `troops (soldiers)`.
    fn param_label(&self, p: &str) -> String {
        let unit = self
            .folder
            .model
            .as_ref()
            .and_then(|m| m.params.iter().find(|q| q.id == p))
            .and_then(|q| q.unit.clone());
        match unit {
            Some(u) => format!("{p} ({u})"),
            None => p.to_string(),
        }
    }

    /// The probability of `id` (the rows of `t` whose `key` is `id`) against parameter `p`,
    /// a tooltip per point, and its 95% band if `band`.
    fn series(&self, t: &Csv, key: &str, id: &str, p: &str, band: bool) -> Result<Series, Error> {
        let rows = rows_of(t, key, id)?;
        let (cx, cp, cl, ch) = cols4(t, p)?;
        Ok(Series {
            name: self.name_of(key, id),
            points: rows
                .iter()
                .filter_map(|&r| Some((t.num(r, cx)?, t.num(r, cp)?)))
                .collect(),
            band: if band {
                rows.iter()
                    .filter_map(|&r| Some((t.num(r, cx)?, t.num(r, cl)?, t.num(r, ch)?)))
                    .collect()
            } else {
                Vec::new()
            },
            tips: rows
                .iter()
                .map(|&r| cells_tip(t, r, &["point", p, key, "probability", "ci_low", "ci_high"]))
                .collect(),
        })
    }

    /// The chart `name` of `series` of the `what` against parameter `p`: a scatter if
    /// `scatter`, else lines (with `markers` at the points).
    fn lines(
        &self,
        name: &str,
        what: &str,
        p: &str,
        series: Vec<Series>,
        (markers, scatter): (bool, bool),
    ) -> Lines {
        Lines {
            name: name.into(),
            title: format!("Probability of the {what} against {p}"),
            x_label: self.param_label(p),
            y_label: "probability".into(),
            series,
            y_unit: Unit::Percent,
            y_domain: None,
            markers,
            scatter,
        }
    }

    /// The name of an outcome (`key` "outcome") or the label of a step.
    fn name_of(&self, key: &str, id: &str) -> String {
        if key == "outcome" {
            outcome_name(id, self.folder)
        } else {
            label_of(&self.step_labels, id).to_string()
        }
    }
}

/// The sections of a sweep: the design, then per kind of design its charts of the outcomes
/// and the chosen steps.
pub(super) fn sweep(folder: &Folder, o: &Options) -> Result<Vec<Section>, Error> {
    let points = folder.need("points.csv")?;
    let so = folder.need("sweep_outcomes.csv")?;
    let ss = folder.need("sweep_steps.csv")?;
    let design = folder
        .manifest
        .options
        .get("design")
        .and_then(|d| d.get("kind"))
        .and_then(|k| k.as_str())
        .unwrap_or("grid")
        .to_string();
    let chosen = sweep_steps(ss, o)?;
    let s = Sweep {
        folder,
        params: points.header.iter().skip(1).cloned().collect(),
        npoints: points.rows.len(),
        step_labels: labels(ss),
    };
    let mut out = vec![design_section(&s, &design)];
    let groups: Vec<Group> = vec![
        (so, "outcome", ids_in_order(so, "outcome")?, "outcomes"),
        (ss, "step", chosen, "steps"),
    ];
    out.extend(if design == "grid" && s.params.len() == 1 {
        curves(&s, &groups)?
    } else if design == "grid" && s.params.len() == 2 {
        heat_maps(&s, &groups)?
    } else if design == "epistemic" {
        spreads(&s, &groups)?
    } else {
        // A Latin hypercube or a grid of more than two parameters.
        scatters(&s, &groups)?
    });
    Ok(out)
}

/// The design in words: how many points of what, over which parameters.
fn design_section(s: &Sweep, design: &str) -> Section {
    let (folder, params, npoints) = (s.folder, &s.params, s.npoints);
    section(
        "design",
        "The design",
        format!(
            "<p>{} {} of {} over {}; {} runs at each point, all points on common random \
             numbers.</p>",
            svg::num(npoints as f64),
            if npoints == 1 { "point" } else { "points" },
            svg::esc(match design {
                "lhs" => "a Latin hypercube",
                "epistemic" => "epistemic points",
                _ => "a grid",
            }),
            svg::esc(&if design == "epistemic" {
                format!(
                    "all {} uncertain parameters (each point draws every one from its \
                     distribution, then holds it fixed for its runs)",
                    params.len()
                )
            } else {
                params.join(", ")
            }),
            svg::num(folder.manifest.runs as f64)
        ),
        "",
    )
}

/// One parameter on a grid: a curve per outcome (and per step) against it, with its band.
fn curves(s: &Sweep, groups: &[Group]) -> Result<Vec<Section>, Error> {
    let mut out = Vec::new();
    let p = &s.params[0];
    for (t, key, ids, what) in groups {
        let series = ids
            .iter()
            .map(|id| s.series(t, key, id, p, true))
            .collect::<Result<Vec<_>, _>>()?;
        let l = s.lines(
            &format!("sweep-{what}"),
            what,
            p,
            series,
            (s.npoints <= 40, false),
        );
        out.push(section(
            &format!("sweep-{what}"),
            &format!("The {what} against {p}"),
            svg::lines(&l),
            &format!(
                "each curve is the probability at each value of {p} (a marker per point \
                 when there are few), the shaded band its 95% interval. All points share \
                 their random numbers, so the differences between points are more \
                 precise than the bands suggest."
            ),
        ));
    }
    Ok(out)
}

/// Two parameters on a grid: a heat map per outcome (and per step).
fn heat_maps(s: &Sweep, groups: &[Group]) -> Result<Vec<Section>, Error> {
    let mut out = Vec::new();
    let (pa, pb) = (&s.params[0], &s.params[1]);
    for (t, key, ids, what) in groups {
        let mut body = String::new();
        for id in ids {
            let rows = rows_of(t, key, id)?;
            let (ca, cb) = (t.col(pa).map_err(usage)?, t.col(pb).map_err(usage)?);
            let cp = t.col("probability").map_err(usage)?;
            let mut ra: Vec<String> = Vec::new();
            let mut rb: Vec<String> = Vec::new();
            for &r in &rows {
                let (a, b) = (t.text(r, ca).to_string(), t.text(r, cb).to_string());
                if !ra.contains(&a) {
                    ra.push(a);
                }
                if !rb.contains(&b) {
                    rb.push(b);
                }
            }
            let mut cells = vec![vec![None; rb.len()]; ra.len()];
            for &r in &rows {
                let i = ra.iter().position(|a| a == t.text(r, ca)).unwrap_or(0);
                let j = rb.iter().position(|b| b == t.text(r, cb)).unwrap_or(0);
                if let Some(p) = t.num(r, cp) {
                    cells[i][j] = Some((
                        p,
                        svg::pct(p),
                        cells_tip(
                            t,
                            r,
                            &["point", pa, pb, key, "probability", "ci_low", "ci_high"],
                        ),
                    ));
                }
            }
            let fmt = |v: &String| v.parse::<f64>().map(svg::num).unwrap_or_else(|_| v.clone());
            let h = Heat {
                name: format!("heat-{what}"),
                title: format!("{} by {pa} and {pb}", s.name_of(key, id)),
                x_label: s.param_label(pb),
                y_label: s.param_label(pa),
                cols: rb.iter().map(fmt).collect(),
                rows: ra.iter().map(fmt).collect(),
                cells,
            };
            body.push_str(&format!("<h3>{}</h3>", svg::esc(&s.name_of(key, id))));
            body.push_str(&svg::heat(&h));
        }
        out.push(section(
            &format!("heat-{what}"),
            &format!("The {what} over the grid"),
            body,
            &format!(
                "one map per {}: each cell is the probability at that pair of values, \
                 written in the cell; rows are {pa}, columns {pb}. Colours run from dark \
                 (the map's lowest value) to light yellow (its highest), each map on its \
                 own scale, so compare the numbers across maps, not the colours.",
                if *key == "outcome" { "outcome" } else { "step" }
            ),
        ));
    }
    Ok(out)
}

/// Epistemic points: the spread of each outcome (and step) over the points, as dots.
fn spreads(s: &Sweep, groups: &[Group]) -> Result<Vec<Section>, Error> {
    let mut out = Vec::new();
    let npoints = s.npoints;
    for (t, key, ids, what) in groups {
        let mut rows = Vec::new();
        let cp = t.col("probability").map_err(usage)?;
        for id in ids {
            let rs = rows_of(t, key, id)?;
            let vals: Vec<(f64, String)> = rs
                .iter()
                .filter_map(|&r| {
                    Some((
                        t.num(r, cp)?,
                        cells_tip(t, r, &["point", key, "probability"]),
                    ))
                })
                .collect();
            rows.push((s.name_of(key, id), vals));
        }
        out.push(section(
            &format!("spread-{what}"),
            &format!("The spread of the {what} over the points"),
            svg::dots(
                &format!("spread-{what}"),
                &rows,
                "probability at each point",
            ),
            &format!(
                "each dot is the probability at one of the {npoints} epistemic points, \
                 where every uncertain parameter was drawn once and then held fixed. A \
                 wide spread means the answer hinges on what is not known; a narrow one, \
                 that the uncertainty in the inputs hardly matters for it."
            ),
        ));
    }
    Ok(out)
}

/// A Latin hypercube or a grid of more than two parameters: a scatter per parameter.
fn scatters(s: &Sweep, groups: &[Group]) -> Result<Vec<Section>, Error> {
    let mut out = Vec::new();
    for p in &s.params {
        for (t, key, ids, what) in groups {
            let series = ids
                .iter()
                .map(|id| s.series(t, key, id, p, false))
                .collect::<Result<Vec<_>, _>>()?;
            let l = s.lines(&format!("scatter-{what}"), what, p, series, (true, true));
            out.push(section(
                &format!("scatter-{what}-{p}"),
                &format!("The {what} against {p}"),
                svg::lines(&l),
                &format!(
                    "each marker is one point of the design: its value of {p} and the \
                     probability there. The other varied parameters differ from point \
                     to point too, so the cloud's trend is the effect of {p} and its \
                     width the effect of the others (and of chance)."
                ),
            ));
        }
    }
    Ok(out)
}

/// The rows of point 0 of a sweep table, as a table (to pick default steps).
fn first_point(t: &Csv) -> Result<Csv, Error> {
    let c = t.col("point").map_err(usage)?;
    let first = t.text(0, c).to_string();
    Ok(Csv {
        name: t.name.clone(),
        header: t.header.clone(),
        rows: t
            .rows
            .iter()
            .filter(|r| r.get(c).is_some_and(|v| *v == first))
            .cloned()
            .collect(),
    })
}

fn cols4(t: &Csv, p: &str) -> Result<(usize, usize, usize, usize), Error> {
    Ok((
        t.col(p).map_err(usage)?,
        t.col("probability").map_err(usage)?,
        t.col("ci_low").map_err(usage)?,
        t.col("ci_high").map_err(usage)?,
    ))
}
