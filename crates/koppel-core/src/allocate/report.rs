//! What an allocation means for people: every assignment with its rank, every unplaced learner
//! with a reason, and counts per group so that no group's outcomes drift out of view.

use super::graph::Assignment;
use super::{Cohort, Mode};
use crate::model::dataset::Dataset;
use crate::model::ids::LearnerIdx;
use crate::score::Constraint;
use crate::{PlacementKind, SchoolType, SupportKind};
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

/// Placed and unplaced counts of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Learners in the group.
    pub learners: u64,
    /// Of whom placed.
    pub placed: u64,
    /// Placed share, 0..=1.
    pub placed_share: f64,
}

impl Counts {
    fn add(&mut self, placed: bool) {
        self.learners += 1;
        self.placed += placed as u64;
    }

    fn finish(&mut self) {
        self.placed_share = if self.learners == 0 {
            0.0
        } else {
            (self.placed as f64 / self.learners as f64 * 1000.0).round() / 1000.0
        };
    }
}

/// How stable and optimal compare, learner by learner.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Comparison {
    /// Learners with a higher score under `optimal` than under `stable` (placed beats unplaced).
    pub prefer_optimal: u64,
    /// Learners with a higher score under `stable`.
    pub prefer_stable: u64,
    /// Total value under each.
    pub total_optimal: i64,
    /// Total value under `stable`.
    pub total_stable: i64,
}

/// Summary of one allocation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Mode.
    pub mode: Mode,
    /// Learners in the cohort.
    pub learners: u64,
    /// Placements in the cohort.
    pub placements: u64,
    /// Open places in all.
    pub open_places: u64,
    /// Candidate arcs.
    pub arcs: u64,
    /// Learners placed.
    pub placed: u64,
    /// Learners not placed.
    pub unplaced: u64,
    /// Unplaced with no feasible placement at all.
    pub unplaced_no_feasible: u64,
    /// Unplaced because every feasible candidate was taken.
    pub unplaced_all_taken: u64,
    /// Sum of pair scores of the placed.
    pub total_score: i64,
    /// Sum of arc values (scores plus priority bonuses): what `optimal` maximises.
    pub total_value: i64,
    /// Mean rank of the assigned placement in the learner's own list (1 = first choice).
    pub mean_rank: f64,
    /// Per home region code.
    pub by_region: BTreeMap<String, Counts>,
    /// Per school type.
    pub by_school_type: BTreeMap<&'static str, Counts>,
    /// Placed learners per placement kind.
    pub placed_by_kind: BTreeMap<&'static str, u64>,
    /// Per support need (learners with that need, essential or not), plus `none`.
    pub by_support_need: BTreeMap<&'static str, Counts>,
    /// In the doelgroepregister or not.
    pub by_register: BTreeMap<&'static str, Counts>,
    /// At risk of leaving without a basic qualification, or not.
    pub by_at_risk: BTreeMap<&'static str, Counts>,
    /// Learners with a priority bonus.
    pub with_priority_bonus: u64,
    /// For `stable`: blocking pairs (always 0) and the comparison with `optimal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocking_pairs: Option<u64>,
    /// For `stable`: learner-by-learner comparison with the optimal allocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versus_optimal: Option<Comparison>,
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

/// Counts per group and totals.
pub fn summarise(data: &Dataset, cohort: &Cohort, asg: &Assignment, mode: Mode) -> Summary {
    let g = &cohort.graph;
    let refs = &data.reference;
    let mut s = Summary {
        mode,
        learners: g.n_learners() as u64,
        placements: g.n_placements() as u64,
        open_places: (0..g.n_placements()).map(|j| g.capacity(j) as u64).sum(),
        arcs: g.n_arcs() as u64,
        placed: 0,
        unplaced: 0,
        unplaced_no_feasible: 0,
        unplaced_all_taken: 0,
        total_score: 0,
        total_value: asg.total(g),
        mean_rank: 0.0,
        by_region: refs
            .regions
            .iter()
            .map(|r| (r.code.clone(), Counts::default()))
            .collect(),
        by_school_type: SchoolType::ALL
            .iter()
            .map(|t| (t.as_str(), Counts::default()))
            .collect(),
        placed_by_kind: PlacementKind::ALL.iter().map(|k| (k.as_str(), 0)).collect(),
        by_support_need: SupportKind::ALL
            .iter()
            .map(|k| k.as_str())
            .chain(["none"])
            .map(|k| (k, Counts::default()))
            .collect(),
        by_register: [
            ("in_register", Counts::default()),
            ("not_in_register", Counts::default()),
        ]
        .into(),
        by_at_risk: [
            ("at_risk", Counts::default()),
            ("not_at_risk", Counts::default()),
        ]
        .into(),
        with_priority_bonus: cohort.bonus.iter().filter(|&&b| b > 0).count() as u64,
        blocking_pairs: None,
        versus_optimal: None,
    };
    let mut rank_sum = 0u64;
    for (i, l) in data.learners.iter().enumerate() {
        let arc = asg.arc(i);
        let placed = arc.is_some();
        if let Some(a) = arc {
            s.placed += 1;
            s.total_score += cohort.scores[a] as i64;
            rank_sum += g.rank(i, a) as u64;
            let kind = data.placements[g.target(a) as usize].kind;
            *s.placed_by_kind
                .get_mut(kind.as_str())
                .expect("every kind listed") += 1;
        } else if g.arcs(i).is_empty() {
            s.unplaced_no_feasible += 1;
        } else {
            s.unplaced_all_taken += 1;
        }
        s.by_region
            .get_mut(&refs.regions[l.region.ix()].code)
            .expect("every region")
            .add(placed);
        s.by_school_type
            .get_mut(l.school_type.as_str())
            .expect("every type")
            .add(placed);
        let needs = l.support.essential.iter().chain(l.support.desired.iter());
        let mut any = false;
        for k in needs {
            any = true;
            s.by_support_need
                .get_mut(k.as_str())
                .expect("every kind")
                .add(placed);
        }
        if !any {
            s.by_support_need.get_mut("none").expect("none").add(placed);
        }
        let reg = if l.in_register {
            "in_register"
        } else {
            "not_in_register"
        };
        s.by_register.get_mut(reg).expect("listed").add(placed);
        let risk = if l.at_risk() {
            "at_risk"
        } else {
            "not_at_risk"
        };
        s.by_at_risk.get_mut(risk).expect("listed").add(placed);
    }
    s.unplaced = s.learners - s.placed;
    s.mean_rank = if s.placed == 0 {
        0.0
    } else {
        (rank_sum as f64 / s.placed as f64 * 1000.0).round() / 1000.0
    };
    let groups = s
        .by_region
        .values_mut()
        .chain(s.by_school_type.values_mut())
        .chain(s.by_support_need.values_mut())
        .chain(s.by_register.values_mut())
        .chain(s.by_at_risk.values_mut());
    groups.for_each(Counts::finish);
    s
}

/// Compares a stable and an optimal allocation of the same cohort learner by learner.
pub fn compare(cohort: &Cohort, stable: &Assignment, optimal: &Assignment) -> Comparison {
    let g = &cohort.graph;
    let score = |a: &Assignment, i: usize| a.arc(i).map_or(-1, |arc| g.value(arc) as i64);
    let mut c = Comparison {
        total_optimal: optimal.total(g),
        total_stable: stable.total(g),
        ..Comparison::default()
    };
    for i in 0..g.n_learners() {
        let (s, o) = (score(stable, i), score(optimal, i));
        c.prefer_optimal += (o > s) as u64;
        c.prefer_stable += (s > o) as u64;
    }
    c
}
