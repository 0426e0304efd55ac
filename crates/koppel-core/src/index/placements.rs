//! The placement side of the candidate index.
//!
//! Placements are blocked by (region, kind, sector) and, for internships and learn-work jobs, a
//! second time by (region, kind, qualification the employer is recognised for, sector), because
//! an mbo learner can only take those. Inside a block, rows sit in a spatial grid, and inside a
//! cell they ascend by hours asked (reading stops at the first row asking too many hours).
//!
//! A query lists the blocks the learner may use (regions the policy reaches, kinds the learner
//! may take, the learner's own qualification), bounds each block's best possible score (outlook
//! and preference are exact per block; hours, support, pathway and qualification fit use
//! per-block maxima; distance counts as perfect), visits blocks best bound first, and stops once
//! a bound is below the k-th best score found: nothing in such a block can enter the top k.

use super::grid::{Grid, SearchBox};
use super::sites::Sites;
use super::topk::{Scored, TopK};
use super::KindFilter;
use crate::model::dataset::Dataset;
use crate::model::enums::{ExitProfile, PlacementKind, SupportSet};
use crate::model::ids::{LearnerIdx, PlacementIdx, RegionIdx, SectorIdx};
use crate::policy::{Component, SCORE_MAX};
use crate::score::components::{
    distance_permille, hours_permille, pathway_permille, preference_permille,
    qualification_permille, QualMatch,
};
use crate::score::{total, PlacementRow, Prepared, ScoreView, Scorer, Tally};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ops::Range;

const EXITS: [ExitProfile; 3] = [
    ExitProfile::Work,
    ExitProfile::FurtherEducation,
    ExitProfile::DaytimeActivities,
];

/// Placements of one region, kind and sector (and recognition), with per-block maxima.
#[derive(Debug)]
struct Block {
    grid: Grid<PlacementRow>,
    region: RegionIdx,
    kind: PlacementKind,
    sector: SectorIdx,
    max_hours: u8,
    support_union: SupportSet,
    pathway_max: [u16; 3],
    /// Lowest `level_min` and highest `level_max`: no level fits better than it fits this range.
    levels: (u8, u8),
    /// Whether some placement asks no qualification.
    open_to_all: bool,
}

impl Block {
    fn new(points: &[(u64, crate::GeoPoint, PlacementRow)]) -> Block {
        let first = points[0].2;
        let mut b = Block {
            grid: Grid::build(points),
            region: first.region,
            kind: first.kind,
            sector: first.sector,
            max_hours: 0,
            support_union: SupportSet::EMPTY,
            pathway_max: [0; 3],
            levels: (u8::MAX, 0),
            open_to_all: false,
        };
        for (_, _, r) in points {
            b.max_hours = b.max_hours.max(r.hours_per_week);
            b.support_union = b.support_union.union(r.support_offered);
            for (m, exit) in b.pathway_max.iter_mut().zip(EXITS) {
                *m = (*m).max(pathway_permille(exit, r));
            }
            b.levels = (
                b.levels.0.min(r.level_min.get()),
                b.levels.1.max(r.level_max.get()),
            );
            b.open_to_all |= r.asks_no_qualification();
        }
        b
    }

    /// Bits (`words` words) of the qualifications some placement of the block trains for.
    fn trains(
        data: &Dataset,
        points: &[(u64, crate::GeoPoint, PlacementRow)],
        words: usize,
    ) -> Vec<u64> {
        let mut bits = vec![0; words];
        for (_, _, r) in points {
            for q in &data.placement(r.idx).qualifications {
                bits[q.ix() / 64] |= 1 << (q.ix() % 64);
            }
        }
        bits
    }

