//! Unit tests of the hard constraints and of explanations adding up.
use super::*;
use crate::model::enums::{Level, SchoolType, SupportKind, SupportSet};
use crate::model::placement::Placement;
use crate::model::reference::{Reference, ReferenceRecords};
use crate::policy::{PolicyConfig, PolicyOverride};
use crate::record::*;
use crate::{Credential, ExitProfile, Lined};

fn lined<T>(line: u64, record: T) -> Lined<T> {
    Lined { line, record }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Three regions: `utrecht` borders `amersfoort`; `groningen` borders nothing. Employer `E1`
/// is recognised for crebo `10001` (zorg, level 2), `E2` for nothing.
fn reference() -> Reference {
    let region = |line, code: &str, lat, lon| {
        lined(
            line,
            RegionRecord {
                code: code.into(),
                name: code.to_uppercase(),
                province: "P".into(),
                lat,
                lon,
                central_municipality: "C".into(),
            },
        )
    };
    let sector = |line, code: &str, name: &str| {
        lined(
            line,
            SectorRecord {
                code: code.into(),
                name: name.into(),
            },
        )
    };
    let qual = |line, crebo: &str, sector: &str, level| {
        lined(
            line,
            QualificationRecord {
                crebo: crebo.into(),
                name: crebo.into(),
                sector: sector.into(),
                level,
            },
        )
    };
    let employer = |line, id: &str, quals: &[&str]| {
        lined(
            line,
            EmployerRecord {
                id: id.into(),
                name: id.into(),
                region: "utrecht".into(),
                recognised_for: quals.iter().map(|&q| q.into()).collect(),
            },
        )
    };
    Reference::build(ReferenceRecords {
        regions: vec![
            region(2, "utrecht", 52.09, 5.12),
            region(3, "amersfoort", 52.16, 5.39),
            region(4, "groningen", 53.22, 6.57),
        ],
        adjacency: vec![lined(
            2,
            AdjacencyRecord {
                a: "utrecht".into(),
                b: "amersfoort".into(),
            },
        )],
        sectors: vec![
            sector(2, "zorg", "Zorg en welzijn"),
            sector(3, "bouw", "Bouw en infra"),
        ],
        qualifications: vec![qual(2, "10001", "zorg", 2), qual(3, "10002", "bouw", 3)],
        outlook: vec![lined(
            2,
            OutlookRecord {
                sector: "zorg".into(),
                region: "utrecht".into(),
                internship: Some(4),
                work: Some(5),
            },
        )],
        employers: vec![employer(1, "E1", &["10001"]), employer(2, "E2", &[])],
    })
    .expect("fixture reference is valid")
}

/// A feasible pair: an mbo-BBL learner at level 2 in crebo 10001, living in Utrecht, and a
/// learn-work job 11.1 km due north at an employer recognised for 10001.
pub(in crate::score) fn fixture() -> (Reference, Learner, Placement) {
    let refs = reference();
    let learner = Learner::from_record(
        LearnerRecord {
            id: "L1".into(),
            name: "Test Learner".into(),
            email: None,
            birth_date: date(2007, 3, 15),
            school_type: SchoolType::MboBbl,
            level: 2,
            qualification: Some("10001".into()),
            exit_profile: ExitProfile::Work,
            final_year: true,
            aftercare: false,
            basic_qualification: false,
            sector_preferences: vec!["zorg".into(), "bouw".into()],
            lat: 52.09,
            lon: 5.12,
            region: "utrecht".into(),
            travel_limit_km: 30.0,
            hours_per_week: 32,
            earliest_start: date(2025, 9, 1),
            support_needs: vec![
                SupportNeedRecord {
                    kind: SupportKind::JobCoach,
                    essential: true,
                },
                SupportNeedRecord {
                    kind: SupportKind::LanguageSupport,
                    essential: false,
                },
            ],
            in_register: false,
        },
        &refs,
    )
    .expect("fixture learner is valid");
    let placement = Placement::from_record(
        PlacementRecord {
            id: "P1".into(),
            kind: PlacementKind::LearnWork,
            employer: "E1".into(),
            title: "Helpende zorg".into(),
            sector: "zorg".into(),
            qualifications: vec!["10001".into()],
            level_min: 2,
            level_max: 3,
            lat: 52.19,
            lon: 5.12,
            region: "utrecht".into(),
            hours_per_week: 24,
            capacity: 2,
            filled: 1,
            start_date: date(2025, 9, 15),
            support_offered: vec![SupportKind::JobCoach],
            credential: Credential::Diploma,
            job_prospect: true,
            desk: "wsp-utrecht".into(),
        },
        &refs,
    )
    .expect("fixture placement is valid");
    (refs, learner, placement)
}

/// The explanation of the (edited) fixture pair under `cfg`, after checking that the hot
/// path agrees on feasibility.
fn explain_with(
    cfg: &PolicyConfig,
    edit: impl FnOnce(&Reference, &mut Learner, &mut Placement),
) -> (Explanation, Option<u16>) {
    let (refs, mut l, mut p) = fixture();
    edit(&refs, &mut l, &mut p);
    let policies = PolicySet::resolve(cfg, &refs).expect("valid policy");
    let data = Dataset::from_parts(refs, vec![l], vec![p]);
    let s = Scorer::new(&data, policies);
    let (li, pi) = (LearnerIdx(0), PlacementIdx(0));
    let e = s.explain(li, pi);
    let score = s.score(&s.prepare(li), pi);
    let public = s.score_in(&s.prepare(li), pi, ScoreView::Public);
    assert_eq!(e.feasible, e.violations.is_empty(), "{e:?}");
    assert_eq!(
        e.feasible,
        score.is_some(),
        "explain and score disagree: {e:?}"
    );
    let only_support_missing = !e.violations.is_empty()
        && e.violations
            .iter()
            .all(|v| matches!(v, Violation::EssentialSupportMissing { .. }));
    assert_eq!(
        score.is_some() || only_support_missing,
        public.is_some(),
        "the public view differs from the full one only in not checking essential support"
    );
    assert_eq!(e.score, score, "explain and score disagree");
    assert_eq!(e.remedies.len(), e.violations.len());
    (e, score)
}

/// The violation codes of the edited fixture pair under the default policy.
fn violations(edit: impl FnOnce(&Reference, &mut Learner, &mut Placement)) -> Vec<&'static str> {
    let (e, _) = explain_with(&PolicyConfig::default(), edit);
    e.violations.iter().map(Violation::code).collect()
}

