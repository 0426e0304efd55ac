//! Scoring: hard constraints decide feasibility, seven soft components decide the score.
//!
//! One code path serves both the hot loop and explanations: [`Scorer::score`] runs the same
//! constraint checks ([`Scorer::check`]) and the same component function
//! ([`components::raw_values`]) as [`Scorer::explain`], only stopping at the first failure and
//! skipping the prose. Contributions are `weight × raw / 1000` in integers, so they add up to the
//! score exactly.

pub mod bands;
pub mod components;
mod explain;
pub mod row;
pub mod violation;

pub use row::PlacementRow;

pub use explain::{ComponentScore, Explanation, PairFacts};
pub use violation::{Constraint, Tally, Violation};

use crate::model::dataset::Dataset;
use crate::model::enums::PlacementKind;
use crate::model::geo::{chord2_to_km, km_to_chord2};
use crate::model::ids::{LearnerIdx, PlacementIdx, RegionIdx};
use crate::model::learner::Learner;
use crate::policy::{Component, Policy, PolicySet, SCORE_MAX};
use chrono::{Days, NaiveDate};
use rayon::prelude::*;

/// Scores pairs of one dataset under one policy set. Cheap to share between threads.
#[derive(Debug)]
pub struct Scorer<'d> {
    data: &'d Dataset,
    policies: PolicySet,
    outlook_pm: Vec<u16>,
    reach: Vec<bool>,
    rows: Vec<PlacementRow>,
    n_regions: usize,
    n_sectors: usize,
}

/// Who a score is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScoreView {
    /// Advisors and allocation: every component.
    #[default]
    Full,
    /// Employers: support counts as fully met for every learner, both as a component and as a
    /// hard constraint (essential support is not checked), so neither the score, the ranking nor
    /// who appears at all reveals anything about support needs (special-category data). The
    /// distance counts by band only.
    Public,
}

/// A learner with everything the pair checks need precomputed.
#[derive(Debug)]
pub struct Prepared<'s> {
    /// The learner.
    pub learner: &'s Learner,
    /// Its index.
    pub idx: LearnerIdx,
    /// The policy of the learner's region.
    pub policy: &'s Policy,
    chord2_limit: f64,
    latest_start: NaiveDate,
    reach_row: &'s [bool],
    home: [f64; 3],
    /// Sector of the learner's qualification.
    pub(crate) qual_sector: Option<crate::SectorIdx>,
}

impl Prepared<'_> {
    /// Whether a point lies within the learner's travel limit.
    #[inline]
    pub fn within_travel_limit(&self, xyz: &[f64; 3]) -> bool {
        let d = [
            self.home[0] - xyz[0],
            self.home[1] - xyz[1],
            self.home[2] - xyz[2],
        ];
        d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= self.chord2_limit
    }

    /// Whether the policy lets this learner reach placements in region `r`.
    #[inline]
    pub fn reaches(&self, r: RegionIdx) -> bool {
        self.reach_row[r.ix()]
    }

    /// The learner-level constraint that rules out every placement of `kind`, if any.
    #[inline]
    pub fn kind_blocked(&self, kind: PlacementKind) -> Option<Constraint> {
        match kind {
            PlacementKind::Internship if !self.learner.school_type.is_enrolled() => {
                Some(Constraint::NotEnrolled)
            }
            PlacementKind::LearnWork if self.learner.qualification.is_none() => {
                Some(Constraint::NoQualification)
            }
            PlacementKind::Banenafspraak if !self.learner.in_register => {
                Some(Constraint::NotInRegister)
            }
            _ => None,
        }
    }

    /// Whether the learner may take placements of `kind` at all (register, enrolment,
    /// qualification), before looking at any placement.
    #[inline]
    pub fn may_take(&self, kind: PlacementKind) -> bool {
        let l = self.learner;
        match kind {
            PlacementKind::Internship => l.school_type.is_enrolled(),
            PlacementKind::LearnWork => l.qualification.is_some(),
            PlacementKind::Banenafspraak => l.in_register,
        }
    }
}