    /// The best qualification fit (raw, permille) of any placement of this block.
    fn qualification_bound(&self, pl: &Prepared<'_>, trains: &[u64]) -> u16 {
        let l = pl.learner;
        let relation = match l.qualification {
            Some(q) if trains[q.ix() / 64] & (1 << (q.ix() % 64)) != 0 => QualMatch::Exact,
            Some(_) if pl.qual_sector == Some(self.sector) => QualMatch::SameSector,
            Some(_) => QualMatch::Other,
            None if self.open_to_all => QualMatch::OpenToAll,
            None => QualMatch::NoneHeld,
        };
        qualification_permille(relation, l.level.get(), self.levels.0, self.levels.1)
    }

    /// No feasible placement of this block scores above this for the learner, counting the
    /// distance component as 0 (add [`distance_bound`] for a given distance). `trains`: the
    /// block's bits from [`Block::trains`].
    fn upper_bound(&self, scorer: &Scorer<'_>, pl: &Prepared<'_>, trains: &[u64]) -> u16 {
        let l = pl.learner;
        let mut raw = [SCORE_MAX; 7];
        raw[Component::Outlook.ix()] = scorer.outlook_for(self.kind, self.sector, self.region);
        let rank = l.sector_preferences.iter().position(|&s| s == self.sector);
        raw[Component::Preference.ix()] =
            preference_permille(rank, !l.sector_preferences.is_empty());
        let wanted = l.support.desired;
        if !wanted.is_empty() {
            raw[Component::Support.ix()] =
                (1000 * wanted.intersect(self.support_union).len() / wanted.len()) as u16;
        }
        raw[Component::Hours.ix()] = hours_permille(self.max_hours, l.hours_per_week);
        let exit = EXITS
            .iter()
            .position(|&e| e == l.exit_profile)
            .expect("every exit listed");
        raw[Component::Pathway.ix()] = self.pathway_max[exit];
        raw[Component::Qualification.ix()] = self.qualification_bound(pl, trains);
        raw[Component::Distance.ix()] = 0;
        total(pl.policy, &raw)
    }
}

/// The largest distance contribution a site at least `km` away can make.
#[inline]
fn distance_bound(pl: &Prepared<'_>, km: f64) -> u16 {
    let w = pl.policy.weights.get(Component::Distance) as u32;
    (w * distance_permille(km, pl.learner.travel_limit_km) as u32 / SCORE_MAX as u32) as u16
}

/// Placements blocked for top-k queries; see the module documentation.
#[derive(Debug)]
pub struct PlacementIndex {
    n_regions: usize,
    n_quals: usize,
    blocks: Vec<Block>,
    /// `[region × 3 + kind]`: blocks of every placement, one per sector.
    by_kind: Vec<Range<u32>>,
    /// `[(region × 2 + kind) × n_quals + qualification]` for internship (0) and learn-work (1):
    /// blocks of placements with an open place whose employer is recognised for it.
    by_recognition: Vec<Range<u32>>,
    /// Bare sites per region and kind, for counting the kinds a learner cannot take.
    sites: Sites,
    /// Words per block in `trains`.
    words: usize,
    /// Per block, in one array (bounds read them for every block a query lists): bits of the
    /// qualifications its placements train for.
    trains: Vec<u64>,
}

type Key = (u32, u32, u16);

/// Buffers a top-k query reuses: one per thread lets a batch of queries allocate nothing.
#[derive(Debug)]
pub struct Scratch {
    /// Blocks to visit with their bounds.
    blocks: Vec<(u16, u32)>,
    /// Cells with their distance in km, nearest first.
    near: Vec<(f64, i64, i64)>,
    /// The same cells with the most their distance can contribute.
    cells: Vec<(u16, i64, i64)>,
    top: TopK,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            blocks: Vec::new(),
            near: Vec::new(),
            cells: Vec::new(),
            top: TopK::new(0),
        }
    }
}

