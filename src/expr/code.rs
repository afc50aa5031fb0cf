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

    /// The operator `sw` with `a op b == b sw a` exactly, if there is one.
    fn swapped(self) -> Option<BinOp> {
        match self {
            BinOp::Lt => Some(BinOp::Gt),
            BinOp::Le => Some(BinOp::Ge),
            BinOp::Gt => Some(BinOp::Lt),
            BinOp::Ge => Some(BinOp::Le),
            _ => self.commutes().then_some(self),
        }
    }

    /// Whether `a op b == b op a` exactly, to the bit (IEEE addition and multiplication
    /// commute). `min` and `max` do not: `min(0, -0)` is `-0` but `min(-0, 0)` is `0`.
    fn commutes(self) -> bool {
        matches!(
            self,
            BinOp::Add | BinOp::Mul | BinOp::Eq | BinOp::Ne | BinOp::And | BinOp::Or
        )
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

/// How the second operand of a two-operand instruction is supplied.
#[derive(Clone, Copy, Debug)]
enum Form {
    /// Spilled: `acc = s[d] op acc`.
    Stack(u8),
    /// A constant: `acc = acc op k`.
    K(f64),
    /// A constant on the left: `acc = k op acc`.
    KLeft(f64),
    /// A parameter: `acc = acc op params[i]`.
    Param(u32),
    /// A state variable: `acc = acc op state[i]`.
    State(u32),
    /// The time: `acc = acc op t`.
    Time,
}

/// Defines [`Op`] with one variant per (operator, operand form), the constructor that picks
/// it, and the evaluation loop. The machine keeps the value being computed in an
/// accumulator (a register) and spills to a small slot array only when a right operand is
/// itself compound; the operator is part of the opcode, so `acc > 1.5` is one dispatch.
macro_rules! program {
    ($( $op:ident: $stack:ident $k:ident $kl:ident $p:ident $st:ident $t:ident ;)*) => {
        /// One instruction; all of them leave their result in the accumulator.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub(crate) enum Op {
            Const(f64),
            Param(u32),
            State(u32),
            Time,
            Count(u32),
            Fired(u32),
            /// `not fired(i)`.
            NotFired(u32),
            /// `s[d] = acc`.
            Spill(u8),
            Un(UnOp),
            /// `acc = op(s[d], s[d+1], acc)`.
            Tern(u8, TernOp),
            /// Jump to instruction `i` if `acc` is false or NaN (`and` short-circuits).
            JumpIfFalse(u32),
            /// Jump to instruction `i` if `acc` is true or NaN (`or` short-circuits).
            JumpIfTrue(u32),
            $(
                $stack(u8),
                $k(f64),
                $kl(f64),
                $p(u32),
                $st(u32),
                $t,
            )*
        }

        impl Op {
            /// The environment value this instruction reads, if any.
            pub(crate) fn load(&self) -> Option<Load> {
                match *self {
                    Op::Param(i) => Some(Load::Param(i)),
                    Op::State(i) => Some(Load::State(i)),
                    Op::Time => Some(Load::Time),
                    Op::Count(i) => Some(Load::Count(i)),
                    Op::Fired(i) | Op::NotFired(i) => Some(Load::Fired(i)),
                    $(
                        Op::$p(i) => Some(Load::Param(i)),
                        Op::$st(i) => Some(Load::State(i)),
                        Op::$t => Some(Load::Time),
                    )*
                    _ => None,
                }
            }
        }

        fn binary(op: BinOp, form: Form) -> Op {
            match (op, form) {
                $(
                    (BinOp::$op, Form::Stack(d)) => Op::$stack(d),
                    (BinOp::$op, Form::K(k)) => Op::$k(k),
                    (BinOp::$op, Form::KLeft(k)) => Op::$kl(k),
                    (BinOp::$op, Form::Param(i)) => Op::$p(i),
                    (BinOp::$op, Form::State(i)) => Op::$st(i),
                    (BinOp::$op, Form::Time) => Op::$t,
                )*
            }
        }

        /// Runs `code` with `N` spill slots (`N` a power of two, at least the program's
        /// need). Slot indices are masked by `N - 1`: no bounds checks, no panic.
        #[inline(always)]
        pub(crate) fn run<const N: usize>(code: &[Op], env: &super::Env<'_>) -> f64 {
            let mut s = [0.0f64; N];
            let m = N - 1;
            let mut acc = 0.0;
            let mut pc = 0;
            while let Some(op) = code.get(pc) {
                pc += 1;
                acc = match *op {
                    Op::Const(v) => v,
                    Op::Param(i) => read(Load::Param(i), env),
                    Op::State(i) => read(Load::State(i), env),
                    Op::Time => env.t,
                    Op::Count(i) => read(Load::Count(i), env),
                    Op::Fired(i) => read(Load::Fired(i), env),
                    Op::NotFired(i) => UnOp::Not.apply(read(Load::Fired(i), env)),
                    Op::Spill(d) => {
                        s[d as usize & m] = acc;
                        acc
                    }
                    Op::Un(f) => f.apply(acc),
                    Op::Tern(d, f) => {
                        let d = d as usize;
                        f.apply(s[d & m], s[(d + 1) & m], acc)
                    }
                    Op::JumpIfFalse(i) => {
                        if stops_and(acc) {
                            pc = i as usize;
                        }
                        acc
                    }
                    Op::JumpIfTrue(i) => {
                        if stops_or(acc) {
                            pc = i as usize;
                        }
                        acc
                    }
                    $(
                        Op::$stack(d) => BinOp::$op.apply(s[d as usize & m], acc),
                        Op::$k(k) => BinOp::$op.apply(acc, k),
                        Op::$kl(k) => BinOp::$op.apply(k, acc),
                        Op::$p(i) => BinOp::$op.apply(acc, read(Load::Param(i), env)),
                        Op::$st(i) => BinOp::$op.apply(acc, read(Load::State(i), env)),
                        Op::$t => BinOp::$op.apply(acc, env.t),
                    )*
                };
            }
            acc
        }
    };
}

