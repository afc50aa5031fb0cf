//! From TOML text to a checked [`Model`], collecting every independent problem as a
//! [`Diagnostic`].
//!
//! The file is parsed with `toml`'s span-keeping document tree ([`toml::de::DeTable`]), so
//! every key and value has a byte span and every diagnostic can point at the exact spot.
//! Loading goes in passes, each collecting all of its problems before the next runs:
//!
//! 1. `[scenario]`;
//! 2. parameter ids, then their values (expressions over parameters), then their
//!    evaluation order (cycles are errors);
//! 3. actors and their state variables (initial values: expressions over parameters);
//! 4. step and branch ids (one namespace), so that `after`, `fired()` ... may name steps
//!    further down the file;
//! 5. everything else of the steps, the flows and `[sweep]`;
//! 6. cycles between steps, then expressions whose every input is fixed, evaluated now so
//!    that a value that would stop the runs is a load-time error (`consts`).
//! 7. `[[checks]]` (see [`crate::check::load`]), which name steps, branches and outcomes.
//!
//! A TOML syntax error is reported once, at its cause (`syntax`). Only a file without
//! errors becomes a [`Model`]; the advisory checks of [`check`] then add warnings.

mod consts;
mod dist;
mod scope;
mod steps;
mod sweep;
mod syntax;

use std::path::Path;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Diagnostics, SourceFile, Span, closest};
use crate::expr::{Expr, ExprError, Type};
use crate::scenario::check::{self, SourceMap};
use crate::scenario::{Actor, Model, Param, ParamId, ParamValue, StateVar, Trigger};

pub use sweep::parse_vary;

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

/// `horizon / resolution` may not exceed this many ticks (spec, section 6).
pub const MAX_TICKS: f64 = 10_000_000.0;

/// Names that cannot be used as parameter or actor ids because expressions give them
/// another meaning.
const RESERVED: [&str; 6] = ["t", "true", "false", "and", "or", "not"];

/// Loads, checks and compiles the scenario in `path`. On success returns the model and the
/// warnings (possibly none); on failure the diagnostics (at least one error). Never panics.
pub fn load_file(path: &Path) -> Result<(Model, Diagnostics), Diagnostics> {
    let file = path.display().to_string();
    match crate::input::read_bounded(path, MAX_FILE_BYTES as u64, "scenario file") {
        Ok(bytes) => load_bytes(&file, bytes),
        Err(e) => {
            let mut d = Diagnostics::new(file, "");
            d.push(Diagnostic::error(0..0, e));
            Err(d)
        }
    }
}

/// Like [`load_file`] for the bytes of a file already read (once: the caller hashes the same
/// bytes it loads); `file` is the name used in messages.
pub fn load_bytes(file: &str, bytes: Vec<u8>) -> Result<(Model, Diagnostics), Diagnostics> {
    match String::from_utf8(bytes) {
        Ok(text) => load_str(file, &text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            // Show the text up to the first bad byte (then a replacement character under the
            // caret), not the rest: a binary file would fill the terminal with noise.
            let mut text = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            text.push(char::REPLACEMENT_CHARACTER);
            let mut d = Diagnostics::new(file, text);
            d.push(
                Diagnostic::error(at..at, "the file is not valid UTF-8 text")
                    .with_hint("TOML files must be UTF-8; save the file as UTF-8"),
            );
            Err(d)
        }
    }
}

