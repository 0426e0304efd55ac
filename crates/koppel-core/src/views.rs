//! What an advisor sees of a learner's ranked placements: one row per placement with its
//! explanation. Shared by the CLI and the HTTP service so both say the same.

use crate::index::Scored;
use crate::model::enums::PlacementKind;
use crate::model::ids::{LearnerIdx, PlacementIdx};
use crate::score::{Explanation, Scorer};
use serde::Serialize;

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
