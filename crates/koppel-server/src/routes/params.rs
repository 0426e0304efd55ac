//! Path and header parameters as the OpenAPI document states them: optional headers are
//! `required: false` with a plain (non-nullable) string schema, and every parameter carries
//! the pattern and lengths the service checks (`auth.rs` for `Idempotency-Key`,
//! [`if_match`] for `If-Match`, the core's id rules for path ids).

use crate::error::Problem;
use axum::http::{header, HeaderMap};
use koppel_core::model::limits::{ID_PATTERN, MAX_ID};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Required;
use utoipa::IntoParams;

/// `Idempotency-Key`: 1–255 visible ASCII characters (0x21–0x7E).
pub const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]{1,255}$";

/// `If-Match` (RFC 9110 §13.1.1): `*`, or a comma-separated list of entity tags, each
/// optionally weak (`W/"v1"`), inside the double quotes visible ASCII but `"` and `,` (the
/// service's own tags are `"v1"`, `"v2"`, …).
pub const IF_MATCH_PATTERN: &str =
    r#"^(?:\*|(?:W/)?"[!#-+\--~]*"(?:[ \t]*,[ \t]*(?:W/)?"[!#-+\--~]*")*)$"#;

/// Longest `If-Match` value the service reads.
pub const MAX_IF_MATCH: usize = 1024;

fn string(pattern: &str, min: usize, max: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(Some(pattern))
}

fn param(name: &str, at: ParameterIn, required: bool, description: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(description))
}

fn path_id(name: &str, description: &str) -> Parameter {
    param(name, ParameterIn::Path, true, description)
        .schema(Some(string(ID_PATTERN, 1, MAX_ID)))
        .build()
}

/// `{id}` of a learner, placement or allocation job.
pub struct Id;

impl IntoParams for Id {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![path_id("id", "The record's id.")]
    }
}

/// `{placement_id}` of a pair explanation.
pub struct PlacementId;

impl IntoParams for PlacementId {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![path_id("placement_id", "The placement's id.")]
    }
}

/// The optional `Idempotency-Key` of a write.
pub struct IdempotencyKey;

impl IntoParams for IdempotencyKey {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![param(
            "Idempotency-Key",
            ParameterIn::Header,
            false,
            "Makes retries safe: a retry with the same key and the same request gets the first \
             answer and changes nothing; the same key with another request is refused (422 \
             `idempotency-key-reused`). Keys are per token; 1–255 visible ASCII characters \
             (0x21–0x7E), else 400.",
        )
        .schema(Some(string(IDEMPOTENCY_KEY_PATTERN, 1, 255)))
        .build()]
    }
}

fn if_match_param(required: bool, description: &str) -> Parameter {
    param("If-Match", ParameterIn::Header, required, description)
        .schema(Some(
            string(IF_MATCH_PATTERN, 1, MAX_IF_MATCH).examples(["\"v1\"", "*"]),
        ))
        .build()
}

/// The required `If-Match` of an update.
pub struct IfMatch;

impl IntoParams for IfMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![if_match_param(
            true,
            "The record's current ETag (from GET), a list of tags, or `*`; compared strongly \
             (a weak `W/\"v3\"` never matches). Missing → 428; stale → 412 with the current \
             `ETag`; malformed → 400.",
        )]
    }
}

/// The optional `If-Match` of a delete.
pub struct IfMatchOptional;

impl IntoParams for IfMatchOptional {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![if_match_param(
            false,
            "When sent, the record is deleted only in this version (stale → 412 with the \
             current `ETag`; malformed → 400).",
        )]
    }
}

/// The `If-Match` header, if sent; 400 unless it is `*` or a list of entity tags
/// ([`IF_MATCH_PATTERN`]).
pub fn if_match(h: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(v) = h.get(header::IF_MATCH) else {
        return Ok(None);
    };
    v.to_str()
        .ok()
        .filter(|v| is_if_match(v))
        .map(|v| Some(v.to_owned()))
        .ok_or_else(|| {
            Problem::bad_request(
                "If-Match must be `*` or a comma-separated list of entity tags such as \"v3\"",
            )
        })
}

/// Whether `v` matches [`IF_MATCH_PATTERN`] (and is at most [`MAX_IF_MATCH`] bytes).
pub fn is_if_match(v: &str) -> bool {
    let ows = |c: char| c == ' ' || c == '\t';
    let tag = |t: &str| {
        let t = t.strip_prefix("W/").unwrap_or(t);
        t.len() >= 2
            && t.starts_with('"')
            && t.ends_with('"')
            && t[1..t.len() - 1]
                .bytes()
                .all(|b| b == b'!' || ((b'#'..=b'~').contains(&b) && b != b','))
    };
    if v.is_empty() || v.len() > MAX_IF_MATCH || v.starts_with(ows) || v.ends_with(ows) {
        return false;
    }
    v == "*" || v.split(',').all(|t| tag(t.trim_matches(ows)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_if_match_check_is_the_pattern() {
        let re = regex::Regex::new(IF_MATCH_PATTERN).unwrap();
        let cases = [
            "*",
            "\"v1\"",
            "W/\"v1\"",
            "\"v9\", \"v2\"",
            "\"v9\",\t\"v2\"",
            "\"v1\",\"v2\",W/\"x\"",
            "\"\"",
            "",
            " \"v1\"",
            "\"v1\" ",
            "v1",
            "\"v1",
            "\"v\"1\"",
            "**",
            "*, \"v1\"",
            "\"v1\",",
            ",\"v1\"",
            "W/v1",
            "w/\"v1\"",
            "\"v 1\"",
            "\"v1\" , \"v2\"",
            "\"a,b\"",
            "\"a-b\"",
        ];
        for c in cases {
            assert_eq!(re.is_match(c), is_if_match(c), "{c:?}");
        }
    }
}
