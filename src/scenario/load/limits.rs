//! The size limits of a scenario, checked before parsing (the file is untrusted input) and
//! after the passes (the summaries of its runs must fit in memory).

use crate::diag::Diagnostic;
use crate::scenario::Model;
use crate::scenario::check::SourceMap;

use super::Ctx;

/// A scenario larger than this is refused: real ones are a few kilobytes, and the file is
/// untrusted input that must not exhaust memory.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// A scenario may hold at most this many values, list items, keys and table headers
/// (counted, before parsing, as the `,`, `=` and `[` in the file: an upper bound). Parsed,
/// each costs a few hundred bytes (the TOML tree, then a compiled expression), so a 16 MB
/// file of `1,1,1,...` would otherwise take over 3 GB. 200,000 steps or a `discrete` with
/// 1,000,000 values and weights fit.
pub const MAX_ITEMS: usize = 3_000_000;

/// The most (step or branch) x (timeline point) counts a scenario may need: every summary
/// of runs keeps one per pair (8 bytes each), so this bounds a summary's timeline to 80 MB.
pub const MAX_TIMELINE_CELLS: usize = 10_000_000;

/// Whether `text` is small enough to parse (else an error at the file's start): at most
/// [`MAX_FILE_BYTES`] bytes and [`MAX_ITEMS`] values, keys and tables.
pub(super) fn text_fits(ctx: &mut Ctx<'_>, text: &str) -> bool {
    let items = text
        .bytes()
        .filter(|b| matches!(b, b',' | b'=' | b'['))
        .count();
    if text.len() > MAX_FILE_BYTES {
        ctx.push(Diagnostic::error(
            0..0,
            format!("scenario files may be at most {MAX_FILE_BYTES} bytes"),
        ));
        false
    } else if items > MAX_ITEMS {
        ctx.push(
            Diagnostic::error(
                0..0,
                format!(
                    "the file has {items} values, keys and tables (counting `,`, `=` and `[`); a scenario may have at most {MAX_ITEMS}"
                ),
            )
            .with_hint("a scenario that large would take gigabytes of memory to read"),
        );
        false
    } else {
        true
    }
}

/// Whether the summaries of `model`'s runs stay within [`MAX_TIMELINE_CELLS`] (else an error).
pub(super) fn timeline_fits(ctx: &mut Ctx<'_>, model: &Model, map: &SourceMap) -> bool {
    let points = crate::stats::summary::timeline_grid(model.horizon, model.resolution).points;
    let cells = model.nodes.len().saturating_mul(points);
    if cells <= MAX_TIMELINE_CELLS {
        return true;
    }
    let span = map.nodes.first().cloned().unwrap_or(0..0);
    ctx.error_hint(
        span,
        format!(
            "{} steps and branches x {points} timeline points is {cells} counts per summary, more than rungs keeps ({MAX_TIMELINE_CELLS})",
            model.nodes.len()
        ),
        "use fewer steps, or a larger `resolution` (a timeline has at most one point per resolution)",
    );
    false
}
