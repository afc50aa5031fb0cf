//! Flows: their rates, the tick grid, and the flowing variables' straight lines between
//! changes of rate.
//!
//! While the rates into a variable stay the same, Euler's method moves it along a straight
//! line: after ticks of lengths `dt_1, dt_2, ...` it is `x0 + rate * (dt_1 + dt_2 + ...)`.
//! The engine computes that line's value directly, `x0 + rate * (t - t0)` from the time `t0`
//! the line started (the last event, or the last tick that changed the rate), instead of
//! adding one rounded increment per tick. It is the same real number, rounded once instead
//! of once per tick; and since it does not depend on which ticks were taken, a run that skips
//! ticks (skip.rs) has the same bits as one that takes them all.

use super::{Fallible, Runner, env};
use crate::engine::RunRecord;
use crate::scenario::Model;

/// One flowing variable's straight line: the sum of the rates of the flows into it that run,
/// and its value `x0` at the time `t0` that rate took effect.
#[derive(Clone, Copy, Debug)]
pub(super) struct Line {
    /// The variable (index into the state).
    pub(super) var: usize,
    /// The first flow into it (for errors).
    first_flow: usize,
    /// The sum of its running flows' rates, in file order.
    pub(super) rate: f64,
    /// Where the line starts.
    pub(super) x0: f64,
    pub(super) t0: f64,
}

impl Line {
    /// The variable's value at time `t` on this line. Every reader (advancing, predicting
    /// ticks) computes it with this one expression, so they agree to the bit.
    #[inline(always)]
    pub(super) fn at(&self, t: f64) -> f64 {
        self.x0 + self.rate * (t - self.t0)
    }
}

/// Puts into `state` the value each moving line has at `t` (a prediction: no check).
#[inline]
pub(super) fn place(lines: &[Line], state: &mut [f64], t: f64) {
    for line in lines {
        if line.rate != 0.0 {
            state[line.var] = line.at(t);
        }
    }
}

/// The lines of `model`'s flowing variables (in the order of their first flow) and, per flow,
/// the index of its line.
pub(super) fn lines(model: &Model) -> (Vec<Line>, Vec<usize>) {
    let mut lines: Vec<Line> = Vec::new();
    let mut of_flow = Vec::with_capacity(model.flows.len());
    for (k, f) in model.flows.iter().enumerate() {
        let i = match lines.iter().position(|l| l.var == f.target) {
            Some(i) => i,
            None => {
                lines.push(Line {
                    var: f.target,
                    first_flow: k,
                    rate: 0.0,
                    x0: 0.0,
                    t0: 0.0,
                });
                lines.len() - 1
            }
        };
        of_flow.push(i);
    }
    (lines, of_flow)
}

impl Runner<'_> {
    /// Evaluates the flows' `while` and rate in the current state (the rates the next Euler
    /// step uses) and tells whether any flow runs. State changes only in events and ticks,
    /// each followed by this, so the rates are evaluated once per step of time; after a tick
    /// (`ticked`) only the flows a tick can affect are evaluated again.
    ///
    /// After an event every line starts again from the variable's value now (an effect may
    /// have moved it); after a tick only a line whose rate changed does, so that skipped
    /// ticks, which evaluate no rate, leave the lines where plain ticking leaves them.
    pub(super) fn rate_flows(&mut self, rec: &RunRecord, ticked: bool) -> Fallible<bool> {
        let e = env(rec, self.t);
        let mut any = false;
        let mut evaluated = false;
        for (k, f) in self.model.flows.iter().enumerate() {
            if !ticked || self.flow_tick_sensitive[k] {
                let runs = match &f.while_ {
                    None => true,
                    Some(w) => {
                        let v = w.eval(&e);
                        if v.is_nan() {
                            return Err(self.flow_not_a_condition(k));
                        }
                        v != 0.0
                    }
                };
                self.flow_runs[k] = runs;
                self.flow_rates[k] = if runs { f.rate.eval(&e) } else { 0.0 };
                evaluated = true;
            }
            any |= self.flow_runs[k];
        }
        if evaluated {
            self.restart_lines(rec, ticked);
        }
        Ok(any)
    }

    /// Sets each line's rate to the sum of its flows' rates; a line restarts from the
    /// variable's value now after an event (`!ticked`) or when its rate changed.
    fn restart_lines(&mut self, rec: &RunRecord, ticked: bool) {
        self.line_rates.clear();
        self.line_rates.resize(self.lines.len(), 0.0);
        for (k, &i) in self.line_of_flow.iter().enumerate() {
            self.line_rates[i] += self.flow_rates[k];
        }
        for (line, &rate) in self.lines.iter_mut().zip(&self.line_rates) {
            if !ticked || rate.to_bits() != line.rate.to_bits() {
                line.rate = rate;
                line.x0 = rec.state[line.var];
                line.t0 = self.t;
            }
        }
    }

    /// The first tick strictly after now: the next multiple of `resolution`.
    pub(super) fn next_tick(&self) -> f64 {
        self.next_tick_index() * self.model.resolution
    }

    /// The whole number k of the first tick strictly after now, `k * resolution`.
    pub(super) fn next_tick_index(&self) -> f64 {
        next_tick_index(self.t, self.model.resolution)
    }

    /// Moves the flowing variables along their lines to time `to` (Euler with the rates
    /// computed by [`Runner::rate_flows`] since the last change of state). Leaves `self.t`
    /// to the caller.
    #[inline]
    pub(super) fn advance_flows(&mut self, rec: &mut RunRecord, to: f64) -> Fallible<()> {
        if self.lines.is_empty() || to <= self.t {
            return Ok(());
        }
        for i in 0..self.lines.len() {
            let line = self.lines[i];
            if line.rate == 0.0 {
                continue;
            }
            let new = line.at(to);
            if !new.is_finite() {
                return Err(self.flow_not_finite(line));
            }
            rec.state[line.var] = new;
        }
        Ok(())
    }

    /// The error of a flow that makes its variable not a finite number.
    #[cold]
    #[inline(never)]
    fn flow_not_finite(&self, line: Line) -> Box<super::RunError> {
        let m = self.model;
        let f = &m.flows[line.first_flow];
        self.error(
            format!("flow into `{}`", m.var_name(line.var)),
            &f.rate,
            line.rate,
            "it makes the variable not a finite number",
        )
    }
}

