//! The OpenAPI document as clients get it: what utoipa generates from the route attributes
//! and record types, completed with what is the same for every route (security, the problem
//! responses every route can give, response headers), what JSON Schema can say about a whole
//! record but a field attribute cannot (`level_min ≤ level_max`, an mbo student's
//! qualification and its level, each support kind once), the merge-patch bodies of updates, and, for a
//! running service, the codes of its reference tables as enums.
//!
//! Built as JSON: utoipa's model has no place for some of these keywords (`required` of a
//! header, `maxContains`, `description` beside a `$ref`).
//!
//! What JSON Schema cannot say is in the descriptions, and `tests/schemathesis.sh` applies
//! exactly those rules to the data it generates: `birth_date` before `earliest_start`,
//! `filled ≤ capacity`, one outlook row per sector × region, a policy that is valid TOML, and
//! what depends on stored state (an id not taken, the current ETag, the record a patch is
//! merged into, an idempotency key not used for another request).

use crate::error::TYPE_BASE;
use koppel_core::Reference;
use serde_json::{json, Map, Value};

mod rules;

pub use rules::MAX_ENUM;
use rules::{describe, records, reference_codes};

/// A problem response of the document.
struct ProblemResponse(
    /// Status.
    u16,
    /// Component name (`components.responses`; its schema is `{name}Problem`).
    &'static str,
    /// What it means.
    &'static str,
    /// Its problem types (slugs after [`TYPE_BASE`]).
    &'static [&'static str],
    /// Headers it carries besides `X-Request-Id`.
    &'static [&'static str],
);

/// The problem responses.
const PROBLEMS: &[ProblemResponse] = &[
    ProblemResponse(400, "BadRequest", "The request could not be read: malformed JSON, a query parameter of the wrong type, a malformed `Idempotency-Key` or `If-Match` header, more than one `Authorization` header, or not HTTP at all.", &["bad-request"], &[]),
    ProblemResponse(401, "Unauthorized", "No token, or one that is unknown or revoked.", &["unauthorized"], &["WWW-Authenticate"]),
    ProblemResponse(403, "Forbidden", "The token's role may not use this route (checked before the body is read).", &["forbidden"], &[]),
    ProblemResponse(404, "NotFound", "No such record, or one outside the caller's scope (the two are not told apart).", &["not-found"], &[]),
    ProblemResponse(408, "RequestTimeout", "The body did not arrive in time: within the read deadline (`--read-timeout`, 5 s) for a caller without a valid token or session, within the request timeout for others. The connection is closed.", &["request-timeout"], &[]),
    ProblemResponse(409, "Conflict", "A record with this id exists already.", &["conflict"], &[]),
    ProblemResponse(410, "Gone", "A retry (same Idempotency-Key) of a request about a learner who has since been erased; it was not repeated.", &["erased"], &[]),
    ProblemResponse(412, "PreconditionFailed", "`If-Match` does not name the record's current version; the current one is in `ETag`.", &["precondition-failed"], &["ETag"]),
    ProblemResponse(413, "PayloadTooLarge", "The body is larger than the service's limit (1 MiB by default).", &["payload-too-large"], &[]),
    ProblemResponse(414, "UriTooLong", "The URL is longer than 64 KiB.", &["uri-too-long"], &[]),
    ProblemResponse(415, "UnsupportedMediaType", "The body is not sent as JSON (`application/json` or another `+json` type).", &["unsupported-media-type"], &[]),
    ProblemResponse(422, "Unprocessable", "Well-formed but invalid: every invalid field in `errors` (`validation`), or an `Idempotency-Key` used before for another request (`idempotency-key-reused`).", &["validation", "idempotency-key-reused"], &[]),
    ProblemResponse(428, "PreconditionRequired", "An update without `If-Match`: read the record first and send its ETag.", &["precondition-required"], &[]),
    ProblemResponse(429, "TooManyRequests", "Over the token's rate limit, or, without a valid token, more than 8 requests at once from one address (`rate-limited`), or 8 allocations queued or running (`too-many-jobs`); retry after `Retry-After` seconds.", &["rate-limited", "too-many-jobs"], &["Retry-After"]),
    ProblemResponse(431, "HeadersTooLarge", "The request's header fields are larger than the service accepts.", &["headers-too-large"], &[]),
    ProblemResponse(500, "Internal", "The service failed; nothing was changed. The cause is logged, never sent.", &["internal"], &[]),
    ProblemResponse(503, "Unavailable", "At the concurrency limit (`overloaded`, also when the database or the matching engine does not answer in time), or a request over the time limit (`timeout`); retry after `Retry-After` seconds.", &["overloaded", "timeout"], &["Retry-After"]),
];

