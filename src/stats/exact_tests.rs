//! Tests of the exact value counts ([`Exact`]) and of the distributions that carry them.

use super::summary::Dist;
use super::*;
use proptest::prelude::*;

/// A distribution of `values`, pushed in order.
fn dist_of(values: impl IntoIterator<Item = f64>) -> Dist {
    let mut d = Dist::default();
    values.into_iter().for_each(|x| d.push(x));
    d
}

/// The quantile levels every check walks: 0, 0.01, ..., 1 and the ones the tables print.
fn levels() -> impl Iterator<Item = f64> {
    (0..=100).map(|i| f64::from(i) / 100.0)
}

#[test]
fn exact_quantiles_of_discrete_weights() {
    // rotation_size of dprk-kursk: 2000, 5000, 10000 with weights 3 : 2 : 1, here exactly
    // 3000, 2000 and 1000 times, pushed interleaved.
    let mut values = Vec::new();
    for i in 0..6000 {
        values.push(match i % 6 {
            0..=2 => 2000.0,
            3 | 4 => 5000.0,
            _ => 10_000.0,
        });
    }
    let d = dist_of(values);
    assert!(d.is_exact());
    // Closed form: rank r = floor(q (n - 1)) of n = 6000 is 2000 for r < 3000, 5000 for
    // r < 5000, 10000 after.
    for q in levels() {
        let r = (q * 5999.0).floor();
        let want = if r < 3000.0 {
            2000.0
        } else if r < 5000.0 {
            5000.0
        } else {
            10_000.0
        };
        assert_eq!(d.quantile(q), Some(want), "q = {q}");
    }
    // What parameters.csv prints: every one a value that can occur.
    let printed: Vec<f64> = [0.05, 0.25, 0.5, 0.75, 0.95]
        .iter()
        .map(|&q| d.quantile(q).unwrap())
        .collect();
    assert_eq!(printed, [2000.0, 2000.0, 2000.0, 5000.0, 10_000.0]);
}

#[test]
fn exact_quantiles_of_a_binomial() {
    // k = 0..=10 pushed C(10, k) times: the Binomial(10, 1/2) in 1024 values. The rank-r
    // value is the smallest k whose CDF count sum_{j <= k} C(10, j) exceeds r.
    let choose = |k: u64| (0..k).fold(1u64, |c, j| c * (10 - j) / (j + 1));
    let mut d = Dist::default();
    for k in 0..=10u64 {
        for _ in 0..choose(k) {
            d.push(k as f64);
        }
    }
    assert_eq!(d.moments.count(), 1024);
    for q in levels() {
        let r = (q * 1023.0).floor() as u64;
        let mut cdf = 0;
        let want = (0..=10u64)
            .find(|&k| {
                cdf += choose(k);
                cdf > r
            })
            .unwrap();
        assert_eq!(d.quantile(q), Some(want as f64), "q = {q}");
    }
    // The quartiles of a count are counts: 4, 5 and 6, not the sketch's 4.02 or 5.04.
    assert_eq!(d.quantile(0.25), Some(4.0));
    assert_eq!(d.quantile(0.5), Some(5.0));
    assert_eq!(d.quantile(0.75), Some(6.0));
}

#[test]
fn as_many_values_as_the_bound_are_exact_and_one_more_falls_back() {
    // Whole days 0 .. MAX_EXACT - 1, ten of each.
    let m = MAX_EXACT as f64;
    let days = dist_of((0..10 * MAX_EXACT).map(|i| (i % MAX_EXACT) as f64));
    assert!(days.is_exact());
    for q in levels() {
        // Rank r of 10 m values is day floor(r / 10).
        let r = (q * (10.0 * m - 1.0)).floor();
        assert_eq!(days.quantile(q), Some((r / 10.0).floor()), "q = {q}");
    }
    // MAX_EXACT distinct values are held; one more overflows, and the sketch answers
    // within its relative accuracy.
    let full = dist_of((0..MAX_EXACT).map(|i| 1.0 + i as f64));
    assert!(full.is_exact());
    let over = dist_of((0..=MAX_EXACT).map(|i| 1.0 + i as f64));
    assert!(!over.is_exact());
    assert!(over.exact.sorted().is_empty());
    let exact_median = 1.0 + (0.5 * MAX_EXACT as f64).floor();
    let est = over.quantile(0.5).unwrap();
    assert!((est - exact_median).abs() <= exact_median / 129.0, "{est}");
    assert_ne!(est, exact_median, "the guard: the sketch is not exact here");
}

#[test]
fn zero_signs_and_non_finite_values() {
    let d = dist_of([-0.0, 0.0, f64::NAN, f64::INFINITY, 1.0]);
    assert_eq!(d.exact.sorted(), vec![(0.0, 2), (1.0, 1)]);
    assert_eq!(d.moments.count(), 3);
    assert_eq!(d.check(3), Ok(3));
    assert_eq!(Dist::default().quantile(0.5), None);
    assert_eq!(d.quantile(f64::NAN), None);
    // q is clamped.
    assert_eq!(d.quantile(-1.0), Some(0.0));
    assert_eq!(d.quantile(2.0), Some(1.0));
}

/// Exact values drawn from `pool` candidates (so that pools near [`MAX_EXACT`] overflow or
/// not), cut into blocks at `cuts`.
fn blocks_of(values: &[u16], cuts: &[usize]) -> Vec<Dist> {
    let mut bounds: Vec<usize> = cuts.iter().map(|&c| c % (values.len() + 1)).collect();
    bounds.extend([0, values.len()]);
    bounds.sort_unstable();
    bounds.dedup();
    bounds
        .windows(2)
        .map(|w| dist_of(values[w[0]..w[1]].iter().map(|&v| f64::from(v) * 0.25)))
        .collect()
}