/// Where constraint failures go: [`FirstFailure`] stops at once, a `Vec` collects them all.
pub(crate) trait Sink {
    /// Whether to keep checking after a failure.
    const COLLECT: bool;
    /// Whether failures are built ([`Sink::push`]) or only counted ([`Sink::count`]).
    const DETAILS: bool = true;
    fn push(&mut self, v: Violation);
    fn count(&mut self, _c: Constraint) {}
}

impl Sink for Tally {
    const COLLECT: bool = true;
    const DETAILS: bool = false;
    fn push(&mut self, v: Violation) {
        self.add(v.constraint());
    }
    fn count(&mut self, c: Constraint) {
        self.add(c);
    }
}

/// Stops at the first failure without building it.
pub(crate) struct FirstFailure;

impl Sink for FirstFailure {
    const COLLECT: bool = false;
    fn push(&mut self, _: Violation) {}
}

impl Sink for Vec<Violation> {
    const COLLECT: bool = true;
    fn push(&mut self, v: Violation) {
        Vec::push(self, v)
    }
}

impl<'d> Scorer<'d> {
    /// A scorer for `data` under `policies`.
    pub fn new(data: &'d Dataset, policies: PolicySet) -> Scorer<'d> {
        let refs = &data.reference;
        let (n_regions, n_sectors) = (refs.regions.len(), refs.sectors.len());
        let mut outlook_pm = vec![0u16; 3 * n_sectors * n_regions];
        for kind in PlacementKind::ALL {
            for s in 0..n_sectors {
                for r in 0..n_regions {
                    let cell = refs
                        .outlook
                        .get(crate::SectorIdx(s as u16), RegionIdx(r as u16));
                    outlook_pm[(kind.ix() * n_sectors + s) * n_regions + r] =
                        components::outlook_permille(kind, cell);
                }
            }
        }
        let mut reach = vec![false; n_regions * n_regions];
        for from in 0..n_regions {
            let allowed = policies.for_region(RegionIdx(from as u16)).region_hops;
            for to in 0..n_regions {
                let h = refs.hops(RegionIdx(from as u16), RegionIdx(to as u16));
                reach[from * n_regions + to] = h <= allowed;
            }
        }
        let rows = (0..data.placements.len() as u32)
            .into_par_iter()
            .map(|i| PlacementRow::new(data, PlacementIdx(i)))
            .collect();
        Scorer {
            data,
            policies,
            outlook_pm,
            reach,
            rows,
            n_regions,
            n_sectors,
        }
    }

    /// The dataset.
    pub fn data(&self) -> &'d Dataset {
        self.data
    }