/// The document: the generated one completed; with `refs`, also the codes of the service's
/// reference tables.
pub fn document(generated: Value, refs: Option<&Reference>) -> Value {
    let mut doc = generated;
    if let Some(o) = doc.as_object_mut() {
        // Security is stated per operation.
        o.remove("security");
    }
    components(&mut doc);
    operations(&mut doc);
    records(&mut doc);
    if let Some(refs) = refs {
        reference_codes(&mut doc, refs);
    }
    // Last, so that the patches have every constraint of the records, enums included.
    patches(&mut doc);
    doc
}

fn components(doc: &mut Value) {
    let headers = json!({
        "X-Request-Id": {
            "description": "The request's id, as logged: the client's own `X-Request-Id` if it sent one of 1–64 letters, digits and hyphens, else one the service made.",
            "required": true,
            "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9-]{1,64}$"}
        },
        "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "required": true,
            "schema": {"type": "integer", "minimum": 0}
        },
        "ETag": {
            "description": "The record's current version, e.g. `\"v3\"`; send it in `If-Match` to update.",
            "required": true,
            "schema": {"type": "string", "pattern": "^\"v[0-9]+\"$"}
        },
        "Location": {
            "description": "Path of the created resource.",
            "required": true,
            "schema": {"type": "string", "format": "uri-reference"}
        },
        "WWW-Authenticate": {
            "description": "The scheme to use: `Bearer realm=\"koppel\"`.",
            "required": true,
            "schema": {"type": "string"}
        }
    });
    let mut responses = Map::new();
    let mut problems = Map::new();
    for &ProblemResponse(status, name, description, slugs, extra) in PROBLEMS {
        let mut h = Map::new();
        // Admission (a budget full, a body too slow, too large or from an address with too many
        // requests) and hyper's own answers to what is not HTTP come before a request is given
        // an id.
        h.insert(
            "X-Request-Id".into(),
            if [400, 408, 413, 414, 429, 431, 503].contains(&status) {
                json!({"description": "The request's id; absent when the request was refused before it was admitted (a full budget, a body too slow or too large, too many requests without a token from one address, a request hyper could not parse).",
                       "required": false,
                       "schema": {"type": "string", "maxLength": 64}})
            } else {
                header_ref("X-Request-Id")
            },
        );
        for &e in extra {
            h.insert(e.into(), header_ref(e));
        }
        let types: Vec<String> = slugs.iter().map(|s| format!("{TYPE_BASE}{s}")).collect();
        let schema = format!("{name}Problem");
        problems.insert(
            schema.clone(),
            json!({
                "description": format!("A problem document of a {status} answer."),
                "allOf": [
                    {"$ref": "#/components/schemas/ProblemBody"},
                    {"type": "object", "properties": {"type": {"enum": types}}}
                ]
            }),
        );
        responses.insert(
            name.into(),
            json!({
                "description": description,
                "headers": h,
                "content": {"application/problem+json": {"schema": {
                    "$ref": format!("#/components/schemas/{schema}")
                }}}
            }),
        );
    }
    let c = doc["components"].as_object_mut().expect("components");
    c.insert("headers".into(), headers);
    c.insert("responses".into(), Value::Object(responses));
    let schemas = c["schemas"].as_object_mut().expect("schemas");
    schemas.extend(problems);
}

/// The response headers of `components.headers`; a route names them in its attribute and
/// gets the shared definition.
const HEADERS: &[&str] = &[
    "X-Request-Id",
    "Retry-After",
    "ETag",
    "Location",
    "WWW-Authenticate",
];

fn header_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/headers/{name}")})
}

fn problem_name(status: u16) -> Option<&'static str> {
    PROBLEMS.iter().find(|p| p.0 == status).map(|p| p.1)
}

