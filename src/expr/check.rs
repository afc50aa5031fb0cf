//! Name resolution and type checking: syntax tree to [`Ir`], collecting every independent
//! problem. A sub-expression that already failed yields `None`, and its parents stay quiet
//! about it, so one mistake gives one message.

use std::ops::Range;

use super::ir::{BinOp, Ir, Load, TernOp, UnOp};
use super::parse::{Ast, AstKind};
use super::{ExprError, Scope, Slot, Type};

/// The functions of the language, for look-up and "did you mean".
pub(super) const FUNCTIONS: [&str; 17] = [
    "min", "max", "abs", "sqrt", "exp", "ln", "log10", "pow", "floor", "ceil", "round", "clamp",
    "if", "logistic", "fired", "count", "log",
];

/// The names offered to users (`log` above only exists to catch it with a hint).
const OFFERED: usize = 16;

/// The one-argument functions and their operators.
const UNARY: [(&str, UnOp); 9] = [
    ("abs", UnOp::Abs),
    ("sqrt", UnOp::Sqrt),
    ("exp", UnOp::Exp),
    ("ln", UnOp::Ln),
    ("log10", UnOp::Log10),
    ("floor", UnOp::Floor),
    ("ceil", UnOp::Ceil),
    ("round", UnOp::Round),
    ("logistic", UnOp::Logistic),
];

fn unary_function(name: &str) -> Option<UnOp> {
    UNARY.iter().find(|(n, _)| *n == name).map(|(_, op)| *op)
}

/// The fewest and most arguments of a function taking expressions (`None`: no most), or
/// `None` if there is no such function.
fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    match name {
        "min" | "max" => Some((1, None)),
        "pow" => Some((2, Some(2))),
        "clamp" | "if" => Some((3, Some(3))),
        _ => unary_function(name).map(|_| (1, Some(1))),
    }
}

pub(super) struct Checker<'s> {
    pub scope: &'s dyn Scope,
    pub errors: Vec<ExprError>,
}

fn type_name(t: Type) -> &'static str {
    match t {
        Type::Number => "a number",
        Type::Bool => "a condition (true/false)",
    }
}

