//! The statistics language of `expect`.
//!
//! ```text
//! expect := stat CMP number | number CMP stat | number LT stat LT number
//!         | rises '(' stat ')' | falls '(' stat ')'
//! stat   := p '(' E ')' | p '(' E '|' F ')' | mean_time '(' id ')'
//! CMP    := < | <= | > | >= | ==        LT := < | <=
//! ```
//!
//! `E` and `F` are conditions in the scenario's expression language, compiled by
//! [`Expr::compile`]. In them a bare step, branch or outcome id means "it happened in the
//! run" (it is read as `fired(id)`), a parameter is the run's value, `actor.var` the state
//! variable's final value, and `fired(id)` / `count(id)` work as in guards (for outcomes too).
//! Every error carries a byte span inside the `expect` text.

use std::ops::Range;

use crate::check::{Bounds, Claim, Stat};
use crate::diag::closest;
use crate::expr::ExprError;
use crate::scenario::Model;

mod condition;

use condition::{CheckScope, p_args};

/// A parsed `expect`: the claim, and where `rises`/`falls` is written (if it is one).
#[derive(Debug)]
pub struct Parsed {
    /// The claim.
    pub claim: Claim,
    /// The span of the word `rises` or `falls`, for "needs `vary`" messages.
    pub trend: Option<Range<usize>>,
}

/// How `expect` may be written, for hints.
pub const FORMS: &str = "a check is `p(E) > 0.5`, `p(E | F) < 0.1`, `0.2 < p(E) < 0.4`, \
`p(E) == 0`, `mean_time(id) <= 30`, or `rises(p(E))` / `falls(p(E))` with `vary`";

fn err(span: Range<usize>, message: impl Into<String>, hint: Option<String>) -> ExprError {
    ExprError {
        span,
        message: message.into(),
        hint,
    }
}

/// Parses and resolves `text` against `model`.
pub fn parse(text: &str, model: &Model) -> Result<Parsed, Vec<ExprError>> {
    let mut p = Parser { text, pos: 0 };
    let r = p.expect(model);
    r.map_err(|e| {
        if e.is_empty() {
            // Defensive: a failure always says why.
            vec![err(
                0..text.len(),
                "this check is not valid",
                Some(FORMS.into()),
            )]
        } else {
            e
        }
    })
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Cmp {
    /// The operator with its sides swapped (`2 < x` is `x > 2`).
    fn flip(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            Cmp::Eq => Cmp::Eq,
        }
    }
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
}

type PResult<T> = Result<T, Vec<ExprError>>;