/// Like [`load_file`] for text already read; `file` is the name used in messages.
pub fn load_str(file: &str, text: &str) -> Result<(Model, Diagnostics), Diagnostics> {
    let mut ctx = Ctx::new(file, text);
    let items = text
        .bytes()
        .filter(|b| matches!(b, b',' | b'=' | b'['))
        .count();
    let loaded = if text.len() > MAX_FILE_BYTES {
        ctx.push(Diagnostic::error(
            0..0,
            format!("scenario files may be at most {MAX_FILE_BYTES} bytes"),
        ));
        None
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
        None
    } else {
        load_doc(&mut ctx, text).filter(|(model, map)| timeline_fits(&mut ctx, model, map))
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

/// Whether the summaries of `model`'s runs stay within [`MAX_TIMELINE_CELLS`] (else an error).
fn timeline_fits(ctx: &mut Ctx<'_>, model: &Model, map: &SourceMap) -> bool {
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

/// Parses the TOML and runs the passes.
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
        ],
    );
    let mut model = Model {
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
    };
    let mut map = SourceMap::default();
    let ticks = scenario_table(ctx, &root, &mut model);
    params(ctx, &root, &mut model, &mut map);
    actors(ctx, &root, &mut model, &mut map);
    steps::steps(ctx, &root, &mut model, &mut map);
    steps::flows(ctx, &root, &mut model, &mut map);
    if let Some(v) = root.get("sweep") {
        model.sweep = sweep::sweep(ctx, v, &model);
    }
    if let Some(v) = root.get("checks") {
        model.checks = crate::check::load::checks(ctx, v, &model);
    }
    if let Some(spans) = ticks {
        check_ticks(ctx, &model, &spans);
    }
    Some((model, map))
}

/// Collects the diagnostics of one load.
pub(crate) struct Ctx<'s> {
    /// The file's text.
    pub(crate) src: &'s str,
    /// The file, shared by the expressions compiled from it.
    pub(crate) file: Arc<SourceFile>,
    /// Errors found so far.
    pub(crate) errors: Vec<Diagnostic>,
    /// Line starts of `src`, built on first use (by [`Ctx::line`]).
    lines: std::cell::OnceCell<crate::diag::LineIndex>,
}

impl<'s> Ctx<'s> {
    fn new(file: &str, src: &'s str) -> Self {
        Ctx {
            src,
            file: SourceFile::new(file, src),
            errors: Vec::new(),
            lines: std::cell::OnceCell::new(),
        }
    }

    /// Records an error.
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    /// Records an error at `span` with `message`.
    pub(crate) fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(Diagnostic::error(span, message));
    }

    /// Records an error with a hint.
    pub(crate) fn error_hint(
        &mut self,
        span: Span,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.errors
            .push(Diagnostic::error(span, message).with_hint(hint));
    }

    /// 1-based line of a byte offset (for "first defined at line N" notes).
    pub(crate) fn line(&self, at: usize) -> usize {
        self.lines
            .get_or_init(|| crate::diag::LineIndex::new(self.src))
            .line(at.min(self.src.len()))
    }
}

/// A TOML value with its byte span.
pub(crate) type Val<'i> = Spanned<DeValue<'i>>;

/// A TOML table being read, with a description for messages ("step `a`").
pub(crate) struct Table<'a, 'i> {
    /// Its entries.
    pub(crate) map: &'a DeTable<'i>,
    /// Its span (a header `[x]`, an inline table, or 0..0 for the document).
    pub(crate) span: Span,
    /// What it is, for messages.
    pub(crate) what: String,
}

