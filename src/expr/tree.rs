//! The evaluator: the folded tree compiled to a tree of closures.
//!
//! Why closures: a flat program run by an interpreter loop pays one hard-to-predict
//! indirect jump per instruction (all instructions share one dispatch point); profiling
//! showed that jump dominating, and such an interpreter measured about twice as slow as
//! this tree (docs/engineering.md, "Benchmarks"). Here every node is a closure specialised,
//! at compile time, on its operator and on the kinds of its operands: an operand that is a
//! constant, a parameter, a state variable, `t` or `count(x)` is read inline, so `s > 1.5`,
//! `p * s` or `t >= 30` is one call with no dispatch on the operator. Calls happen only for
//! compound operands, each from its own call site. `and` / `or` chains short-circuit: the
//! value of a chain is that of the last operand evaluated.
//!
//! Every closure computes with the same `apply` functions as constant folding, so results
//! are bit-identical to the folded values.

use std::fmt;
use std::sync::Arc;

use super::Env;
use super::ir::{BinOp, Ir, Load, TernOp, UnOp, read, stops_and, stops_or};

/// A compiled node.
pub(crate) type Fun = Arc<dyn Fn(&Env<'_>) -> f64 + Send + Sync>;

/// The compiled tree of an expression.
#[derive(Clone)]
pub(crate) struct Tree(pub(crate) Fun);

impl fmt::Debug for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tree(..)")
    }
}

impl Tree {
    /// Compiles a folded tree.
    pub(crate) fn new(ir: &Ir) -> Tree {
        Tree(build(ir))
    }
}

/// An operand read inline by its parent.
trait Val: Send + Sync + 'static {
    fn get(&self, e: &Env<'_>) -> f64;
}

struct K(f64);
struct P(u32);
struct S(u32);
struct T;
struct C(u32);
struct D(Fun);

impl Val for K {
    #[inline(always)]
    fn get(&self, _: &Env<'_>) -> f64 {
        self.0
    }
}
impl Val for P {
    #[inline(always)]
    fn get(&self, e: &Env<'_>) -> f64 {
        read(Load::Param(self.0), e)
    }
}
impl Val for S {
    #[inline(always)]
    fn get(&self, e: &Env<'_>) -> f64 {
        read(Load::State(self.0), e)
    }
}
impl Val for T {
    #[inline(always)]
    fn get(&self, e: &Env<'_>) -> f64 {
        e.t
    }
}
impl Val for C {
    #[inline(always)]
    fn get(&self, e: &Env<'_>) -> f64 {
        read(Load::Count(self.0), e)
    }
}
impl Val for D {
    #[inline(always)]
    fn get(&self, e: &Env<'_>) -> f64 {
        (self.0)(e)
    }
}

/// The kind of an operand, decided at compile time.
enum Leaf {
    K(f64),
    P(u32),
    S(u32),
    T,
    C(u32),
    D(Fun),
}

/// A two-operand operator as a type, so each (operator, operands) closure is its own code.
trait Op2: Send + Sync + 'static {
    const OP: BinOp;
}

macro_rules! op2 {
    ($($name:ident = $op:ident;)*) => {
        $(
            struct $name;
            impl Op2 for $name {
                const OP: BinOp = BinOp::$op;
            }
        )*
    };
}

op2! {
    OAdd = Add; OSub = Sub; OMul = Mul; ODiv = Div; ORem = Rem; OPow = Pow;
    OLt = Lt; OLe = Le; OGt = Gt; OGe = Ge; OEq = Eq; ONe = Ne;
    OAnd = And; OOr = Or; OMin = Min; OMax = Max;
}

fn bin<O: Op2, A: Val, B: Val>(a: A, b: B) -> Fun {
    Arc::new(move |e| O::OP.apply(a.get(e), b.get(e)))
}

/// Specialises on the right operand's kind.
fn bin_a<O: Op2, A: Val>(a: A, b: Leaf) -> Fun {
    match b {
        Leaf::K(y) => bin::<O, A, K>(a, K(y)),
        Leaf::P(i) => bin::<O, A, P>(a, P(i)),
        Leaf::S(i) => bin::<O, A, S>(a, S(i)),
        Leaf::T => bin::<O, A, T>(a, T),
        Leaf::C(i) => bin::<O, A, C>(a, C(i)),
        Leaf::D(f) => bin::<O, A, D>(a, D(f)),
    }
}

