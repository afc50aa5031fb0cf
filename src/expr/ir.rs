//! The checked intermediate form shared by every pass after type checking: the operators
//! and their semantics (`apply`, used alike by constant folding and by the evaluator, so a
//! folded value is bit-identical to an evaluated one), the tree ([`Ir`]), constant folding,
//! and what an expression reads from the environment.

/// Operators with one operand (including one-argument functions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnOp {
    Neg,
    Not,
    Abs,
    Sqrt,
    Exp,
    Ln,
    Log10,
    Floor,
    Ceil,
    Round,
    Logistic,
}

impl UnOp {
    #[inline(always)]
    pub(crate) fn apply(self, x: f64) -> f64 {
        match self {
            UnOp::Neg => -x,
            // NaN is neither true nor false: it stays NaN, so the engine sees and reports it.
            UnOp::Not => {
                if x == 0.0 {
                    1.0
                } else if x.is_nan() {
                    f64::NAN
                } else {
                    0.0
                }
            }
            UnOp::Abs => x.abs(),
            UnOp::Sqrt => x.sqrt(),
            UnOp::Exp => x.exp(),
            UnOp::Ln => x.ln(),
            UnOp::Log10 => x.log10(),
            UnOp::Floor => x.floor(),
            UnOp::Ceil => x.ceil(),
            // Half away from zero (2.5 -> 3, -2.5 -> -3).
            UnOp::Round => x.round(),
            UnOp::Logistic => 1.0 / (1.0 + (-x).exp()),
        }
    }
}

/// Operators with two operands (including `pow`, and `min`/`max` folded pairwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    Min,
    Max,
}

#[inline(always)]
fn b2f(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// The value of a comparison that came out `holds`: NaN rather than false when an operand is
/// NaN, so that a NaN never turns silently into a decision (the engine reports it).
#[inline(always)]
fn compared(holds: bool, a: f64, b: f64) -> f64 {
    if holds {
        1.0
    } else if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        0.0
    }
}

/// Whether a condition's value stops an `and` chain: false, or NaN (which propagates).
#[inline(always)]
pub(crate) fn stops_and(v: f64) -> bool {
    v == 0.0 || v.is_nan()
}

/// Whether a condition's value stops an `or` chain: true, or NaN (which propagates).
#[inline(always)]
pub(crate) fn stops_or(v: f64) -> bool {
    v != 0.0
}

impl BinOp {
    #[inline(always)]
    pub(crate) fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
            // Truncated remainder (sign of the dividend), as IEEE fmod.
            BinOp::Rem => a % b,
            // IEEE `pow` gives 1 for `NaN ^ 0` and `1 ^ NaN`; here NaN propagates, as it
            // does through every other operator.
            BinOp::Pow => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.powf(b)
                }
            }
            BinOp::Lt => compared(a < b, a, b),
            BinOp::Le => compared(a <= b, a, b),
            BinOp::Gt => compared(a > b, a, b),
            BinOp::Ge => compared(a >= b, a, b),
            BinOp::Eq => compared(a == b, a, b),
            BinOp::Ne => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    b2f(a != b)
                }
            }
            // As the short-circuit chains evaluate them: the first operand that decides
            // (false for `and`, true for `or`) or is NaN gives the value.
            BinOp::And => {
                if stops_and(a) {
                    a
                } else if stops_and(b) {
                    b
                } else {
                    1.0
                }
            }
            BinOp::Or => {
                if stops_or(a) {
                    if a.is_nan() { a } else { 1.0 }
                } else if b.is_nan() {
                    b
                } else {
                    b2f(b != 0.0)
                }
            }
            // NaN propagates (unlike f64::min), so the engine sees and reports it.
            BinOp::Min => {
                if a < b {
                    a
                } else if a >= b {
                    b
                } else {
                    f64::NAN
                }
            }
            BinOp::Max => {
                if a > b {
                    a
                } else if a <= b {
                    b
                } else {
                    f64::NAN
                }
            }
        }
    }

    /// The operator as written, for messages.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Pow => "^",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Min => "min",
            BinOp::Max => "max",
        }
    }
}

/// Operators with three operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TernOp {
    /// `clamp(x, lo, hi)`: NaN when lo > hi or any operand is NaN (no panic, and the engine
    /// reports it).
    Clamp,
    /// `if(c, a, b)`.
    If,
}

