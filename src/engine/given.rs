//! Conditioning on what has happened (`--given`): observations of steps by date, whether a
//! run agrees with them, and the order in which runs are drawn until enough agree.
//!
//! # Which runs a conditioned job reports
//! A job of N runs has the usual blocks of [`BLOCK_RUNS`]: block `b` must hold
//! `min(BLOCK_RUNS, N - b * BLOCK_RUNS)` runs (its *quota*). Without observations those are
//! runs `b * BLOCK_RUNS ..`. With observations, block `b` draws runs from its own **stream**
//! until `quota` of them agree with the news: first its own ordinary indices
//! `b * BLOCK_RUNS .. (b + 1) * BLOCK_RUNS`, then its reserve indices
//! `2^63 + b * 2^32 + j` ([`address`]). The block keeps the agreeing runs in the order drawn.
//!
//! Why streams, and not "the first N agreeing runs of 0, 1, 2, ...": a block's content then
//! depends only on the block, never on how many runs the blocks before it needed. Any worker
//! thread, any shard, computes block `b` alone; the merge tree is the usual one over block
//! indices; `--shard K/N` splits the blocks as it always does; and a merge of shards is exact
//! without anyone knowing in advance how many runs the news rejects. Each block's accepted
//! runs are independent draws from the scenario conditioned on the news (rejection sampling:
//! stopping after the quota-th acceptance does not bias the accepted runs). Two properties
//! users can rely on:
//! - news that every run agrees with gives the bytes of the plain run;
//! - run `i` is the same run whatever `--runs` says, and a block of a larger job begins with
//!   the agreeing runs of the same block of a smaller one (which is what `rungs extend`
//!   continues).
//!
//! A block that has drawn [`Given::max_draws`] runs without reaching its quota stops the job
//! ([`Disagree`]): the news is too unlikely under the scenario for rejection sampling.

use crate::engine::RunRecord;
use crate::engine::many::{Accumulator, BLOCK_RUNS, RunFormatter};
use crate::engine::run::{RunError, Runner};
use crate::scenario::{Model, NodeId, NodeKind};

/// Runs a block may draw to find its agreeing runs, unless `--max-draws` says otherwise.
pub const DEFAULT_MAX_DRAWS: u64 = 1_000_000;

/// The largest `--max-draws`: a block's reserve stream has 2^32 indices.
pub const MAX_MAX_DRAWS: u64 = 1 << 32;

/// Blocks a conditioned job may have: each block's reserve stream is `2^32` indices above
/// `2^63`, so block indices must stay below `2^31` (over two trillion runs).
pub const MAX_GIVEN_BLOCKS: u64 = 1 << 31;

/// Where the reserve streams start.
const RESERVE: u64 = 1 << 63;

/// The run index of the `i`-th draw of block `b`'s stream (see the module documentation).
pub fn address(block: u64, i: u64) -> u64 {
    if i < BLOCK_RUNS {
        block * BLOCK_RUNS + i
    } else {
        RESERVE | (block << 32) | (i - BLOCK_RUNS)
    }
}

/// What an observation says of a step's (or branch's) first time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Relation {
    /// `STEP<=T`: it had happened by T.
    By(f64),
    /// `STEP>T`: it had not happened by T (it may happen later, or never).
    NotBy(f64),
    /// `STEP=T1..T2`: it first happened within [T1, T2].
    Within(f64, f64),
}

/// One observation: a node and what is known of its first time.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The node observed.
    pub node: NodeId,
    /// Its id, as written.
    pub id: String,
    /// What was observed.
    pub relation: Relation,
}

impl Observation {
    /// Whether a run whose first time of the node is `first` (NaN: never) agrees.
    #[inline]
    pub fn holds(&self, first: f64) -> bool {
        match self.relation {
            Relation::By(t) => first <= t,
            Relation::NotBy(t) => first.is_nan() || first > t,
            Relation::Within(lo, hi) => lo <= first && first <= hi,
        }
    }

    /// The observation as the command line writes it: `a<=10`, `a>10`, `a=5..8`.
    pub fn text(&self) -> String {
        match self.relation {
            Relation::By(t) => format!("{}<={t}", self.id),
            Relation::NotBy(t) => format!("{}>{t}", self.id),
            Relation::Within(lo, hi) => format!("{}={lo}..{hi}", self.id),
        }
    }
}

/// The news a job is conditioned on, and how hard to look for runs that agree with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Given {
    /// The observations, in the order given (the command line's, then the file's).
    pub observations: Vec<Observation>,
    /// Runs one block may draw to find its agreeing runs.
    pub max_draws: u64,
}

