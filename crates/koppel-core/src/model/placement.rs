//! A placement (vacancy), validated.

use crate::error::FieldError;
use crate::model::enums::{Credential, Level, PlacementKind, SupportSet};
use crate::model::geo::GeoPoint;
use crate::model::ids::{EmployerIdx, PlacementId, QualIdx, RegionIdx, SectorIdx};
use crate::model::reference::{check_code, check_point, Reference};
use crate::record::PlacementRecord;
use chrono::NaiveDate;

/// Most places one placement may offer.
pub const MAX_CAPACITY: u32 = 10_000;

/// A placement.
#[derive(Clone, Debug)]
pub struct Placement {
    /// Id.
    pub id: PlacementId,
    /// Kind.
    pub kind: PlacementKind,
    /// Employer.
    pub employer: EmployerIdx,
    /// Title.
    pub title: String,
    /// Sector.
    pub sector: SectorIdx,
    /// Qualifications it trains for, sorted, unique (may be empty).
    pub qualifications: Vec<QualIdx>,
    /// Lowest level accepted.
    pub level_min: Level,
    /// Highest level accepted.
    pub level_max: Level,
    /// Site.
    pub location: GeoPoint,
    /// Site region.
    pub region: RegionIdx,
    /// Hours per week asked, 1..=40.
    pub hours_per_week: u8,
    /// Places, 1..=[`MAX_CAPACITY`].
    pub capacity: u32,
    /// Places already taken, 0..=capacity.
    pub filled: u32,
    /// Start date.
    pub start_date: NaiveDate,
    /// Support offered or accepted.
    pub support_offered: SupportSet,
    /// Credential it leads to.
    pub credential: Credential,
    /// Can turn into a job.
    pub job_prospect: bool,
    /// Posting desk.
    pub desk: String,
}

impl Placement {
    /// Places still open.
    #[inline]
    pub fn open_places(&self) -> u32 {
        self.capacity - self.filled
    }

    /// Validates a record against the reference tables. Returns every field error.
    pub fn from_record(r: PlacementRecord, refs: &Reference) -> Result<Placement, Vec<FieldError>> {
        let mut errs = Vec::new();
        let mut ok = |res: Result<(), FieldError>| {
            if let Err(e) = res {
                errs.push(e);
            }
        };
        ok(check_code("id", &r.id));
        let employer = refs.employer(&r.employer);
        if employer.is_none() {
            ok(Err(FieldError::new(
                "employer",
                format!("`{}` is not an employer in employers.jsonl", r.employer),
            )));
        }
        if r.title.trim().is_empty() {
            ok(Err(FieldError::new("title", "must not be empty")));
        }
        if r.desk.trim().is_empty() {
            ok(Err(FieldError::new("desk", "must not be empty")));
        }
        let sector = refs.sector(&r.sector);
        if sector.is_none() {
            ok(Err(FieldError::new(
                "sector",
                format!("`{}` is not a sector in sectors.csv", r.sector),
            )));
        }
        let mut quals = Vec::with_capacity(r.qualifications.len());
        for c in &r.qualifications {
            match refs.qualification(c) {
                None => ok(Err(FieldError::new(
                    "qualifications",
                    format!("`{c}` is not a qualification in qualifications.csv"),
                ))),
                Some(q) if quals.contains(&q) => ok(Err(FieldError::new(
                    "qualifications",
                    format!("`{c}` is listed twice"),
                ))),
                Some(q) => quals.push(q),
            }
        }
        quals.sort_unstable();
        let level = |field: &'static str, n: i64| {
            u8::try_from(n).ok().and_then(Level::new).ok_or_else(|| {
                FieldError::new(
                    field,
                    format!("{n} is not a level 0..=4 (0 = pro/vso, 1 = entree)"),
                )
            })
        };
        let (lmin, lmax) = (
            level("level_min", r.level_min),
            level("level_max", r.level_max),
        );
        if let (Ok(a), Ok(b)) = (&lmin, &lmax) {
            if a > b {
                ok(Err(FieldError::new(
                    "level_max",
                    format!("{} is below level_min {}", b.get(), a.get()),
                )));
            }
        }
        let lmin = lmin.map_err(|e| ok(Err(e))).ok();
        let lmax = lmax.map_err(|e| ok(Err(e))).ok();
        let location = check_point(r.lat, r.lon).map_err(|e| ok(Err(e))).ok();
        let region = refs.region(&r.region);
        if region.is_none() {
            ok(Err(FieldError::new(
                "region",
                format!("`{}` is not a region in regions.csv", r.region),
            )));
        }
        if !(1..=40).contains(&r.hours_per_week) {
            ok(Err(FieldError::new(
                "hours_per_week",
                format!("{} is not in 1..=40", r.hours_per_week),
            )));
        }
        if !(1..=MAX_CAPACITY as i64).contains(&r.capacity) {
            ok(Err(FieldError::new(
                "capacity",
                format!("{} is not in 1..={MAX_CAPACITY}", r.capacity),
            )));
        } else if !(0..=r.capacity).contains(&r.filled) {
            ok(Err(FieldError::new(
                "filled",
                format!("{} is not in 0..=capacity ({})", r.filled, r.capacity),
            )));
        }
        let mut support = SupportSet::EMPTY;
        for k in &r.support_offered {
            if support.contains(*k) {
                ok(Err(FieldError::new(
                    "support_offered",
                    format!("`{}` is listed twice", k.as_str()),
                )));
            }
            support.insert(*k);
        }
        match (
            employer,
            sector,
            lmin,
            lmax,
            location,
            region,
            errs.is_empty(),
        ) {
            (
                Some(employer),
                Some(sector),
                Some(level_min),
                Some(level_max),
                Some(location),
                Some(region),
                true,
            ) => Ok(Placement {
                id: PlacementId(r.id),
                kind: r.kind,
                employer,
                title: r.title,
                sector,
                qualifications: quals,
                level_min,
                level_max,
                location,
                region,
                hours_per_week: r.hours_per_week as u8,
                capacity: r.capacity as u32,
                filled: r.filled as u32,
                start_date: r.start_date,
                support_offered: support,
                credential: r.credential,
                job_prospect: r.job_prospect,
                desk: r.desk,
            }),
            _ => Err(errs),
        }
    }
}
