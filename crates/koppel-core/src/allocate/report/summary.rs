//! Counts per group of one allocation: what `summary.json` holds and what `koppel report`
//! renders. Pure: the caller fills [`Provenance`] (file names, digests, the time).

use super::parts::{
    age_band, bin, groups, histogram, Bin, Comparison, Counts, Disclosure, Provenance, AGE_BANDS,
    RANK_BINS, SCORE_BINS,
};
use crate::allocate::graph::Assignment;
use crate::allocate::{Cohort, Mode};
use crate::disclosure::{share, Cell};
use crate::model::dataset::Dataset;
use crate::score::Constraint;
use crate::{PlacementKind, SchoolType, SupportKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Summary of one allocation.
///
/// [`summarise`] returns the raw counts, for the caller's eyes only; what is written or sent
/// anywhere is [`protect`]ed (every count a [`Cell`]: published, or withheld as `< 10` or `×`
/// under the disclosure rule, [`crate::disclosure`]).
///
/// Fields added after the first release carry `#[serde(default)]`, so older `summary.json`
/// files still read back (with those groupings empty), and counts read from plain numbers.
///
/// [`protect`]: super::protect
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    /// Mode.
    pub mode: Mode,
    /// Learners in the cohort.
    pub learners: Cell,
    /// Placements in the cohort.
    pub placements: u64,
    /// Open places in all.
    pub open_places: u64,
    /// Candidate arcs.
    pub arcs: u64,
    /// Learners placed.
    pub placed: Cell,
    /// Learners not placed.
    pub unplaced: Cell,
    /// Unplaced with no feasible placement at all.
    pub unplaced_no_feasible: Cell,
    /// Unplaced because every feasible candidate was taken.
    pub unplaced_all_taken: Cell,
    /// Sum of pair scores of the placed (withheld when a bin of the score histogram is: the
    /// total would bound it).
    pub total_score: Cell,
    /// Sum of arc values (scores plus priority bonuses): what `optimal` maximises. Withheld in
    /// a published summary: the bonuses sum to weighted counts of placed learners in priority
    /// groups (register, pro/vso, at risk).
    pub total_value: Cell,
    /// Mean rank of the assigned placement in the learner's own list (1 = first choice);
    /// `null` when a bin of the rank histogram is withheld.
    #[serde(default)]
    pub mean_rank: Option<f64>,
    /// Per home region code.
    pub by_region: BTreeMap<String, Counts>,
    /// Per school type.
    pub by_school_type: BTreeMap<String, Counts>,
    /// Per education level: `0` (pro/vso, no mbo level), `1` (entree), `2`..`4` (mbo 2–4).
    #[serde(default)]
    pub by_level: BTreeMap<String, Counts>,
    /// Placed learners per placement kind.
    pub placed_by_kind: BTreeMap<String, Cell>,
    /// Per placement kind, among the learners with at least one candidate (a feasible placement
    /// in their top k) of that kind: how many were placed at all, in any kind. A learner counts
    /// in every kind they have a candidate of; learners without candidates are in none.
    #[serde(default)]
    pub by_kind: BTreeMap<String, Counts>,
    /// Per support need (learners with that need, essential or not), plus `none`.
    pub by_support_need: BTreeMap<String, Counts>,
    /// In the doelgroepregister or not.
    pub by_register: BTreeMap<String, Counts>,
    /// At risk of leaving without a basic qualification, or not.
    pub by_at_risk: BTreeMap<String, Counts>,
    /// Per age band ([`AGE_BANDS`]), by age in whole years on the learner's own earliest start
    /// date: the age at which they would begin a placement. (The data carries no "today" and
    /// the core reads no clock; the synthetic generator draws ages on the same date.)
    #[serde(default)]
    pub by_age_band: BTreeMap<String, Counts>,
    /// Placed learners by pair score ([`SCORE_BINS`]; the score without priority bonus).
    #[serde(default)]
    pub score_histogram: Vec<Bin>,
    /// Placed learners by the rank of their placement in their own list ([`RANK_BINS`]).
    #[serde(default)]
    pub rank_histogram: Vec<Bin>,
    /// Unplaced learners by reason: `all_candidates_taken`; for learners without any feasible
    /// placement, the code of the constraint that fails the most placements in their reach
    /// (e.g. `too_far`, ties in constraint order), or `no_feasible_placement` when no placement
    /// is in reach at all. Every reason is listed, also those that do not occur (older files
    /// list only those that occur).
    #[serde(default)]
    pub unplaced_by_reason: BTreeMap<String, Cell>,
    /// Learners with a priority bonus.
    pub with_priority_bonus: Cell,
    /// For `stable`: blocking pairs (always 0) and the comparison with `optimal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocking_pairs: Option<u64>,
    /// For `stable`: learner-by-learner comparison with the optimal allocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versus_optimal: Option<Comparison>,
    /// Which policy and data produced it (filled by the caller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// Present when the summary is published under the disclosure rule; absent in raw
    /// summaries and in files from before the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<Disclosure>,
}