impl Default for Given {
    fn default() -> Self {
        Given::none()
    }
}

impl Given {
    /// No news: every run agrees.
    pub fn none() -> Given {
        Given {
            observations: Vec::new(),
            max_draws: DEFAULT_MAX_DRAWS,
        }
    }

    /// True when there is no observation.
    pub fn is_empty(&self) -> bool {
        self.observations.is_empty()
    }

    /// Whether the run `rec` agrees with every observation.
    #[inline]
    pub fn agrees(&self, rec: &RunRecord) -> bool {
        self.observations
            .iter()
            .all(|o| o.holds(rec.first_time.get(o.node).copied().unwrap_or(f64::NAN)))
    }

    /// The observations as text, in order (for the manifest and the job's identity).
    pub fn texts(&self) -> Vec<String> {
        self.observations.iter().map(Observation::text).collect()
    }

    /// Parses observations from the command line (`texts`, each `--given`) and from the
    /// text of a `--given-file` (`file`: its name and contents), checks them against
    /// `model` and refuses a set that cannot all hold ([`check_possible`]).
    pub fn parse(
        model: &Model,
        texts: &[String],
        file: Option<(&str, &str)>,
        max_draws: u64,
    ) -> Result<Given, String> {
        if !(BLOCK_RUNS..=MAX_MAX_DRAWS).contains(&max_draws) {
            return Err(format!(
                "--max-draws must be {BLOCK_RUNS} (a block's runs) to {MAX_MAX_DRAWS}, got \
                 {max_draws}"
            ));
        }
        let mut observations = Vec::new();
        for t in texts {
            observations
                .push(parse_observation(model, t).map_err(|e| format!("--given {t}: {e}"))?);
        }
        if let Some((name, text)) = file {
            observations.extend(parse_file(model, name, text)?);
        }
        check_possible(model, &observations)?;
        Ok(Given {
            observations,
            max_draws,
        })
    }
}

/// A time of an observation: a finite number.
fn parse_time(s: &str) -> Result<f64, String> {
    let s = s.trim();
    s.parse::<f64>()
        .ok()
        .filter(|t| t.is_finite())
        .ok_or_else(|| format!("`{s}` is not a time (a number in the scenario's time unit)"))
}

/// The three forms, for messages.
const FORMS: &str = "write STEP<=T (it had happened by T), STEP>T (it had not happened by T) \
                     or STEP=T1..T2 (it first happened between T1 and T2)";

/// Parses one `STEP<=T`, `STEP>T` or `STEP=T1..T2` against `model`'s nodes.
pub fn parse_observation(model: &Model, s: &str) -> Result<Observation, String> {
    // `>=` and `<` read naturally but mean nothing more than `>` and `<=` do for a time
    // that is continuous: say which to write.
    let instead = |op: &str, (id, t): (&str, &str), form: &str, means: &str| {
        let (id, t) = (id.trim(), t.trim());
        format!("`{op}` is not an observation; {FORMS} (`{id}{form}{t}` means {means} {t})")
    };
    let (id, rel, rest) = if let Some((id, t)) = s.split_once("<=") {
        (id, "<=", t)
    } else if let Some(pair) = s.split_once(">=") {
        return Err(instead(">=", pair, ">", "not by"));
    } else if let Some((id, t)) = s.split_once('>') {
        (id, ">", t)
    } else if let Some(pair) = s.split_once('<') {
        return Err(instead("<", pair, "<=", "by"));
    } else if let Some((id, t)) = s.split_once('=') {
        (id, "=", t)
    } else {
        return Err(format!("not an observation; {FORMS}"));
    };
    relation(model, id.trim(), rel, rest.trim())
}

/// The observation `id rel time` (`time` is `T`, or `T1..T2` for `=`).
fn relation(model: &Model, id: &str, rel: &str, time: &str) -> Result<Observation, String> {
    let node = model
        .node_index(id)
        .ok_or_else(|| unknown_node(model, id))?;
    let relation = match rel {
        "<=" => Relation::By(parse_time(time)?),
        ">" => Relation::NotBy(parse_time(time)?),
        "=" => {
            let (lo, hi) = time
                .split_once("..")
                .ok_or_else(|| format!("`=` takes a range T1..T2, got `{time}`; {FORMS}"))?;
            let (lo, hi) = (parse_time(lo)?, parse_time(hi)?);
            if lo > hi {
                return Err(format!(
                    "the range {lo}..{hi} is empty (T1 must not exceed T2)"
                ));
            }
            Relation::Within(lo, hi)
        }
        other => return Err(format!("unknown relation `{other}`; {FORMS}")),
    };
    Ok(Observation {
        node,
        id: id.to_string(),
        relation,
    })
}

