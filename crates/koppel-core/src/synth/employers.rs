//! Synthetic reference side: the outlook table and the employers (with their recognitions).

use super::names::{TRADE_CORES, TRADE_SUFFIXES};
use super::sample::pick;
use super::tables::World;
use crate::record::{EmployerRecord, OutlookRecord};
use crate::{Lined, ReferenceRecords};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// One outlook row per sector × region: the sector's base steps plus regional noise of ±1;
/// about 5 % of rows leave one of the two values unknown.
pub(super) fn outlook(
    refs: &ReferenceRecords,
    world: &World,
    rng: &mut ChaCha8Rng,
) -> Vec<Lined<OutlookRecord>> {
    let mut rows = Vec::with_capacity(refs.sectors.len() * refs.regions.len());
    for (s, sector) in refs.sectors.iter().enumerate() {
        let (bi, bw) = world.sector_outlook[s];
        for region in &refs.regions {
            let mut noisy = |base: u8| {
                let n = pick(rng, &[(-1i64, 25), (0, 50), (1, 25)]);
                Some((base as i64 + n).clamp(1, 5))
            };
            let (mut internship, mut work) = (noisy(bi), noisy(bw));
            if rng.random_range(0..100) < 5 {
                if rng.random_bool(0.5) {
                    internship = None;
                } else {
                    work = None;
                }
            }
            rows.push(Lined {
                line: rows.len() as u64 + 2,
                record: OutlookRecord {
                    sector: sector.record.code.clone(),
                    region: region.record.code.clone(),
                    internship,
                    work,
                },
            });
        }
    }
    rows
}

/// What the generator remembers of an employer beyond its record.
#[derive(Clone, Debug)]
pub(super) struct EmployerMeta {
    pub region: u16,
    /// Main sector index.
    pub sector: u16,
    /// Qualification indices it is recognised for.
    pub recognised: Vec<u16>,
}

/// Employers by index and by region.
#[derive(Clone, Debug)]
pub(super) struct Employers {
    pub meta: Vec<EmployerMeta>,
    by_region: Vec<Vec<u32>>,
}

impl Employers {
    pub(super) fn new(meta: Vec<EmployerMeta>, n_regions: usize) -> Employers {
        let mut by_region = vec![Vec::new(); n_regions];
        for (e, m) in meta.iter().enumerate() {
            by_region[m.region as usize].push(e as u32);
        }
        Employers { meta, by_region }
    }

    /// An employer for a site in `region`: mostly one based there, some from a neighbouring
    /// region, a few from anywhere.
    pub(super) fn choose(&self, world: &World, region: usize, rng: &mut ChaCha8Rng) -> usize {
        let from = |r: usize, rng: &mut ChaCha8Rng| {
            let list = &self.by_region[r];
            (!list.is_empty()).then(|| list[rng.random_range(0..list.len())] as usize)
        };
        let roll = rng.random_range(0..100);
        let near = &world.neighbours[region];
        let found = if roll < 72 {
            from(region, rng)
        } else if roll < 95 && !near.is_empty() {
            let r = near[rng.random_range(0..near.len())] as usize;
            from(r, rng).or_else(|| from(region, rng))
        } else {
            None
        };
        found.unwrap_or_else(|| rng.random_range(0..self.meta.len()))
    }
}

/// Employer `e`: region by population, a main sector by popularity, a trade name, and (for
/// about 85 %) recognition for 1–6 qualifications, mostly in the main sector.
pub(super) fn employer(
    refs: &ReferenceRecords,
    world: &World,
    e: usize,
    width: usize,
    rng: &mut ChaCha8Rng,
) -> (EmployerRecord, EmployerMeta) {
    let region = world.region_pick.sample(rng);
    let sector = world.sector_pick.sample(rng);
    let own = &world.quals_by_sector[sector];
    let mut recognised: Vec<u16> = Vec::new();
    if rng.random_range(0..100) < 85 && !world.quals.is_empty() {
        let n = pick(rng, &[(1usize, 10), (2, 20), (3, 25), (4, 25), (6, 20)]);
        for _ in 0..n {
            let q = if !own.is_empty() && rng.random_range(0..100) < 90 {
                own[rng.random_range(0..own.len())]
            } else {
                rng.random_range(0..world.quals.len()) as u16
            };
            if !recognised.contains(&q) {
                recognised.push(q);
            }
        }
    }
    let trades = world.sector_words[sector].1;
    let trade = trades[rng.random_range(0..trades.len())];
    let core = TRADE_CORES[rng.random_range(0..TRADE_CORES.len())];
    let name = match pick(rng, TRADE_SUFFIXES) {
        "" => format!("{trade} {core}"),
        "@" => format!(
            "{trade} {core} {}",
            refs.regions[region].record.central_municipality
        ),
        "#" => format!("{trade} {core} {}", rng.random_range(2..40)),
        legal => format!("{trade} {core} {legal}"),
    };
    let record = EmployerRecord {
        id: format!("E{:0width$}", e + 1),
        name,
        region: refs.regions[region].record.code.clone(),
        recognised_for: recognised
            .iter()
            .map(|&q| refs.qualifications[q as usize].record.crebo.clone())
            .collect(),
    };
    let meta = EmployerMeta {
        region: region as u16,
        sector: sector as u16,
        recognised,
    };
    (record, meta)
}
