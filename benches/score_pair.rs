//! Scoring one learner–placement pair: the hot-path score (constraints + components) and the
//! full explanation. Data: a seeded synthetic dataset of 2,000 learners × 2,000 placements.
//!
//! Run: `cargo bench --bench score_pair`

use criterion::{criterion_group, criterion_main, Criterion};
use koppel_core::synth::{dataset, SynthParams};
use koppel_core::{KindFilter, LearnerIdx, PlacementIndex, PolicySet, Scorer};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let data = dataset(&SynthParams {
        learners: 2_000,
        placements: 2_000,
        seed: 11,
    });
    let scorer = Scorer::new(
        &data,
        PolicySet::uniform(Default::default(), data.reference.regions.len()),
    );
    let index = PlacementIndex::build(&data);
    // A feasible pair, so the bench measures the full path rather than an early rejection.
    let (li, pi) = (0..data.learners.len() as u32)
        .map(LearnerIdx)
        .find_map(|li| {
            index
                .top_k(&scorer, li, 1, KindFilter::All)
                .first()
                .map(|m| (li, m.idx))
        })
        .expect("some learner has a match");
    let prepared = scorer.prepare(li);
    c.bench_function("score_pair/feasible", |b| {
        b.iter(|| scorer.score(black_box(&prepared), black_box(pi)))
    });
    c.bench_function("score_pair/prepare_and_score", |b| {
        b.iter(|| scorer.score(&scorer.prepare(black_box(li)), black_box(pi)))
    });
    c.bench_function("score_pair/explain", |b| {
        b.iter(|| scorer.explain(black_box(li), black_box(pi)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
