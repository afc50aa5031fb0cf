//! Tests of the mergeable accumulators.

use super::*;
use proptest::prelude::*;

/// SplitMix64: a small deterministic source of test data (no dependency on rand's API).
struct Mix(u64);

impl Mix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

#[test]
fn buckets_are_narrower_than_gamma() {
    let gamma = (1.0 + Sketch::ALPHA) / (1.0 - Sketch::ALPHA);
    for x in [1e-12, 1.0, 1.5, 1.999, 3.7, 1e6, 1e300] {
        let k = Sketch::key(x);
        let lo = f64::from_bits((k as u64) << KEY_SHIFT);
        let hi = f64::from_bits((k as u64 + 1) << KEY_SHIFT);
        assert!(lo <= x && x < hi && hi / lo <= gamma, "{x}: [{lo}, {hi})");
        let v = Sketch::value(k);
        assert!((v - x).abs() <= Sketch::ALPHA * x, "{x}: {v}");
    }
}

#[test]
fn moments_match_two_pass() {
    let mut m = Mix(1);
    let xs: Vec<f64> = (0..1000).map(|_| 3.0 + 2.0 * m.normal()).collect();
    let mut mo = Moments::default();
    for &x in &xs {
        mo.push(x);
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert_eq!(mo.count(), 1000);
    assert!((mo.mean().unwrap() - mean).abs() < 1e-12);
    assert!((mo.sd().unwrap() - var.sqrt()).abs() < 1e-12);
    let min = xs.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(mo.min(), Some(min));
    assert_eq!(mo.max(), Some(max));

    // Merging halves agrees with pushing everything (up to rounding).
    let (mut a, mut b) = (Moments::default(), Moments::default());
    xs[..333].iter().for_each(|&x| a.push(x));
    xs[333..].iter().for_each(|&x| b.push(x));
    a.merge(&b);
    assert_eq!(a.count(), 1000);
    assert!((a.mean().unwrap() - mean).abs() < 1e-12);
    assert!((a.sd().unwrap() - var.sqrt()).abs() < 1e-12);
    assert_eq!(a.min(), Some(min));
    assert_eq!(a.max(), Some(max));
}

#[test]
fn moments_edge_cases() {
    let mut mo = Moments::default();
    assert_eq!(
        (mo.mean(), mo.sd(), mo.min(), mo.max()),
        (None, None, None, None)
    );
    // Empty serializes without NaN and round-trips.
    let s = serde_json::to_string(&mo).unwrap();
    assert_eq!(serde_json::from_str::<Moments>(&s).unwrap(), mo);
    mo.push(f64::NAN);
    mo.push(f64::INFINITY);
    assert_eq!(mo.count(), 0);
    mo.push(4.0);
    assert_eq!((mo.mean(), mo.sd()), (Some(4.0), None));
    mo.push(4.0);
    assert_eq!(mo.sd(), Some(0.0));
    // Merging into or from an empty accumulator.
    let mut e = Moments::default();
    e.merge(&mo);
    assert_eq!(e, mo);
    e.merge(&Moments::default());
    assert_eq!(e, mo);
}

/// Checks every reported quantile against the exact one of rank floor(q (n - 1)).
fn check_quantiles(xs: &[f64]) {
    let mut sk = Sketch::default();
    for &x in xs {
        sk.push(x);
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    assert_eq!(sk.count(), n as u64);
    for i in 0..=100 {
        let q = i as f64 / 100.0;
        let exact = sorted[(q * (n - 1) as f64).floor() as usize];
        let est = sk.quantile(q).unwrap();
        // The mapping's bound 1/129 (tighter than ALPHA); 1e-12 absolute for values counted
        // as zero; a hair of slack for the rounding of the representative value.
        let tol = exact.abs() / 129.0 * (1.0 + 1e-9) + 1e-12;
        const { assert!(1.0 / 129.0 < Sketch::ALPHA) };
        assert!(
            (est - exact).abs() <= tol,
            "q = {q}: estimate {est}, exact {exact}"
        );
    }
}

#[test]
fn sketch_quantiles_lognormal() {
    let mut m = Mix(7);
    let xs: Vec<f64> = (0..20_000)
        .map(|_| (1.0 + 2.5 * m.normal()).exp())
        .collect();
    check_quantiles(&xs);
}

#[test]
fn sketch_quantiles_uniform() {
    let mut m = Mix(8);
    let xs: Vec<f64> = (0..20_000).map(|_| 365.0 * m.uniform()).collect();
    check_quantiles(&xs);
}

#[test]
fn sketch_quantiles_negative_and_mixed() {
    let mut m = Mix(9);
    let neg: Vec<f64> = (0..10_000).map(|_| -(m.normal() * 2.0).exp()).collect();
    check_quantiles(&neg);
    let mixed: Vec<f64> = (0..10_000)
        .map(|i| if i % 10 == 0 { 0.0 } else { 50.0 * m.normal() })
        .collect();
    check_quantiles(&mixed);
    check_quantiles(&[0.0]);
    check_quantiles(&[-3.0, 5.5, 1e-300, 1e300]);
}

#[test]
fn sketch_empty_and_bad_input() {
    let mut sk = Sketch::default();
    assert_eq!(sk.quantile(0.5), None);
    sk.push(f64::NAN);
    sk.push(f64::NEG_INFINITY);
    assert_eq!(sk.count(), 0);
    sk.push(2.0);
    assert_eq!(sk.quantile(f64::NAN), None);
    let v = sk.quantile(7.0).unwrap();
    assert!((v - 2.0).abs() <= 0.02);
}

#[test]
fn sketch_merge_is_exact_and_order_independent() {
    let mut m = Mix(11);
    let xs: Vec<f64> = (0..3000).map(|_| 100.0 * m.normal()).collect();
    let parts: Vec<Sketch> = xs
        .chunks(1000)
        .map(|c| {
            let mut s = Sketch::default();
            c.iter().for_each(|&x| s.push(x));
            s
        })
        .collect();
    let mut whole = Sketch::default();
    xs.iter().for_each(|&x| whole.push(x));
    let orders = [[0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1]];
    for o in orders {
        let mut s = parts[o[0]].clone();
        s.merge(&parts[o[1]]);
        s.merge(&parts[o[2]]);
        assert_eq!(s, whole);
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            serde_json::to_string(&whole).unwrap()
        );
    }
}

/// The accumulator of block `b`: values over twenty orders of magnitude, so float merges
/// are sensitive to order.
fn block_acc(b: u64) -> Moments {
    let mut m = Mix(b.wrapping_mul(31) + 5);
    let mut mo = Moments::default();
    for _ in 0..(1 + b % 5) {
        let e = (m.next_u64() % 21) as i32 - 10;
        mo.push(m.normal() * 10f64.powi(e));
    }
    mo
}

fn tree_of(blocks: Range<u64>) -> BlockTree<Moments> {
    let mut t = BlockTree::new();
    for b in blocks {
        t.push(b, 1, block_acc(b)).unwrap();
    }
    t
}

fn bytes(t: BlockTree<Moments>) -> String {
    serde_json::to_string(&t.finish()).unwrap()
}

#[test]
fn float_accumulator_is_order_sensitive() {
    // Guards the property test below: if the accumulator were insensitive to grouping, the
    // test could not fail. A left fold differs from the tree for some block count.
    let differs = (2..64u64).any(|n| {
        let mut left = block_acc(0);
        (1..n).for_each(|b| left.merge(&block_acc(b)));
        serde_json::to_string(&Some(left)).unwrap() != bytes(tree_of(0..n))
    });
    assert!(differs);
}

proptest! {
    #[test]
    fn any_contiguous_split_gives_identical_bytes(
        n in 1u64..300,
        cuts in proptest::collection::vec(0u64..300, 0..8),
        pairwise in any::<bool>(),
    ) {
        let whole = bytes(tree_of(0..n));
        let mut bounds: Vec<u64> = cuts.into_iter().map(|c| c % (n + 1)).collect();
        bounds.push(0);
        bounds.push(n);
        bounds.sort_unstable();
        bounds.dedup();
        let mut parts: Vec<BlockTree<Moments>> =
            bounds.windows(2).map(|w| tree_of(w[0]..w[1])).collect();
        if pairwise {
            // Shards merged pairwise (later trees first), as a merge of merges would.
            while parts.len() > 1 {
                let mut next = Vec::new();
                let mut it = parts.into_iter();
                while let Some(mut a) = it.next() {
                    if let Some(b) = it.next() {
                        a.append(b).unwrap();
                    }
                    next.push(a);
                }
                parts = next;
            }
        } else {
            let mut acc = BlockTree::new();
            for p in parts {
                acc.append(p).unwrap();
            }
            parts = vec![acc];
        }
        let merged = parts.pop().unwrap();
        prop_assert_eq!(merged.covered(), 0..n);
        prop_assert_eq!(bytes(merged), whole);
    }
}

#[test]
fn block_tree_refuses_gaps_overlaps_and_unaligned() {
    let mut t = tree_of(0..3);
    assert!(
        t.push(4, 1, block_acc(4))
            .unwrap_err()
            .contains("out of order")
    );
    assert!(t.push(2, 1, block_acc(2)).is_err());
    assert!(t.push(3, 3, Moments::default()).is_err());
    assert!(t.push(3, 2, Moments::default()).is_err());
    assert!(t.push(3, 0, Moments::default()).is_err());
    assert!(t.push(u64::MAX - 1, 2, Moments::default()).is_err());
    t.push(3, 1, block_acc(3)).unwrap();
    assert_eq!(t.covered(), 0..4);
    assert_eq!(t.nodes.len(), 1);
    let mut later = tree_of(5..7);
    assert!(t.clone().append(later.clone()).is_err());
    let mut gap = tree_of(4..5);
    gap.append(later.clone()).unwrap();
    t.append(gap).unwrap();
    assert_eq!(t.covered(), 0..7);
    later = BlockTree::new();
    t.append(later).unwrap();
    assert_eq!(BlockTree::<Moments>::new().finish(), None);
}

#[test]
fn wilson_hand_computed() {
    // Reference values from the closed form evaluated independently (Python, double).
    let cases = [
        (5, 10, 0.236593090512564, 0.7634069094874361),
        (0, 10_000, 0.0, 0.00038399837067659573),
        (1, 3, 0.06149194472039621, 0.7923403991979522),
        (30, 100, 0.2189488529493276, 0.3958485463334666),
    ];
    for (k, n, lo, hi) in cases {
        let (l, h) = wilson(k, n).unwrap();
        assert!(
            (l - lo).abs() < 1e-12 && (h - hi).abs() < 1e-12,
            "{k}/{n}: {l} {h}"
        );
    }
    assert_eq!(wilson(0, 0), None);
    assert_eq!(wilson(4, 3), None);
    assert_eq!(wilson(7, 7).unwrap().1, 1.0);
}

#[test]
fn key_range_covers_all_finite_magnitudes() {
    assert_eq!(Sketch::key(MIN_INDEXABLE), KEY_MIN);
    assert_eq!(Sketch::key(f64::MAX), KEY_MAX);
    assert!(Sketch::value(KEY_MAX).is_finite());
}

#[test]
fn corrupt_stores_do_not_explode() {
    let bad: Sketch = serde_json::from_str(
        r#"{"zero":0,"pos":{"offset":-2147483648,"counts":[1]},"neg":{"offset":2147483647,"counts":[1,1]}}"#,
    )
    .unwrap();
    let mut s = Sketch::default();
    s.push(1.0);
    s.merge(&bad);
    assert_eq!(s.count(), 4);
    assert!(s.pos.slots.len() <= (KEY_MAX - KEY_MIN + 1) as usize);
}

/// The serialized span of a sketch's positive store: offset and counts.
fn pos_span(s: &Sketch) -> (i32, Vec<u64>) {
    let v: serde_json::Value = serde_json::to_value(s).unwrap();
    let offset = v["pos"]["offset"].as_i64().unwrap() as i32;
    let counts = serde_json::from_value(v["pos"]["counts"].clone()).unwrap();
    (offset, counts)
}

#[test]
fn store_slack_is_invisible() {
    // The same values pushed ascending, descending and shuffled, and merged from pieces,
    // make equal sketches with the same bytes; the span written is exactly from the
    // smallest key to the largest, both counts positive, whatever slack the slots hold.
    let mut m = Mix(5);
    let mut xs: Vec<f64> = (0..2000).map(|_| (3.0 * m.normal()).exp()).collect();
    let shuffled = xs.clone();
    xs.sort_by(f64::total_cmp);
    let build = |v: &mut dyn Iterator<Item = f64>| {
        let mut s = Sketch::default();
        v.for_each(|x| s.push(x));
        s
    };
    let up = build(&mut xs.iter().copied());
    let down = build(&mut xs.iter().rev().copied());
    let mixed = build(&mut shuffled.iter().copied());
    let mut merged = Sketch::default();
    for c in shuffled.chunks(7) {
        merged.merge(&build(&mut c.iter().copied()));
    }
    let json = serde_json::to_string(&up).unwrap();
    for s in [&down, &mixed, &merged] {
        assert_eq!(s, &up);
        assert_eq!(serde_json::to_string(s).unwrap(), json);
    }
    let (offset, counts) = pos_span(&up);
    assert_eq!(offset, Sketch::key(xs[0]));
    assert_eq!(
        offset + counts.len() as i32 - 1,
        Sketch::key(xs[xs.len() - 1])
    );
    assert!(counts[0] > 0 && counts[counts.len() - 1] > 0);
    assert_eq!(counts.iter().sum::<u64>(), 2000);
    // Read back, it is the same sketch, and merging into it grows it the same way.
    let mut back: Sketch = serde_json::from_str(&json).unwrap();
    assert_eq!(back, up);
    back.push(1e-9);
    back.push(1e9);
    let mut more = up.clone();
    more.push(1e9);
    more.push(1e-9);
    assert_eq!(back, more);
    assert_eq!(pos_span(&back).0, Sketch::key(1e-9));
}

#[test]
fn paths_count_as_a_sorted_map_would() {
    use std::collections::BTreeMap;
    // Random paths over 6 nodes (lengths 0 to 4, many repeats) with 3 outcomes, added in
    // blocks, and the blocks merged in two groupings: the same counts as a BTreeMap
    // reference, read back sorted by path then outcome.
    let mut m = Mix(9);
    let mut reference: BTreeMap<(Vec<u32>, u32), u64> = BTreeMap::new();
    let mut blocks = Vec::new();
    for _ in 0..8 {
        let mut p = summary::Paths::default();
        for _ in 0..500 {
            let len = (m.next_u64() % 5) as usize;
            let path: Vec<u32> = (0..len).map(|_| (m.next_u64() % 6) as u32).collect();
            let outcome = (m.next_u64() % 3) as u32;
            p.add(&path, outcome, 1);
            *reference.entry((path, outcome)).or_default() += 1;
        }
        blocks.push(p);
    }
    let expected: Vec<(Vec<u32>, u32, u64)> =
        reference.into_iter().map(|((p, o), c)| (p, o, c)).collect();
    assert!(expected.len() < summary::MAX_PATHS, "nothing is pruned");
    let mut left = summary::Paths::default();
    blocks.iter().for_each(|b| left.merge(b));
    let mut right = blocks[7].clone();
    for b in blocks[..7].iter().rev() {
        right.merge(b);
    }
    for p in [&left, &right] {
        let got: Vec<(Vec<u32>, u32, u64)> = p.iter().map(|(p, o, c)| (p.to_vec(), o, c)).collect();
        assert_eq!(got, expected);
        assert_eq!(p.len(), expected.len());
        assert_eq!(p.dropped, 0);
    }
    assert_eq!(left, right);
    assert_eq!(
        serde_json::to_string(&left).unwrap(),
        serde_json::to_string(&right).unwrap()
    );
}

#[test]
fn bins_by_reciprocal_are_first_point_at_or_after() {
    // Against the definition (the first point at or after t, by a scan), for times on and
    // off the points of grids whose steps have no exact reciprocal.
    let mut m = Mix(3);
    for (horizon, res) in [
        (1.1, 0.1),
        (365.0, 1.0),
        (250.0, 0.1),
        (10.5, 0.3),
        (7.0, 7.0),
    ] {
        let g = summary::timeline_grid(horizon, res);
        let scan = |t: f64| {
            (0..g.points)
                .find(|&i| g.time(i) >= t)
                .unwrap_or(g.points - 1)
        };
        let inv = 1.0 / g.step;
        for i in 0..g.points {
            let t = g.time(i);
            for x in [
                t,
                f64::from_bits(t.to_bits() + 1),
                f64::from_bits(t.to_bits().saturating_sub(1)),
            ] {
                if x > 0.0 {
                    assert_eq!(g.bin_by(x, inv), scan(x), "grid {horizon}/{res}, t {x}");
                }
            }
        }
        for _ in 0..2000 {
            let t = m.uniform() * horizon * 1.01;
            assert_eq!(g.bin_by(t, inv), scan(t), "grid {horizon}/{res}, t {t}");
            assert_eq!(g.bin(t), scan(t));
        }
    }
}