    /// The policies.
    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }

    /// Precomputes per-learner values for many pair checks.
    pub fn prepare(&self, idx: LearnerIdx) -> Prepared<'_> {
        let learner = self.data.learner(idx);
        let policy = self.policies.for_region(learner.region);
        let latest_start = learner
            .earliest_start
            .checked_add_days(Days::new(policy.start_window_days as u64))
            .unwrap_or(NaiveDate::MAX);
        let row = learner.region.ix() * self.n_regions;
        Prepared {
            learner,
            idx,
            policy,
            chord2_limit: km_to_chord2(learner.travel_limit_km),
            latest_start,
            reach_row: &self.reach[row..row + self.n_regions],
            home: learner.home.xyz(),
            qual_sector: learner
                .qualification
                .map(|q| self.data.reference.qualifications[q.ix()].sector),
        }
    }

    /// Whether learners of region `from` may reach placements in region `to`.
    #[inline]
    pub fn region_reaches(&self, from: RegionIdx, to: RegionIdx) -> bool {
        self.reach[from.ix() * self.n_regions + to.ix()]
    }

    /// The hot-path row of a placement.
    #[inline]
    pub fn row(&self, pi: PlacementIdx) -> &PlacementRow {
        &self.rows[pi.ix()]
    }

    /// Outlook raw value (permille) of any placement of this kind, sector and region.
    #[inline]
    pub fn outlook_for(
        &self,
        kind: PlacementKind,
        sector: crate::SectorIdx,
        region: RegionIdx,
    ) -> u16 {
        self.outlook_pm[(kind.ix() * self.n_sectors + sector.ix()) * self.n_regions + region.ix()]
    }

    /// Outlook raw value (permille) of a placement.
    #[inline]
    pub(crate) fn outlook_of(&self, p: &PlacementRow) -> u16 {
        self.outlook_pm
            [(p.kind.ix() * self.n_sectors + p.sector.ix()) * self.n_regions + p.region.ix()]
    }

    /// The score of a pair, or `None` when a hard constraint fails. The hot path.
    #[inline]
    pub fn score(&self, pl: &Prepared<'_>, pi: PlacementIdx) -> Option<u16> {
        self.score_in(pl, pi, ScoreView::Full)
    }

    /// The score of a pair as seen through `view`.
    #[inline]
    pub fn score_in(&self, pl: &Prepared<'_>, pi: PlacementIdx, view: ScoreView) -> Option<u16> {
        self.score_row(pl, &self.rows[pi.ix()], view)
    }

    /// The score of a pair given the placement's row (the index keeps its own copies).
    #[inline]
    pub fn score_row(&self, pl: &Prepared<'_>, p: &PlacementRow, view: ScoreView) -> Option<u16> {
        self.raw_in(pl, p, view)
            .map(|(raw, _)| total(pl.policy, &raw))
    }

    /// Raw component values (permille) of a pair as seen through `view`, with the exact distance
    /// in km; `None` when a hard constraint, as that view sees them, fails.
    #[inline]
    pub fn raw_in(
        &self,
        pl: &Prepared<'_>,
        p: &PlacementRow,
        view: ScoreView,
    ) -> Option<([u16; 7], f64)> {
        let chord2 = self.check(pl, p, &mut FirstFailure, view)?;
        let km = chord2_to_km(chord2);
        let mut raw = components::raw_values(self, pl, p, km);
        if view == ScoreView::Public {
            raw[Component::Support.ix()] = SCORE_MAX;
            raw[Component::Distance.ix()] = bands::band_permille(km);
        }
        Some((raw, km))
    }

    /// Runs every hard constraint, cheapest first. Returns the squared chord distance when all
    /// hold; with a collecting sink it records every failure instead of stopping. The
    /// [`ScoreView::Public`] view skips the essential-support check.
    #[inline(always)]
    pub(crate) fn check<S: Sink>(
        &self,
        pl: &Prepared<'_>,
        p: &PlacementRow,
        sink: &mut S,
        view: ScoreView,
    ) -> Option<f64> {
        let l = pl.learner;
        let mut ok = true;
        macro_rules! fail {
            ($c:ident, $v:expr) => {{
                if !S::COLLECT {
                    return None;
                }
                ok = false;
                if S::DETAILS {
                    sink.push($v);
                } else {
                    sink.count(Constraint::$c);
                }
            }};
        }
        if !p.open {
            fail!(NoOpenPlaces, {
                let full = self.data.placement(p.idx);
                Violation::NoOpenPlaces {
                    capacity: full.capacity,
                    filled: full.filled,
                }
            });
        }
        match p.kind {
            PlacementKind::Banenafspraak if !l.in_register => {
                fail!(NotInRegister, Violation::NotInRegister)
            }
            PlacementKind::Internship if !l.school_type.is_enrolled() => {
                fail!(
                    NotEnrolled,
                    Violation::NotEnrolled {
                        school_type: l.school_type
                    }
                )
            }
            // A BPV internship of an mbo student counts toward their qualification, so (unlike a
            // pro/vso stage) it needs a company recognised for that qualification.
            PlacementKind::Internship if l.school_type.is_mbo() => {
                if let Some(q) = l.qualification {
                    if !self.is_recognised(p, q) {
                        fail!(EmployerNotRecognised, self.not_recognised(q));
                    }
                }
            }
            PlacementKind::LearnWork => {
                match l.qualification {
                    None => fail!(NoQualification, Violation::NoQualification),
                    Some(q) if !self.is_recognised(p, q) => {
                        fail!(EmployerNotRecognised, self.not_recognised(q))
                    }
                    Some(_) => {}
                }
                if l.level < p.level_min || l.level > p.level_max {
                    fail!(
                        LevelOutOfRange,
                        Violation::LevelOutOfRange {
                            level: l.level,
                            min: p.level_min,
                            max: p.level_max
                        }
                    );
                }
            }
            _ => {}
        }
        if !pl.reaches(p.region) {
            let h = self.data.reference.hops(l.region, p.region);
            fail!(
                RegionOutOfReach,
                Violation::RegionOutOfReach {
                    region: self.data.reference.regions[p.region.ix()].code.clone(),
                    hops: (h != crate::model::reference::UNREACHABLE).then_some(h),
                    allowed: pl.policy.region_hops
                }
            );
        }
        if p.hours_per_week > l.hours_per_week {
            fail!(
                TooManyHours,
                Violation::TooManyHours {
                    asked: p.hours_per_week,
                    available: l.hours_per_week
                }
            );
        }
        if p.start_date < l.earliest_start {
            fail!(
                StartsTooEarly,
                Violation::StartsTooEarly {
                    start: p.start_date,
                    earliest: l.earliest_start
                }
            );
        } else if p.start_date > pl.latest_start {
            fail!(
                StartsTooLate,
                Violation::StartsTooLate {
                    start: p.start_date,
                    latest: pl.latest_start
                }
            );
        }
        let missing = l.support.essential.minus(p.support_offered);
        if view == ScoreView::Full && !missing.is_empty() {
            fail!(
                EssentialSupportMissing,
                Violation::EssentialSupportMissing {
                    missing: missing.iter().collect()
                }
            );
        }
        let chord2 = p.chord2(&pl.home);
        if chord2 > pl.chord2_limit {
            fail!(
                TooFar,
                Violation::TooFar {
                    distance_km: (chord2_to_km(chord2) * 10.0).round() / 10.0,
                    limit_km: l.travel_limit_km
                }
            );
        }
        ok.then_some(chord2)
    }

    #[inline]
    fn is_recognised(&self, p: &PlacementRow, q: crate::QualIdx) -> bool {
        p.employer_recognised_for(q, self.data)
    }

    fn not_recognised(&self, q: crate::QualIdx) -> Violation {
        Violation::EmployerNotRecognised {
            qualification: self.data.reference.qualifications[q.ix()].crebo.clone(),
        }
    }

    /// Counts the constraints a pair fails into `tally` (nothing is counted for a feasible pair
    /// except that it was looked at).
    #[inline]
    pub fn tally(&self, pl: &Prepared<'_>, p: &PlacementRow, tally: &mut Tally) {
        tally.placements += 1;
        if self.check(pl, p, tally, ScoreView::Full).is_some() {
            tally.feasible += 1;
        }
    }

    /// Full evaluation of one pair: score and components when feasible, every failed constraint
    /// otherwise.
    pub fn explain(&self, li: LearnerIdx, pi: PlacementIdx) -> Explanation {
        explain::explain(self, li, pi)
    }
}

/// Sum of integer contributions: `weight × raw / 1000`, rounded down per component.
#[inline]
pub fn total(policy: &Policy, raw: &[u16; 7]) -> u16 {
    contributions(policy, raw).iter().sum()
}

/// Integer contribution of each component; they sum to the score.
#[inline]
pub fn contributions(policy: &Policy, raw: &[u16; 7]) -> [u16; 7] {
    let w = policy.weights.points();
    let mut out = [0u16; 7];
    for i in 0..7 {
        out[i] = (w[i] as u32 * raw[i] as u32 / SCORE_MAX as u32) as u16;
    }
    out
}

#[cfg(test)]
mod tests;
