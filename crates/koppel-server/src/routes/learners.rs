//! `/v1/learners`: advisors read and write the learners of their regions. Every read is
//! audited (one row per learner returned), and so is every write, in the same transaction.

use super::{records, with_etag, written, Page, PageParams};
use crate::auth::Ctx;
use crate::body::JsonBody;
use crate::error::{ApiResult, Problem, ProblemBody};
use crate::state::AppState;
use crate::store::{Kind, Outcome, Proposal, Role, Write};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use koppel_core::model::text;
use koppel_core::record::LearnerRecord;

const ADVISOR: &[Role] = &[Role::Advisor];

/// Learners of your regions, by id.
#[utoipa::path(get, path = "/learners", tag = "learners", params(PageParams),
    responses((status = 200, body = Page<LearnerRecord>), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<PageParams>,
) -> ApiResult<axum::Json<Page<serde_json::Value>>> {
    ctx.require(ADVISOR)?;
    records::list(
        &s,
        Kind::Learner,
        &ctx.learner_scope(),
        &p,
        Some(ctx.audit("read")),
    )
    .await
}

/// Registers a learner in one of your regions.
#[utoipa::path(post, path = "/learners", tag = "learners", request_body = LearnerRecord,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = LearnerRecord), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    body: Result<JsonBody<LearnerRecord>, Problem>,
) -> ApiResult<Response> {
    ctx.require(ADVISOR)?;
    // The role is checked before the body is looked at: 403 whatever was sent.
    let body = body?;
    records::create(&s, &ctx, &ctx.caller.regions, body).await
}

/// One learner (with an `ETag` for updates).
#[utoipa::path(get, path = "/learners/{id}", tag = "learners", params(("id" = String, Path)),
    responses((status = 200, body = LearnerRecord), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn get_one(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    ctx.require(ADVISOR)?;
    Ok(with_etag(read_in_scope(&s, &ctx, &id).await?))
}

/// A learner of the caller's regions (else 404), audited as a read of the learner.
async fn read_in_scope(s: &AppState, ctx: &Ctx, id: &str) -> Result<crate::store::Row, Problem> {
    let audit = Some(ctx.audit("read"));
    Ok(s.store
        .get(Kind::Learner, &ctx.learner_scope(), id, audit)
        .await?)
}

/// What has been decided for a learner of your regions: your latest proposal (which overrides
/// any automated allocation) and their outcome in the latest finished allocation.
#[utoipa::path(get, path = "/learners/{id}/outcome", tag = "learners", params(("id" = String, Path)),
    responses((status = 200, body = Outcome), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn outcome(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Outcome>> {
    ctx.require(ADVISOR)?;
    read_in_scope(&s, &ctx, &id).await?;
    Ok(axum::Json(s.store.outcome(&id).await?))
}

/// Changes a learner by JSON merge patch (RFC 7396); needs `If-Match`.
#[utoipa::path(patch, path = "/learners/{id}", tag = "learners", request_body(content = Object, content_type = "application/merge-patch+json"),
    params(("id" = String, Path), ("If-Match" = String, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = LearnerRecord), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn update(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<JsonBody<serde_json::Map<String, serde_json::Value>>, Problem>,
) -> ApiResult<Response> {
    ctx.require(ADVISOR)?;
    // The role is checked before the body is looked at: 403 whatever was sent.
    let body = body?;
    let (scope, allowed) = (ctx.learner_scope(), ctx.caller.regions.clone());
    records::update::<LearnerRecord>(&s, &ctx, id, scope, allowed, &headers, body).await
}

/// Erases a learner and everything derived from them (right to erasure).
#[utoipa::path(delete, path = "/learners/{id}", tag = "learners",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 204), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn erase(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    ctx.require(ADVISOR)?;
    records::delete(&s, &ctx, Kind::Learner, id, ctx.learner_scope(), &headers).await
}

/// Longest reason a proposal may carry, in characters.
pub use koppel_core::model::text::MAX_REASON;

/// Records an advisor's proposal of a placement for a learner, with the reason; it overrides
/// what an automated allocation proposes and is audited.
#[utoipa::path(post, path = "/learners/{id}/proposals", tag = "learners", request_body = Proposal,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Object), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn propose(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Result<JsonBody<Proposal>, Problem>,
) -> ApiResult<Response> {
    ctx.require(ADVISOR)?;
    // The role is checked before the body is looked at: 403 whatever was sent.
    let body = body?;
    let proposal = body.value;
    // The same rules as every other text: at most MAX_REASON characters, none of them a
    // control, bidi or zero-width character, not blank.
    if let Some(why) = text::text_problem(&proposal.reason, MAX_REASON) {
        let why = if proposal.reason.trim().is_empty() {
            "say why, in a few words".to_owned()
        } else {
            why
        };
        return Err(Problem::invalid_field("reason", why));
    }
    if let Some(why) = text::id_problem(&proposal.placement) {
        return Err(Problem::invalid_field("placement", why));
    }
    let write = Write::Propose {
        learner: id.clone(),
        scope: ctx.learner_scope(),
        placement: proposal.placement.clone(),
        proposal,
    };
    let r = s
        .store
        .write(write, ctx.audit("propose"), ctx.idem(&id, &body.raw))
        .await?;
    Ok(written(r))
}