impl Checker<'_> {
    fn error(&mut self, span: Range<usize>, message: String, hint: Option<String>) {
        self.errors.push(ExprError {
            span,
            message,
            hint,
        });
    }

    /// Checks `ast`; `None` when a problem was recorded.
    pub(super) fn check(&mut self, ast: &Ast) -> Option<(Ir, Type)> {
        match &ast.kind {
            AstKind::Num(v) => Some((Ir::Const(*v), Type::Number)),
            AstKind::Bool(b) => Some((Ir::Const(f64::from(u8::from(*b))), Type::Bool)),
            AstKind::Name(name) => self.name(name, ast.span.clone()),
            AstKind::Neg(x) => {
                let (ir, t) = self.check(x)?;
                if t != Type::Number {
                    self.error(
                        x.span.clone(),
                        format!("`-` needs a number, but this is {}", type_name(t)),
                        Some("to negate a condition, write `not`".into()),
                    );
                    return None;
                }
                Some((Ir::Un(UnOp::Neg, Box::new(ir)), Type::Number))
            }
            AstKind::Not(x) => {
                let (ir, t) = self.check(x)?;
                if t != Type::Bool {
                    self.error(
                        x.span.clone(),
                        format!("`not` needs a condition, but this is {}", type_name(t)),
                        Some("compare the number, e.g. `x > 0`; for a minus sign write `-`".into()),
                    );
                    return None;
                }
                Some((Ir::Un(UnOp::Not, Box::new(ir)), Type::Bool))
            }
            AstKind::Chain(first, rest) => self.chain(first, rest),
            AstKind::Call(name, name_span, args) => {
                self.call(name, name_span.clone(), args, ast.span.clone())
            }
        }
    }

    fn name(&mut self, name: &str, span: Range<usize>) -> Option<(Ir, Type)> {
        match self.scope.resolve(name) {
            Ok(slot) => {
                let load = match slot {
                    Slot::Param(i) => Load::Param(i),
                    Slot::State(i) => Load::State(i),
                    Slot::Time => Load::Time,
                };
                Some((Ir::Load(load), Type::Number))
            }
            Err(e) => {
                let hint = e.hint.or_else(|| {
                    FUNCTIONS[..OFFERED]
                        .contains(&name)
                        .then(|| format!("`{name}` is a function: call it as `{name}(...)`"))
                });
                self.error(span, e.message, hint);
                None
            }
        }
    }

    fn chain(&mut self, first: &Ast, rest: &[(BinOp, Range<usize>, Ast)]) -> Option<(Ir, Type)> {
        // Check every operand first, so independent mistakes are all reported.
        let head = self.check(first);
        let operands: Vec<Option<(Ir, Type)>> =
            rest.iter().map(|(_, _, a)| self.check(a)).collect();
        let mut ok = head.is_some() && operands.iter().all(Option::is_some);
        let mut acc_ty = head.as_ref().map(|h| h.1);
        let mut left_end = first.span.end;
        for ((op, op_span, ast), operand) in rest.iter().zip(&operands) {
            let right_ty = operand.as_ref().map(|o| o.1);
            let left_span = first.span.start..left_end;
            let result = match (acc_ty, right_ty) {
                (Some(l), Some(r)) => self.binary(*op, op_span, l, r, left_span, ast.span.clone()),
                _ => None,
            };
            if result.is_none() {
                ok = false;
            }
            acc_ty = result;
            left_end = ast.span.end;
        }
        if !ok {
            return None;
        }
        let ty = acc_ty?;
        let (head, _) = head?;
        let rest = rest
            .iter()
            .zip(operands)
            .map(|((op, _, _), o)| o.map(|(ir, _)| (*op, ir)))
            .collect::<Option<Vec<_>>>()?;
        Some((Ir::Chain(Box::new(head), rest), ty))
    }

    /// The type of `l op r`, or `None` after recording why it is wrong.
    fn binary(
        &mut self,
        op: BinOp,
        op_span: &Range<usize>,
        l: Type,
        r: Type,
        left: Range<usize>,
        right: Range<usize>,
    ) -> Option<Type> {
        let sym = op.symbol();
        let (want, gives) = match op {
            BinOp::And | BinOp::Or => (Type::Bool, Type::Bool),
            BinOp::Eq | BinOp::Ne => {
                if l == r {
                    return Some(Type::Bool);
                }
                self.error(
                    op_span.clone(),
                    format!("`{sym}` compares {} with {}", type_name(l), type_name(r)),
                    Some("both sides must be numbers, or both conditions".into()),
                );
                return None;
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => (Type::Number, Type::Bool),
            _ => (Type::Number, Type::Number),
        };
        let hint = match (op, want) {
            (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge, _) if l == Type::Bool => {
                "comparisons do not chain: write `a < b and b < c`"
            }
            (_, Type::Bool) => "compare the number to get a condition, e.g. `x > 0`",
            _ => "to turn a condition into a number, write `if(cond, 1, 0)`",
        };
        let plural = match want {
            Type::Bool => "conditions (true/false)",
            Type::Number => "numbers",
        };
        let mut ok = true;
        for (side, t, span) in [("left", l, left), ("right", r, right)] {
            if t != want {
                self.error(
                    span,
                    format!(
                        "`{sym}` needs {plural} on both sides, but the {side} side is {}",
                        type_name(t)
                    ),
                    Some(hint.into()),
                );
                ok = false;
            }
        }
        ok.then_some(gives)
    }

    /// Checks a call `name(args)`: the function, its arity, its arguments' types.
    fn call(
        &mut self,
        name: &str,
        name_span: Range<usize>,
        args: &[Ast],
        span: Range<usize>,
    ) -> Option<(Ir, Type)> {
        // `fired(id)` and `count(id)` take an id, not an expression.
        if name == "fired" || name == "count" {
            return self.node_call(name, args, span);
        }
        let Some(arity) = arity(name) else {
            self.unknown_function(name, name_span, args);
            return None;
        };
        // Every argument is checked before the arity, so its own problems are reported too.
        let checked: Vec<Option<(Ir, Type)>> = args.iter().map(|a| self.check(a)).collect();
        if !self.arity_ok(name, arity, args.len(), &span) {
            return None;
        }
        let (irs, types) = self.arguments(name, args, checked)?;
        self.apply_function(name, irs, &types, span)
    }

    fn unknown_function(&mut self, name: &str, name_span: Range<usize>, args: &[Ast]) {
        let hint = if name == "log" {
            "write `ln` for the natural logarithm or `log10`".to_string()
        } else {
            match closest(name, &FUNCTIONS[..OFFERED]) {
                Some(f) => format!("did you mean `{f}`?"),
                None => format!("the functions are {}", FUNCTIONS[..OFFERED].join(", ")),
            }
        };
        self.error(name_span, format!("unknown function `{name}`"), Some(hint));
        // Still check the arguments: their problems are independent.
        for a in args {
            self.check(a);
        }
    }

    /// Whether `got` arguments fit `(lo, hi)` (no upper bound when `hi` is `None`); records
    /// why not.
    fn arity_ok(
        &mut self,
        name: &str,
        (lo, hi): (usize, Option<usize>),
        got: usize,
        span: &Range<usize>,
    ) -> bool {
        if got >= lo && hi.is_none_or(|h| got <= h) {
            return true;
        }
        let want = match hi {
            None => format!("at least {lo} argument"),
            Some(1) => "1 argument".to_string(),
            Some(h) => format!("{h} arguments"),
        };
        self.error(
            span.clone(),
            format!("`{name}` takes {want}, got {got}"),
            None,
        );
        false
    }

    /// The checked arguments of `name` and their types, if each has the type it must: a
    /// number, except the condition that `if` takes first and its branches (of one, either,
    /// type).
    fn arguments(
        &mut self,
        name: &str,
        args: &[Ast],
        checked: Vec<Option<(Ir, Type)>>,
    ) -> Option<(Vec<Ir>, Vec<Type>)> {
        let mut ok = true;
        let mut irs = Vec::with_capacity(args.len());
        let mut types = Vec::with_capacity(args.len());
        for (k, (a, c)) in args.iter().zip(checked).enumerate() {
            let Some((ir, t)) = c else {
                ok = false;
                continue;
            };
            let want = if name == "if" {
                (k == 0).then_some(Type::Bool)
            } else {
                Some(Type::Number)
            };
            if let Some(w) = want
                && t != w
            {
                let hint = if w == Type::Bool {
                    "compare it, e.g. `x > 0`"
                } else {
                    "to turn a condition into a number, write `if(cond, 1, 0)`"
                };
                self.error(
                    a.span.clone(),
                    format!(
                        "argument {} of `{name}` must be {}, but this is {}",
                        k + 1,
                        type_name(w),
                        type_name(t)
                    ),
                    Some(hint.into()),
                );
                ok = false;
            }
            irs.push(ir);
            types.push(t);
        }
        ok.then_some((irs, types))
    }

    /// The form of the call of `name` on arguments of the right number and types, and its
    /// type (`if`'s branches must agree).
    fn apply_function(
        &mut self,
        name: &str,
        args: Vec<Ir>,
        types: &[Type],
        span: Range<usize>,
    ) -> Option<(Ir, Type)> {
        let mut args = args.into_iter();
        let first = args.next()?;
        let ir = match name {
            "min" | "max" => {
                let op = if name == "min" {
                    BinOp::Min
                } else {
                    BinOp::Max
                };
                let rest: Vec<(BinOp, Ir)> = args.map(|x| (op, x)).collect();
                if rest.is_empty() {
                    first
                } else {
                    Ir::Chain(Box::new(first), rest)
                }
            }
            "pow" => Ir::Chain(Box::new(first), vec![(BinOp::Pow, args.next()?)]),
            "clamp" | "if" => {
                let (b, c) = (args.next()?, args.next()?);
                if name == "if" && types[1] != types[2] {
                    self.error(
                        span,
                        format!(
                            "the branches of `if` must have one type, but the first is {} and the second {}",
                            type_name(types[1]),
                            type_name(types[2])
                        ),
                        None,
                    );
                    return None;
                }
                let op = if name == "if" {
                    TernOp::If
                } else {
                    TernOp::Clamp
                };
                Ir::Tern(op, Box::new([first, b, c]))
            }
            _ => Ir::Un(unary_function(name)?, Box::new(first)),
        };
        let ty = if name == "if" { types[1] } else { Type::Number };
        Some((ir, ty))
    }

    fn node_call(&mut self, name: &str, args: &[Ast], span: Range<usize>) -> Option<(Ir, Type)> {
        let [arg] = args else {
            self.error(
                span,
                format!(
                    "`{name}` takes 1 argument (the id of a step or branch), got {}",
                    args.len()
                ),
                None,
            );
            return None;
        };
        let AstKind::Name(id) = &arg.kind else {
            self.error(
                arg.span.clone(),
                format!("`{name}` takes the id of a step or branch, not an expression"),
                Some(format!("write e.g. `{name}(ceasefire)`")),
            );
            return None;
        };
        match self.scope.resolve_node(id) {
            Ok(i) => Some(if name == "fired" {
                (Ir::Load(Load::Fired(i)), Type::Bool)
            } else {
                (Ir::Load(Load::Count(i)), Type::Number)
            }),
            Err(e) => {
                self.error(arg.span.clone(), e.message, e.hint);
                None
            }
        }
    }
}

/// The candidate closest to `name` by edit distance, if close enough to be a likely typo.
pub(super) fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (levenshtein(name, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}
