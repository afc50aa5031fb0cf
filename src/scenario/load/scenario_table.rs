//! `[scenario]`: the name, the time unit, the horizon and the resolution.

use super::ticks::TickSpans;
use super::values::{want_num, want_str, want_table};
use super::{Ctx, Table};
use crate::scenario::Model;

/// The model before any table is read: `[scenario]`'s defaults (time unit `day`,
/// resolution 1), no parameters, actors or steps, and the one outcome every scenario has.
pub(super) fn empty_model() -> Model {
    Model {
        name: String::new(),
        description: None,
        source: None,
        time_unit: "day".to_string(),
        horizon: 1.0,
        resolution: 1.0,
        params: Vec::new(),
        param_order: Vec::new(),
        actors: Vec::new(),
        vars: Vec::new(),
        nodes: Vec::new(),
        steps: Vec::new(),
        flows: Vec::new(),
        outcomes: vec![crate::scenario::HORIZON_OUTCOME.to_string()],
        sweep: None,
        checks: Vec::new(),
        correlations: Vec::new(),
    }
}

/// `[scenario]`.
pub(super) fn scenario_table(
    ctx: &mut Ctx<'_>,
    root: &Table<'_, '_>,
    model: &mut Model,
) -> Option<TickSpans> {
    let Some(v) = root.get("scenario") else {
        ctx.error_hint(
            0..0,
            "the file has no [scenario] table",
            "start the file with [scenario], a `name` and a `horizon`",
        );
        return None;
    };
    let t = want_table(ctx, v, "[scenario]")?;
    t.check_keys(
        ctx,
        &[
            "name",
            "description",
            "source",
            "time_unit",
            "horizon",
            "resolution",
        ],
    );
    if let Some(v) = t.require(ctx, "name")
        && let Some(s) = want_str(ctx, v, "`name`")
    {
        if s.trim().is_empty() {
            ctx.error(v.span(), "the scenario `name` is empty");
        }
        model.name = s.to_string();
    }
    model.description = t.opt_str(ctx, "description").map(|(s, _)| s.to_string());
    model.source = t.opt_str(ctx, "source").map(|(s, _)| s.to_string());
    if let Some((s, _)) = t.opt_str(ctx, "time_unit") {
        model.time_unit = s.to_string();
    }
    let horizon = t
        .require(ctx, "horizon")
        .and_then(|v| want_num(ctx, v, "`horizon`").map(|x| (x, v.span())));
    if let Some((h, span)) = &horizon {
        if *h <= 0.0 {
            ctx.error_hint(
                span.clone(),
                format!("`horizon` must be greater than 0, got {h}"),
                "a run covers the time from 0 to the horizon",
            );
        } else {
            model.horizon = *h;
        }
    }
    let mut resolution = None;
    if let Some(v) = t.get("resolution")
        && let Some(r) = want_num(ctx, v, "`resolution`")
    {
        if r <= 0.0 {
            ctx.error(
                v.span(),
                format!("`resolution` must be greater than 0, got {r}"),
            );
        } else {
            model.resolution = r;
            resolution = Some(v.span());
        }
    }
    horizon.map(|(_, span)| TickSpans {
        horizon: span,
        resolution,
    })
}
