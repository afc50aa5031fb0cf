//! Skipping ticks whose outcome is known (see [`crate::engine::ticks`]).
//!
//! When the event loop takes a tick, [`Runner::take_ticks`] also takes the following ones
//! that cannot change any guard or flow's `while`: the flowing variables move along their
//! lines to the last of them at once (flows.rs: the value plain ticking has there, to the
//! bit), and the hazards whose rate moves are re-rated as a look would, tick by tick, or, when
//! their rates are linear in the moving values, spent over a long stretch as an arithmetic
//! series ([`Runner::spend_in_closed_form`]). No guard is evaluated. It stops before the next
//! event, at the horizon, and at the first tick at which a comparison of a guard or `while`
//! is predicted to change (a margin of ticks earlier when rounding could make that comparison
//! flip back and forth); the event loop's settle after the last tick taken, and the plain
//! ticks after it, see the change at the tick plain ticking sees it.
//!
//! The prediction: between events the moving values move linearly (the flows that run have
//! constant rates), so each comparison, linear in them, changes at most once; its value at
//! the last tick before the next event tells whether it changes at all, and bisection over
//! the ticks, on the state the ticks would have, finds the first tick at which one does.

use super::flows::{ceil, floor, place, ticks_f64, ticks_u64};
use super::{Fallible, Phase, Runner, env};
use crate::engine::RunRecord;
use crate::engine::ticks::Atoms;
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

/// How many of the ticks `k * r`, k = k1, k1 + 1, ..., come before the next event `due` and
/// not after `horizon`, at most `limit`: a first guess by division, corrected against the
/// ticks as the event loop computes them (whether a tick comes before is monotone in k).
fn ticks_before(k1: f64, r: f64, due: f64, horizon: f64, limit: u64) -> u64 {
    let inside = |i: u64| {
        let t = (k1 + ticks_f64(i)) * r;
        t < due && t <= horizon
    };
    let guess = floor((due.min(horizon) - k1 * r) / r) + 1.0;
    // (A float-to-int cast saturates: a negative guess gives 0.)
    let mut n = ticks_u64(guess.min(ticks_f64(limit)));
    while n > 0 && !inside(n - 1) {
        n -= 1;
    }
    while n < limit && inside(n) {
        n += 1;
    }
    n
}

/// A moving hazard's spending over a stretch of ticks when its rate is linear in the moving
/// values (see [`Runner::spend_in_closed_form`]): tick j (from 0) spends `rho_0 + j delta`
/// per unit of time for `r`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Series {
    /// The hazard step.
    step: usize,
    /// The budget left at the first tick.
    left: f64,
    rho_0: f64,
    delta: f64,
    r: f64,
}

