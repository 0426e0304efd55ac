//! `/v1/learners/{id}/matches`: the advisor's question "which placements fit this learner,
//! and why?", and "why not this one?". Each answer is audited as a read of the learner.

use super::params::{Id, PlacementId};
use super::{check_k, fresh};
use crate::auth::Ctx;
use crate::engine::{Need, Snapshot};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use crate::store::Role;
use axum::extract::{Path, Query, State};
use koppel_core::views::{self, match_rows, MatchRow};
use koppel_core::{Explanation, KindFilter, LearnerIdx, PlacementKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Query of a match list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchParams {
    /// How many (default 10, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub k: Option<usize>,
    /// Only this placement kind.
    pub kind: Option<PlacementKind>,
}

/// Why fewer than `k` placements fit: of the placements in reach (reachable regions, within
/// the travel limit, of the kind asked for), how many are feasible and how many fail each hard
/// constraint. The wire form of [`koppel_core::views::WhyNot`], the one definition the CLI
/// shows too.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhyNot {
    /// Placements in reachable regions within the travel limit.
    pub placements_in_reach: u32,
    /// Of those, placements that fail no constraint.
    pub feasible: u32,
    /// Constraint code → placements failing it (one placement can fail several).
    pub blocked_by: BTreeMap<String, u32>,
}

/// A learner's best placements.
#[derive(Debug, Serialize, ToSchema)]
pub struct Matches {
    /// Learner id.
    pub learner: String,
    /// Asked for.
    pub k: usize,
    /// Best first; ties broken by placement id.
    pub matches: Vec<MatchRow>,
    /// Present when fewer than `k` placements fit.
    pub why_not: Option<WhyNot>,
}

/// The learner's index in the snapshot, if they are in the caller's regions.
fn learner_in_scope(snap: &Snapshot, ctx: &Ctx, id: &str) -> Result<LearnerIdx, Problem> {
    let data = snap.data();
    data.learner_idx(id)
        .filter(|&li| {
            let region = &data.reference.regions[data.learner(li).region.ix()].code;
            ctx.caller.regions.iter().any(|r| r == region)
        })
        .ok_or_else(|| Problem::not_found("learner", id))
}

/// Best placements for a learner of your regions, each with its explanation.
#[utoipa::path(get, path = "/learners/{id}/matches", tag = "matching", operation_id = "matches_list",
    params(Id, MatchParams),
    responses(
        (status = 200, description = "The best placements, each with its explanation", body = Matches),
        (status = 403, description = "Not an advisor"),
        (status = 404, description = "No such learner in your regions"),
        (status = 422, description = "`k` out of range"),
    ))]
pub async fn matches(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<MatchParams>,
) -> ApiResult<axum::Json<Matches>> {
    ctx.require(&[Role::Advisor])?;
    let k = check_k(q.k, 10, s.limits.max_k)?;
    // The learner as last written, and every placement as it is now.
    let need = Need {
        ids: &[&id],
        placements: true,
        ..Need::default()
    };
    let snap = fresh(&s, need).await?;
    let li = learner_in_scope(&snap, &ctx, &id)?;
    let filter = q.kind.map_or(KindFilter::All, KindFilter::Only);
    // The audit row commits while the matches are computed; the answer waits for both.
    let audit = s.store.audit_reads(ctx.audit("read"), vec![id]);
    let (audited, out) = tokio::join!(audit, compute(snap, li, k, filter));
    audited?;
    Ok(axum::Json(out?))
}

/// The ranked list, computed on the request's task (microseconds); the why-not tally, which
/// visits every placement in reach, runs on the blocking pool so that it never holds up other
/// requests on this worker.
async fn compute(
    snap: Arc<Snapshot>,
    li: LearnerIdx,
    k: usize,
    filter: KindFilter,
) -> Result<Matches, Problem> {
    let mut out = ranked(&snap, li, k, filter);
    if out.matches.len() < k {
        let tally = tokio::task::spawn_blocking(move || {
            WhyNot::from(views::WhyNot::of(
                &snap.placements,
                snap.scorer(),
                li,
                filter,
            ))
        })
        .await
        .map_err(Problem::internal)?;
        out.why_not = Some(tally);
    }
    Ok(out)
}

impl From<views::WhyNot> for WhyNot {
    fn from(w: views::WhyNot) -> WhyNot {
        WhyNot {
            placements_in_reach: w.placements_in_reach,
            feasible: w.feasible,
            blocked_by: w
                .blocked_by
                .into_iter()
                .map(|(c, n)| (c.to_owned(), n))
                .collect(),
        }
    }
}

fn ranked(snap: &Snapshot, li: LearnerIdx, k: usize, filter: KindFilter) -> Matches {
    let top = snap.placements.top_k(snap.scorer(), li, k, filter);
    Matches {
        learner: snap.data().learner(li).id.0.clone(),
        k,
        matches: match_rows(snap.scorer(), li, &top),
        why_not: None,
    }
}

/// The full account of one learner–placement pair: score components when it fits, every
/// failed hard constraint with a remedy when it does not.
#[utoipa::path(get, path = "/learners/{id}/matches/{placement_id}", tag = "matching", operation_id = "matches_explain",
    params(Id, PlacementId),
    responses(
        (status = 200, description = "The pair's components, or every failed constraint with its remedy", body = Explanation),
        (status = 403, description = "Not an advisor"),
        (status = 404, description = "No such learner in your regions, or no such placement"),
    ))]
pub async fn explain_pair(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, placement_id)): Path<(String, String)>,
) -> ApiResult<axum::Json<Explanation>> {
    ctx.require(&[Role::Advisor])?;
    // Wait for both records, so that a vacancy just posted or closed is seen as it is now.
    let need = Need {
        ids: &[&id, &placement_id],
        ..Need::default()
    };
    let snap = fresh(&s, need).await?;
    let li = learner_in_scope(&snap, &ctx, &id)?;
    let pi = snap
        .data()
        .placement_idx(&placement_id)
        .ok_or_else(|| Problem::not_found("placement", &placement_id))?;
    let e = snap.scorer().explain(li, pi);
    s.store.audit_reads(ctx.audit("read"), vec![id]).await?;
    Ok(axum::Json(e))
}
