//! The checked intermediate form, constant folding, and the flat program it compiles to.
//!
//! The program is a list of [`Op`]s over a small array of stack slots. Every op names the
//! slot it writes (known at compile time, since the stack height at each point of a postfix
//! program is static), so evaluation keeps no stack pointer, and slot indices are masked by
//! the array size, so there are no bounds checks and no possible panic in the loop.

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
            UnOp::Not => f64::from(u8::from(x == 0.0)),
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
            BinOp::Pow => a.powf(b),
            BinOp::Lt => b2f(a < b),
            BinOp::Le => b2f(a <= b),
            BinOp::Gt => b2f(a > b),
            BinOp::Ge => b2f(a >= b),
            BinOp::Eq => b2f(a == b),
            BinOp::Ne => b2f(a != b),
            BinOp::And => b2f((a != 0.0) & (b != 0.0)),
            BinOp::Or => b2f((a != 0.0) | (b != 0.0)),
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

    /// Whether `a op b == b op a` exactly (IEEE addition and multiplication commute).
    fn commutes(self) -> bool {
        matches!(
            self,
            BinOp::Add
                | BinOp::Mul
                | BinOp::Eq
                | BinOp::Ne
                | BinOp::And
                | BinOp::Or
                | BinOp::Min
                | BinOp::Max
        )
    }
}

/// Operators with three operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TernOp {
    /// `clamp(x, lo, hi)`: NaN when lo > hi (no panic, and the engine reports it).
    Clamp,
    /// `if(c, a, b)`.
    If,
}

impl TernOp {
    #[inline(always)]
    pub(crate) fn apply(self, a: f64, b: f64, c: f64) -> f64 {
        match self {
            TernOp::Clamp => {
                if b > c {
                    f64::NAN
                } else if a < b {
                    b
                } else if a > c {
                    c
                } else {
                    a
                }
            }
            TernOp::If => {
                if a != 0.0 {
                    b
                } else {
                    c
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
#[derive(Debug)]
pub(crate) enum Ir {
    Const(f64),
    Load(Load),
    Un(UnOp, Box<Ir>),
    /// Left to right: `((first op1 x1) op2 x2) ...`.
    Chain(Box<Ir>, Vec<(BinOp, Ir)>),
    Tern(TernOp, Box<[Ir; 3]>),
}

/// Folds constant sub-expressions (bottom-up). Evaluation uses the same `apply` functions,
/// so a folded value is bit-identical to what the program would compute.
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
                // A constant condition picks its branch (no side effects to preserve).
                (TernOp::If, Ir::Const(x), _, _) => {
                    if *x != 0.0 {
                        b
                    } else {
                        c
                    }
                }
                _ => Ir::Tern(op, Box::new([a, b, c])),
            }
        }
    }
}

/// One instruction. The `u8` is the slot written (and, for two- and three-operand ops,
/// the first of the slots read).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    Const(u8, f64),
    Param(u8, u32),
    State(u8, u32),
    Time(u8),
    Count(u8, u32),
    Fired(u8, u32),
    Un(u8, UnOp),
    /// `s[d] = s[d] op s[d+1]`.
    Bin(u8, BinOp),
    /// `s[d] = s[d] op k`.
    BinK(u8, BinOp, f64),
    /// `s[d] = k op s[d]`.
    KBin(u8, BinOp, f64),
    /// `s[d] = s[d] op load` (saves a dispatch for `x > param`, `a * b.c`).
    BinL(u8, BinOp, Load),
    /// `s[d] = op(s[d], s[d+1], s[d+2])`.
    Tern(u8, TernOp),
}

/// The largest stack the evaluator supports (slot indices are `u8`).
pub(crate) const MAX_STACK: usize = 256;

/// Too many stack slots needed.
pub(crate) struct TooDeep;

