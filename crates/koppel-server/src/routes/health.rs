//! `GET /v1/health` and the OpenAPI document; neither needs a token.

use crate::error::{ApiResult, Problem, ProblemBody};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::OnceLock;
use utoipa::ToSchema;

/// Liveness and database check.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    /// Changes since start that the matching engine's snapshot includes.
    pub engine_version: u64,
    /// Learners in the engine.
    pub learners: usize,
    /// Placements in the engine.
    pub placements: usize,
}

/// Liveness plus a database round trip.
#[utoipa::path(get, path = "/health", tag = "service", security(()),
    responses((status = 200, body = Health), (status = 503, body = ProblemBody, content_type = "application/problem+json")))]
pub async fn health(State(s): State<AppState>) -> ApiResult<axum::Json<Health>> {
    s.store
        .ping()
        .await
        .map_err(|e| Problem::unavailable(format!("the database does not answer: {e}"), 5))?;
    let snap = s.engine.snapshot();
    Ok(axum::Json(Health {
        status: "ok",
        engine_version: snap.version,
        learners: snap.data().learners.len(),
        placements: snap.data().placements.len(),
    }))
}

fn document() -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    let doc = DOC.get_or_init(super::openapi_json);
    ([("content-type", "application/json")], doc.clone()).into_response()
}

/// This API's OpenAPI 3 document.
#[utoipa::path(get, path = "/openapi.json", tag = "service", security(()),
    responses((status = 200, body = Object, content_type = "application/json")))]
pub async fn openapi_v1() -> Response {
    document()
}

/// This API's OpenAPI 3 document (same as `/v1/openapi.json`).
#[utoipa::path(get, path = "/openapi.json", tag = "service", security(()),
    responses((status = 200, body = Object, content_type = "application/json")))]
pub async fn openapi_root() -> Response {
    document()
}