/// Per operation: security, the problem responses every route can give, `X-Request-Id` on
/// every answer, problem responses by reference.
fn operations(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            // `security(())` in an attribute (health, this document) means: no token.
            let public = op
                .get("security")
                .is_some_and(|s| s == &json!([{}]) || s == &json!([]));
            op.insert(
                "security".into(),
                if public {
                    json!([])
                } else {
                    json!([{"bearer": []}])
                },
            );
            // utoipa-axum also adds the path parameters it reads from the handler's `Path`
            // extractor, bare; the route's own (with pattern and description) come first.
            if let Some(Value::Array(params)) = op.get_mut("parameters") {
                let mut seen = std::collections::HashSet::new();
                params.retain(|p| seen.insert((p["name"].to_string(), p["in"].to_string())));
            }
            let responses = op
                .entry("responses")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("responses");
            let always: &[u16] = if public {
                &[414, 431, 500, 503]
            } else {
                &[400, 401, 408, 414, 429, 431, 500, 503]
            };
            for status in always {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| json!({}));
            }
            for (status, r) in responses.iter_mut() {
                let code = status.parse::<u16>().unwrap_or(0);
                if let Some(name) = problem_name(code) {
                    let description = r["description"].as_str().unwrap_or_default().to_owned();
                    let mut reference = json!({"$ref": format!("#/components/responses/{name}")});
                    if !description.is_empty() {
                        reference["description"] = description.into();
                    }
                    *r = reference;
                } else {
                    let headers = r
                        .as_object_mut()
                        .expect("response")
                        .entry("headers")
                        .or_insert_with(|| json!({}));
                    for (name, h) in headers.as_object_mut().expect("headers").iter_mut() {
                        if HEADERS.contains(&name.as_str()) {
                            *h = header_ref(name);
                        } else {
                            h["required"] = true.into();
                        }
                    }
                    headers["X-Request-Id"] = header_ref("X-Request-Id");
                }
            }
            // Sorted by status, as a reader expects.
            let mut sorted: Vec<(String, Value)> = std::mem::take(responses).into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            responses.extend(sorted);
        }
    }
}

/// `LearnerPatch` and `PlacementPatch`: a JSON merge patch (RFC 7396) of the record, every
/// property optional, `null` allowed where it removes a field (one with a default), as the
/// bodies of the updates.
fn patches(doc: &mut Value) {
    for (record, patch, op) in [
        ("LearnerRecord", "LearnerPatch", "learners_update"),
        ("PlacementRecord", "PlacementPatch", "placements_update"),
    ] {
        let full = doc["components"]["schemas"][record].clone();
        let required: Vec<&str> = full["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut props = full["properties"].as_object().cloned().unwrap_or_default();
        for (name, p) in props.iter_mut() {
            if name == "id" {
                describe(
                    p,
                    "If sent, must be the id in the path: an id cannot change.",
                );
            } else if !required.contains(&name.as_str()) {
                nullable(p);
                describe(p, "`null` removes the field (it takes its default).");
            }
        }
        doc["components"]["schemas"][patch] = json!({
            "type": "object",
            "description": format!(
                "A JSON merge patch (RFC 7396) of a {record}: the fields to change, every one \
                 optional; `null` removes an optional field. The record after the patch must be \
                 valid as a whole (422 naming the field)."
            ),
            "properties": props,
            "additionalProperties": false
        });
        let body = json!({
            "description": "The fields to change.",
            "required": true,
            "content": {
                "application/merge-patch+json": {"schema": {"$ref": format!("#/components/schemas/{patch}")}},
                "application/json": {"schema": {"$ref": format!("#/components/schemas/{patch}")}}
            }
        });
        for item in doc["paths"]
            .as_object_mut()
            .into_iter()
            .flat_map(|p| p.values_mut())
        {
            for o in item
                .as_object_mut()
                .into_iter()
                .flat_map(|i| i.values_mut())
            {
                if o["operationId"] == op {
                    o["requestBody"] = body.clone();
                }
            }
        }
    }
}

/// Lets a property schema be `null` too.
fn nullable(p: &mut Value) {
    let null = json!({"type": "null"});
    if p["anyOf"].as_array().is_some_and(|a| a.contains(&null)) {
        return;
    }
    match &mut p["type"] {
        Value::String(t) => {
            let t = std::mem::take(t);
            p["type"] = json!([t, "null"]);
        }
        Value::Array(types) if !types.contains(&"null".into()) => types.push("null".into()),
        Value::Array(_) => {}
        _ => {
            // A `$ref` (or another schema without a type): either it or null.
            let inner = std::mem::take(p);
            let description = inner.get("description").cloned();
            *p = json!({"anyOf": [inner, null]});
            if let Some(d) = description {
                p["description"] = d;
            }
        }
    }
    if let Some(values) = p.get_mut("enum").and_then(Value::as_array_mut) {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
}
