//! What an allocation means for people: every assignment with its rank, every unplaced learner
//! with a reason, and counts per group so that no group's outcomes drift out of view.
//!
//! This module holds the per-learner rows (for the operator's files and advisors; never for
//! analysts, who get [`crate::anonymise::assignment_view`]); [`Summary`] the counts per group
//! (what `summary.json` holds and `koppel report` renders), [`protect`] the disclosure rule on
//! them, and [`fairness`] the four-fifths check on the published counts.

pub mod fairness;
mod parts;
mod protect;
mod summary;

pub use parts::{
    age_band, Bin, Comparison, Counts, Disclosure, Provenance, AGE_BANDS, RANK_BINS, SCORE_BINS,
};
pub use protect::protect;
pub use summary::{compare, reasons, summarise, Summary};

use super::graph::Assignment;
use super::Cohort;
use crate::model::dataset::Dataset;
use crate::model::ids::LearnerIdx;
use crate::score::Constraint;
use serde::Serialize;
use std::collections::BTreeMap;

/// One placed learner.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssignmentRow {
    /// Learner id.
    pub learner: String,
    /// Placement id.
    pub placement: String,
    /// Pair score 0..=1000.
    pub score: u16,
    /// Priority bonus the learner's policy adds in allocation (0 without a priority policy).
    pub priority_bonus: u16,
    /// Which priorities gave the bonus.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub priority: Vec<&'static str>,
    /// 1-based rank of this placement in the learner's own list.
    pub rank: usize,
}

/// A learner that holds a place the unplaced learner wanted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Holder {
    /// Learner id.
    pub learner: String,
    /// That learner's score for the placement.
    pub score: u16,
}

/// A wanted placement and who took it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Taken {
    /// Placement id.
    pub placement: String,
    /// The unplaced learner's score for it.
    pub score: u16,
    /// Open places.
    pub places: u32,
    /// Who holds them, best score first.
    pub taken_by: Vec<Holder>,
}

/// How many placements in reach fail one constraint.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Blocked {
    /// The constraint.
    pub constraint: Constraint,
    /// Placements failing it.
    pub placements: u32,
}

/// Why a learner is not placed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// No placement passes every hard constraint.
    NoFeasiblePlacement {
        /// Placements of any kind in reachable regions within the travel limit.
        placements_in_reach: u32,
        /// How many of them fail each constraint, most first.
        blocked_by: Vec<Blocked>,
    },
    /// Every feasible candidate is full.
    AllCandidatesTaken {
        /// Number of feasible candidates.
        candidates: usize,
        /// The best few of them with who took them.
        best: Vec<Taken>,
    },
}

/// One unplaced learner.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnplacedRow {
    /// Learner id.
    pub learner: String,
    /// Why.
    #[serde(flatten)]
    pub reason: Reason,
}

/// Per placement, the learners assigned to it (by learner index).
pub struct Holders {
    start: Vec<u32>,
    learners: Vec<u32>,
}

impl Holders {
    /// Inverts an assignment.
    pub fn new(cohort: &Cohort, asg: &Assignment) -> Holders {
        let g = &cohort.graph;
        let m = g.n_placements();
        let mut start = vec![0u32; m + 1];
        for i in 0..g.n_learners() {
            if let Some(a) = asg.arc(i) {
                start[g.target(a) as usize + 1] += 1;
            }
        }
        for j in 0..m {
            start[j + 1] += start[j];
        }
        let mut fill = start.clone();
        let mut learners = vec![0u32; start[m] as usize];
        for i in 0..g.n_learners() {
            if let Some(a) = asg.arc(i) {
                let j = g.target(a) as usize;
                learners[fill[j] as usize] = i as u32;
                fill[j] += 1;
            }
        }
        Holders { start, learners }
    }

    fn of(&self, j: usize) -> &[u32] {
        &self.learners[self.start[j] as usize..self.start[j + 1] as usize]
    }
}

/// Row of a placed learner.
pub fn assignment_row(
    data: &Dataset,
    cohort: &Cohort,
    asg: &Assignment,
    i: usize,
) -> Option<AssignmentRow> {
    let a = asg.arc(i)?;
    let l = data.learner(LearnerIdx(i as u32));
    Some(AssignmentRow {
        learner: l.id.0.clone(),
        placement: data.placements[cohort.graph.target(a) as usize]
            .id
            .0
            .clone(),
        score: cohort.scores[a],
        priority_bonus: cohort.bonus[i],
        priority: cohort.priority_names(i),
        rank: cohort.graph.rank(i, a),
    })
}

/// How many wanted placements an unplaced learner's reason lists.
const SHOWN: usize = 3;

/// Reason of an unplaced learner (`None` when placed).
pub fn unplaced_row(
    data: &Dataset,
    cohort: &Cohort,
    asg: &Assignment,
    holders: &Holders,
    no_candidate: &BTreeMap<u32, &crate::score::Tally>,
    i: usize,
) -> Option<UnplacedRow> {
    if asg.arc(i).is_some() {
        return None;
    }
    let g = &cohort.graph;
    let arcs = g.arcs(i);
    let reason = if arcs.is_empty() {
        let t = no_candidate.get(&(i as u32));
        Reason::NoFeasiblePlacement {
            placements_in_reach: t.map_or(0, |t| t.placements),
            blocked_by: t.map_or_else(Vec::new, |t| {
                t.top()
                    .into_iter()
                    .map(|(constraint, placements)| Blocked {
                        constraint,
                        placements,
                    })
                    .collect()
            }),
        }
    } else {
        let best = arcs
            .clone()
            .take(SHOWN)
            .map(|a| {
                let j = g.target(a) as usize;
                let mut taken_by: Vec<Holder> = holders
                    .of(j)
                    .iter()
                    .map(|&h| {
                        let ha = asg.arc(h as usize).expect("holders are assigned");
                        Holder {
                            learner: data.learners[h as usize].id.0.clone(),
                            score: cohort.scores[ha],
                        }
                    })
                    .collect();
                taken_by.sort_by(|x, y| y.score.cmp(&x.score).then(x.learner.cmp(&y.learner)));
                Taken {
                    placement: data.placements[j].id.0.clone(),
                    score: cohort.scores[a],
                    places: g.capacity(j),
                    taken_by,
                }
            })
            .collect();
        Reason::AllCandidatesTaken {
            candidates: arcs.len(),
            best,
        }
    };
    Some(UnplacedRow {
        learner: data.learners[i].id.0.clone(),
        reason,
    })
}
