//! Everything `rungs run` reports about a set of runs, as one mergeable accumulator.
//!
//! Every container is ordered (vectors indexed like the model) or read only in sorted order
//! (the hash map of paths), so the serialized bytes of a summary, and the CSVs made from it,
//! depend only on its runs.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::engine::RunRecord;
use crate::scenario::{Model, Node};
use crate::stats::conditional::Conditional;
pub use crate::stats::quantity::Dist;
use crate::stats::{Merge, Sketch};

/// Most rows a timeline has (see [`timeline_grid`]).
pub const MAX_TIMELINE_POINTS: usize = 2001;

/// Whether a node can happen more than once in a run: a step with `repeat > 1`, or a branch
/// of one. Only these get repeat counts (steps.csv's `count_` columns, runs.csv's
/// `<id>_count`).
pub fn can_repeat(model: &Model, node: &Node) -> bool {
    model.steps.get(node.step).is_some_and(|s| s.repeat > 1)
}

/// What is known of one node (step or branch).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeStats {
    /// Runs in which it happened at least once.
    pub happened: u64,
    /// Time of its first happening, over those runs.
    pub time: Dist,
    /// Of those times, how many are not a point of the timeline grid. While none is (a node
    /// that happens only at tick ends, on a grid of the model's resolution), the timeline
    /// counts are the exact distribution of its times, and its time quantiles come from
    /// them ([`Summary::time_quantile`]), however many ticks that spans.
    pub off_grid: u64,
}

/// How many times a node that can happen more than once ([`can_repeat`]) happened.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RepeatStats {
    /// The node (index into `Model::nodes`).
    pub node: u32,
    /// Its number of happenings per run, over all runs (0 included).
    pub count: Dist,
}

/// What is known of one outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OutcomeStats {
    /// Runs that ended so.
    pub count: u64,
    /// Their end times.
    pub time: Dist,
}

/// The time points of a timeline: `0, step, 2 step, ...` and last the horizon.
///
/// `step` is the model's resolution unless that would give more than
/// [`MAX_TIMELINE_POINTS`] points; then it is the smallest "nice" multiple of the resolution
/// (1, 2 or 5 times a power of ten) that keeps at most that many. A horizon that is not a
/// multiple of the step gets a last, shorter interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineGrid {
    /// Distance between points (but the last).
    pub step: f64,
    /// Number of points (>= 1).
    pub points: usize,
    /// The last point.
    pub horizon: f64,
}

impl TimelineGrid {
    /// The `i`-th time point.
    #[inline]
    pub fn time(&self, i: usize) -> f64 {
        if i + 1 >= self.points {
            self.horizon
        } else {
            // Through i64 (one instruction; the points are far fewer than 2^63).
            i as i64 as f64 * self.step
        }
    }

    /// The first point at or after `t` (clamped to the last): a node that first happened at
    /// `t` has happened "by" that point and every later one.
    #[inline]
    pub fn bin(&self, t: f64) -> usize {
        self.bin_by(t, 1.0 / self.step)
    }

    /// [`TimelineGrid::bin`] given `1 / step`, so that a caller binning many times divides
    /// once: the quotient is only a first guess, corrected against the points as written,
    /// so any rounding of the reciprocal gives the same bin.
    #[inline]
    pub fn bin_by(&self, t: f64, inv_step: f64) -> usize {
        let last = self.points - 1;
        // NaN and times at or before 0 go to the first point.
        if t.is_nan() || t <= 0.0 || last == 0 {
            return 0;
        }
        if t >= self.horizon {
            return last;
        }
        // A first guess (truncation, no libm call; through i64, one instruction, which
        // saturates as `usize` would for the guesses that matter), corrected below.
        let mut i = ((t * inv_step) as i64 as usize).min(last);
        // Correct the rounding of the division against the points as written.
        while i > 0 && self.time(i - 1) >= t {
            i -= 1;
        }
        while i < last && self.time(i) < t {
            i += 1;
        }
        i
    }
}

