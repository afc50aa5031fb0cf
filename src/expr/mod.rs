//! The expression language: parsed, type-checked and compiled once, when a scenario loads,
//! into a tree of closures that evaluates without allocation or name look-up.
//!
//! The passes, one file each: `lex` (text to tokens), `parse` (tokens to a syntax tree,
//! refusing nesting deeper than 64 levels), `check` (names resolved, types checked: syntax
//! tree to the intermediate form of `ir`), `ir::fold` (constant sub-expressions computed)
//! and `tree` (the folded form compiled to closures specialised on their operands, the one
//! evaluator). What an expression reads (parameters, state variables, `t`, the nodes of
//! `fired()` and `count()`) is collected from the folded form, so a branch folded away is
//! not a read. Every pass after the parser, and evaluation, recurses at most a small
//! multiple of the nesting deep (long flat chains are loops), so the depth limit is the only
//! bound an expression's size meets, and no input overflows the stack.
//!
//! Names are resolved through a [`Scope`] supplied by the caller (the scenario loader), so
//! this module knows nothing of scenarios: a parameter, a state variable, `t`, and the ids
//! that `fired(id)` and `count(id)` name all become integer slots.
//!
//! NaN is never true or false: every operator and function propagates it (comparisons,
//! `not`, `if` with a NaN condition, `clamp` bounds and `^` included; `and` / `or` stop at
//! the first operand that decides them or is NaN), the same in the closure tree and in
//! constant folding, so the engine can refuse a guard that is NaN.

use std::ops::Range;
use std::sync::Arc;

use crate::diag::SourceFile;

mod check;
mod ir;
mod lex;
mod linear;
mod parse;
mod tree;

#[cfg(test)]
mod tests;

use ir::{Ir, Load};

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
    /// The value, when the whole expression folded to a constant.
    constant: Option<f64>,
    /// The evaluator.
    tree: tree::Tree,
    /// The folded form it was compiled from (for [`Expr::tick_atoms`]).
    ir: Arc<Ir>,
    /// What it reads, collected from the folded form (sorted, deduplicated).
    reads_time: bool,
    params: Box<[u32]>,
    state: Box<[u32]>,
    nodes: Box<[u32]>,
    /// Where it is written, if it comes from a file.
    origin: Option<Origin>,
}

/// Where an expression is written: its file and its byte range there.
#[derive(Clone, Debug)]
struct Origin {
    file: Arc<SourceFile>,
    span: Range<usize>,
}

impl Expr {
    /// Parses, resolves, type-checks and compiles `text`, which must have type `expected`.
    /// Returns every independent problem found (at least one on failure).
    pub fn compile(text: &str, expected: Type, scope: &dyn Scope) -> Result<Expr, Vec<ExprError>> {
        let toks = lex::lex(text)?;
        let ast = parse::parse(&toks).map_err(|e| vec![e])?;
        let mut checker = check::Checker {
            scope,
            errors: Vec::new(),
        };
        let checked = checker.check(&ast);
        let mut errors = checker.errors;
        let Some((ir, ty)) = checked else {
            if errors.is_empty() {
                // Defensive: a failed check always records why; never return no error.
                errors.push(ExprError {
                    span: 0..text.len(),
                    message: "this expression is not valid".into(),
                    hint: None,
                });
            }
            return Err(errors);
        };
        if ty != expected {
            let (message, hint) = match expected {
                Type::Bool => (
                    "expected a condition (true/false), but this is a number",
                    "compare it, e.g. `x > 0`",
                ),
                Type::Number => (
                    "expected a number, but this is a condition (true/false)",
                    "to turn a condition into a number, write `if(cond, 1, 0)`",
                ),
            };
            return Err(vec![ExprError {
                span: ast.span,
                message: message.into(),
                hint: Some(hint.into()),
            }]);
        }
        Ok(Expr::new(text.into(), ty, &ir::fold(ir)))
    }

    /// The expression of folded tree `ir`, with what it reads.
    fn new(text: Box<str>, ty: Type, ir: &Ir) -> Expr {
        let constant = match ir {
            Ir::Const(v) => Some(*v),
            _ => None,
        };
        let (mut params, mut state, mut nodes) = (Vec::new(), Vec::new(), Vec::new());
        let mut reads_time = false;
        ir.for_each_load(&mut |load| match load {
            Load::Param(i) => params.push(i),
            Load::State(i) => state.push(i),
            Load::Time => reads_time = true,
            Load::Count(i) | Load::Fired(i) => nodes.push(i),
        });
        for v in [&mut params, &mut state, &mut nodes] {
            v.sort_unstable();
            v.dedup();
        }
        Expr {
            text,
            ty,
            constant,
            tree: tree::Tree::new(ir),
            ir: Arc::new(ir.clone()),
            reads_time,
            params: params.into(),
            state: state.into(),
            nodes: nodes.into(),
            origin: None,
        }
    }

    /// The same expression, known to be written at `span` in `file` (so that an error found
    /// when it is evaluated can point at it).
    pub fn located(mut self, file: &Arc<SourceFile>, span: Range<usize>) -> Expr {
        self.origin = Some(Origin {
            file: Arc::clone(file),
            span,
        });
        self
    }

    /// Where it is written in its file (bytes), if it comes from one.
    pub fn span(&self) -> Option<Range<usize>> {
        self.origin.as_ref().map(|o| o.span.clone())
    }

    /// `--> file:line:col`, the line and a caret under the expression, if it comes from a
    /// file (see [`SourceFile::snippet`]).
    pub fn snippet(&self) -> Option<String> {
        self.origin.as_ref().map(|o| o.file.snippet(&o.span))
    }

    /// A constant number (what a TOML number in an expression position becomes).
    pub fn constant(value: f64) -> Expr {
        Expr::new(value.to_string().into(), Type::Number, &Ir::Const(value))
    }

    /// A read of parameter `index`, shown as `text`: what a word of estimative probability
    /// in a step's probability compiles to (the parameter drawn for it).
    pub fn param(index: u32, text: &str) -> Expr {
        Expr::new(text.into(), Type::Number, &Ir::Load(Load::Param(index)))
    }

    /// A constant boolean.
    pub fn constant_bool(value: bool) -> Expr {
        let v = f64::from(u8::from(value));
        Expr::new(value.to_string().into(), Type::Bool, &Ir::Const(v))
    }

    /// Evaluates the expression. Bools come back as 1.0 or 0.0.
    #[inline]
    pub fn eval(&self, env: &Env<'_>) -> f64 {
        if let Some(c) = self.constant {
            return c;
        }
        (self.tree.0)(env)
    }

    /// Evaluates a boolean expression.
    #[inline]
    pub fn eval_bool(&self, env: &Env<'_>) -> bool {
        self.eval(env) != 0.0
    }

    /// The value, if the expression is a constant after folding.
    pub fn as_constant(&self) -> Option<f64> {
        self.constant
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
        self.reads_time
    }

    /// Whether it reads any state variable.
    pub fn reads_state(&self) -> bool {
        !self.state.is_empty()
    }

    /// The parameters it reads (sorted, deduplicated).
    pub fn params_read(&self) -> &[u32] {
        &self.params
    }

    /// The state variables it reads (sorted, deduplicated).
    pub fn state_read(&self) -> &[u32] {
        &self.state
    }

    /// The nodes named in `fired()` or `count()` (sorted, deduplicated).
    pub fn nodes_read(&self) -> &[u32] {
        &self.nodes
    }
}
