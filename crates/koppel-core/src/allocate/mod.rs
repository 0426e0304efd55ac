//! Cohort allocation: every learner at most one placement, every placement at most its open
//! places.
//!
//! [`Cohort::build`] turns the candidate index into a sparse [`CandidateGraph`] (each learner's
//! top-k feasible placements; arc value = score + the learner's priority bonus). Two solvers run
//! on it: [`auction::solve`] (maximum total value, exact) and [`deferred::solve`] (stable,
//! learner-proposing). [`report`] explains the outcome: who was placed where, and for every
//! unplaced learner why.

pub mod auction;
pub mod deferred;
pub mod graph;
mod holders;
mod locality;
mod order;
mod prefetch;
pub mod report;

pub use graph::{Assignment, CandidateGraph, GraphError};

use crate::index::{KindFilter, PlacementIndex, Scored, Scratch};
use crate::model::ids::{LearnerIdx, PlacementIdx};
use crate::score::{Scorer, Tally};
use rayon::prelude::*;

/// Which allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Maximum total value.
    Optimal,
    /// Stable (no learner and placement both prefer each other to what they got).
    Stable,
}

/// Names of the priority bits in [`Cohort::priority`].
pub const PRIORITY_NAMES: [&str; 3] = ["at_risk", "register", "pro_vso"];

/// Default number of candidates per learner.
pub const DEFAULT_K: usize = 32;

/// A cohort ready to allocate: the candidate graph plus what reports need.
#[derive(Debug)]
pub struct Cohort {
    /// The graph; learner `i` is `LearnerIdx(i)`, placement `j` is `PlacementIdx(j)`.
    pub graph: CandidateGraph,
    /// Pure pair score of every arc (its value minus the learner's bonus).
    pub scores: Vec<u16>,
    /// Priority bonus per learner.
    pub bonus: Vec<u16>,
    /// Which priorities apply per learner, as bits in [`PRIORITY_NAMES`] order.
    pub priority: Vec<u8>,
    /// For learners without any candidate: how many placements in reach fail each constraint.
    pub no_candidate: Vec<(LearnerIdx, Tally)>,
}

impl Cohort {
    /// Builds the candidate graph of every learner (in parallel, in chunks of learners living
    /// near each other, see [`order`]). `progress` is called with the number of learners done.
    pub fn build(
        scorer: &Scorer<'_>,
        index: &PlacementIndex,
        k: usize,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Cohort {
        let data = scorer.data();
        let n = data.learners.len();
        // Candidates in query order: learner `i`'s sit at `found[at[i]..at[i] + len[i]]`.
        let (mut at, mut len) = (vec![0usize; n], vec![0u16; n]);
        let mut found: Vec<Scored<PlacementIdx>> = Vec::with_capacity(n * k / 2);
        let mut no_candidate = Vec::new();
        const CHUNK: usize = 1 << 14;
        let mut done = 0;
        for chunk in order::spatial(data).chunks(CHUNK) {
            let rows: Vec<_> = chunk
                .par_iter()
                .map_init(
                    || (Scratch::default(), Vec::with_capacity(k)),
                    |(scratch, top), &i| {
                        let li = LearnerIdx(i);
                        top.clear();
                        index.top_k_into(scorer, li, k, KindFilter::All, scratch, top);
                        let tally = top
                            .is_empty()
                            .then(|| index.tally_in_reach(scorer, li, KindFilter::All));
                        (top.to_vec(), tally)
                    },
                )
                .collect();
            for (&i, (top, tally)) in chunk.iter().zip(rows) {
                at[i as usize] = found.len();
                len[i as usize] = top.len() as u16;
                found.extend(top);
                if let Some(t) = tally {
                    no_candidate.push((LearnerIdx(i), t));
                }
            }
            done += chunk.len();
            progress(done);
        }
        no_candidate.sort_unstable_by_key(|(li, _)| *li);
        let (bonus, priority): (Vec<u16>, Vec<u8>) = (0..n)
            .into_par_iter()
            .map(|i| priority_of(scorer, LearnerIdx(i as u32)))
            .unzip();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u32);
        let mut targets = Vec::with_capacity(found.len());
        let mut values = Vec::with_capacity(found.len());
        let mut scores = Vec::with_capacity(found.len());
        for i in 0..n {
            for m in &found[at[i]..at[i] + len[i] as usize] {
                targets.push(m.idx.0);
                values.push(m.score as i32 + bonus[i] as i32);
                scores.push(m.score);
            }
            offsets.push(targets.len() as u32);
        }
        drop(found);
        let capacity = data.placements.iter().map(|p| p.open_places()).collect();
        let graph = CandidateGraph::new(offsets, targets, values, capacity)
            .expect("index rows are valid, unique and sorted");
        Cohort {
            graph,
            scores,
            bonus,
            priority,
            no_candidate,
        }
    }

    /// Names of the priorities that apply to learner `i`.
    pub fn priority_names(&self, i: usize) -> Vec<&'static str> {
        PRIORITY_NAMES
            .iter()
            .enumerate()
            .filter(|(b, _)| self.priority[i] & (1 << b) != 0)
            .map(|(_, n)| *n)
            .collect()
    }

    /// Runs one allocation.
    pub fn allocate(&self, mode: Mode, progress: auction::Progress<'_>) -> Assignment {
        match mode {
            Mode::Optimal => auction::solve(&self.graph, progress),
            Mode::Stable => deferred::solve(&self.graph),
        }
    }
}

/// A learner's priority bonus and the bits of the priorities that apply.
fn priority_of(scorer: &Scorer<'_>, li: LearnerIdx) -> (u16, u8) {
    let l = scorer.data().learner(li);
    let applicable = scorer
        .policies()
        .for_region(l.region)
        .priority
        .applicable(l);
    let bonus = applicable.iter().map(|(_, p)| p).sum();
    let mask = applicable
        .iter()
        .map(|(name, _)| 1u8 << PRIORITY_NAMES.iter().position(|n| n == name).unwrap_or(0))
        .fold(0, |m, bit| m | bit);
    (bonus, mask)
}
