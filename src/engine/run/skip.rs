//! Skipping ticks whose outcome is known (see [`crate::engine::ticks`]).
//!
//! When the event loop takes a tick, [`Runner::take_ticks`] also takes the following ones
//! that cannot change any guard or flow's `while`: it adds the flows' Euler increments tick
//! by tick, exactly as plain ticking does (so the state has the same bits), and re-rates
//! the hazards whose rate moves, exactly as a look would; it evaluates no guard. It stops
//! before the next event, at the horizon, and a few ticks before the first tick at which a
//! comparison of a guard or `while` is predicted to change; the event loop's settle after
//! the last tick taken, and the plain ticks after it, see the change at the tick plain
//! ticking sees it.
//!
//! The prediction: between events the moving values move linearly (the flows that run have
//! constant rates), so each comparison, linear in them, changes at most once; its value at
//! the last tick before the next event tells whether it changes at all, and bisection over
//! the ticks, on the state predicted in closed form, finds the first tick at which one does.
//! The closed form differs from the repeated Euler sums in the last bits, so the window
//! ends a margin of ticks early that bounds that difference (two ticks, more when a rate is
//! tiny next to the value it moves), and plain ticks cover the margin.

use super::{Fallible, Phase, Runner, env};
use crate::engine::RunRecord;
use crate::expr::{Env, Expr};
use crate::scenario::Trigger;

/// How many ticks of a run were evaluated one by one (followed by a look at the guards) and
/// how many were skipped (their increments added without evaluating anything but hazard
/// rates that move).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TickCount {
    /// Ticks after which the guards were looked at.
    pub evaluated: u64,
    /// Ticks taken without a look.
    pub skipped: u64,
}

/// Whether a hazard with `budget` left at rate `rate` from `t` is due by `next`, as the
/// event loop decides it. Out of line: the division it needs is rare, and inlined the
/// compiler computes it on every tick whether needed or not.
#[cold]
#[inline(never)]
fn due_by(t: f64, budget: f64, rate: f64, next: f64) -> bool {
    t + budget / rate <= next
}

