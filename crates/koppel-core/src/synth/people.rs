//! Synthetic learners.

use super::names::{FIRST_NAMES, LAST_NAMES};
use super::sample::pick;
use super::tables::QualPool;
use super::Generator;
use crate::model::enums::{ExitProfile, SchoolType, SupportKind};
use crate::record::{LearnerRecord, SupportNeedRecord};
use chrono::{Days, Months, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use ExitProfile::{DaytimeActivities as Daytime, FurtherEducation as Further, Work};
use SchoolType::{EarlyLeaver, JobSeeker, MboBbl, MboBol, Pro, Vso};

const SCHOOL_TYPES: &[(SchoolType, u32)] = &[
    (Pro, 10),
    (Vso, 6),
    (MboBol, 45),
    (MboBbl, 15),
    (EarlyLeaver, 12),
    (JobSeeker, 12),
];

/// Per school type: share in the doelgroepregister (permille) and share with support needs
/// (permille). Register members have [`REGISTER_SUPPORT_PERMILLE`] instead.
fn register_and_support(st: SchoolType) -> (u32, u32) {
    match st {
        Pro => (200, 330),
        Vso => (250, 420),
        MboBol => (10, 75),
        MboBbl => (5, 45),
        EarlyLeaver => (40, 140),
        JobSeeker => (100, 130),
    }
}
const REGISTER_SUPPORT_PERMILLE: u32 = 700;

/// Support kinds with their weights; register members more often need wage-cost subsidy, a job
/// coach or a no-risk policy.
const SUPPORT_WEIGHTS: &[(SupportKind, u32)] = &[
    (SupportKind::JobCoach, 25),
    (SupportKind::WorkplaceAdaptation, 12),
    (SupportKind::WageCostSubsidy, 10),
    (SupportKind::NoRiskPolicy, 8),
    (SupportKind::LanguageSupport, 18),
    (SupportKind::DigitalSkills, 14),
    (SupportKind::IntensiveGuidance, 13),
];
const SUPPORT_WEIGHTS_REGISTER: &[(SupportKind, u32)] = &[
    (SupportKind::JobCoach, 30),
    (SupportKind::WorkplaceAdaptation, 12),
    (SupportKind::WageCostSubsidy, 25),
    (SupportKind::NoRiskPolicy, 15),
    (SupportKind::LanguageSupport, 6),
    (SupportKind::DigitalSkills, 6),
    (SupportKind::IntensiveGuidance, 10),
];

/// Number of sector preferences (about 10 % none).
const PREFERENCE_COUNTS: &[(usize, u32)] = &[(0, 10), (1, 20), (2, 25), (3, 25), (4, 12), (5, 8)];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid literal date")
}

/// Earliest start: many at the start of the school year, the rest spread over 2026-01..09.
fn earliest_start(rng: &mut ChaCha8Rng) -> NaiveDate {
    match rng.random_range(0..100) {
        0..30 => date(2026, 8, 1),
        30..55 => date(2026, 9, 1),
        55..63 => date(2026, 2, 1),
        _ => date(2026, 1, 1) + Days::new(rng.random_range(0..273)), // up to 2026-09-30
    }
}

/// Age range (inclusive) at the earliest start, by school type.
fn age_range(st: SchoolType) -> (u32, u32) {
    match st {
        Pro => (15, 18),
        Vso => (15, 20),
        MboBol => (16, 23),
        MboBbl => (17, 26),
        EarlyLeaver => (16, 23),
        JobSeeker => (18, 26),
    }
}

/// A birth date such that the learner is exactly `age` on `start`.
fn birth_date(rng: &mut ChaCha8Rng, start: NaiveDate, age: u32) -> NaiveDate {
    let latest = start - Months::new(12 * age);
    let earliest = start - Months::new(12 * (age + 1)) + Days::new(1);
    let span = (latest - earliest).num_days().max(0) as u64;
    earliest + Days::new(rng.random_range(0..=span))
}

/// Travel limit in km: log-normal around the median, clamped, whole kilometres.
fn travel_limit(rng: &mut ChaCha8Rng, median: f64, spread: f64, lo: f64, hi: f64) -> f64 {
    let (z, _) = super::geo::gauss2(rng);
    (median * (spread * z).exp()).clamp(lo, hi).round()
}

fn hours(rng: &mut ChaCha8Rng, st: SchoolType) -> i64 {
    let table: &[(i64, u32)] = match st {
        Pro | Vso => &[(16, 20), (20, 20), (24, 30), (28, 15), (32, 15)],
        MboBol => &[(24, 10), (28, 10), (32, 35), (36, 25), (40, 20)],
        MboBbl => &[(32, 30), (36, 35), (38, 10), (40, 25)],
        EarlyLeaver => &[(16, 10), (20, 10), (24, 20), (32, 30), (36, 15), (40, 15)],
        JobSeeker => &[(16, 5), (20, 10), (24, 20), (32, 30), (36, 15), (40, 20)],
    };
    pick(rng, table)
}

fn exit_profile(rng: &mut ChaCha8Rng, st: SchoolType) -> ExitProfile {
    let table: &[(ExitProfile, u32)] = match st {
        Pro | Vso => &[(Work, 45), (Further, 35), (Daytime, 20)],
        MboBol => &[(Work, 55), (Further, 45)],
        MboBbl => &[(Work, 75), (Further, 25)],
        EarlyLeaver => &[(Work, 55), (Further, 40), (Daytime, 5)],
        JobSeeker => &[(Work, 95), (Further, 5)],
    };
    pick(rng, table)
}

