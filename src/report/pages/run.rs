//! The sections of a run's (or a merge's) page: outcomes, timeline, rungs, the ladder,
//! paths, times and inputs.

use super::{
    cells_tip, chosen_steps, columns, interval_text, label_of, labels, outcome_name, section, usage,
};
use crate::report::html::{Section, table};
use crate::report::svg::{self, Bar, Bars, Lines, Series, Strip, Strips, Unit};
use crate::report::table::Csv;
use crate::report::{Error, Folder, Options, ladder};
use crate::scenario::Model;

pub(super) fn run(folder: &Folder, o: &Options) -> Result<Vec<Section>, Error> {
    let steps = folder.need("steps.csv")?;
    let step_labels = labels(steps);
    let mut out = vec![outcomes(folder)?, timeline(folder, steps, &step_labels, o)?];
    if let Some(rt) = folder.table("rungs.csv") {
        out.push(rungs(folder, rt)?);
    }
    if let Some(model) = &folder.model {
        out.push(ladder_map(folder, model, steps)?);
    }
    if let Some(pt) = folder.table("paths.csv") {
        out.push(paths(folder, pt, &step_labels)?);
    }
    out.push(times(folder, steps, &step_labels)?);
    if let Some(pt) = folder.table("parameters.csv") {
        out.push(inputs(folder, pt)?);
    }
    Ok(out)
}

/// How the runs ended: one bar per outcome with its interval (outcomes.csv).
fn outcomes(folder: &Folder) -> Result<Section, Error> {
    let runs = folder.manifest.runs;
    let oc = folder.need("outcomes.csv")?;
    let (c_o, c_p, c_l, c_h) = (
        oc.col("outcome").map_err(usage)?,
        oc.col("probability").map_err(usage)?,
        oc.col("ci_low").map_err(usage)?,
        oc.col("ci_high").map_err(usage)?,
    );
    let mut b = Bars::new(
        "outcomes",
        "How the runs ended",
        "share of runs (95% interval)",
        Unit::Percent,
    );
    for r in 0..oc.rows.len() {
        let p = oc.num(r, c_p).unwrap_or(0.0);
        let (lo, hi) = (oc.num(r, c_l), oc.num(r, c_h));
        b.bars.push(Bar {
            label: outcome_name(oc.text(r, c_o), folder),
            value: p,
            lo,
            hi,
            text: interval_text(p, lo, hi),
            tip: cells_tip(
                oc,
                r,
                &[
                    "outcome",
                    "count",
                    "runs",
                    "probability",
                    "ci_low",
                    "ci_high",
                    "time_p50",
                ],
            ),
            colour: r,
        });
    }
    Ok(section(
        "outcomes",
        "How the runs ended",
        svg::bars(&b),
        &format!(
            "each bar is the share of the {} runs that ended this way; the whisker is its 95% \
             interval, which says how precise {} runs make the estimate, not how right the \
             model is. The shares add up to 100%.",
            svg::num(runs as f64),
            svg::num(runs as f64)
        ),
    ))
}

/// When the main steps happen: the timeline's curves, the rarer ones in a panel of their
/// own (timeline.csv).
fn timeline(
    folder: &Folder,
    steps: &Csv,
    step_labels: &[(String, String)],
    o: &Options,
) -> Result<Section, Error> {
    let unit = folder.time_unit();
    let tl = folder.need("timeline.csv")?;
    let chosen = default_or_chosen(steps, tl, o)?;
    let c_t = tl.col("time").map_err(usage)?;
    let mut series = Vec::new();
    for id in &chosen {
        let c = tl.col(id).map_err(usage)?;
        let points: Vec<(f64, f64)> = (0..tl.rows.len())
            .filter_map(|r| Some((tl.num(r, c_t)?, tl.num(r, c)?)))
            .collect();
        let last = tl.rows.len().saturating_sub(1);
        series.push(Series {
            name: format!(
                "{} ({} by the end)",
                label_of(step_labels, id),
                svg::pct(tl.num(last, c).unwrap_or(0.0))
            ),
            points,
            band: Vec::new(),
            tips: Vec::new(),
        });
    }
    // Curves that end below a tenth of the highest get a panel of their own: on one axis
    // they would lie flat on the floor.
    let top = series
        .iter()
        .filter_map(|s| s.points.last().map(|p| p.1))
        .fold(0.0_f64, f64::max);
    let (common, rare): (Vec<Series>, Vec<Series>) = series
        .into_iter()
        .partition(|s| s.points.last().is_none_or(|p| p.1 >= top / 10.0));
    let mut body = String::new();
    for (name, group, title) in [
        (
            "timeline",
            common,
            "Probability that each step has happened by each time",
        ),
        ("timeline-rare", rare, "The rarer steps, on their own scale"),
    ] {
        if group.is_empty() {
            continue;
        }
        if name == "timeline-rare" {
            body.push_str(&format!("<h3>{}</h3>", svg::esc(title)));
        }
        body.push_str(&svg::lines(&Lines {
            name: name.into(),
            title: title.into(),
            x_label: format!("time ({unit})"),
            y_label: "P(happened by then)".into(),
            series: group,
            y_unit: Unit::Percent,
            y_domain: None,
            markers: false,
            scatter: false,
        }));
    }
    Ok(section(
        "timeline",
        "When the main steps happen",
        body,
        &format!(
            "each curve is the share of runs in which the step has happened by that time \
             (timeline.csv), rising to its overall probability at the horizon. Drawn: {}; \
             choose others with `rungs report DIR --steps a,b`. Each y axis stops at its \
             highest curve; steps that end below a tenth of the most frequent one are drawn \
             in a second chart on their own scale, so that they do not lie flat on the floor.",
            if o.steps.is_empty() {
                "the first step of each rung"
            } else {
                "the steps given with --steps"
            }
        ),
    ))
}

