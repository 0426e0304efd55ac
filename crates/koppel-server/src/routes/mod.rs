//! The `/v1` routes: small handlers that check role and scope, call the store or engine, and
//! shape the response. The router and the OpenAPI document come from one list (utoipa-axum),
//! so a route cannot exist without its documentation, and tests walk that same list.

pub(crate) mod allocations;
pub mod contract;
mod health;
pub(crate) mod learners;
pub(crate) mod matches;
mod outlook;
pub mod params;
pub(crate) mod placements;
pub(crate) mod records;

use crate::error::{InvalidField, Problem, ProblemBody};
use crate::state::AppState;
use crate::store::{Row, WriteResult};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use koppel_core::record::SupportNeedRecord;
use koppel_core::SupportKind;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The OpenAPI document's fixed parts.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Koppel",
        description = "Explainable matching of young learners to internships, learn-work jobs and Banenafspraak jobs.",
        license(name = "EUPL-1.2"),
    ),
    components(schemas(ProblemBody, InvalidField, SupportKind, SupportNeedRecord)),
    modifiers(&BearerAuth),
    tags(
        (name = "learners", description = "Advisors: learners of their regions"),
        (name = "placements", description = "Employer desks: their vacancies"),
        (name = "matching", description = "Matches, explanations and anonymised candidates"),
        (name = "outlook", description = "Sector outlook table"),
        (name = "allocations", description = "Analysts: cohort allocations"),
        (name = "service", description = "Health and this document"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// All routes with their documentation.
pub fn api() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(learners::list, learners::create))
        .routes(routes!(
            learners::get_one,
            learners::update,
            learners::erase
        ))
        .routes(routes!(learners::propose))
        .routes(routes!(learners::outcome))
        .routes(routes!(matches::matches))
        .routes(routes!(matches::explain_pair))
        .routes(routes!(placements::list, placements::create))
        .routes(routes!(
            placements::get_one,
            placements::update,
            placements::close
        ))
        .routes(routes!(placements::candidates))
        .routes(routes!(outlook::get_outlook, outlook::put_outlook))
        .routes(routes!(allocations::start))
        .routes(routes!(allocations::status))
        .routes(routes!(allocations::assignments))
        .routes(routes!(health::health))
        .routes(routes!(health::openapi_v1));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/v1", v1)
        .routes(routes!(health::openapi_root))
}

/// The OpenAPI document, without the codes of any reference tables: the contract of every
/// deployment (`docs/openapi.json` holds it).
pub fn openapi() -> serde_json::Value {
    openapi_for(None)
}

/// The OpenAPI document; with `refs`, the codes of those reference tables as enums (what a
/// running service serves at `GET /openapi.json`).
pub fn openapi_for(refs: Option<&koppel_core::Reference>) -> serde_json::Value {
    let generated = serde_json::to_value(api().split_for_parts().1).unwrap_or_default();
    contract::document(generated, refs)
}

/// [`openapi`] as pretty JSON (what `docs/openapi.json` holds).
pub fn openapi_json() -> String {
    openapi_json_for(None)
}

/// [`openapi_for`] as pretty JSON.
pub fn openapi_json_for(refs: Option<&koppel_core::Reference>) -> String {
    serde_json::to_string_pretty(&openapi_for(refs))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Pagination parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size (default 100, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[param(schema_with = cursor_schema)]
    pub cursor: Option<String>,
}

/// A cursor: unpadded URL-safe base64 (`A–Z a–z 0–9 - _`) of any length but 0, 1, 5, 9, …
/// (lengths that are 1 mod 4 encode nothing), at most [`MAX_CURSOR`] characters. Every such
/// string is a cursor, a page start after some key; the service issues the ones after an id.
pub const CURSOR_PATTERN: &str = "^(?:[A-Za-z0-9_-]{4})*[A-Za-z0-9_-]{2,4}$";

/// Longest cursor (the base64 of a 64-character id is 86 characters).
pub const MAX_CURSOR: usize = 88;

fn cursor_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(
            "Opaque cursor from the previous page's `next_cursor`; any other value is 422.",
        ))
        .min_length(Some(2))
        .max_length(Some(MAX_CURSOR))
        .pattern(Some(CURSOR_PATTERN))
        .build()
}

