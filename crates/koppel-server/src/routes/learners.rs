//! `/v1/learners`: advisors read and write the learners of their regions. Every read is
//! audited (one row per learner returned), and so is every write, in the same transaction.

use super::params::{Id, IdempotencyKey, IfMatch, IfMatchOptional};
use super::{records, with_etag, written, Page, PageParams};
use crate::auth::Ctx;
use crate::body::JsonBody;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use crate::store::{Kind, Outcome, Proposal, Role, Write};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use koppel_core::model::limits;
use koppel_core::record::LearnerRecord;
use serde::Serialize;
use utoipa::ToSchema;

const ADVISOR: &[Role] = &[Role::Advisor];

/// Learners of your regions, by id.
#[utoipa::path(get, path = "/learners", tag = "learners", operation_id = "learners_list", params(PageParams),
    responses(
        (status = 200, description = "A page of learners, by id", body = Page<LearnerRecord>),
        (status = 403, description = "Not an advisor"),
        (status = 422, description = "`limit` or `cursor` out of range"),
    ))]
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
#[utoipa::path(post, path = "/learners", tag = "learners", operation_id = "learners_create",
    request_body = LearnerRecord, params(IdempotencyKey),
    responses(
        (status = 201, description = "Registered, as stored", body = LearnerRecord,
            headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an advisor"),
        (status = 409, description = "The id is taken"),
        (status = 410),
        (status = 413),
        (status = 415),
        (status = 422, description = "Invalid, or outside your regions: every invalid field"),
    ))]
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
#[utoipa::path(get, path = "/learners/{id}", tag = "learners", operation_id = "learners_get", params(Id),
    responses(
        (status = 200, description = "The learner", body = LearnerRecord, headers(("ETag" = String))),
        (status = 403, description = "Not an advisor"),
        (status = 404, description = "No such learner in your regions"),
    ))]
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
#[utoipa::path(get, path = "/learners/{id}/outcome", tag = "learners", operation_id = "learners_outcome", params(Id),
    responses(
        (status = 200, description = "What stands for the learner", body = Outcome),
        (status = 403, description = "Not an advisor"),
        (status = 404, description = "No such learner in your regions"),
    ))]
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
#[utoipa::path(patch, path = "/learners/{id}", tag = "learners", operation_id = "learners_update",
    request_body(content = Object, content_type = "application/merge-patch+json"),
    params(Id, IfMatch, IdempotencyKey),
    responses(
        (status = 200, description = "The learner after the patch", body = LearnerRecord, headers(("ETag" = String))),
        (status = 403, description = "Not an advisor"),
        (status = 404, description = "No such learner in your regions"),
        (status = 410),
        (status = 412),
        (status = 413),
        (status = 415),
        (status = 422, description = "The patched record is invalid, moves out of your regions or changes the id"),
        (status = 428),
    ))]
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
#[utoipa::path(delete, path = "/learners/{id}", tag = "learners", operation_id = "learners_erase",
    params(Id, IfMatchOptional, IdempotencyKey),
    responses(
        (status = 204, description = "Erased, with everything derived from the learner"),
        (status = 403, description = "Not an advisor"),
        (status = 404, description = "No such learner in your regions"),
        (status = 410),
        (status = 412),
    ))]
pub async fn erase(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    ctx.require(ADVISOR)?;
    records::delete(&s, &ctx, Kind::Learner, id, ctx.learner_scope(), &headers).await
}

/// A proposal as recorded (the answer to `POST /v1/learners/{id}/proposals`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalCreated {
    /// Proposal number.
    pub id: i64,
    /// Learner id.
    pub learner: String,
    /// Placement id.
    pub placement: String,
    /// The reason given.
    pub reason: String,
    /// When, RFC 3339.
    pub created_at: String,
}

/// Longest reason a proposal may carry, in characters.
pub use koppel_core::model::limits::MAX_REASON;

/// Records an advisor's proposal of a placement for a learner, with the reason; it overrides
/// what an automated allocation proposes and is audited.
#[utoipa::path(post, path = "/learners/{id}/proposals", tag = "learners", operation_id = "learners_propose",
    request_body = Proposal, params(Id, IdempotencyKey),
    responses(
        (status = 201, description = "The proposal, as stored", body = ProposalCreated),
        (status = 403, description = "Not an advisor"),
        (status = 404, description = "No such learner in your regions, or no such placement"),
        (status = 410),
        (status = 413),
        (status = 415),
        (status = 422, description = "No reason, a reason over 1000 characters or with control characters, or a malformed placement id"),
    ))]
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
    if let Some(why) = limits::text_problem(&proposal.reason, MAX_REASON) {
        let why = if proposal.reason.trim().is_empty() {
            "say why, in a few words".to_owned()
        } else {
            why
        };
        return Err(Problem::invalid_field("reason", why));
    }
    if let Some(why) = limits::id_problem(&proposal.placement) {
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
