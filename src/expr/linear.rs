//! Which conditions change predictably while time passes between events.
//!
//! Between two events the engine's flows with constant rates move the variables they write
//! linearly in time, and `t` moves linearly too. A number that is linear in those *moving*
//! values (sums, differences, products and quotients by values that do not move) then moves
//! linearly, so a comparison of two such numbers changes its value at most once, at a time
//! that can be solved for. A condition built from such comparisons with `and`, `or`, `not`
//! and `if` (on a condition that does not move) changes only when one of its comparisons
//! does. The engine uses this to skip the ticks in which no condition can change
//! (src/engine/run/skip.rs).

use super::ir::{BinOp, Ir, Load, TernOp, UnOp};
use super::{Expr, Type};

/// Whether evaluating `ir` reads a moving value: `t`, or a state variable `moving` names.
fn moves(ir: &Ir, moving: &dyn Fn(u32) -> bool) -> bool {
    let mut any = false;
    ir.for_each_load(&mut |l| any |= is_moving(l, moving));
    any
}

/// Whether a load reads a moving value: `t`, or a state variable `moving` names.
fn is_moving(l: Load, moving: &dyn Fn(u32) -> bool) -> bool {
    match l {
        Load::Time => true,
        Load::State(i) => moving(i),
        _ => false,
    }
}

/// Whether the number `ir` is linear in the moving values (a constant between events counts
/// as linear).
fn linear(ir: &Ir, moving: &dyn Fn(u32) -> bool) -> bool {
    if !moves(ir, moving) {
        return true;
    }
    match ir {
        Ir::Const(_) | Ir::Load(_) => true,
        Ir::Un(UnOp::Neg, x) => linear(x, moving),
        Ir::Chain(first, rest) => {
            if !linear(first, moving) {
                return false;
            }
            let mut acc_moves = moves(first, moving);
            for (op, x) in rest {
                let x_moves = moves(x, moving);
                let fine = linear(x, moving)
                    && match op {
                        BinOp::Add | BinOp::Sub => true,
                        BinOp::Mul => !(acc_moves && x_moves),
                        BinOp::Div => !x_moves,
                        _ => false,
                    };
                if !fine {
                    return false;
                }
                acc_moves |= x_moves;
            }
            true
        }
        Ir::Tern(TernOp::If, args) => {
            !moves(&args[0], moving) && linear(&args[1], moving) && linear(&args[2], moving)
        }
        _ => false,
    }
}

/// Collects into `out` the comparisons of condition `ir` that read moving values; false when
/// some part of it that reads a moving value is not such a comparison of linear numbers.
fn atoms<'i>(ir: &'i Ir, moving: &dyn Fn(u32) -> bool, out: &mut Vec<&'i Ir>) -> bool {
    if !moves(ir, moving) {
        return true;
    }
    match ir {
        Ir::Un(UnOp::Not, x) => atoms(x, moving, out),
        Ir::Chain(first, rest)
            if rest
                .iter()
                .all(|(op, _)| matches!(op, BinOp::And | BinOp::Or)) =>
        {
            atoms(first, moving, out) && rest.iter().all(|(_, x)| atoms(x, moving, out))
        }
        Ir::Chain(a, rest)
            if rest.len() == 1
                && matches!(rest[0].0, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
                && linear(a, moving)
                && linear(&rest[0].1, moving) =>
        {
            out.push(ir);
            true
        }
        Ir::Tern(TernOp::If, args) => {
            !moves(&args[0], moving) && atoms(&args[1], moving, out) && atoms(&args[2], moving, out)
        }
        _ => false,
    }
}

impl Expr {
    /// How many times evaluating this expression reads a moving value (`t`, or a state
    /// variable `moving` names), counting repeated reads. A linear number, or a comparison of
    /// such numbers, that reads a moving value once is a monotone function of it even in
    /// floating point (every operation on the way is monotone in its one moving operand).
    pub fn moving_reads(&self, moving: &dyn Fn(u32) -> bool) -> usize {
        let mut n = 0;
        self.ir
            .for_each_load(&mut |l| n += usize::from(is_moving(l, moving)));
        n
    }

    /// Whether this number is linear in the moving values (`t`, or a state variable `moving`
    /// names): sums, differences, products and quotients by values that do not move. Between
    /// events, when the moving values move linearly, such a number does too (a hazard rate
    /// so made can be integrated over ticks in closed form).
    pub fn is_linear_in(&self, moving: &dyn Fn(u32) -> bool) -> bool {
        linear(&self.ir, moving)
    }

    /// For a condition: its comparisons that read a moving value (`t`, or a state variable
    /// `moving` names), each compiled on its own, in the order written. `None` when a part
    /// of the condition that reads a moving value is not a comparison (`<`, `<=`, `>`, `>=`)
    /// of numbers linear in the moving values: then its changes cannot be predicted.
    /// Between events, when the moving values move linearly, the condition can change only
    /// where one of these comparisons does, and each changes at most once.
    pub fn tick_atoms(&self, moving: &dyn Fn(u32) -> bool) -> Option<Vec<Expr>> {
        let mut found = Vec::new();
        if !atoms(&self.ir, moving, &mut found) {
            return None;
        }
        Some(
            found
                .into_iter()
                .map(|ir| Expr::new(self.text.clone(), Type::Bool, ir))
                .collect(),
        )
    }
}
