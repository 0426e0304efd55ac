//! A JSON body extractor whose every failure is a problem document: not JSON → 415/400,
//! malformed → 400, wrong shape or unknown field → 422 naming the field, too large → 413.

use crate::error::{InvalidField, Problem};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// A parsed JSON body with its raw bytes (for idempotency hashing).
pub struct JsonBody<T> {
    /// The value.
    pub value: T,
    /// The bytes as received.
    pub raw: Bytes,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                // Media types are case-insensitive (RFC 9110 §8.3.1).
                let mime = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !json_type {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let raw = Bytes::from_request(req, state).await.map_err(|e| {
            let status = e.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(
                    status,
                    "payload-too-large",
                    "the request body is larger than the limit",
                )
            } else {
                Problem::bad_request(format!("could not read the body: {e}"))
            }
        })?;
        let value = parse(&raw)?;
        Ok(JsonBody { value, raw })
    }
}

/// Parses JSON, telling syntax errors (400) from shape errors (422 with the field path).
pub fn parse<T: DeserializeOwned>(raw: &[u8]) -> Result<T, Problem> {
    let de = &mut serde_json::Deserializer::from_slice(raw);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            Problem::invalid(vec![InvalidField {
                field: if path == "." { String::new() } else { path },
                reason: inner.to_string(),
            }])
        } else {
            Problem::bad_request(format!("the body is not valid JSON: {inner}"))
        }
    })?;
    de.end().map_err(|e| {
        Problem::bad_request(format!("the body has more after its JSON value: {e}"))
    })?;
    Ok(value)
}

/// Deserialises a JSON value (e.g. a record after a merge patch), naming the field that fails.
pub fn from_value<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, Vec<InvalidField>> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let field = e.path().to_string();
        vec![InvalidField {
            field: if field == "." { String::new() } else { field },
            reason: e.into_inner().to_string(),
        }]
    })
}
