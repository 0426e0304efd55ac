//! The auction's own copy of the candidate graph, laid out for the cache.
//!
//! Cohorts arrive in data order, so a learner's candidates are scattered over the whole
//! placement range and every price the auction reads is a cache miss. Numbering learners and
//! placements in breadth-first order over the graph puts neighbours (learners who share
//! candidates, placements that share learners) closer together. Every arc keeps its target and
//! value side by side, so a learner's row is one stream. The solver runs on this copy and maps
//! its answer back; the optimum's value does not depend on labels.

use super::graph::CandidateGraph;
use super::prefetch;
use rayon::prelude::*;
use std::collections::VecDeque;

const UNSEEN: u32 = u32::MAX;

/// The breadth-first order follows only every learner's best few candidates: bids touch
/// mostly those, and the walk costs a fraction of one over every arc.
const BFS_ARCS: usize = 8;

/// One candidate arc: the (relabelled) placement and the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arc {
    /// Placement, relabelled.
    pub to: u32,
    /// Value of assigning along the arc.
    pub value: i32,
}

/// A graph in breadth-first order and the way back to the original labels. Rows keep the
/// original graph's order (value descending).
pub struct Local {
    offsets: Vec<u32>,
    arcs: Vec<Arc>,
    capacity: Vec<u32>,
    /// Original learner of every new learner index.
    learner: Vec<u32>,
    /// Original placement of every new placement index.
    placement: Vec<u32>,
    /// The largest absolute arc value (labels do not change it).
    max_abs_value: i64,
}

/// Incoming arcs per placement, best value first (ties by learner), so a scan can stop at the
/// first arc whose value alone cannot beat what it has found. Value and learner are packed
/// into one `u64` per arc whose integer order is that order: the per-placement sort is a plain
/// integer sort and a scan reads one stream.
pub struct Reverse {
    start: Vec<u32>,
    packed: Vec<u64>,
}

impl Reverse {
    /// `(value, learner)` of every arc into placement `j`, best value first.
    #[inline]
    pub fn of(&self, j: usize) -> impl Iterator<Item = (i32, u32)> + '_ {
        self.packed[self.start[j] as usize..self.start[j + 1] as usize]
            .iter()
            .map(|&p| unpack(p))
    }
}

/// Learners per piece of the parallel copy.
const PIECE: usize = 2048;
/// How many rows ahead the copy asks for.
const AHEAD: usize = 8;

/// Copies the rows of `g` in the new learner order with new placement labels, in pieces on
/// every core (each piece writes its own part of the output, so the result does not depend on
/// the thread count).
fn gather(g: &CandidateGraph, learner: &[u32], offsets: &[u32], new_placement: &[u32]) -> Vec<Arc> {
    let mut arcs = vec![Arc { to: 0, value: 0 }; g.n_arcs()];
    let mut pieces = Vec::with_capacity(learner.len() / PIECE + 1);
    let mut rest = arcs.as_mut_slice();
    for (p, olds) in learner.chunks(PIECE).enumerate() {
        let first = p * PIECE;
        let len = (offsets[first + olds.len()] - offsets[first]) as usize;
        let (head, tail) = rest.split_at_mut(len);
        pieces.push((olds, head));
        rest = tail;
    }
    pieces.into_par_iter().for_each(|(olds, out)| {
        let mut k = 0;
        for (x, &old) in olds.iter().enumerate() {
            if let Some(&ahead) = olds.get(x + AHEAD) {
                g.prefetch_row(ahead as usize);
            }
            for a in g.arcs(old as usize) {
                out[k] = Arc {
                    to: new_placement[g.target(a) as usize],
                    value: g.value(a),
                };
                k += 1;
            }
        }
    });
    arcs
}

/// Higher values give smaller keys; equal values order by learner.
fn pack(value: i32, learner: u32) -> u64 {
    let order = (value as u32) ^ 0x8000_0000; // monotone in `value`
    ((!order as u64) << 32) | learner as u64
}

