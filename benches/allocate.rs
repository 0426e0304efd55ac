//! Cohort allocation on a generated cohort of 100,000 learners × 50,000 placements (k = 32,
//! the same shape as the 100k file of `benches/allocation_vs_reference.sh`):
//! - `allocate/optimal_100k`: the exact auction (`auction::solve`), graph copy included;
//! - `allocate/stable_100k`: learner-proposing deferred acceptance.
//!
//! The candidate graph is built once, outside the timing. The side-by-side comparison with
//! LEMON and OR-Tools is the script beside this file; this bench tracks the solver alone.
//!
//! Run: `cargo bench --bench allocate`

use criterion::{criterion_group, criterion_main, Criterion};
use koppel_core::allocate::{auction, deferred, Cohort};
use koppel_core::synth::{dataset, SynthParams};
use koppel_core::{PlacementIndex, PolicySet, Scorer};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let data = dataset(&SynthParams {
        learners: 100_000,
        placements: 50_000,
        seed: 100_000,
    });
    let scorer = Scorer::new(
        &data,
        PolicySet::uniform(Default::default(), data.reference.regions.len()),
    );
    let index = PlacementIndex::build(&data);
    let cohort = Cohort::build(&scorer, &index, 32, &|_| {});
    let g = &cohort.graph;

    let mut group = c.benchmark_group("allocate");
    group.sample_size(10);
    group.bench_function("optimal_100k", |b| {
        b.iter(|| auction::solve(black_box(g), &mut |_, _| {}).total(g))
    });
    group.bench_function("stable_100k", |b| {
        b.iter(|| deferred::solve(black_box(g)).total(g))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
