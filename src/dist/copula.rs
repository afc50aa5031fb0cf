//! The Gaussian copula of `[[correlations]]`: rank-correlated parameters with unchanged
//! marginals.
//!
//! Each correlation asks for a Spearman rank correlation r_s between two parameters. Under a
//! Gaussian copula the normals' correlation that gives it is rho = 2 sin(pi r_s / 6) (Pearson
//! 1907; the map is exact for the copula whatever the marginals, as long as they are
//! continuous). The parameters linked by correlations form connected groups; for each group
//! the matrix of rhos (1 on the diagonal, 0 for pairs not given) is factored once, L L' = R
//! (Cholesky), and a run draws one independent standard normal z per member, from the
//! member's own addressed stream, takes x = L z and maps each x_i through its marginal's
//! inverse CDF at P(Z <= x_i) ([`Marginal::at_score`]). Each x_i is standard normal, so
//! each parameter keeps its distribution; the draws depend only on (seed, run, parameter).
//!
//! The matrix must be positive semi-definite (rank = 1 or -1 make it singular, and are
//! allowed: the two parameters then move in lockstep); the loader checks it with
//! [`smallest_eigenvalue`] and says how far off an invalid one is ([`largest_valid_scale`]).

use super::Marginal;

/// The normal correlation whose Gaussian copula has Spearman rank correlation `rank`.
pub fn normal_correlation(rank: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rank / 6.0).sin()
}

/// A smallest eigenvalue at or above this (rounding below zero) counts as semi-definite.
pub const EIGEN_TOLERANCE: f64 = 1e-10;

/// One correlation between two parameters: their indices and the rank correlation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    /// The first parameter.
    pub a: usize,
    /// The second.
    pub b: usize,
    /// The Spearman rank correlation asked for, in [-1, 1].
    pub rank: f64,
}

/// The connected groups of `pairs` over items `0..n`: each group's members, ascending, and
/// the indices of its pairs; groups ordered by their smallest member, singletons left out.
pub fn groups(n: usize, pairs: &[Pair]) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for p in pairs {
        let (ra, rb) = (root(&mut parent, p.a), root(&mut parent, p.b));
        parent[ra.max(rb)] = ra.min(rb);
    }
    let mut out: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    let mut slot: Vec<Option<usize>> = vec![None; n];
    let linked: Vec<bool> = {
        let mut l = vec![false; n];
        for p in pairs {
            l[p.a] = true;
            l[p.b] = true;
        }
        l
    };
    for (i, _) in linked.iter().enumerate().filter(|(_, l)| **l) {
        let r = root(&mut parent, i);
        let g = *slot[r].get_or_insert_with(|| {
            out.push((Vec::new(), Vec::new()));
            out.len() - 1
        });
        out[g].0.push(i);
    }
    for (k, p) in pairs.iter().enumerate() {
        let r = root(&mut parent, p.a);
        if let Some(g) = slot[r] {
            out[g].1.push(k);
        }
    }
    out
}

/// The normal correlation matrix (row-major, `members.len()` square) of a group, the ranks
/// multiplied by `scale`.
pub fn matrix(members: &[usize], pairs: &[Pair], scale: f64) -> Vec<f64> {
    let n = members.len();
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
    }
    let at = |p: usize| members.iter().position(|&m| m == p);
    for p in pairs {
        if let (Some(i), Some(j)) = (at(p.a), at(p.b)) {
            let rho = normal_correlation(p.rank * scale);
            m[i * n + j] = rho;
            m[j * n + i] = rho;
        }
    }
    m
}

/// The smallest eigenvalue of a symmetric `n` x `n` matrix (row-major), by cyclic Jacobi
/// rotations (a correlation group has a few members; converged to ~1e-15).
pub fn smallest_eigenvalue(m: &[f64], n: usize) -> f64 {
    let mut a = m.to_vec();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
            }
        }
    }
    (0..n).map(|i| a[i * n + i]).fold(f64::INFINITY, f64::min)
}

