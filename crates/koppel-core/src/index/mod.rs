//! Candidate index: top-k placements for a learner and top-k learners for a placement without
//! scoring every pair.
//!
//! Placements are blocked by (region, kind) and, for internships and learn-work jobs, by the
//! qualifications the employer is recognised for; inside a block, a spatial [`grid::Grid`]. A
//! query visits only the blocks of regions the learner's policy can reach, of kinds the learner
//! may take and (for an mbo learner) of their own qualification, and only the grid cells that can
//! hold sites within the travel limit. Every
//! pruning step is implied by a hard constraint, so the result is exactly what
//! [`brute_force_top_k`] returns (property-tested).

pub mod grid;
pub mod topk;

pub use topk::{Scored, TopK};

use crate::model::dataset::Dataset;
use crate::model::enums::PlacementKind;
use crate::model::ids::{LearnerIdx, PlacementIdx, RegionIdx};
use crate::score::{PlacementRow, Prepared, ScoreView, Scorer, Tally};
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

/// Placements blocked by region and kind, each block a spatial grid. Internships and
/// learn-work jobs are blocked once more by the qualifications their employer is recognised for,
/// because an mbo learner can only take those (a placement appears in one such block per
/// recognition).
#[derive(Debug)]
pub struct PlacementIndex {
    n_regions: usize,
    n_quals: usize,
    /// `[region × 3 + kind]`: every placement.
    by_kind: Vec<Grid<PlacementRow>>,
    /// `[(region × 2 + kind) × n_quals + qualification]` for internship (0) and learn-work (1).
    by_recognition: Vec<Grid<PlacementRow>>,
}

impl PlacementIndex {
    /// Indexes every placement of `data`.
    pub fn build(data: &Dataset) -> PlacementIndex {
        let n_regions = data.reference.regions.len();
        let n_quals = data.reference.qualifications.len();
        let mut by_kind = vec![Vec::new(); n_regions * 3];
        let mut by_recognition = vec![Vec::new(); n_regions * 2 * n_quals];
        for (i, p) in data.placements.iter().enumerate() {
            let point = (
                i as u32,
                p.location,
                PlacementRow::new(data, PlacementIdx(i as u32)),
            );
            // Full placements stay in the kind blocks so that "why not" can count them.
            by_kind[p.region.ix() * 3 + p.kind.ix()].push(point);
            if p.open_places() > 0 && p.kind != PlacementKind::Banenafspraak {
                let employer = &data.reference.employers[p.employer.ix()];
                for q in &employer.recognised_for {
                    by_recognition[(p.region.ix() * 2 + p.kind.ix()) * n_quals + q.ix()]
                        .push(point);
                }
            }
        }
        let grids = |blocks: Vec<Vec<_>>| {
            blocks
                .par_iter()
                .map(|pts: &Vec<_>| Grid::build(pts))
                .collect()
        };
        PlacementIndex {
            n_regions,
            n_quals,
            by_kind: grids(by_kind),
            by_recognition: grids(by_recognition),
        }
    }

    /// The block holding every placement of `kind` in `region` that the learner could take.
    #[inline]
    fn block(&self, pl: &Prepared<'_>, region: usize, kind: PlacementKind) -> &Grid<PlacementRow> {
        let l = pl.learner;
        let needs_recognition = match kind {
            PlacementKind::Internship => l.school_type.is_mbo(),
            PlacementKind::LearnWork => true,
            PlacementKind::Banenafspraak => false,
        };
        match l.qualification {
            Some(q) if needs_recognition => {
                &self.by_recognition[(region * 2 + kind.ix()) * self.n_quals + q.ix()]
            }
            _ => &self.by_kind[region * 3 + kind.ix()],
        }
    }

    /// The `k` best feasible placements for a learner, best first, ties by placement id.
    pub fn top_k(
        &self,
        scorer: &Scorer<'_>,
        li: LearnerIdx,
        k: usize,
        kinds: KindFilter,
    ) -> Vec<Scored<PlacementIdx>> {
        let pl = scorer.prepare(li);
        let mut top = TopK::new(k);
        for r in 0..self.n_regions {
            if !pl.reaches(RegionIdx(r as u16)) {
                continue;
            }
            for kind in PlacementKind::ALL {
                if !kinds.admits(kind) || !pl.may_take(kind) {
                    continue;
                }
                let block = self.block(&pl, r, kind);
                block.for_each_near(&pl.learner.home, pl.learner.travel_limit_km, |row| {
                    if let Some(s) = scorer.score_row(&pl, row, ScoreView::Full) {
                        top.push(s, row.idx.0);
                    }
                });
            }
        }
        top.into_sorted()
            .into_iter()
            .map(|(score, id)| Scored {
                idx: PlacementIdx(id),
                score,
            })
            .collect()
    }

    /// Why a learner has no match: the constraints failed by every placement, of any kind, in a
    /// region the learner's policy reaches and within the travel limit.
    pub fn tally_in_reach(&self, scorer: &Scorer<'_>, li: LearnerIdx) -> Tally {
        let pl = scorer.prepare(li);
        let mut tally = Tally::default();
        for r in 0..self.n_regions {
            if !pl.reaches(RegionIdx(r as u16)) {
                continue;
            }
            for kind in PlacementKind::ALL {
                let block = &self.by_kind[r * 3 + kind.ix()];
                block.for_each_near(&pl.learner.home, pl.learner.travel_limit_km, |row| {
                    if pl.within_travel_limit(&row.xyz) {
                        scorer.tally(&pl, row, &mut tally);
                    }
                });
            }
        }
        tally
    }

    /// [`PlacementIndex::top_k`] for many learners, in parallel; results in input order.
    pub fn top_k_many(
        &self,
        scorer: &Scorer<'_>,
        learners: &[LearnerIdx],
        k: usize,
        kinds: KindFilter,
    ) -> Vec<Vec<Scored<PlacementIdx>>> {
        learners
            .par_iter()
            .with_min_len(64)
            .map(|&li| self.top_k(scorer, li, k, kinds))
            .collect()
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
            points[l.region.ix()].push((i as u32, l.home, i as u32));
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
        top.into_sorted()
            .into_iter()
            .map(|(score, id)| Scored {
                idx: LearnerIdx(id),
                score,
            })
            .collect()
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
    top.into_sorted()
        .into_iter()
        .map(|(score, id)| Scored {
            idx: PlacementIdx(id),
            score,
        })
        .collect()
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
    top.into_sorted()
        .into_iter()
        .map(|(score, id)| Scored {
            idx: LearnerIdx(id),
            score,
        })
        .collect()
}
