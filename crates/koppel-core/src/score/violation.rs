//! Hard constraints that can make a pair infeasible, with what would change the verdict.

use crate::model::enums::{Level, SchoolType, SupportKind};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// The hard constraints, without details (see [`Violation`] for a failure with its facts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Constraint {
    NoOpenPlaces,
    NotInRegister,
    NotEnrolled,
    NoQualification,
    EmployerNotRecognised,
    LevelOutOfRange,
    RegionOutOfReach,
    TooFar,
    TooManyHours,
    StartsTooEarly,
    StartsTooLate,
    EssentialSupportMissing,
}

impl Constraint {
    /// All constraints in index order.
    pub const ALL: [Constraint; 12] = [
        Constraint::NoOpenPlaces,
        Constraint::NotInRegister,
        Constraint::NotEnrolled,
        Constraint::NoQualification,
        Constraint::EmployerNotRecognised,
        Constraint::LevelOutOfRange,
        Constraint::RegionOutOfReach,
        Constraint::TooFar,
        Constraint::TooManyHours,
        Constraint::StartsTooEarly,
        Constraint::StartsTooLate,
        Constraint::EssentialSupportMissing,
    ];

    /// Stable short code.
    pub fn as_str(self) -> &'static str {
        match self {
            Constraint::NoOpenPlaces => "no_open_places",
            Constraint::NotInRegister => "not_in_register",
            Constraint::NotEnrolled => "not_enrolled",
            Constraint::NoQualification => "no_qualification",
            Constraint::EmployerNotRecognised => "employer_not_recognised",
            Constraint::LevelOutOfRange => "level_out_of_range",
            Constraint::RegionOutOfReach => "region_out_of_reach",
            Constraint::TooFar => "too_far",
            Constraint::TooManyHours => "too_many_hours",
            Constraint::StartsTooEarly => "starts_too_early",
            Constraint::StartsTooLate => "starts_too_late",
            Constraint::EssentialSupportMissing => "essential_support_missing",
        }
    }
}

/// How many placements failed each constraint (a placement can fail several), without building
/// the failures: the cheap "why not" for many learners at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Placements looked at.
    pub placements: u32,
    /// Of those, placements that fail no constraint.
    pub feasible: u32,
    counts: [u32; 12],
}

impl Tally {
    /// Count for one constraint.
    pub fn get(&self, c: Constraint) -> u32 {
        self.counts[c as usize]
    }

    /// Non-zero counts, largest first (ties in constraint order).
    pub fn top(&self) -> Vec<(Constraint, u32)> {
        let mut v: Vec<_> = Constraint::ALL
            .into_iter()
            .map(|c| (c, self.get(c)))
            .filter(|&(_, n)| n > 0)
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Counts one failure of `c`.
    pub fn add(&mut self, c: Constraint) {
        self.counts[c as usize] += 1;
    }

    /// Counts `n` failures of `c`.
    pub fn add_n(&mut self, c: Constraint, n: u32) {
        self.counts[c as usize] += n;
    }
}

/// One failed hard constraint ("why not").
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
        self.constraint().as_str()
    }

    /// Which constraint failed.
    pub fn constraint(&self) -> Constraint {
        match self {
            Violation::NoOpenPlaces { .. } => Constraint::NoOpenPlaces,
            Violation::NotInRegister => Constraint::NotInRegister,
            Violation::NotEnrolled { .. } => Constraint::NotEnrolled,
            Violation::NoQualification => Constraint::NoQualification,
            Violation::EmployerNotRecognised { .. } => Constraint::EmployerNotRecognised,
            Violation::LevelOutOfRange { .. } => Constraint::LevelOutOfRange,
            Violation::RegionOutOfReach { .. } => Constraint::RegionOutOfReach,
            Violation::TooFar { .. } => Constraint::TooFar,
            Violation::TooManyHours { .. } => Constraint::TooManyHours,
            Violation::StartsTooEarly { .. } => Constraint::StartsTooEarly,
            Violation::StartsTooLate { .. } => Constraint::StartsTooLate,
            Violation::EssentialSupportMissing { .. } => Constraint::EssentialSupportMissing,
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
