//! `rungs validate`: load, check and compile; print a short structure summary and warnings.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use crate::cli::Failure;
use crate::engine::ticks::TickPlan;
use crate::scenario::{Model, NodeKind, ParamValue, Trigger};

/// Arguments of `rungs validate`.
#[derive(Args, Debug)]
pub(crate) struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true, value_name = "SCENARIO")]
    pub files: Vec<PathBuf>,
}

/// Checks every file; reports all of them before failing.
pub(crate) fn run(args: ValidateArgs) -> Result<(), Failure> {
    let mut failed: Option<Failure> = None;
    for path in &args.files {
        match crate::scenario::load_file(path) {
            Ok((model, warnings)) => {
                if !warnings.items.is_empty() {
                    // One write, not one per piece: stderr is unbuffered, and a file may
                    // have 200,000 warnings.
                    let text = format!("{warnings}\n");
                    eprint!("{text}");
                }
                print!(
                    "{}",
                    summary(
                        &path.display().to_string(),
                        &model,
                        warnings.warning_count()
                    )
                );
            }
            Err(d) => {
                // Later files are still checked; the exit status reports the failure.
                if failed.is_some() {
                    eprintln!("{d}");
                } else {
                    failed = Some(Failure::Scenario(Box::new(d)));
                }
            }
        }
    }
    failed.map_or(Ok(()), Err)
}

/// The most ids a line of the summary lists; the rest are counted ("and 199992 more").
pub(crate) const LISTED: usize = 8;

/// `ids` joined with ", ", the first [`LISTED`] of them and a count of the rest.
fn listing(ids: &[&str]) -> String {
    if ids.len() <= LISTED {
        return ids.join(", ");
    }
    format!(
        "{}, and {} more",
        ids[..LISTED].join(", "),
        ids.len() - LISTED
    )
}

/// The short structure summary `validate` prints for a valid file. Lists of ids (actors,
/// the steps of a rung, outcomes) show the first [`LISTED`] and count the others.
pub(crate) fn summary(file: &str, m: &Model, warnings: usize) -> String {
    let drawn = m
        .params
        .iter()
        .filter(|p| matches!(p.value, ParamValue::Drawn(_)))
        .count();
    let derived = m
        .params
        .iter()
        .filter(|p| matches!(p.value, ParamValue::Derived(_)))
        .count();
    let fixed = m.params.len() - drawn - derived;
    let hazards = m
        .steps
        .iter()
        .filter(|s| matches!(s.trigger, Trigger::Hazard { .. }))
        .count();
    let branches = m
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Branch)
        .count();
    let mut per_rung: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for s in &m.steps {
        let n = &m.nodes[s.node];
        per_rung.entry(n.rung).or_default().push(&n.id);
    }
    let mut out = format!(
        "{file}: ok ({}), {warnings} warning{}\n",
        m.name,
        if warnings == 1 { "" } else { "s" }
    );
    out += &format!(
        "  horizon {} {}s, resolution {}\n",
        m.horizon, m.time_unit, m.resolution
    );
    out += &format!(
        "  parameters: {} ({drawn} uncertain, {derived} derived, {fixed} fixed)\n",
        m.params.len()
    );
    let actors: Vec<&str> = m.actors.iter().map(|a| a.id.as_str()).collect();
    out += &format!(
        "  actors: {} ({}), {} state variables\n",
        m.actors.len(),
        listing(&actors),
        m.vars.len()
    );
    out += &format!(
        "  steps: {} ({hazards} hazard, {} chance), {branches} branches, {} flows\n",
        m.steps.len(),
        m.steps.len() - hazards,
        m.flows.len()
    );
    for (rung, ids) in &per_rung {
        out += &format!("    rung {rung}: {}\n", listing(ids));
    }
    let outcomes: Vec<&str> = m.outcomes.iter().map(String::as_str).collect();
    out += &format!("  outcomes: {}\n", listing(&outcomes));
    out += &format!("  {}\n", TickPlan::new(m).describe(m));
    out
}
