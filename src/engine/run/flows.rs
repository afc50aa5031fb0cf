//! Flows: their rates, the tick grid and the Euler step between events and ticks.

use super::{Fallible, Runner, env};
use crate::engine::RunRecord;

impl Runner<'_> {
    /// Evaluates the flows' `while` and rate in the current state (the rates the next Euler
    /// step uses) and tells whether any flow runs. State changes only in events and ticks,
    /// each followed by this, so the rates are evaluated once per step of time; after a tick
    /// (`ticked`) only the flows a tick can affect are evaluated again.
    pub(super) fn rate_flows(&mut self, rec: &RunRecord, ticked: bool) -> Fallible<bool> {
        let e = env(rec, self.t);
        let mut any = false;
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
            }
            any |= self.flow_runs[k];
        }
        Ok(any)
    }

    /// The first tick strictly after now: the next multiple of `resolution`.
    pub(super) fn next_tick(&self) -> f64 {
        self.next_tick_index() * self.model.resolution
    }

    /// The whole number k of the first tick strictly after now, `k * resolution`.
    pub(super) fn next_tick_index(&self) -> f64 {
        next_tick_index(self.t, self.model.resolution)
    }

    /// Advances the flows from now to `to`, Euler with the rates at the start (computed by
    /// [`Runner::rate_flows`] since the last change of state).
    #[inline]
    pub(super) fn advance_flows(&mut self, rec: &mut RunRecord, to: f64) -> Fallible<()> {
        let dt = to - self.t;
        if self.model.flows.is_empty() || dt <= 0.0 {
            return Ok(());
        }
        self.euler_step(rec, dt)
    }

    /// The flows' Euler step of length `dt` (see [`Runner::advance_flows`]).
    pub(super) fn euler_step(&mut self, rec: &mut RunRecord, dt: f64) -> Fallible<()> {
        let m = self.model;
        for (k, f) in m.flows.iter().enumerate() {
            let rate = self.flow_rates[k];
            if rate == 0.0 {
                continue;
            }
            let new = rec.state[f.target] + rate * dt;
            if !new.is_finite() {
                let what = format!("flow into `{}`", m.var_name(f.target));
                return Err(self.error(
                    what,
                    &f.rate,
                    rate,
                    "it makes the variable not a finite number",
                ));
            }
            rec.state[f.target] = new;
        }
        Ok(())
    }
}

/// The whole number k of the first tick `k * r` strictly after `t`.
pub(super) fn next_tick_index(t: f64, r: f64) -> f64 {
    let mut k = (t / r).floor() + 1.0;
    if k * r <= t {
        k += 1.0;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::next_tick_index;

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