/// Base64 as cursors are written: URL-safe, unpadded, and lenient about the unused low bits
/// of the last character, so that every string of [`CURSOR_PATTERN`] decodes.
const CURSOR_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

impl PageParams {
    /// Page size after defaults and the cap.
    pub fn size(&self, max: u32) -> Result<u32, Problem> {
        match self.limit {
            Some(0) => Err(Problem::invalid_field("limit", "must be at least 1")),
            Some(n) if n > max => Err(Problem::invalid_field(
                "limit",
                format!("at most {max} per page; follow `next_cursor` for more"),
            )),
            Some(n) => Ok(n),
            None => Ok(100.min(max)),
        }
    }

    /// The key after which the page starts. Every cursor of [`CURSOR_PATTERN`] is one (ids
    /// are ASCII, so a key that is not UTF-8 is read lossily: the page still starts at a
    /// fixed place in id order); anything else is 422.
    pub fn after(&self) -> Result<Option<String>, Problem> {
        self.cursor
            .as_deref()
            .map(|c| {
                (c.len() >= 2 && c.len() <= MAX_CURSOR)
                    .then(|| CURSOR_BASE64.decode(c).ok())
                    .flatten()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .ok_or_else(|| {
                        Problem::invalid_field("cursor", "not a cursor this service issued")
                    })
            })
            .transpose()
    }
}

/// A page of items.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// Items in id order.
    pub items: Vec<T>,
    /// Cursor of the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// Makes a page from rows fetched with `limit + 1`.
pub fn page<T>(mut items: Vec<T>, limit: u32, id: impl Fn(&T) -> &str) -> Page<T> {
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|l| CURSOR_BASE64.encode(id(l)))
    } else {
        None
    };
    Page { items, next_cursor }
}

/// A stored write result as a response.
pub fn written(r: WriteResult) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    let mut res = if r.body.is_null() {
        status.into_response()
    } else {
        (status, axum::Json(r.body)).into_response()
    };
    set_header(res.headers_mut(), header::ETAG, r.etag.as_deref());
    set_header(res.headers_mut(), header::LOCATION, r.location.as_deref());
    if status.is_client_error() {
        set_header(
            res.headers_mut(),
            header::CONTENT_TYPE,
            Some(crate::error::PROBLEM_JSON),
        );
    }
    res
}

/// A record with its ETag.
pub fn with_etag(row: Row) -> Response {
    let mut res = axum::Json(row.body.clone()).into_response();
    set_header(res.headers_mut(), header::ETAG, Some(&row.etag()));
    res
}

fn set_header(h: &mut HeaderMap, name: header::HeaderName, v: Option<&str>) {
    if let Some(v) = v.and_then(|v| HeaderValue::from_str(v).ok()) {
        h.insert(name, v);
    }
}

/// Converts core field errors to API ones.
pub fn fields(errors: Vec<koppel_core::FieldError>) -> Vec<InvalidField> {
    errors
        .into_iter()
        .map(|e| InvalidField {
            field: e.field.to_owned(),
            reason: e.reason,
        })
        .collect()
}

/// The `k` query parameter, checked.
pub fn check_k(k: Option<usize>, default: usize, max: usize) -> Result<usize, Problem> {
    match k.unwrap_or(default) {
        0 => Err(Problem::invalid_field("k", "must be at least 1")),
        k if k > max => Err(Problem::invalid_field(
            "k",
            format!("must be at most {max}"),
        )),
        k => Ok(k),
    }
}

/// Page size and start, checked.
pub fn check_page(p: &PageParams, max: u32) -> Result<(u32, Option<String>), Problem> {
    Ok((p.size(max)?, p.after()?))
}

/// The engine's snapshot once it includes every change `need` asks for (waits at most 10 s,
/// else 503), so that an answer shows every write acknowledged before the request came.
pub async fn fresh(
    s: &AppState,
    need: crate::engine::Need<'_>,
) -> Result<std::sync::Arc<crate::engine::Snapshot>, Problem> {
    s.engine
        .fresh(need, std::time::Duration::from_secs(10))
        .await
        .map_err(|e| Problem::unavailable(e.to_string(), 1))
}
