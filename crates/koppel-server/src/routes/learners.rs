//! `/v1/learners`: advisors read and write the learners of their regions. Every read is
//! audited (one row per learner returned), and so is every write, in the same transaction.

use super::{check_page, fields, if_match, page, with_etag, written, Page, PageParams};
use crate::auth::Ctx;
use crate::body::JsonBody;
use crate::error::{ApiResult, InvalidField, Problem, ProblemBody};
use crate::state::AppState;
use crate::store::{Kind, Proposal, Role, Validate, Write};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use koppel_core::record::LearnerRecord;
use koppel_core::{Learner, Reference};
use std::sync::Arc;

const ADVISOR: &[Role] = &[Role::Advisor];

/// Validates a learner record for a caller: every field, and the region within their scope.
fn validate(
    rec: &LearnerRecord,
    refs: &Reference,
    regions: &[String],
) -> Result<serde_json::Value, Vec<InvalidField>> {
    let mut errors = Learner::from_record(rec.clone(), refs)
        .err()
        .map(fields)
        .unwrap_or_default();
    if !regions.contains(&rec.region) && !errors.iter().any(|e| e.field == "region") {
        errors.push(InvalidField {
            field: "region".into(),
            reason: format!(
                "`{}` is not one of your regions ({})",
                rec.region,
                regions.join(", ")
            ),
        });
    }
    if errors.is_empty() {
        serde_json::to_value(rec).map_err(|e| {
            vec![InvalidField {
                field: String::new(),
                reason: e.to_string(),
            }]
        })
    } else {
        Err(errors)
    }
}

/// Learners of your regions, by id.
#[utoipa::path(get, path = "/learners", tag = "learners", params(PageParams),
    responses((status = 200, body = Page<LearnerRecord>), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<PageParams>,
) -> ApiResult<axum::Json<Page<serde_json::Value>>> {
    ctx.require(ADVISOR)?;
    let (limit, after) = check_page(&p, s.limits.max_page)?;
    let rows = s
        .store
        .list(
            Kind::Learner,
            &ctx.learner_scope(),
            after.as_deref(),
            limit + 1,
            None,
        )
        .await?;
    let shown: Vec<String> = rows
        .iter()
        .take(limit as usize)
        .map(|r| r.id.clone())
        .collect();
    s.store.audit_reads(ctx.audit("read"), shown).await?;
    let pg = page(rows, limit, |r| r.id.as_str());
    Ok(axum::Json(Page {
        items: pg.items.into_iter().map(|r| r.body).collect(),
        next_cursor: pg.next_cursor,
    }))
}

/// Registers a learner in one of your regions.
#[utoipa::path(post, path = "/learners", tag = "learners", request_body = LearnerRecord,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = LearnerRecord), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    body: JsonBody<LearnerRecord>,
) -> ApiResult<Response> {
    ctx.require(ADVISOR)?;
    let rec = body.value;
    let snap = s.engine.snapshot();
    let json = validate(&rec, snap.reference(), &ctx.caller.regions).map_err(Problem::invalid)?;
    let write = Write::Create {
        kind: Kind::Learner,
        id: rec.id.clone(),
        scope_key: rec.region.clone(),
        body: json,
    };
    let r = s
        .store
        .write(write, ctx.audit("create"), ctx.idem("", &body.raw))
        .await?;
    Ok(written(r))
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
    let row = s
        .store
        .get(
            Kind::Learner,
            &ctx.learner_scope(),
            &id,
            Some(ctx.audit("read")),
        )
        .await?;
    Ok(with_etag(row))
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
    body: JsonBody<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Response> {
    ctx.require(ADVISOR)?;
    let if_match = if_match(&headers).ok_or_else(Problem::precondition_required)?;
    let refs = Arc::new(s.engine.snapshot().reference().clone());
    let regions = ctx.caller.regions.clone();
    let check: Validate = Arc::new(move |merged| {
        let rec: LearnerRecord = crate::body::from_value(merged)?;
        validate(&rec, &refs, &regions).map(|v| (v, rec.region))
    });
    let write = Write::Update {
        kind: Kind::Learner,
        id: id.clone(),
        scope: ctx.learner_scope(),
        if_match,
        patch: serde_json::Value::Object(body.value),
        validate: check,
    };
    let r = s
        .store
        .write(write, ctx.audit("update"), ctx.idem(&id, &body.raw))
        .await?;
    Ok(written(r))
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
    let write = Write::Delete {
        kind: Kind::Learner,
        id: id.clone(),
        scope: ctx.learner_scope(),
        if_match: if_match(&headers),
    };
    let r = s
        .store
        .write(write, ctx.audit("delete"), ctx.idem(&id, b""))
        .await?;
    Ok(written(r))
}

/// Records an advisor's proposal of a placement for a learner, with the reason; it overrides
/// what an automated allocation proposes and is audited.
#[utoipa::path(post, path = "/learners/{id}/proposals", tag = "learners", request_body = Proposal,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Object), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn propose(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonBody<Proposal>,
) -> ApiResult<Response> {
    ctx.require(ADVISOR)?;
    let proposal = body.value;
    if proposal.reason.trim().is_empty() {
        return Err(Problem::invalid_field("reason", "say why, in a few words"));
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
