//! What an advisor sees of a learner's ranked placements: one row per placement with its
//! explanation. Shared by the CLI and the HTTP service so both say the same.

use crate::index::{KindFilter, PlacementIndex, Scored};
use crate::model::enums::PlacementKind;
use crate::model::ids::{LearnerIdx, PlacementIdx};
use crate::score::Constraint;
use crate::score::{Explanation, Scorer};
use serde::Serialize;
use std::collections::BTreeMap;

/// One ranked placement with its full explanation (advisor-only: the explanation derives
/// partly from special-category data).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchRow {
    /// 1-based rank.
    pub rank: usize,
    /// Placement id.
    pub placement: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: PlacementKind,
    /// Sector code.
    pub sector: String,
    /// Region code.
    pub region: String,
    /// Employer name.
    pub employer: String,
    /// Score 0..=1000.
    pub score: u16,
    /// Components (summing to the score), facts and notes.
    pub explanation: Explanation,
}

/// Why a learner has fewer matches than asked: of the placements in reach (a region the
/// learner's policy reaches, within the travel limit, of the kinds asked for), how many are
/// feasible and how many fail each hard constraint (a placement can fail several). The one
/// definition the CLI (`koppel match`), the API (`why_not` of the matches) and the advisor's
/// page show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhyNot {
    /// Placements in reach.
    pub placements_in_reach: u32,
    /// Of those, placements that fail no constraint.
    pub feasible: u32,
    /// Constraint code → placements in reach failing it; only non-zero counts.
    pub blocked_by: BTreeMap<&'static str, u32>,
}

impl WhyNot {
    /// The tally for one learner, from the index (placements out of reach are not looked at).
    pub fn of(
        index: &PlacementIndex,
        scorer: &Scorer<'_>,
        li: LearnerIdx,
        kinds: KindFilter,
    ) -> WhyNot {
        let t = index.tally_in_reach(scorer, li, kinds);
        WhyNot {
            placements_in_reach: t.placements,
            feasible: t.feasible,
            blocked_by: Constraint::ALL
                .into_iter()
                .filter(|&c| t.get(c) > 0)
                .map(|c| (c.as_str(), t.get(c)))
                .collect(),
        }
    }

    /// Constraint codes with their counts, largest first (ties by code).
    pub fn largest_first(&self) -> Vec<(&'static str, u32)> {
        let mut v: Vec<_> = self.blocked_by.iter().map(|(&c, &n)| (c, n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }
}

/// The rows of a top-k list, in its order.
pub fn match_rows(
    scorer: &Scorer<'_>,
    li: LearnerIdx,
    top: &[Scored<PlacementIdx>],
) -> Vec<MatchRow> {
    let data = scorer.data();
    let refs = &data.reference;
    top.iter()
        .enumerate()
        .map(|(i, m)| {
            let p = data.placement(m.idx);
            MatchRow {
                rank: i + 1,
                placement: p.id.0.clone(),
                title: p.title.clone(),
                kind: p.kind,
                sector: refs.sectors[p.sector.ix()].code.clone(),
                region: refs.regions[p.region.ix()].code.clone(),
                employer: refs.employers[p.employer.ix()].name.clone(),
                score: m.score,
                explanation: scorer.explain(li, m.idx),
            }
        })
        .collect()
}