fn no_violations() -> Vec<&'static str> {
    Vec::new()
}

#[test]
fn fixture_pair_is_feasible() {
    assert_eq!(violations(|_, _, _| {}), no_violations());
}

#[test]
fn explanation_contributions_add_up_to_the_score() {
    let (e, score) = explain_with(&PolicyConfig::default(), |_, _, _| {});
    let score = score.expect("feasible");
    assert_eq!(e.score, Some(score));
    assert_eq!(e.contribution_sum(), score);
    let order: Vec<_> = e.components.iter().map(|c| c.component).collect();
    assert_eq!(order, Component::ALL);
    let mut weights = 0;
    for c in &e.components {
        let raw = (c.value * 1000.0).round() as u32;
        assert!(raw <= 1000, "{c:?}");
        assert_eq!(
            c.contribution as u32,
            c.weight as u32 * raw / 1000,
            "contribution is floor(weight × value): {c:?}"
        );
        weights += c.weight;
    }
    assert_eq!(weights, SCORE_MAX);
    assert!(score > 0 && score <= SCORE_MAX);
}

#[test]
fn full_placement_has_no_open_places() {
    assert_eq!(
        violations(|_, _, p| p.filled = p.capacity),
        ["no_open_places"]
    );
}

#[test]
fn banenafspraak_needs_the_register() {
    let banen =
        |_: &Reference, _: &mut Learner, p: &mut Placement| p.kind = PlacementKind::Banenafspraak;
    assert_eq!(violations(banen), ["not_in_register"]);
    assert_eq!(
        violations(|r, l, p| {
            banen(r, l, p);
            l.in_register = true;
        }),
        no_violations()
    );
}

