//! From TOML text to a checked [`Model`], collecting every independent problem as a
//! [`Diagnostic`].
//!
//! The file is parsed with `toml`'s span-keeping document tree ([`toml::de::DeTable`]), so
//! every key and value has a byte span and every diagnostic can point at the exact spot
//! ([`ctx`]: the diagnostics of one load and the table being read; [`values`], [`ids`],
//! [`exprs`]: values of the wanted type, ids, expression positions). Loading goes in
//! passes, each collecting all of its problems before the next runs:
//!
//! 0. [`limits`]: the file's size, before parsing; [`syntax`]: a TOML syntax error is
//!    reported once, at its cause, and stops the load;
//! 1. [`scenario_table`]: `[scenario]`, the name, time unit, horizon and resolution;
//! 2. [`params`]: parameter ids, then their values (expressions over parameters, or
//!    distributions: [`dist`]), then their evaluation order (cycles are errors);
//! 3. [`actors`]: actors and their state variables (initial values over parameters);
//! 4. [`steps`]: step and branch ids (one namespace, so that `after`, `fired()` ... may name
//!    steps further down the file), then everything else of the steps, and the flows
//!    ([`scope`]: what names an expression may use at each position);
//!    [`words`]: a word of estimative probability where a probability is written;
//!    [`correlations`]: `[[correlations]]`, between drawn parameters (those of the words
//!    too), their matrix valid;
//! 5. [`sweep`]: `[sweep]`, the design `rungs sweep` runs without flags, checked whole;
//! 6. `[[checks]]` (see [`crate::check::load`]), which name steps, branches and outcomes;
//! 7. [`ticks`]: the tick limit, once the steps and flows say whether the model ticks;
//!    [`limits`]: the timeline of a summary fits in memory;
//! 8. cycles between steps ([`check::cycles`]), then expressions whose every input is fixed,
//!    evaluated now so that a value that would stop the runs is a load-time error
//!    ([`consts`]).
//!
//! Only a file without errors becomes a [`Model`]; the advisory checks of [`check`] then add
//! warnings. [`read`] turns a file's bytes into the text all this reads.

mod actors;
mod consts;
mod correlations;
mod ctx;
mod dist;
mod exprs;
mod ids;
mod limits;
mod params;
mod read;
mod scenario_table;
mod scope;
mod steps;
mod sweep;
mod syntax;
mod ticks;
mod values;
mod words;

use toml::de::DeTable;

use crate::diag::{Diagnostic, Diagnostics};
use crate::scenario::Model;
use crate::scenario::check::{self, SourceMap};

pub(crate) use ctx::{Ctx, Table, Val};
pub(crate) use exprs::{compile_text, compile_value, inner_span};
pub(crate) use ids::check_id;
pub use ids::is_id;
pub use limits::MAX_FILE_BYTES;
pub use read::{load_bytes, load_file};

pub(crate) use values::{number_of, want_int, want_str, want_table};

/// Like [`load_file`] for text already read; `file` is the name used in messages.
pub fn load_str(file: &str, text: &str) -> Result<(Model, Diagnostics), Diagnostics> {
    let mut ctx = Ctx::new(file, text);
    let loaded = if limits::text_fits(&mut ctx, text) {
        load_doc(&mut ctx, text).filter(|(model, map)| limits::timeline_fits(&mut ctx, model, map))
    } else {
        None
    };
    let mut diags = Diagnostics::new(file, text);
    match loaded {
        Some((model, map))
            if ctx.errors.is_empty()
                && {
                    ctx.errors.extend(check::cycles(&model, &map, text));
                    ctx.errors.is_empty()
                }
                && {
                    ctx.errors.extend(consts::check(&model, text));
                    ctx.errors.is_empty()
                } =>
        {
            for w in check::check(&model, &map) {
                diags.push(w);
            }
            Ok((model, diags))
        }
        _ => {
            if ctx.errors.is_empty() {
                // Defensive: a failed pass always reports why; never fail silently.
                ctx.push(Diagnostic::error(0..0, "the scenario could not be loaded"));
            }
            diags.items = ctx.errors;
            Err(diags)
        }
    }
}

/// The model and source map of `text` before the circle check, for tests of the checks
/// (None if the passes report errors).
#[cfg(test)]
pub(crate) fn parts(text: &str) -> Option<(Model, SourceMap)> {
    let mut ctx = Ctx::new("test.toml", text);
    load_doc(&mut ctx, text).filter(|_| ctx.errors.is_empty())
}

/// Parses the TOML and runs the passes 1 to 7, in order.
fn load_doc(ctx: &mut Ctx<'_>, text: &str) -> Option<(Model, SourceMap)> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    // toml's recovery turns one mistake into a cascade: report the first, at its cause.
    if let Some(d) = syntax::first_error(text, &errors) {
        ctx.push(d);
        return None;
    }
    let root = Table {
        map: doc.get_ref(),
        span: 0..0,
        what: "the file".to_string(),
    };
    root.check_keys(
        ctx,
        &[
            "scenario",
            "parameters",
            "actors",
            "steps",
            "flows",
            "sweep",
            "checks",
            "correlations",
        ],
    );
    let mut model = scenario_table::empty_model();
    let mut map = SourceMap::default();
    let ticks = scenario_table::scenario_table(ctx, &root, &mut model);
    params::params(ctx, &root, &mut model, &mut map);
    actors::actors(ctx, &root, &mut model, &mut map);
    steps::steps(ctx, &root, &mut model, &mut map);
    steps::flows(ctx, &root, &mut model, &mut map);
    correlations::correlations(ctx, &root, &mut model);
    if let Some(v) = root.get("sweep") {
        model.sweep = sweep::sweep(ctx, v, &model);
    }
    if let Some(v) = root.get("checks") {
        model.checks = crate::check::load::checks(ctx, v, &model);
    }
    if let Some(spans) = ticks {
        ticks::check_ticks(ctx, &model, &spans);
    }
    Some((model, map))
}
