//! Stable allocation by learner-proposing deferred acceptance (Gale–Shapley with capacities).
//!
//! Learners propose down their own list (best value first, ties by placement index); a
//! placement keeps its best `capacity` proposers by value, ties broken by the lower learner
//! index (= id), and rejects the rest. The result has no blocking pair and is the
//! learner-optimal stable assignment.

use super::graph::{Assignment, CandidateGraph};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A placement's priority of a learner: higher value first, then lower learner index.
type Priority = (i32, Reverse<u32>);

/// The learners a placement holds, weakest on top, with the arc each came by.
type Held = BinaryHeap<Reverse<(Priority, u32)>>;

#[inline]
fn priority(value: i32, learner: u32) -> Priority {
    (value, Reverse(learner))
}

/// The learner-optimal stable assignment.
pub fn solve(g: &CandidateGraph) -> Assignment {
    let n = g.n_learners();
    let mut next: Vec<usize> = (0..n).map(|i| g.arcs(i).start).collect();
    let mut arc_of = vec![u32::MAX; n];
    // Per placement: a min-heap of held learners by priority (the weakest on top).
    let mut held: Vec<Held> = (0..g.n_placements()).map(|_| BinaryHeap::new()).collect();
    let mut free: Vec<u32> = (0..n as u32).rev().collect();
    while let Some(i) = free.pop() {
        let iu = i as usize;
        let end = g.arcs(iu).end;
        while next[iu] < end {
            let a = next[iu];
            next[iu] += 1;
            if g.value(a) < 0 {
                break; // worse than staying unassigned, and so is the rest of the list
            }
            let j = g.target(a) as usize;
            let cap = g.capacity(j) as usize;
            if cap == 0 {
                continue;
            }
            let me = priority(g.value(a), i);
            let heap = &mut held[j];
            if heap.len() < cap {
                heap.push(Reverse((me, a as u32)));
                arc_of[iu] = a as u32;
                break;
            }
            let Reverse((weakest, _)) = *heap.peek().expect("full heap is not empty");
            if me > weakest {
                let Reverse(((_, Reverse(out)), _)) = heap.pop().expect("full heap");
                heap.push(Reverse((me, a as u32)));
                arc_of[iu] = a as u32;
                arc_of[out as usize] = u32::MAX;
                free.push(out);
                break;
            }
        }
    }
    Assignment::from_arcs(arc_of)
}

/// Pairs (learner, arc) that block the assignment: the learner prefers the arc's placement to
/// what it has (or to nothing, when the arc is worth at least 0), and the placement has a free
/// place or holds a learner it ranks lower. A stable assignment has none.
pub fn blocking_pairs(g: &CandidateGraph, asg: &Assignment) -> Vec<(usize, usize)> {
    let m = g.n_placements();
    let mut load = vec![0u32; m];
    let mut weakest: Vec<Option<Priority>> = vec![None; m];
    for i in 0..g.n_learners() {
        if let Some(a) = asg.arc(i) {
            let j = g.target(a) as usize;
            load[j] += 1;
            let p = priority(g.value(a), i as u32);
            if weakest[j].is_none_or(|w| p < w) {
                weakest[j] = Some(p);
            }
        }
    }
    let mut out = Vec::new();
    for i in 0..g.n_learners() {
        let mine = asg.arc(i);
        for a in g.arcs(i) {
            // Arcs are sorted best first: everything from the assigned arc on is not preferred.
            if Some(a) == mine || g.value(a) < 0 {
                break;
            }
            let j = g.target(a) as usize;
            let me = priority(g.value(a), i as u32);
            let open = load[j] < g.capacity(j);
            if open || weakest[j].is_some_and(|w| me > w) {
                out.push((i, a));
            }
        }
    }
    out
}
