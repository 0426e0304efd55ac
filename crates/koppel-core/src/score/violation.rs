//! Hard constraints that can make a pair infeasible, with what would change the verdict.

use crate::model::enums::{Level, SchoolType, SupportKind};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// One failed hard constraint ("why not").
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "constraint", rename_all = "snake_case")]
pub enum Violation {
    /// Every place is taken.
    NoOpenPlaces {
        /// Places.
        capacity: u32,
        /// Places taken.
        filled: u32,
    },
    /// Banenafspraak job, learner not in the doelgroepregister.
    NotInRegister,
    /// Internship, learner not enrolled in a school.
    NotEnrolled {
        /// The learner's school type.
        school_type: SchoolType,
    },
    /// Learn-work job, learner has no qualification to learn toward.
    NoQualification,
    /// Learn-work job or mbo internship (BPV), employer not a recognised learning company for the
    /// learner's qualification.
    EmployerNotRecognised {
        /// Crebo of the learner's qualification.
        qualification: String,
    },
    /// Learn-work job, learner's level outside the placement's range.
    LevelOutOfRange {
        /// Learner's level.
        level: Level,
        /// Lowest accepted.
        min: Level,
        /// Highest accepted.
        max: Level,
    },
    /// The placement's region is too many neighbour steps from the learner's home region.
    RegionOutOfReach {
        /// Placement region code.
        region: String,
        /// Steps between the regions (`None`: not connected).
        hops: Option<u8>,
        /// Steps the policy allows.
        allowed: u8,
    },
    /// Farther than the learner's travel limit.
    TooFar {
        /// Distance, km (one decimal).
        distance_km: f64,
        /// Learner's limit, km.
        limit_km: f64,
    },
    /// Asks more hours than the learner has.
    TooManyHours {
        /// Hours asked.
        asked: u8,
        /// Hours available.
        available: u8,
    },
    /// Starts before the learner can.
    StartsTooEarly {
        /// Placement start.
        start: NaiveDate,
        /// Learner's earliest start.
        earliest: NaiveDate,
    },
    /// Starts after the policy's start window.
    StartsTooLate {
        /// Placement start.
        start: NaiveDate,
        /// Last start date in the window.
        latest: NaiveDate,
    },
    /// Essential support needs the placement does not offer.
    EssentialSupportMissing {
        /// The missing kinds.
        missing: Vec<SupportKind>,
    },
}

impl Violation {
    /// Stable short code of the constraint.
    pub fn code(&self) -> &'static str {
        match self {
            Violation::NoOpenPlaces { .. } => "no_open_places",
            Violation::NotInRegister => "not_in_register",
            Violation::NotEnrolled { .. } => "not_enrolled",
            Violation::NoQualification => "no_qualification",
            Violation::EmployerNotRecognised { .. } => "employer_not_recognised",
            Violation::LevelOutOfRange { .. } => "level_out_of_range",
            Violation::RegionOutOfReach { .. } => "region_out_of_reach",
            Violation::TooFar { .. } => "too_far",
            Violation::TooManyHours { .. } => "too_many_hours",
            Violation::StartsTooEarly { .. } => "starts_too_early",
            Violation::StartsTooLate { .. } => "starts_too_late",
            Violation::EssentialSupportMissing { .. } => "essential_support_missing",
        }
    }

    /// What would make this constraint hold.
    pub fn remedy(&self) -> String {
        match self {
            Violation::NoOpenPlaces { .. } => {
                "the employer adds a place or a place frees up".into()
            }
            Violation::NotInRegister => {
                "only learners in the doelgroepregister qualify; check eligibility with UWV".into()
            }
            Violation::NotEnrolled { .. } => {
                "an internship needs enrolment in a school; consider a learn-work job".into()
            }
            Violation::NoQualification => {
                "register for an mbo qualification (crebo) to learn toward".into()
            }
            Violation::EmployerNotRecognised { qualification } => format!(
                "the employer needs SBB recognition (erkenning) for qualification {qualification}"
            ),
            Violation::LevelOutOfRange { min, max, .. } => {
                format!(
                    "a qualification at level {}..={} would fit",
                    min.get(),
                    max.get()
                )
            }
            Violation::RegionOutOfReach { .. } => {
                "the region's policy would need to allow more neighbouring regions".into()
            }
            Violation::TooFar { distance_km, .. } => {
                format!("a travel limit of at least {:.0} km", distance_km.ceil())
            }
            Violation::TooManyHours { asked, .. } => {
                format!("{asked} hours a week available, or a part-time arrangement")
            }
            Violation::StartsTooEarly { start, earliest } => {
                format!("a start on or after {earliest}, or the learner available from {start}")
            }
            Violation::StartsTooLate { latest, .. } => {
                format!("an earlier start, on or before {latest}")
            }
            Violation::EssentialSupportMissing { missing } => format!(
                "the employer offers {}",
                missing
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::NoOpenPlaces { capacity, filled } => {
                write!(f, "no open places ({filled} of {capacity} taken)")
            }
            Violation::NotInRegister => {
                f.write_str("Banenafspraak job, learner not in the doelgroepregister")
            }
            Violation::NotEnrolled { school_type } => {
                write!(
                    f,
                    "internship needs an enrolled learner (learner is {})",
                    school_type.as_str()
                )
            }
            Violation::NoQualification => {
                f.write_str("learn-work job, learner has no qualification to learn toward")
            }
            Violation::EmployerNotRecognised { qualification } => write!(
                f,
                "employer is not a recognised learning company (erkend leerbedrijf) for {qualification}"
            ),
            Violation::LevelOutOfRange { level, min, max } => write!(
                f,
                "learn-work job for levels {}..={}, learner is at level {}",
                min.get(),
                max.get(),
                level.get()
            ),
            Violation::RegionOutOfReach {
                region,
                hops,
                allowed,
            } => match hops {
                Some(h) => write!(
                    f,
                    "region {region} is {h} regions away, policy allows {allowed}"
                ),
                None => write!(
                    f,
                    "region {region} is not connected to the learner's region"
                ),
            },
            Violation::TooFar {
                distance_km,
                limit_km,
            } => {
                write!(f, "{distance_km:.1} km away, travel limit {limit_km:.0} km")
            }
            Violation::TooManyHours { asked, available } => {
                write!(f, "asks {asked} h/week, learner has {available}")
            }
            Violation::StartsTooEarly { start, earliest } => {
                write!(f, "starts {start}, learner available from {earliest}")
            }
            Violation::StartsTooLate { start, latest } => {
                write!(f, "starts {start}, after the start window ends on {latest}")
            }
            Violation::EssentialSupportMissing { missing } => write!(
                f,
                "essential support not offered: {}",
                missing
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}
