//! `rungs trace`: one run replayed event by event, the way an analyst debugs a scenario.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use crate::cli::{DEFAULT_SEED, Failure, load_scenario};
use crate::engine::RunRecord;
use crate::engine::run::{Runner, TraceEvent};
use crate::scenario::{Model, NodeKind};

/// Arguments of `rungs trace`.
#[derive(Args, Debug)]
pub(crate) struct TraceArgs {
    /// The scenario file.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Which run to replay (the same run index as in `rungs run`, whatever its `--runs`).
    /// Without it, run 0, or the first run that `--outcome` / `--step` asks for.
    #[arg(long, value_name = "I")]
    pub run: Option<u64>,
    /// Trace the first run (from run 0, in order) that ends with this outcome, e.g.
    /// `--outcome nato_russia_war`.
    #[arg(long, value_name = "ID", conflicts_with = "run")]
    pub outcome: Option<String>,
    /// Trace the first run (from run 0, in order) in which this step or branch happens.
    #[arg(long, value_name = "ID", conflicts_with = "run")]
    pub step: Option<String>,
    /// How many runs `--outcome` / `--step` look through before giving up.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub search: u64,
    /// Only what happened: hide the parameters, the hazard-rate updates of every tick, the
    /// effects that changed nothing and the state that did not change.
    #[arg(long)]
    pub events_only: bool,
    /// Seed (as given to `rungs run`).
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "S")]
    pub seed: u64,
    /// Replaces a parameter by a fixed value (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
}

/// Runs the one run and prints its story.
pub(crate) fn run(args: TraceArgs) -> Result<(), Failure> {
    let (model, _, _) = load_scenario(&args.scenario, &args.set, false)?;
    let reproduce = |e: crate::engine::run::RunError| {
        Failure::Run(e.reproduce(&args.scenario.display().to_string(), &args.set))
    };
    let run = match (&args.outcome, &args.step, args.run) {
        (_, _, Some(i)) => i,
        (None, None, None) => 0,
        (outcome, step, None) => {
            let wanted = wanted(&model, outcome.as_deref(), step.as_deref())?;
            let found = first_run(&model, args.seed, args.search, &wanted).map_err(reproduce)?;
            match found {
                Some(i) => {
                    println!(
                        "run {i} is the first of runs 0..={i} (seed {}) {}",
                        args.seed,
                        wanted.describe(&model)
                    );
                    i
                }
                None => {
                    return Err(Failure::Run(format!(
                        "none of runs 0..{} (seed {}) {}; raise --search, or check that it can \
                         happen (`rungs run` shows its probability)",
                        args.search,
                        args.seed,
                        wanted.describe(&model)
                    )));
                }
            }
        }
    };
    let mut runner = Runner::new(&model, args.seed);
    let mut rec = RunRecord::default();
    let mut events: Vec<TraceEvent> = Vec::new();
    let result = runner.run_traced(run, &mut rec, &mut events);
    print!("{}", render(&model, &args, run, &rec, &events));
    result.map_err(reproduce)
}

/// What `--outcome` / `--step` look for.
enum Wanted {
    Outcome(usize),
    Node(usize),
}

impl Wanted {
    fn matches(&self, rec: &RunRecord) -> bool {
        match *self {
            Wanted::Outcome(o) => rec.outcome == o,
            Wanted::Node(n) => rec.counts.get(n).is_some_and(|&c| c > 0),
        }
    }

    fn describe(&self, m: &Model) -> String {
        match *self {
            Wanted::Outcome(o) => format!("that ends with outcome `{}`", m.outcomes[o]),
            Wanted::Node(n) => format!("in which `{}` happens", m.nodes[n].id),
        }
    }
}

fn wanted(m: &Model, outcome: Option<&str>, step: Option<&str>) -> Result<Wanted, Failure> {
    let unknown = |what: &str, id: &str, known: Vec<&str>| {
        let hint = crate::diag::closest(id, &known)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        Failure::Usage(format!("no {what} `{id}` in this scenario{hint}"))
    };
    match (outcome, step) {
        (Some(_), Some(_)) => Err(Failure::Usage("give --outcome or --step, not both".into())),
        (Some(o), None) => m
            .outcomes
            .iter()
            .position(|x| x == o)
            .map(Wanted::Outcome)
            .ok_or_else(|| {
                unknown(
                    "outcome",
                    o,
                    m.outcomes.iter().map(String::as_str).collect(),
                )
            }),
        (None, Some(s)) => m.node_index(s).map(Wanted::Node).ok_or_else(|| {
            unknown(
                "step or branch",
                s,
                m.nodes.iter().map(|n| n.id.as_str()).collect(),
            )
        }),
        (None, None) => Err(Failure::Usage("nothing to look for".into())),
    }
}

