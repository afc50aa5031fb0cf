//! The conditions of `p(E)` and `p(E | F)`: the scenario's expression language, in which a
//! bare step, branch or outcome id means "it happened in the run".

use std::ops::Range;

use super::{PResult, err};
use crate::check::{Stat, Target};
use crate::diag::closest;
use crate::expr::{Expr, ExprError, Scope, ScopeError, Slot, Type};
use crate::scenario::Model;

/// The arguments of `p(...)`: `E` or `E | F`, in `text[inner]`.
pub(super) fn p_args(text: &str, inner: Range<usize>, model: &Model) -> PResult<Stat> {
    let body = &text[inner.clone()];
    // The `|` at depth 0 that separates the event from its condition.
    let mut bar: Option<usize> = None;
    let mut depth = 0i32;
    let bytes = body.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b'|' if depth == 0 => {
                let at = inner.start + i;
                if bytes.get(i + 1) == Some(&b'|') || (i > 0 && bytes[i - 1] == b'|') {
                    return Err(vec![err(
                        if bytes.get(i + 1) == Some(&b'|') {
                            at..at + 2
                        } else {
                            at - 1..at + 1
                        },
                        "`||` is not an operator",
                        Some(
                            "write `or`; a single `|` separates the event from its condition"
                                .into(),
                        ),
                    )]);
                }
                if bar.is_some() {
                    return Err(vec![err(
                        at..at + 1,
                        "a second `|`",
                        Some("`p(E | F)` has one `|`; combine conditions with `and`".into()),
                    )]);
                }
                bar = Some(i);
            }
            _ => {}
        }
    }
    let part = |r: Range<usize>, what: &str| -> PResult<Expr> {
        let sub = &text[r.clone()];
        if sub.trim().is_empty() {
            let msg = match what {
                "event" => "`p` needs an event, e.g. `p(war)`",
                _ => "nothing after `|`: write the condition, e.g. `p(war | combat)`",
            };
            return Err(vec![err(r, msg, None)]);
        }
        compile_condition(sub, r.start, model)
    };
    match bar {
        None => Ok(Stat::P {
            event: Box::new(part(inner, "event")?),
            given: None,
        }),
        Some(i) => {
            let e = part(inner.start..inner.start + i, "event");
            let f = part(inner.start + i + 1..inner.end, "condition");
            match (e, f) {
                (Ok(event), Ok(given)) => Ok(Stat::P {
                    event: Box::new(event),
                    given: Some(Box::new(given)),
                }),
                (e, f) => {
                    let mut errors = Vec::new();
                    errors.extend(e.err().unwrap_or_default());
                    errors.extend(f.err().unwrap_or_default());
                    Err(errors)
                }
            }
        }
    }
}

/// Compiles a condition written at byte `base` of `expect`: bare step, branch and outcome
/// ids become `fired(id)`, then the expression compiler does the rest; its error spans are
/// mapped back to the text as written.
fn compile_condition(sub: &str, base: usize, model: &Model) -> PResult<Expr> {
    let (rewritten, map) = rewrite_ids(sub, model);
    let scope = CheckScope { model };
    let compiled = Expr::compile(&rewritten, Type::Bool, &scope);
    let back = |s: &Range<usize>| -> Range<usize> {
        let start = map.get(s.start).copied().unwrap_or(sub.len());
        let end = if s.end > s.start {
            map.get(s.end - 1).map_or(sub.len(), |&e| e + 1)
        } else {
            start
        };
        base + start..base + end.max(start)
    };
    compiled.map_err(|es| {
        es.into_iter()
            .map(|e| ExprError {
                span: back(&e.span),
                message: e.message,
                hint: e.hint,
            })
            .collect()
    })
}

