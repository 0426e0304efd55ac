//! Exact maximum-value allocation by an ε-scaling auction (Bertsekas), specialised to this
//! problem: unit demands, capacities as priced copies ([`Slots`]), "stay unassigned" as a free
//! outside option worth 0, and a reverse step that lowers the price of copies left empty.
//!
//! **Why it is exact.** Values are multiplied by `n + 1` (n = learners). The forward auction
//! keeps ε-complementary slackness: every assigned learner's profit `value − price paid` is
//! within ε of the best `value − cheapest price` over its candidates and of 0; an unassigned
//! learner has nothing better than 0. The reverse step makes every unheld copy cost 0. Then the
//! dual (learner profits, cheapest copy prices) is within `n·ε` of the assignment's value. With
//! ε = 1 in scaled units that gap is below `n + 1`, the scale, so the integer total is optimal.
//!
//! **Why it is fast.** ε starts large and shrinks by [`SCALE_STEP`] per phase; prices carry over
//! and learners whose slack still holds keep their places (warm start), so later phases only
//! move the contested few. A learner whose own placement is still its best at that placement's
//! cheapest price pays that price instead of bidding again (the cheapest price, and so every
//! other learner's slack and the dual, stay as they were). After every phase the duality gap is
//! measured exactly; once it is below one unscaled point the assignment is optimal and the
//! remaining phases are skipped.
//!
//! Memory, not arithmetic, bounds the speed: the solver runs on its own copy of the graph in
//! breadth-first order ([`Local`]), rows stop at the first arc whose value cannot beat the
//! second best (rows are sorted and prices are never negative), and the reverse scan reads
//! learner profits from one array.

use super::graph::{Assignment, CandidateGraph};
use super::locality::{Local, Reverse};
use super::slots::{Slots, FREE};
use std::collections::VecDeque;

/// Factor by which ε shrinks between phases.
pub const SCALE_STEP: i64 = 4;

/// Progress callback: `(phase, phases)`.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// The optimal (maximum total value) assignment of the graph. Deterministic: learners bid in
/// index order; the result depends only on the graph.
pub fn solve(g: &CandidateGraph, progress: Progress<'_>) -> Assignment {
    let local = Local::new(g);
    let arc_of = Auction::new(&local).run(progress);
    let mut out = Assignment::from_arcs(local.arcs_back(g, &arc_of));
    out.fill_zero_value(g);
    out
}

struct Auction<'g> {
    g: &'g Local,
    scale: i64,
    slots: Slots,
    /// Cheapest copy price per placement (`i64::MAX` for none), a cache of `slots`.
    min_price: Vec<i64>,
    arc_of: Vec<u32>,
    /// `value − price paid` per assigned learner, 0 for a free one (one load in the reverse scan).
    profit: Vec<i64>,
    queue: VecDeque<u32>,
    /// `best_option(i)` per learner at the current prices, filled by [`Auction::duality_gap`]
    /// (prices do not change between that and the next [`Auction::release_unhappy`]).
    best: Vec<i64>,
}

