//! The sparse candidate graph an allocation runs on: for every learner its candidate
//! placements (arcs) with integer values, and every placement's open places.
//!
//! Layout: compressed rows by learner (`offsets`, `targets`, `values`), each row sorted best
//! first (value descending, then placement index ascending), so an arc's position in its row is
//! the rank of that placement in the learner's own list.

use thiserror::Error;

/// A problem with a graph handed to [`CandidateGraph::new`].
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum GraphError {
    /// `offsets` is not a valid row index.
    #[error("offsets must start at 0, never decrease and end at the arc count ({arcs})")]
    BadOffsets {
        /// Number of arcs.
        arcs: usize,
    },
    /// An arc points past the last placement.
    #[error("learner {learner}: arc to placement {placement}, but there are only {placements} placements")]
    BadTarget {
        /// Learner index.
        learner: usize,
        /// Placement index given.
        placement: u32,
        /// Number of placements.
        placements: usize,
    },
    /// A learner has two arcs to the same placement.
    #[error("learner {learner}: more than one arc to placement {placement}")]
    DuplicateArc {
        /// Learner index.
        learner: usize,
        /// Placement index.
        placement: u32,
    },
    /// The graph is too large for 32-bit arc indices.
    #[error("{0} arcs is more than this solver's limit of 4,294,967,294")]
    TooLarge(usize),
}

/// Learners × candidate placements with values and capacities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateGraph {
    offsets: Vec<u32>,
    targets: Vec<u32>,
    values: Vec<i32>,
    capacity: Vec<u32>,
}

impl CandidateGraph {
    /// Builds a graph from rows; sorts every row best first. `values[a]` is what assigning along
    /// arc `a` is worth (a pair's score plus the learner's priority bonus); staying unassigned is
    /// worth 0.
    pub fn new(
        offsets: Vec<u32>,
        mut targets: Vec<u32>,
        mut values: Vec<i32>,
        capacity: Vec<u32>,
    ) -> Result<CandidateGraph, GraphError> {
        let arcs = targets.len();
        if arcs >= u32::MAX as usize {
            return Err(GraphError::TooLarge(arcs));
        }
        let ok = offsets.first() == Some(&0)
            && offsets.last() == Some(&(arcs as u32))
            && offsets.windows(2).all(|w| w[0] <= w[1])
            && values.len() == arcs;
        if !ok {
            return Err(GraphError::BadOffsets { arcs });
        }
        let mut row: Vec<(i32, u32)> = Vec::new();
        for i in 0..offsets.len() - 1 {
            let (a, b) = (offsets[i] as usize, offsets[i + 1] as usize);
            row.clear();
            row.extend(
                values[a..b]
                    .iter()
                    .copied()
                    .zip(targets[a..b].iter().copied()),
            );
            row.sort_unstable_by_key(|x| x.1);
            for w in row.windows(2) {
                if w[0].1 == w[1].1 {
                    return Err(GraphError::DuplicateArc {
                        learner: i,
                        placement: w[0].1,
                    });
                }
            }
            if let Some(&(_, t)) = row.last().filter(|x| x.1 as usize >= capacity.len()) {
                return Err(GraphError::BadTarget {
                    learner: i,
                    placement: t,
                    placements: capacity.len(),
                });
            }
            row.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            for (k, &(v, t)) in row.iter().enumerate() {
                values[a + k] = v;
                targets[a + k] = t;
            }
        }
        Ok(CandidateGraph {
            offsets,
            targets,
            values,
            capacity,
        })
    }

