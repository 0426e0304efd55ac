//! Synthetic data generator.
//!
//! **Everything produced here is synthetic.** The reference tables in `synth/data/` are rough
//! approximations (the crebo codes are invented; see the README there), and every learner,
//! employer and placement is made up: names are random combinations of common first names,
//! surnames and trade words, e-mail addresses use the reserved domains `example.org` and
//! `example.com`. Nothing describes a real person or company.
//!
//! **Determinism.** A [`SynthParams::seed`] is expanded once into a ChaCha8 key. Every record
//! then draws from its own ChaCha8 stream, numbered `(kind << 56) | i`: learner `i` depends only
//! on the seed and `i`, placement `i` on the seed, `i` and the employer table (whose size follows
//! [`SynthParams::placements`]). Records can therefore be generated in any order, in parallel
//! chunks, or one at a time, and always come out the same. The reference side (city positions,
//! outlook table, employers) is drawn from further streams of the same key.
//!
//! The data is shaped to be plausible and to validate with [`Reference::build`] and
//! [`Dataset::build`]: population-weighted regions with clustered homes and sites, Zipf-like
//! sector popularity, school-type mixes and support needs in the proportions the regional
//! approach describes, and enough open places nearby that most learners have feasible matches.

mod employers;
mod geo;
mod names;
mod people;
mod places;
mod sample;
mod tables;
#[cfg(test)]
mod tests;

use crate::model::reference::Reference;
use crate::record::{LearnerRecord, PlacementRecord};
use crate::{Dataset, Lined, ReferenceRecords};
use employers::Employers;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use tables::World;

/// How much to generate, and from which seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SynthParams {
    /// Number of learners.
    pub learners: usize,
    /// Number of placements (the employer count follows: about a quarter, at least 50).
    pub placements: usize,
    /// Seed; the same seed gives the same data.
    pub seed: u64,
}

/// Stream numbers; the record number fills the low 56 bits.
const STREAM_LEARNER: u64 = 1;
const STREAM_PLACEMENT: u64 = 2;
const STREAM_EMPLOYER: u64 = 3;
const STREAM_OUTLOOK: u64 = 4;
const STREAM_GEO: u64 = 5;

/// The deterministic generator of one record: stream `kind`, record `i`.
fn record_rng(key: &[u8; 32], kind: u64, i: usize) -> ChaCha8Rng {
    let i = i as u64;
    assert!(i < 1 << 56, "record number {i} too large");
    let mut rng = ChaCha8Rng::from_seed(*key);
    rng.set_stream((kind << 56) | i);
    rng
}

/// Digits needed for ids `1..=n`, at least `min`.
fn id_width(n: usize, min: usize) -> usize {
    let mut digits = 1;
    let mut x = n;
    while x >= 10 {
        x /= 10;
        digits += 1;
    }
    digits.max(min)
}

/// Number of employers generated for a placement count.
fn employer_count(placements: usize) -> usize {
    (placements / 4).max(50)
}

/// Generates reference tables once, then any learner or placement on demand.
#[derive(Clone, Debug)]
pub struct Generator {
    params: SynthParams,
    key: [u8; 32],
    refs: ReferenceRecords,
    world: World,
    employers: Employers,
    learner_width: usize,
    placement_width: usize,
}

impl Generator {
    /// Parses the embedded tables, places the cities, and generates the outlook table and the
    /// employers.
    pub fn new(params: SynthParams) -> Generator {
        Generator::focused(params, &[]).expect("no focus regions to check")
    }