fn unpack(p: u64) -> (i32, u32) {
    let order = !((p >> 32) as u32);
    ((order ^ 0x8000_0000) as i32, p as u32)
}

impl Local {
    /// Numbers learners and placements in breadth-first order over every learner's first
    /// [`BFS_ARCS`] arcs (roots in learner order; learners without candidates, and placements
    /// in nobody's first arcs, last, in their original order).
    pub fn new(g: &CandidateGraph) -> Local {
        let (n, m) = (g.n_learners(), g.n_placements());
        let (rev_start, rev_owner) = g.owners(BFS_ARCS);
        let mut new_learner = vec![UNSEEN; n];
        let mut new_placement = vec![UNSEEN; m];
        let mut learner = Vec::with_capacity(n);
        let mut placement = Vec::with_capacity(m);
        let mut queue = VecDeque::new();
        for root in 0..n {
            if new_learner[root] != UNSEEN || g.arcs(root).is_empty() {
                continue;
            }
            new_learner[root] = learner.len() as u32;
            learner.push(root as u32);
            queue.push_back(root);
            while let Some(i) = queue.pop_front() {
                if let Some(&ahead) = queue.get(AHEAD) {
                    g.prefetch_row(ahead);
                }
                for a in g.arcs(i).take(BFS_ARCS) {
                    let j = g.target(a) as usize;
                    if new_placement[j] != UNSEEN {
                        continue;
                    }
                    new_placement[j] = placement.len() as u32;
                    placement.push(j as u32);
                    for &who in &rev_owner[rev_start[j] as usize..rev_start[j + 1] as usize] {
                        if new_learner[who as usize] == UNSEEN {
                            new_learner[who as usize] = learner.len() as u32;
                            learner.push(who);
                            queue.push_back(who as usize);
                        }
                    }
                }
            }
        }
        learner.extend((0..n as u32).filter(|&i| new_learner[i as usize] == UNSEEN));
        for (j, slot) in new_placement.iter_mut().enumerate() {
            if *slot == UNSEEN {
                *slot = placement.len() as u32;
                placement.push(j as u32);
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u32);
        for &old in &learner {
            offsets.push(offsets.last().unwrap() + g.arcs(old as usize).len() as u32);
        }
        let arcs = gather(g, &learner, &offsets, &new_placement);
        let capacity = placement.iter().map(|&j| g.capacity(j as usize)).collect();
        Local {
            offsets,
            arcs,
            capacity,
            learner,
            placement,
            max_abs_value: g.max_abs_value(),
        }
    }

    /// Number of learners.
    pub fn n_learners(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of placements.
    pub fn n_placements(&self) -> usize {
        self.capacity.len()
    }

    /// Arc indices of learner `i`, best first.
    #[inline]
    pub fn arcs(&self, i: usize) -> std::ops::Range<usize> {
        self.offsets[i] as usize..self.offsets[i + 1] as usize
    }

    /// The arcs of learner `i`, best first.
    #[inline]
    pub fn row(&self, i: usize) -> &[Arc] {
        &self.arcs[self.arcs(i)]
    }

    /// Hints that learner `i`'s row will be read soon.
    #[inline]
    pub fn prefetch_row(&self, i: usize) {
        let start = self.offsets[i] as usize;
        prefetch::read(&self.arcs, start);
        prefetch::read(&self.arcs, start + 8);
    }

    /// Arc `a`.
    #[inline]
    pub fn arc(&self, a: usize) -> Arc {
        self.arcs[a]
    }

    /// Open places of placement `j`.
    pub fn capacity(&self, j: usize) -> u32 {
        self.capacity[j]
    }

    /// The largest absolute arc value.
    pub fn max_abs_value(&self) -> i64 {
        self.max_abs_value
    }

    /// Incoming arcs per placement.
    pub fn reverse(&self) -> Reverse {
        let m = self.n_placements();
        let mut start = vec![0u32; m + 1];
        for a in &self.arcs {
            start[a.to as usize + 1] += 1;
        }
        for j in 0..m {
            start[j + 1] += start[j];
        }
        let mut fill = start.clone();
        let mut packed = vec![0u64; self.arcs.len()];
        for i in 0..self.n_learners() {
            for &Arc { to, value } in self.row(i) {
                packed[fill[to as usize] as usize] = pack(value, i as u32);
                fill[to as usize] += 1;
            }
        }
        for j in 0..m {
            packed[start[j] as usize..start[j + 1] as usize].sort_unstable();
        }
        Reverse { start, packed }
    }

    /// Maps arcs of this graph (per new learner, `u32::MAX` = none) back to arcs of the original
    /// graph `g` (per original learner).
    pub fn arcs_back(&self, g: &CandidateGraph, arc_of: &[u32]) -> Vec<u32> {
        let mut out = vec![u32::MAX; g.n_learners()];
        for (new, &a) in arc_of.iter().enumerate() {
            if a == u32::MAX {
                continue;
            }
            // Rows keep their order: the arc sits at the same position in the original row.
            let old = self.learner[new] as usize;
            let b = g.arcs(old).start + (a - self.offsets[new]) as usize;
            debug_assert_eq!(
                g.target(b),
                self.placement[self.arcs[a as usize].to as usize]
            );
            out[old] = b as u32;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_orders_by_value_then_learner() {
        let mut keys = [
            (5, 2),
            (-3, 0),
            (i32::MAX, 9),
            (5, 1),
            (i32::MIN, 0),
            (0, u32::MAX),
        ];
        let mut packed: Vec<u64> = keys.iter().map(|&(v, w)| pack(v, w)).collect();
        packed.sort_unstable();
        keys.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        let back: Vec<(i32, u32)> = packed.into_iter().map(unpack).collect();
        assert_eq!(back, keys);
    }

    #[test]
    fn relabelling_keeps_every_arc_and_maps_back() {
        // Learner 2 has no candidates; placement 2 has no learners.
        let g = CandidateGraph::new(
            vec![0, 2, 3, 3, 5],
            vec![3, 0, 1, 1, 3],
            vec![5, 7, 2, 4, 6],
            vec![1, 2, 3, 4],
        )
        .unwrap();
        let r = Local::new(&g);
        assert_eq!(r.arcs.len(), g.n_arcs());
        assert_eq!(r.learner, vec![0, 3, 1, 2], "breadth first from learner 0");
        assert_eq!(r.placement, vec![0, 3, 1, 2]);
        for (new, &old) in r.placement.iter().enumerate() {
            assert_eq!(r.capacity(new), g.capacity(old as usize));
        }
        // Rows keep their order, best first.
        let values: Vec<i32> = r.row(1).iter().map(|a| a.value).collect();
        assert_eq!(values, vec![6, 4]);
        // Every new arc maps back to an original arc of the same value.
        let arc_of: Vec<u32> = (0..4)
            .map(|i| r.arcs(i).next().map_or(u32::MAX, |a| a as u32))
            .collect();
        let back = r.arcs_back(&g, &arc_of);
        for (new, &a) in arc_of.iter().enumerate() {
            let old = r.learner[new] as usize;
            match a {
                u32::MAX => assert_eq!(back[old], u32::MAX),
                a => assert_eq!(g.value(back[old] as usize), r.arc(a as usize).value),
            }
        }
        // The reverse index lists every arc once, under its placement, best value first.
        let rev = r.reverse();
        let mut seen = 0;
        for j in 0..r.n_placements() {
            let into: Vec<(i32, u32)> = rev.of(j).collect();
            assert!(into
                .windows(2)
                .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1)));
            for (value, who) in into {
                assert!(r.row(who as usize).contains(&Arc {
                    to: j as u32,
                    value
                }));
                seen += 1;
            }
        }
        assert_eq!(seen, g.n_arcs());
    }
}
