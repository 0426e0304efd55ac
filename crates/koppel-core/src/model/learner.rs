//! A learner, validated.

use crate::error::FieldError;
use crate::model::enums::{ExitProfile, Level, SchoolType, SupportKind, SupportSet};
use crate::model::geo::GeoPoint;
use crate::model::ids::{LearnerId, QualIdx, RegionIdx, SectorIdx};
use crate::model::limits::{
    check_len, check_text, email_problem, shown, MAX_HOURS, MAX_NAME, MAX_SUPPORT, MAX_TRAVEL_KM,
};
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
        ok(check_text("name", &r.name, MAX_NAME));
        if let Some(why) = r.email.as_deref().and_then(email_problem) {
            ok(Err(FieldError::new("email", why)));
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
                        format!("{} is not a qualification in qualifications.csv", shown(c)),
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
        // An over-long list is reported once, not item by item: a megabyte of bad codes must
        // not become a million errors.
        let prefs_len = check_len(
            "sector_preferences",
            r.sector_preferences.len(),
            MAX_PREFERENCES,
        );
        let prefs_ok = prefs_len.is_ok();
        ok(prefs_len);
        let mut prefs = Vec::with_capacity(MAX_PREFERENCES);
        for code in r.sector_preferences.iter().filter(|_| prefs_ok) {
            match refs.sector(code) {
                None => ok(Err(FieldError::new(
                    "sector_preferences",
                    format!("{} is not a sector in sectors.csv", shown(code)),
                ))),
                Some(s) if prefs.contains(&s) => ok(Err(FieldError::new(
                    "sector_preferences",
                    format!("{} is listed twice", shown(code)),
                ))),
                Some(s) => prefs.push(s),
            }
        }
        let home = check_point(r.lat, r.lon).map_err(|e| ok(Err(e))).ok();
        let region = refs.region(&r.region);
        if region.is_none() {
            ok(Err(FieldError::new(
                "region",
                format!("{} is not a region in regions.csv", shown(&r.region)),
            )));
        }
        let travel = r.travel_limit_km;
        if !(travel.is_finite() && travel > 0.0 && travel <= MAX_TRAVEL_KM) {
            ok(Err(FieldError::new(
                "travel_limit_km",
                format!("{travel} km is not in (0, {MAX_TRAVEL_KM}]"),
            )));
        }
        if !(1..=MAX_HOURS).contains(&r.hours_per_week) {
            ok(Err(FieldError::new(
                "hours_per_week",
                format!("{} is not in 1..={MAX_HOURS}", r.hours_per_week),
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
        let support_len = check_len("support_needs", r.support_needs.len(), MAX_SUPPORT);
        let support_ok = support_len.is_ok();
        ok(support_len);
        for n in r.support_needs.iter().filter(|_| support_ok) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::assert_only;
    use crate::record::SupportNeedRecord;
    use crate::synth::{reference_records, Generator, SynthParams};
    use chrono::Days;

    const PARAMS: SynthParams = SynthParams {
        learners: 0,
        placements: 0,
        seed: 1,
    };

    /// The synthetic reference tables and a valid mbo-BOL learner record.
    fn fixture() -> (Reference, LearnerRecord) {
        let refs = Reference::build(reference_records(&PARAMS)).expect("synthetic refs validate");
        let gen = Generator::new(PARAMS);
        let rec = (0..1000)
            .map(|i| gen.learner(i))
            .find(|r| r.school_type == SchoolType::MboBol)
            .expect("an mbo_bol learner among the first 1000");
        assert!(
            Learner::from_record(rec.clone(), &refs).is_ok(),
            "fixture is valid"
        );
        (refs, rec)
    }

    /// Validates `rec` after `edit`, expecting it to be rejected.
    fn errors(edit: impl FnOnce(&mut LearnerRecord, &Reference)) -> Vec<FieldError> {
        let (refs, mut rec) = fixture();
        edit(&mut rec, &refs);
        match Learner::from_record(rec, &refs) {
            Ok(l) => panic!("learner {} was accepted", l.id),
            Err(errs) => errs,
        }
    }

    #[test]
    fn unknown_region_is_rejected() {
        let errs = errors(|r, _| r.region = "atlantis".into());
        assert_only(&errs, "region", "`atlantis` is not a region");
    }

    #[test]
    fn level_7_is_rejected() {
        let errs = errors(|r, _| r.level = 7);
        assert_only(&errs, "level", "7 is not a level");
    }

    #[test]
    fn mbo_bol_without_qualification_is_rejected() {
        let errs = errors(|r, _| r.qualification = None);
        assert_only(
            &errs,
            "qualification",
            "mbo_bol student must have the crebo",
        );
    }

    #[test]
    fn mbo_level_must_match_qualification_level() {
        let errs = errors(|r, refs| {
            let q = refs
                .qualification(r.qualification.as_deref().unwrap())
                .unwrap();
            let ql = refs.qualifications[q.ix()].level.get() as i64;
            r.level = ql % 4 + 1; // another mbo level 1..=4
        });
        assert_only(&errs, "level", "does not match the level of qualification");
    }

    #[test]
    fn six_sector_preferences_are_too_many() {
        let errs = errors(|r, refs| {
            r.sector_preferences = refs.sectors[..6].iter().map(|s| s.code.clone()).collect();
        });
        assert_only(&errs, "sector_preferences", "at most 5");
    }

    #[test]
    fn five_sector_preferences_are_fine() {
        let (refs, mut rec) = fixture();
        rec.sector_preferences = refs.sectors[..5].iter().map(|s| s.code.clone()).collect();
        let l = Learner::from_record(rec, &refs).unwrap();
        let want: Vec<_> = (0..5).map(|i| SectorIdx(i as u16)).collect();
        assert_eq!(l.sector_preferences, want, "kept in rank order");
    }

    #[test]
    fn duplicate_sector_preference_is_rejected() {
        let errs = errors(|r, refs| {
            let s = refs.sectors[0].code.clone();
            r.sector_preferences = vec![s.clone(), refs.sectors[1].code.clone(), s];
        });
        assert_only(&errs, "sector_preferences", "listed twice");
    }

    #[test]
    fn unknown_sector_preference_is_rejected() {
        let errs = errors(|r, _| r.sector_preferences = vec!["ruimtevaart".into()]);
        assert_only(&errs, "sector_preferences", "`ruimtevaart` is not a sector");
    }

    #[test]
    fn home_outside_the_netherlands_is_rejected() {
        let errs = errors(|r, _| r.lat = 48.85); // Paris
        assert_only(&errs, "lat", "outside the Netherlands");
        let errs = errors(|r, _| r.lon = 8.5); // Germany
        assert_only(&errs, "lon", "outside the Netherlands");
    }

    #[test]
    fn travel_limit_must_be_in_0_to_250() {
        for bad in [0.0, f64::NAN, 300.0, -5.0, f64::INFINITY] {
            let errs = errors(|r, _| r.travel_limit_km = bad);
            assert_only(&errs, "travel_limit_km", "not in (0, 250]");
        }
        let (refs, mut rec) = fixture();
        rec.travel_limit_km = 250.0;
        assert!(
            Learner::from_record(rec, &refs).is_ok(),
            "250 km is allowed"
        );
    }

    #[test]
    fn hours_must_be_in_1_to_40() {
        for bad in [0, 41, -1] {
            let errs = errors(|r, _| r.hours_per_week = bad);
            assert_only(&errs, "hours_per_week", "not in 1..=40");
        }
    }

    #[test]
    fn birth_date_after_earliest_start_is_rejected() {
        let errs = errors(|r, _| r.birth_date = r.earliest_start + Days::new(1));
        assert_only(&errs, "birth_date", "not before earliest_start");
        let errs = errors(|r, _| r.birth_date = r.earliest_start);
        assert_only(&errs, "birth_date", "not before earliest_start");
    }

    #[test]
    fn duplicate_support_kind_is_rejected() {
        let errs = errors(|r, _| {
            r.support_needs = vec![
                SupportNeedRecord {
                    kind: SupportKind::JobCoach,
                    essential: true,
                },
                SupportNeedRecord {
                    kind: SupportKind::JobCoach,
                    essential: false,
                },
            ];
        });
        assert_only(&errs, "support_needs", "`job_coach` is listed twice");
    }

    #[test]
    fn invalid_ids_are_rejected() {
        for bad in ["L 1", "", "L/1", "ë1"] {
            let errs = errors(|r, _| r.id = bad.into());
            assert_only(&errs, "id", "is not a valid id");
        }
        let errs = errors(|r, _| r.id = "L".repeat(65));
        assert_only(&errs, "id", "is not a valid id");
    }

    #[test]
    fn empty_name_is_rejected() {
        let errs = errors(|r, _| r.name = "  ".into());
        assert_only(&errs, "name", "must not be empty");
    }

    #[test]
    fn name_longer_than_200_characters_is_rejected() {
        let errs = errors(|r, _| r.name = "x".repeat(1 << 20));
        assert_only(&errs, "name", "1048576 characters; at most 200 allowed");
        let (refs, mut rec) = fixture();
        rec.name = "é".repeat(crate::model::limits::MAX_NAME);
        assert!(Learner::from_record(rec, &refs).is_ok(), "200 is allowed");
    }

    #[test]
    fn control_and_bidi_characters_in_a_name_are_rejected() {
        for (name, code) in [
            ("Sanne\u{0}Jansen", "U+0000"),
            ("Sanne \u{202E}nesnaJ", "U+202E"),
            ("Sanne\u{200B}Jansen", "U+200B"),
            ("Sanne\u{2066}Jansen\u{2069}", "U+2066"),
            ("Sanne\nJansen", "U+000A"),
        ] {
            let errs = errors(|r, _| r.name = name.into());
            assert_only(&errs, "name", code);
        }
    }

    #[test]
    fn email_must_be_plausible_and_at_most_254_characters() {
        for bad in ["", "sanne", "sanne@localhost", "sanne jansen@example.org"] {
            let errs = errors(|r, _| r.email = Some(bad.into()));
            assert_only(&errs, "email", "is not an e-mail address");
        }
        let errs = errors(|r, _| r.email = Some(format!("{}@example.org", "s".repeat(250))));
        assert_only(&errs, "email", "at most 254 allowed");
        let (refs, mut rec) = fixture();
        rec.email = Some("sanne.jansen+stage@mail.example.org".into());
        assert!(Learner::from_record(rec, &refs).is_ok());
    }

    #[test]
    fn a_long_preference_list_is_one_error_not_one_per_item() {
        let errs = errors(|r, _| r.sector_preferences = vec!["ruimtevaart".into(); 100_000]);
        assert_only(
            &errs,
            "sector_preferences",
            "100000 given, at most 5 allowed",
        );
    }

    #[test]
    fn more_support_needs_than_kinds_is_one_error() {
        let need = SupportNeedRecord {
            kind: SupportKind::JobCoach,
            essential: true,
        };
        let errs = errors(|r, _| r.support_needs = vec![need; 100_000]);
        assert_only(&errs, "support_needs", "100000 given, at most 7 allowed");
    }

    #[test]
    fn a_huge_unknown_code_is_not_echoed_in_full() {
        let errs = errors(|r, _| r.region = "x".repeat(1 << 20));
        assert_only(&errs, "region", "is not a region");
        assert!(errs[0].reason.len() < 200, "{}", errs[0].reason.len());
    }

    #[test]
    fn every_bad_field_is_reported() {
        let errs = errors(|r, _| {
            r.id = "L 1".into();
            r.region = "atlantis".into();
            r.hours_per_week = 0;
            r.travel_limit_km = f64::NAN;
            r.lat = 0.0;
        });
        let mut fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            ["hours_per_week", "id", "lat", "region", "travel_limit_km"],
            "{errs:?}"
        );
    }

    #[test]
    fn valid_record_splits_essential_and_desired_support() {
        let (refs, mut rec) = fixture();
        rec.support_needs = vec![
            SupportNeedRecord {
                kind: SupportKind::JobCoach,
                essential: true,
            },
            SupportNeedRecord {
                kind: SupportKind::LanguageSupport,
                essential: false,
            },
            SupportNeedRecord {
                kind: SupportKind::WorkplaceAdaptation,
                essential: true,
            },
        ];
        let l = Learner::from_record(rec.clone(), &refs).expect("valid");
        assert_eq!(
            l.support.essential.iter().collect::<Vec<_>>(),
            [SupportKind::JobCoach, SupportKind::WorkplaceAdaptation]
        );
        assert_eq!(
            l.support.desired.iter().collect::<Vec<_>>(),
            [SupportKind::LanguageSupport]
        );
        assert!(l.support.any());
        assert_eq!(l.id.as_str(), rec.id);
        assert_eq!(l.region, refs.region(&rec.region).unwrap());
        assert_eq!(
            l.qualification,
            refs.qualification(rec.qualification.as_deref().unwrap())
        );
        assert_eq!(l.level.get() as i64, rec.level);
        assert_eq!(l.hours_per_week as i64, rec.hours_per_week);
        assert_eq!((l.home.lat(), l.home.lon()), (rec.lat, rec.lon));
    }
}
