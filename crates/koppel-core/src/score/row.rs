//! The fields of a placement that the hot path reads, packed into one 64-byte cache line.
//!
//! The candidate index stores rows contiguously in grid-cell order, so a query streams through
//! memory instead of chasing each `Placement` (with its strings and vectors) and its employer.
//! Lists that rarely exceed a few entries (the placement's qualifications, the employer's
//! recognitions) are inlined; longer ones fall back to the full records.

use crate::model::dataset::Dataset;
use crate::model::enums::{Credential, Level, PlacementKind, SupportSet};
use crate::model::ids::{EmployerIdx, PlacementIdx, QualIdx, RegionIdx, SectorIdx};
use chrono::NaiveDate;

const NO_QUAL: QualIdx = QualIdx(u16::MAX);
const INLINE_QUALS: usize = 2;
const INLINE_RECOGNISED: usize = 4;

/// A placement as the scorer sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlacementRow {
    /// Unit vector of the site.
    pub xyz: [f64; 3],
    /// Start date.
    pub start_date: NaiveDate,
    /// Employer.
    pub employer: EmployerIdx,
    /// The placement.
    pub idx: PlacementIdx,
    /// Site region.
    pub region: RegionIdx,
    /// Sector.
    pub sector: SectorIdx,
    quals: [QualIdx; INLINE_QUALS],
    recognised: [QualIdx; INLINE_RECOGNISED],
    /// Kind.
    pub kind: PlacementKind,
    /// Lowest level accepted.
    pub level_min: Level,
    /// Highest level accepted.
    pub level_max: Level,
    /// Hours per week asked.
    pub hours_per_week: u8,
    /// Support offered.
    pub support_offered: SupportSet,
    /// Credential.
    pub credential: Credential,
    /// Can turn into a job.
    pub job_prospect: bool,
    /// Has an open place.
    pub open: bool,
    n_quals: u8,
    more_recognised: bool,
}

impl PlacementRow {
    /// The row of placement `idx` of `data`.
    pub fn new(data: &Dataset, idx: PlacementIdx) -> PlacementRow {
        let p = data.placement(idx);
        let e = &data.reference.employers[p.employer.ix()];
        let mut quals = [NO_QUAL; INLINE_QUALS];
        for (slot, q) in quals.iter_mut().zip(&p.qualifications) {
            *slot = *q;
        }
        let mut recognised = [NO_QUAL; INLINE_RECOGNISED];
        for (slot, q) in recognised.iter_mut().zip(&e.recognised_for) {
            *slot = *q;
        }
        PlacementRow {
            xyz: p.location.xyz(),
            start_date: p.start_date,
            employer: p.employer,
            idx,
            region: p.region,
            sector: p.sector,
            quals,
            recognised,
            kind: p.kind,
            level_min: p.level_min,
            level_max: p.level_max,
            hours_per_week: p.hours_per_week,
            support_offered: p.support_offered,
            credential: p.credential,
            job_prospect: p.job_prospect,
            open: p.open_places() > 0,
            n_quals: p.qualifications.len().min(u8::MAX as usize) as u8,
            more_recognised: e.recognised_for.len() > INLINE_RECOGNISED,
        }
    }

    /// Whether the placement trains for `q`.
    #[inline]
    pub fn trains_for(&self, q: QualIdx, data: &Dataset) -> bool {
        if self.n_quals as usize <= INLINE_QUALS {
            self.quals.contains(&q)
        } else {
            data.placement(self.idx)
                .qualifications
                .binary_search(&q)
                .is_ok()
        }
    }

    /// Whether the placement asks no qualification.
    #[inline]
    pub fn asks_no_qualification(&self) -> bool {
        self.n_quals == 0
    }

    /// Whether the employer is a recognised learning company for `q`.
    #[inline]
    pub fn employer_recognised_for(&self, q: QualIdx, data: &Dataset) -> bool {
        // The inline entries are the employer's smallest (its list is sorted), so only a larger
        // `q` can be among the rest.
        self.recognised.contains(&q)
            || (self.more_recognised
                && q > self.recognised[INLINE_RECOGNISED - 1]
                && data.reference.employers[self.employer.ix()].is_recognised_for(q))
    }

    /// Squared chord to a point on the unit sphere.
    #[inline]
    pub fn chord2(&self, xyz: &[f64; 3]) -> f64 {
        let d = [
            self.xyz[0] - xyz[0],
            self.xyz[1] - xyz[1],
            self.xyz[2] - xyz[2],
        ];
        d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_one_cache_line() {
        assert!(
            std::mem::size_of::<PlacementRow>() <= 64,
            "{}",
            std::mem::size_of::<PlacementRow>()
        );
    }
}
