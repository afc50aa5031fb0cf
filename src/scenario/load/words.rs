//! Words of estimative probability where a probability is written: a step's or a branch's
//! `probability`, or a parameter's value. A term of [`crate::scenario::words`] is drawn per
//! run across its range; for a step or branch the draw is a parameter of its own, named
//! `<id>.probability` (the dot keeps it apart from every id a file can give), so that sweeps,
//! `--set`, `--vary` and the tornado see it as they see any parameter.

use toml::de::DeValue;

use super::{Ctx, Val, compile_value};
use crate::diag::Span;
use crate::expr::{Expr, Scope, Type};
use crate::scenario::words::{self, Term};
use crate::scenario::{Param, ParamValue};

/// What a probability position holds.
pub(crate) enum Prob {
    /// One of the seven terms, written at this span.
    Word(&'static Term, Span),
    /// A number or an expression.
    Expr(Expr),
}

/// Reads a value where a probability is written: an ICD 203 term, or what
/// [`compile_value`] reads. A string that looks like a term but is none (and is not an
/// expression either) is an error that lists the seven and suggests the nearest.
pub(crate) fn probability(
    ctx: &mut Ctx<'_>,
    v: &Val<'_>,
    scope: &dyn Scope,
    what: &str,
) -> Option<Prob> {
    if let DeValue::String(s) = v.get_ref() {
        if let Some(t) = words::lookup(s) {
            return Some(Prob::Word(t, v.span()));
        }
        // A parameter may be called `likley`: only a string that is no expression is a
        // misspelt term.
        if words::looks_like_a_term(s) && Expr::compile(s, Type::Number, scope).is_err() {
            ctx.error_hint(
                v.span(),
                format!(
                    "{what}: \"{}\" is not one of the ICD 203 words of estimative probability",
                    s.trim()
                ),
                format!(
                    "did you mean \"{}\"? The seven are: {}",
                    words::nearest(s),
                    words::list()
                ),
            );
            return None;
        }
    }
    compile_value(ctx, v, Type::Number, scope, what).map(Prob::Expr)
}

/// The parameters the words of steps and branches stand for, appended after the file's
/// own parameters once the steps are read.
pub(crate) struct WordParams {
    /// The index the next one gets.
    next: usize,
    /// The parameters, in the order of the words in the file.
    pub(crate) params: Vec<Param>,
}

impl WordParams {
    /// None yet; the first gets index `first` (the number of the file's parameters).
    pub(crate) fn new(first: usize) -> Self {
        WordParams {
            next: first,
            params: Vec::new(),
        }
    }

    /// The probability of node `id`, read from `prob`: an expression as it is, a term as
    /// a read of the new parameter `<id>.probability`.
    pub(crate) fn expr(&mut self, ctx: &Ctx<'_>, id: &str, prob: Prob) -> Expr {
        let (term, span) = match prob {
            Prob::Expr(e) => return e,
            Prob::Word(t, span) => (t, span),
        };
        let index = self.next;
        self.next += 1;
        self.params
            .push(word_param(format!("{id}.probability"), term, span.clone()));
        Expr::param(index as u32, term.name).located(&ctx.file, span)
    }
}

/// The parameter of a term: drawn uniformly across its range.
pub(crate) fn word_param(id: String, term: &Term, span: Span) -> Param {
    Param {
        id,
        value: word_value(term),
        unit: None,
        description: Some(term.describe()),
        span,
    }
}

/// A term's value as a parameter's: drawn from [`Term::distribution`].
pub(crate) fn word_value(term: &Term) -> ParamValue {
    term.distribution().map_or(
        ParamValue::Fixed((term.low + term.high) / 2.0),
        ParamValue::Drawn,
    )
}