impl TernOp {
    #[inline(always)]
    pub(crate) fn apply(self, a: f64, b: f64, c: f64) -> f64 {
        match self {
            TernOp::Clamp => {
                if b > c || b.is_nan() || c.is_nan() {
                    f64::NAN
                } else if a < b {
                    b
                } else if a > c {
                    c
                } else {
                    a
                }
            }
            // A NaN condition picks neither branch: the value is NaN.
            TernOp::If => {
                if a == 0.0 {
                    c
                } else if a.is_nan() {
                    a
                } else {
                    b
                }
            }
        }
    }
}

/// A value read from the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Load {
    Param(u32),
    State(u32),
    Time,
    Count(u32),
    Fired(u32),
}

/// The resolved, type-checked tree.
#[derive(Clone, Debug)]
pub(crate) enum Ir {
    Const(f64),
    Load(Load),
    Un(UnOp, Box<Ir>),
    /// Left to right: `((first op1 x1) op2 x2) ...`.
    Chain(Box<Ir>, Vec<(BinOp, Ir)>),
    Tern(TernOp, Box<[Ir; 3]>),
}

/// Folds constant sub-expressions (bottom-up). Evaluation uses the same `apply` functions,
/// so a folded value is bit-identical to what evaluating the unfolded tree gives.
pub(crate) fn fold(ir: Ir) -> Ir {
    match ir {
        Ir::Const(_) | Ir::Load(_) => ir,
        Ir::Un(op, x) => match fold(*x) {
            Ir::Const(v) => Ir::Const(op.apply(v)),
            // `- -x` and `not not b` are x and b (exactly).
            Ir::Un(inner, y) if inner == op && matches!(op, UnOp::Neg) => *y,
            x => Ir::Un(op, Box::new(x)),
        },
        Ir::Chain(first, rest) => {
            let mut acc = fold(*first);
            let mut out = Vec::with_capacity(rest.len());
            for (op, x) in rest {
                let x = fold(x);
                match (&acc, &x) {
                    (Ir::Const(a), Ir::Const(b)) if out.is_empty() => {
                        acc = Ir::Const(op.apply(*a, *b))
                    }
                    _ => out.push((op, x)),
                }
            }
            if out.is_empty() {
                acc
            } else {
                Ir::Chain(Box::new(acc), out)
            }
        }
        Ir::Tern(op, args) => {
            let [a, b, c] = *args;
            let (a, b, c) = (fold(a), fold(b), fold(c));
            match (op, &a, &b, &c) {
                (_, Ir::Const(x), Ir::Const(y), Ir::Const(z)) => Ir::Const(op.apply(*x, *y, *z)),
                // A constant condition picks its branch (no side effects to preserve); a NaN
                // condition makes the value NaN.
                (TernOp::If, Ir::Const(x), _, _) => {
                    if *x == 0.0 {
                        c
                    } else if x.is_nan() {
                        Ir::Const(*x)
                    } else {
                        b
                    }
                }
                _ => Ir::Tern(op, Box::new([a, b, c])),
            }
        }
    }
}

impl Ir {
    /// Calls `f` with every value the tree reads from the environment, repeats included.
    /// The recursion is as deep as the tree, which the parser's depth limit bounds.
    pub(crate) fn for_each_load(&self, f: &mut impl FnMut(Load)) {
        match self {
            Ir::Const(_) => {}
            Ir::Load(l) => f(*l),
            Ir::Un(_, x) => x.for_each_load(f),
            Ir::Chain(first, rest) => {
                first.for_each_load(f);
                for (_, x) in rest {
                    x.for_each_load(f);
                }
            }
            Ir::Tern(_, args) => {
                for x in args.iter() {
                    x.for_each_load(f);
                }
            }
        }
    }
}

/// Reads one value from the environment. Out-of-range indices (an engine bug, never user
/// input) give NaN rather than a panic, so the engine reports them as a bad value.
#[inline(always)]
pub(crate) fn read(l: Load, env: &super::Env<'_>) -> f64 {
    match l {
        Load::Param(i) => env.params.get(i as usize).copied().unwrap_or(f64::NAN),
        Load::State(i) => env.state.get(i as usize).copied().unwrap_or(f64::NAN),
        Load::Time => env.t,
        Load::Count(i) => env
            .counts
            .get(i as usize)
            .map_or(f64::NAN, |&c| f64::from(c)),
        Load::Fired(i) => env.counts.get(i as usize).map_or(f64::NAN, |&c| b2f(c > 0)),
    }
}