impl Runner<'_> {
    /// Takes the tick the event loop chose (the first after now, before the next event `due`
    /// and not after `horizon`) and as many of the following ones as can be taken without
    /// looking at a guard. Returns whether the look after the last one may be skipped too:
    /// true when the ticks stopped only because the next event or the horizon comes first,
    /// so no guard or `while` changed at any of them (the moving hazards are re-rated).
    pub(super) fn take_ticks(
        &mut self,
        rec: &mut RunRecord,
        due: f64,
        horizon: f64,
    ) -> Fallible<bool> {
        let limit = self.ticks_to_take(rec, due, horizon);
        if limit == 1 {
            let to = self.next_tick();
            self.advance_flows(rec, to)?;
            self.t = to;
            self.tick_count.evaluated += 1;
            return Ok(false);
        }
        let r = self.model.resolution;
        // The ticks are k * r for whole k: `next_tick` after k * r is (k + 1) * r (a test
        // checks it), so these are the ticks plain ticking takes.
        let k1 = self.next_tick_index();
        let (taken, quiet) = if self.plan.rerated.is_empty() {
            // Nothing to evaluate: count the ticks, then add each flow's increments.
            let mut k = k1;
            let mut taken = 0u64;
            while taken < limit && k * r < due && k * r <= horizon {
                k += 1.0;
                taken += 1;
            }
            self.add_increments(rec, k1, taken)?;
            (taken, taken < limit)
        } else {
            self.ticks_rerating(rec, k1, limit, due, horizon)?
        };
        self.tick_count.evaluated += u64::from(!quiet);
        self.tick_count.skipped += taken - u64::from(!quiet);
        Ok(quiet)
    }

    /// Takes ticks k1, k1 + 1, ... (at most `limit`) one at a time, re-rating the moving
    /// hazards after each, until the next event or the horizon. Returns the ticks taken and
    /// whether they stopped only because of the next event or the horizon.
    fn ticks_rerating(
        &mut self,
        rec: &mut RunRecord,
        k1: f64,
        limit: u64,
        due: f64,
        horizon: f64,
    ) -> Fallible<(u64, bool)> {
        let r = self.model.resolution;
        // The running ones: no step changes phase between events.
        let mut running = std::mem::take(&mut self.rerating);
        running.clear();
        running.extend(
            (self.plan.rerated.iter().copied()).filter(|&i| self.steps[i].phase == Phase::Running),
        );
        let mut k = k1;
        let mut taken = 0u64;
        let stop = loop {
            if let Err(e) = self.advance_flows(rec, k * r) {
                self.rerating = running;
                return Err(e);
            }
            self.t = k * r;
            taken += 1;
            k += 1.0;
            if taken >= limit {
                break (taken, false);
            }
            match self.spend_moving(rec, &running, k * r) {
                // A bad rate: the look after this tick reports it, as plain ticking.
                None => break (taken, false),
                Some(true) => break (taken, true),
                Some(false) => {}
            }
            if !(k * r < due && k * r <= horizon) {
                break (taken, true);
            }
        };
        // The due times, as `rerate` computes them from the last rate and budget.
        for &i in &running {
            let s = self.steps[i];
            let d = if s.rate > 0.0 {
                s.since + s.budget / s.rate
            } else {
                f64::INFINITY
            };
            self.set_due(i, d);
        }
        self.rerating = running;
        Ok(stop)
    }

    /// Re-rates the running hazards `running`, whose rate moves, as [`Runner::rerate`] does
    /// after a tick (their guards are known not to have changed), leaving their due times
    /// to be set by the caller. Returns whether one may be due by `next` (the next tick),
    /// or `None` at a rate out of range (the look after the tick reports it).
    fn spend_moving(&mut self, rec: &RunRecord, running: &[usize], next: f64) -> Option<bool> {
        let m = self.model;
        let (env, t) = (env(rec, self.t), self.t);
        // Beyond this, `t + budget / rate` is after `next` whatever the rounding: the
        // relative 1e-12 of `next` is far above its last bit.
        let span = (next - t + next.abs() * 1e-12) * (1.0 + 1e-9);
        let mut soon = false;
        for &i in running {
            let Trigger::Hazard { rate } = &m.steps[i].trigger else {
                continue;
            };
            let v = rate.eval(&env);
            if !(v.is_finite() && v >= 0.0) {
                return None;
            }
            let s = &mut self.steps[i];
            if s.rate != v {
                s.budget = (s.budget - s.rate * (t - s.since)).max(0.0);
                s.rate = v;
                s.since = t;
            }
            if s.budget <= v * span {
                soon |= due_by(t, s.budget, v, next);
            }
        }
        Some(soon)
    }

    /// Adds the running flows' Euler increments of ticks k1 .. k1 + n - 1 (from now), flow
    /// by flow, with the same additions plain ticking makes; on a value that is not finite
    /// the ticks are taken again one by one, so the error comes at the same tick.
    fn add_increments(&mut self, rec: &mut RunRecord, k1: f64, n: u64) -> Fallible<()> {
        let m = self.model;
        let (r, t0) = (m.resolution, self.t);
        let mut fine = true;
        for (f, &rate) in m.flows.iter().zip(&self.flow_rates) {
            if rate == 0.0 {
                continue;
            }
            let mut x = rec.state[f.target];
            let mut t = t0;
            let mut k = k1;
            for _ in 0..n {
                let to = k * r;
                x += rate * (to - t);
                t = to;
                k += 1.0;
            }
            fine &= x.is_finite();
            self.scratch_flows.push(rec.state[f.target]);
            rec.state[f.target] = x;
        }
        if fine {
            self.scratch_flows.clear();
            self.t = (k1 + (n - 1) as f64) * r;
            return Ok(());
        }
        // Put the values back and tick one by one (an infinite value stays infinite, so
        // some tick of these made one).
        let mut saved = self.scratch_flows.drain(..);
        for (f, &rate) in m.flows.iter().zip(&self.flow_rates) {
            if rate != 0.0 {
                rec.state[f.target] = saved.next().unwrap_or(f64::NAN);
            }
        }
        drop(saved);
        let mut k = k1;
        for _ in 0..n {
            self.advance_flows(rec, k * r)?;
            self.t = k * r;
            k += 1.0;
        }
        Ok(())
    }

    /// How many ticks [`Runner::take_ticks`] may take (at least 1): up to a margin before the
    /// first tick at which a comparison of a guard or `while` that time moves is predicted
    /// to change, else up to the next event or the horizon (and one tick more, never
    /// reached then). 1 when skipping is off or the moving values do not move linearly.
    fn ticks_to_take(&mut self, rec: &RunRecord, due: f64, horizon: f64) -> u64 {
        let m = self.model;
        if !self.skipping {
            return 1;
        }
        if (0..m.flows.len()).any(|k| self.flow_runs[k] && self.plan.rate_moves[k]) {
            return 1;
        }
        let r = m.resolution;
        let (t0, k1) = (self.t, self.next_tick_index());
        let last = due.min(horizon);
        // The ticks before the next event, and one more in case rounding hid one: the
        // prediction covers these, and the ticks taken stop at them.
        let n = ((last - k1 * r) / r).floor() + 2.0;
        if n.is_nan() || n < 2.0 {
            return 1;
        }
        let n = n.min(1e7) as u64;
        let mut now = std::mem::take(&mut self.atoms_now);
        now.clear();
        let fine = self.for_each_atom(|a| now.push(a.eval(&env(rec, t0))));
        let limit = if !fine || now.iter().any(|v| v.is_nan()) {
            1
        } else if now.is_empty() {
            n
        } else {
            self.first_change(rec, &now, k1, n)
                .map_or(n, |(first, margin)| first.saturating_sub(margin).max(1))
        };
        self.atoms_now = now;
        limit
    }

    /// The first of the ticks after now (tick i at (k1 + i - 1) * r) at which an atom is
    /// predicted to differ from `now`, and the margin of ticks to stop before it; `None`
    /// when none differs by tick n plus the margin.
    fn first_change(
        &mut self,
        rec: &RunRecord,
        now: &[f64],
        k1: f64,
        n: u64,
    ) -> Option<(u64, u64)> {
        let m = self.model;
        let r = m.resolution;
        let t0 = self.t;
        let mut state = std::mem::take(&mut self.scratch);
        state.clone_from(&rec.state);
        let mut differs = |i: u64| {
            let t = (k1 + (i - 1) as f64) * r;
            for f in &m.flows {
                state[f.target] = rec.state[f.target];
            }
            for (k, f) in m.flows.iter().enumerate() {
                state[f.target] += self.flow_rates[k] * (t - t0);
            }
            let e = Env {
                state: &state,
                ..env(rec, t)
            };
            let mut j = 0;
            let mut any = false;
            self.for_each_atom(|a| {
                any |= a.eval(&e) != now[j];
                j += 1;
            });
            any
        };
        // A change up to `margin` ticks after the last one predicted may come before it.
        let margin = self.margin(rec, k1, n);
        let reach = n.saturating_add(margin);
        let result = if reach > 10_000_000 {
            Some((1, 0))
        } else if differs(reach) {
            let (mut lo, mut hi) = (0, reach);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if differs(mid) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            Some((hi, margin))
        } else {
            None
        };
        self.scratch = state;
        result
    }

    /// The ticks by which the predicted first change may come early or late: the closed form
    /// `x + rate * (t - t0)` and n repeated Euler additions differ by at most about
    /// (n + 2) ulp of the largest |x| plus n times the rounding of each tick's length; in
    /// ticks, that over |rate * r| per flow, doubled for safety, plus two ticks.
    fn margin(&self, rec: &RunRecord, k1: f64, n: u64) -> u64 {
        let m = self.model;
        let r = m.resolution;
        let t_n = (k1 + (n - 1) as f64) * r;
        let span = t_n - self.t;
        let nf = n as f64 + 2.0;
        let mut ticks = nf * f64::EPSILON * t_n.abs() / r;
        for (k, f) in m.flows.iter().enumerate() {
            let rate = self.flow_rates[k];
            if rate != 0.0 {
                let x = rec.state[f.target];
                let big = x.abs().max((x + rate * span).abs());
                ticks += nf * f64::EPSILON * big / (rate * r).abs();
            }
        }
        let ticks = 2.0 * ticks;
        if ticks < 1e9 {
            2 + ticks.ceil() as u64
        } else {
            u64::MAX
        }
    }

    /// Calls `f` with every comparison that a tick could change, in a fixed order: those of
    /// the flows' `while`, then those of the `when` of the armed steps that still wait or
    /// run. False (having stopped) when one of them cannot be predicted.
    fn for_each_atom(&self, mut f: impl FnMut(&Expr)) -> bool {
        for w in &self.plan.while_atoms {
            match w {
                Some(atoms) => atoms.iter().for_each(&mut f),
                None => return false,
            }
        }
        let words = self.watchers.by_time.words().iter().zip(self.armed.words());
        for (k, (&a, &b)) in words.enumerate() {
            let mut bits = a & b;
            while bits != 0 {
                let i = k * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if matches!(self.steps[i].phase, Phase::Over | Phase::Scheduled) {
                    continue;
                }
                match &self.plan.when_atoms[i] {
                    Some(atoms) => atoms.iter().for_each(&mut f),
                    None => return false,
                }
            }
        }
        true
    }
}