impl<'g> Auction<'g> {
    fn new(g: &'g Local) -> Auction<'g> {
        // A placement can hold no more learners than it has candidates.
        let mut indegree = vec![0usize; g.n_placements()];
        for i in 0..g.n_learners() {
            for a in g.row(i) {
                indegree[a.to as usize] += 1;
            }
        }
        let slots =
            Slots::new((0..g.n_placements()).map(|j| (g.capacity(j) as usize).min(indegree[j])));
        let min_price = (0..g.n_placements()).map(|j| slots.min_price(j)).collect();
        Auction {
            g,
            scale: g.n_learners() as i64 + 1,
            slots,
            min_price,
            arc_of: vec![FREE; g.n_learners()],
            profit: vec![0; g.n_learners()],
            queue: VecDeque::new(),
            best: Vec::new(),
        }
    }

    #[inline]
    fn value(&self, arc: usize) -> i64 {
        self.g.arc(arc).value as i64 * self.scale
    }

    /// Best `value − cheapest price` over a learner's candidates, floored at the outside option 0.
    /// Rows are sorted by value, best first, and prices are never negative, so the scan stops at
    /// the first arc whose value alone cannot beat the best found.
    fn best_option(&self, i: usize) -> i64 {
        let mut best = 0;
        for a in self.g.row(i) {
            let v = a.value as i64 * self.scale;
            if v <= best {
                break;
            }
            best = best.max(v.saturating_sub(self.min_price[a.to as usize]));
        }
        best
    }

    #[inline]
    fn profit(&self, i: usize) -> i64 {
        self.profit[i]
    }

    /// The assigned arc of every learner.
    fn run(mut self, progress: Progress<'_>) -> Vec<u32> {
        let top = self.g.max_abs_value() * self.scale;
        let mut schedule = Vec::new();
        let mut eps = (top / SCALE_STEP).max(1);
        loop {
            schedule.push(eps);
            if eps == 1 {
                break;
            }
            eps = (eps / SCALE_STEP).max(1);
        }
        let reverse = self.g.reverse();
        for (phase, &eps) in schedule.iter().enumerate() {
            progress(phase, schedule.len());
            self.release_unhappy(eps);
            self.forward(eps);
            // Repairing in every phase keeps the reverse work ε-scaled too; leaving it to the
            // last phase makes that phase creep by ε = 1 steps (measured: minutes, not seconds).
            self.repair(eps, &reverse);
            // Weak duality bounds the optimum by any prices; once the bound is within one
            // (unscaled) point of the assignment's value, the integer optimum is reached.
            if self.duality_gap() < self.scale {
                break;
            }
        }
        progress(schedule.len(), schedule.len());
        self.arc_of
    }

    /// Frees every learner whose ε-slackness fails at the new ε and queues every unassigned
    /// learner that has a candidate worth more than staying out.
    fn release_unhappy(&mut self, eps: i64) {
        if self.best.len() != self.g.n_learners() {
            self.best = (0..self.g.n_learners())
                .map(|i| self.best_option(i))
                .collect();
        }
        // In learner order (sequential reads); the order of releases does not matter, as a
        // release only marks the copy unheld and keeps its price.
        for i in 0..self.g.n_learners() {
            let a = self.arc_of[i];
            if a != FREE && self.profit(i) < self.best[i] - eps {
                let j = self.g.arc(a as usize).to as usize;
                let s = self.slots.find(j, i as u32).expect("holder has a slot");
                if self.value(a as usize) - self.min_price[j] >= self.best[i] - eps {
                    // Its own placement is still (nearly) its best at the cheapest copy's
                    // price: pay that instead of bidding again. The cheapest price is unchanged,
                    // so nobody else's slackness or the dual moves.
                    let p = self.min_price[j];
                    self.slots.lower(j, s, p, i as u32);
                    self.profit[i] = self.value(a as usize) - p;
                } else {
                    self.slots.release(s);
                    self.arc_of[i] = FREE;
                    self.profit[i] = 0;
                }
            }
        }
        self.queue.clear();
        for i in 0..self.g.n_learners() {
            if self.arc_of[i] == FREE && self.best[i] > 0 {
                self.queue.push_back(i as u32);
            }
        }
    }

    /// Gauss–Seidel forward auction: unassigned learners bid for their best copy.
    fn forward(&mut self, eps: i64) {
        while let Some(i) = self.queue.pop_front() {
            let i = i as usize;
            let (mut best, mut best_arc, mut second) = (i64::MIN, usize::MAX, 0i64);
            for (a, arc) in self.g.arcs(i).zip(self.g.row(i)) {
                let v = arc.value as i64 * self.scale;
                if v <= second {
                    break; // sorted rows: no later arc beats the second best (prices are ≥ 0)
                }
                let v = v.saturating_sub(self.min_price[arc.to as usize]);
                if v > best {
                    second = second.max(best);
                    best = v;
                    best_arc = a;
                } else if v > second {
                    second = v;
                }
            }
            if best <= 0 {
                continue; // staying unassigned is as good: the outside option
            }
            let j = self.g.arc(best_arc).to as usize;
            // The second-cheapest copy of the same placement is an alternative too.
            if let Some(p2) = self.slots.second_price(j) {
                second = second.max(self.value(best_arc) - p2);
            }
            let bid = self.value(best_arc) - second + eps;
            let evicted = self.slots.take_cheapest(j, i as u32, bid);
            self.min_price[j] = self.slots.min_price(j);
            self.arc_of[i] = best_arc as u32;
            self.profit[i] = self.value(best_arc) - bid;
            if evicted != FREE {
                self.arc_of[evicted as usize] = FREE;
                self.profit[evicted as usize] = 0;
                self.queue.push_back(evicted);
            }
        }
    }

    /// Reverse step: every unheld copy with a positive price bids for the learner it is worth
    /// most to, or drops its price to 0 when no learner would gain more than ε. Learner profits
    /// only rise and copy prices only fall, so this ends; afterwards unheld copies cost 0.
    fn repair(&mut self, eps: i64, reverse: &Reverse) {
        let mut todo: Vec<usize> = (0..self.g.n_placements())
            .filter(|&j| self.has_priced_empty_copy(j))
            .collect();
        while let Some(j) = todo.pop() {
            while let Some(s) = self.priced_empty_copy(j) {
                let (mut best, mut best_who, mut best_arc, mut second) =
                    (i64::MIN, FREE, 0, i64::MIN);
                let (from, to) = (reverse.start[j] as usize, reverse.start[j + 1] as usize);
                for (r, &(value, who)) in reverse.value_owner[from..to].iter().enumerate() {
                    let v = value as i64 * self.scale - self.profit[who as usize];
                    if v > best {
                        second = second.max(best);
                        best = v;
                        best_who = who;
                        best_arc = reverse.arc[from + r] as usize;
                    } else if v > second {
                        second = v;
                    }
                }
                if best <= eps {
                    self.slots.lower(j, s, 0, FREE);
                } else {
                    let price = second.saturating_sub(eps).max(0);
                    let who = best_who as usize;
                    if self.arc_of[who] != FREE {
                        let old = self.g.arc(self.arc_of[who] as usize).to as usize;
                        let old_slot = self.slots.find(old, best_who).expect("holder has a slot");
                        self.slots.release(old_slot);
                        if old != j && self.slots.slot(old_slot).0 > 0 {
                            todo.push(old);
                        }
                    }
                    // The copy may have moved when the old slot was in the same heap.
                    let s = self.priced_empty_copy(j).unwrap_or(s);
                    self.slots
                        .lower(j, s, price.min(self.slots.slot(s).0), best_who);
                    self.arc_of[who] = best_arc as u32;
                    let paid = self.slots.slot(self.slots.find(j, best_who).unwrap()).0;
                    self.profit[who] = self.value(best_arc) - paid;
                }
                self.min_price[j] = self.slots.min_price(j);
            }
        }
    }

    /// `dual − primal` in scaled units, where the dual is `Σ_i max(0, max_k(a_ik − p_k)) +
    /// Σ_j copies_j · p_j` with `p_j` the cheapest copy price (`0` for a placement without copies):
    /// an upper bound on the optimum for any prices (weak duality).
    fn duality_gap(&mut self) -> i64 {
        let mut dual: i64 = 0;
        let mut best = std::mem::take(&mut self.best);
        best.clear();
        best.extend((0..self.g.n_learners()).map(|i| self.best_option(i)));
        dual += best.iter().sum::<i64>();
        self.best = best;
        for j in 0..self.g.n_placements() {
            if self.slots.copies(j) > 0 {
                dual += self.slots.copies(j) as i64 * self.min_price[j];
            }
        }
        let primal: i64 = (0..self.g.n_learners())
            .filter(|&i| self.arc_of[i] != FREE)
            .map(|i| self.value(self.arc_of[i] as usize))
            .sum();
        dual - primal
    }

    fn priced_empty_copy(&self, j: usize) -> Option<usize> {
        self.slots
            .range(j)
            .filter(|&s| {
                let (p, h) = self.slots.slot(s);
                h == FREE && p > 0
            })
            .max_by_key(|&s| self.slots.slot(s).0)
    }

    fn has_priced_empty_copy(&self, j: usize) -> bool {
        self.priced_empty_copy(j).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(rows: &[&[(u32, i32)]], capacity: &[u32]) -> CandidateGraph {
        let mut offsets = vec![0u32];
        let (mut t, mut v) = (Vec::new(), Vec::new());
        for r in rows {
            for &(a, b) in *r {
                t.push(a);
                v.push(b);
            }
            offsets.push(t.len() as u32);
        }
        CandidateGraph::new(offsets, t, v, capacity.to_vec()).unwrap()
    }

    #[test]
    fn one_place_two_learners() {
        let g = graph(&[&[(0, 5)], &[(0, 9)]], &[1]);
        let a = solve(&g, &mut |_, _| {});
        assert_eq!(a.total(&g), 9);
    }

    #[test]
    fn swap_is_found() {
        let g = graph(&[&[(0, 10), (1, 9)], &[(0, 10), (1, 1)]], &[1, 1]);
        let a = solve(&g, &mut |_, _| {});
        assert_eq!(a.total(&g), 19);
    }

    #[test]
    fn capacity_two() {
        let g = graph(&[&[(0, 3)], &[(0, 4)], &[(0, 5), (1, 1)]], &[2, 1]);
        let a = solve(&g, &mut |_, _| {});
        assert_eq!(a.total(&g), 9);
    }
}