/// The grid of timeline points for a horizon and a resolution (see [`TimelineGrid`]).
/// A non-positive or non-finite horizon or resolution gives a single point.
pub fn timeline_grid(horizon: f64, resolution: f64) -> TimelineGrid {
    let single = TimelineGrid {
        step: 0.0,
        points: 1,
        horizon: if horizon.is_finite() { horizon } else { 0.0 },
    };
    if !(horizon > 0.0 && horizon.is_finite() && resolution > 0.0 && resolution.is_finite()) {
        return single;
    }
    // Intervals of length `step` needed to reach the horizon, forgiving rounding noise
    // (1.1 / 0.1 = 11.000000000000002 is 11 intervals).
    let intervals = |step: f64| {
        let r = horizon / step;
        let k = r.round();
        if (r - k).abs() <= 1e-9 * k.max(1.0) {
            k.max(1.0)
        } else {
            r.ceil()
        }
    };
    let mut decade = 1.0f64;
    while decade.is_finite() {
        for m in [1.0, 2.0, 5.0] {
            let step = resolution * m * decade;
            if !step.is_finite() {
                return single;
            }
            let k = intervals(step);
            if k < MAX_TIMELINE_POINTS as f64 {
                return TimelineGrid {
                    step,
                    points: k as usize + 1,
                    horizon,
                };
            }
        }
        decade *= 10.0;
    }
    single
}

/// Most distinct (path, outcome) pairs a merged summary keeps. A rich ladder can produce a
/// new path in almost every run; keeping them all would make memory grow with the number of
/// runs (ten million runs of dprk-kursk held ~680 MB of paths). Blocks of runs hold at most
/// [`crate::engine::many::BLOCK_RUNS`] pairs; when a merge leaves more than this, the least frequent
/// are dropped (ties: the larger path first) and their runs counted in [`Paths::dropped`].
/// The merge tree is fixed by block index, so what is dropped, and so every byte, is the same
/// for any thread count or shard split.
pub const MAX_PATHS: usize = 10_000;

/// Counts of distinct (path, outcome) pairs: exact for every pair while no merge had to drop
/// any ([`Paths::dropped`] = 0); after drops, the counts of the pairs kept are lower bounds
/// (exact for pairs never dropped, which are the frequent ones). Serialized as the list of
/// `[path, outcome, count]` sorted by path then outcome (JSON maps need string keys) and the
/// dropped count.
///
/// Held in a hash map, so recording a run costs one hash of its path and one probe, not the
/// slice comparisons of a tree's descent; the map's order is never seen: every reader
/// ([`Paths::iter`], serialization, pruning) sorts. Its content, and so every byte made from
/// it, depends only on the runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Paths {
    /// Path (node indices in first-happening order) to `(outcome, count)` pairs sorted by
    /// outcome: usually one pair, and looking up by a borrowed slice costs no allocation.
    map: HashMap<Vec<u32>, Vec<(u32, u64)>, BuildHasherDefault<PathHasher>>,
    /// Runs whose (path, outcome) pair was dropped by a merge to respect [`MAX_PATHS`].
    pub dropped: u64,
}

/// The hash of a path: the multiply-rotate of FxHash (rustc's) over its 8-byte words, with
/// a final mix so that the low bits (which pick the bucket) depend on every word. Paths are
/// the engine's own node indices, not adversarial input.
#[derive(Clone, Copy, Debug, Default)]
struct PathHasher(u64);

impl PathHasher {
    const K: u64 = 0x517c_c1b7_2722_0a95;

    #[inline]
    fn mix(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(Self::K);
    }
}

impl Hasher for PathHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.mix(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(b));
        }
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(Self::K) ^ (h >> 29)
    }
}

impl Paths {
    /// Adds `n` runs with this path and outcome (allocates only for a new path).
    #[inline]
    pub fn add(&mut self, path: &[u32], outcome: u32, n: u64) {
        let list = match self.map.get_mut(path) {
            Some(l) => l,
            None => self.map.entry(path.to_vec()).or_default(),
        };
        match list.binary_search_by_key(&outcome, |&(o, _)| o) {
            Ok(i) => list[i].1 += n,
            Err(i) => list.insert(i, (outcome, n)),
        }
    }