/// Specialises on both operands' kinds.
fn bin_full<O: Op2>(a: Leaf, b: Leaf) -> Fun {
    match a {
        Leaf::K(x) => {
            if let Leaf::K(y) = b {
                let v = O::OP.apply(x, y);
                return Arc::new(move |_| v);
            }
            bin_a::<O, K>(K(x), b)
        }
        Leaf::P(i) => bin_a::<O, P>(P(i), b),
        Leaf::S(i) => bin_a::<O, S>(S(i), b),
        Leaf::T => bin_a::<O, T>(T, b),
        Leaf::C(i) => bin_a::<O, C>(C(i), b),
        Leaf::D(f) => bin_a::<O, D>(D(f), b),
    }
}

/// Rare operators: no specialisation on the operands (less code).
fn bin_plain<O: Op2>(a: Leaf, b: Leaf) -> Fun {
    bin::<O, D, D>(D(fun(a)), D(fun(b)))
}

fn binary(op: BinOp, a: Leaf, b: Leaf) -> Fun {
    match op {
        BinOp::Add => bin_full::<OAdd>(a, b),
        BinOp::Sub => bin_full::<OSub>(a, b),
        BinOp::Mul => bin_full::<OMul>(a, b),
        BinOp::Div => bin_full::<ODiv>(a, b),
        BinOp::Lt => bin_full::<OLt>(a, b),
        BinOp::Le => bin_full::<OLe>(a, b),
        BinOp::Gt => bin_full::<OGt>(a, b),
        BinOp::Ge => bin_full::<OGe>(a, b),
        BinOp::Eq => bin_full::<OEq>(a, b),
        BinOp::Ne => bin_full::<ONe>(a, b),
        // Hazard rates such as `x / max(s, 0.1)` are evaluated at every tick they re-rate.
        BinOp::Min => bin_full::<OMin>(a, b),
        BinOp::Max => bin_full::<OMax>(a, b),
        BinOp::Rem => bin_plain::<ORem>(a, b),
        BinOp::Pow => bin_plain::<OPow>(a, b),
        BinOp::And => bin_plain::<OAnd>(a, b),
        BinOp::Or => bin_plain::<OOr>(a, b),
    }
}

/// A leaf as a closure of its own.
fn fun(l: Leaf) -> Fun {
    match l {
        Leaf::K(x) => Arc::new(move |_| x),
        Leaf::P(i) => Arc::new(move |e| P(i).get(e)),
        Leaf::S(i) => Arc::new(move |e| S(i).get(e)),
        Leaf::T => Arc::new(|e| e.t),
        Leaf::C(i) => Arc::new(move |e| C(i).get(e)),
        Leaf::D(f) => f,
    }
}

fn leaf(ir: &Ir) -> Leaf {
    match ir {
        Ir::Const(v) => Leaf::K(*v),
        Ir::Load(Load::Param(i)) => Leaf::P(*i),
        Ir::Load(Load::State(i)) => Leaf::S(*i),
        Ir::Load(Load::Time) => Leaf::T,
        Ir::Load(Load::Count(i)) => Leaf::C(*i),
        _ => Leaf::D(build(ir)),
    }
}

/// One operand of a short-circuit chain; `fired` tests are read inline.
enum Cond {
    Fired(u32),
    NotFired(u32),
    Dyn(Fun),
}

impl Cond {
    fn new(ir: &Ir) -> Cond {
        match ir {
            Ir::Load(Load::Fired(i)) => Cond::Fired(*i),
            Ir::Un(UnOp::Not, x) => match &**x {
                Ir::Load(Load::Fired(i)) => Cond::NotFired(*i),
                _ => Cond::Dyn(build(ir)),
            },
            _ => Cond::Dyn(build(ir)),
        }
    }

    #[inline(always)]
    fn eval(&self, e: &Env<'_>) -> f64 {
        match self {
            Cond::Fired(i) => read(Load::Fired(*i), e),
            Cond::NotFired(i) => UnOp::Not.apply(read(Load::Fired(*i), e)),
            Cond::Dyn(f) => f(e),
        }
    }
}

/// A homogeneous `and` (`or`) chain: stops at the first false (true) operand, or at a NaN,
/// which is the chain's value then.
fn short_circuit(conds: Vec<Cond>, and: bool) -> Fun {
    // Two operands (the usual case): no loop.
    if conds.len() == 2 {
        let mut it = conds.into_iter();
        if let (Some(a), Some(b)) = (it.next(), it.next()) {
            return if and {
                Arc::new(move |e| {
                    let v = a.eval(e);
                    if stops_and(v) { v } else { b.eval(e) }
                })
            } else {
                Arc::new(move |e| {
                    let v = a.eval(e);
                    if stops_or(v) { v } else { b.eval(e) }
                })
            };
        }
        return Arc::new(|_| f64::NAN);
    }
    let conds: Box<[Cond]> = conds.into();
    Arc::new(move |e| {
        let mut v = 0.0;
        for c in conds.iter() {
            v = c.eval(e);
            if if and { stops_and(v) } else { stops_or(v) } {
                return v;
            }
        }
        v
    })
}