/// "no step or branch `x`; did you mean ...".
fn unknown_node(model: &Model, id: &str) -> String {
    let ids: Vec<&str> = model.nodes.iter().map(|n| n.id.as_str()).collect();
    let hint = match crate::diag::closest(id, &ids) {
        Some(c) => format!("did you mean `{c}`?"),
        None if ids.is_empty() => "the scenario has no steps".to_string(),
        None => format!("the steps and branches are: {}", ids.join(", ")),
    };
    format!("the scenario has no step or branch `{id}`; {hint}")
}

/// Parses a `--given-file`: CSV with the header `step,relation,time` and one observation a
/// row (`relation` is `<=`, `>` or `=`; `time` is `T`, or `T1..T2` for `=`). Errors name the
/// file and the line.
pub fn parse_file(model: &Model, name: &str, text: &str) -> Result<Vec<Observation>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{name}: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    if header != ["step", "relation", "time"] {
        return Err(format!(
            "{name}: the first line must be the header `step,relation,time`, got `{}`",
            header.join(",")
        ));
    }
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| format!("{name}: line {line}: {e}"))?;
        let cell = |k: usize| row.get(k).unwrap_or("");
        let obs = relation(model, cell(0), cell(1), cell(2))
            .map_err(|e| format!("{name}: line {line}: {e}"))?;
        out.push(obs);
    }
    if out.is_empty() {
        return Err(format!("{name}: no observations (only a header)"));
    }
    Ok(out)
}

/// What the observations allow of one node's first time: never (if `never`), or a time in
/// `lo..=hi` (`lo` itself excluded when `open`).
#[derive(Clone, Copy, Debug)]
struct Allowed {
    never: bool,
    lo: f64,
    open: bool,
    hi: f64,
}

impl Allowed {
    fn can_happen(&self) -> bool {
        self.lo < self.hi || (self.lo == self.hi && !self.open)
    }

    fn possible(&self) -> bool {
        self.never || self.can_happen()
    }

    /// Requires the node to have happened by `t`.
    fn by(&mut self, t: f64) {
        self.never = false;
        self.hi = self.hi.min(t);
    }
}

/// Refuses observations that cannot all hold, whatever the draws: a step observed both
/// before and after a time, a range after the horizon or before time 0, a branch observed
/// by a time its step is observed not to have happened by, a step observed by a time some
/// step of its `after` list is observed not to have happened by. The message names the
/// observations in conflict. News that is possible but unlikely is found out while
/// drawing ([`Disagree`]).
pub fn check_possible(model: &Model, obs: &[Observation]) -> Result<(), String> {
    let full = Allowed {
        never: true,
        lo: 0.0,
        open: false,
        hi: model.horizon,
    };
    let mut allowed = vec![full; model.nodes.len()];
    let mut said: Vec<Vec<String>> = vec![Vec::new(); model.nodes.len()];
    for o in obs {
        let a = &mut allowed[o.node];
        match o.relation {
            Relation::By(t) => a.by(t),
            Relation::NotBy(t) => {
                if t > a.lo || (t == a.lo && !a.open) {
                    a.lo = t;
                    a.open = true;
                }
            }
            Relation::Within(lo, hi) => {
                a.by(hi);
                if lo > a.lo {
                    a.lo = lo;
                    a.open = false;
                }
            }
        }
        said[o.node].push(format!("`{}`", o.text()));
        if !a.possible() {
            let what = &said[o.node];
            return Err(if what.len() == 1 {
                format!(
                    "the observation {} cannot hold: `{}` can only happen between 0 and the \
                     horizon, {}",
                    what[0], o.id, model.horizon
                )
            } else {
                format!(
                    "the observations {} cannot all hold: no time for `{}` satisfies them \
                     (within 0 to the horizon, {})",
                    what.join(" and "),
                    o.id,
                    model.horizon
                )
            });
        }
    }
    carry_bounds(model, &mut allowed, &said)
}