    /// Every `(path, outcome, count)`, sorted by path then outcome.
    pub fn iter(&self) -> impl Iterator<Item = (&[u32], u32, u64)> {
        let mut paths: Vec<_> = self.map.iter().collect();
        paths.sort_unstable_by(|a, b| a.0.cmp(b.0));
        paths
            .into_iter()
            .flat_map(|(p, l)| l.iter().map(move |&(o, c)| (p.as_slice(), o, c)))
    }

    /// Number of distinct (path, outcome) pairs.
    pub fn len(&self) -> usize {
        self.map.values().map(Vec::len).sum()
    }

    /// True if no run was recorded.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl Paths {
    /// Drops the least frequent pairs beyond `max` (ties: the larger path, then outcome,
    /// first), counting their runs in `dropped`.
    fn prune(&mut self, max: usize) {
        if self.len() <= max {
            return;
        }
        let mut all: Vec<(u64, &[u32], u32)> = self.iter().map(|(p, o, c)| (c, p, o)).collect();
        all.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)).then(a.2.cmp(&b.2)));
        let dropped: u64 = all[max..].iter().map(|e| e.0).sum();
        let mut kept = Paths {
            map: HashMap::default(),
            dropped: self.dropped + dropped,
        };
        for &(c, p, o) in &all[..max] {
            kept.add(p, o, c);
        }
        *self = kept;
    }
}

impl Merge for Paths {
    fn merge(&mut self, other: &Self) {
        for (p, l) in &other.map {
            for &(o, c) in l {
                self.add(p, o, c);
            }
        }
        self.dropped += other.dropped;
        self.prune(MAX_PATHS);
    }
}

/// How [`Paths`] is written in partial files.
#[derive(Serialize, Deserialize)]
struct PathsOnDisk {
    rows: Vec<(Vec<u32>, u32, u64)>,
    dropped: u64,
}

impl Serialize for Paths {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PathsOnDisk {
            rows: self.iter().map(|(p, o, c)| (p.to_vec(), o, c)).collect(),
            dropped: self.dropped,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Paths {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let disk = PathsOnDisk::deserialize(d)?;
        let mut paths = Paths {
            map: HashMap::default(),
            dropped: disk.dropped,
        };
        for (p, o, c) in disk.rows {
            paths.add(&p, o, c);
        }
        Ok(paths)
    }
}

/// The statistics of a set of runs of one model.
///
/// Vectors are indexed like the model (`nodes` like `Model::nodes`, ...). Merging two
/// summaries of different shapes (a bug) never panics: the extra entries are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of runs.
    pub runs: u64,
    /// Per node.
    pub nodes: Vec<NodeStats>,
    /// Per node that can happen more than once, in node order. Apart from `nodes` so that
    /// recording a run visits only these.
    pub repeats: Vec<RepeatStats>,
    /// Per outcome (`horizon` first).
    pub outcomes: Vec<OutcomeStats>,
    /// Runs whose highest rung (any actor) is `r`, for r = 0..=max rung.
    pub rungs_all: Vec<u64>,
    /// Per actor: runs whose highest rung among that actor's nodes is `r`, for
    /// r = 0..=the highest rung of that actor's nodes.
    pub rungs_actor: Vec<Vec<u64>>,
    /// Per state variable: final value.
    pub vars: Vec<Dist>,
    /// Per parameter: drawn value.
    pub params: Vec<Dist>,
    /// Timeline points.
    pub grid: TimelineGrid,
    /// `timeline[node * grid.points + i]`: runs in which the node first happened in
    /// `(time(i - 1), time(i)]` (for i = 0: at or before 0). The probability of having
    /// happened by `time(i)` is the cumulative sum over `0..=i` divided by `runs`.
    pub timeline: Vec<u64>,
    /// Exact counts of distinct paths with their outcomes.
    pub paths: Paths,
    /// Which steps, branches and outcomes happen together (conditional.csv).
    pub conditional: Conditional,
}

