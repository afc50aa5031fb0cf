//! The sections of the page, per kind of folder. Every number comes from a CSV cell.

use super::html::{Page, Section, table};
use super::svg::{self, Bar, Bars, Heat, Lines, Series, Strip, Strips, Tornado, TornadoRow, Unit};
use super::table::{Csv, unguard};
use super::{Error, Folder, Options, ladder};

fn usage(e: String) -> Error {
    Error::Usage(e)
}

/// The page of `folder`, as HTML text.
pub fn page(folder: &Folder, o: &Options) -> Result<String, Error> {
    let m = &folder.manifest;
    let (title, description) = match &folder.model {
        Some(model) => (model.name.clone(), model.description.clone()),
        None => (m.scenario_path.clone(), None),
    };
    let kind = match m.kind.as_str() {
        "run" => "Run report",
        "sweep" => "Sweep report",
        "tornado" => "Tornado report",
        "importance" => "Importance report",
        "tornado+importance" => "Tornado and importance report",
        _ => "Comparison report",
    };
    let mut meta = vec![
        ("scenario".to_string(), m.scenario_path.clone()),
        (
            if m.kind == "run" || m.kind == "compare" {
                "runs"
            } else {
                "runs per point or variant"
            }
            .to_string(),
            svg::num(m.runs as f64),
        ),
        ("seed".to_string(), m.seed.to_string()),
        (
            "date".to_string(),
            m.start_time.replace('T', " ").replace('Z', " UTC"),
        ),
    ];
    if let Some(model) = &folder.model {
        meta.push((
            "horizon".into(),
            format!("{} {}", svg::num(model.horizon), folder.time_unit()),
        ));
    }
    if !m.overrides.is_empty() {
        meta.push((
            "--set".into(),
            m.overrides
                .iter()
                .map(|o| format!("{}={}", o.name, o.value))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if let (true, Some(b)) = (
        m.kind == "compare",
        m.options.get("b_path").and_then(|v| v.as_str()),
    ) {
        meta[0] = ("A".into(), m.scenario_path.clone());
        meta.insert(1, ("B".into(), b.to_string()));
    }
    let sections = match m.kind.as_str() {
        "run" => run(folder, o)?,
        "sweep" => sweep(folder, o)?,
        "tornado" => tornado(folder, o)?,
        "importance" => importance(folder, o)?,
        "tornado+importance" => {
            let mut s = tornado(folder, o)?;
            s.extend(importance(folder, o)?);
            s
        }
        _ => compare(folder)?,
    };
    let page = Page {
        title,
        kind: kind.into(),
        description,
        meta,
        sections,
        footer: format!(
            "Written by rungs report (rungs {}) from the CSV files of {}: every number here \
             is a cell of those files (hover a bar or point for the exact cells). Scenario \
             SHA-256 {}.",
            m.tool_version,
            folder.dir.display(),
            m.scenario_sha256
        ),
    };
    Ok(page.render())
}

/// The rows of `steps.csv`-like tables: (row index) of kind `step` for each rung's first.
fn main_steps(t: &Csv) -> Result<Vec<String>, Error> {
    let (c_step, c_rung, c_kind) = (
        t.col("step").map_err(usage)?,
        t.col("rung").map_err(usage)?,
        t.col("kind").map_err(usage)?,
    );
    let mut seen = Vec::new();
    let mut out: Vec<(f64, String)> = Vec::new();
    for r in 0..t.rows.len() {
        if t.text(r, c_kind) != "step" {
            continue;
        }
        let rung = t.num(r, c_rung).unwrap_or(0.0);
        if !seen.contains(&(rung as i64)) {
            seen.push(rung as i64);
            out.push((rung, t.text(r, c_step).to_string()));
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(out.into_iter().map(|(_, s)| s).take(8).collect())
}

/// Checks the ids of `--steps` against the ids in column `step` of `t`.
fn chosen_steps(t: &Csv, o: &Options) -> Result<Vec<String>, Error> {
    if o.steps.is_empty() {
        return main_steps(t);
    }
    let c = t.col("step").map_err(usage)?;
    let ids: Vec<&str> = (0..t.rows.len()).map(|r| t.text(r, c)).collect();
    for s in &o.steps {
        if !ids.contains(&s.as_str()) {
            let mut hint = crate::diag::closest(s, &ids)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            if ids.len() <= 30 {
                hint.push_str(&format!("; its steps and branches are {}", ids.join(", ")));
            }
            return Err(Error::Usage(format!(
                "--steps: `{}` is not a step or branch of this scenario{hint}",
                svg::cut(s, 60)
            )));
        }
    }
    let mut out = Vec::new();
    for s in &o.steps {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    Ok(out)
}

/// Labels of steps by id, from a table with `step` and `label` columns.
fn labels(t: &Csv) -> Vec<(String, String)> {
    let (Some(s), Some(l)) = (t.has("step"), t.has("label")) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for r in 0..t.rows.len() {
        let id = t.text(r, s);
        if !out.iter().any(|(i, _)| i == id) {
            out.push((id.to_string(), unguard(t.text(r, l)).to_string()));
        }
    }
    out
}

fn label_of<'a>(labels: &'a [(String, String)], id: &'a str) -> &'a str {
    labels
        .iter()
        .find(|(i, _)| i == id)
        .map_or(id, |(_, l)| l.as_str())
}

fn outcome_name(o: &str, folder: &Folder) -> String {
    if o == crate::scenario::HORIZON_OUTCOME {
        match &folder.model {
            Some(m) => format!(
                "horizon (no end state by {} {})",
                svg::num(m.horizon),
                folder.time_unit()
            ),
            None => "horizon (no end state)".into(),
        }
    } else {
        // The label of the step or branch of the same id, else of the one step or branch
        // that ends the run this way; else the outcome's name.
        let Some(m) = folder.model.as_ref() else {
            return o.to_string();
        };
        if let Some(n) = m.nodes.iter().find(|n| n.id == o) {
            return n.label.clone();
        }
        let Some(k) = m.outcomes.iter().position(|x| x == o) else {
            return o.to_string();
        };
        let mut enders = Vec::new();
        for s in &m.steps {
            if s.ends == Some(k) {
                enders.push(s.node);
            }
            for b in &s.branches {
                if b.ends == Some(k) {
                    enders.push(b.node);
                }
            }
        }
        match enders.as_slice() {
            [one] => m
                .nodes
                .get(*one)
                .map_or_else(|| o.to_string(), |n| n.label.clone()),
            _ => o.to_string(),
        }
    }
}

fn interval_text(p: f64, lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!("{} ({}–{})", svg::pct(p), svg::pct(l), svg::pct(h)),
        _ => svg::pct(p),
    }
}

/// A tooltip quoting cells of row `r` of `t` verbatim: `file: col=value, ...`.
fn cells_tip(t: &Csv, r: usize, cols: &[&str]) -> String {
    let mut parts = Vec::new();
    for c in cols {
        if let Some(i) = t.has(c) {
            parts.push(format!("{c}={}", unguard(t.text(r, i))));
        }
    }
    format!("{} row {}: {}", t.name, r + 2, parts.join(", "))
}

fn section(id: &str, heading: &str, body: String, how: &str) -> Section {
    Section {
        id: id.into(),
        heading: heading.into(),
        body,
        how: with_code(how),
    }
}

/// `text` escaped, with each `quoted` stretch set as code.
fn with_code(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return svg::esc(text); // An unmatched backtick: plain text.
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", svg::esc(p))
            } else {
                svg::esc(p)
            }
        })
        .collect()
}

fn run(folder: &Folder, o: &Options) -> Result<Vec<Section>, Error> {
    let mut out = Vec::new();
    let unit = folder.time_unit();
    let steps = folder.need("steps.csv")?;
    let step_labels = labels(steps);
    let runs = folder.manifest.runs;

    // Outcomes.
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
    out.push(section(
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
    ));

    // Timeline.
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
                label_of(&step_labels, id),
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
    out.push(section(
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
    ));

    // Rungs.
    if let Some(rt) = folder.table("rungs.csv") {
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
        out.push(section(
            "rungs",
            "How high the escalation goes",
            svg::bars(&b),
            "a bar is the share of runs whose highest rung was at least this one (p_reached \
             in rungs.csv); \"top rung\" is the share whose highest rung was exactly this one \
             (p_max). The first group is the whole ladder, then each actor's own steps.",
        ));
    }

    // The ladder.
    if let Some(model) = &folder.model {
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
        out.push(section(
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
        ));
    }

    // Paths.
    if let Some(pt) = folder.table("paths.csv") {
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
                label: format!(
                    "#{} → {} ({n_steps} steps)",
                    r + 1,
                    outcome_name(pt.text(r, c_out), folder)
                ),
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
                    .map(|s| label_of(&step_labels, s))
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
        out.push(section(
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
        ));
    }

    // Time to each step.
    {
        let cols: Result<Vec<usize>, Error> = [
            "step",
            "probability",
            "time_p05",
            "time_p25",
            "time_p50",
            "time_p75",
            "time_p95",
            "time_mean",
            "kind",
        ]
        .iter()
        .map(|c| steps.col(c).map_err(usage))
        .collect();
        let cols = cols?;
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
                    label_of(&step_labels, id)
                ),
                q: [q[0], q[1], q[2], q[3], q[4]],
                mean: steps.num(r, cols[7]),
                text: format!(
                    "median {} {unit} · in {} of runs",
                    svg::num(q[2]),
                    svg::pct(p)
                ),
                tip: cells_tip(
                    steps,
                    r,
                    &[
                        "step",
                        "probability",
                        "time_p05",
                        "time_p25",
                        "time_p50",
                        "time_p75",
                        "time_p95",
                        "time_mean",
                    ],
                ),
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
        out.push(section(
            "times",
            "When each step happens, if it does",
            svg::strips(&s),
            "for the runs in which the step happened: the thin line spans the 5% to 95% \
             quantiles of the time it first happened, the box the middle half (25% to 75%), \
             the black bar the median and the open dot the mean (steps.csv). Remember the \
             condition: a rare step with an early median happens early when it happens at \
             all; for \"by when\", read the timeline above.",
        ));
    }

    // Inputs.
    if let Some(pt) = folder.table("parameters.csv") {
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
        out.push(section(
            "inputs",
            "The uncertain inputs, as drawn",
            body,
            "the quantiles of the values actually drawn for each uncertain parameter over \
             the runs (parameters.csv). Compare them with what you meant the scenario to say: \
             a distribution typed wrong shows here first.",
        ));
    }
    Ok(out)
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

/// The outcome the tornado (and the workbook's importance chart) draws.
pub fn tornado_outcome(folder: &Folder, t: &Csv, o: &Options) -> Result<String, Error> {
    pick_outcome(folder, t, o, &["p_low", "p_high", "p_base"])
}

/// The varied parameters of a sweep: the columns of points.csv after `point`.
fn sweep(folder: &Folder, o: &Options) -> Result<Vec<Section>, Error> {
    let mut out = Vec::new();
    let points = folder.need("points.csv")?;
    let so = folder.need("sweep_outcomes.csv")?;
    let ss = folder.need("sweep_steps.csv")?;
    let params: Vec<String> = points.header.iter().skip(1).cloned().collect();
    let design = folder
        .manifest
        .options
        .get("design")
        .and_then(|d| d.get("kind"))
        .and_then(|k| k.as_str())
        .unwrap_or("grid")
        .to_string();
    let npoints = points.rows.len();
    let chosen = sweep_steps(ss, o)?;
    let step_labels = labels(ss);
    let param_label = |p: &str| -> String {
        let unit = folder
            .model
            .as_ref()
            .and_then(|m| m.params.iter().find(|q| q.id == p))
            .and_then(|q| q.unit.clone());
        match unit {
            Some(u) => format!("{p} ({u})"),
            None => p.to_string(),
        }
    };
    out.push(section(
        "design",
        "The design",
        format!(
            "<p>{} {} of {} over {}; {} runs at each point, all points on common random \
             numbers.</p>",
            svg::num(npoints as f64),
            if npoints == 1 { "point" } else { "points" },
            svg::esc(match design.as_str() {
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
    ));

    // What is plotted: (table, key column, ids, what).
    let outcome_ids: Vec<String> = ids_in_order(so, "outcome")?;
    let groups: Vec<(&Csv, &str, Vec<String>, &str)> = vec![
        (so, "outcome", outcome_ids, "outcomes"),
        (ss, "step", chosen, "steps"),
    ];
    let name_of = |key: &str, id: &str| -> String {
        if key == "outcome" {
            outcome_name(id, folder)
        } else {
            label_of(&step_labels, id).to_string()
        }
    };

    if design == "grid" && params.len() == 1 {
        let p = &params[0];
        for (t, key, ids, what) in &groups {
            let mut series = Vec::new();
            for id in ids {
                let rows = rows_of(t, key, id)?;
                let (cx, cp, cl, ch) = cols4(t, p)?;
                series.push(Series {
                    name: name_of(key, id),
                    points: rows
                        .iter()
                        .filter_map(|&r| Some((t.num(r, cx)?, t.num(r, cp)?)))
                        .collect(),
                    band: rows
                        .iter()
                        .filter_map(|&r| Some((t.num(r, cx)?, t.num(r, cl)?, t.num(r, ch)?)))
                        .collect(),
                    tips: rows
                        .iter()
                        .map(|&r| {
                            cells_tip(t, r, &["point", p, key, "probability", "ci_low", "ci_high"])
                        })
                        .collect(),
                });
            }
            let l = Lines {
                name: format!("sweep-{what}"),
                title: format!("Probability of the {what} against {p}"),
                x_label: param_label(p),
                y_label: "probability".into(),
                series,
                y_unit: Unit::Percent,
                y_domain: None,
                markers: npoints <= 40,
                scatter: false,
            };
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
    } else if design == "grid" && params.len() == 2 {
        let (pa, pb) = (&params[0], &params[1]);
        for (t, key, ids, what) in &groups {
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
                    title: format!("{} by {pa} and {pb}", name_of(key, id)),
                    x_label: param_label(pb),
                    y_label: param_label(pa),
                    cols: rb.iter().map(fmt).collect(),
                    rows: ra.iter().map(fmt).collect(),
                    cells,
                };
                body.push_str(&format!("<h3>{}</h3>", svg::esc(&name_of(key, id))));
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
    } else if design == "epistemic" {
        for (t, key, ids, what) in &groups {
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
                rows.push((name_of(key, id), vals));
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
    } else {
        // A Latin hypercube or a grid of more than two parameters: scatter per parameter.
        for p in &params {
            for (t, key, ids, what) in &groups {
                let (cx, cp, _, _) = cols4(t, p)?;
                let mut series = Vec::new();
                for id in ids {
                    let rows = rows_of(t, key, id)?;
                    series.push(Series {
                        name: name_of(key, id),
                        points: rows
                            .iter()
                            .filter_map(|&r| Some((t.num(r, cx)?, t.num(r, cp)?)))
                            .collect(),
                        band: Vec::new(),
                        tips: rows
                            .iter()
                            .map(|&r| {
                                cells_tip(
                                    t,
                                    r,
                                    &["point", p, key, "probability", "ci_low", "ci_high"],
                                )
                            })
                            .collect(),
                    });
                }
                let l = Lines {
                    name: format!("scatter-{what}"),
                    title: format!("Probability of the {what} against {p}"),
                    x_label: param_label(p),
                    y_label: "probability".into(),
                    series,
                    y_unit: Unit::Percent,
                    y_domain: None,
                    markers: true,
                    scatter: true,
                };
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

fn ids_in_order(t: &Csv, key: &str) -> Result<Vec<String>, Error> {
    let c = t.col(key).map_err(usage)?;
    let mut out: Vec<String> = Vec::new();
    for r in 0..t.rows.len() {
        let v = t.text(r, c);
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    Ok(out)
}

fn rows_of(t: &Csv, key: &str, id: &str) -> Result<Vec<usize>, Error> {
    let c = t.col(key).map_err(usage)?;
    Ok((0..t.rows.len()).filter(|&r| t.text(r, c) == id).collect())
}

fn cols4(t: &Csv, p: &str) -> Result<(usize, usize, usize, usize), Error> {
    Ok((
        t.col(p).map_err(usage)?,
        t.col("probability").map_err(usage)?,
        t.col("ci_low").map_err(usage)?,
        t.col("ci_high").map_err(usage)?,
    ))
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

fn tornado(folder: &Folder, o: &Options) -> Result<Vec<Section>, Error> {
    let t = folder.need("tornado.csv")?;
    let outcome = tornado_outcome(folder, t, o)?;
    let c: Result<Vec<usize>, Error> = [
        "parameter",
        "outcome",
        "low_value",
        "high_value",
        "p_low",
        "p_high",
        "swing",
    ]
    .iter()
    .map(|c| t.col(c).map_err(usage))
    .collect();
    let c = c?;
    let rows: Vec<usize> = (0..t.rows.len())
        .filter(|&r| t.text(r, c[1]) == outcome)
        .collect();
    let shown = rows.len().min(20);
    let base = base_of(folder, &outcome);
    let unit_of = |p: &str| {
        folder
            .model
            .as_ref()
            .and_then(|m| m.params.iter().find(|q| q.id == p))
            .and_then(|q| q.unit.clone())
            .map(|u| format!(" {u}"))
            .unwrap_or_default()
    };
    let tr = Tornado {
        name: "tornado".into(),
        title: format!(
            "What moves the probability of {}",
            outcome_name(&outcome, folder)
        ),
        x_label: format!("probability of {}", outcome_name(&outcome, folder)),
        rows: rows[..shown]
            .iter()
            .map(|&r| {
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
                    tip: cells_tip(
                        t,
                        r,
                        &[
                            "parameter",
                            "outcome",
                            "low_value",
                            "high_value",
                            "p_low",
                            "p_high",
                            "swing",
                        ],
                    ),
                }
            })
            .collect(),
        base,
    };
    let others: Vec<String> = ids_in_order(t, "outcome")?
        .into_iter()
        .filter(|i| *i != outcome)
        .collect();
    let mut body = svg::tornado(&tr);
    let mut rows_t = Vec::new();
    for &r in &rows[..shown] {
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
    body.push_str(&table(
        &[
            ("parameter", false),
            ("low value", true),
            ("high value", true),
            ("P at low", true),
            ("P at high", true),
        ],
        &rows_t,
    ));
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

fn importance(folder: &Folder, o: &Options) -> Result<Vec<Section>, Error> {
    let t = folder.need("importance.csv")?;
    let c: Result<Vec<usize>, Error> = [
        "step",
        "outcome",
        "p_base",
        "p_blocked",
        "p_forced",
        "raw",
        "rrw",
    ]
    .iter()
    .map(|c| t.col(c).map_err(usage))
    .collect();
    let c = c?;
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
    let step_labels: Vec<(String, String)> = folder
        .model
        .as_ref()
        .map(|m| {
            m.nodes
                .iter()
                .map(|n| (n.id.clone(), n.label.clone()))
                .collect()
        })
        .unwrap_or_default();
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
            let id = t.text(r, c[0]);
            let label = label_of(&step_labels, id).to_string();
            let tipc = cells_tip(
                t,
                r,
                &[
                    "step",
                    "outcome",
                    "p_base",
                    "p_blocked",
                    "p_forced",
                    "raw",
                    "rrw",
                ],
            );
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

fn compare(folder: &Folder) -> Result<Vec<Section>, Error> {
    let t = folder.need("compare.csv")?;
    let c: Result<Vec<usize>, Error> = [
        "kind",
        "id",
        "p_a",
        "p_b",
        "diff",
        "diff_ci_low",
        "diff_ci_high",
    ]
    .iter()
    .map(|c| t.col(c).map_err(usage))
    .collect();
    let c = c?;
    let step_labels: Vec<(String, String)> = folder
        .model
        .as_ref()
        .map(|m| {
            m.nodes
                .iter()
                .map(|n| (n.id.clone(), n.label.clone()))
                .collect()
        })
        .unwrap_or_default();
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
            let id = t.text(r, c[1]);
            let d = t.num(r, c[4]).unwrap_or(0.0);
            let (lo, hi) = (t.num(r, c[5]), t.num(r, c[6]));
            b.bars.push(Bar {
                label: if t.text(r, c[0]) == "outcome" {
                    outcome_name(id, folder)
                } else {
                    label_of(&step_labels, id).to_string()
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
                tip: cells_tip(
                    t,
                    r,
                    &[
                        "kind",
                        "id",
                        "p_a",
                        "p_b",
                        "diff",
                        "diff_ci_low",
                        "diff_ci_high",
                    ],
                ),
                colour: if d < 0.0 { 0 } else { 1 },
            });
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
