//! A placement (vacancy), validated.

use crate::error::FieldError;
use crate::model::enums::{Credential, Level, PlacementKind, SupportSet};
use crate::model::geo::GeoPoint;
use crate::model::ids::{EmployerIdx, PlacementId, QualIdx, RegionIdx, SectorIdx};
use crate::model::limits::{
    check_len, check_text, shown, MAX_DESK, MAX_HOURS, MAX_QUALIFICATIONS, MAX_SUPPORT, MAX_TITLE,
};
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
                format!(
                    "{} is not an employer in employers.jsonl",
                    shown(&r.employer)
                ),
            )));
        }
        ok(check_text("title", &r.title, MAX_TITLE));
        ok(check_text("desk", &r.desk, MAX_DESK));
        let sector = refs.sector(&r.sector);
        if sector.is_none() {
            ok(Err(FieldError::new(
                "sector",
                format!("{} is not a sector in sectors.csv", shown(&r.sector)),
            )));
        }
        // An over-long list is reported once, not item by item.
        let quals_len = check_len("qualifications", r.qualifications.len(), MAX_QUALIFICATIONS);
        let quals_ok = quals_len.is_ok();
        ok(quals_len);
        let mut quals = Vec::with_capacity(MAX_QUALIFICATIONS);
        for c in r.qualifications.iter().filter(|_| quals_ok) {
            match refs.qualification(c) {
                None => ok(Err(FieldError::new(
                    "qualifications",
                    format!("{} is not a qualification in qualifications.csv", shown(c)),
                ))),
                Some(q) if quals.contains(&q) => ok(Err(FieldError::new(
                    "qualifications",
                    format!("{} is listed twice", shown(c)),
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
                format!("{} is not a region in regions.csv", shown(&r.region)),
            )));
        }
        if !(1..=MAX_HOURS).contains(&r.hours_per_week) {
            ok(Err(FieldError::new(
                "hours_per_week",
                format!("{} is not in 1..={MAX_HOURS}", r.hours_per_week),
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
        let support_len = check_len("support_offered", r.support_offered.len(), MAX_SUPPORT);
        let support_ok = support_len.is_ok();
        ok(support_len);
        for k in r.support_offered.iter().filter(|_| support_ok) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::enums::SupportKind;
    use crate::model::testutil::assert_only;
    use crate::synth::{Generator, SynthParams};

    /// The synthetic reference tables and a valid placement record that trains for at least one
    /// qualification.
    fn fixture() -> (Reference, PlacementRecord) {
        let gen = Generator::new(SynthParams {
            learners: 0,
            placements: 100,
            seed: 1,
        });
        let refs = Reference::build(gen.reference().clone()).expect("synthetic refs validate");
        let rec = (0..1000)
            .map(|i| gen.placement(i))
            .find(|p| !p.qualifications.is_empty())
            .expect("a placement with a qualification among the first 1000");
        assert!(
            Placement::from_record(rec.clone(), &refs).is_ok(),
            "fixture is valid"
        );
        (refs, rec)
    }

    /// Validates the fixture after `edit`, expecting it to be rejected.
    fn errors(edit: impl FnOnce(&mut PlacementRecord)) -> Vec<FieldError> {
        let (refs, mut rec) = fixture();
        edit(&mut rec);
        match Placement::from_record(rec, &refs) {
            Ok(p) => panic!("placement {} was accepted", p.id),
            Err(errs) => errs,
        }
    }

    #[test]
    fn unknown_employer_is_rejected() {
        let errs = errors(|r| r.employer = "E99999".into());
        assert_only(&errs, "employer", "`E99999` is not an employer");
    }

    #[test]
    fn unknown_sector_is_rejected() {
        let errs = errors(|r| r.sector = "ruimtevaart".into());
        assert_only(&errs, "sector", "`ruimtevaart` is not a sector");
    }

    #[test]
    fn unknown_qualification_is_rejected() {
        let errs = errors(|r| r.qualifications.push("00000".into()));
        assert_only(&errs, "qualifications", "`00000` is not a qualification");
    }

    #[test]
    fn duplicate_qualification_is_rejected() {
        let errs = errors(|r| {
            let q = r.qualifications[0].clone();
            r.qualifications.push(q);
        });
        assert_only(&errs, "qualifications", "listed twice");
    }

    #[test]
    fn level_min_above_level_max_is_rejected() {
        let errs = errors(|r| (r.level_min, r.level_max) = (3, 2));
        assert_only(&errs, "level_max", "2 is below level_min 3");
    }

    #[test]
    fn level_5_is_rejected() {
        let errs = errors(|r| (r.level_min, r.level_max) = (1, 5));
        assert_only(&errs, "level_max", "5 is not a level");
        let errs = errors(|r| (r.level_min, r.level_max) = (5, 4));
        assert_only(&errs, "level_min", "5 is not a level");
        let errs = errors(|r| (r.level_min, r.level_max) = (-1, 4));
        assert_only(&errs, "level_min", "-1 is not a level");
    }

    #[test]
    fn capacity_must_be_in_1_to_10000() {
        for bad in [0, -3, 10_001] {
            let errs = errors(|r| (r.capacity, r.filled) = (bad, 0));
            assert_only(&errs, "capacity", "not in 1..=10000");
        }
        let (refs, mut rec) = fixture();
        (rec.capacity, rec.filled) = (10_000, 10_000);
        assert!(Placement::from_record(rec, &refs).is_ok(), "full is valid");
    }

    #[test]
    fn filled_above_capacity_is_rejected() {
        let errs = errors(|r| (r.capacity, r.filled) = (2, 3));
        assert_only(&errs, "filled", "3 is not in 0..=capacity (2)");
    }

    #[test]
    fn negative_filled_is_rejected() {
        let errs = errors(|r| (r.capacity, r.filled) = (2, -1));
        assert_only(&errs, "filled", "-1 is not in 0..=capacity");
    }

    #[test]
    fn hours_must_be_in_1_to_40() {
        for bad in [0, 41] {
            let errs = errors(|r| r.hours_per_week = bad);
            assert_only(&errs, "hours_per_week", "not in 1..=40");
        }
    }

    #[test]
    fn duplicate_support_offered_is_rejected() {
        let errs = errors(|r| {
            r.support_offered = vec![
                SupportKind::JobCoach,
                SupportKind::NoRiskPolicy,
                SupportKind::JobCoach,
            ]
        });
        assert_only(&errs, "support_offered", "`job_coach` is listed twice");
    }

    #[test]
    fn empty_title_is_rejected() {
        let errs = errors(|r| r.title = " \u{A0}".into());
        assert_only(&errs, "title", "must not be empty");
        let errs = errors(|r| r.title = " \t".into());
        assert_only(&errs, "title", "U+0009");
    }

    #[test]
    fn empty_desk_is_rejected() {
        let errs = errors(|r| r.desk = String::new());
        assert_only(&errs, "desk", "must not be empty");
    }

    #[test]
    fn a_one_megabyte_title_is_rejected() {
        let errs = errors(|r| r.title = "x".repeat(1 << 20));
        assert_only(&errs, "title", "1048576 characters; at most 200 allowed");
        let (refs, mut rec) = fixture();
        rec.title = "t".repeat(crate::model::limits::MAX_TITLE);
        assert!(Placement::from_record(rec, &refs).is_ok(), "200 is allowed");
    }

    #[test]
    fn a_title_with_a_bidi_override_is_rejected() {
        let errs = errors(|r| r.title = "Stage \u{202E}reknaB".into());
        assert_only(&errs, "title", "U+202E");
        let errs = errors(|r| r.title = "Stage\u{0}".into());
        assert_only(&errs, "title", "U+0000");
    }

    #[test]
    fn desk_is_text_of_at_most_200_characters() {
        let errs = errors(|r| r.desk = "d".repeat(201));
        assert_only(&errs, "desk", "at most 200 allowed");
        let errs = errors(|r| r.desk = "wsp\u{FEFF}".into());
        assert_only(&errs, "desk", "U+FEFF");
    }

    #[test]
    fn lists_have_a_bound_and_are_reported_once() {
        let errs = errors(|r| r.qualifications = vec!["00000".into(); 100_000]);
        assert_only(&errs, "qualifications", "100000 given, at most 20 allowed");
        let errs = errors(|r| r.support_offered = vec![SupportKind::JobCoach; 8]);
        assert_only(&errs, "support_offered", "8 given, at most 7 allowed");
    }

    #[test]
    fn unknown_region_and_site_abroad_are_rejected() {
        let errs = errors(|r| r.region = "atlantis".into());
        assert_only(&errs, "region", "`atlantis` is not a region");
        let errs = errors(|r| r.lat = 50.0);
        assert_only(&errs, "lat", "outside the Netherlands");
    }

    #[test]
    fn invalid_id_is_rejected() {
        let errs = errors(|r| r.id = "P 1".into());
        assert_only(&errs, "id", "is not a valid id");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let errs = errors(|r| {
            r.employer = "nobody".into();
            r.title = String::new();
            r.capacity = 0;
            r.hours_per_week = 0;
            r.level_min = 9;
        });
        let mut fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "capacity",
                "employer",
                "hours_per_week",
                "level_min",
                "title"
            ],
            "{errs:?}"
        );
    }

    #[test]
    fn valid_record_is_linked_and_qualifications_sorted() {
        let (refs, mut rec) = fixture();
        let mut crebos: Vec<_> = refs.qualifications[..3]
            .iter()
            .map(|q| q.crebo.clone())
            .collect();
        crebos.reverse();
        rec.qualifications = crebos;
        (rec.capacity, rec.filled) = (5, 2);
        rec.support_offered = vec![SupportKind::LanguageSupport, SupportKind::JobCoach];
        let p = Placement::from_record(rec.clone(), &refs).expect("valid");
        assert_eq!(p.qualifications, [QualIdx(0), QualIdx(1), QualIdx(2)]);
        assert_eq!(p.open_places(), 3);
        assert_eq!(
            p.support_offered.iter().collect::<Vec<_>>(),
            [SupportKind::JobCoach, SupportKind::LanguageSupport]
        );
        assert_eq!(p.employer, refs.employer(&rec.employer).unwrap());
        assert_eq!(p.sector, refs.sector(&rec.sector).unwrap());
        assert_eq!(p.region, refs.region(&rec.region).unwrap());
        assert_eq!(
            (p.level_min.get() as i64, p.level_max.get() as i64),
            (rec.level_min, rec.level_max)
        );
    }
}