program! {
    Add: Add AddK KAdd AddP AddS AddT;
    Sub: Sub SubK KSub SubP SubS SubT;
    Mul: Mul MulK KMul MulP MulS MulT;
    Div: Div DivK KDiv DivP DivS DivT;
    Rem: Rem RemK KRem RemP RemS RemT;
    Pow: Pow PowK KPow PowP PowS PowT;
    Lt: Lt LtK KLt LtP LtS LtT;
    Le: Le LeK KLe LeP LeS LeT;
    Gt: Gt GtK KGt GtP GtS GtT;
    Ge: Ge GeK KGe GeP GeS GeT;
    Eq: Eq EqK KEq EqP EqS EqT;
    Ne: Ne NeK KNe NeP NeS NeT;
    And: And AndK KAnd AndP AndS AndT;
    Or: Or OrK KOr OrP OrS OrT;
    Min: Min MinK KMin MinP MinS MinT;
    Max: Max MaxK KMax MaxP MaxS MaxT;
}

/// The largest number of spill slots the evaluator supports (slot indices are `u8`).
pub(crate) const MAX_STACK: usize = 256;

/// Too many spill slots needed.
pub(crate) struct TooDeep;

/// Generates the program for `ir`, leaving its value in the accumulator; spill slots from
/// `d` up are free. `high` tracks the number of slots used.
pub(crate) fn emit(ir: &Ir, d: usize, code: &mut Vec<Op>, high: &mut usize) -> Result<(), TooDeep> {
    // The slot a spill at this level would use (checked before use).
    let slot = |d: usize, high: &mut usize| -> Result<u8, TooDeep> {
        if d >= MAX_STACK {
            return Err(TooDeep);
        }
        *high = (*high).max(d + 1);
        Ok(d as u8)
    };
    match ir {
        Ir::Const(v) => code.push(Op::Const(*v)),
        Ir::Load(l) => code.push(load_op(*l)),
        Ir::Un(op, x) => {
            if let (UnOp::Not, Ir::Load(Load::Fired(i))) = (op, &**x) {
                code.push(Op::NotFired(*i));
            } else {
                emit(x, d, code, high)?;
                code.push(Op::Un(*op));
            }
        }
        Ir::Chain(first, rest) => {
            // `and` / `or` chains short-circuit: the value of a chain of conditions is the
            // last one evaluated, so no spills and no combining instruction.
            if let Some(jump) = short_circuit(rest) {
                emit(first, d, code, high)?;
                let mut patches = Vec::with_capacity(rest.len());
                for (_, x) in rest {
                    patches.push(code.len());
                    code.push(jump(0));
                    emit(x, d, code, high)?;
                }
                let end = u32::try_from(code.len()).map_err(|_| TooDeep)?;
                for p in patches {
                    code[p] = jump(end);
                }
                return Ok(());
            }
            let mut rest = rest.iter();
            // A simple left operand and a compound right one: evaluate the right one first
            // and apply the operator with its operands swapped (`x > 2 * y` becomes
            // `2 * y < x`), which is exact for commutative operators and comparisons.
            let swapped = match (operand_form(first), rest.as_slice().first()) {
                (Some(left), Some((op, x)))
                    if operand_form(x).is_none() || matches!(left, Form::K(_)) =>
                {
                    match (op.swapped(), left) {
                        (Some(sw), left) => Some((sw, left, x)),
                        (None, Form::K(k)) => Some((*op, Form::KLeft(k), x)),
                        _ => None,
                    }
                }
                _ => None,
            };
            match swapped {
                Some((op, left, x)) => {
                    rest.next();
                    emit(x, d, code, high)?;
                    code.push(binary(op, left));
                }
                None => emit(first, d, code, high)?,
            }
            for (op, x) in rest {
                let form = match operand_form(x) {
                    Some(f) => f,
                    None => {
                        let s = slot(d, high)?;
                        code.push(Op::Spill(s));
                        emit(x, d + 1, code, high)?;
                        Form::Stack(s)
                    }
                };
                code.push(binary(*op, form));
            }
        }
        Ir::Tern(op, args) => {
            let [a, b, c] = &**args;
            let s = slot(d + 1, high)?;
            emit(a, d, code, high)?;
            code.push(Op::Spill(s - 1));
            emit(b, d + 1, code, high)?;
            code.push(Op::Spill(s));
            emit(c, d + 2, code, high)?;
            code.push(Op::Tern(s - 1, *op));
        }
    }
    Ok(())
}

