//! Allocation against exhaustive search on small random instances, and on generated cohorts:
//! - `optimal` reaches the brute-force maximum total;
//! - `stable` has no blocking pair;
//! - capacities are never exceeded;
//! - the same cohort gives the same result on 1 and 2 threads.

use koppel_core::allocate::{auction, deferred, Assignment, CandidateGraph, Cohort, Mode};
use koppel_core::synth::{dataset, SynthParams};
use koppel_core::{PlacementIndex, PolicySet, Scorer};
use proptest::prelude::*;

mod common;

/// A random small graph: rows of (placement, value) plus capacities.
fn graph_strategy(lo: i32, hi: i32) -> impl Strategy<Value = CandidateGraph> {
    common::graph_strategy(9, 5, usize::MAX, 3, (lo, hi))
}

/// Maximum total by trying every assignment.
fn brute_force(g: &CandidateGraph) -> i64 {
    fn go(g: &CandidateGraph, i: usize, load: &mut Vec<u32>) -> i64 {
        if i == g.n_learners() {
            return 0;
        }
        let mut best = go(g, i + 1, load);
        for a in g.arcs(i) {
            let j = g.target(a) as usize;
            if load[j] < g.capacity(j) {
                load[j] += 1;
                best = best.max(g.value(a) as i64 + go(g, i + 1, load));
                load[j] -= 1;
            }
        }
        best
    }
    go(g, 0, &mut vec![0; g.n_placements()])
}

fn optimal(g: &CandidateGraph) -> Assignment {
    auction::solve(g, &mut |_, _| {})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn optimal_equals_brute_force(g in graph_strategy(0, 1000)) {
        let a = optimal(&g);
        prop_assert_eq!(a.check(&g), Ok(()));
        prop_assert_eq!(a.total(&g), brute_force(&g));
    }

    #[test]
    fn optimal_equals_brute_force_with_negative_values(g in graph_strategy(-5, 12)) {
        let a = optimal(&g);
        prop_assert_eq!(a.check(&g), Ok(()));
        prop_assert_eq!(a.total(&g), brute_force(&g));
    }

    #[test]
    fn optimal_equals_brute_force_with_many_ties(g in graph_strategy(0, 3)) {
        let a = optimal(&g);
        prop_assert_eq!(a.check(&g), Ok(()));
        prop_assert_eq!(a.total(&g), brute_force(&g));
    }

    #[test]
    fn stable_has_no_blocking_pair(g in graph_strategy(-5, 12)) {
        let a = deferred::solve(&g);
        prop_assert_eq!(a.check(&g), Ok(()));
        prop_assert_eq!(deferred::blocking_pairs(&g, &a), vec![]);
        prop_assert!(a.total(&g) <= brute_force(&g));
    }
}

#[test]
fn blocking_pairs_are_found() {
    // One place, two learners; giving it to the weaker one is unstable.
    let g = CandidateGraph::new(vec![0, 1, 2], vec![0, 0], vec![5, 9], vec![1]).unwrap();
    let stable = deferred::solve(&g);
    assert_eq!(stable.arc(1), Some(1));
    let mut weaker = Assignment::empty(2);
    weaker = {
        // learner 0 holds the place
        let _ = &mut weaker;
        let g2 = CandidateGraph::new(vec![0, 1, 1], vec![0], vec![5], vec![1]).unwrap();
        deferred::solve(&g2)
    };
    let as_in_g = Assignment::empty(2);
    assert_eq!(
        deferred::blocking_pairs(&g, &as_in_g).len(),
        2,
        "both learners block an empty place"
    );
    assert_eq!(weaker.arc(0), Some(0));
    assert_eq!(deferred::blocking_pairs(&g, &weaker), vec![(1, 1)]);
}

fn cohort_in_pool(threads: usize) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let d = dataset(&SynthParams {
            learners: 3000,
            placements: 2000,
            seed: 3,
        });
        let scorer = Scorer::new(
            &d,
            PolicySet::uniform(Default::default(), d.reference.regions.len()),
        );
        let index = PlacementIndex::build(&d);
        let cohort = Cohort::build(&scorer, &index, 32, &|_| {});
        let run = |mode| {
            let a = cohort.allocate(mode, &mut |_, _| {});
            assert_eq!(a.check(&cohort.graph), Ok(()));
            (0..d.learners.len()).map(|i| a.arc(i)).collect::<Vec<_>>()
        };
        (run(Mode::Optimal), run(Mode::Stable))
    })
}

#[test]
fn same_result_on_one_and_two_threads() {
    assert_eq!(cohort_in_pool(1), cohort_in_pool(2));
}

#[test]
fn optimal_beats_or_equals_stable_and_stable_is_stable_on_a_generated_cohort() {
    let d = dataset(&SynthParams {
        learners: 4000,
        placements: 2000,
        seed: 8,
    });
    let scorer = Scorer::new(
        &d,
        PolicySet::uniform(Default::default(), d.reference.regions.len()),
    );
    let index = PlacementIndex::build(&d);
    let cohort = Cohort::build(&scorer, &index, 32, &|_| {});
    let opt = cohort.allocate(Mode::Optimal, &mut |_, _| {});
    let stable = cohort.allocate(Mode::Stable, &mut |_, _| {});
    assert!(opt.total(&cohort.graph) >= stable.total(&cohort.graph));
    assert!(deferred::blocking_pairs(&cohort.graph, &stable).is_empty());
    assert!(opt.placed() > 0);
}