impl Generator {
    /// Learner `i`, drawn from `rng` (the learner's own stream).
    pub(super) fn gen_learner(&self, i: usize, rng: &mut ChaCha8Rng) -> LearnerRecord {
        let w = &self.world;
        let refs = &self.refs;
        let st = pick(rng, SCHOOL_TYPES);
        let region = w.region_pick.sample(rng);
        let (lat, lon) = w.regions[region].point(rng);

        // Qualification and level.
        let (qual, level) = match st {
            MboBol | MboBbl => {
                let pool = if st == MboBol {
                    QualPool::Bol
                } else {
                    QualPool::Bbl
                };
                let q = w.qual(pool, rng);
                (Some(q), w.quals[q as usize].level as i64)
            }
            Pro | Vso if rng.random_bool(0.4) => {
                let q = w.qual(QualPool::Entry, rng);
                (Some(q), i64::from(w.quals[q as usize].level == 1))
            }
            Pro | Vso => (None, 0),
            EarlyLeaver | JobSeeker if rng.random_bool(0.5) => {
                let q = w.qual(QualPool::Low, rng);
                let ql = w.quals[q as usize].level as i64;
                (Some(q), (ql - rng.random_range(0..=1)).clamp(0, 2))
            }
            EarlyLeaver => (None, pick(rng, &[(0, 35), (1, 40), (2, 25)])),
            JobSeeker => (None, pick(rng, &[(0, 20), (1, 30), (2, 50)])),
        };

        let (register_pm, support_pm) = register_and_support(st);
        let in_register = rng.random_range(0..1000) < register_pm;
        let support_pm = if in_register {
            REGISTER_SUPPORT_PERMILLE
        } else {
            support_pm
        };
        let support_needs = if rng.random_range(0..1000) < support_pm {
            let table = if in_register {
                SUPPORT_WEIGHTS_REGISTER
            } else {
                SUPPORT_WEIGHTS
            };
            let n = pick(rng, &[(1usize, 55), (2, 30), (3, 15)]);
            let mut needs: Vec<SupportNeedRecord> = Vec::with_capacity(n);
            while needs.len() < n {
                let kind = pick(rng, table);
                if !needs.iter().any(|x| x.kind == kind) {
                    needs.push(SupportNeedRecord {
                        kind,
                        essential: rng.random_bool(0.4),
                    });
                }
            }
            needs
        } else {
            Vec::new()
        };

        // Sector preferences: the qualification's sector first, mostly.
        let n_prefs = pick(rng, PREFERENCE_COUNTS).min(w.sector_words.len());
        let mut prefs = [0u16; 5];
        let mut len = 0;
        if let (Some(q), true) = (qual, n_prefs > 0) {
            if rng.random_bool(0.8) {
                prefs[0] = w.quals[q as usize].sector;
                len = 1;
            }
        }
        let mut tries = 0;
        while len < n_prefs && tries < 50 {
            let s = w.sector_pick.sample(rng) as u16;
            if !prefs[..len].contains(&s) {
                prefs[len] = s;
                len += 1;
            }
            tries += 1;
        }
        let sector_preferences = prefs[..len]
            .iter()
            .map(|&s| refs.sectors[s as usize].record.code.clone())
            .collect();

        let enrolled = st.is_enrolled();
        let final_year = enrolled && rng.random_bool(0.65);
        let aftercare = !enrolled && rng.random_bool(0.4);
        let basic_qualification = match st {
            MboBol | MboBbl => level >= 3 && rng.random_bool(0.3),
            JobSeeker => level == 2 && rng.random_bool(0.6),
            Pro | Vso | EarlyLeaver => false,
        };
        let travel_limit_km = if st.is_pro_vso() {
            travel_limit(rng, 12.0, 0.35, 5.0, 20.0)
        } else {
            travel_limit(rng, 24.0, 0.4, 5.0, 60.0)
        };
        let hours_per_week = hours(rng, st);
        let exit_profile = exit_profile(rng, st);
        let start = earliest_start(rng);
        let (lo, hi) = age_range(st);
        let age = (rng.random_range(lo..=hi) + rng.random_range(lo..=hi)) / 2;
        let birth_date = birth_date(rng, start, age);

        let (f, l) = (
            rng.random_range(0..FIRST_NAMES.len()),
            rng.random_range(0..LAST_NAMES.len()),
        );
        let name = format!("{} {}", FIRST_NAMES[f], LAST_NAMES[l]);
        let email = rng.random_bool(0.7).then(|| {
            let domain = if rng.random_bool(0.8) {
                "example.org"
            } else {
                "example.com"
            };
            let n = rng.random_range(1..1000);
            format!("{}.{}{n}@{domain}", w.first_slugs[f], w.last_slugs[l])
        });

        LearnerRecord {
            id: format!("L{:0width$}", i + 1, width = self.learner_width),
            name,
            email,
            birth_date,
            school_type: st,
            level,
            qualification: qual.map(|q| refs.qualifications[q as usize].record.crebo.clone()),
            exit_profile,
            final_year,
            aftercare,
            basic_qualification,
            sector_preferences,
            lat,
            lon,
            region: refs.regions[region].record.code.clone(),
            travel_limit_km,
            hours_per_week,
            earliest_start: start,
            support_needs,
            in_register,
        }
    }
}