/// How high the escalation goes: the share of runs reaching each rung, for the whole
/// ladder and then each actor (rungs.csv).
fn rungs(folder: &Folder, rt: &Csv) -> Result<Section, Error> {
    let (c_a, c_r, c_pr, c_pm) = (
        rt.col("actor").map_err(usage)?,
        rt.col("rung").map_err(usage)?,
        rt.col("p_reached").map_err(usage)?,
        rt.col("p_max").map_err(usage)?,
    );
    let actor_name = |id: &str| -> String {
        if id == "all" {
            return "the whole ladder".into();
        }
        folder
            .model
            .as_ref()
            .and_then(|m| m.actors.iter().find(|a| a.id == id))
            .map_or(id.to_string(), |a| a.name.clone())
    };
    let mut b = Bars::new(
        "rungs",
        "Highest rung reached",
        "share of runs reaching at least this rung",
        Unit::Percent,
    );
    b.domain = Some((0.0, 1.0));
    let mut last_actor = String::new();
    let mut colour = 0;
    for r in 0..rt.rows.len() {
        let a = rt.text(r, c_a);
        if rt.num(r, c_r) == Some(0.0) {
            continue; // p_reached is always 1 at rung 0.
        }
        if a != last_actor {
            b.groups.push((b.bars.len(), actor_name(a)));
            last_actor = a.to_string();
            colour += 1;
        }
        let p = rt.num(r, c_pr).unwrap_or(0.0);
        b.bars.push(Bar {
            label: format!("rung {}", rt.text(r, c_r)),
            value: p,
            lo: None,
            hi: None,
            text: format!(
                "{} · top rung {}",
                svg::pct(p),
                svg::pct(rt.num(r, c_pm).unwrap_or(0.0))
            ),
            tip: cells_tip(rt, r, &["actor", "rung", "p_reached", "p_max"]),
            colour: colour - 1,
        });
    }
    Ok(section(
        "rungs",
        "How high the escalation goes",
        svg::bars(&b),
        "a bar is the share of runs whose highest rung was at least this one (p_reached \
         in rungs.csv); \"top rung\" is the share whose highest rung was exactly this one \
         (p_max). The first group is the whole ladder, then each actor's own steps.",
    ))
}

/// The ladder drawn with each step's probability and median time (steps.csv).
fn ladder_map(folder: &Folder, model: &Model, steps: &Csv) -> Result<Section, Error> {
    let unit = folder.time_unit();
    let (c_s, c_p, c_m) = (
        steps.col("step").map_err(usage)?,
        steps.col("probability").map_err(usage)?,
        steps.col("time_p50").map_err(usage)?,
    );
    let results: Vec<Option<ladder::NodeResult>> = model
        .nodes
        .iter()
        .map(|n| {
            let r = (0..steps.rows.len()).find(|&r| steps.text(r, c_s) == n.id)?;
            Some(ladder::NodeResult {
                p: steps.num(r, c_p)?,
                median: steps.num(r, c_m),
                tip: cells_tip(
                    steps,
                    r,
                    &[
                        "step",
                        "label",
                        "rung",
                        "probability",
                        "ci_low",
                        "ci_high",
                        "time_p50",
                    ],
                ),
            })
        })
        .collect();
    Ok(section(
        "ladder",
        "The ladder",
        ladder::ladder(model, &results, &unit),
        &format!(
            "each box is a step (square corners) or a branch (rounded, dashed), on its rung, \
         highest at the top; its colour darkens with the probability that it happened \
         (steps.csv), written under its label with the median time ({}) when it happens. A \
         thick border marks a step that ends the run. Arrows: what a step needs \
         (`after`, solid; `any_of`, dashed) and a step's branches (thick). The same \
         picture as `rungs graph SCENARIO --results DIR`, laid out by rungs.",
            unit
        ),
    ))
}