impl<'a, 'i> Table<'a, 'i> {
    /// The value of `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Val<'i>> {
        self.map
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    /// The span of `key` itself, if present.
    pub(crate) fn key_span(&self, key: &str) -> Option<Span> {
        self.map
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(k, _)| k.span())
    }

    /// Reports every key not in `allowed`, with a "did you mean" when one is close.
    pub(crate) fn check_keys(&self, ctx: &mut Ctx<'_>, allowed: &[&str]) {
        for (k, _) in self.map.iter() {
            let key: &str = k.get_ref().as_ref();
            if allowed.contains(&key) {
                continue;
            }
            let msg = if self.span == (0..0) {
                format!("unknown table `{key}`")
            } else {
                format!("unknown key `{key}` in {}", self.what)
            };
            match closest(key, allowed) {
                Some(c) => ctx.error_hint(k.span(), msg, format!("did you mean `{c}`?")),
                None => ctx.error_hint(
                    k.span(),
                    msg,
                    format!("the keys allowed here are: {}", allowed.join(", ")),
                ),
            }
        }
    }

    /// The value of a required key, or an error at the table.
    pub(crate) fn require(&self, ctx: &mut Ctx<'_>, key: &str) -> Option<&'a Val<'i>> {
        let v = self.get(key);
        if v.is_none() {
            let msg = format!("{} has no `{key}`; it is required", self.what);
            let hint = match key {
                "name" => Some("e.g. name = \"DPRK troops in Kursk\""),
                "horizon" => {
                    Some("e.g. horizon = 365: a run covers the time from 0 to the horizon")
                }
                "id" => Some("e.g. id = \"first_strike\": lowercase letters, digits and `_`"),
                "probability" => {
                    Some("a number, an expression, or \"rest\" for the remaining probability")
                }
                "rate" => {
                    Some("the change per time unit, e.g. rate = 100 or rate = \"losses_per_day\"")
                }
                "target" => Some("the state variable that flows, e.g. target = \"ru.casualties\""),
                _ => None,
            };
            match hint {
                Some(h) => ctx.error_hint(self.span.clone(), msg, h),
                None => ctx.error(self.span.clone(), msg),
            }
        }
        v
    }

    /// A string-valued key: None if absent or (with an error) not a string.
    pub(crate) fn opt_str(&self, ctx: &mut Ctx<'_>, key: &str) -> Option<(&'a str, Span)> {
        let v = self.get(key)?;
        let s = want_str(ctx, v, &format!("`{key}` in {}", self.what))?;
        Some((s, v.span()))
    }
}

/// "a string", "an integer" ... for messages.
pub(crate) fn a_type(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// The string in `v`, or an error naming `what`.
pub(crate) fn want_str<'a>(ctx: &mut Ctx<'_>, v: &'a Val<'_>, what: &str) -> Option<&'a str> {
    match v.get_ref() {
        DeValue::String(s) => Some(s.as_ref()),
        other => {
            ctx.error(
                v.span(),
                format!("{what} must be a string, found {}", a_type(other)),
            );
            None
        }
    }
}

/// The number in a TOML integer or float, if it is one (None for other types). Integers
/// too large for i64 and non-finite floats are `Some(Err(..))`.
pub(crate) fn number_of(v: &DeValue<'_>) -> Option<Result<f64, String>> {
    match v {
        DeValue::Integer(i) => Some(
            i64::from_str_radix(i.as_str(), i.radix())
                .map(|n| n as f64)
                .map_err(|_| format!("the integer {i} is too large")),
        ),
        DeValue::Float(f) => Some(match f.as_str().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            Ok(_) => Err(format!("{} is not a finite number", f.as_str())),
            Err(_) => Err(format!("`{}` is not a number", f.as_str())),
        }),
        _ => None,
    }
}

/// The finite number in `v`, or an error naming `what`.
pub(crate) fn want_num(ctx: &mut Ctx<'_>, v: &Val<'_>, what: &str) -> Option<f64> {
    match number_of(v.get_ref()) {
        Some(Ok(x)) => Some(x),
        Some(Err(m)) => {
            ctx.error(v.span(), format!("{what}: {m}"));
            None
        }
        None => {
            ctx.error(
                v.span(),
                format!("{what} must be a number, found {}", a_type(v.get_ref())),
            );
            None
        }
    }
}

/// An integer in `lo..=hi`, or an error naming `what`.
pub(crate) fn want_int(
    ctx: &mut Ctx<'_>,
    v: &Val<'_>,
    what: &str,
    lo: i64,
    hi: i64,
) -> Option<i64> {
    let n = match v.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
        DeValue::Float(_) => {
            ctx.error_hint(
                v.span(),
                format!("{what} must be a whole number"),
                "write it without a decimal point",
            );
            return None;
        }
        other => {
            ctx.error(
                v.span(),
                format!("{what} must be a whole number, found {}", a_type(other)),
            );
            return None;
        }
    };
    match n {
        Some(n) if (lo..=hi).contains(&n) => Some(n),
        // Say the side that was crossed: 4294967296 is too large, not "below 1".
        Some(n) if n < lo => {
            ctx.error(v.span(), format!("{what} must be at least {lo}, not {n}"));
            None
        }
        Some(n) => {
            ctx.error(v.span(), format!("{what} may be at most {hi}, not {n}"));
            None
        }
        None => {
            ctx.error(
                v.span(),
                format!("{what} is too large: it may be at most {hi}"),
            );
            None
        }
    }
}