/// The jump instruction of a homogeneous `and` or `or` chain.
fn short_circuit(rest: &[(BinOp, Ir)]) -> Option<fn(u32) -> Op> {
    let first = rest.first()?.0;
    if !rest.iter().all(|(op, _)| *op == first) {
        return None;
    }
    match first {
        BinOp::And => Some(Op::JumpIfFalse),
        BinOp::Or => Some(Op::JumpIfTrue),
        _ => None,
    }
}

/// How `ir` can be supplied directly as an instruction's second operand, if it can.
fn operand_form(ir: &Ir) -> Option<Form> {
    match ir {
        Ir::Const(k) => Some(Form::K(*k)),
        Ir::Load(Load::Param(i)) => Some(Form::Param(*i)),
        Ir::Load(Load::State(i)) => Some(Form::State(*i)),
        Ir::Load(Load::Time) => Some(Form::Time),
        _ => None,
    }
}

fn load_op(l: Load) -> Op {
    match l {
        Load::Param(i) => Op::Param(i),
        Load::State(i) => Op::State(i),
        Load::Time => Op::Time,
        Load::Count(i) => Op::Count(i),
        Load::Fired(i) => Op::Fired(i),
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

/// [`run`] for programs needing more than a few spill slots: kept out of line so the
/// common small case stays compact where it is inlined.
#[cold]
#[inline(never)]
pub(crate) fn run_large(code: &[Op], stack: usize, env: &super::Env<'_>) -> f64 {
    if stack <= 16 {
        run::<16>(code, env)
    } else if stack <= 64 {
        run::<64>(code, env)
    } else {
        run::<MAX_STACK>(code, env)
    }
}
