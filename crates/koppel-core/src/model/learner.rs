//! A learner, validated.

use crate::error::FieldError;
use crate::model::enums::{ExitProfile, Level, SchoolType, SupportKind, SupportSet};
use crate::model::geo::GeoPoint;
use crate::model::ids::{LearnerId, QualIdx, RegionIdx, SectorIdx};
use crate::model::reference::{check_code, check_point, Reference};
use crate::record::LearnerRecord;
use chrono::{Datelike, NaiveDate};

/// At most this many ranked sector preferences.
pub const MAX_PREFERENCES: usize = 5;

/// Support needs, split by whether the placement must meet them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SupportNeeds {
    /// Must be met by the placement (hard constraint).
    pub essential: SupportSet,
    /// Make a placement better when met (soft component).
    pub desired: SupportSet,
}

impl SupportNeeds {
    /// Whether the learner has any support need.
    pub fn any(&self) -> bool {
        !self.essential.is_empty() || !self.desired.is_empty()
    }
}

/// A learner. Holds personal data (`name`, `email`, `birth_date`) and special-category data
/// (`support`, `in_register`): never hand this type to an employer-facing view; use
/// [`crate::anonymise`].
#[derive(Clone, Debug)]
pub struct Learner {
    /// Pseudonymous id.
    pub id: LearnerId,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// School type.
    pub school_type: SchoolType,
    /// Level.
    pub level: Level,
    /// Qualification enrolled in or registered for.
    pub qualification: Option<QualIdx>,
    /// Exit profile.
    pub exit_profile: ExitProfile,
    /// Final school year.
    pub final_year: bool,
    /// In aftercare.
    pub aftercare: bool,
    /// Holds a basic qualification.
    pub basic_qualification: bool,
    /// Ranked sector preferences, unique, at most [`MAX_PREFERENCES`].
    pub sector_preferences: Vec<SectorIdx>,
    /// Home.
    pub home: GeoPoint,
    /// Home region.
    pub region: RegionIdx,
    /// Travel limit, km, in (0, 250].
    pub travel_limit_km: f64,
    /// Hours available per week, 1..=40.
    pub hours_per_week: u8,
    /// Earliest start.
    pub earliest_start: NaiveDate,
    /// Support needs.
    pub support: SupportNeeds,
    /// In the doelgroepregister.
    pub in_register: bool,
}

impl Learner {
    /// Learners at risk of leaving without a basic qualification: early leavers, young job
    /// seekers, pro/vso pupils and anyone in aftercare without a startkwalificatie.
    pub fn at_risk(&self) -> bool {
        !self.basic_qualification
            && (self.aftercare
                || self.school_type.is_pro_vso()
                || matches!(
                    self.school_type,
                    SchoolType::EarlyLeaver | SchoolType::JobSeeker
                ))
    }

    /// Age in whole years on `date`.
    pub fn age_on(&self, date: NaiveDate) -> i32 {
        let mut age = date.year() - self.birth_date.year();
        if (date.month(), date.day()) < (self.birth_date.month(), self.birth_date.day()) {
            age -= 1;
        }
        age
    }