/// The table in `v`, or an error naming `what`.
pub(crate) fn want_table<'a, 'i>(
    ctx: &mut Ctx<'_>,
    v: &'a Val<'i>,
    what: &str,
) -> Option<Table<'a, 'i>> {
    match v.get_ref() {
        DeValue::Table(t) => Some(Table {
            map: t,
            span: v.span(),
            what: what.to_string(),
        }),
        other => {
            ctx.error(
                v.span(),
                format!("{what} must be a table, found {}", a_type(other)),
            );
            None
        }
    }
}

/// Whether `s` is a valid id: `[a-z_][a-z0-9_]*`.
pub fn is_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks an id's form; reports and returns false if it is not one.
pub(crate) fn check_id(ctx: &mut Ctx<'_>, id: &str, span: Span, what: &str) -> bool {
    if is_id(id) {
        return true;
    }
    let suggestion: String = id
        .trim()
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    let hint = if !suggestion.is_empty() && is_id(&suggestion) {
        format!(
            "ids use lowercase letters, digits and `_`, and do not start with a digit: try `{suggestion}`"
        )
    } else {
        "ids use lowercase letters, digits and `_`, and do not start with a digit".to_string()
    };
    ctx.error_hint(span, format!("`{id}` is not a valid {what} id"), hint);
    false
}

/// Maps a byte range inside a string value's decoded text to a byte range in the file.
/// Exact when the string's source text equals its decoded text (no escapes, the usual
/// case); otherwise the whole string value, which still points at the right line.
pub(crate) fn inner_span(src: &str, value: &Span, decoded: &str, inner: &Span) -> Span {
    let Some(raw) = src.get(value.clone()) else {
        return value.clone();
    };
    let q = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else if raw.starts_with('"') || raw.starts_with('\'') {
        1
    } else {
        return value.clone();
    };
    if raw.len() < 2 * q {
        return value.clone();
    }
    let mut start = value.start + q;
    let mut body = &raw[q..raw.len() - q];
    if q == 3 {
        // A newline right after the opening delimiter is not part of the string.
        if let Some(b) = body.strip_prefix("\r\n") {
            body = b;
            start += 2;
        } else if let Some(b) = body.strip_prefix('\n') {
            body = b;
            start += 1;
        }
    }
    if body != decoded {
        return value.clone();
    }
    let s = inner.start.min(decoded.len());
    let e = inner.end.clamp(s, decoded.len());
    start + s..start + e
}

/// Compiles an expression position: a string (an expression), or a TOML number or boolean
/// (a constant). `what` names the position in messages ("`when` of step `a`").
pub(crate) fn compile_value(
    ctx: &mut Ctx<'_>,
    v: &Val<'_>,
    ty: Type,
    scope: &dyn crate::expr::Scope,
    what: &str,
) -> Option<Expr> {
    let want = match ty {
        Type::Number => "a number",
        Type::Bool => "a condition (true or false)",
    };
    match v.get_ref() {
        DeValue::String(s) => compile_text(ctx, s, &v.span(), 0, ty, scope, what),
        DeValue::Boolean(b) if ty == Type::Bool => {
            Some(Expr::constant_bool(*b).located(&ctx.file, v.span()))
        }
        DeValue::Integer(_) | DeValue::Float(_) if ty == Type::Number => {
            want_num(ctx, v, what).map(|x| Expr::constant(x).located(&ctx.file, v.span()))
        }
        other => {
            ctx.error_hint(
                v.span(),
                format!("{what} must be {want}, found {}", a_type(other)),
                match ty {
                    Type::Number => "write a number or an expression in quotes, e.g. \"2 * x\"",
                    Type::Bool => "write true, false or a condition in quotes, e.g. \"t >= 30\"",
                },
            );
            None
        }
    }
}