#[test]
fn internship_needs_an_enrolled_learner() {
    assert_eq!(
        violations(|_, l, p| {
            p.kind = PlacementKind::Internship;
            l.school_type = SchoolType::EarlyLeaver;
        }),
        ["not_enrolled"]
    );
    assert_eq!(
        violations(|_, l, p| {
            p.kind = PlacementKind::Internship;
            l.school_type = SchoolType::JobSeeker;
            l.qualification = None;
        }),
        ["not_enrolled"]
    );
}

#[test]
fn learn_work_needs_a_qualification() {
    assert_eq!(
        violations(|_, l, _| {
            l.school_type = SchoolType::JobSeeker;
            l.qualification = None;
        }),
        ["no_qualification"]
    );
}

fn unrecognised_employer(refs: &Reference, p: &mut Placement) {
    p.employer = refs.employer("E2").unwrap();
}

#[test]
fn learn_work_needs_a_recognised_employer() {
    assert_eq!(
        violations(|r, _, p| unrecognised_employer(r, p)),
        ["employer_not_recognised"]
    );
}

#[test]
fn learn_work_needs_recognition_for_the_learners_own_qualification() {
    // E1 is recognised for 10001 only; a learner in 10002 does not fit.
    assert_eq!(
        violations(|r, l, _| l.qualification = r.qualification("10002")),
        ["employer_not_recognised"]
    );
}

#[test]
fn mbo_bol_internship_needs_a_recognised_employer() {
    let bol_internship = |l: &mut Learner, p: &mut Placement| {
        l.school_type = SchoolType::MboBol;
        p.kind = PlacementKind::Internship;
    };
    assert_eq!(
        violations(|r, l, p| {
            bol_internship(l, p);
            unrecognised_employer(r, p);
        }),
        ["employer_not_recognised"]
    );
    assert_eq!(
        violations(|_, l, p| bol_internship(l, p)),
        no_violations(),
        "recognised for the learner's crebo"
    );
}

#[test]
fn pro_internship_needs_no_recognition() {
    for qualification in [None, Some("10001")] {
        assert_eq!(
            violations(|r, l, p| {
                l.school_type = SchoolType::Pro;
                l.level = Level::new(0).unwrap();
                // A pro pupil may already be registered for a crebo; a stage still needs
                // no recognition.
                l.qualification = qualification.and_then(|c| r.qualification(c));
                p.kind = PlacementKind::Internship;
                unrecognised_employer(r, p);
            }),
            no_violations(),
            "pro pupil with qualification {qualification:?}"
        );
    }
}

#[test]
fn learn_work_level_must_be_in_range() {
    assert_eq!(
        violations(|_, _, p| p.level_min = Level::new(3).unwrap()),
        ["level_out_of_range"]
    );
    assert_eq!(
        violations(|_, l, _| l.level = Level::new(4).unwrap()),
        ["level_out_of_range"]
    );
    assert_eq!(
        violations(|_, _, p| p.level_max = Level::new(2).unwrap()),
        no_violations(),
        "the range is inclusive"
    );
}

/// Moves the placement to a site in the neighbouring region, about 11 km from home.
fn in_amersfoort(refs: &Reference, p: &mut Placement) {
    p.region = refs.region("amersfoort").unwrap();
    p.location = crate::GeoPoint::new(52.16, 5.30).unwrap();
}

