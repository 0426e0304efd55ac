//! Candidate index: top-k placements for a learner and top-k learners for a placement without
//! scoring every pair.
//!
//! See [`PlacementIndex`] for how placements are blocked and pruned; learners are blocked by
//! home region with a spatial grid each. Every pruning step is implied by a hard constraint or
//! by an upper bound below the k-th best score, so results are exactly what
//! [`brute_force_top_k`] returns (property-tested).

pub mod grid;
mod placements;
mod sites;
pub mod topk;

pub use placements::{PlacementIndex, Scratch};
pub use topk::{Scored, TopK};

use crate::model::dataset::Dataset;
use crate::model::enums::PlacementKind;
use crate::model::ids::{LearnerIdx, PlacementIdx, RegionIdx};
use crate::score::{ScoreView, Scorer};
use grid::Grid;
use rayon::prelude::*;

/// Which placement kinds a query considers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KindFilter {
    /// Every kind.
    #[default]
    All,
    /// One kind.
    Only(PlacementKind),
}

impl KindFilter {
    /// Whether the filter admits `k`.
    #[inline]
    pub fn admits(self, k: PlacementKind) -> bool {
        match self {
            KindFilter::All => true,
            KindFilter::Only(x) => x == k,
        }
    }
}

/// Learners blocked by home region, each block a spatial grid with its largest travel limit.
#[derive(Debug)]
pub struct LearnerIndex {
    blocks: Vec<(Grid<u32>, f64)>,
}

impl LearnerIndex {
    /// Indexes every learner of `data`.
    pub fn build(data: &Dataset) -> LearnerIndex {
        let n_regions = data.reference.regions.len();
        let mut points = vec![Vec::new(); n_regions];
        let mut reach = vec![0.0f64; n_regions];
        for (i, l) in data.learners.iter().enumerate() {
            points[l.region.ix()].push((i as u64, l.home, i as u32));
            reach[l.region.ix()] = reach[l.region.ix()].max(l.travel_limit_km);
        }
        LearnerIndex {
            blocks: points
                .par_iter()
                .zip(reach)
                .map(|(pts, km)| (Grid::build(pts), km))
                .collect(),
        }
    }

    /// The `k` best feasible learners for a placement under `view`, best first, ties by
    /// learner id.
    pub fn top_k(
        &self,
        scorer: &Scorer<'_>,
        pi: PlacementIdx,
        k: usize,
        view: ScoreView,
    ) -> Vec<Scored<LearnerIdx>> {
        let p = scorer.data().placement(pi);
        let mut top = TopK::new(k);
        for (r, (grid, km)) in self.blocks.iter().enumerate() {
            if !scorer.region_reaches(RegionIdx(r as u16), p.region) {
                continue;
            }
            grid.for_each_near(&p.location, *km, |&id| {
                let pl = scorer.prepare(LearnerIdx(id));
                if let Some(s) = scorer.score_in(&pl, pi, view) {
                    top.push(s, id);
                }
            });
        }
        top.into_scored(LearnerIdx)
    }
}

/// Reference implementation: scores every placement. Same ordering as the index.
pub fn brute_force_top_k(
    scorer: &Scorer<'_>,
    li: LearnerIdx,
    k: usize,
    kinds: KindFilter,
) -> Vec<Scored<PlacementIdx>> {
    let pl = scorer.prepare(li);
    let mut top = TopK::new(k);
    for (i, p) in scorer.data().placements.iter().enumerate() {
        if kinds.admits(p.kind) {
            if let Some(s) = scorer.score(&pl, PlacementIdx(i as u32)) {
                top.push(s, i as u32);
            }
        }
    }
    top.into_scored(PlacementIdx)
}

/// Reference implementation: scores every learner for one placement.
pub fn brute_force_top_learners(
    scorer: &Scorer<'_>,
    pi: PlacementIdx,
    k: usize,
    view: ScoreView,
) -> Vec<Scored<LearnerIdx>> {
    let mut top = TopK::new(k);
    for i in 0..scorer.data().learners.len() {
        let pl = scorer.prepare(LearnerIdx(i as u32));
        if let Some(s) = scorer.score_in(&pl, pi, view) {
            top.push(s, i as u32);
        }
    }
    top.into_scored(LearnerIdx)
}