/// Generates the program for `ir` with its result in slot `d`; tracks the highest slot used.
pub(crate) fn emit(ir: &Ir, d: usize, code: &mut Vec<Op>, high: &mut usize) -> Result<(), TooDeep> {
    if d >= MAX_STACK {
        return Err(TooDeep);
    }
    *high = (*high).max(d + 1);
    let s = d as u8;
    match ir {
        Ir::Const(v) => code.push(Op::Const(s, *v)),
        Ir::Load(l) => code.push(load_op(s, *l)),
        Ir::Un(op, x) => {
            emit(x, d, code, high)?;
            code.push(Op::Un(s, *op));
        }
        Ir::Chain(first, rest) => {
            let mut rest = rest.iter();
            // A constant first operand: evaluate the second into this slot and apply
            // `k op s[d]` (or `s[d] op k` where the operator commutes).
            if let Ir::Const(k) = **first {
                match rest.next() {
                    Some((op, x)) => {
                        emit(x, d, code, high)?;
                        code.push(if op.commutes() {
                            Op::BinK(s, *op, k)
                        } else {
                            Op::KBin(s, *op, k)
                        });
                    }
                    None => code.push(Op::Const(s, k)),
                }
            } else {
                emit(first, d, code, high)?;
            }
            for (op, x) in rest {
                match x {
                    Ir::Const(k) => code.push(Op::BinK(s, *op, *k)),
                    Ir::Load(l) => code.push(Op::BinL(s, *op, *l)),
                    _ => {
                        emit(x, d + 1, code, high)?;
                        code.push(Op::Bin(s, *op));
                    }
                }
            }
        }
        Ir::Tern(op, args) => {
            for (k, a) in args.iter().enumerate() {
                emit(a, d + k, code, high)?;
            }
            code.push(Op::Tern(s, *op));
        }
    }
    Ok(())
}

fn load_op(s: u8, l: Load) -> Op {
    match l {
        Load::Param(i) => Op::Param(s, i),
        Load::State(i) => Op::State(s, i),
        Load::Time => Op::Time(s),
        Load::Count(i) => Op::Count(s, i),
        Load::Fired(i) => Op::Fired(s, i),
    }
}

/// Reads one value from the environment. Out-of-range indices (an engine bug, never user
/// input) give NaN rather than a panic, so the engine reports them as a bad value.
#[inline(always)]
fn read(l: Load, env: &super::Env<'_>) -> f64 {
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

/// Runs `code` on an `N`-slot stack (`N` a power of two, at least the program's need).
#[inline(always)]
pub(crate) fn run<const N: usize>(code: &[Op], env: &super::Env<'_>) -> f64 {
    let mut s = [0.0f64; N];
    let m = N - 1;
    for op in code {
        match *op {
            Op::Const(d, v) => s[d as usize & m] = v,
            Op::Param(d, i) => s[d as usize & m] = read(Load::Param(i), env),
            Op::State(d, i) => s[d as usize & m] = read(Load::State(i), env),
            Op::Time(d) => s[d as usize & m] = env.t,
            Op::Count(d, i) => s[d as usize & m] = read(Load::Count(i), env),
            Op::Fired(d, i) => s[d as usize & m] = read(Load::Fired(i), env),
            Op::Un(d, f) => {
                let d = d as usize & m;
                s[d] = f.apply(s[d]);
            }
            Op::Bin(d, f) => {
                let d = d as usize;
                s[d & m] = f.apply(s[d & m], s[(d + 1) & m]);
            }
            Op::BinK(d, f, k) => {
                let d = d as usize & m;
                s[d] = f.apply(s[d], k);
            }
            Op::KBin(d, f, k) => {
                let d = d as usize & m;
                s[d] = f.apply(k, s[d]);
            }
            Op::BinL(d, f, l) => {
                let d = d as usize & m;
                s[d] = f.apply(s[d], read(l, env));
            }
            Op::Tern(d, f) => {
                let d = d as usize;
                s[d & m] = f.apply(s[d & m], s[(d + 1) & m], s[(d + 2) & m]);
            }
        }
    }
    s[0]
}
