//! Bounded best-k selection with the engine's one ordering: higher score first, then lower index
//! (= lower id).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An item with its score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scored<I> {
    /// The item.
    pub idx: I,
    /// Its score, 0..=1000.
    pub score: u16,
}

/// Ordering key: larger is better.
#[inline]
fn key(score: u16, id: u32) -> u64 {
    ((score as u64) << 32) | (u32::MAX - id) as u64
}

/// Keeps the `k` best `(score, id)` pairs seen.
#[derive(Debug)]
pub struct TopK {
    k: usize,
    heap: BinaryHeap<Reverse<u64>>,
}

impl TopK {
    /// An empty selection of at most `k`.
    pub fn new(k: usize) -> TopK {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    /// Offers one pair.
    #[inline]
    pub fn push(&mut self, score: u16, id: u32) {
        if self.k == 0 {
            return;
        }
        let kk = key(score, id);
        if self.heap.len() < self.k {
            self.heap.push(Reverse(kk));
        } else if let Some(&Reverse(worst)) = self.heap.peek() {
            if kk > worst {
                self.heap.pop();
                self.heap.push(Reverse(kk));
            }
        }
    }

    /// The score an item must reach to enter (ties then go by id) once `k` are held.
    #[inline]
    pub fn threshold(&self) -> Option<u16> {
        if self.k == 0 {
            return Some(u16::MAX);
        }
        (self.heap.len() == self.k).then(|| (self.heap.peek().expect("k > 0 items").0 >> 32) as u16)
    }

    /// Empties the selection and sets a new `k`, keeping the memory.
    pub fn reset(&mut self, k: usize) {
        self.k = k;
        self.heap.clear();
    }

    /// Appends the selection to `out`, best first, with ids wrapped as `I`, and empties it.
    pub fn drain_into<I>(&mut self, wrap: impl Fn(u32) -> I, out: &mut Vec<Scored<I>>) {
        let from = out.len();
        // The heap pops the worst first: ascending keys, reversed below.
        while let Some(Reverse(k)) = self.heap.pop() {
            out.push(Scored {
                idx: wrap(u32::MAX - (k as u32)),
                score: (k >> 32) as u16,
            });
        }
        out[from..].reverse();
    }

    /// The selection, best first, with ids wrapped as `I`.
    pub fn into_scored<I>(self, wrap: impl Fn(u32) -> I) -> Vec<Scored<I>> {
        self.into_sorted()
            .into_iter()
            .map(|(score, id)| Scored {
                idx: wrap(id),
                score,
            })
            .collect()
    }

    /// The selection, best first.
    pub fn into_sorted(self) -> Vec<(u16, u32)> {
        let mut keys: Vec<u64> = self.heap.into_iter().map(|Reverse(k)| k).collect();
        keys.sort_unstable_by(|a, b| b.cmp(a));
        keys.into_iter()
            .map(|k| ((k >> 32) as u16, u32::MAX - (k as u32)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_best_and_breaks_ties_by_lower_id() {
        let mut t = TopK::new(3);
        for (s, id) in [(500, 9), (700, 4), (500, 2), (900, 7), (500, 1), (100, 0)] {
            t.push(s, id);
        }
        assert_eq!(t.into_sorted(), vec![(900, 7), (700, 4), (500, 1)]);
    }

    #[test]
    fn zero_k_keeps_nothing() {
        let mut t = TopK::new(0);
        t.push(1000, 1);
        assert!(t.into_sorted().is_empty());
    }
}
