//! The web pages served at `/`: server-rendered HTML (maud) for advisors, employer desks and
//! analysts. A thin shell like the API: every page that reads or writes data calls the same
//! handler the API route does, with a [`Ctx`] made from the browser session, so roles, scope
//! (404 outside it), validation and audit are the API's own. Forms carry a per-session CSRF
//! token; sessions live in [`session`].

mod advisor;
mod analyst;
mod desk;
pub mod i18n;
mod layout;
pub mod session;
mod sign_in;
mod vacancy_form;

use crate::auth::{caller_of, Ctx};
use crate::error::Problem;
use crate::state::AppState;
use crate::store::Role;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::CookieJar;
use i18n::{Lang, LANG_COOKIE};
use layout::{page, respond, Chrome};
use maud::html;
use session::{same_secret, SESSION_COOKIE};

/// The pages, to be merged beside the API.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/lang", get(sign_in::switch_lang))
        .route("/learners", get(advisor::search))
        .route("/learners/{id}", get(advisor::learner))
        .route("/learners/{id}/why", get(advisor::why))
        .route("/learners/{id}/proposals", post(advisor::propose))
        .route("/vacancies", get(desk::list).post(desk::create))
        .route("/vacancies/new", get(desk::new_form))
        .route("/vacancies/{id}", get(desk::show))
        .route(
            "/vacancies/{id}/edit",
            get(desk::edit_form).post(desk::update),
        )
        .route("/allocations", get(analyst::index).post(analyst::start))
        .route("/allocations/compare", get(analyst::compare))
        .route("/allocations/{id}", get(analyst::show))
        .layer(axum::middleware::map_response(no_store))
}

/// Pages hold personal data: no browser or proxy keeps them (Back after sign-out shows nothing).
async fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

/// A signed-in person on a page: the API context plus language, CSRF token and path.
pub struct Web {
    /// The same context an API call has (caller, route template for the audit).
    pub ctx: Ctx,
    /// Page language.
    pub lang: Lang,
    /// The session's CSRF token.
    pub csrf: String,
    /// Path and query of this page.
    pub path: String,
}

impl Web {
    /// The context of a form post carrying an idempotency key (a random value rendered into
    /// the form), so that a double submit is one write, as with the API's `Idempotency-Key`.
    pub fn form_ctx(&self, idem: &str) -> Ctx {
        let mut ctx = self.ctx.clone();
        let ok =
            !idem.is_empty() && idem.len() <= 64 && idem.bytes().all(|b| b.is_ascii_hexdigit());
        ctx.idempotency_key = ok.then(|| format!("web-{idem}"));
        ctx
    }

    /// The page shell's view of this person.
    pub fn chrome(&self) -> Chrome<'_> {
        Chrome {
            lang: self.lang,
            caller: Some(&self.ctx.caller),
            csrf: Some(&self.csrf),
            path: &self.path,
        }
    }

    /// A full page.
    pub fn page(&self, title: &str, body: maud::Markup) -> Response {
        respond(StatusCode::OK, page(&self.chrome(), title, body))
    }

    /// The 403 page, unless the person has one of `roles`.
    pub fn refuse_unless(&self, roles: &[Role]) -> Option<Response> {
        self.ctx.require(roles).err().map(|p| self.problem(p))
    }

    /// The 403 page for a form whose CSRF field does not match the session's.
    pub fn refuse_csrf(&self, sent: &str) -> Option<Response> {
        (!same_secret(sent, &self.csrf)).then(|| self.problem(csrf_problem()))
    }

    /// The error page of a problem.
    pub fn problem(&self, p: Problem) -> Response {
        problem_page(&self.chrome(), p)
    }
}

/// The problem of a form without a valid CSRF token.
pub fn csrf_problem() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "csrf",
        "this form did not come from this site or has expired; reload the page and try again",
    )
}