impl Series {
    /// The budget left after the first `j` ticks' spending.
    #[inline]
    fn left_after(&self, j: u64) -> f64 {
        let j = ticks_f64(j);
        self.left - self.r * (j * self.rho_0 + self.delta * (j * (j - 1.0) / 2.0))
    }
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
            // Nothing to evaluate: count the ticks, then move to the last.
            let taken = ticks_before(k1, r, due, horizon, limit);
            self.skip_ticks_to(rec, k1, taken)?;
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
        // The running ones: no step changes phase between events.
        let mut running = std::mem::take(&mut self.rerating);
        running.clear();
        running.extend(
            (self.plan.rerated.iter().copied()).filter(|&i| self.steps[i].phase == Phase::Running),
        );
        let stop = match self.ticks_spending(rec, &running, k1, limit, due, horizon) {
            Ok(stop) => stop,
            Err(e) => {
                self.rerating = running;
                return Err(e);
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

    /// [`Runner::ticks_rerating`] with the running moving hazards `running`: a long stretch
    /// of ticks in which none can fire taken at once when their rates are linear
    /// ([`Runner::spend_in_closed_form`]), the rest one by one, re-rating them after each.
    fn ticks_spending(
        &mut self,
        rec: &mut RunRecord,
        running: &[usize],
        k1: f64,
        limit: u64,
        due: f64,
        horizon: f64,
    ) -> Fallible<(u64, bool)> {
        let (taken, stopped) = self.spend_in_closed_form(rec, running, k1, limit, due, horizon)?;
        if let Some(quiet) = stopped {
            return Ok((taken, quiet));
        }
        let k = k1 + ticks_f64(taken);
        let n = ticks_before(k, self.model.resolution, due, horizon, limit - taken);
        let (more, stopped) = self.ticks_rerating_some(rec, running, k, n)?;
        let taken = taken + more;
        // At the limit a comparison may change at the last tick: look. Else no look is needed
        // when the ticks stopped for the next event, the horizon or a hazard due before the
        // next tick, and one is for a bad rate (the look reports it).
        Ok((taken, taken < limit && stopped.unwrap_or(true)))
    }

    /// Takes the first ticks k1, k1 + 1, ... of a stretch (at most `limit`, before `due` and
    /// not after `horizon`) in which none of the running moving hazards `running` whose rate
    /// is linear in the moving values can fire, spending those in closed form; the others
    /// (rates not linear) are re-rated tick by tick over the stretch, which ends early if one
    /// of them may fire or has a bad rate. Returns how many ticks it took (0: none, the
    /// caller ticks one by one) and, if one of the others ended the stretch, whether the look
    /// after it may be skipped (as the caller's loop decides it); `None`: the caller goes on.
    ///
    /// Between events the moving values move along lines, so such a rate, evaluated at the
    /// start of each tick as the ticks do, is an arithmetic sequence over the ticks: its
    /// values at the first and the last tick of the stretch give every one, and the budget
    /// spent by tick j is the sum of a series, `r (j rho_0 + delta j (j - 1) / 2)`. Bisection
    /// on that sum finds the tick in which each hazard would fire; the ticks up to two before
    /// the first such are taken, and the hazards left spent and re-rated at the last of them
    /// as the ticks would leave them. The series rounds differently from tick-by-tick
    /// subtraction: budgets, and so hazard times, can differ in their last bits from plain
    /// ticking's (tests/ticks.rs bounds the difference). Two ticks of spending are far more
    /// than that rounding, so the tick a hazard fires in is the one plain ticking finds.
    fn spend_in_closed_form(
        &mut self,
        rec: &mut RunRecord,
        running: &[usize],
        k1: f64,
        limit: u64,
        due: f64,
        horizon: f64,
    ) -> Fallible<(u64, Option<bool>)> {
        /// Fewer ticks than this are not worth the closed form.
        const SHORTEST: u64 = 8;
        let m = self.model;
        let linear = &self.plan.rate_linear;
        if !running.iter().any(|&i| linear[i]) {
            return Ok((0, None));
        }
        let r = m.resolution;
        let ticks = ticks_before(k1, r, due, horizon, limit);
        if ticks < SHORTEST + 2 {
            return Ok((0, None));
        }
        let (t_first, t_last) = (k1 * r, (k1 + ticks_f64(ticks - 1)) * r);
        let mut state = std::mem::take(&mut self.scratch);
        state.clone_from(&rec.state);
        let mut series = std::mem::take(&mut self.series);
        series.clear();
        // The stretch ends two ticks before the first in which a hazard may fire.
        let mut take = ticks - 2;
        for &i in running.iter().filter(|&&i| linear[i]) {
            let Trigger::Hazard { rate } = &m.steps[i].trigger else {
                continue;
            };
            let mut at = |t: f64| {
                place(&self.lines, &mut state, t);
                rate.eval(&Env {
                    state: &state,
                    ..env(rec, t)
                })
            };
            let (rho_0, rho_last) = (at(t_first), at(t_last));
            if !(rho_0.is_finite() && rho_0 >= 0.0 && rho_last.is_finite() && rho_last >= 0.0) {
                take = 0;
                break;
            }
            let s = self.steps[i];
            let sum = Series {
                step: i,
                left: s.budget - s.rate * (t_first - s.since),
                rho_0,
                delta: (rho_last - rho_0) / ticks_f64(ticks - 1),
                r,
            };
            series.push(sum);
            if sum.left_after(ticks) > 0.0 {
                continue;
            }
            // The first tick j whose end exhausts the budget.
            let (mut lo, mut hi) = (0u64, ticks);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if sum.left_after(mid + 1) > 0.0 {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            take = take.min(lo.saturating_sub(2));
        }
        self.scratch = state;
        if take < SHORTEST {
            self.series = series;
            return Ok((0, None));
        }
        let mut others = std::mem::take(&mut self.rerating_other);
        others.clear();
        others.extend(
            running
                .iter()
                .copied()
                .filter(|&i| !self.plan.rate_linear[i]),
        );
        let taken = if others.is_empty() {
            self.skip_ticks_to(rec, k1, take).map(|()| (take, None))
        } else {
            self.ticks_rerating_some(rec, &others, k1, take)
        };
        self.rerating_other = others;
        let (take, stopped) = match taken {
            Ok(t) => t,
            Err(e) => {
                self.series = series;
                return Err(e);
            }
        };
        // Commit: each linear hazard spent to the last tick taken and re-rated there, as
        // `spend_moving` leaves it after that tick.
        let t_end = self.t;
        let e = env(rec, t_end);
        for sum in &series {
            let Trigger::Hazard { rate } = &m.steps[sum.step].trigger else {
                continue;
            };
            let v = rate.eval(&e);
            let s = &mut self.steps[sum.step];
            s.budget = sum.left_after(take - 1).max(0.0);
            // (A rate out of range is reported by the look after the next tick.)
            s.rate = v;
            s.since = t_end;
        }
        self.series = series;
        Ok((take, stopped))
    }

    /// Takes ticks k1 .. k1 + n - 1 one by one, re-rating only the running hazards `some`
    /// after each; stops early, after a tick at which one of them may fire before the next
    /// (`Some(true)`) or has a bad rate (`Some(false)`: the look reports it).
    fn ticks_rerating_some(
        &mut self,
        rec: &mut RunRecord,
        some: &[usize],
        k1: f64,
        n: u64,
    ) -> Fallible<(u64, Option<bool>)> {
        let r = self.model.resolution;
        // A line's rounded value is monotone in t (each of its three operations is), so when
        // every moving value is finite at the last of these ticks it is at each before:
        // then the ticks only place the lines' values, else `advance_flows` checks each and
        // reports the first that is not finite.
        let last = (k1 + ticks_f64(n.max(1) - 1)) * r;
        let finite = self
            .lines
            .iter()
            .all(|l| l.rate == 0.0 || l.at(last).is_finite());
        let mut k = k1;
        for taken in 1..=n {
            if finite {
                place(&self.lines, &mut rec.state, k * r);
            } else {
                self.advance_flows(rec, k * r)?;
            }
            self.t = k * r;
            k += 1.0;
            match self.spend_moving(rec, some, k * r) {
                None => return Ok((taken, Some(false))),
                Some(true) => return Ok((taken, Some(true))),
                Some(false) => {}
            }
        }
        Ok((n, None))
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

    /// Takes ticks k1 .. k1 + n - 1 at once: the flowing variables move along their lines to
    /// the last of them, the value plain ticking reaches there (flows.rs). On a value that is
    /// not finite the ticks are taken one by one, so the error comes at the tick plain
    /// ticking meets it.
    fn skip_ticks_to(&mut self, rec: &mut RunRecord, k1: f64, n: u64) -> Fallible<()> {
        let r = self.model.resolution;
        let last = (k1 + ticks_f64(n - 1)) * r;
        if self.advance_flows(rec, last).is_ok() {
            self.t = last;
            return Ok(());
        }
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
        let n = floor((last - k1 * r) / r) + 2.0;
        if n.is_nan() || n < 2.0 {
            return 1;
        }
        let n = ticks_u64(n.min(1e7));
        let mut now = std::mem::take(&mut self.atoms_now);
        now.clear();
        let e = env(rec, t0);
        let monotone = self.for_each_atom(|a| now.push(a.eval(&e)));
        let limit = match monotone {
            None => 1,
            Some(_) if now.iter().any(|v| v.is_nan()) => 1,
            Some(_) if now.is_empty() => n,
            Some(monotone) => self
                .first_change(rec, &now, k1, n, monotone)
                .map_or(n, |(first, margin)| first.saturating_sub(margin).max(1)),
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
        monotone: bool,
    ) -> Option<(u64, u64)> {
        let r = self.model.resolution;
        // A change up to `margin` ticks after the last one predicted may come before it.
        let margin = self.margin(rec, k1, n, monotone);
        let reach = n.saturating_add(margin);
        if reach > 10_000_000 {
            return Some((1, 0));
        }
        let mut state = std::mem::take(&mut self.scratch);
        state.clone_from(&rec.state);
        let lines = &self.lines;
        // The first tick found so far at which an atom differs (reach + 1: none). Each atom
        // is looked at on its own, and only before that tick: most do not change before the
        // next event, and are evaluated once.
        let mut first = reach + 1;
        let mut j = 0;
        self.for_each_atom(|a| {
            let was = now[j];
            j += 1;
            let mut differs = |i: u64| {
                let t = (k1 + ticks_f64(i - 1)) * r;
                // The state plain ticking has at tick i, to the bit (see `advance_flows`).
                place(lines, &mut state, t);
                let e = Env {
                    state: &state,
                    ..env(rec, t)
                };
                a.eval(&e) != was
            };
            let top = first - 1;
            if top >= 1 && differs(top) {
                let (mut lo, mut hi) = (0, top);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if differs(mid) {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
                first = hi;
            }
        });
        let result = (first <= reach).then_some((first, margin));
        self.scratch = state;
        result
    }

    /// The ticks by which bisection may find a change late. The prediction computes the state
    /// at a tick as the ticks do (`Line::at`), so it is exact; what is left is rounding's
    /// non-monotonicity: a comparison of several moving values (`x - y`, `x + t`) can flip
    /// back and forth within a few ulps of where it changes, and bisection may land on a
    /// later flip. A comparison that reads one moving value once is a monotone function of
    /// the tick, bit for bit (each step of a line and of a linear expression in it is), so
    /// when every comparison is one (`monotone`) no margin is needed. Else the band is a
    /// few ulps of the largest magnitude over the slope per tick, per line and for `t`;
    /// the margin is twice it plus one tick.
    fn margin(&self, rec: &RunRecord, k1: f64, n: u64, monotone: bool) -> u64 {
        if monotone {
            return 0;
        }
        let r = self.model.resolution;
        let t_n = (k1 + ticks_f64(n - 1)) * r;
        let mut band = 4.0 * f64::EPSILON * t_n.abs() / r;
        for line in &self.lines {
            if line.rate != 0.0 {
                let big = rec.state[line.var].abs().max(line.at(t_n).abs());
                band += 4.0 * f64::EPSILON * big / (line.rate * r).abs();
            }
        }
        if band < 1e9 {
            1 + ticks_u64(ceil(2.0 * band))
        } else {
            u64::MAX
        }
    }

    /// Calls `f` with every comparison that a tick could change, in a fixed order: those of
    /// the flows' `while`, then those of the `when` of the armed steps that still wait or
    /// run. Returns whether every one of them is monotone in the tick ([`Atoms::monotone`]),
    /// or `None` (having stopped) when one of them cannot be predicted.
    fn for_each_atom(&self, mut f: impl FnMut(&Expr)) -> Option<bool> {
        let mut monotone = true;
        let mut each = |atoms: &Atoms| {
            atoms.exprs.iter().for_each(&mut f);
            monotone &= atoms.monotone;
        };
        for w in &self.plan.while_atoms {
            each(w.as_ref()?);
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
                each(self.plan.when_atoms[i].as_ref()?);
            }
        }
        Some(monotone)
    }
}
