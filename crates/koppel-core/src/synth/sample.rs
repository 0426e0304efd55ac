//! Weighted random choice: cumulative tables for large weight lists, a linear scan for short
//! static ones.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Cumulative weights for drawing an index in O(log n).
#[derive(Clone, Debug)]
pub(super) struct Cum {
    acc: Vec<f64>,
}

impl Cum {
    /// A table over non-negative weights; `None` when they sum to zero.
    pub(super) fn try_new(weights: impl IntoIterator<Item = f64>) -> Option<Cum> {
        let mut total = 0.0;
        let acc: Vec<f64> = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        (total > 0.0).then_some(Cum { acc })
    }

    /// Like [`Cum::try_new`]; panics on an all-zero table (a bug in the built-in tables).
    pub(super) fn new(weights: impl IntoIterator<Item = f64>) -> Cum {
        Cum::try_new(weights).expect("weights sum to more than zero")
    }

    /// The same table with every index for which `keep` is false weighted 0; `None` when
    /// nothing is left.
    pub(super) fn restricted(&self, keep: impl Fn(usize) -> bool) -> Option<Cum> {
        let mut prev = 0.0;
        let weights: Vec<f64> = self
            .acc
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let w = c - prev;
                prev = c;
                if keep(i) {
                    w
                } else {
                    0.0
                }
            })
            .collect();
        Cum::try_new(weights)
    }

    /// Draws an index with probability proportional to its weight.
    #[inline]
    pub(super) fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = self.acc[self.acc.len() - 1];
        let u = rng.random::<f64>() * total;
        self.acc
            .partition_point(|&c| c <= u)
            .min(self.acc.len() - 1)
    }
}

/// Draws from a short static table of `(value, weight)` by a linear scan.
#[inline]
pub(super) fn pick<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|&(_, w)| w).sum();
    let mut u = rng.random_range(0..total);
    for &(v, w) in table {
        if u < w {
            return v;
        }
        u -= w;
    }
    table[table.len() - 1].0
}
