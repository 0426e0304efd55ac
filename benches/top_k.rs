//! Candidate index at scale:
//! - `top10/one_learner_100k_placements`: top-10 placements for one learner (learners taken in
//!   turn, so the figure is an average over many homes) over 100,000 placements;
//! - `top10/brute_force_one_learner_100k`: the same query by scanning every placement, for
//!   comparison;
//! - `top10/all_100k_learners_x_100k_placements`: top-10 for every learner of a 100,000 ×
//!   100,000 set, in parallel on all cores (rayon).
//!
//! Data: seeded synthetic datasets from `koppel_core::synth`.
//!
//! Run: `cargo bench --bench top_k`

use criterion::{criterion_group, criterion_main, Criterion};
use koppel_core::synth::{dataset, SynthParams};
use koppel_core::{brute_force_top_k, KindFilter, LearnerIdx, PlacementIndex, PolicySet, Scorer};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let data = dataset(&SynthParams {
        learners: 100_000,
        placements: 100_000,
        seed: 5,
    });
    let scorer = Scorer::new(
        &data,
        PolicySet::uniform(Default::default(), data.reference.regions.len()),
    );
    let index = PlacementIndex::build(&data);
    let n = data.learners.len() as u32;

    let mut group = c.benchmark_group("top10");
    let mut next = 0u32;
    group.bench_function("one_learner_100k_placements", |b| {
        b.iter(|| {
            next = (next + 7919) % n;
            index.top_k(&scorer, black_box(LearnerIdx(next)), 10, KindFilter::All)
        })
    });
    group.sample_size(20);
    group.bench_function("brute_force_one_learner_100k", |b| {
        b.iter(|| {
            next = (next + 7919) % n;
            brute_force_top_k(&scorer, black_box(LearnerIdx(next)), 10, KindFilter::All)
        })
    });
    let all: Vec<LearnerIdx> = (0..n).map(LearnerIdx).collect();
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("all_100k_learners_x_100k_placements", |b| {
        b.iter(|| index.top_k_many(&scorer, black_box(&all), 10, KindFilter::All))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