impl PlacementIndex {
    /// Indexes every placement of `data`.
    pub fn build(data: &Dataset) -> PlacementIndex {
        let n_regions = data.reference.regions.len();
        let n_quals = data.reference.qualifications.len();
        let mut by_kind: BTreeMap<Key, Vec<_>> = BTreeMap::new();
        let mut by_recognition: BTreeMap<Key, Vec<_>> = BTreeMap::new();
        for (i, p) in data.placements.iter().enumerate() {
            let row = PlacementRow::new(data, PlacementIdx(i as u32));
            // Within a cell, rows ascend by hours asked, so a query can stop reading a cell at
            // the first row that asks more hours than the learner has.
            let point = (
                ((p.hours_per_week as u64) << 32) | i as u64,
                p.location,
                row,
            );
            // Full placements stay in the kind blocks so that "why not" can count them.
            let kind_slot = (p.region.ix() * 3 + p.kind.ix()) as u32;
            by_kind
                .entry((kind_slot, 0, p.sector.0))
                .or_default()
                .push(point);
            if p.open_places() > 0 && p.kind != PlacementKind::Banenafspraak {
                let employer = &data.reference.employers[p.employer.ix()];
                for q in &employer.recognised_for {
                    let slot = ((p.region.ix() * 2 + p.kind.ix()) * n_quals + q.ix()) as u32;
                    by_recognition
                        .entry((slot, 0, p.sector.0))
                        .or_default()
                        .push(point);
                }
            }
        }
        let (mut blocks, mut trains) = (Vec::new(), Vec::new());
        let kind_ranges = Self::layout(data, by_kind, n_regions * 3, &mut blocks, &mut trains);
        let recognition_ranges = Self::layout(
            data,
            by_recognition,
            n_regions * 2 * n_quals,
            &mut blocks,
            &mut trains,
        );
        PlacementIndex {
            n_regions,
            n_quals,
            blocks,
            by_kind: kind_ranges,
            by_recognition: recognition_ranges,
            sites: Sites::build(data),
            words: n_quals.div_ceil(64),
            trains,
        }
    }