#[test]
fn region_out_of_reach_with_zero_hops() {
    let own_region_only = PolicyConfig {
        default: PolicyOverride {
            region_hops: Some(0),
            ..PolicyOverride::default()
        },
        ..PolicyConfig::default()
    };
    let (e, score) = explain_with(&own_region_only, |r, _, p| in_amersfoort(r, p));
    assert_eq!(score, None);
    assert_eq!(
        e.violations,
        [Violation::RegionOutOfReach {
            region: "amersfoort".into(),
            hops: Some(1),
            allowed: 0
        }]
    );
    assert_eq!(
        violations(|r, _, p| in_amersfoort(r, p)),
        no_violations(),
        "the default policy reaches one region further"
    );
}

#[test]
fn unconnected_region_is_out_of_reach() {
    let (e, _) = explain_with(&PolicyConfig::default(), |r, _, p| {
        p.region = r.region("groningen").unwrap();
    });
    assert_eq!(
        e.violations,
        [Violation::RegionOutOfReach {
            region: "groningen".into(),
            hops: None,
            allowed: 1
        }]
    );
}

#[test]
fn beyond_the_travel_limit_is_too_far() {
    // The site is 11.1 km away.
    let (e, _) = explain_with(&PolicyConfig::default(), |_, l, _| l.travel_limit_km = 11.0);
    assert_eq!(
        e.violations,
        [Violation::TooFar {
            distance_km: 11.1,
            limit_km: 11.0
        }]
    );
    assert_eq!(
        violations(|_, l, _| l.travel_limit_km = 11.2),
        no_violations()
    );
}

#[test]
fn more_hours_than_available_is_too_many() {
    assert_eq!(
        violations(|_, _, p| p.hours_per_week = 33),
        ["too_many_hours"]
    );
    assert_eq!(
        violations(|_, _, p| p.hours_per_week = 32),
        no_violations(),
        "exactly the available hours fit"
    );
}

#[test]
fn start_before_earliest_start_is_too_early() {
    assert_eq!(
        violations(|_, l, p| p.start_date = l.earliest_start.pred_opt().unwrap()),
        ["starts_too_early"]
    );
    assert_eq!(
        violations(|_, l, p| p.start_date = l.earliest_start),
        no_violations()
    );
}

#[test]
fn start_after_the_window_is_too_late() {
    let window = crate::policy::DEFAULT_START_WINDOW_DAYS as u64;
    let (e, _) = explain_with(&PolicyConfig::default(), |_, l, p| {
        p.start_date = l.earliest_start + Days::new(window + 1)
    });
    assert_eq!(
        e.violations,
        [Violation::StartsTooLate {
            start: date(2025, 9, 1) + Days::new(window + 1),
            latest: date(2025, 9, 1) + Days::new(window),
        }]
    );
    assert_eq!(
        violations(|_, l, p| p.start_date = l.earliest_start + Days::new(window)),
        no_violations(),
        "the last day of the window fits"
    );
}

#[test]
fn unmet_essential_support_is_missing() {
    let (e, _) = explain_with(&PolicyConfig::default(), |_, l, p| {
        l.support.essential.insert(SupportKind::WorkplaceAdaptation);
        p.support_offered = [SupportKind::JobCoach].into_iter().collect();
    });
    assert_eq!(
        e.violations,
        [Violation::EssentialSupportMissing {
            missing: vec![SupportKind::WorkplaceAdaptation]
        }]
    );
    assert_eq!(
        violations(|_, _, p| p.support_offered = SupportSet::EMPTY),
        ["essential_support_missing"]
    );
}

#[test]
fn unmet_desired_support_is_not_a_violation() {
    // The learner's language support need is only desired.
    assert_eq!(
        violations(|_, _, p| p.support_offered = [SupportKind::JobCoach].into_iter().collect()),
        no_violations()
    );
}

#[test]
fn three_failures_are_all_listed() {
    assert_eq!(
        violations(|_, l, p| {
            p.filled = p.capacity;
            p.hours_per_week = 40;
            p.start_date = l.earliest_start.pred_opt().unwrap();
        }),
        ["no_open_places", "too_many_hours", "starts_too_early"]
    );
}
