//! The expression language: parsed and type-checked once when a scenario loads, compiled to
//! a flat, slot-indexed program that evaluates without allocation or name look-up.
//!
//! Names are resolved through a [`Scope`] supplied by the caller (the scenario loader), so
//! this module knows nothing of scenarios: a parameter, a state variable, `t`, and the ids
//! that `fired(id)` and `count(id)` name all become integer slots.

use std::ops::Range;

/// The two types of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// An f64.
    Number,
    /// `true` or `false` (held as 1.0 / 0.0 at run time).
    Bool,
}

/// What a bare or dotted name refers to, as a [`Scope`] resolves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Parameter number `i` (index into [`Env::params`]).
    Param(u32),
    /// State variable number `i` (index into [`Env::state`]).
    State(u32),
    /// The current time `t`.
    Time,
}

/// A failed name resolution: a plain-words message and an optional hint (known names,
/// "did you mean").
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeError {
    /// What is wrong.
    pub message: String,
    /// What might be meant.
    pub hint: Option<String>,
}

/// Resolves the names an expression uses. The loader implements it once per context
/// (parameter expressions see only parameters; guards see everything).
pub trait Scope {
    /// Resolves a bare name (`dprk_troops`, `t`) or a dotted one (`ru.casualties`).
    fn resolve(&self, name: &str) -> Result<Slot, ScopeError>;
    /// Resolves the id named in `fired(id)` or `count(id)` to a node index (an index into
    /// [`Env::counts`]).
    fn resolve_node(&self, id: &str) -> Result<u32, ScopeError>;
}

/// A problem in one expression, located inside the expression's text.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprError {
    /// Byte range inside the expression text.
    pub span: Range<usize>,
    /// What is wrong, in plain words.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

/// The values an expression reads, borrowed from the engine's per-run buffers.
#[derive(Clone, Copy, Debug)]
pub struct Env<'a> {
    /// Parameter values of this run.
    pub params: &'a [f64],
    /// State variable values, now.
    pub state: &'a [f64],
    /// How many times each node (step or branch) has happened so far.
    pub counts: &'a [u32],
    /// The current time.
    pub t: f64,
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub struct Expr {
    text: Box<str>,
    ty: Type,
    // Private representation chosen by the implementation.
}

impl Expr {
    /// Parses, resolves, type-checks and compiles `text`, which must have type `expected`.
    /// Returns every independent problem found (at least one on failure).
    pub fn compile(text: &str, expected: Type, scope: &dyn Scope) -> Result<Expr, Vec<ExprError>> {
        let _ = (text, expected, scope);
        todo!()
    }

    /// A constant number (what a TOML number in an expression position becomes).
    pub fn constant(value: f64) -> Expr {
        let _ = value;
        todo!()
    }

    /// A constant boolean.
    pub fn constant_bool(value: bool) -> Expr {
        let _ = value;
        todo!()
    }

    /// Evaluates the expression. Bools come back as 1.0 or 0.0.
    #[inline]
    pub fn eval(&self, env: &Env<'_>) -> f64 {
        let _ = env;
        todo!()
    }

    /// Evaluates a boolean expression.
    #[inline]
    pub fn eval_bool(&self, env: &Env<'_>) -> bool {
        self.eval(env) != 0.0
    }

    /// The value, if the expression is a constant after folding.
    pub fn as_constant(&self) -> Option<f64> {
        todo!()
    }

    /// The source text, for error messages and traces.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The expression's type.
    pub fn ty(&self) -> Type {
        self.ty
    }

    /// Whether it reads `t` (then the engine must tick to re-evaluate it).
    pub fn reads_time(&self) -> bool {
        todo!()
    }

    /// Whether it reads any state variable.
    pub fn reads_state(&self) -> bool {
        todo!()
    }

    /// The parameters it reads (sorted, deduplicated).
    pub fn params_read(&self) -> &[u32] {
        todo!()
    }

    /// The state variables it reads (sorted, deduplicated).
    pub fn state_read(&self) -> &[u32] {
        todo!()
    }

    /// The nodes named in `fired()` or `count()` (sorted, deduplicated).
    pub fn nodes_read(&self) -> &[u32] {
        todo!()
    }
}