impl Parser<'_> {
    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    fn skip_ws(&mut self) {
        while self.pos < self.text.len() && self.bytes()[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.text.len()
    }

    /// The span of the (possibly multi-byte) character at the cursor.
    fn char_span(&self) -> Range<usize> {
        let len = self.text[self.pos..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        self.pos..self.pos + len
    }

    fn describe_here(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "the end of `expect`".into(),
            Some(c) => format!("`{c}`"),
        }
    }

    fn name(&mut self) -> Option<(String, Range<usize>)> {
        self.skip_ws();
        let b = self.bytes();
        let start = self.pos;
        if start < b.len() && (b[start].is_ascii_alphabetic() || b[start] == b'_') {
            let mut i = start;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            self.pos = i;
            return Some((self.text[start..i].to_string(), start..i));
        }
        None
    }

    fn number(&mut self) -> PResult<Option<(f64, Range<usize>)>> {
        self.skip_ws();
        let b = self.bytes();
        let start = self.pos;
        let mut i = start;
        if i < b.len() && b[i] == b'-' {
            i += 1;
        }
        if !(i < b.len()
            && (b[i].is_ascii_digit()
                || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))))
        {
            return Ok(None);
        }
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
            // An exponent's sign: `1e-3`.
            if (b[i] == b'e' || b[i] == b'E') && matches!(b.get(i + 1), Some(b'-' | b'+')) {
                i += 1;
            }
            i += 1;
        }
        let lexeme = &self.text[start..i];
        self.pos = i;
        match lexeme.replace('_', "").parse::<f64>() {
            Ok(v) if v.is_finite() && !lexeme.ends_with('_') && !lexeme.contains("__") => {
                Ok(Some((v, start..i)))
            }
            _ => Err(vec![err(
                start..i,
                format!("`{lexeme}` is not a number"),
                Some("write numbers like `0.25`, `30` or `1e-3`".into()),
            )]),
        }
    }

    fn cmp(&mut self) -> PResult<Option<(Cmp, Range<usize>)>> {
        self.skip_ws();
        let rest = &self.text[self.pos..];
        let start = self.pos;
        let (op, len) = if rest.starts_with("<=") {
            (Cmp::Le, 2)
        } else if rest.starts_with(">=") {
            (Cmp::Ge, 2)
        } else if rest.starts_with("==") {
            (Cmp::Eq, 2)
        } else if rest.starts_with("!=") {
            return Err(vec![err(
                start..start + 2,
                "a check cannot claim that a statistic is not equal to a number",
                Some("claim a side instead, e.g. `p(x) > 0` or `p(x) < 1`".into()),
            )]);
        } else if rest.starts_with('<') {
            (Cmp::Lt, 1)
        } else if rest.starts_with('>') {
            (Cmp::Gt, 1)
        } else if rest.starts_with('=') {
            return Err(vec![err(
                start..start + 1,
                "`=` is not a comparison",
                Some("to compare, write `==`".into()),
            )]);
        } else {
            return Ok(None);
        };
        self.pos += len;
        Ok(Some((op, start..start + len)))
    }

    /// After a function name: `(`, then the text up to the matching `)`. Returns the span of
    /// the text between the parentheses.
    fn group(&mut self, name: &str, name_span: &Range<usize>) -> PResult<Range<usize>> {
        self.skip_ws();
        if !self.text[self.pos..].starts_with('(') {
            return Err(vec![err(
                name_span.clone(),
                format!("`{name}` must be followed by `(`"),
                Some(FORMS.into()),
            )]);
        }
        let open = self.pos;
        let mut depth = 0usize;
        for (i, c) in self.text[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = open + i + 1;
                        return Ok(open + 1..open + i);
                    }
                }
                _ => {}
            }
        }
        Err(vec![err(
            open..open + 1,
            "this `(` is never closed",
            Some("add the missing `)`".into()),
        )])
    }

    fn expect(&mut self, model: &Model) -> PResult<Parsed> {
        if self.at_end() {
            return Err(vec![err(
                0..self.text.len(),
                "`expect` is empty",
                Some(FORMS.into()),
            )]);
        }
        // `lo < stat ...` or `n > stat`.
        let lead = match self.number()? {
            Some((v, span)) => match self.cmp()? {
                Some((op, op_span)) => Some((v, span, op, op_span)),
                None => {
                    return Err(vec![err(
                        self.char_span(),
                        format!(
                            "expected a comparison after the number, found {}",
                            self.describe_here()
                        ),
                        Some(FORMS.into()),
                    )]);
                }
            },
            None => None,
        };
        let Some((name, name_span)) = self.name() else {
            return Err(vec![err(
                self.char_span(),
                format!("expected a statistic, found {}", self.describe_here()),
                Some(FORMS.into()),
            )]);
        };
        if name == "rises" || name == "falls" {
            let lead = lead.map(|(_, span, _, op_span)| span.start..op_span.end);
            return self.trend(&name, name_span, lead, model);
        }
        let stat = self.stat(&name, &name_span, model)?;
        let stat_span = name_span.start..self.pos;
        let tail = match self.cmp()? {
            Some((op, op_span)) => match self.number()? {
                Some((v, span)) => Some((op, op_span, v, span)),
                None => {
                    return Err(vec![err(
                        self.char_span(),
                        format!(
                            "expected a number after the comparison, found {}",
                            self.describe_here()
                        ),
                        Some("statistics are compared with numbers, e.g. `p(x) < 0.05`".into()),
                    )]);
                }
            },
            None => None,
        };
        self.trailing()?;
        let claim = match (lead, tail) {
            (None, None) => {
                return Err(vec![err(
                    stat_span,
                    "this statistic is not compared with anything",
                    Some(FORMS.into()),
                )]);
            }
            (Some((v, span, op, op_span)), None) => {
                compare(stat, op.flip(), v, span.start..op_span.end)?
            }
            (None, Some((op, op_span, v, span))) => compare(stat, op, v, op_span.start..span.end)?,
            (Some((lo, lo_span, op1, _)), Some((op2, _, hi, hi_span))) => {
                range_claim(stat, (lo, lo_span, op1), (op2, hi, hi_span))?
            }
        };
        Ok(Parsed { claim, trend: None })
    }

    /// `rises(STAT)` or `falls(STAT)` (`name`), after its name; `lead` is the span of a
    /// `number <` written before it, which a trend cannot have.
    fn trend(
        &mut self,
        name: &str,
        name_span: Range<usize>,
        lead: Option<Range<usize>>,
        model: &Model,
    ) -> PResult<Parsed> {
        if let Some(span) = lead {
            return Err(vec![err(
                span,
                format!("`{name}(...)` is a claim by itself and cannot be compared"),
                Some(format!("write just `{name}(p(E))`")),
            )]);
        }
        let inner = self.group(name, &name_span)?;
        let stat = {
            let mut sub = Parser {
                text: self.text,
                pos: inner.start,
            };
            let Some((sname, sspan)) = sub.name() else {
                sub.skip_ws();
                return Err(vec![err(
                    if sub.pos >= inner.end {
                        inner.clone()
                    } else {
                        sub.char_span()
                    },
                    format!("`{name}` takes a statistic, e.g. `{name}(p(E))`"),
                    None,
                )]);
            };
            let stat = sub.stat(&sname, &sspan, model)?;
            sub.skip_ws();
            if sub.pos < inner.end {
                return Err(vec![err(
                    sub.pos..inner.end,
                    format!("`{name}` takes one statistic; this is left over"),
                    Some(format!("write e.g. `{name}(p(E))`")),
                )]);
            }
            stat
        };
        if let Some((_, op_span)) = self.cmp()? {
            return Err(vec![err(
                op_span.start..self.text.len(),
                format!("`{name}(...)` is a claim by itself and cannot be compared"),
                Some(format!("write just `{name}(...)`")),
            )]);
        }
        self.trailing()?;
        Ok(Parsed {
            claim: Claim::Trend {
                stat,
                rises: name == "rises",
            },
            trend: Some(name_span),
        })
    }

    fn trailing(&mut self) -> PResult<()> {
        if self.at_end() {
            return Ok(());
        }
        let rest = self.text[self.pos..].trim_start();
        let hint = if rest.starts_with("and") || rest.starts_with("or") {
            "a check makes one claim; write each claim as its own [[checks]] table"
        } else {
            FORMS
        };
        Err(vec![err(
            self.pos..self.text.trim_end().len().max(self.pos),
            "unexpected text after the claim",
            Some(hint.into()),
        )])
    }

    /// `p(...)` or `mean_time(...)`, the name already read.
    fn stat(&mut self, name: &str, name_span: &Range<usize>, model: &Model) -> PResult<Stat> {
        match name {
            "p" => {
                let inner = self.group(name, name_span)?;
                p_args(self.text, inner, model)
            }
            "mean_time" => {
                let inner = self.group(name, name_span)?;
                let arg = &self.text[inner.clone()];
                let id = arg.trim();
                let at = inner.start + (arg.len() - arg.trim_start().len());
                let span = at..at + id.len();
                if id.is_empty() {
                    return Err(vec![err(
                        inner,
                        "`mean_time` takes the id of a step, branch or outcome",
                        Some("write e.g. `mean_time(ceasefire)`".into()),
                    )]);
                }
                if !crate::scenario::load::is_id(id) {
                    return Err(vec![err(
                        span,
                        "`mean_time` takes the id of a step, branch or outcome, not an expression",
                        Some("write e.g. `mean_time(ceasefire)`".into()),
                    )]);
                }
                let scope = CheckScope { model };
                match scope.target(id) {
                    Ok(t) => Ok(Stat::MeanTime(t)),
                    Err(e) => Err(vec![err(span, e.message, e.hint)]),
                }
            }
            _ => {
                let known = ["p", "mean_time", "rises", "falls"];
                let hint = match closest(name, &known) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => FORMS.to_string(),
                };
                let is_id =
                    model.node_index(name).is_some() || model.outcomes.iter().any(|o| o == name);
                let hint = if is_id && !self.text[self.pos..].trim_start().starts_with('(') {
                    format!("to ask how likely `{name}` is, write `p({name})`")
                } else {
                    hint
                };
                Err(vec![err(
                    name_span.clone(),
                    format!("`{name}` is not a statistic"),
                    Some(hint),
                )])
            }
        }
    }
}