    /// Number of learners.
    pub fn n_learners(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of placements.
    pub fn n_placements(&self) -> usize {
        self.capacity.len()
    }

    /// Number of arcs.
    pub fn n_arcs(&self) -> usize {
        self.targets.len()
    }

    /// Arc indices of learner `i`, best first.
    #[inline]
    pub fn arcs(&self, i: usize) -> std::ops::Range<usize> {
        self.offsets[i] as usize..self.offsets[i + 1] as usize
    }

    /// Hints that learner `i`'s row will be read soon.
    #[inline]
    pub(crate) fn prefetch_row(&self, i: usize) {
        let start = self.offsets[i] as usize;
        super::prefetch::read(&self.targets, start);
        super::prefetch::read(&self.values, start);
    }

    /// The placement an arc leads to.
    #[inline]
    pub fn target(&self, arc: usize) -> u32 {
        self.targets[arc]
    }

    /// The value of an arc.
    #[inline]
    pub fn value(&self, arc: usize) -> i32 {
        self.values[arc]
    }

    /// Open places of placement `j`.
    #[inline]
    pub fn capacity(&self, j: usize) -> u32 {
        self.capacity[j]
    }

    /// 1-based rank of an arc in its learner's own list.
    pub fn rank(&self, i: usize, arc: usize) -> usize {
        arc - self.offsets[i] as usize + 1
    }

    /// The largest absolute arc value.
    pub fn max_abs_value(&self) -> i64 {
        self.values
            .iter()
            .map(|v| (*v as i64).abs())
            .max()
            .unwrap_or(0)
    }

    /// The learners of every placement over the first `top` arcs of every row (a learner's
    /// `top` best candidates), as (offsets, learners), in learner order.
    pub fn owners(&self, top: usize) -> (Vec<u32>, Vec<u32>) {
        let m = self.n_placements();
        let row = |i: usize| {
            let arcs = self.arcs(i);
            &self.targets[arcs.start..arcs.end.min(arcs.start.saturating_add(top))]
        };
        let mut count = vec![0u32; m + 1];
        for i in 0..self.n_learners() {
            for &t in row(i) {
                count[t as usize + 1] += 1;
            }
        }
        for j in 0..m {
            count[j + 1] += count[j];
        }
        let mut fill = count.clone();
        let mut owner = vec![0u32; count[m] as usize];
        for i in 0..self.n_learners() {
            for &t in row(i) {
                owner[fill[t as usize] as usize] = i as u32;
                fill[t as usize] += 1;
            }
        }
        (count, owner)
    }
}

/// Who got what: for every learner the arc it is assigned along, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    arc_of: Vec<u32>,
}

/// Marks "not assigned" in [`Assignment`].
const NONE: u32 = u32::MAX;

impl Assignment {
    /// Nobody assigned.
    pub fn empty(n_learners: usize) -> Assignment {
        Assignment {
            arc_of: vec![NONE; n_learners],
        }
    }

    /// From raw arcs (`u32::MAX` = unassigned).
    pub(crate) fn from_arcs(arc_of: Vec<u32>) -> Assignment {
        Assignment { arc_of }
    }

    /// The arc learner `i` is assigned along.
    #[inline]
    pub fn arc(&self, i: usize) -> Option<usize> {
        let a = self.arc_of[i];
        (a != NONE).then_some(a as usize)
    }

    /// Sum of assigned arc values.
    pub fn total(&self, g: &CandidateGraph) -> i64 {
        self.arc_of
            .iter()
            .filter(|&&a| a != NONE)
            .map(|&a| g.value(a as usize) as i64)
            .sum()
    }

    /// Learners assigned.
    pub fn placed(&self) -> usize {
        self.arc_of.iter().filter(|&&a| a != NONE).count()
    }

    /// Checks the assignment against the graph: arcs belong to their learner and no placement
    /// holds more than its open places. Returns the first problem.
    pub fn check(&self, g: &CandidateGraph) -> Result<(), String> {
        let mut load = vec![0u32; g.n_placements()];
        for i in 0..g.n_learners() {
            if let Some(a) = self.arc(i) {
                if !g.arcs(i).contains(&a) {
                    return Err(format!(
                        "learner {i} assigned along arc {a} of another learner"
                    ));
                }
                let j = g.target(a) as usize;
                load[j] += 1;
                if load[j] > g.capacity(j) {
                    return Err(format!("placement {j} over capacity {}", g.capacity(j)));
                }
            }
        }
        Ok(())
    }

    /// Fills free places with unassigned learners whose arcs are worth 0 (ties with staying
    /// unassigned), best rank first; the total is unchanged, and afterwards an unassigned learner
    /// has no candidate with an open place.
    pub(crate) fn fill_zero_value(&mut self, g: &CandidateGraph) {
        let mut load = vec![0u32; g.n_placements()];
        for a in self.arc_of.iter().filter(|&&a| a != NONE) {
            load[g.target(*a as usize) as usize] += 1;
        }
        for i in 0..g.n_learners() {
            if self.arc_of[i] != NONE {
                continue;
            }
            for a in g.arcs(i) {
                let j = g.target(a) as usize;
                if g.value(a) >= 0 && load[j] < g.capacity(j) {
                    load[j] += 1;
                    self.arc_of[i] = a as u32;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_count_only_the_first_arcs_of_each_row() {
        // Rows sort best first: learner 0 → 2 (9), 0 (5), 1 (1); learner 1 → 1 (7), 2 (3).
        let g = CandidateGraph::new(
            vec![0, 3, 5],
            vec![0, 2, 1, 2, 1],
            vec![5, 9, 1, 3, 7],
            vec![1; 3],
        )
        .unwrap();
        assert_eq!(
            g.owners(usize::MAX),
            (vec![0, 1, 3, 5], vec![0, 0, 1, 0, 1])
        );
        assert_eq!(g.owners(1), (vec![0, 0, 1, 2], vec![1, 0]));
        assert_eq!(g.owners(0), (vec![0, 0, 0, 0], vec![]));
    }
}