impl Summary {
    /// Placed share of the whole cohort, 0..=1, when both counts are published.
    pub fn placement_rate(&self) -> Option<f64> {
        share(self.placed, self.learners)
    }
}

/// Every key of [`Summary::unplaced_by_reason`]: all candidates taken, no placement in reach,
/// and each constraint as the main one.
pub fn reasons() -> impl Iterator<Item = &'static str> {
    ["all_candidates_taken", "no_feasible_placement"]
        .into_iter()
        .chain(Constraint::ALL.map(Constraint::as_str))
}

/// Counts per group and totals, raw: every count published, nothing withheld. For the
/// caller's own use; [`protect`](super::protect) it before writing or sending it anywhere.
pub fn summarise(data: &Dataset, cohort: &Cohort, asg: &Assignment, mode: Mode) -> Summary {
    let g = &cohort.graph;
    let refs = &data.reference;
    let kinds = PlacementKind::ALL.map(|k| k.as_str());
    let mut s = Summary {
        mode,
        learners: Cell::Value(g.n_learners() as u64),
        placements: g.n_placements() as u64,
        open_places: (0..g.n_placements()).map(|j| g.capacity(j) as u64).sum(),
        arcs: g.n_arcs() as u64,
        placed: Cell::Value(0),
        unplaced: Cell::Value(0),
        unplaced_no_feasible: Cell::Value(0),
        unplaced_all_taken: Cell::Value(0),
        total_score: Cell::Value(0),
        total_value: Cell::Value(asg.total(g).max(0) as u64),
        mean_rank: None,
        by_region: groups(refs.regions.iter().map(|r| r.code.clone())),
        by_school_type: groups(SchoolType::ALL.map(|t| t.as_str())),
        by_level: groups((0..=crate::Level::MAX).map(|l| l.to_string())),
        placed_by_kind: kinds
            .iter()
            .map(|k| (k.to_string(), Cell::Value(0)))
            .collect(),
        by_kind: groups(kinds),
        by_support_need: groups(
            SupportKind::ALL
                .map(|k| k.as_str())
                .into_iter()
                .chain(["none"]),
        ),
        by_register: groups(["in_register", "not_in_register"]),
        by_at_risk: groups(["at_risk", "not_at_risk"]),
        by_age_band: groups(AGE_BANDS.map(|(_, l)| l)),
        score_histogram: histogram(&SCORE_BINS),
        rank_histogram: histogram(&RANK_BINS),
        unplaced_by_reason: reasons().map(|r| (r.to_owned(), Cell::Value(0))).collect(),
        with_priority_bonus: Cell::Value(cohort.bonus.iter().filter(|&&b| b > 0).count() as u64),
        blocking_pairs: None,
        versus_optimal: None,
        provenance: None,
        disclosure: None,
    };
    let mut n_placed = 0u64;
    let count = |m: &mut BTreeMap<String, Counts>, key: &str, placed: bool| {
        m.get_mut(key).expect("every group is listed").add(placed);
    };
    let mut rank_sum = 0u64;
    for (i, l) in data.learners.iter().enumerate() {
        let arc = asg.arc(i);
        let placed = arc.is_some();
        if let Some(a) = arc {
            n_placed += 1;
            s.total_score.add(u64::from(cohort.scores[a]));
            let rank = g.rank(i, a);
            rank_sum += rank as u64;
            let kind = data.placements[g.target(a) as usize].kind;
            s.placed_by_kind
                .get_mut(kind.as_str())
                .expect("every kind listed")
                .add(1);
            s.score_histogram[bin(&SCORE_BINS, cohort.scores[a])]
                .count
                .add(1);
            s.rank_histogram[bin(&RANK_BINS, rank)].count.add(1);
        } else if g.arcs(i).is_empty() {
            s.unplaced_no_feasible.add(1);
            let main = cohort
                .no_candidate
                .binary_search_by_key(&(i as u32), |(l, _)| l.0)
                .ok()
                .and_then(|at| cohort.no_candidate[at].1.top().first().map(|t| t.0))
                .map_or("no_feasible_placement", |c| c.as_str());
            s.unplaced_by_reason
                .entry(main.to_owned())
                .or_default()
                .add(1);
        } else {
            s.unplaced_all_taken.add(1);
            s.unplaced_by_reason
                .entry("all_candidates_taken".to_owned())
                .or_default()
                .add(1);
        }
        count(&mut s.by_region, &refs.regions[l.region.ix()].code, placed);
        count(&mut s.by_school_type, l.school_type.as_str(), placed);
        count(&mut s.by_level, &l.level.get().to_string(), placed);
        let mut has_kind = [false; PlacementKind::ALL.len()];
        for a in g.arcs(i) {
            has_kind[data.placements[g.target(a) as usize].kind.ix()] = true;
        }
        for k in PlacementKind::ALL.into_iter().filter(|k| has_kind[k.ix()]) {
            count(&mut s.by_kind, k.as_str(), placed);
        }
        let needs = l.support.essential.iter().chain(l.support.desired.iter());
        let mut any = false;
        for k in needs {
            any = true;
            count(&mut s.by_support_need, k.as_str(), placed);
        }
        if !any {
            count(&mut s.by_support_need, "none", placed);
        }
        let reg = if l.in_register {
            "in_register"
        } else {
            "not_in_register"
        };
        count(&mut s.by_register, reg, placed);
        let risk = if l.at_risk() {
            "at_risk"
        } else {
            "not_at_risk"
        };
        count(&mut s.by_at_risk, risk, placed);
        count(
            &mut s.by_age_band,
            age_band(l.age_on(l.earliest_start)),
            placed,
        );
    }
    s.placed = Cell::Value(n_placed);
    s.unplaced = Cell::Value(g.n_learners() as u64 - n_placed);
    s.mean_rank = share(Cell::Value(rank_sum), s.placed).map(|m| (m * 1000.0).round() / 1000.0);
    let groups = s
        .by_region
        .values_mut()
        .chain(s.by_school_type.values_mut())
        .chain(s.by_level.values_mut())
        .chain(s.by_kind.values_mut())
        .chain(s.by_support_need.values_mut())
        .chain(s.by_register.values_mut())
        .chain(s.by_at_risk.values_mut())
        .chain(s.by_age_band.values_mut());
    groups.for_each(Counts::finish);
    s
}