/// The first run of `0..search` that `wanted` matches, looked through in order with the
/// untraced (fast) runner.
fn first_run(
    m: &Model,
    seed: u64,
    search: u64,
    wanted: &Wanted,
) -> Result<Option<u64>, crate::engine::run::RunError> {
    let mut runner = Runner::new(m, seed);
    let mut rec = RunRecord::default();
    for i in 0..search {
        runner.run(i, &mut rec)?;
        if wanted.matches(&rec) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn render(m: &Model, args: &TraceArgs, run: u64, rec: &RunRecord, events: &[TraceEvent]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "run {run} of {} (seed {}), {}",
        args.scenario.display(),
        args.seed,
        m.name
    );
    let brief = args.events_only;
    // The variables something changed: an effect that changed it, or a flow into it.
    let mut changed = vec![false; m.vars.len()];
    for f in &m.flows {
        if let Some(c) = changed.get_mut(f.target) {
            *c = true;
        }
    }
    if !brief {
        let _ = writeln!(out, "parameters:");
        for e in events {
            if let TraceEvent::Param { param, value } = e {
                let _ = writeln!(out, "  {:<28} = {}", m.params[*param].id, value);
            }
        }
    }
    let _ = writeln!(out, "time ({}s)   event", m.time_unit);
    for e in events {
        event_line(&mut out, m, e, brief, &mut changed);
    }
    let _ = writeln!(
        out,
        "final state{}:",
        if brief { " (what changed)" } else { "" }
    );
    for (i, v) in rec.state.iter().enumerate() {
        if !brief || changed.get(i).copied().unwrap_or(true) {
            let _ = writeln!(out, "  {:<28} = {v}", m.var_name(i));
        }
    }
    let _ = writeln!(out, "highest rung reached: {}", rec.max_rung);
    out
}

/// One event of the trace as a line of `out` (none for parameters, shown above the events,
/// nor, when `brief`, for hazard re-ratings and effects that changed nothing). Marks in
/// `changed` the variables an effect changed.
fn event_line(out: &mut String, m: &Model, e: &TraceEvent, brief: bool, changed: &mut [bool]) {
    match e {
        TraceEvent::Param { .. } => {}
        TraceEvent::Decided {
            t,
            step,
            probability,
            draw,
            due,
        } => {
            let id = &m.nodes[m.steps[*step].node].id;
            let verdict = match due {
                Some(d) => format!("yes, happens at {d:.3}"),
                None => "no: declined".into(),
            };
            let _ = writeln!(
                out,
                "{t:>12.3}   enabled   {id}: probability {probability:.4}, draw {draw:.4} -> {verdict}"
            );
        }
        TraceEvent::Hazard { .. } if brief => {}
        TraceEvent::Hazard { t, step, rate, due } => {
            let id = &m.nodes[m.steps[*step].node].id;
            let when = if due.is_finite() {
                format!("due at {due:.3} if nothing changes")
            } else {
                "paused".into()
            };
            let _ = writeln!(
                out,
                "{t:>12.3}   hazard    {id}: rate {rate} per {}, {when}",
                m.time_unit
            );
        }
        TraceEvent::Happened { t, node, draw } => {
            let n = &m.nodes[*node];
            let actor = n
                .actor
                .map(|a| format!(", {}", m.actors[a].id))
                .unwrap_or_default();
            match (n.kind, draw) {
                (NodeKind::Branch, Some(u)) => {
                    let _ = writeln!(
                        out,
                        "{:>12}   branch    {} ({}; rung {}), draw {u:.4}",
                        "", n.id, n.label, n.rung
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "{t:>12.3}   HAPPENED  {} ({}; rung {}{actor})",
                        n.id, n.label, n.rung
                    );
                }
            }
        }
        TraceEvent::Effect { old, new, .. } if brief && old == new => {}
        TraceEvent::Effect { var, old, new } => {
            if old != new
                && let Some(c) = changed.get_mut(*var)
            {
                *c = true;
            }
            let _ = writeln!(
                out,
                "{:>12}   effect    {}: {old} -> {new}",
                "",
                m.var_name(*var)
            );
        }
        TraceEvent::Excluded { t, step } => {
            let _ = writeln!(
                out,
                "{t:>12.3}   excluded  {}",
                m.nodes[m.steps[*step].node].id
            );
        }
        TraceEvent::Ended { t, outcome } => {
            let _ = writeln!(
                out,
                "{t:>12.3}   END       outcome `{}`",
                m.outcomes[*outcome]
            );
        }
    }
}