/// Carries "must have happened by T" to what must have happened before (a branch's step, a
/// step's `after` list), refusing when that leaves a node no possible first time. Each pass
/// can only lower an upper bound, so at most one pass per node is needed.
fn carry_bounds(
    model: &Model,
    allowed: &mut [Allowed],
    said: &[Vec<String>],
) -> Result<(), String> {
    for _ in 0..model.nodes.len() {
        let mut changed = false;
        for (n, node) in model.nodes.iter().enumerate() {
            let a = allowed[n];
            if a.never {
                continue;
            }
            let step = &model.steps[node.step];
            let needs: Vec<NodeId> = match node.kind {
                NodeKind::Branch => vec![step.node],
                NodeKind::Step => step.after.clone(),
            };
            for m in needs {
                let before = allowed[m];
                let mut after = before;
                after.by(a.hi);
                if !after.possible() {
                    let what = |k: usize| {
                        if said[k].is_empty() {
                            "what is implied of it".to_string()
                        } else {
                            said[k].join(" and ")
                        }
                    };
                    let why = match node.kind {
                        NodeKind::Branch => "a branch happens only when its step does",
                        NodeKind::Step => "a step waits for every step of its `after` list",
                    };
                    return Err(format!(
                        "the observations cannot all hold: {} needs `{}` by {} ({why}), but \
                         {} does not allow that",
                        what(n),
                        model.nodes[m].id,
                        a.hi,
                        what(m)
                    ));
                }
                if after.hi < before.hi || (before.never && !after.never) {
                    allowed[m] = after;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    Ok(())
}

/// Where a block's stream stands: its agreeing runs so far and the runs drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Drawn {
    /// Runs kept (agreeing with the news).
    pub accepted: u64,
    /// Runs drawn (agreeing or not).
    pub drawn: u64,
}

/// A block drew its whole budget without finding enough runs that agree with the news.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} of {} runs agree with the news: the scenario and the observations disagree \
     (block {block} of the job needed {quota} agreeing runs, and a block may draw at most \
     --max-draws {} runs). Check the observations (ids, times, the time unit) against the \
     scenario, or raise --max-draws",
    thousands(*accepted),
    thousands(*drawn),
    thousands(*drawn)
)]
pub struct Disagree {
    /// The block.
    pub block: u64,
    /// Its agreeing runs.
    pub accepted: u64,
    /// Its draws.
    pub drawn: u64,
    /// The agreeing runs it needed.
    pub quota: u64,
}

/// `1234567` as `1,234,567`, for messages.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Draws block `block`'s stream from `at.drawn` on, calling `try_run(run)` for each run
/// index; `try_run` says whether the block is now complete. Returns the draws made in all,
/// or None when `max_draws` were drawn first. The one place that orders a block's draws:
/// every conditioned command uses it.
pub fn draw_stream<E>(
    block: u64,
    from: u64,
    max_draws: u64,
    mut try_run: impl FnMut(u64) -> Result<bool, E>,
) -> Result<Option<u64>, E> {
    let mut i = from;
    while i < max_draws {
        let done = try_run(address(block, i))?;
        i += 1;
        if done {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// Runs block `block` of `model` until `quota` runs agree with `given` (continuing from
/// `at`, the block's state so far, with `acc` holding its agreeing runs), recording each
/// agreeing run into `acc` in the order drawn; with `format`, appends their formatted bytes
/// too. Without observations this is exactly the plain block: runs `block * BLOCK_RUNS ..`.
#[allow(clippy::too_many_arguments)]
pub fn run_block_given<A: Accumulator>(
    model: &Model,
    seed: u64,
    given: &Given,
    block: u64,
    quota: u64,
    at: Drawn,
    acc: &mut A,
    mut format: Option<(RunFormatter<'_>, &mut Vec<u8>)>,
) -> Result<Result<Drawn, Disagree>, RunError> {
    if at.accepted >= quota {
        return Ok(Ok(at));
    }
    let mut runner = Runner::new(model, seed);
    let mut rec = RunRecord::default();
    let mut accepted = at.accepted;
    let drawn = draw_stream(block, at.drawn, given.max_draws, |run| {
        runner.run(run, &mut rec)?;
        if given.agrees(&rec) {
            acc.record(model, &rec);
            if let Some((f, bytes)) = format.as_mut() {
                f(model, &rec, bytes);
            }
            accepted += 1;
        }
        Ok::<bool, RunError>(accepted == quota)
    })?;
    Ok(match drawn {
        Some(drawn) => Ok(Drawn { accepted, drawn }),
        None => Err(Disagree {
            block,
            accepted,
            drawn: given.max_draws,
            quota,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "[scenario]\nname = \"t\"\nhorizon = 30\n\n[[steps]]\nid = \"a\"\n\
        rung = 1\nhazard = \"0.1\"\n\n[[steps]]\nid = \"b\"\nrung = 2\nafter = [\"a\"]\n\
        probability = 1\ndelay = 5\n\n[[steps.branches]]\nid = \"b1\"\nprobability = 0.5\n\n\
        [[steps.branches]]\nid = \"b2\"\nprobability = \"rest\"\n";

    fn model() -> Model {
        crate::scenario::load_str("t.toml", TWO)
            .map(|(m, _)| m)
            .unwrap_or_else(|d| panic!("{d}"))
    }

    fn parse(obs: &[&str]) -> Result<Given, String> {
        let texts: Vec<String> = obs.iter().map(|s| s.to_string()).collect();
        Given::parse(&model(), &texts, None, DEFAULT_MAX_DRAWS)
    }

    #[test]
    fn addresses_begin_with_the_block_and_continue_in_its_reserve() {
        assert_eq!(address(0, 0), 0);
        assert_eq!(address(3, 5), 3 * BLOCK_RUNS + 5);
        assert_eq!(address(3, BLOCK_RUNS), RESERVE | (3 << 32));
        assert_eq!(address(3, BLOCK_RUNS + 7), RESERVE | (3 << 32) | 7);
        // Streams of different blocks never meet within the largest draw budget.
        assert_ne!(address(1, BLOCK_RUNS), address(0, MAX_MAX_DRAWS - 1));
        assert!(address(0, MAX_MAX_DRAWS - 1) < address(1, BLOCK_RUNS));
    }

    #[test]
    fn the_three_forms_parse_and_print_back() {
        let g = parse(&["a<=10", "b > 12.5", "b1=3..20"]).unwrap();
        assert_eq!(g.texts(), ["a<=10", "b>12.5", "b1=3..20"]);
        assert!(g.observations[0].holds(10.0) && !g.observations[0].holds(f64::NAN));
        assert!(g.observations[1].holds(f64::NAN) && !g.observations[1].holds(12.5));
        assert!(g.observations[2].holds(3.0) && !g.observations[2].holds(20.5));
    }

    #[test]
    fn bad_observations_say_what_to_write() {
        let e = parse(&["bb1<=3"]).unwrap_err();
        assert!(
            e.contains("no step or branch `bb1`; did you mean `b1`?"),
            "{e}"
        );
        assert!(parse(&["a<3"]).unwrap_err().contains("`a<=3` means by 3"));
        assert!(parse(&["a>=3"]).unwrap_err().contains("`a>3`"));
        assert!(parse(&["a=3"]).unwrap_err().contains("range T1..T2"));
        assert!(parse(&["a<=x"]).unwrap_err().contains("not a time"));
        assert!(parse(&["a"]).unwrap_err().contains("STEP<=T"));
        assert!(parse(&["a=5..4"]).unwrap_err().contains("empty"));
    }

    #[test]
    fn impossible_sets_are_refused_at_load() {
        let e = parse(&["a<=10", "a>10"]).unwrap_err();
        assert!(e.contains("`a<=10` and `a>10` cannot all hold"), "{e}");
        assert!(parse(&["a<=10", "a>9.5"]).is_ok());
        assert!(parse(&["a=31..40"]).unwrap_err().contains("horizon, 30"));
        assert!(parse(&["a<=-1"]).is_err());
        // b comes after a: b by 8 needs a by 8.
        let e = parse(&["b<=8", "a>8"]).unwrap_err();
        assert!(e.contains("needs `a` by 8"), "{e}");
        // A branch needs its step, which needs a: carried two levels.
        let e = parse(&["b1<=8", "a>9"]).unwrap_err();
        assert!(e.contains("`a`"), "{e}");
        assert!(parse(&["b1<=8", "a<=3"]).is_ok());
    }

    #[test]
    fn the_file_form_names_its_lines() {
        let m = model();
        let ok = parse_file(&m, "news.csv", "step,relation,time\na,<=,10\nb1,=,12..20\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].relation, Relation::Within(12.0, 20.0));
        let e = parse_file(&m, "news.csv", "step,relation,time\na,<=,10\nzz,>,3\n").unwrap_err();
        assert!(e.starts_with("news.csv: line 3: "), "{e}");
        let e = parse_file(&m, "news.csv", "id,rel,t\na,<=,1\n").unwrap_err();
        assert!(e.contains("header `step,relation,time`"), "{e}");
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(3), "3");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }
}
