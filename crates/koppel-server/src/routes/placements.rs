//! `/v1/placements`: employer desks create, update and close their own vacancies and see
//! anonymised candidates for them; other roles may read vacancies (they hold no personal data).

use super::params::{Id, IdempotencyKey, IfMatch, IfMatchOptional};
use super::{check_k, fresh, records, with_etag, Page, PageParams};
use crate::auth::Ctx;
use crate::body::JsonBody;
use crate::engine::Need;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use crate::store::{Kind, Role};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use koppel_core::anonymise::{candidate_view, CandidateView};
use koppel_core::record::PlacementRecord;
use koppel_core::ScoreView;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const DESK: &[Role] = &[Role::EmployerDesk];
const READERS: &[Role] = &[
    Role::EmployerDesk,
    Role::Advisor,
    Role::Analyst,
    Role::Admin,
];

/// Vacancies: a desk sees its own employers', other roles all.
#[utoipa::path(get, path = "/placements", tag = "placements", operation_id = "placements_list", params(PageParams),
    responses(
        (status = 200, description = "A page of vacancies, by id", body = Page<PlacementRecord>),
        (status = 422, description = "`limit` or `cursor` out of range"),
    ))]
pub async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<PageParams>,
) -> ApiResult<axum::Json<Page<serde_json::Value>>> {
    ctx.require(READERS)?;
    records::list(&s, Kind::Placement, &ctx.placement_scope(), &p, None).await
}

/// Posts a vacancy for one of your employers.
#[utoipa::path(post, path = "/placements", tag = "placements", operation_id = "placements_create",
    request_body = PlacementRecord, params(IdempotencyKey),
    responses(
        (status = 201, description = "Posted, as stored", body = PlacementRecord,
            headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an employer desk"),
        (status = 409, description = "The id is taken"),
        (status = 413),
        (status = 415),
        (status = 422, description = "Invalid, or for an employer your desk does not serve: every invalid field"),
    ))]
pub async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    body: Result<JsonBody<PlacementRecord>, Problem>,
) -> ApiResult<Response> {
    ctx.require(DESK)?;
    // The role is checked before the body is looked at: 403 whatever was sent.
    let body = body?;
    records::create(&s, &ctx, &ctx.caller.employers, body).await
}

/// One vacancy (with an `ETag` for updates).
#[utoipa::path(get, path = "/placements/{id}", tag = "placements", operation_id = "placements_get", params(Id),
    responses(
        (status = 200, description = "The vacancy", body = PlacementRecord, headers(("ETag" = String))),
        (status = 404, description = "No such vacancy (a desk sees only its employers')"),
    ))]
pub async fn get_one(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    ctx.require(READERS)?;
    let row = s
        .store
        .get(Kind::Placement, &ctx.placement_scope(), &id, None)
        .await?;
    Ok(with_etag(row))
}

/// Changes a vacancy by JSON merge patch (RFC 7396); needs `If-Match`.
#[utoipa::path(patch, path = "/placements/{id}", tag = "placements", operation_id = "placements_update",
    request_body(content = Object, content_type = "application/merge-patch+json"),
    params(Id, IfMatch, IdempotencyKey),
    responses(
        (status = 200, description = "The vacancy after the patch", body = PlacementRecord, headers(("ETag" = String))),
        (status = 403, description = "Not an employer desk"),
        (status = 404, description = "No such vacancy of your employers"),
        (status = 412),
        (status = 413),
        (status = 415),
        (status = 422, description = "The patched record is invalid, moves to an employer you do not serve or changes the id"),
        (status = 428),
    ))]
pub async fn update(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<JsonBody<serde_json::Map<String, serde_json::Value>>, Problem>,
) -> ApiResult<Response> {
    ctx.require(DESK)?;
    // The role is checked before the body is looked at: 403 whatever was sent.
    let body = body?;
    let (scope, allowed) = (ctx.placement_scope(), ctx.caller.employers.clone());
    records::update::<PlacementRecord>(&s, &ctx, id, scope, allowed, &headers, body).await
}

/// Closes (removes) a vacancy.
#[utoipa::path(delete, path = "/placements/{id}", tag = "placements", operation_id = "placements_close",
    params(Id, IfMatchOptional, IdempotencyKey),
    responses(
        (status = 204, description = "Closed"),
        (status = 403, description = "Not an employer desk"),
        (status = 404, description = "No such vacancy of your employers"),
        (status = 412),
    ))]
pub async fn close(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    ctx.require(DESK)?;
    records::delete(
        &s,
        &ctx,
        Kind::Placement,
        id,
        ctx.placement_scope(),
        &headers,
    )
    .await
}

/// `k` for candidates.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidatesParams {
    /// How many (default 10, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub k: Option<usize>,
}

/// Anonymised candidates for a vacancy.
#[derive(Debug, Serialize, ToSchema)]
pub struct Candidates {
    /// Vacancy id.
    pub placement: String,
    /// Best first. No names, contact data, birth dates, support needs or register status;
    /// scores count the support component as met for everyone.
    pub candidates: Vec<CandidateView>,
}

/// Ranked, anonymised candidates for one of your vacancies.
#[utoipa::path(get, path = "/placements/{id}/candidates", tag = "matching", operation_id = "placements_candidates",
    params(Id, CandidatesParams),
    responses(
        (status = 200, description = "Anonymised candidates, best first", body = Candidates),
        (status = 403, description = "Not an employer desk"),
        (status = 404, description = "No such vacancy of your employers"),
        (status = 422, description = "`k` out of range"),
    ))]
pub async fn candidates(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<CandidatesParams>,
) -> ApiResult<axum::Json<Candidates>> {
    ctx.require(DESK)?;
    let k = check_k(q.k, 10, s.limits.max_k)?;
    // The vacancy as last written, and every learner as they are now (an erased learner is
    // never listed, a new one is ranked).
    let need = Need {
        ids: &[&id],
        learners: true,
        ..Need::default()
    };
    let snap = fresh(&s, need).await?;
    let data = snap.data();
    let pi = data
        .placement_idx(&id)
        .filter(|&pi| {
            let p = data.placement(pi);
            ctx.placement_scope()
                .admits(data.reference.employers[p.employer.ix()].id.as_str())
        })
        .ok_or_else(|| Problem::not_found("placement", &id))?;
    let key = s.pseudonym_key.clone();
    let snap2 = snap.clone();
    let (views, shown) = tokio::task::spawn_blocking(move || {
        let scorer = snap2.scorer();
        let data = snap2.data();
        snap2
            .learners
            .top_k(scorer, pi, k, ScoreView::Public)
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let view = candidate_view(scorer, &key, i + 1, c.idx, pi)?;
                Some((view, data.learner(c.idx).id.0.clone()))
            })
            .unzip::<_, _, Vec<_>, Vec<_>>()
    })
    .await
    .map_err(Problem::internal)?;
    // A person looking at (pseudonymised) learners: audited like any read of learner data.
    if !shown.is_empty() {
        s.store.audit_reads(ctx.audit("read"), shown).await?;
    }
    Ok(axum::Json(Candidates {
        placement: id,
        candidates: views,
    }))
}
