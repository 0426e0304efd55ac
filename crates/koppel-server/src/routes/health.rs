//! `GET /v1/health` and the OpenAPI document; neither needs a token.

use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use koppel_core::Reference;
use serde::Serialize;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
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
#[utoipa::path(get, path = "/health", tag = "service", operation_id = "service_health", security(()),
    responses(
        (status = 200, description = "Up, with the engine's counts", body = Health),
        (status = 503, description = "The database does not answer"),
    ))]
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

/// The document for the service's reference tables, made once per set of tables (they do not
/// change while the service runs; the cache is keyed by their codes all the same).
fn document(s: &AppState) -> Response {
    static DOC: Mutex<Option<(u64, Arc<String>)>> = Mutex::new(None);
    let snap = s.engine.snapshot();
    let refs = snap.reference();
    let key = fingerprint(refs);
    let mut cached = DOC.lock().unwrap_or_else(|e| e.into_inner());
    let doc = match cached.as_ref() {
        Some((k, doc)) if *k == key => doc.clone(),
        _ => {
            let doc = Arc::new(super::openapi_json_for(Some(refs)));
            *cached = Some((key, doc.clone()));
            doc
        }
    };
    drop(cached);
    (
        [("content-type", "application/json")],
        doc.as_str().to_owned(),
    )
        .into_response()
}

/// What the document depends on: the codes (and qualification levels) of the tables.
fn fingerprint(refs: &Reference) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    refs.regions.iter().for_each(|r| r.code.hash(&mut h));
    refs.sectors.iter().for_each(|r| r.code.hash(&mut h));
    for q in &refs.qualifications {
        (&q.crebo, q.level.get()).hash(&mut h);
    }
    refs.employers.iter().for_each(|e| e.id.0.hash(&mut h));
    h.finish()
}

/// This API's OpenAPI 3.1 document, with the codes of this service's reference tables.
#[utoipa::path(get, path = "/openapi.json", tag = "service", operation_id = "service_openapi_v1", security(()),
    responses((status = 200, description = "The document", body = Object, content_type = "application/json")))]
pub async fn openapi_v1(State(s): State<AppState>) -> Response {
    document(&s)
}

/// This API's OpenAPI 3.1 document (same as `/v1/openapi.json`).
#[utoipa::path(get, path = "/openapi.json", tag = "service", operation_id = "service_openapi", security(()),
    responses((status = 200, description = "The document", body = Object, content_type = "application/json")))]
pub async fn openapi_root(State(s): State<AppState>) -> Response {
    document(&s)
}
