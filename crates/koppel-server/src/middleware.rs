//! Service-wide layers: security headers on every answer, request ids and access logs, panic
//! recovery, and the rewrite of every non-problem error response into
//! `application/problem+json`. Admission (concurrency budgets, timeouts, body deadlines) is
//! [`crate::gate`].

use crate::error::{Problem, PROBLEM_JSON};
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Headers every answer carries: no MIME sniffing, no framing, no referrer sent on.
pub const SECURITY_HEADERS: [(&str, &str); 3] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
];

/// Content security policy of the web pages: no scripts at all, styles only inline (the pages
/// carry their stylesheet and the score bars' widths), forms only to this site, never framed.
pub const CSP_PAGES: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Content security policy of everything else (JSON, problem documents): nothing may load.
pub const CSP_DATA: &str = "default-src 'none'; frame-ancestors 'none'";

/// The outermost layer: [`SECURITY_HEADERS`] and a content security policy on every answer,
/// shed and timed-out ones included.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let h = res.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        h.insert(name, HeaderValue::from_static(value));
    }
    let csp = if html { CSP_PAGES } else { CSP_DATA };
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    res
}

/// The route template of a matched request, passed out to the access log.
#[derive(Clone)]
pub struct RouteTag(pub String);

/// Per-route layer: tags the response with the route template.
pub async fn tag_route(req: Request, next: Next) -> Response {
    let tag = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| RouteTag(p.as_str().to_owned()));
    let mut res = next.run(req).await;
    if let Some(t) = tag {
        res.extensions_mut().insert(t);
    }
    res
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

/// Gives each request an id (`X-Request-Id`, echoed back) and logs route template, status and
/// latency. Never logs the concrete path, query, headers or bodies, which can hold personal data.
pub async fn access_log(req: Request, next: Next) -> Response {
    let id = match req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
            v.to_owned()
        }
        _ => format!("r{}", REQUEST_IDS.fetch_add(1, Ordering::Relaxed)),
    };
    let method = req.method().clone();
    let started = Instant::now();
    let mut res = next.run(req).await;
    let route = res
        .extensions()
        .get::<RouteTag>()
        .map_or("(unmatched)", |t| t.0.as_str())
        .to_owned();
    let status = res.status().as_u16();
    let latency_us = started.elapsed().as_micros() as u64;
    tracing::info!(request_id = %id, %method, %route, status, latency_us, "request");
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// Turns any error response that is not already a problem document (unknown route, wrong
/// method, rejections from layers) into one, keeping its status.
pub async fn problem_bodies(req: Request, next: Next) -> Response {
    let html = wants_html(&req);
    let res = next.run(req).await;
    if html && (res.status().is_client_error() || res.status().is_server_error()) {
        return html_error(res).await;
    }
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    // The web pages answer errors with their own HTML pages.
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem || is_page {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let (slug, detail) = match status {
        StatusCode::NOT_FOUND => ("not-found", "no such route; see /openapi.json".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method-not-allowed",
            "this route does not take that method; see /openapi.json".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload-too-large",
            "the request body is larger than the limit".to_owned(),
        ),
        s if s.is_server_error() => (
            "internal",
            "the server failed to handle this request".to_owned(),
        ),
        _ if text.trim().is_empty() => (
            "bad-request",
            status
                .canonical_reason()
                .unwrap_or("bad request")
                .to_owned(),
        ),
        _ => ("bad-request", text.trim().to_owned()),
    };
    let mut out = Problem::new(status, slug, detail).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// A browser opening a page (not the API): its errors are answered as HTML.
pub(crate) fn wants_html(req: &Request) -> bool {
    let path = req.uri().path();
    !path.starts_with("/v1/")
        && path != "/openapi.json"
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
}

/// An error for a browser: pages' own HTML errors pass; anything else (unknown page, a form
/// that does not parse, timeout, panic) becomes a small HTML page with the same status.
async fn html_error(res: Response) -> Response {
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_page {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&bytes).trim().to_owned());
    let status = parts.status;
    let page = maud::html! {
        (maud::DOCTYPE)
        html lang="nl" {
            head { meta charset="utf-8"; title { (status.as_u16()) " · Koppel" } }
            body {
                h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
                @if !detail.is_empty() { p { (detail) } }
                p { a href="/" { "Koppel" } }
            }
        }
    };
    let mut out = (status, axum::response::Html(page.into_string())).into_response();
    if let Some(v) = parts.headers.get(header::RETRY_AFTER) {
        out.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
    out
}

/// A panic in a handler becomes a 500 problem; the service keeps serving.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("a handler panicked; answered 500");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the server failed to handle this request",
    )
    .into_response()
}