/// `x.floor()`, without the call into libm that `floor` is on x86-64's baseline (which has
/// no rounding instruction): for the non-negative values below 2^52 the tick arithmetic
/// meets, truncation is the floor, exactly (but -0 gives 0, which the callers add to).
/// Through i64, not u64: x86-64 converts signed integers in one instruction each way, and
/// unsigned ones in a dozen.
#[inline(always)]
pub(super) fn floor(x: f64) -> f64 {
    if (0.0..4.5e15).contains(&x) {
        x as i64 as f64
    } else {
        x.floor()
    }
}

/// `x.ceil()`, without libm's call, as [`floor`] (for 0 <= x < 2^52; -0 gives 0).
#[inline(always)]
pub(super) fn ceil(x: f64) -> f64 {
    if (0.0..4.5e15).contains(&x) {
        let f = x as i64 as f64;
        if f < x { f + 1.0 } else { f }
    } else {
        x.ceil()
    }
}

/// A tick count `x` (below 2^63, or NaN or negative for none) as u64, as `x as u64`
/// saturates it: through i64, one instruction where u64 takes about ten.
#[inline(always)]
pub(super) fn ticks_u64(x: f64) -> u64 {
    (x as i64).max(0) as u64
}

/// A count or index of ticks (below 2^63, as every one is) as f64, exactly: through i64,
/// which x86-64 converts in one instruction where u64 takes about ten.
#[inline(always)]
pub(super) fn ticks_f64(n: u64) -> f64 {
    n as i64 as f64
}

/// The whole number k of the first tick `k * r` strictly after `t`.
pub(super) fn next_tick_index(t: f64, r: f64) -> f64 {
    let mut k = floor(t / r) + 1.0;
    if k * r <= t {
        k += 1.0;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::{ceil, floor, next_tick_index, ticks_f64, ticks_u64};

    /// Values on both sides of whole numbers, past 2^52 (where every f64 is whole) and
    /// past i64's range, the signed zeros and the infinities.
    const ROUNDED: [f64; 15] = [
        0.0,
        -0.0,
        0.5,
        1.0,
        1.5,
        2.0 - 1e-16,
        1e7 + 0.5,
        4.4e15 + 1.0,
        4.6e15,
        1e300,
        -0.5,
        -1.0,
        -2.5,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];

    /// Through i64, -0 comes out as +0 (no tick index is negative zero).
    fn is_negative_zero(x: f64) -> bool {
        x.to_bits() == (-0.0f64).to_bits()
    }

    #[test]
    fn floor_is_floor() {
        for x in ROUNDED {
            let want = if is_negative_zero(x) { 0.0 } else { x.floor() };
            assert_eq!(floor(x).to_bits(), want.to_bits(), "{x}");
        }
        assert!(floor(f64::NAN).is_nan());
    }

    #[test]
    fn ceil_is_ceil() {
        for x in ROUNDED {
            let want = if is_negative_zero(x) { 0.0 } else { x.ceil() };
            assert_eq!(ceil(x).to_bits(), want.to_bits(), "{x}");
        }
        assert!(ceil(f64::NAN).is_nan());
    }

    #[test]
    fn tick_conversions_are_the_casts() {
        for n in [0u64, 1, 2, 365, 10_000_000, 1 << 53] {
            assert_eq!(ticks_f64(n).to_bits(), (n as f64).to_bits());
        }
        for x in [
            -1e300,
            -1.0,
            -0.0,
            0.0,
            0.5,
            1.0,
            365.0,
            1e7,
            9.0e15,
            f64::NAN,
        ] {
            assert_eq!(ticks_u64(x), x as u64, "{x}");
        }
    }

    /// Skipped ticks are computed as `k * r` for k = k1, k1 + 1, ...: that is what plain
    /// ticking, which computes the next tick from the last, gives, for resolutions that are
    /// not powers of two too (their multiples are rounded).
    #[test]
    fn the_tick_after_a_tick_is_the_next_multiple() {
        for r in [
            1.0,
            0.1,
            0.3,
            1.0 / 3.0,
            0.7,
            2.5,
            1e-3,
            7.0 / 24.0,
            365.25,
            1e-7,
        ] {
            for k in (1..200_000u64).chain((1u64 << 40)..(1u64 << 40) + 1000) {
                let t = k as f64 * r;
                assert_eq!(next_tick_index(t, r), k as f64 + 1.0, "r = {r}, k = {k}");
            }
        }
    }
}
