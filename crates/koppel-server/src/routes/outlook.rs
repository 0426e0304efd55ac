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
use koppel_core::Reference;
use std::collections::HashSet;

/// The whole table, sorted by sector and region.
#[utoipa::path(get, path = "/outlook", tag = "outlook",
    responses((status = 200, body = Vec<OutlookRecord>), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn get_outlook(
    State(s): State<AppState>,
    _ctx: Ctx,
) -> ApiResult<axum::Json<Vec<OutlookRecord>>> {
    Ok(axum::Json(s.store.outlook().await?))
}

/// Every problem of a new table, with the row index in the field path.
fn check(rows: &[OutlookRecord], refs: &Reference) -> Vec<InvalidField> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut err = |i: usize, f: &str, reason: String| {
        errors.push(InvalidField {
            field: format!("[{i}].{f}"),
            reason,
        });
    };
    for (i, r) in rows.iter().enumerate() {
        if refs.sector(&r.sector).is_none() {
            err(i, "sector", format!("unknown sector `{}`", r.sector));
        }
        if refs.region(&r.region).is_none() {
            err(i, "region", format!("unknown region `{}`", r.region));
        }
        for (f, v) in [("internship", r.internship), ("work", r.work)] {
            if v.is_some_and(|v| !(1..=5).contains(&v)) {
                err(
                    i,
                    f,
                    format!(
                        "{} is not an outlook step 1..=5 (or null for unknown)",
                        v.unwrap_or(0)
                    ),
                );
            }
        }
        if !seen.insert((r.sector.as_str(), r.region.as_str())) {
            err(
                i,
                "region",
                format!(
                    "sector `{}` × region `{}` appears twice",
                    r.sector, r.region
                ),
            );
        }
    }
    errors
}

/// Replaces the whole table in one transaction (admin). Cells left out become unknown.
#[utoipa::path(put, path = "/outlook", tag = "outlook", request_body = Vec<OutlookRecord>,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Vec<OutlookRecord>), (status = "4XX", body = ProblemBody, content_type = "application/problem+json")))]
pub async fn put_outlook(
    State(s): State<AppState>,
    ctx: Ctx,
    body: JsonBody<Vec<OutlookRecord>>,
) -> ApiResult<Response> {
    ctx.require(&[Role::Admin])?;
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
    s.engine.changed("outlook", r.seq);
    Ok(written(r))
}