/// The bytes of what decides the quantiles (the moments' float merge is order sensitive;
/// its min and max are not).
fn quantile_bytes(d: &Dist) -> String {
    serde_json::to_string(&(&d.exact, &d.sketch, d.moments.min(), d.moments.max())).unwrap()
}

proptest! {
    #[test]
    fn exact_counts_do_not_depend_on_order_or_merge_tree(
        pool in (MAX_EXACT as u16 - 8)..(MAX_EXACT as u16 + 8),
        seeds in proptest::collection::vec(any::<u16>(), 1..1500),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let values: Vec<u16> = seeds.iter().map(|s| s % pool).collect();
        let whole = dist_of(values.iter().map(|&v| f64::from(v) * 0.25));
        let blocks = blocks_of(&values, &cuts);
        // Left fold, right fold, reversed order.
        let mut left = Dist::default();
        blocks.iter().for_each(|b| left.merge(b));
        let mut right = Dist::default();
        for b in blocks.iter().rev() {
            let mut b = b.clone();
            b.merge(&right);
            right = b;
        }
        let mut reversed = Dist::default();
        blocks.iter().rev().for_each(|b| reversed.merge(b));
        let want = quantile_bytes(&whole);
        prop_assert_eq!(&quantile_bytes(&left), &want);
        prop_assert_eq!(&quantile_bytes(&right), &want);
        prop_assert_eq!(&quantile_bytes(&reversed), &want);
        let mut distinct = values.clone();
        distinct.sort_unstable();
        distinct.dedup();
        prop_assert_eq!(whole.is_exact(), distinct.len() <= MAX_EXACT);
        prop_assert_eq!(left.check(values.len() as u64), Ok(values.len() as u64));
        if whole.is_exact() {
            // The rule the sketch approximates, exactly.
            let mut sorted: Vec<f64> = values.iter().map(|&v| f64::from(v) * 0.25).collect();
            sorted.sort_by(f64::total_cmp);
            for q in levels() {
                let r = (q * (sorted.len() - 1) as f64).floor() as usize;
                prop_assert_eq!(left.quantile(q), Some(sorted[r]));
            }
        }
    }
}

#[test]
fn serialized_counts_are_sorted_and_round_trip() {
    let mut e = Exact::default();
    for x in [3.5, -1.0, 3.5, 0.0, 1e300] {
        e.push(x);
    }
    let s = serde_json::to_string(&e).unwrap();
    assert_eq!(
        s,
        r#"{"values":[[-1.0,1],[0.0,1],[3.5,2],[1e+300,1]],"overflow":false}"#
    );
    let back: Exact = serde_json::from_str(&s).unwrap();
    assert_eq!(back, e);
    assert_eq!(serde_json::to_string(&back).unwrap(), s);
    let mut over = Exact::default();
    (0..=MAX_EXACT).for_each(|i| over.push(i as f64));
    let s = serde_json::to_string(&over).unwrap();
    assert_eq!(s, r#"{"values":[],"overflow":true}"#);
    assert_eq!(serde_json::from_str::<Exact>(&s).unwrap(), over);
}

#[test]
fn damaged_counts_are_refused_when_read() {
    let too_many = format!(
        r#"{{"values":[{}],"overflow":false}}"#,
        (0..=MAX_EXACT)
            .map(|i| format!("[{i}.0,1]"))
            .collect::<Vec<_>>()
            .join(",")
    );
    for bad in [
        r#"{"values":[[2.0,1],[1.0,1]],"overflow":false}"#,
        r#"{"values":[[1.0,1],[1.0,2]],"overflow":false}"#,
        r#"{"values":[[-0.0,1]],"overflow":false}"#,
        r#"{"values":[[1.0,0]],"overflow":false}"#,
        r#"{"values":[[1.0,1]],"overflow":true}"#,
        r#"{"values":[[null,1]],"overflow":false}"#,
        too_many.as_str(),
    ] {
        assert!(serde_json::from_str::<Exact>(bad).is_err(), "{bad}");
    }
}

/// `d` with its JSON edited by `edit`.
fn edited(d: &Dist, edit: impl FnOnce(&mut serde_json::Value)) -> Dist {
    let mut v = serde_json::to_value(d).unwrap();
    edit(&mut v);
    serde_json::from_value(v).unwrap()
}

#[test]
fn check_refuses_counts_that_disagree() {
    let d = dist_of([1.0, 2.0, 2.0, 7.0]);
    assert_eq!(d.check(4), Ok(4));
    // A count changed: the exact counts no longer count the moments' values.
    let more = edited(&d, |v| v["exact"]["values"][0][1] = 2.into());
    assert!(more.check(10).unwrap_err().contains("exact"));
    // A value moved, counts kept: the smallest is no longer the moments' min.
    let moved = edited(&d, |v| v["exact"]["values"][0][0] = 0.5.into());
    assert!(moved.check(4).is_err());
    // A middle value moved: min and max agree, the sketch does not.
    let middle = edited(&d, |v| v["exact"]["values"][1][0] = 3.0.into());
    assert!(middle.check(4).unwrap_err().contains("sketch"));
    // Overflowed with four values: it cannot have seen MAX_EXACT + 1 distinct ones.
    let over = edited(&d, |v| {
        v["exact"] = serde_json::json!({"values": [], "overflow": true});
    });
    assert!(over.check(4).is_err());
    // A real overflow passes.
    let real = dist_of((0..=MAX_EXACT).map(|i| i as f64));
    let n = MAX_EXACT as u64 + 1;
    assert_eq!(real.check(n), Ok(n));
}
