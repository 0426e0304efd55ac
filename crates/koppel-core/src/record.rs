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
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::code))]
    pub code: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::reference_name))]
    pub name: String,
    /// Province.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::province))]
    pub province: String,
    /// Approximate centre, latitude.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::lat))]
    pub lat: f64,
    /// Approximate centre, longitude.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::lon))]
    pub lon: f64,
    /// The region's central municipality (centrumgemeente).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::central_municipality))]
    pub central_municipality: String,
}

/// `region_adjacency.csv`: two regions that border each other.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdjacencyRecord {
    /// One region code.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::region_code))]
    pub a: String,
    /// The other region code.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::region_code))]
    pub b: String,
}

/// `sectors.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SectorRecord {
    /// Slug, e.g. `zorg`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::code))]
    pub code: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::reference_name))]
    pub name: String,
}

/// `qualifications.csv`: an mbo qualification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QualificationRecord {
    /// Crebo-like code, five digits.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::crebo))]
    pub crebo: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::reference_name))]
    pub name: String,
    /// Sector code.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::sector_code))]
    pub sector: String,
    /// Mbo level 1..=4.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::qualification_level))]
    #[serde(deserialize_with = "integer::exact")]
    pub level: i64,
}

/// `outlook.csv`: prospects for one sector in one region. Empty cells mean "not known".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OutlookRecord {
    /// Sector code.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::sector_code))]
    pub sector: String,
    /// Region code.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::region_code))]
    pub region: String,
    /// Chance of an internship / learn-work place, 1..=5.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::outlook_step))]
    #[serde(default, deserialize_with = "integer::optional")]
    pub internship: Option<i64>,
    /// Chance of work, 1..=5.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::outlook_step))]
    #[serde(default, deserialize_with = "integer::optional")]
    pub work: Option<i64>,
}

/// `employers.jsonl`: an employer and the qualifications it is a recognised learning company for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmployerRecord {
    /// Employer id.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::employer_id))]
    pub id: String,
    /// Trade name.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::employer_name))]
    pub name: String,
    /// Region code of the main site.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::region_code))]
    pub region: String,
    /// Crebo codes of the qualifications the employer is recognised (erkend) for.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::recognised_for))]
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
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::learner_id))]
    pub id: String,
    /// Name (personal data; never shown to employers).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::learner_name))]
    pub name: String,
    /// Contact e-mail (personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::email))]
    pub email: Option<String>,
    /// Date of birth (personal data).
    pub birth_date: NaiveDate,
    /// School type.
    pub school_type: SchoolType,
    /// Level 0..=4 (0 = pro/vso).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::learner_level))]
    #[serde(deserialize_with = "integer::exact")]
    pub level: i64,
    /// Crebo code the learner is enrolled in or registered for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::learner_qualification))]
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
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::sector_preferences))]
    pub sector_preferences: Vec<String>,
    /// Home latitude.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::lat))]
    pub lat: f64,
    /// Home longitude.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::lon))]
    pub lon: f64,
    /// Home region code.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::region_code))]
    pub region: String,
    /// Longest acceptable one-way distance, km.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::travel_limit_km))]
    pub travel_limit_km: f64,
    /// Hours available per week.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::hours_per_week))]
    #[serde(deserialize_with = "integer::exact")]
    pub hours_per_week: i64,
    /// Earliest start date.
    pub earliest_start: NaiveDate,
    /// Support needs (special-category data; never shown to employers).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::support_needs))]
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
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::placement_id))]
    pub id: String,
    /// Kind.
    pub kind: PlacementKind,
    /// Employer id.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::employer_id))]
    pub employer: String,
    /// Title.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::title))]
    pub title: String,
    /// Sector code.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::sector_code))]
    pub sector: String,
    /// Crebo codes the placement trains for (may be empty).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::placement_qualifications))]
    pub qualifications: Vec<String>,
    /// Lowest level accepted, 0..=4.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::level_min))]
    #[serde(deserialize_with = "integer::exact")]
    pub level_min: i64,
    /// Highest level accepted, 0..=4.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::level_max))]
    #[serde(deserialize_with = "integer::exact")]
    pub level_max: i64,
    /// Site latitude.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::lat))]
    pub lat: f64,
    /// Site longitude.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::lon))]
    pub lon: f64,
    /// Region code of the site.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::region_code))]
    pub region: String,
    /// Hours per week the placement asks.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::hours_per_week))]
    #[serde(deserialize_with = "integer::exact")]
    pub hours_per_week: i64,
    /// Number of places.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::capacity))]
    #[serde(deserialize_with = "integer::exact")]
    pub capacity: i64,
    /// Places already taken.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::filled))]
    #[serde(deserialize_with = "integer::exact")]
    pub filled: i64,
    /// Start date.
    pub start_date: NaiveDate,
    /// Support the employer offers or accepts.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::support_offered))]
    pub support_offered: Vec<SupportKind>,
    /// Credential it leads to.
    pub credential: Credential,
    /// Whether it can turn into a job.
    #[serde(default)]
    pub job_prospect: bool,
    /// Posting employer desk (werkgeversservicepunt).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::desk))]
    pub desk: String,
}