/// Rewrites bare step, branch and outcome ids to `fired(id)`. Returns the new text and the
/// offset in `sub` of each byte of it (and one past the end).
pub(super) fn rewrite_ids(sub: &str, model: &Model) -> (String, Vec<usize>) {
    let b = sub.as_bytes();
    let mut out = String::with_capacity(sub.len() + 16);
    let mut map: Vec<usize> = Vec::with_capacity(sub.len() + 16);
    let copy = |out: &mut String, map: &mut Vec<usize>, from: usize, to: usize| {
        out.push_str(&sub[from..to]);
        map.extend(from..to);
    };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            // A number, with anything glued to it (the lexer reports `2x`).
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'_'
                    || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            copy(&mut out, &mut map, start, i);
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let mut dotted = false;
            while i + 1 < b.len()
                && b[i] == b'.'
                && (b[i + 1].is_ascii_alphabetic() || b[i + 1] == b'_')
            {
                dotted = true;
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
            }
            let word = &sub[start..i];
            let keyword = matches!(word, "and" | "or" | "not" | "true" | "false");
            let called = sub[i..].trim_start().starts_with('(');
            let is_node = model.node_index(word).is_some();
            let is_outcome = model.outcomes.iter().any(|o| o == word);
            if keyword
                || called
                || dotted
                || inside_node_call(sub, start)
                || !(is_node || is_outcome)
            {
                copy(&mut out, &mut map, start, i);
                continue;
            }
            out.push_str("fired(");
            map.extend(std::iter::repeat_n(start, "fired(".len()));
            copy(&mut out, &mut map, start, i);
            out.push(')');
            map.push(i - 1);
            continue;
        }
        let len = sub[i..].chars().next().map_or(1, char::len_utf8);
        copy(&mut out, &mut map, i, i + len);
        i += len;
    }
    map.push(sub.len());
    (out, map)
}

/// Whether the name at `at` is the argument of `fired(` or `count(`.
fn inside_node_call(sub: &str, at: usize) -> bool {
    let before = sub[..at].trim_end();
    let Some(before) = before.strip_suffix('(') else {
        return false;
    };
    let before = before.trim_end();
    before.ends_with("fired") || before.ends_with("count")
}

/// The names a condition may use.
pub(super) struct CheckScope<'m> {
    pub(super) model: &'m Model,
}

impl CheckScope<'_> {
    /// Every name a condition knows, for "did you mean".
    fn candidates(&self, with_values: bool) -> Vec<String> {
        let m = self.model;
        let mut names: Vec<String> = m.nodes.iter().map(|n| n.id.clone()).collect();
        names.extend(m.outcomes.iter().cloned());
        if with_values {
            names.extend(m.params.iter().map(|p| p.id.clone()));
            names.extend((0..m.vars.len()).map(|v| m.var_name(v)));
        }
        names
    }

    fn unknown(&self, message: String, name: &str, with_values: bool) -> ScopeError {
        let names = self.candidates(with_values);
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let hint = match closest(name, &refs) {
            Some(c) => Some(format!("did you mean `{c}`?")),
            None if refs.len() <= 12 && !refs.is_empty() => {
                Some(format!("the names known here are: {}", refs.join(", ")))
            }
            None => None,
        };
        ScopeError { message, hint }
    }

    /// A `mean_time` target.
    pub(super) fn target(&self, id: &str) -> Result<Target, ScopeError> {
        let m = self.model;
        let node = m.node_index(id);
        let outcome = m.outcomes.iter().position(|o| o == id);
        // A step that ends the run with an outcome of its own name is the usual case: the
        // name means the step (the same runs, unless other steps end with that outcome too).
        match (node, outcome) {
            (Some(n), _) => Ok(Target::Node(n)),
            (None, Some(o)) => Ok(Target::Outcome(o)),
            (None, None) => Err(self.unknown(
                format!("there is no step, branch or outcome `{id}`"),
                id,
                false,
            )),
        }
    }
}

impl Scope for CheckScope<'_> {
    fn resolve(&self, name: &str) -> Result<Slot, ScopeError> {
        let m = self.model;
        if let Some(i) = m.param_index(name) {
            return Ok(Slot::Param(i as u32));
        }
        if name == "t" {
            return Err(ScopeError {
                message: "`t` has no meaning in a check: its statistics are over whole runs".into(),
                hint: Some(
                    "to ask when something happens, use `mean_time(id)`; state variables \
                     are read at the end of the run"
                        .into(),
                ),
            });
        }
        if name.contains('.') {
            if let Some(v) = (0..m.vars.len()).find(|&v| m.var_name(v) == name) {
                return Ok(Slot::State(v as u32));
            }
            return Err(self.unknown(format!("there is no state variable `{name}`"), name, true));
        }
        if m.actors.iter().any(|a| a.id == name) {
            return Err(ScopeError {
                message: format!("`{name}` is an actor, not a value"),
                hint: Some(format!("use one of its state variables: `{name}.var`")),
            });
        }
        Err(self.unknown(
            format!("there is no step, branch, outcome, parameter or state variable `{name}`"),
            name,
            true,
        ))
    }

    fn resolve_node(&self, id: &str) -> Result<u32, ScopeError> {
        match self.target(id)? {
            Target::Node(n) => Ok(n as u32),
            Target::Outcome(o) => Ok((self.model.nodes.len() + o) as u32),
        }
    }
}
