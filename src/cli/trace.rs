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
    #[arg(long, value_name = "I")]
    pub run: u64,
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
    let mut runner = Runner::new(&model, args.seed);
    let mut rec = RunRecord::default();
    let mut events: Vec<TraceEvent> = Vec::new();
    let result = runner.run_traced(args.run, &mut rec, &mut events);
    print!("{}", render(&model, &args, &rec, &events));
    result.map_err(|e| Failure::Run(e.reproduce(&args.scenario.display().to_string(), &args.set)))
}

fn render(m: &Model, args: &TraceArgs, rec: &RunRecord, events: &[TraceEvent]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "run {} of {} (seed {}), {}",
        args.run,
        args.scenario.display(),
        args.seed,
        m.name
    );
    let _ = writeln!(out, "parameters:");
    let mut state = Vec::new();
    for e in events {
        if let TraceEvent::Param { param, value } = e {
            let _ = writeln!(out, "  {:<28} = {}", m.params[*param].id, value);
        }
    }
    let _ = writeln!(out, "time ({}s)   event", m.time_unit);
    for e in events {
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
            TraceEvent::Effect { var, old, new } => {
                state.push(*var);
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
    let _ = writeln!(out, "final state:");
    for (i, v) in rec.state.iter().enumerate() {
        let _ = writeln!(out, "  {:<28} = {v}", m.var_name(i));
    }
    let _ = writeln!(out, "highest rung reached: {}", rec.max_rung);
    out
}