/// Integers as JSON Schema counts them: `38` and `38.0` are the same integer (a number whose
/// fraction is zero), so both are accepted; `38.5` is not. `deserialize_with` helpers.
pub mod integer {
    use serde::de::{Deserializer, Error, Unexpected, Visitor};
    use std::fmt;

    struct Exact;

    impl Visitor<'_> for Exact {
        type Value = i64;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an integer")
        }

        fn visit_i64<E: Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }

        fn visit_u64<E: Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
        }

        fn visit_f64<E: Error>(self, v: f64) -> Result<i64, E> {
            // 2^63 as f64 is the first value past i64::MAX.
            if v.fract() == 0.0 && v >= i64::MIN as f64 && v < i64::MAX as f64 {
                Ok(v as i64)
            } else {
                Err(E::invalid_type(Unexpected::Float(v), &self))
            }
        }
    }

    /// An `i64`, also written with a zero fraction.
    pub fn exact<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_i64(Exact)
    }

    struct Optional;

    impl<'de> Visitor<'de> for Optional {
        type Value = Option<i64>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an integer or nothing")
        }

        fn visit_none<E: Error>(self) -> Result<Option<i64>, E> {
            Ok(None)
        }

        fn visit_unit<E: Error>(self) -> Result<Option<i64>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<i64>, D::Error> {
            exact(d).map(Some)
        }
    }

    /// An optional `i64`, also written with a zero fraction.
    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        d.deserialize_option(Optional)
    }

    /// An optional `usize`, also written with a zero fraction.
    pub fn optional_usize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
        optional(d)?
            .map(|v| {
                usize::try_from(v).map_err(|_| {
                    D::Error::invalid_value(Unexpected::Signed(v), &"a non-negative integer")
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_may_be_written_with_a_zero_fraction() {
        let row: OutlookRecord = serde_json::from_str(
            r#"{"sector":"zorg","region":"rijnmond","internship":4.0,"work":null}"#,
        )
        .unwrap();
        assert_eq!((row.internship, row.work), (Some(4), None));
        let row: OutlookRecord =
            serde_json::from_str(r#"{"sector":"zorg","region":"rijnmond"}"#).unwrap();
        assert_eq!((row.internship, row.work), (None, None));
        for bad in ["4.5", "\"4\"", "1e300", "true"] {
            let text = format!(r#"{{"sector":"z","region":"r","internship":{bad}}}"#);
            assert!(
                serde_json::from_str::<OutlookRecord>(&text).is_err(),
                "{bad}"
            );
        }
        let q: QualificationRecord =
            serde_json::from_str(r#"{"crebo":"1","name":"n","sector":"s","level":2.0}"#).unwrap();
        assert_eq!(q.level, 2);
    }
}