    /// Appends the blocks of `groups` (sorted by slot, then sector) and returns each slot's range.
    fn layout(
        data: &Dataset,
        groups: BTreeMap<Key, Vec<(u64, crate::GeoPoint, PlacementRow)>>,
        slots: usize,
        blocks: &mut Vec<Block>,
        trains: &mut Vec<u64>,
    ) -> Vec<Range<u32>> {
        let start = blocks.len();
        let keys: Vec<u32> = groups.keys().map(|k| k.0).collect();
        let words = data.reference.qualifications.len().div_ceil(64);
        let built: Vec<(Block, Vec<u64>)> = groups
            .into_values()
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|points| (Block::new(&points), Block::trains(data, &points, words)))
            .collect();
        for (block, bits) in built {
            blocks.push(block);
            trains.extend(bits);
        }
        let mut ranges = vec![0..0; slots];
        for (i, slot) in keys.into_iter().enumerate() {
            let b = (start + i) as u32;
            let r = &mut ranges[slot as usize];
            if r.start == r.end {
                *r = b..b + 1;
            } else {
                r.end = b + 1;
            }
        }
        ranges
    }

    /// The blocks holding every placement of `kind` in `region` that the learner could take.
    #[inline]
    fn blocks_for(&self, pl: &Prepared<'_>, region: usize, kind: PlacementKind) -> Range<u32> {
        let l = pl.learner;
        let needs_recognition = match kind {
            PlacementKind::Internship => l.school_type.is_mbo(),
            PlacementKind::LearnWork => true,
            PlacementKind::Banenafspraak => false,
        };
        match l.qualification {
            Some(q) if needs_recognition => {
                self.by_recognition[(region * 2 + kind.ix()) * self.n_quals + q.ix()].clone()
            }
            _ => self.by_kind[region * 3 + kind.ix()].clone(),
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
        let mut out = Vec::new();
        self.top_k_into(scorer, li, k, kinds, &mut Scratch::default(), &mut out);
        out
    }

    /// [`PlacementIndex::top_k`], appended to `out`, with buffers reused from `scratch` (for
    /// many queries in a row).
    pub fn top_k_into(
        &self,
        scorer: &Scorer<'_>,
        li: LearnerIdx,
        k: usize,
        kinds: KindFilter,
        scratch: &mut Scratch,
        out: &mut Vec<Scored<PlacementIdx>>,
    ) {
        let pl = scorer.prepare(li);
        let Scratch {
            blocks: candidates,
            near,
            cells,
            top,
        } = scratch;
        candidates.clear();
        for r in 0..self.n_regions {
            if !pl.reaches(RegionIdx(r as u16)) {
                continue;
            }
            for kind in PlacementKind::ALL {
                if kinds.admits(kind) && pl.may_take(kind) {
                    for b in self.blocks_for(&pl, r, kind) {
                        let trains = &self.trains[b as usize * self.words..][..self.words];
                        let bound = self.blocks[b as usize].upper_bound(scorer, &pl, trains);
                        candidates.push((bound, b));
                    }
                }
            }
        }
        // Best bound first; a block's bound assumes a site at the learner's door.
        let door = distance_bound(&pl, 0.0);
        candidates.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        top.reset(k);
        let area = SearchBox::around(&pl.learner.home, pl.learner.travel_limit_km);
        // Cells nearest first, each with the most its distance can contribute.
        area.cells_by_distance_into(near);
        cells.clear();
        cells.extend(
            near.iter()
                .map(|&(km, row, col)| (distance_bound(&pl, km), row, col)),
        );
        let hours = pl.learner.hours_per_week;
        for &(bound, b) in candidates.iter() {
            if top.threshold().is_some_and(|t| bound + door < t) {
                break; // every later block is bounded lower still
            }
            let grid = &self.blocks[b as usize].grid;
            if !grid.overlaps(&area) {
                continue;
            }
            for &(near, row, col) in cells.iter() {
                if top.threshold().is_some_and(|t| bound + near < t) {
                    break; // every later cell is farther still
                }
                for r in grid.lattice_cell(row, col) {
                    if r.hours_per_week > hours {
                        break; // this row and the rest of the cell ask too many hours
                    }
                    if let Some(s) = scorer.score_row(&pl, r, ScoreView::Full) {
                        top.push(s, r.idx.0);
                    }
                }
            }
        }
        top.drain_into(PlacementIdx, out);
    }

    /// Why a learner has no match: how many placements in a region the learner's policy
    /// reaches and within the travel limit fail each hard constraint. Placements of a kind the
    /// learner cannot take at all (not enrolled, not in the register, no qualification) are
    /// counted once, under that reason, without checking them further. Only kinds `kinds`
    /// admits are looked at.
    pub fn tally_in_reach(&self, scorer: &Scorer<'_>, li: LearnerIdx, kinds: KindFilter) -> Tally {
        let pl = scorer.prepare(li);
        let mut tally = Tally::default();
        let area = SearchBox::around(&pl.learner.home, pl.learner.travel_limit_km);
        let limit = pl.learner.travel_limit_km;
        let cells: Vec<_> = area
            .cells_with_bounds()
            .into_iter()
            .filter(|c| c.0 <= limit)
            .collect();
        for r in 0..self.n_regions {
            if !pl.reaches(RegionIdx(r as u16)) {
                continue;
            }
            for kind in PlacementKind::ALL.into_iter().filter(|&k| kinds.admits(k)) {
                if let Some(c) = pl.kind_blocked(kind) {
                    let n = self.sites.count_in_reach(&pl, r, kind, &cells);
                    tally.placements += n;
                    tally.add_n(c, n);
                    continue;
                }
                for b in self.by_kind[r * 3 + kind.ix()].clone() {
                    let grid = &self.blocks[b as usize].grid;
                    for &(_, _, row, col) in &cells {
                        for p in grid.lattice_cell(row, col) {
                            if pl.within_travel_limit(&p.xyz) {
                                scorer.tally(&pl, p, &mut tally);
                            }
                        }
                    }
                }
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