/// An HTML error page with the problem's status.
pub fn problem_page(c: &Chrome<'_>, p: Problem) -> Response {
    let l = c.lang;
    let title = match p.status {
        StatusCode::FORBIDDEN => l.t("Niet toegestaan", "Not allowed"),
        StatusCode::NOT_FOUND => l.t("Niet gevonden", "Not found"),
        StatusCode::TOO_MANY_REQUESTS => l.t("Even geduld", "Slow down"),
        StatusCode::UNPROCESSABLE_ENTITY => l.t("Controleer de invoer", "Check the input"),
        s if s.is_server_error() => l.t("Er ging iets mis", "Something went wrong"),
        _ => l.t("Dat lukte niet", "That did not work"),
    };
    let body = html! {
        h1 { (title) }
        div.problem role="alert" {
            p { (p.detail) }
            @if !p.errors.is_empty() {
                ul { @for e in &p.errors { li { code { (e.field) } ": " (e.reason) } } }
            }
        }
        p { a href="/" { (l.t("Naar het begin", "Back to the start")) } }
    };
    respond(p.status, page(c, title, body))
}

/// The language of a request (cookie; Dutch by default).
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    Lang::parse(
        CookieJar::from_headers(headers)
            .get(LANG_COOKIE)
            .map(|c| c.value()),
    )
}

/// Only paths on this site are followed after sign-in or a language switch.
pub fn local_path(p: Option<&str>) -> String {
    match p {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && p.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The live session a request's cookie names, if any (touching it).
pub fn session_of(state: &AppState, headers: &axum::http::HeaderMap) -> Option<session::Session> {
    CookieJar::from_headers(headers)
        .get(SESSION_COOKIE)
        .and_then(|c| state.sessions.get(c.value()))
}

impl FromRequestParts<AppState> for Web {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Web, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = lang_of(&parts.headers);
        // Only a page that can be opened again is a return address (after sign-in or a
        // language switch); a form's target is not.
        let path = if parts.method == axum::http::Method::GET {
            parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned()
        } else {
            "/".to_owned()
        };
        let to_sign_in =
            || Redirect::to(&format!("/sign-in?next={}", layout::urlencode(&path))).into_response();
        let Some(session) = session_of(state, &parts.headers) else {
            return Err(to_sign_in());
        };
        match caller_of(state, &session.token_hash).await {
            Ok(caller) => Ok(Web {
                ctx: Ctx::new(caller, parts, None),
                lang,
                csrf: session.csrf,
                path,
            }),
            // A revoked token ends the session.
            Err(p) if p.status == StatusCode::UNAUTHORIZED => {
                if let Some(c) = jar.get(SESSION_COOKIE) {
                    state.sessions.end(c.value());
                }
                Err(to_sign_in())
            }
            Err(p) => {
                let chrome = Chrome {
                    lang,
                    caller: None,
                    csrf: None,
                    path: &path,
                };
                Err(problem_page(&chrome, p))
            }
        }
    }
}

/// `/`: each role's start page, or the sign-in page.
async fn home(web: Result<Web, Response>) -> Response {
    match web {
        Ok(w) => match w.ctx.caller.role {
            Role::Advisor => Redirect::to("/learners").into_response(),
            Role::EmployerDesk => Redirect::to("/vacancies").into_response(),
            Role::Analyst => Redirect::to("/allocations").into_response(),
            Role::Admin => {
                let l = w.lang;
                w.page(
                    l.t("Beheer", "Administration"),
                    html! {
                        h1 { (l.t("Beheer", "Administration")) }
                        p { (l.t(
                            "Tokens, beleid en de arbeidsmarkttabel beheert u met `koppel token` en de API (PUT /v1/outlook).",
                            "Manage tokens, policies and the outlook table with `koppel token` and the API (PUT /v1/outlook)."
                        )) }
                    },
                )
            }
        },
        Err(_) => Redirect::to("/sign-in").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/learners?q=a")), "/learners?q=a");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil")), "/");
        assert_eq!(
            local_path(Some("/\t/evil.example")),
            "/",
            "browsers drop tabs"
        );
        assert_eq!(local_path(Some("/a\r\nSet-Cookie: x")), "/");
        assert_eq!(local_path(Some("/a b")), "/");
        assert_eq!(local_path(None), "/");
    }
}