impl Summary {
    /// An empty summary shaped for `model`.
    pub fn new(model: &Model) -> Summary {
        let grid = timeline_grid(model.horizon, model.resolution);
        let actor_max = |a: usize| {
            model
                .nodes
                .iter()
                .filter(|n| n.actor == Some(a))
                .map(|n| n.rung)
                .max()
                .unwrap_or(0)
        };
        Summary {
            runs: 0,
            nodes: vec![NodeStats::default(); model.nodes.len()],
            repeats: (0..model.nodes.len())
                .filter(|&i| can_repeat(model, &model.nodes[i]))
                .map(|i| RepeatStats {
                    node: i as u32,
                    count: Dist::default(),
                })
                .collect(),
            outcomes: vec![OutcomeStats::default(); model.outcomes.len().max(1)],
            rungs_all: vec![0; model.max_rung() as usize + 1],
            rungs_actor: (0..model.actors.len())
                .map(|a| vec![0; actor_max(a) as usize + 1])
                .collect(),
            vars: vec![Dist::default(); model.vars.len()],
            params: vec![Dist::default(); model.params.len()],
            grid,
            timeline: vec![0; model.nodes.len() * grid.points],
            paths: Paths::default(),
            conditional: Conditional::new(model.nodes.len(), model.outcomes.len()),
        }
    }

    /// Checks a summary read back from a file (a partial) against `shape`, an empty summary
    /// of the same model ([`Summary::new`]): the same lengths everywhere, and counts that
    /// agree with each other and with `runs` (each node happened in at most `runs` runs and
    /// its times and timeline count exactly those; outcomes, rungs and paths each account for
    /// every run once). A summary that passes merges without overflow.
    pub fn check(&self, shape: &Summary) -> Result<(), String> {
        let runs = self.runs;
        let lengths = self.has_shape_of(shape);
        if !lengths {
            return Err("its statistics do not have the shape of the scenario's".into());
        }
        let sum = |xs: &mut dyn Iterator<Item = u64>| {
            let mut total = 0u64;
            for c in xs {
                total = total.checked_add(c).ok_or("counts overflow")?;
            }
            Ok::<u64, String>(total)
        };
        let points = shape.grid.points;
        for (i, node) in self.nodes.iter().enumerate() {
            let times = node
                .time
                .check(runs)
                .map_err(|e| format!("step {i}: {e}"))?;
            let timeline = sum(&mut self.timeline[i * points..(i + 1) * points].iter().copied())?;
            if node.happened > runs || times != node.happened || timeline != node.happened {
                return Err(format!(
                    "step {i}: happened in {} of {runs} runs, with {times} times and {timeline} \
                     timeline counts",
                    node.happened
                ));
            }
            self.check_on_grid(i)
                .map_err(|e| format!("step {i}: {e}"))?;
        }
        self.check_repeats()?;
        for (i, o) in self.outcomes.iter().enumerate() {
            if o.time.check(runs)? != o.count {
                return Err(format!("outcome {i}: its count and its times disagree"));
            }
        }
        let all = |what: &str, n: u64| {
            if n == runs {
                Ok(())
            } else {
                Err(format!("{what} account for {n} runs, not {runs}"))
            }
        };
        all(
            "the outcomes",
            sum(&mut self.outcomes.iter().map(|o| o.count))?,
        )?;
        all("the rungs", sum(&mut self.rungs_all.iter().copied())?)?;
        for r in &self.rungs_actor {
            all("an actor's rungs", sum(&mut r.iter().copied())?)?;
        }
        for d in self.vars.iter().chain(&self.params) {
            d.check(runs)?;
        }
        let mut paths = self.paths.dropped;
        for (path, list) in &self.paths.map {
            if path.iter().any(|&n| n as usize >= self.nodes.len())
                || list.iter().any(|&(o, _)| o as usize >= self.outcomes.len())
            {
                return Err("a path names a step or an outcome the scenario does not have".into());
            }
            paths = paths
                .checked_add(sum(&mut list.iter().map(|&(_, c)| c))?)
                .ok_or("counts overflow")?;
        }
        all("the paths", paths)?;
        self.conditional
            .check(&shape.conditional, runs, &self.nodes)
    }