/// The most frequent paths: bars and a table (paths.csv).
fn paths(folder: &Folder, pt: &Csv, step_labels: &[(String, String)]) -> Result<Section, Error> {
    let (c_path, c_out, c_n, c_p) = (
        pt.col("path").map_err(usage)?,
        pt.col("outcome").map_err(usage)?,
        pt.col("count").map_err(usage)?,
        pt.col("probability").map_err(usage)?,
    );
    let top = pt.rows.len().min(12);
    let mut b = Bars::new(
        "paths",
        "Most frequent escalation paths",
        "share of runs",
        Unit::Percent,
    );
    let mut rows = Vec::new();
    for r in 0..top {
        let p = pt.num(r, c_p).unwrap_or(0.0);
        let path = pt.text(r, c_path);
        let n_steps = if path.is_empty() {
            0
        } else {
            path.split(" > ").count()
        };
        b.bars.push(Bar {
            label: path_label(r + 1, &outcome_name(pt.text(r, c_out), folder), n_steps),
            value: p,
            lo: None,
            hi: None,
            text: format!("{} ({} runs)", svg::pct(p), pt.text(r, c_n)),
            tip: cells_tip(pt, r, &["rank", "outcome", "count", "probability", "path"]),
            colour: 0,
        });
        let words: Vec<&str> = if path.is_empty() {
            vec!["(no step)"]
        } else {
            path.split(" > ")
                .map(|s| label_of(step_labels, s))
                .collect()
        };
        rows.push(vec![
            (format!("#{}", r + 1), false),
            (words.join(" → "), false),
            (outcome_name(pt.text(r, c_out), folder), false),
            (pt.text(r, c_n).to_string(), true),
            (svg::pct(p), true),
        ]);
    }
    let mut body = svg::bars(&b);
    body.push_str(&table(
        &[
            ("", false),
            ("path (steps in the order they first happened)", false),
            ("outcome", false),
            ("runs", true),
            ("share", true),
        ],
        &rows,
    ));
    Ok(section(
        "paths",
        "The most frequent paths",
        body,
        &format!(
            "a path is the sequence of steps that happened in a run, with how it ended; \
             these are the {top} most frequent of the {} distinct paths in paths.csv. A \
             rich ladder spreads its runs over many paths, so even the most frequent can \
             be rare.",
            svg::num(pt.rows.len() as f64)
        ),
    ))
}

/// A path's bar label, `#3 horizon (no end state by 365 days) · 8 steps`: the outcome's
/// name is cut to fit [`svg::LABEL_CHARS`], never the rank or the number of steps.
fn path_label(rank: usize, outcome: &str, n_steps: usize) -> String {
    let (head, tail) = (format!("#{rank} "), format!(" · {n_steps} steps"));
    let room = svg::LABEL_CHARS.saturating_sub(head.chars().count() + tail.chars().count());
    format!("{head}{}{tail}", svg::cut(outcome, room))
}

