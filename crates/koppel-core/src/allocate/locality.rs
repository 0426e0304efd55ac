//! The auction's own copy of the candidate graph, laid out for the cache.
//!
//! Cohorts arrive in data order, so a learner's candidates are scattered over the whole
//! placement range and every price the auction reads is a cache miss. Numbering learners and
//! placements in breadth-first order over the graph puts neighbours (learners who share
//! candidates, placements that share learners) closer together. Every arc keeps its target and
//! value side by side, so a learner's row is one stream. The solver runs on this copy and maps
//! its answer back; the optimum's value does not depend on labels.

use super::graph::CandidateGraph;
use std::collections::VecDeque;

const UNSEEN: u32 = u32::MAX;

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
}

/// Incoming arcs per placement, in learner order: offsets, then for every arc its value and
/// learner side by side (the reverse scan reads nothing else), and its arc index.
pub struct Reverse {
    pub start: Vec<u32>,
    pub value_owner: Vec<(i32, u32)>,
    pub arc: Vec<u32>,
}

impl Local {
    /// Numbers learners and placements in breadth-first order (roots in learner order, learners
    /// without candidates and placements without learners last, in their original order).
    pub fn new(g: &CandidateGraph) -> Local {
        let (n, m) = (g.n_learners(), g.n_placements());
        let (rev_start, rev_owner) = g.owners();
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
                for a in g.arcs(i) {
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
        let mut arcs = Vec::with_capacity(g.n_arcs());
        for &old in &learner {
            arcs.extend(g.arcs(old as usize).map(|a| Arc {
                to: new_placement[g.target(a) as usize],
                value: g.value(a),
            }));
        }
        let capacity = placement.iter().map(|&j| g.capacity(j as usize)).collect();
        Local {
            offsets,
            arcs,
            capacity,
            learner,
            placement,
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
        self.arcs
            .iter()
            .map(|a| (a.value as i64).abs())
            .max()
            .unwrap_or(0)
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
        let mut value_owner = vec![(0, 0); self.arcs.len()];
        let mut arc = vec![0u32; self.arcs.len()];
        for i in 0..self.n_learners() {
            for a in self.arcs(i) {
                let Arc { to, value } = self.arcs[a];
                let r = fill[to as usize] as usize;
                value_owner[r] = (value, i as u32);
                arc[r] = a as u32;
                fill[to as usize] += 1;
            }
        }
        Reverse {
            start,
            value_owner,
            arc,
        }
    }

    /// Maps arcs of this graph (per new learner, `u32::MAX` = none) back to arcs of the original
    /// graph `g` (per original learner).
    pub fn arcs_back(&self, g: &CandidateGraph, arc_of: &[u32]) -> Vec<u32> {
        let mut out = vec![u32::MAX; g.n_learners()];
        for (new, &a) in arc_of.iter().enumerate() {
            if a == u32::MAX {
                continue;
            }
            let old = self.learner[new] as usize;
            let j = self.placement[self.arcs[a as usize].to as usize];
            out[old] =
                g.arcs(old)
                    .find(|&b| g.target(b) == j)
                    .expect("the relabelled arc exists in the original row") as u32;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // The reverse index lists every arc once, under its placement.
        let rev = r.reverse();
        assert_eq!(rev.start.last(), Some(&(g.n_arcs() as u32)));
        for j in 0..r.n_placements() {
            for k in rev.start[j] as usize..rev.start[j + 1] as usize {
                let (value, who) = rev.value_owner[k];
                let a = rev.arc[k] as usize;
                assert_eq!(
                    r.arc(a),
                    Arc {
                        to: j as u32,
                        value
                    }
                );
                assert!(r.arcs(who as usize).contains(&a));
            }
        }
    }
}
