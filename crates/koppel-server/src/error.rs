//! The one error type of the HTTP layer and its mapping to `application/problem+json`
//! (RFC 9457). Every error response the service sends goes through [`Problem`]; the
//! [`crate::middleware::problem_bodies`] layer turns what axum or tower produce on their own
//! (unknown route, wrong method, body too large) into the same shape.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Base of every problem `type` URI. Types are stable: clients may switch on them.
pub const TYPE_BASE: &str = "https://koppel.example/problems/";

/// Media type of error bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

pub use crate::store::InvalidField;

/// An RFC 9457 problem document.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProblemBody {
    /// Stable URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong in this request, for a person.
    pub detail: String,
    /// For validation problems: each invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<InvalidField>,
}

/// An error of the HTTP layer.
#[derive(Debug, thiserror::Error)]
#[error("{status}: {detail}")]
pub struct Problem {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable slug, appended to [`TYPE_BASE`].
    pub slug: &'static str,
    /// Human detail.
    pub detail: String,
    /// Invalid fields, if any.
    pub errors: Vec<InvalidField>,
    /// Seconds a client should wait (503, 429).
    pub retry_after: Option<u64>,
    /// The record's current `ETag` (412), sent as the `ETag` header.
    pub etag: Option<String>,
}

impl Problem {
    /// A problem with a status, stable slug and detail.
    pub fn new(status: StatusCode, slug: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            slug,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            etag: None,
        }
    }

    /// 400: the request could not be read.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 401: no token, or one that is unknown or revoked.
    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    /// 403: the caller's role may not use this route.
    pub fn forbidden(role: &str) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("the role `{role}` may not use this route"),
        )
    }

    /// 404: absent, or outside the caller's scope (the two are not told apart).
    pub fn not_found(what: &str, id: &str) -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no {what} `{id}` that you may see"),
        )
    }

    /// 409: conflicts with existing data.
    pub fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, "conflict", detail)
    }

    /// 422: well-formed but invalid; one entry per field.
    pub fn invalid(errors: Vec<InvalidField>) -> Problem {
        let detail = match errors.as_slice() {
            [one] => format!("invalid field `{}`: {}", one.field, one.reason),
            many => format!("{} invalid fields", many.len()),
        };
        Problem {
            errors,
            ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", detail)
        }
    }

    /// 422 for one field.
    pub fn invalid_field(field: impl Into<String>, reason: impl Into<String>) -> Problem {
        Problem::invalid(vec![InvalidField {
            field: field.into(),
            reason: reason.into(),
        }])
    }

    /// 412: `If-Match` does not match the current version, which is sent as the `ETag`
    /// header (and named in the detail).
    pub fn precondition_failed(current: &str) -> Problem {
        Problem {
            etag: Some(current.to_owned()),
            ..Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                format!("the record changed since you read it; its current ETag is {current}"),
            )
        }
    }

    /// 428: an update without `If-Match`.
    pub fn precondition_required() -> Problem {
        Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
            "send the record's ETag in If-Match (read it with GET first) so that concurrent edits are not lost",
        )
    }

    /// 500; the cause is logged, never sent.
    pub fn internal(cause: impl std::fmt::Display) -> Problem {
        tracing::error!(%cause, "internal error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to handle this request; nothing was changed",
        )
    }

    /// 503 with `Retry-After`.
    pub fn unavailable(detail: impl Into<String>, retry_after: u64) -> Problem {
        Problem {
            retry_after: Some(retry_after),
            ..Problem::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", detail)
        }
    }

    /// The body as sent.
    pub fn body(&self) -> ProblemBody {
        ProblemBody {
            kind: format!("{TYPE_BASE}{}", self.slug),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(s) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if let Some(v) = self
            .etag
            .as_deref()
            .and_then(|e| HeaderValue::from_str(e).ok())
        {
            h.insert(header::ETAG, v);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            // RFC 9110 §11.6.1: a 401 names the scheme the client should use.
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"koppel\""),
            );
        }
        res
    }
}

impl From<crate::store::StoreError> for Problem {
    fn from(e: crate::store::StoreError) -> Problem {
        use crate::store::StoreError as E;
        match e {
            E::NotFound { what, id } => Problem::not_found(what, &id),
            E::Conflict(d) => Problem::conflict(d),
            E::Invalid(errors) => Problem::invalid(errors),
            E::VersionMismatch { current } => Problem::precondition_failed(&current),
            E::IdempotencyMismatch => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "this Idempotency-Key was used for a different request; use a new key",
            ),
            E::Backend(cause) => Problem::internal(cause),
        }
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, Problem>;