    /// Whether every table has the length `shape`'s has (the first part of [`Summary::check`]).
    fn has_shape_of(&self, shape: &Summary) -> bool {
        self.nodes.len() == shape.nodes.len()
            && self.outcomes.len() == shape.outcomes.len()
            && self.rungs_all.len() == shape.rungs_all.len()
            && self.rungs_actor.len() == shape.rungs_actor.len()
            && self
                .rungs_actor
                .iter()
                .zip(&shape.rungs_actor)
                .all(|(a, b)| a.len() == b.len())
            && self.repeats.len() == shape.repeats.len()
            && self
                .repeats
                .iter()
                .zip(&shape.repeats)
                .all(|(a, b)| a.node == b.node)
            && self.vars.len() == shape.vars.len()
            && self.params.len() == shape.params.len()
            && self.grid == shape.grid
            && self.timeline.len() == shape.timeline.len()
    }

    /// The repeat counts' part of [`Summary::check`] (after the shape check).
    fn check_repeats(&self) -> Result<(), String> {
        let runs = self.runs;
        // Repeat counts: counted in every run, and (while exact) 0 in exactly the runs in
        // which the node never happened. The shape check above put their nodes in range.
        for r in &self.repeats {
            let i = r.node;
            let happened = self.nodes.get(i as usize).map_or(0, |n| n.happened);
            let counted = r
                .count
                .check(runs)
                .map_err(|e| format!("step {i}: its repeat counts: {e}"))?;
            let zeros = r
                .count
                .exact
                .sorted()
                .first()
                .filter(|v| v.0 == 0.0)
                .map_or(0, |v| v.1);
            if counted != runs || (r.count.is_exact() && zeros != runs - happened) {
                return Err(format!(
                    "step {i}: repeat counts over {counted} runs where there are {runs}, \
                 or that disagree with the {happened} runs it happened in"
                ));
            }
        }
        Ok(())
    }

    /// Checks the grid claim of node `i` (its lengths already checked): at most `happened`
    /// times off the grid, and while none is, the timeline counts at the grid points must
    /// make exactly its sketch, min and max (so that quantiles read from them are its times).
    fn check_on_grid(&self, i: usize) -> Result<(), String> {
        let node = &self.nodes[i];
        if node.off_grid > node.happened {
            return Err(format!(
                "{} of its {} times off the timeline grid",
                node.off_grid, node.happened
            ));
        }
        if node.off_grid > 0 || node.happened == 0 {
            return Ok(());
        }
        let p = self.grid.points;
        let bins = &self.timeline[i * p..(i + 1) * p];
        let mut sketch = Sketch::default();
        for (b, &c) in bins.iter().enumerate() {
            sketch.push_n(self.grid.time(b), c);
        }
        let first = bins.iter().position(|&c| c > 0).map(|b| self.grid.time(b));
        let last = bins.iter().rposition(|&c| c > 0).map(|b| self.grid.time(b));
        let m = &node.time.moments;
        if sketch != node.time.sketch || first != m.min() || last != m.max() {
            return Err("its times on the grid and its timeline counts disagree".to_string());
        }
        Ok(())
    }