/// Compares a stable and an optimal allocation of the same cohort learner by learner.
pub fn compare(cohort: &Cohort, stable: &Assignment, optimal: &Assignment) -> Comparison {
    let g = &cohort.graph;
    let score = |a: &Assignment, i: usize| a.arc(i).map_or(-1, |arc| g.value(arc) as i64);
    let mut c = Comparison {
        total_optimal: Cell::Value(optimal.total(g).max(0) as u64),
        total_stable: Cell::Value(stable.total(g).max(0) as u64),
        ..Comparison::default()
    };
    for i in 0..g.n_learners() {
        let (s, o) = (score(stable, i), score(optimal, i));
        c.prefer_optimal.add((o > s) as u64);
        c.prefer_stable.add((s > o) as u64);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_summary_without_the_new_fields_still_reads() {
        let old = r#"{"mode":"optimal","learners":2,"placements":1,"open_places":1,"arcs":2,
            "placed":1,"unplaced":1,"unplaced_no_feasible":0,"unplaced_all_taken":1,
            "total_score":700,"total_value":700,"mean_rank":1.0,
            "by_region":{"r":{"learners":2,"placed":1,"placed_share":0.5}},
            "by_school_type":{},"placed_by_kind":{"internship":1},"by_support_need":{},
            "by_register":{},"by_at_risk":{},"with_priority_bonus":0}"#;
        let s: Summary = serde_json::from_str(old).unwrap();
        assert_eq!(s.by_region["r"], Counts::new(2, 1));
        assert_eq!((s.placed, s.mean_rank), (Cell::Value(1), Some(1.0)));
        assert_eq!(s.disclosure, None);
        assert!(s.by_age_band.is_empty() && s.score_histogram.is_empty());
        assert_eq!(s.provenance, None);
    }
}
