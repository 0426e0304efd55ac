//! `/v1/outlook`: the sector-outlook table (sector × region → internship and work outlook,
//! 1 = very poor … 5 = very good chance, or unknown). Admins replace it whole and atomically.

use crate::auth::Ctx;
use crate::body::JsonBody;
use crate::error::{ApiResult, InvalidField, Problem, ProblemBody};
use crate::routes::written;
use crate::state::AppState;
use crate::store::{Role, Write};
use axum::extract::State;
use axum::response::Response;
use koppel_core::record::OutlookRecord;
use koppel_core::{Lined, Reference};

/// The whole table, sorted by sector and region.
#[utoipa::path(get, path = "/outlook", tag = "outlook",
    responses((status = 200, body = Vec<OutlookRecord>), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn get_outlook(
    State(s): State<AppState>,
    _ctx: Ctx,
) -> ApiResult<axum::Json<Vec<OutlookRecord>>> {
    Ok(axum::Json(s.store.outlook().await?))
}

/// Every problem of a new table (the engine's own validation), with the row index in the
/// field path.
fn check(rows: &[OutlookRecord], refs: &Reference) -> Vec<InvalidField> {
    let lined = Lined::numbered(rows.iter().cloned());
    match refs.outlook_from(lined) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| InvalidField {
                field: format!("[{}].{}", e.line.saturating_sub(1), e.field),
                reason: e.reason,
            })
            .collect(),
    }
}

/// Replaces the whole table in one transaction (admin). Cells left out become unknown.
#[utoipa::path(put, path = "/outlook", tag = "outlook", request_body = Vec<OutlookRecord>,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Vec<OutlookRecord>), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn put_outlook(
    State(s): State<AppState>,
    ctx: Ctx,
    body: Result<JsonBody<Vec<OutlookRecord>>, Problem>,
) -> ApiResult<Response> {
    ctx.require(&[Role::Admin])?;
    // The role is checked before the body is looked at: 403 whatever was sent.
    let body = body?;
    let errors = check(&body.value, s.engine.snapshot().reference());
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let r = s
        .store
        .write(
            Write::ReplaceOutlook(body.value),
            ctx.audit("update"),
            ctx.idem("", &body.raw),
        )
        .await?;
    Ok(written(r))
}
