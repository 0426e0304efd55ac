//! Who is calling: the bearer token becomes a [`Ctx`] (caller, route, idempotency key), and
//! roles are checked with [`Ctx::require`]. Unknown or revoked token → 401; wrong role → 403;
//! per-token rate limit → 429.

use crate::error::Problem;
use crate::gate::Identify;
use crate::state::AppState;
use crate::store::{sqlite::token_hash, Audit, Caller, Idem, Role, Scope};
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use sha2::{Digest, Sha256};

/// The authenticated context of a request.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Who.
    pub caller: Caller,
    /// `METHOD /route/{template}`, never the concrete path (which holds ids).
    pub route: String,
    /// `Idempotency-Key`, if sent.
    pub idempotency_key: Option<String>,
}

impl Ctx {
    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), Problem> {
        if roles.contains(&self.caller.role) {
            Ok(())
        } else {
            Err(Problem::forbidden(self.caller.role.as_str()))
        }
    }

    /// Audit context for an action.
    pub fn audit(&self, action: &'static str) -> Audit {
        Audit {
            token_id: self.caller.token_id,
            route: self.route.clone(),
            action,
        }
    }

    /// The idempotency key with a hash of this request's route, path and body.
    pub fn idem(&self, path: &str, body: &[u8]) -> Option<Idem> {
        self.idempotency_key.as_ref().map(|key| {
            let mut h = Sha256::new();
            h.update(self.route.as_bytes());
            h.update([0]);
            h.update(path.as_bytes());
            h.update([0]);
            h.update(body);
            Idem {
                key: key.clone(),
                request_hash: hex::encode(h.finalize()),
            }
        })
    }

    /// Learners an advisor may see: those of their regions.
    pub fn learner_scope(&self) -> Scope {
        Scope(Some(self.caller.regions.clone()))
    }

    /// Placements the caller may see: a desk its employers', others all.
    pub fn placement_scope(&self) -> Scope {
        match self.caller.role {
            Role::EmployerDesk => Scope(Some(self.caller.employers.clone())),
            _ => Scope::all(),
        }
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Ctx, Problem> {
        let hash = the_bearer(parts)?.map(token_hash).ok_or_else(|| {
            Problem::unauthorized(
                "send an API token as `Authorization: Bearer <token>` (create one with `koppel token create`)",
            )
        })?;
        // The admission layer has looked the token up already (see `Identify`).
        let caller = match parts.extensions.remove::<Looked>() {
            Some(Looked(Some(caller))) => within_rate(state, caller)?,
            Some(Looked(None)) => return Err(unknown_token()),
            None => caller_of(state, &hash).await?,
        };
        Ok(Ctx::new(caller, parts, idempotency_key(parts)?))
    }
}

/// The token of a request's one `Authorization` header, if any. More than one header is a
/// 400: which of them counts would be a guess, and proxies and servers guess differently.
fn the_bearer(parts: &Parts) -> Result<Option<&str>, Problem> {
    let mut values = parts.headers.get_all(header::AUTHORIZATION).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(Problem::bad_request(
            "send one Authorization header, not several",
        ));
    }
    Ok(first.and_then(|v| v.to_str().ok()).and_then(bearer))
}

/// What the admission layer found for a request's bearer token: its caller, or `None` for an
/// unknown or revoked token.
#[derive(Clone)]
struct Looked(Option<Caller>);

#[async_trait::async_trait]
impl Identify for AppState {
    /// A request is a known caller's when its one bearer token, or its session cookie, belongs
    /// to a token that is not revoked.
    async fn identify(&self, parts: &mut Parts) -> bool {
        if let Ok(Some(token)) = the_bearer(parts) {
            let found = self.tokens.caller(&*self.store, &token_hash(token)).await;
            let Ok(caller) = found else { return false };
            let known = caller.is_some();
            parts.extensions.insert(Looked(caller));
            return known;
        }
        let Some(session) = crate::web::session_of(self, &parts.headers) else {
            return false;
        };
        matches!(
            self.tokens.caller(&*self.store, &session.token_hash).await,
            Ok(Some(_))
        )
    }
}

fn unknown_token() -> Problem {
    Problem::unauthorized("the token is unknown or revoked")
}

impl Ctx {
    /// The context of a request by a known caller.
    pub fn new(caller: Caller, parts: &Parts, idempotency_key: Option<String>) -> Ctx {
        let template = parts
            .extensions
            .get::<MatchedPath>()
            .map_or("?", |p| p.as_str());
        Ctx {
            caller,
            route: format!("{} {template}", parts.method),
            idempotency_key,
        }
    }
}

/// The caller of a token hash, within its rate limit: 401 for an unknown or revoked token, 429
/// over the limit. Shared by API tokens and browser sessions.
pub async fn caller_of(state: &AppState, token_hash: &str) -> Result<Caller, Problem> {
    let caller = state
        .tokens
        .caller(&*state.store, token_hash)
        .await?
        .ok_or_else(unknown_token)?;
    within_rate(state, caller)
}

/// The caller, unless its token is over its rate limit (429).
fn within_rate(state: &AppState, caller: Caller) -> Result<Caller, Problem> {
    if state.limiter.check_key(&caller.token_id).is_err() {
        return Err(Problem {
            retry_after: Some(1),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "too many requests for this token; slow down",
            )
        });
    }
    Ok(caller)
}

/// The `Idempotency-Key` header, if sent and well-formed.
fn idempotency_key(parts: &Parts) -> Result<Option<String>, Problem> {
    match parts.headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            // Exactly what the OpenAPI document states: 1-255 visible ASCII characters
            // (0x21-0x7E), so no spaces, tabs or other bytes.
            let visible =
                |k: &&str| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic());
            let k = v.to_str().ok().filter(visible);
            Ok(Some(
                k.ok_or_else(|| {
                    Problem::bad_request("Idempotency-Key must be 1-255 visible ASCII characters")
                })?
                .to_owned(),
            ))
        }
    }
}
/// The token of an `Authorization` value; the scheme name is case-insensitive (RFC 9110 §11.1).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn the_scheme_is_case_insensitive_and_the_token_required() {
        assert_eq!(bearer("Bearer kpl_1"), Some("kpl_1"));
        assert_eq!(bearer("bearer  kpl_1 "), Some("kpl_1"));
        assert_eq!(bearer("BEARER kpl_1"), Some("kpl_1"));
        assert_eq!(bearer("Basic kpl_1"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Bearerkpl_1"), None);
    }
}