/// Chains longer than this evaluate in a loop rather than as nested closures, which keeps
/// the nesting of closures (and so the recursion of evaluation) bounded by a small multiple
/// of the parser's depth limit.
const LONG_CHAIN: usize = 8;

fn build(ir: &Ir) -> Fun {
    match ir {
        Ir::Const(_) | Ir::Load(Load::Param(_) | Load::State(_) | Load::Time | Load::Count(_)) => {
            fun(leaf(ir))
        }
        Ir::Load(Load::Fired(i)) => {
            let i = *i;
            Arc::new(move |e| read(Load::Fired(i), e))
        }
        Ir::Un(op, x) => unary(*op, x),
        Ir::Chain(first, rest) => {
            let homogeneous = rest.first().map(|(op, _)| *op).filter(|op| {
                matches!(op, BinOp::And | BinOp::Or) && rest.iter().all(|(o, _)| o == op)
            });
            if let Some(op) = homogeneous {
                let conds = std::iter::once(&**first)
                    .chain(rest.iter().map(|(_, x)| x))
                    .map(Cond::new)
                    .collect();
                return short_circuit(conds, op == BinOp::And);
            }
            // Long chains (`a + b + ... `, `max` of many) are one loop: nesting a closure
            // per operand would make the evaluation (and dropping) recurse that deep.
            if rest.len() > LONG_CHAIN {
                let first = build(first);
                let rest: Box<[(BinOp, Fun)]> =
                    rest.iter().map(|(op, x)| (*op, build(x))).collect();
                return Arc::new(move |e| {
                    let mut acc = first(e);
                    for (op, f) in rest.iter() {
                        acc = op.apply(acc, f(e));
                    }
                    acc
                });
            }
            let mut acc = leaf(first);
            for (op, x) in rest {
                acc = Leaf::D(binary(*op, acc, leaf(x)));
            }
            fun(acc)
        }
        Ir::Tern(op, args) => {
            let [a, b, c] = &**args;
            // `clamp(x, lo, hi)` with constant bounds, the usual way to keep a probability
            // in [0, 1]: one call for `x`, none for the bounds.
            if let (TernOp::Clamp, Ir::Const(lo), Ir::Const(hi)) = (op, b, c) {
                let (lo, hi) = (*lo, *hi);
                let a = build(a);
                return Arc::new(move |e| TernOp::Clamp.apply(a(e), lo, hi));
            }
            let (a, b, c) = (build(a), build(b), build(c));
            match op {
                // No side effects: evaluating only the branch taken gives the same value. A
                // NaN condition takes neither (as `TernOp::If` does).
                TernOp::If => Arc::new(move |e| {
                    let cond = a(e);
                    if cond == 0.0 {
                        c(e)
                    } else if cond.is_nan() {
                        cond
                    } else {
                        b(e)
                    }
                }),
                TernOp::Clamp => Arc::new(move |e| TernOp::Clamp.apply(a(e), b(e), c(e))),
            }
        }
    }
}

fn unary(op: UnOp, x: &Ir) -> Fun {
    if let (UnOp::Not, Ir::Load(Load::Fired(i))) = (op, x) {
        let i = *i;
        return Arc::new(move |e| UnOp::Not.apply(read(Load::Fired(i), e)));
    }
    macro_rules! un {
        ($($name:ident),*) => {
            match op {
                $(UnOp::$name => un_with(x, |v| UnOp::$name.apply(v)),)*
            }
        };
    }
    un!(
        Neg, Not, Abs, Sqrt, Exp, Ln, Log10, Floor, Ceil, Round, Logistic
    )
}

/// `f(x)`, with a parameter or state operand read inline.
fn un_with(x: &Ir, f: impl Fn(f64) -> f64 + Send + Sync + 'static) -> Fun {
    match leaf(x) {
        Leaf::P(i) => Arc::new(move |e| f(P(i).get(e))),
        Leaf::S(i) => Arc::new(move |e| f(S(i).get(e))),
        l => {
            let g = fun(l);
            Arc::new(move |e| f(g(e)))
        }
    }
}
