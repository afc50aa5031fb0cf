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

/// How the second operand of a two-operand instruction is supplied.
#[derive(Clone, Copy, Debug)]
enum Form {
    /// In the next stack slot: `s[d] = s[d] op s[d+1]`.
    Stack,
    /// A constant: `s[d] = s[d] op k`.
    K(f64),
    /// A constant on the left: `s[d] = k op s[d]`.
    KLeft(f64),
    /// A parameter: `s[d] = s[d] op params[i]`.
    Param(u32),
    /// A state variable: `s[d] = s[d] op state[i]`.
    State(u32),
}

/// Defines [`Op`] with one variant per (operator, operand form), the constructor that picks
/// it, and the evaluation loop. One flat `match` per instruction: the operator is part of
/// the opcode, so evaluating `x > 1.5` is one dispatch, not one for the instruction and
/// another for the operator.
macro_rules! program {
    ($( $op:ident: $stack:ident $k:ident $kl:ident $p:ident $st:ident ;)*) => {
        /// One instruction. The `u8` is the slot written (and the first slot read).
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub(crate) enum Op {
            Const(u8, f64),
            Param(u8, u32),
            State(u8, u32),
            Time(u8),
            Count(u8, u32),
            Fired(u8, u32),
            /// `not fired(i)`.
            NotFired(u8, u32),
            Un(u8, UnOp),
            /// `s[d] = op(s[d], s[d+1], s[d+2])`.
            Tern(u8, TernOp),
            $(
                $stack(u8),
                $k(u8, f64),
                $kl(u8, f64),
                $p(u8, u32),
                $st(u8, u32),
            )*
        }

        impl Op {
            /// The environment value this instruction reads, if any.
            pub(crate) fn load(&self) -> Option<Load> {
                match *self {
                    Op::Param(_, i) => Some(Load::Param(i)),
                    Op::State(_, i) => Some(Load::State(i)),
                    Op::Time(_) => Some(Load::Time),
                    Op::Count(_, i) => Some(Load::Count(i)),
                    Op::Fired(_, i) | Op::NotFired(_, i) => Some(Load::Fired(i)),
                    $(
                        Op::$p(_, i) => Some(Load::Param(i)),
                        Op::$st(_, i) => Some(Load::State(i)),
                    )*
                    _ => None,
                }
            }
        }

        fn binary(op: BinOp, d: u8, form: Form) -> Op {
            match (op, form) {
                $(
                    (BinOp::$op, Form::Stack) => Op::$stack(d),
                    (BinOp::$op, Form::K(k)) => Op::$k(d, k),
                    (BinOp::$op, Form::KLeft(k)) => Op::$kl(d, k),
                    (BinOp::$op, Form::Param(i)) => Op::$p(d, i),
                    (BinOp::$op, Form::State(i)) => Op::$st(d, i),
                )*
            }
        }

        /// Runs `code` on an `N`-slot stack (`N` a power of two, at least the program's
        /// need). Slot indices are masked by `N - 1`: no bounds checks, no panic.
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
                    Op::NotFired(d, i) => {
                        s[d as usize & m] = UnOp::Not.apply(read(Load::Fired(i), env))
                    }
                    Op::Un(d, f) => {
                        let d = d as usize & m;
                        s[d] = f.apply(s[d]);
                    }
                    Op::Tern(d, f) => {
                        let d = d as usize;
                        s[d & m] = f.apply(s[d & m], s[(d + 1) & m], s[(d + 2) & m]);
                    }
                    $(
                        Op::$stack(d) => {
                            let d = d as usize;
                            s[d & m] = BinOp::$op.apply(s[d & m], s[(d + 1) & m]);
                        }
                        Op::$k(d, k) => {
                            let d = d as usize & m;
                            s[d] = BinOp::$op.apply(s[d], k);
                        }
                        Op::$kl(d, k) => {
                            let d = d as usize & m;
                            s[d] = BinOp::$op.apply(k, s[d]);
                        }
                        Op::$p(d, i) => {
                            let d = d as usize & m;
                            s[d] = BinOp::$op.apply(s[d], read(Load::Param(i), env));
                        }
                        Op::$st(d, i) => {
                            let d = d as usize & m;
                            s[d] = BinOp::$op.apply(s[d], read(Load::State(i), env));
                        }
                    )*
                }
            }
            s[0]
        }
    };
}

program! {
    Add: Add AddK KAdd AddP AddS;
    Sub: Sub SubK KSub SubP SubS;
    Mul: Mul MulK KMul MulP MulS;
    Div: Div DivK KDiv DivP DivS;
    Rem: Rem RemK KRem RemP RemS;
    Pow: Pow PowK KPow PowP PowS;
    Lt: Lt LtK KLt LtP LtS;
    Le: Le LeK KLe LeP LeS;
    Gt: Gt GtK KGt GtP GtS;
    Ge: Ge GeK KGe GeP GeS;
    Eq: Eq EqK KEq EqP EqS;
    Ne: Ne NeK KNe NeP NeS;
    And: And AndK KAnd AndP AndS;
    Or: Or OrK KOr OrP OrS;
    Min: Min MinK KMin MinP MinS;
    Max: Max MaxK KMax MaxP MaxS;
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
            if let (UnOp::Not, Ir::Load(Load::Fired(i))) = (op, &**x) {
                code.push(Op::NotFired(s, *i));
            } else {
                emit(x, d, code, high)?;
                code.push(Op::Un(s, *op));
            }
        }
        Ir::Chain(first, rest) => {
            let mut rest = rest.iter();
            // A constant first operand: evaluate the second into this slot and apply
            // `k op s[d]` (or `s[d] op k` where the operator commutes).
            if let Ir::Const(k) = **first {
                match rest.next() {
                    Some((op, x)) => {
                        emit(x, d, code, high)?;
                        let form = if op.commutes() {
                            Form::K(k)
                        } else {
                            Form::KLeft(k)
                        };
                        code.push(binary(*op, s, form));
                    }
                    None => code.push(Op::Const(s, k)),
                }
            } else {
                emit(first, d, code, high)?;
            }
            for (op, x) in rest {
                let form = match x {
                    Ir::Const(k) => Form::K(*k),
                    Ir::Load(Load::Param(i)) => Form::Param(*i),
                    Ir::Load(Load::State(i)) => Form::State(*i),
                    _ => {
                        emit(x, d + 1, code, high)?;
                        Form::Stack
                    }
                };
                code.push(binary(*op, s, form));
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
