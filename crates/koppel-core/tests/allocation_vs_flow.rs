//! The auction against a textbook min-cost flow (successive shortest paths with Bellman–Ford)
//! on random instances too large for exhaustive search: dozens of learners, rows of up to 12
//! candidates (longer than the 8 the solver's breadth-first order follows), placements with up
//! to five places, and value ranges from all-ties to wide.

use koppel_core::allocate::{auction, CandidateGraph};
use proptest::prelude::*;

mod common;

fn graph_strategy(lo: i32, hi: i32) -> impl Strategy<Value = CandidateGraph> {
    common::graph_strategy(60, 16, 12, 6, (lo, hi))
}

/// Maximum total value by min-cost flow: source → learner (1) → placement (cost −value) →
/// sink (capacity), augmenting along a cheapest path while it has negative cost.
fn min_cost_flow_optimum(g: &CandidateGraph) -> i64 {
    let (n, m) = (g.n_learners(), g.n_placements());
    let (source, sink) = (n + m, n + m + 1);
    // Edges as (to, capacity, cost); edge e's reverse is e ^ 1.
    let mut edges: Vec<(usize, i64, i64)> = Vec::new();
    let mut from: Vec<usize> = Vec::new();
    let add = |edges: &mut Vec<(usize, i64, i64)>,
               from: &mut Vec<usize>,
               u: usize,
               v: usize,
               cap: i64,
               cost: i64| {
        edges.push((v, cap, cost));
        from.push(u);
        edges.push((u, 0, -cost));
        from.push(v);
    };
    for i in 0..n {
        add(&mut edges, &mut from, source, i, 1, 0);
        for a in g.arcs(i) {
            let j = n + g.target(a) as usize;
            add(&mut edges, &mut from, i, j, 1, -(g.value(a) as i64));
        }
    }
    for j in 0..m {
        add(&mut edges, &mut from, n + j, sink, g.capacity(j) as i64, 0);
    }
    let mut total = 0;
    loop {
        let mut dist = vec![i64::MAX; n + m + 2];
        let mut via = vec![usize::MAX; n + m + 2];
        dist[source] = 0;
        for _ in 0..n + m + 2 {
            let mut changed = false;
            for (e, &(to, cap, cost)) in edges.iter().enumerate() {
                let u = from[e];
                if cap > 0 && dist[u] != i64::MAX && dist[u] + cost < dist[to] {
                    dist[to] = dist[u] + cost;
                    via[to] = e;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if dist[sink] >= 0 {
            return total;
        }
        let mut v = sink;
        while v != source {
            let e = via[v];
            edges[e].1 -= 1;
            edges[e ^ 1].1 += 1;
            v = from[e];
        }
        total -= dist[sink];
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn optimal_equals_min_cost_flow(g in graph_strategy(0, 200)) {
        let a = auction::solve(&g, &mut |_, _| {});
        prop_assert_eq!(a.check(&g), Ok(()));
        prop_assert_eq!(a.total(&g), min_cost_flow_optimum(&g));
    }

    #[test]
    fn optimal_equals_min_cost_flow_with_ties_and_negatives(g in graph_strategy(-2, 4)) {
        let a = auction::solve(&g, &mut |_, _| {});
        prop_assert_eq!(a.check(&g), Ok(()));
        prop_assert_eq!(a.total(&g), min_cost_flow_optimum(&g));
    }
}

#[test]
fn the_reference_finds_a_swap() {
    // Learner 0 must give way to learner 1 for the larger total.
    let g = CandidateGraph::new(vec![0, 2, 3], vec![0, 1, 0], vec![10, 9, 10], vec![1, 1]).unwrap();
    assert_eq!(min_cost_flow_optimum(&g), 19);
}
