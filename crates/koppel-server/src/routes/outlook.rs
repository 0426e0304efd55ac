//! `/v1/outlook`: the sector-outlook table (sector × region → internship and work outlook,
//! 1 = very poor … 5 = very good chance, or unknown). Admins replace it whole and atomically.

use crate::auth::Ctx;
use crate::body::JsonBody;
use crate::error::{ApiResult, InvalidField, Problem};
use crate::routes::params::IdempotencyKey;
use crate::routes::written;
use crate::state::AppState;
use crate::store::{Role, Write};
use axum::extract::State;
use axum::response::Response;
use koppel_core::record::OutlookRecord;
use koppel_core::{Lined, Reference};

/// The whole table, sorted by sector and region.
#[utoipa::path(get, path = "/outlook", tag = "outlook", operation_id = "outlook_get",
    responses((status = 200, description = "The table", body = Vec<OutlookRecord>)))]
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
#[utoipa::path(put, path = "/outlook", tag = "outlook", operation_id = "outlook_replace",
    request_body(content = Vec<OutlookRecord>, description = "The whole table: at most one row per sector × region"),
    params(IdempotencyKey),
    responses(
        (status = 200, description = "The table as stored", body = Vec<OutlookRecord>),
        (status = 403, description = "Not an admin"),
        (status = 413),
        (status = 415),
        (status = 422, description = "Every invalid row and field"),
    ))]
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
