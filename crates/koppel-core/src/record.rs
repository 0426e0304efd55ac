//! The data-file format: one serde struct per record kind, exactly as documented in
//! `docs/data-format.md`.
//!
//! Records carry external codes (region `rijnmond`, crebo `25655`); [`crate::Reference::build`] and
//! [`crate::Dataset::build`] check every field and turn records into the validated model with
//! dense indices. Unknown fields are rejected rather than ignored, so a misspelt field never
//! silently loses data.

use crate::model::enums::{Credential, ExitProfile, PlacementKind, SchoolType, SupportKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// `regions.csv`: one labour-market region (arbeidsmarktregio).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegionRecord {
    /// Slug, e.g. `rijnmond`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Province.
    pub province: String,
    /// Approximate centre, latitude.
    pub lat: f64,
    /// Approximate centre, longitude.
    pub lon: f64,
    /// The region's central municipality (centrumgemeente).
    pub central_municipality: String,
}

/// `region_adjacency.csv`: two regions that border each other.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdjacencyRecord {
    /// One region code.
    pub a: String,
    /// The other region code.
    pub b: String,
}

/// `sectors.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SectorRecord {
    /// Slug, e.g. `zorg`.
    pub code: String,
    /// Display name.
    pub name: String,
}

/// `qualifications.csv`: an mbo qualification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QualificationRecord {
    /// Crebo-like code, five digits.
    pub crebo: String,
    /// Display name.
    pub name: String,
    /// Sector code.
    pub sector: String,
    /// Mbo level 1..=4.
    pub level: i64,
}

/// `outlook.csv`: prospects for one sector in one region. Empty cells mean "not known".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OutlookRecord {
    /// Sector code.
    pub sector: String,
    /// Region code.
    pub region: String,
    /// Chance of an internship / learn-work place, 1..=5.
    pub internship: Option<i64>,
    /// Chance of work, 1..=5.
    pub work: Option<i64>,
}

/// `employers.jsonl`: an employer and the qualifications it is a recognised learning company for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmployerRecord {
    /// Employer id.
    pub id: String,
    /// Trade name.
    pub name: String,
    /// Region code of the main site.
    pub region: String,
    /// Crebo codes of the qualifications the employer is recognised (erkend) for.
    #[serde(default)]
    pub recognised_for: Vec<String>,
}

/// One support need of a learner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SupportNeedRecord {
    /// The kind of support.
    pub kind: SupportKind,
    /// An essential need must be met by the placement; a non-essential one makes it better.
    pub essential: bool,
}

/// `learners.jsonl`: one learner. Holds personal and special-category data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LearnerRecord {
    /// Pseudonymous id.
    pub id: String,
    /// Name (personal data; never shown to employers).
    pub name: String,
    /// Contact e-mail (personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Date of birth (personal data).
    pub birth_date: NaiveDate,
    /// School type.
    pub school_type: SchoolType,
    /// Level 0..=4 (0 = pro/vso).
    pub level: i64,
    /// Crebo code the learner is enrolled in or registered for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<String>,
    /// Exit profile.
    pub exit_profile: ExitProfile,
    /// In the final school year.
    #[serde(default)]
    pub final_year: bool,
    /// In aftercare (nazorg) after leaving school.
    #[serde(default)]
    pub aftercare: bool,
    /// Holds a basic qualification (startkwalificatie).
    #[serde(default)]
    pub basic_qualification: bool,
    /// Sector codes, most preferred first, at most five.
    #[serde(default)]
    pub sector_preferences: Vec<String>,
    /// Home latitude.
    pub lat: f64,
    /// Home longitude.
    pub lon: f64,
    /// Home region code.
    pub region: String,
    /// Longest acceptable one-way distance, km.
    pub travel_limit_km: f64,
    /// Hours available per week.
    pub hours_per_week: i64,
    /// Earliest start date.
    pub earliest_start: NaiveDate,
    /// Support needs (special-category data; never shown to employers).
    #[serde(default)]
    pub support_needs: Vec<SupportNeedRecord>,
    /// In the doelgroepregister (Banenafspraak); special-category data.
    #[serde(default)]
    pub in_register: bool,
}

/// `placements.jsonl`: one vacancy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlacementRecord {
    /// Placement id.
    pub id: String,
    /// Kind.
    pub kind: PlacementKind,
    /// Employer id.
    pub employer: String,
    /// Title.
    pub title: String,
    /// Sector code.
    pub sector: String,
    /// Crebo codes the placement trains for (may be empty).
    #[serde(default)]
    pub qualifications: Vec<String>,
    /// Lowest level accepted, 0..=4.
    pub level_min: i64,
    /// Highest level accepted, 0..=4.
    pub level_max: i64,
    /// Site latitude.
    pub lat: f64,
    /// Site longitude.
    pub lon: f64,
    /// Region code of the site.
    pub region: String,
    /// Hours per week the placement asks.
    pub hours_per_week: i64,
    /// Number of places.
    pub capacity: i64,
    /// Places already taken.
    #[serde(default)]
    pub filled: i64,
    /// Start date.
    pub start_date: NaiveDate,
    /// Support the employer offers or accepts.
    #[serde(default)]
    pub support_offered: Vec<SupportKind>,
    /// Credential it leads to.
    pub credential: Credential,
    /// Whether it can turn into a job.
    #[serde(default)]
    pub job_prospect: bool,
    /// Posting employer desk (werkgeversservicepunt).
    pub desk: String,
}
