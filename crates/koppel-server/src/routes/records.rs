//! What learners and placements share: validation for a caller, create, list, merge-patch
//! update and delete. The resource modules add their role checks, scopes and routes.

use super::params::if_match;
use super::{check_page, fields, page, written, Page, PageParams};
use crate::auth::Ctx;
use crate::body::JsonBody;
use crate::error::{ApiResult, InvalidField, Problem};
use crate::state::AppState;
use crate::store::{Audit, Kind, Scope, Validate, Write};
use axum::http::HeaderMap;
use axum::response::Response;
use koppel_core::record::{LearnerRecord, PlacementRecord};
use koppel_core::{Learner, Placement, Reference};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;

/// A record kind the API edits.
pub trait Record: Serialize + DeserializeOwned + Clone + Send + 'static {
    /// Its kind.
    const KIND: Kind;
    /// The field that binds it to a caller's scope.
    const SCOPE_FIELD: &'static str;
    /// Id.
    fn id(&self) -> &str;
    /// Value of the scope field (region or employer).
    fn scope_key(&self) -> &str;
    /// The engine's own validation.
    fn problems(&self, refs: &Reference) -> Vec<InvalidField>;
    /// Why a scope key outside the caller's is refused.
    fn out_of_scope(key: &str, allowed: &[String]) -> String;
}

impl Record for LearnerRecord {
    const KIND: Kind = Kind::Learner;
    const SCOPE_FIELD: &'static str = "region";
    fn id(&self) -> &str {
        &self.id
    }
    fn scope_key(&self) -> &str {
        &self.region
    }
    fn problems(&self, refs: &Reference) -> Vec<InvalidField> {
        Learner::from_record(self.clone(), refs)
            .err()
            .map(fields)
            .unwrap_or_default()
    }
    fn out_of_scope(key: &str, allowed: &[String]) -> String {
        format!(
            "`{key}` is not one of your regions ({})",
            allowed.join(", ")
        )
    }
}

impl Record for PlacementRecord {
    const KIND: Kind = Kind::Placement;
    const SCOPE_FIELD: &'static str = "employer";
    fn id(&self) -> &str {
        &self.id
    }
    fn scope_key(&self) -> &str {
        &self.employer
    }
    fn problems(&self, refs: &Reference) -> Vec<InvalidField> {
        Placement::from_record(self.clone(), refs)
            .err()
            .map(fields)
            .unwrap_or_default()
    }
    fn out_of_scope(key: &str, _: &[String]) -> String {
        format!("`{key}` is not an employer your desk serves")
    }
}

/// Every problem of a record for a caller whose scope keys are `allowed`; its JSON if none.
pub fn validate<R: Record>(
    rec: &R,
    refs: &Reference,
    allowed: &[String],
) -> Result<serde_json::Value, Vec<InvalidField>> {
    let mut errors = rec.problems(refs);
    let key = rec.scope_key();
    if !allowed.iter().any(|a| a == key) && !errors.iter().any(|e| e.field == R::SCOPE_FIELD) {
        errors.push(InvalidField {
            field: R::SCOPE_FIELD.into(),
            reason: R::out_of_scope(key, allowed),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::to_value(rec).map_err(|e| {
        vec![InvalidField {
            field: String::new(),
            reason: e.to_string(),
        }]
    })
}

/// A page of records in `scope`; with `audit`, one audit row per record shown.
pub async fn list(
    s: &AppState,
    kind: Kind,
    scope: &Scope,
    p: &PageParams,
    audit: Option<Audit>,
) -> ApiResult<axum::Json<Page<serde_json::Value>>> {
    let (limit, after) = check_page(p, s.limits.max_page)?;
    let rows = s
        .store
        .list(kind, scope, after.as_deref(), limit + 1, None)
        .await?;
    if let Some(a) = audit {
        let shown = rows
            .iter()
            .take(limit as usize)
            .map(|r| r.id.clone())
            .collect();
        s.store.audit_reads(a, shown).await?;
    }
    let pg = page(rows, limit, |r| r.id.as_str());
    Ok(axum::Json(Page {
        items: pg.items.into_iter().map(|r| r.body).collect(),
        next_cursor: pg.next_cursor,
    }))
}

/// Creates a record within the caller's scope keys.
pub async fn create<R: Record>(
    s: &AppState,
    ctx: &Ctx,
    allowed: &[String],
    body: JsonBody<R>,
) -> ApiResult<Response> {
    let rec = body.value;
    let json =
        validate(&rec, s.engine.snapshot().reference(), allowed).map_err(Problem::invalid)?;
    let write = Write::Create {
        kind: R::KIND,
        id: rec.id().to_owned(),
        scope_key: rec.scope_key().to_owned(),
        body: json,
    };
    let r = s
        .store
        .write(write, ctx.audit("create"), ctx.idem("", &body.raw))
        .await?;
    Ok(written(r))
}

/// Applies a JSON merge patch to a record in `scope`; the result must validate and stay
/// within the caller's scope keys. Needs `If-Match`.
pub async fn update<R: Record>(
    s: &AppState,
    ctx: &Ctx,
    id: String,
    scope: Scope,
    allowed: Vec<String>,
    headers: &HeaderMap,
    body: JsonBody<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Response> {
    let if_match = if_match(headers)?.ok_or_else(Problem::precondition_required)?;
    let refs = Arc::new(s.engine.snapshot().reference().clone());
    let check: Validate = Arc::new(move |merged| {
        let rec: R = crate::body::from_value(merged)?;
        validate(&rec, &refs, &allowed).map(|v| (v, rec.scope_key().to_owned()))
    });
    let write = Write::Update {
        kind: R::KIND,
        id: id.clone(),
        scope,
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

/// Deletes a record in `scope` (`If-Match` optional).
pub async fn delete(
    s: &AppState,
    ctx: &Ctx,
    kind: Kind,
    id: String,
    scope: Scope,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let write = Write::Delete {
        kind,
        id: id.clone(),
        scope,
        if_match: if_match(headers)?,
    };
    let r = s
        .store
        .write(write, ctx.audit("delete"), ctx.idem(&id, b""))
        .await?;
    Ok(written(r))
}