    /// The `q`-quantile of node `node`'s first times (None if it never happened): from the
    /// timeline counts, exactly, while all its times are grid points (see
    /// [`NodeStats::off_grid`]), else [`Dist::quantile`]. Both use the rank `floor(q (n-1))`.
    pub fn time_quantile(&self, node: usize, q: f64) -> Option<f64> {
        let st = self.nodes.get(node)?;
        if st.off_grid > 0 || st.happened == 0 || q.is_nan() {
            return st.time.quantile(q);
        }
        let p = self.grid.points;
        let bins = self.timeline.get(node * p..(node + 1) * p)?;
        let n: u64 = bins.iter().sum();
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * (n - 1) as f64).floor() as u64).min(n - 1);
        let mut seen = 0;
        for (b, &c) in bins.iter().enumerate() {
            seen += c;
            if seen > rank {
                return Some(self.grid.time(b));
            }
        }
        None
    }

    /// Adds one run. Allocates nothing unless the run's path is new to this summary.
    /// Out-of-range indices in the record (a bug) are clamped or ignored, never a panic.
    pub fn record(&mut self, model: &Model, run: &RunRecord) {
        let _ = model;
        self.runs += 1;
        for r in &mut self.repeats {
            if let Some(&c) = run.counts.get(r.node as usize) {
                r.count.push(f64::from(c));
            }
        }
        let points = self.grid.points;
        let inv_step = 1.0 / self.grid.step;
        for (i, (node, &t)) in self.nodes.iter_mut().zip(&run.first_time).enumerate() {
            if t.is_nan() {
                continue;
            }
            node.happened += 1;
            node.time.push(t);
            let bin = self.grid.bin_by(t, inv_step);
            // -0 is the grid point 0 too; NaN was skipped above.
            node.off_grid += u64::from(self.grid.time(bin) != t);
            if let Some(c) = self.timeline.get_mut(i * points + bin) {
                *c += 1;
            }
        }
        let last = self.outcomes.len().saturating_sub(1);
        if let Some(o) = self.outcomes.get_mut(run.outcome.min(last)) {
            o.count += 1;
            o.time.push(run.end_time);
        }
        bump(&mut self.rungs_all, run.max_rung);
        for (h, &r) in self.rungs_actor.iter_mut().zip(&run.actor_max_rung) {
            bump(h, r);
        }
        for (d, &x) in self.vars.iter_mut().zip(&run.state) {
            d.push(x);
        }
        for (d, &x) in self.params.iter_mut().zip(&run.params) {
            d.push(x);
        }
        self.paths.add(&run.path, run.outcome as u32, 1);
        self.conditional.record(run);
    }

    /// How many times node `node` happened per run, if it can happen more than once.
    pub fn repeat_count(&self, node: usize) -> Option<&Dist> {
        self.repeats
            .iter()
            .find(|r| r.node as usize == node)
            .map(|r| &r.count)
    }

    /// Runs in which node `i` first happened by each timeline point (cumulative counts).
    pub fn happened_by(&self, node: usize) -> Vec<u64> {
        let p = self.grid.points;
        let mut acc = 0;
        self.timeline
            .get(node * p..(node + 1) * p)
            .unwrap_or(&[])
            .iter()
            .map(|&c| {
                acc += c;
                acc
            })
            .collect()
    }
}

/// Counts one run in a rung histogram (a rung beyond the end counts in the last bin).
#[inline]
fn bump(hist: &mut [u64], rung: u32) {
    let last = hist.len().saturating_sub(1);
    if let Some(c) = hist.get_mut((rung as usize).min(last)) {
        *c += 1;
    }
}

fn merge_vec<T: Merge>(a: &mut [T], b: &[T]) {
    for (x, y) in a.iter_mut().zip(b) {
        x.merge(y);
    }
}