    /// Like [`Generator::new`], but learners, placements and employers lie only in the regions
    /// with the given codes (all 35 regions stay in the reference tables). A region's own
    /// matching market is denser this way, as in a pilot run by a few regions. Fails with the
    /// first unknown region code.
    pub fn focused(params: SynthParams, regions: &[&str]) -> Result<Generator, String> {
        let key = ChaCha8Rng::seed_from_u64(params.seed).get_seed();
        let mut refs = tables::embedded();
        let mut world = World::new(&refs, &mut record_rng(&key, STREAM_GEO, 0));
        if !regions.is_empty() {
            let mut keep = vec![false; refs.regions.len()];
            for code in regions {
                let i = refs
                    .regions
                    .iter()
                    .position(|r| r.record.code == *code)
                    .ok_or_else(|| format!("`{code}` is not a region code (see regions.csv)"))?;
                keep[i] = true;
            }
            world.region_pick = world
                .region_pick
                .restricted(|i| keep[i])
                .expect("at least one region kept");
        }
        refs.outlook = employers::outlook(&refs, &world, &mut record_rng(&key, STREAM_OUTLOOK, 0));
        let n_employers = employer_count(params.placements);
        let width = id_width(n_employers, 5);
        let generated: Vec<_> = (0..n_employers)
            .into_par_iter()
            .map(|e| {
                let mut rng = record_rng(&key, STREAM_EMPLOYER, e);
                employers::employer(&refs, &world, e, width, &mut rng)
            })
            .collect();
        let (records, meta): (Vec<_>, Vec<_>) = generated.into_iter().unzip();
        refs.employers = records
            .into_iter()
            .enumerate()
            .map(|(e, record)| Lined {
                line: e as u64 + 1,
                record,
            })
            .collect();
        let employers = Employers::new(meta, world.regions.len());
        Ok(Generator {
            params,
            key,
            refs,
            world,
            employers,
            learner_width: id_width(params.learners, 7),
            placement_width: id_width(params.placements, 7),
        })
    }

    /// The parameters.
    pub fn params(&self) -> SynthParams {
        self.params
    }

    /// The reference records: embedded regions, adjacency, sectors and qualifications, the
    /// generated outlook table and employers.
    pub fn reference(&self) -> &ReferenceRecords {
        &self.refs
    }

    /// Learner number `i` (0-based; id `L` + `i + 1`, zero-padded to 7 digits or more). Apart
    /// from the id's width, depends only on the seed and `i`.
    pub fn learner(&self, i: usize) -> LearnerRecord {
        self.gen_learner(i, &mut record_rng(&self.key, STREAM_LEARNER, i))
    }

    /// Placement number `i` (0-based; id `P` + `i + 1`). Depends only on the seed, `i` and the
    /// employer table.
    pub fn placement(&self, i: usize) -> PlacementRecord {
        self.gen_placement(i, &mut record_rng(&self.key, STREAM_PLACEMENT, i))
    }

    /// All learners, in id order, with their `learners.jsonl` line numbers (generated in
    /// parallel).
    pub fn learners(&self) -> Vec<Lined<LearnerRecord>> {
        (0..self.params.learners)
            .into_par_iter()
            .map(|i| Lined {
                line: i as u64 + 1,
                record: self.learner(i),
            })
            .collect()
    }

    /// All placements, in id order, with their `placements.jsonl` line numbers (generated in
    /// parallel).
    pub fn placements(&self) -> Vec<Lined<PlacementRecord>> {
        (0..self.params.placements)
            .into_par_iter()
            .map(|i| Lined {
                line: i as u64 + 1,
                record: self.placement(i),
            })
            .collect()
    }
}

/// The reference tables for `params`: the embedded regions, adjacency, sectors and
/// qualifications (CSV line numbers, header = line 1), a generated outlook row for every sector ×
/// region, and generated employers (JSONL line numbers from 1), about `placements / 4` and at
/// least 50.
pub fn reference_records(params: &SynthParams) -> ReferenceRecords {
    Generator::new(*params).refs
}

/// Everything in memory and validated: reference tables, learners and placements. Panics only
/// when the generator produced invalid data (a bug in this module).
pub fn dataset(params: &SynthParams) -> Dataset {
    let gen = Generator::new(*params);
    let (learners, placements) = rayon::join(|| gen.learners(), || gen.placements());
    let reference = Reference::build(gen.refs.clone()).unwrap_or_else(|errs| {
        panic!(
            "synthetic reference tables do not validate: {:?}",
            &errs[..errs.len().min(5)]
        )
    });
    Dataset::build(reference, learners, placements).unwrap_or_else(|errs| {
        panic!(
            "synthetic records do not validate: {:?}",
            &errs[..errs.len().min(5)]
        )
    })
}