/// Compiles `decoded[base..]`, the text of a string value at `value` in the file, mapping
/// the expression compiler's errors to file spans.
pub(crate) fn compile_text(
    ctx: &mut Ctx<'_>,
    decoded: &str,
    value: &Span,
    base: usize,
    ty: Type,
    scope: &dyn crate::expr::Scope,
    what: &str,
) -> Option<Expr> {
    let text = decoded.get(base..).unwrap_or("");
    // The expression without the blanks around it: that is what messages quote and where
    // the caret of a run-time error goes.
    let lead = text.len() - text.trim_ascii_start().len();
    let base = base + lead;
    let text = text.trim_ascii();
    match Expr::compile(text, ty, scope) {
        Ok(e) => {
            let at = inner_span(ctx.src, value, decoded, &(base..base + text.len()));
            Some(e.located(&ctx.file, at))
        }
        Err(errors) => {
            for ExprError {
                span,
                message,
                hint,
            } in errors
            {
                let inner = span.start + base..span.end + base;
                let at = inner_span(ctx.src, value, decoded, &inner);
                let d = Diagnostic::error(at, format!("in {what}: {message}"));
                ctx.push(match hint {
                    Some(h) => d.with_hint(h),
                    None => d,
                });
            }
            None
        }
    }
}

/// `[scenario]`.
fn scenario_table(ctx: &mut Ctx<'_>, root: &Table<'_, '_>, model: &mut Model) -> Option<TickSpans> {
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

/// Where `[scenario]` sets the horizon and the resolution, for the tick limit.
struct TickSpans {
    horizon: Span,
    resolution: Option<Span>,
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

/// The tick limit (spec, section 6): a model that ticks may have at most [`MAX_TICKS`] ticks
/// in a run; one without ticks may have any horizon.
fn check_ticks(ctx: &mut Ctx<'_>, model: &Model, spans: &TickSpans) {
    let ticks = model.horizon / model.resolution;
    if ticks <= MAX_TICKS {
        return;
    }
    let Some(reason) = tick_reason(model) else {
        return;
    };
    let msg = format!(
        "horizon / resolution is {ticks:.0} ticks; a scenario that ticks may have at most {}",
        MAX_TICKS as u64
    );
    let least = model.horizon / MAX_TICKS;
    match &spans.resolution {
        Some(span) => ctx.error_hint(
            span.clone(),
            msg,
            format!("{reason}, so it advances in ticks of `resolution`: use a resolution of at least {least}"),
        ),
        None => ctx.error_hint(
            spans.horizon.clone(),
            msg,
            format!("{reason}, so it advances in ticks of `resolution` (default 1): set `resolution` to at least {least} or shorten the horizon"),
        ),
    }
}

/// Reports a parameter or actor id that is reserved.
fn check_reserved(ctx: &mut Ctx<'_>, id: &str, span: Span, what: &str) -> bool {
    if RESERVED.contains(&id) {
        ctx.error_hint(
            span,
            format!("`{id}` cannot be used as a {what} id"),
            if id == "t" {
                "`t` is the current time in expressions; choose another name"
            } else {
                "it is a word of the expression language; choose another name"
            },
        );
        false
    } else {
        true
    }
}

/// `[parameters]`: ids, values, then the evaluation order.
fn params(ctx: &mut Ctx<'_>, root: &Table<'_, '_>, model: &mut Model, map: &mut SourceMap) {
    let Some(v) = root.get("parameters") else {
        return;
    };
    let Some(t) = want_table(ctx, v, "[parameters]") else {
        return;
    };
    // Ids first, so that an expression may use a parameter defined further down.
    for (k, v) in t.map.iter() {
        let id: &str = k.get_ref().as_ref();
        check_id(ctx, id, k.span(), "parameter");
        check_reserved(ctx, id, k.span(), "parameter");
        model.params.push(Param {
            id: id.to_string(),
            value: ParamValue::Fixed(0.0),
            unit: None,
            description: None,
            span: k.span().start..v.span().end.max(k.span().end),
        });
        map.param_keys.push(k.span());
    }
    let scope = scope::ParamScope::new(model, scope::ParamContext::Parameter);
    let mut values = Vec::with_capacity(model.params.len());
    for (i, (k, v)) in t.map.iter().enumerate() {
        let id: &str = k.get_ref().as_ref();
        let what = format!("parameter `{id}`");
        let mut unit = None;
        let mut description = None;
        let value = match v.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => {
                want_num(ctx, v, &what).map(ParamValue::Fixed)
            }
            DeValue::String(_) => {
                compile_value(ctx, v, Type::Number, &scope, &what).map(ParamValue::Derived)
            }
            DeValue::Table(tab) => {
                let tab = Table {
                    map: tab,
                    span: v.span(),
                    what: what.clone(),
                };
                unit = tab.opt_str(ctx, "unit").map(|(s, _)| s.to_string());
                description = tab.opt_str(ctx, "description").map(|(s, _)| s.to_string());
                dist::dist_table(ctx, &tab, &["unit", "description"], &scope, &what)
                    .map(dist::fixed_or_drawn)
            }
            other => {
                ctx.error_hint(
                    v.span(),
                    format!("{what} must be a number, an expression or a distribution, found {}", a_type(other)),
                    "e.g. `x = 3`, `x = \"2 * y\"` or `x = { dist = \"uniform\", min = 1, max = 5 }`",
                );
                None
            }
        };
        let _ = i;
        values.push((value, unit, description));
    }
    for (p, (value, unit, description)) in model.params.iter_mut().zip(values) {
        if let Some(value) = value {
            p.value = value;
        }
        p.unit = unit;
        p.description = description;
    }
    model.param_order = param_order(ctx, model, map);
}

/// The parameters a parameter's value reads.
pub(crate) fn param_deps(v: &ParamValue) -> Vec<ParamId> {
    let mut out: Vec<ParamId> = match v {
        ParamValue::Fixed(_) => Vec::new(),
        ParamValue::Derived(e) => e.params_read().iter().map(|&i| i as usize).collect(),
        ParamValue::Drawn(d) => d
            .args
            .iter()
            .flat_map(|a| a.params_read().iter().map(|&i| i as usize))
            .collect(),
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// Dependencies first, otherwise file order; each cycle reported once, naming it.
fn param_order(ctx: &mut Ctx<'_>, model: &Model, map: &SourceMap) -> Vec<ParamId> {
    let n = model.params.len();
    let deps: Vec<Vec<ParamId>> = model
        .params
        .iter()
        .map(|p| {
            param_deps(&p.value)
                .into_iter()
                .filter(|&d| d < n)
                .collect()
        })
        .collect();
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        // Iterative depth-first search: a deep chain of parameters must not overflow the
        // stack.
        let mut path: Vec<(ParamId, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            if let Some(&d) = deps[node].get(*next) {
                *next += 1;
                match state[d] {
                    0 => {
                        state[d] = 1;
                        path.push((d, 0));
                    }
                    1 => {
                        let from = path.iter().position(|(p, _)| *p == d).unwrap_or(0);
                        let cycle: Vec<ParamId> = path[from..].iter().map(|(p, _)| *p).collect();
                        report_cycle(ctx, model, map, &cycle);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                order.push(node);
                path.pop();
            }
        }
    }
    order
}

fn report_cycle(ctx: &mut Ctx<'_>, model: &Model, map: &SourceMap, cycle: &[ParamId]) {
    // Name the cycle from its first parameter in the file, so the message is stable.
    let Some(first) = cycle
        .iter()
        .enumerate()
        .min_by_key(|(_, p)| **p)
        .map(|(i, _)| i)
    else {
        return;
    };
    let mut names: Vec<&str> = cycle[first..]
        .iter()
        .chain(&cycle[..first])
        .map(|&p| model.params[p].id.as_str())
        .collect();
    let head = names[0];
    names.push(head);
    let p = cycle[first];
    let span = map
        .param_keys
        .get(p)
        .cloned()
        .unwrap_or_else(|| model.params[p].span.clone());
    let msg = if cycle.len() == 1 {
        format!("parameter `{head}` is defined in terms of itself")
    } else {
        format!(
            "parameters depend on each other in a cycle: {}",
            names.join(" -> ")
        )
    };
    ctx.error_hint(
        span,
        msg,
        "each parameter may only use parameters that do not use it in turn",
    );
}

/// `[actors.<id>]`: ids, names, blocs, state variables.
fn actors(ctx: &mut Ctx<'_>, root: &Table<'_, '_>, model: &mut Model, map: &mut SourceMap) {
    let Some(v) = root.get("actors") else {
        return;
    };
    let Some(t) = want_table(ctx, v, "[actors]") else {
        return;
    };
    let scope = scope::ParamScope::new(model, scope::ParamContext::Initial);
    let mut vars: Vec<StateVar> = Vec::new();
    let mut actors: Vec<Actor> = Vec::new();
    for (k, v) in t.map.iter() {
        let id: &str = k.get_ref().as_ref();
        check_id(ctx, id, k.span(), "actor");
        check_reserved(ctx, id, k.span(), "actor");
        if let Some(p) = model.params.iter().position(|p| p.id == id) {
            let pspan = map.param_keys.get(p).cloned().unwrap_or(0..0);
            let (span, other, what) = if pspan.start < k.span().start {
                (k.span(), pspan.start, "a parameter")
            } else {
                (pspan, k.span().start, "an actor")
            };
            ctx.error_hint(
                span,
                format!("`{id}` is the id of both a parameter and an actor"),
                format!(
                    "it is also {what} (line {}); parameters and actors need different ids",
                    ctx.line(other)
                ),
            );
        }
        let what = format!("actor `{id}`");
        let actor_index = actors.len();
        let mut actor = Actor {
            id: id.to_string(),
            name: id.to_string(),
            bloc: None,
            vars: Vec::new(),
        };
        map.actor_keys.push(k.span());
        if let Some(at) = want_table(ctx, v, &what) {
            at.check_keys(ctx, &["name", "bloc", "state"]);
            if let Some((s, _)) = at.opt_str(ctx, "name") {
                actor.name = s.to_string();
            }
            actor.bloc = at.opt_str(ctx, "bloc").map(|(s, _)| s.to_string());
            if let Some(sv) = at.get("state")
                && let Some(st) = want_table(ctx, sv, &format!("`state` of {what}"))
            {
                for (vk, vv) in st.map.iter() {
                    let name: &str = vk.get_ref().as_ref();
                    check_id(ctx, name, vk.span(), "state variable");
                    let vwhat = format!("the initial value of `{id}.{name}`");
                    let init = compile_value(ctx, vv, Type::Number, &scope, &vwhat)
                        .unwrap_or_else(|| Expr::constant(0.0));
                    actor.vars.push(vars.len());
                    map.var_keys.push(vk.span());
                    vars.push(StateVar {
                        actor: actor_index,
                        name: name.to_string(),
                        init,
                    });
                }
            }
        }
        actors.push(actor);
    }
    model.actors = actors;
    model.vars = vars;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_id("dprk_combat"));
        assert!(is_id("_x1"));
        assert!(!is_id("1x"));
        assert!(!is_id("Ru"));
        assert!(!is_id("a-b"));
        assert!(!is_id(""));
    }

    #[test]
    fn inner_span_maps_plain_and_falls_back_on_escapes() {
        let src = r#"x = "a + b""#;
        assert_eq!(inner_span(src, &(4..11), "a + b", &(4..5)), 9..10);
        let src = r#"x = "a\tb""#;
        assert_eq!(inner_span(src, &(4..10), "a\tb", &(2..3)), 4..10);
        let src = "x = '''\nab'''";
        assert_eq!(inner_span(src, &(4..13), "ab", &(1..2)), 9..10);
        // Out-of-range inner spans are clamped, never panic.
        let src = r#"x = "ab""#;
        assert_eq!(inner_span(src, &(4..8), "ab", &(5..9)), 7..7);
    }
}
