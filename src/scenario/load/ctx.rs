//! What every pass shares: the collected diagnostics of one load ([`Ctx`]) and the TOML
//! table being read ([`Table`]), with the lookups that report a missing or unknown key.

use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::values::want_str;
use crate::diag::{Diagnostic, SourceFile, Span, closest};

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
    pub(super) fn new(file: &str, src: &'s str) -> Self {
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