    /// Validates a record against the reference tables. Returns every field error.
    pub fn from_record(r: LearnerRecord, refs: &Reference) -> Result<Learner, Vec<FieldError>> {
        let mut errs = Vec::new();
        let mut ok = |res: Result<(), FieldError>| {
            if let Err(e) = res {
                errs.push(e);
            }
        };
        ok(check_code("id", &r.id));
        if r.name.trim().is_empty() {
            ok(Err(FieldError::new("name", "must not be empty")));
        }
        let level = u8::try_from(r.level).ok().and_then(Level::new);
        if level.is_none() {
            ok(Err(FieldError::new(
                "level",
                format!("{} is not a level 0..=4 (0 = pro/vso, 1 = entree)", r.level),
            )));
        }
        let qualification = match &r.qualification {
            None => None,
            Some(c) => match refs.qualification(c) {
                Some(q) => Some(q),
                None => {
                    ok(Err(FieldError::new(
                        "qualification",
                        format!("`{c}` is not a qualification in qualifications.csv"),
                    )));
                    None
                }
            },
        };
        let mbo = r.school_type.is_mbo();
        if mbo && r.qualification.is_none() {
            ok(Err(FieldError::new(
                "qualification",
                format!(
                    "a {} student must have the crebo they are enrolled in",
                    r.school_type.as_str()
                ),
            )));
        }
        if let (true, Some(q), Some(l)) = (mbo, qualification, level) {
            let ql = refs.qualifications[q.ix()].level;
            if ql != l {
                ok(Err(FieldError::new(
                    "level",
                    format!(
                        "{} does not match the level of qualification `{}` ({})",
                        l.get(),
                        refs.qualifications[q.ix()].crebo,
                        ql.get()
                    ),
                )));
            }
        }
        let mut prefs = Vec::with_capacity(r.sector_preferences.len());
        if r.sector_preferences.len() > MAX_PREFERENCES {
            ok(Err(FieldError::new(
                "sector_preferences",
                format!(
                    "{} preferences given, at most {MAX_PREFERENCES} allowed",
                    r.sector_preferences.len()
                ),
            )));
        }
        for code in &r.sector_preferences {
            match refs.sector(code) {
                None => ok(Err(FieldError::new(
                    "sector_preferences",
                    format!("`{code}` is not a sector in sectors.csv"),
                ))),
                Some(s) if prefs.contains(&s) => ok(Err(FieldError::new(
                    "sector_preferences",
                    format!("`{code}` is listed twice"),
                ))),
                Some(s) => prefs.push(s),
            }
        }
        let home = check_point(r.lat, r.lon).map_err(|e| ok(Err(e))).ok();
        let region = refs.region(&r.region);
        if region.is_none() {
            ok(Err(FieldError::new(
                "region",
                format!("`{}` is not a region in regions.csv", r.region),
            )));
        }
        if !(r.travel_limit_km.is_finite() && r.travel_limit_km > 0.0 && r.travel_limit_km <= 250.0)
        {
            ok(Err(FieldError::new(
                "travel_limit_km",
                format!("{} km is not in (0, 250]", r.travel_limit_km),
            )));
        }
        if !(1..=40).contains(&r.hours_per_week) {
            ok(Err(FieldError::new(
                "hours_per_week",
                format!("{} is not in 1..=40", r.hours_per_week),
            )));
        }
        if r.birth_date >= r.earliest_start {
            ok(Err(FieldError::new(
                "birth_date",
                format!(
                    "{} is not before earliest_start {}",
                    r.birth_date, r.earliest_start
                ),
            )));
        }
        let mut support = SupportNeeds::default();
        let mut seen: Vec<SupportKind> = Vec::new();
        for n in &r.support_needs {
            if seen.contains(&n.kind) {
                ok(Err(FieldError::new(
                    "support_needs",
                    format!("`{}` is listed twice", n.kind.as_str()),
                )));
                continue;
            }
            seen.push(n.kind);
            if n.essential {
                support.essential.insert(n.kind);
            } else {
                support.desired.insert(n.kind);
            }
        }
        match (level, home, region, errs.is_empty()) {
            (Some(level), Some(home), Some(region), true) => Ok(Learner {
                id: LearnerId(r.id),
                name: r.name,
                email: r.email,
                birth_date: r.birth_date,
                school_type: r.school_type,
                level,
                qualification,
                exit_profile: r.exit_profile,
                final_year: r.final_year,
                aftercare: r.aftercare,
                basic_qualification: r.basic_qualification,
                sector_preferences: prefs,
                home,
                region,
                travel_limit_km: r.travel_limit_km,
                hours_per_week: r.hours_per_week as u8,
                earliest_start: r.earliest_start,
                support,
                in_register: r.in_register,
            }),
            _ => Err(errs),
        }
    }
}
