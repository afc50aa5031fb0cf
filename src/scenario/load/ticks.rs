//! The tick limit (spec, section 6), checked once every step and flow is read: a model
//! that ticks may have at most [`MAX_TICKS`] ticks in a run; one without ticks may have
//! any horizon.

use super::Ctx;
use crate::diag::Span;
use crate::expr::Expr;
use crate::scenario::{Model, Trigger};

/// `horizon / resolution` may not exceed this many ticks (spec, section 6).
pub const MAX_TICKS: f64 = 10_000_000.0;

/// Where `[scenario]` sets the horizon and the resolution, for the tick limit.
pub(super) struct TickSpans {
    /// The `horizon` value.
    pub(super) horizon: Span,
    /// The `resolution` value, if the file sets one.
    pub(super) resolution: Option<Span>,
}

/// Why a model ticks (flows, or a guard or hazard that reads `t`: the engine advances in
/// ticks of `resolution` then), if it does. A purely event-driven model has no ticks.
fn tick_reason(model: &Model) -> Option<String> {
    if !model.flows.is_empty() {
        return Some("it has flows".to_string());
    }
    model.steps.iter().find_map(|s| {
        let id = &model.nodes[s.node].id;
        if s.when.as_ref().is_some_and(Expr::reads_time) {
            Some(format!("the `when` of step `{id}` reads `t`"))
        } else if matches!(&s.trigger, Trigger::Hazard { rate } if rate.reads_time()) {
            Some(format!("the `hazard` of step `{id}` reads `t`"))
        } else {
            None
        }
    })
}

/// The one tick-limit check: an error if `model` ticks more than [`MAX_TICKS`] times in a
/// run, at the resolution if the file sets one (raise it), else at the horizon (the
/// default resolution of 1 is what ticks too often).
pub(super) fn check_ticks(ctx: &mut Ctx<'_>, model: &Model, spans: &TickSpans) {
    let ticks = model.horizon / model.resolution;
    if ticks <= MAX_TICKS {
        return;
    }
    let Some(reason) = tick_reason(model) else {
        return;
    };
    let least = model.horizon / MAX_TICKS;
    let (span, fix) = match &spans.resolution {
        Some(span) => (span, format!(": use a resolution of at least {least}")),
        None => (
            &spans.horizon,
            format!(" (default 1): set `resolution` to at least {least} or shorten the horizon"),
        ),
    };
    ctx.error_hint(
        span.clone(),
        format!(
            "horizon / resolution is {ticks:.0} ticks; a scenario that ticks may have at most {}",
            MAX_TICKS as u64
        ),
        format!("{reason}, so it advances in ticks of `resolution`{fix}"),
    );
}