/// When each step first happens, in the runs where it does: quantile strips (steps.csv).
fn times(folder: &Folder, steps: &Csv, step_labels: &[(String, String)]) -> Result<Section, Error> {
    let unit = folder.time_unit();
    const TIMES: [&str; 8] = [
        "step",
        "probability",
        "time_p05",
        "time_p25",
        "time_p50",
        "time_p75",
        "time_p95",
        "time_mean",
    ];
    // The columns drawn and quoted (`cols[k]` is `TIMES[k]`), then `kind`.
    let mut cols = columns(steps, &TIMES)?;
    cols.push(steps.col("kind").map_err(usage)?);
    let mut rows = Vec::new();
    for r in 0..steps.rows.len() {
        let q: Option<Vec<f64>> = cols[2..7].iter().map(|&c| steps.num(r, c)).collect();
        let Some(q) = q else { continue };
        if q[4] == 0.0 {
            continue; // Happens at the start in every run: nothing to draw.
        }
        let p = steps.num(r, cols[1]).unwrap_or(0.0);
        let id = steps.text(r, cols[0]);
        rows.push(Strip {
            label: format!(
                "{}{}",
                if steps.text(r, cols[8]) == "branch" {
                    "↳ "
                } else {
                    ""
                },
                label_of(step_labels, id)
            ),
            q: [q[0], q[1], q[2], q[3], q[4]],
            mean: steps.num(r, cols[7]),
            text: format!(
                "median {} {unit} · in {} of runs",
                svg::num(q[2]),
                svg::pct(p)
            ),
            tip: cells_tip(steps, r, &TIMES),
        });
    }
    let horizon = folder.model.as_ref().map(|m| (0.0, m.horizon));
    let s = Strips {
        name: "times".into(),
        title: "When each step first happens, in the runs where it happens".into(),
        x_label: format!("time of first happening ({unit})"),
        rows,
        domain: horizon,
    };
    Ok(section(
        "times",
        "When each step happens, if it does",
        svg::strips(&s),
        "for the runs in which the step happened: the thin line spans the 5% to 95% \
         quantiles of the time it first happened, the box the middle half (25% to 75%), \
         the black bar the median and the open dot the mean (steps.csv). Remember the \
         condition: a rare step with an early median happens early when it happens at \
         all; for \"by when\", read the timeline above.",
    ))
}

/// The uncertain inputs as drawn: a table of quantiles, and the fixed ones in a note
/// (parameters.csv).
fn inputs(folder: &Folder, pt: &Csv) -> Result<Section, Error> {
    let c_id = pt.col("parameter").map_err(usage)?;
    let c_sd = pt.col("sd").map_err(usage)?;
    let mut drawn = Vec::new();
    let mut fixed = Vec::new();
    for r in 0..pt.rows.len() {
        let id = pt.text(r, c_id);
        let (unit, desc) = folder
            .model
            .as_ref()
            .and_then(|m| m.params.iter().find(|p| p.id == id))
            .map(|p| {
                (
                    p.unit.clone().unwrap_or_default(),
                    p.description.clone().unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let cell = |c: &str| {
            pt.has(c)
                .and_then(|i| pt.num(r, i))
                .map(svg::num)
                .unwrap_or_default()
        };
        if pt.num(r, c_sd) == Some(0.0) {
            fixed.push(format!(
                "{id} = {}{}",
                cell("mean"),
                if unit.is_empty() {
                    String::new()
                } else {
                    format!(" {unit}")
                }
            ));
            continue;
        }
        drawn.push(vec![
            (id.to_string(), false),
            (desc, false),
            (unit, false),
            (cell("p05"), true),
            (cell("p50"), true),
            (cell("p95"), true),
            (cell("mean"), true),
        ]);
    }
    let mut body = table(
        &[
            ("parameter", false),
            ("description", false),
            ("unit", false),
            ("5%", true),
            ("median", true),
            ("95%", true),
            ("mean", true),
        ],
        &drawn,
    );
    if !fixed.is_empty() {
        body.push_str(&format!(
            "<p class=\"note\">Fixed or derived without spread: {}.</p>",
            svg::esc(&fixed.join("; "))
        ));
    }
    Ok(section(
        "inputs",
        "The uncertain inputs, as drawn",
        body,
        "the quantiles of the values actually drawn for each uncertain parameter over \
         the runs (parameters.csv). Compare them with what you meant the scenario to say: \
         a distribution typed wrong shows here first.",
    ))
}

/// The steps of the timeline: `--steps`, or the first step of each rung less those certain
/// from the start (a flat line at 100%).
pub fn default_or_chosen(steps: &Csv, tl: &Csv, o: &Options) -> Result<Vec<String>, Error> {
    let mut chosen = chosen_steps(steps, o)?;
    if o.steps.is_empty() {
        chosen.retain(|id| tl.col(id).map_or(true, |c| tl.num(0, c) != Some(1.0)));
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::path_label;
    use crate::report::svg::LABEL_CHARS;

    #[test]
    fn a_path_label_keeps_its_rank_and_step_count() {
        assert_eq!(path_label(1, "ceasefire", 6), "#1 ceasefire · 6 steps");
        let long = "horizon (no end state by 365 days), a name longer than any label";
        let l = path_label(10, long, 12);
        assert_eq!(l.chars().count(), LABEL_CHARS);
        assert!(l.starts_with("#10 horizon (no end state"), "{l}");
        assert!(l.ends_with("… · 12 steps"), "{l}");
    }
}