/// A probability bound must be in [0, 1].
/// The claim `lo < stat < hi` (or with `<=`): both comparisons must point up and the range
/// must not be empty.
fn range_claim(
    stat: Stat,
    (lo, lo_span, op1): (f64, Range<usize>, Cmp),
    (op2, hi, hi_span): (Cmp, f64, Range<usize>),
) -> PResult<Claim> {
    let is_lt = |op| matches!(op, Cmp::Lt | Cmp::Le);
    if !is_lt(op1) || !is_lt(op2) {
        return Err(vec![err(
            lo_span.start..hi_span.end,
            "a range is written `lo < statistic < hi` (or with `<=`)",
            Some("put the smaller number first and use `<` or `<=` on both sides".into()),
        )]);
    }
    if lo >= hi {
        return Err(vec![err(
            lo_span.start..hi_span.end,
            format!("the range from {lo} to {hi} is empty"),
            Some("put the smaller number first".into()),
        )]);
    }
    if stat.is_probability() {
        check_probability(lo, &lo_span)?;
        check_probability(hi, &hi_span)?;
    }
    Ok(Claim::Within {
        stat,
        bounds: Bounds {
            lower: Some((lo, op1 == Cmp::Le)),
            upper: Some((hi, op2 == Cmp::Le)),
        },
    })
}

