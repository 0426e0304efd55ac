//! Shared test helpers for the allocation tests.

use koppel_core::allocate::CandidateGraph;
use proptest::prelude::*;

/// A random graph of fewer than `learners` learners and `placements` placements: each row
/// up to `per_row` distinct candidates with values in `lo..hi`, capacities below `places`.
pub fn graph_strategy(
    learners: usize,
    placements: usize,
    per_row: usize,
    places: u32,
    (lo, hi): (i32, i32),
) -> impl Strategy<Value = CandidateGraph> {
    (1..learners, 1..placements).prop_flat_map(move |(n, m)| {
        let row = prop::collection::btree_map(0..m as u32, lo..hi, 0..=m.min(per_row));
        (
            prop::collection::vec(row, n),
            prop::collection::vec(0..places, m),
        )
            .prop_map(|(rows, capacity)| {
                let mut offsets = vec![0u32];
                let (mut targets, mut values) = (Vec::new(), Vec::new());
                for r in rows {
                    for (t, v) in r {
                        targets.push(t);
                        values.push(v);
                    }
                    offsets.push(targets.len() as u32);
                }
                CandidateGraph::new(offsets, targets, values, capacity).unwrap()
            })
    })
}