fn add_counts(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

impl Merge for NodeStats {
    fn merge(&mut self, other: &Self) {
        self.happened += other.happened;
        self.time.merge(&other.time);
        self.off_grid += other.off_grid;
    }
}

impl Merge for OutcomeStats {
    fn merge(&mut self, other: &Self) {
        self.count += other.count;
        self.time.merge(&other.time);
    }
}

impl Merge for Summary {
    fn merge(&mut self, other: &Self) {
        self.runs += other.runs;
        merge_vec(&mut self.nodes, &other.nodes);
        for (a, b) in self.repeats.iter_mut().zip(&other.repeats) {
            if a.node == b.node {
                a.count.merge(&b.count);
            }
        }
        merge_vec(&mut self.outcomes, &other.outcomes);
        add_counts(&mut self.rungs_all, &other.rungs_all);
        for (a, b) in self.rungs_actor.iter_mut().zip(&other.rungs_actor) {
            add_counts(a, b);
        }
        merge_vec(&mut self.vars, &other.vars);
        merge_vec(&mut self.params, &other.params);
        if self.grid == other.grid {
            add_counts(&mut self.timeline, &other.timeline);
        }
        self.paths.merge(&other.paths);
        self.conditional.merge(&other.conditional);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_small_and_coarsened() {
        let g = timeline_grid(365.0, 1.0);
        assert_eq!((g.step, g.points), (1.0, 366));
        assert_eq!(g.time(365), 365.0);
        let g = timeline_grid(1.1, 0.1);
        assert_eq!(g.points, 12);
        assert_eq!(g.time(11), 1.1);
        // 10,000 intervals: step 5 keeps 2001 points exactly.
        let g = timeline_grid(10_000.0, 1.0);
        assert_eq!((g.step, g.points), (5.0, 2001));
        // 2,500 intervals of 0.1: 0.2 gives 1251 points.
        let g = timeline_grid(250.0, 0.1);
        assert_eq!(g.step, 0.2);
        assert_eq!(g.points, 1251);
        // Horizon not a multiple of the step: a short last interval.
        let g = timeline_grid(10.5, 1.0);
        assert_eq!(g.points, 12);
        assert_eq!((g.time(10), g.time(11)), (10.0, 10.5));
        assert_eq!(timeline_grid(0.0, 1.0).points, 1);
        assert_eq!(timeline_grid(10.0, f64::NAN).points, 1);
        assert!(timeline_grid(1e300, 1e-300).points <= MAX_TIMELINE_POINTS);
    }

    #[test]
    fn grid_bins_are_first_point_at_or_after() {
        let g = timeline_grid(1.1, 0.1);
        assert_eq!(g.bin(0.0), 0);
        assert_eq!(g.bin(-1.0), 0);
        assert_eq!(g.bin(0.3), 3);
        assert_eq!(g.bin(0.30000000000000004), 3);
        assert_eq!(g.bin(0.31), 4);
        assert_eq!(g.bin(1.1), 11);
        assert_eq!(g.bin(5.0), 11);
        for i in 0..g.points {
            let t = g.time(i);
            assert_eq!(g.bin(t), i, "point {i} = {t}");
        }
    }

    #[test]
    fn paths_serialize_sorted_and_round_trip() {
        let mut p = Paths::default();
        p.add(&[2, 1], 0, 1);
        p.add(&[], 0, 3);
        p.add(&[2, 1], 1, 2);
        p.add(&[0], 1, 1);
        p.add(&[2, 1], 0, 1);
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(
            s,
            r#"{"rows":[[[],0,3],[[0],1,1],[[2,1],0,2],[[2,1],1,2]],"dropped":0}"#
        );
        let back: Paths = serde_json::from_str(&s).unwrap();
        assert_eq!(back, p);
        assert_eq!(p.len(), 4);
    }

    #[test]
    fn pruning_keeps_the_most_frequent_and_counts_the_rest() {
        let mut a = Paths::default();
        for i in 0..5u32 {
            // Path [i] seen i + 1 times.
            a.add(&[i], 0, u64::from(i) + 1);
        }
        a.add(&[9], 0, 3); // ties with [2]: the smaller path is kept
        a.prune(3);
        let kept: Vec<_> = a.iter().map(|(p, _, c)| (p.to_vec(), c)).collect();
        assert_eq!(kept, vec![(vec![2], 3), (vec![3], 4), (vec![4], 5)]);
        assert_eq!(a.dropped, 1 + 2 + 3);
        // The runs are all accounted for.
        assert_eq!(
            a.iter().map(|e| e.2).sum::<u64>() + a.dropped,
            1 + 2 + 3 + 4 + 5 + 3
        );
        let back: Paths = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
    }
}