fn check_probability(v: f64, span: &Range<usize>) -> PResult<()> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(vec![err(
            span.clone(),
            format!("a probability is between 0 and 1; {v} is not"),
            Some("write probabilities as fractions, e.g. 0.05 for 5%".into()),
        )])
    }
}

/// `stat op v` as a claim; `span` covers the operator and the number.
fn compare(stat: Stat, op: Cmp, v: f64, span: Range<usize>) -> PResult<Claim> {
    let p = stat.is_probability();
    if p {
        check_probability(v, &span)?;
    }
    let claim = match op {
        Cmp::Eq if p && v == 0.0 => Claim::Never(stat),
        Cmp::Eq if p && v == 1.0 => Claim::Always(stat),
        Cmp::Le if p && v == 0.0 => Claim::Never(stat),
        Cmp::Ge if p && v == 1.0 => Claim::Always(stat),
        Cmp::Eq => {
            let hint = if p {
                format!(
                    "runs can show that a probability is 0 or 1 exactly, not that it is {v}; \
                     write a range, e.g. `{} < p(...) < {}`",
                    round4(v * 0.95),
                    round4((v * 1.05).min(1.0))
                )
            } else {
                format!(
                    "runs cannot show that a mean is exactly {v}; write a range, e.g. \
                     `{} < mean_time(...) < {}`",
                    round4(v - v.abs().max(1.0) * 0.01),
                    round4(v + v.abs().max(1.0) * 0.01)
                )
            };
            return Err(vec![err(
                span,
                format!("`== {v}` cannot be decided from runs"),
                Some(hint),
            )]);
        }
        Cmp::Lt => Claim::Within {
            stat,
            bounds: Bounds {
                lower: None,
                upper: Some((v, false)),
            },
        },
        Cmp::Le => Claim::Within {
            stat,
            bounds: Bounds {
                lower: None,
                upper: Some((v, true)),
            },
        },
        Cmp::Gt => Claim::Within {
            stat,
            bounds: Bounds {
                lower: Some((v, false)),
                upper: None,
            },
        },
        Cmp::Ge => Claim::Within {
            stat,
            bounds: Bounds {
                lower: Some((v, true)),
                upper: None,
            },
        },
    };
    Ok(claim)
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

#[cfg(test)]
mod tests {
    use super::condition::rewrite_ids;
    use super::*;
    use crate::check::Target;

    fn model() -> Model {
        let text = "[scenario]\nname = \"m\"\nhorizon = 10\n\n[parameters]\nx = 1\n\n\
                    [actors.ru]\nstate = { losses = 0 }\n\n[[steps]]\nid = \"a\"\nprobability = \"x / 2\"\n\
                    delay = 1\nends = \"war\"\n";
        match crate::scenario::load_str("m.toml", text) {
            Ok((m, _)) => m,
            Err(d) => panic!("{d}"),
        }
    }

    #[test]
    fn bare_ids_become_fired_and_nothing_else_does() {
        let m = model();
        let (out, map) = rewrite_ids("a and not war or fired(a) or count( a ) > 1e5", &m);
        assert_eq!(
            out,
            "fired(a) and not fired(war) or fired(a) or count( a ) > 1e5"
        );
        assert_eq!(map.len(), out.len() + 1);
        // `fired(` maps to the id's start, the id to itself, `)` to the id's end.
        assert_eq!((map[0], map[6], map[7]), (0, 0, 0));
        let (out, _) = rewrite_ids("ru.losses > x and min(x, 1) > 0", &m);
        assert_eq!(out, "ru.losses > x and min(x, 1) > 0");
    }

    #[test]
    fn forms_parse_to_claims() {
        let m = model();
        let claim = |t: &str| parse(t, &m).map(|p| p.claim);
        assert!(matches!(claim("p(a) == 0"), Ok(Claim::Never(_))));
        assert!(matches!(claim("p(a | x > 0) >= 1"), Ok(Claim::Always(_))));
        match claim("0.1 <= p(war) < 0.3") {
            Ok(Claim::Within { bounds, .. }) => assert_eq!(
                bounds,
                Bounds {
                    lower: Some((0.1, true)),
                    upper: Some((0.3, false))
                }
            ),
            other => panic!("{other:?}"),
        }
        match claim("30 > mean_time(a)") {
            Ok(Claim::Within {
                stat: Stat::MeanTime(Target::Node(0)),
                bounds,
            }) => assert_eq!(bounds.upper, Some((30.0, false))),
            other => panic!("{other:?}"),
        }
        match parse("falls(mean_time(horizon))", &m) {
            Ok(Parsed {
                claim:
                    Claim::Trend {
                        stat: Stat::MeanTime(Target::Outcome(0)),
                        rises: false,
                    },
                trend: Some(span),
            }) => assert_eq!(span, 0..5),
            other => panic!("{other:?}"),
        }
        // Spans of errors point into the text as written, past rewritten ids.
        let e = parse("p(a and war and y > 1) > 0.5", &m).unwrap_err();
        assert_eq!(e[0].span, 16..17);
    }
}