/// The largest factor in [0, 1] by which every rank of a group can be multiplied for its
/// matrix to be valid (semi-definite), to 1e-4: how far from valid an invalid group is.
pub fn largest_valid_scale(members: &[usize], pairs: &[Pair]) -> f64 {
    let n = members.len();
    let valid = |s: f64| smallest_eigenvalue(&matrix(members, pairs, s), n) >= -EIGEN_TOLERANCE;
    let (mut lo, mut hi) = (0.0, 1.0);
    while hi - lo > 1e-4 {
        let mid = (lo + hi) / 2.0;
        if valid(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The lower-triangular L (row-major) with L L' = `m`, for a semi-definite `m`: a pivot at
/// or below rounding gives a zero column (that member then follows the ones before it).
fn cholesky(m: &[f64], n: usize) -> Vec<f64> {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let d = m[j * n + j] - (0..j).map(|k| l[j * n + k] * l[j * n + k]).sum::<f64>();
        if d <= 1e-12 {
            continue;
        }
        let root = d.sqrt();
        l[j * n + j] = root;
        for i in j + 1..n {
            let s = m[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            l[i * n + j] = s / root;
        }
    }
    l
}

/// One connected group, ready to draw.
#[derive(Clone, Debug)]
struct Group {
    members: Vec<usize>,
    /// Its Cholesky factor, row-major.
    chol: Vec<f64>,
    marginals: Vec<Marginal>,
}

/// The copula of a model's correlations among the parameters that are drawn (a parameter
/// that `--set` or a sweep point fixes drops out, the others keep their marginals and the
/// correlations among themselves).
#[derive(Clone, Debug, Default)]
pub struct Copula {
    groups: Vec<Group>,
    /// The most members of a group (the size of the draw's scratch space).
    widest: usize,
}

impl Copula {
    /// The copula of `pairs` over parameters `0..n`, where `marginal(p)` is the marginal
    /// of a drawn parameter and None for one that is not (fixed, or whose arguments are not
    /// constants): pairs with such a parameter are left out.
    pub fn new(n: usize, pairs: &[Pair], marginal: impl Fn(usize) -> Option<Marginal>) -> Copula {
        let marginals: Vec<Option<Marginal>> = (0..n).map(&marginal).collect();
        let kept: Vec<Pair> = pairs
            .iter()
            .copied()
            .filter(|p| p.a < n && p.b < n && p.a != p.b)
            .filter(|p| marginals[p.a].is_some() && marginals[p.b].is_some())
            .collect();
        let mut built = Vec::new();
        for (members, _) in groups(n, &kept) {
            let k = members.len();
            let m = matrix(&members, &kept, 1.0);
            built.push(Group {
                chol: cholesky(&m, k),
                marginals: members
                    .iter()
                    .filter_map(|&p| marginals[p].clone())
                    .collect(),
                members,
            });
        }
        let widest = built.iter().map(|g| g.members.len()).max().unwrap_or(0);
        Copula {
            groups: built,
            widest,
        }
    }

    /// Whether no parameter is correlated.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Per parameter of `0..n`: whether the copula draws it.
    pub fn drawn(&self, n: usize) -> Vec<bool> {
        let mut out = vec![false; n];
        for p in self.members() {
            if let Some(slot) = out.get_mut(p) {
                *slot = true;
            }
        }
        out
    }

    /// The correlated parameters, group by group.
    pub fn members(&self) -> impl Iterator<Item = usize> + '_ {
        self.groups.iter().flat_map(|g| g.members.iter().copied())
    }

    /// Draws every correlated parameter into `out` (indexed by parameter): `z(p)` is an
    /// independent standard normal from parameter p's own stream.
    #[inline]
    pub fn draw(&self, mut z: impl FnMut(usize) -> f64, out: &mut [f64]) {
        let mut zs = [0.0; 16];
        let mut heap = Vec::new();
        let zs: &mut [f64] = if self.widest <= zs.len() {
            &mut zs
        } else {
            heap.resize(self.widest, 0.0);
            &mut heap
        };
        for g in &self.groups {
            let n = g.members.len();
            for (slot, &p) in zs.iter_mut().zip(&g.members) {
                *slot = z(p);
            }
            for i in 0..n {
                let row = &g.chol[i * n..i * n + i + 1];
                let x: f64 = row.iter().zip(&zs[..=i]).map(|(l, z)| l * z).sum();
                out[g.members[i]] = g.marginals[i].at_score(x);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spearman_map_is_pearson_s() {
        assert_eq!(normal_correlation(0.0), 0.0);
        assert!((normal_correlation(1.0) - 1.0).abs() < 1e-15);
        assert!(
            (normal_correlation(-0.5) + 2.0 * (std::f64::consts::PI / 12.0).sin()).abs() < 1e-15
        );
    }

    #[test]
    fn groups_are_connected_components() {
        let p = |a, b| Pair { a, b, rank: 0.5 };
        let g = groups(6, &[p(4, 1), p(0, 2), p(2, 5)]);
        assert_eq!(g, vec![(vec![0, 2, 5], vec![1, 2]), (vec![1, 4], vec![0])]);
    }

    #[test]
    fn an_impossible_triangle_is_not_semi_definite() {
        // a ~ b and b ~ c strongly, a ~ c strongly against: impossible.
        let pairs = [
            Pair {
                a: 0,
                b: 1,
                rank: 0.9,
            },
            Pair {
                a: 1,
                b: 2,
                rank: 0.9,
            },
            Pair {
                a: 0,
                b: 2,
                rank: -0.9,
            },
        ];
        let m = matrix(&[0, 1, 2], &pairs, 1.0);
        let low = smallest_eigenvalue(&m, 3);
        assert!(low < -0.5, "{low}");
        let s = largest_valid_scale(&[0, 1, 2], &pairs);
        assert!(s > 0.3 && s < 0.9, "{s}");
        let at = smallest_eigenvalue(&matrix(&[0, 1, 2], &pairs, s), 3);
        assert!(at.abs() < 1e-3, "{at}");
        // The eigenvalues of [[1, r], [r, 1]] are 1 - |r| and 1 + |r|.
        let two = matrix(&[0, 1], &pairs[..1], 1.0);
        let r = normal_correlation(0.9);
        assert!((smallest_eigenvalue(&two, 2) - (1.0 - r)).abs() < 1e-14);
    }

    #[test]
    fn the_factor_reproduces_the_matrix() {
        let pairs = [
            Pair {
                a: 0,
                b: 1,
                rank: 0.6,
            },
            Pair {
                a: 1,
                b: 2,
                rank: -0.3,
            },
            Pair {
                a: 0,
                b: 3,
                rank: 0.5,
            },
        ];
        let members = [0, 1, 2, 3];
        let m = matrix(&members, &pairs, 1.0);
        let l = cholesky(&m, 4);
        for i in 0..4 {
            for j in 0..4 {
                let v: f64 = (0..4).map(|k| l[i * 4 + k] * l[j * 4 + k]).sum();
                assert!((v - m[i * 4 + j]).abs() < 1e-12, "{i} {j}: {v}");
            }
        }
        // Rank 1: semi-definite, the second member follows the first.
        let l = cholesky(
            &matrix(
                &[0, 1],
                &[Pair {
                    a: 0,
                    b: 1,
                    rank: 1.0,
                }],
                1.0,
            ),
            2,
        );
        assert!(
            (l[0] - 1.0).abs() < 1e-15 && (l[2] - 1.0).abs() < 1e-15,
            "{l:?}"
        );
        assert!(l[1] == 0.0 && l[3].abs() < 1e-6, "{l:?}");
    }
}
