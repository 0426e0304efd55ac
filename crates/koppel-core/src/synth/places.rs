//! Synthetic placements (vacancies).

use super::sample::pick;
use super::tables::World;
use super::Generator;
use crate::model::enums::{Credential, PlacementKind, SupportKind};
use crate::record::PlacementRecord;
use chrono::{Days, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use PlacementKind::{Banenafspraak, Internship, LearnWork};
use SupportKind::*;

const KINDS: &[(PlacementKind, u32)] = &[(Internship, 60), (LearnWork, 28), (Banenafspraak, 12)];

/// Support kinds internships and learn-work places offer, by weight.
const SUPPORT_OFFERED: &[(SupportKind, u32)] = &[
    (JobCoach, 20),
    (LanguageSupport, 20),
    (DigitalSkills, 15),
    (IntensiveGuidance, 15),
    (WorkplaceAdaptation, 10),
    (NoRiskPolicy, 10),
    (WageCostSubsidy, 5),
];

/// Per kind, the chance (percent) a Banenafspraak employer offers or accepts it.
const BANENAFSPRAAK_SUPPORT: [(SupportKind, u32); 7] = [
    (WageCostSubsidy, 85),
    (JobCoach, 80),
    (NoRiskPolicy, 75),
    (WorkplaceAdaptation, 50),
    (IntensiveGuidance, 20),
    (LanguageSupport, 15),
    (DigitalSkills, 15),
];

/// Start dates: clustered on the school year (1 September), some in August and February.
fn start_date(rng: &mut ChaCha8Rng) -> NaiveDate {
    let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("valid literal date");
    match rng.random_range(0..100) {
        0..35 => d(9, 1),
        35..43 => d(8, 1),
        43..50 => d(2, 1),
        _ => d(2, 1) + Days::new(rng.random_range(0..334)), // up to 2026-12-31
    }
}

/// Distinct qualifications of a sector, up to `n`, preferring `preferred` ones.
fn quals_of(
    world: &World,
    sector: usize,
    preferred: &[u16],
    n: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<u16> {
    let own = &world.quals_by_sector[sector];
    let fitting: Vec<u16> = preferred
        .iter()
        .copied()
        .filter(|q| world.quals[*q as usize].sector as usize == sector)
        .collect();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n * 3 {
        if out.len() == n || own.is_empty() {
            break;
        }
        let q = if !fitting.is_empty() && rng.random_range(0..100) < 70 {
            fitting[rng.random_range(0..fitting.len())]
        } else {
            own[rng.random_range(0..own.len())]
        };
        if !out.contains(&q) {
            out.push(q);
        }
    }
    out
}

impl Generator {
    /// Placement `i`, drawn from `rng` (the placement's own stream).
    pub(super) fn gen_placement(&self, i: usize, rng: &mut ChaCha8Rng) -> PlacementRecord {
        let (w, refs, emps) = (&self.world, &self.refs, &self.employers);
        let kind = pick(rng, KINDS);
        let region = w.region_pick.sample(rng);
        // Learn-work places need a recognised learning company: look a little harder for one.
        let mut e = emps.choose(w, region, rng);
        if kind == LearnWork {
            for _ in 0..6 {
                if !emps.meta[e].recognised.is_empty() {
                    break;
                }
                e = emps.choose(w, region, rng);
            }
        }
        let em = &emps.meta[e];

        let (sector, quals) = match kind {
            LearnWork if !em.recognised.is_empty() => {
                let first = em.recognised[rng.random_range(0..em.recognised.len())];
                let sector = w.quals[first as usize].sector as usize;
                let mut quals = vec![first];
                if rng.random_range(0..100) < 30 {
                    quals.extend(
                        quals_of(w, sector, &em.recognised, 1, rng)
                            .into_iter()
                            .filter(|&q| q != first),
                    );
                }
                (sector, quals)
            }
            _ => {
                let sector = if rng.random_range(0..100) < 85 {
                    em.sector as usize
                } else {
                    w.sector_pick.sample(rng)
                };
                let n = match kind {
                    Internship if rng.random_range(0..100) < 20 => 0, // pro/vso stage
                    Internship | LearnWork => pick(rng, &[(1usize, 70), (2, 30)]),
                    Banenafspraak => usize::from(rng.random_range(0..100) < 15),
                };
                let mut quals = quals_of(w, sector, &em.recognised, n, rng);
                if kind == Banenafspraak {
                    quals.retain(|&q| w.quals[q as usize].level <= 2);
                }
                (sector, quals)
            }
        };
        let qlevels = quals.iter().map(|&q| w.quals[q as usize].level as i64);
        let (qmin, qmax) = (qlevels.clone().min(), qlevels.max());

        let (level_min, level_max) = match (kind, qmin, qmax) {
            (Banenafspraak, ..) => {
                let lo = if rng.random_range(0..100) < 85 { 0 } else { 1 };
                (lo, pick(rng, &[(1i64, 40), (2, 60)]).max(lo))
            }
            (_, Some(lo), Some(hi)) if kind == LearnWork => {
                let down = if rng.random_range(0..100) < 25 { 2 } else { 1 };
                let up = i64::from(rng.random_range(0..100) < 30);
                ((lo - down).max(0), (hi + up).min(4))
            }
            (_, Some(lo), Some(hi)) => ((lo - 1).max(0), (hi + rng.random_range(0..=1)).min(4)),
            _ => (0, pick(rng, &[(1i64, 50), (2, 50)])),
        };

        // The site lies in the drawn region; `Employers::choose` makes the employer mostly
        // local, so about 70 % of sites are in the employer's own region.
        let (lat, lon) = w.regions[region].point(rng);

        let hours_per_week = match kind {
            Internship if quals.is_empty() => {
                pick(rng, &[(8i64, 10), (12, 15), (16, 30), (20, 25), (24, 20)])
            }
            Internship => pick(
                rng,
                &[(16, 10), (20, 10), (24, 25), (28, 15), (32, 30), (36, 10)],
            ),
            LearnWork => pick(rng, &[(24, 15), (28, 15), (32, 45), (36, 15), (40, 10)]),
            Banenafspraak => pick(
                rng,
                &[
                    (12, 15),
                    (16, 20),
                    (20, 20),
                    (24, 20),
                    (28, 10),
                    (32, 10),
                    (36, 5),
                ],
            ),
        };
        let capacity = pick(rng, &[(1i64, 55), (2, 25), (3, 10), (4, 6), (5, 4)]);
        let filled = match rng.random_range(0..100) {
            0..3 => capacity,
            3..73 => 0,
            _ => rng.random_range(0..capacity),
        };

        let mut support_offered = Vec::new();
        if kind == Banenafspraak {
            for (k, pct) in BANENAFSPRAAK_SUPPORT {
                if support_offered.len() < 5 && rng.random_range(0..100) < pct {
                    support_offered.push(k);
                }
            }
            for (k, _) in BANENAFSPRAAK_SUPPORT {
                if support_offered.len() < 2 && !support_offered.contains(&k) {
                    support_offered.push(k);
                }
            }
        } else {
            let n = if quals.is_empty() {
                pick(rng, &[(1usize, 40), (2, 35), (3, 25)])
            } else {
                pick(rng, &[(0usize, 35), (1, 30), (2, 22), (3, 13)])
            };
            while support_offered.len() < n {
                let k = pick(rng, SUPPORT_OFFERED);
                if !support_offered.contains(&k) {
                    support_offered.push(k);
                }
            }
        }

        use Credential::{Diploma, MboCertificaat, None as NoCredential, Praktijkverklaring};
        let credential = match kind {
            LearnWork => pick(
                rng,
                &[
                    (Diploma, 60),
                    (MboCertificaat, 30),
                    (Praktijkverklaring, 10),
                ],
            ),
            Internship if quals.is_empty() => {
                pick(rng, &[(Praktijkverklaring, 50), (NoCredential, 50)])
            }
            Internship => pick(
                rng,
                &[
                    (Diploma, 55),
                    (MboCertificaat, 20),
                    (Praktijkverklaring, 10),
                    (NoCredential, 15),
                ],
            ),
            Banenafspraak => pick(rng, &[(Praktijkverklaring, 40), (NoCredential, 60)]),
        };
        let job_prospect = rng.random_range(0..100) < if kind == Banenafspraak { 80 } else { 50 };

        let activity = w.sector_words[sector].0;
        let title = match (kind, quals.first()) {
            (LearnWork, Some(&q)) => format!("Leerbaan {}", w.quals[q as usize].title),
            (LearnWork, None) => format!("Leerbaan medewerker {activity}"),
            (Internship, Some(&q)) => format!("Stage {}", w.quals[q as usize].title),
            (Internship, None) => format!("Stage medewerker {activity}"),
            (Banenafspraak, _) => format!("Medewerker {activity} (Banenafspraak)"),
        };
        let region_code = &refs.regions[region].record.code;

        PlacementRecord {
            id: format!("P{:0width$}", i + 1, width = self.placement_width),
            kind,
            employer: refs.employers[e].record.id.clone(),
            title,
            sector: refs.sectors[sector].record.code.clone(),
            qualifications: quals
                .iter()
                .map(|&q| refs.qualifications[q as usize].record.crebo.clone())
                .collect(),
            level_min,
            level_max,
            lat,
            lon,
            region: region_code.clone(),
            hours_per_week,
            capacity,
            filled,
            start_date: start_date(rng),
            support_offered,
            credential,
            job_prospect,
            desk: format!("wsp-{region_code}"),
        }
    }
}
