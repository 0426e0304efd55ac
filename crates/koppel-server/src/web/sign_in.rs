//! Sign-in with an API token, sign-out, and the language switch. The sign-in form is protected
//! against login CSRF by a double-submit value (a SameSite=Strict cookie echoed in the form).

use super::i18n::{Lang, LANG_COOKIE};
use super::layout::{page, respond, Chrome};
use super::session::{random_hex, same_secret, strict_cookie, PRE_COOKIE, SESSION_COOKIE};
use super::{csrf_problem, lang_of, local_path, problem_page, Web};
use crate::auth::caller_of;
use crate::error::Problem;
use crate::state::AppState;
use crate::store::sqlite::token_hash;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::Cookie;
use axum_extra::extract::CookieJar;
use maud::html;
use serde::Deserialize;

/// Query of the sign-in page.
#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignIn {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

fn chrome(lang: Lang) -> Chrome<'static> {
    Chrome {
        lang,
        caller: None,
        csrf: None,
        path: "/sign-in",
    }
}

fn render(lang: Lang, pre: &str, next: &str, error: Option<&str>) -> maud::Markup {
    let l = lang;
    page(
        &chrome(lang),
        l.t("Aanmelden", "Sign in"),
        html! {
            h1 { (l.t("Aanmelden", "Sign in")) }
            p.muted { (l.t(
                "Meld u aan met het API-token dat uw beheerder voor u aanmaakte (koppel token create).",
                "Sign in with the API token your administrator created for you (koppel token create)."
            )) }
            form method="post" action="/sign-in" {
                input type="hidden" name="csrf" value=(pre);
                input type="hidden" name="next" value=(next);
                label for="token" { (l.t("Token", "Token")) }
                input #token type="password" name="token" autocomplete="off" required
                    aria-describedby=[error.map(|_| "token-error")]
                    aria-invalid=[error.map(|_| "true")];
                @if let Some(e) = error {
                    p #token-error .field-error role="alert" { (e) }
                }
                div { button type="submit" { (l.t("Aanmelden", "Sign in")) } }
            }
        },
    )
}

/// `GET /sign-in`.
pub async fn form(headers: HeaderMap, Query(q): Query<Next>, jar: CookieJar) -> Response {
    let lang = lang_of(&headers);
    let pre = random_hex(16);
    let next = local_path(q.next.as_deref());
    let jar = jar.add(strict_cookie(PRE_COOKIE, pre.clone()));
    (
        jar,
        respond(StatusCode::OK, render(lang, &pre, &next, None)),
    )
        .into_response()
}

/// `POST /sign-in`: a valid token starts a session.
pub async fn submit(
    State(s): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<SignIn>,
) -> Response {
    let lang = lang_of(&headers);
    let pre_ok = jar
        .get(PRE_COOKIE)
        .is_some_and(|c| same_secret(c.value(), &f.csrf));
    if !pre_ok {
        return problem_page(&chrome(lang), csrf_problem());
    }
    let hash = token_hash(f.token.trim());
    match caller_of(&s, &hash).await {
        Ok(_) => {
            // A new sign-in replaces the browser's earlier session (no fixation, no leftovers).
            if let Some(old) = jar.get(SESSION_COOKIE) {
                s.sessions.end(old.value());
            }
            let Some(id) = s.sessions.start(hash) else {
                return problem_page(
                    &chrome(lang),
                    Problem::unavailable(
                        "too many people are signed in right now; try again in a few minutes",
                        60,
                    ),
                );
            };
            let jar = jar
                .remove(Cookie::build(PRE_COOKIE).path("/"))
                .add(strict_cookie(SESSION_COOKIE, id));
            (jar, Redirect::to(&local_path(Some(&f.next)))).into_response()
        }
        Err(p) if p.status == StatusCode::UNAUTHORIZED => {
            let l = lang;
            let msg = l.t(
                "Dit token is onbekend of ingetrokken.",
                "This token is unknown or revoked.",
            );
            respond(
                StatusCode::UNAUTHORIZED,
                render(lang, &f.csrf, &local_path(Some(&f.next)), Some(msg)),
            )
        }
        Err(p) => problem_page(&chrome(lang), p),
    }
}

/// The sign-out form.
#[derive(Deserialize)]
pub struct SignOut {
    #[serde(default)]
    csrf: String,
}

/// `POST /sign-out`.
pub async fn sign_out(
    State(s): State<AppState>,
    w: Web,
    jar: CookieJar,
    Form(f): Form<SignOut>,
) -> Response {
    if let Some(r) = w.refuse_csrf(&f.csrf) {
        return r;
    }
    if let Some(c) = jar.get(SESSION_COOKIE) {
        s.sessions.end(c.value());
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/sign-in")).into_response()
}

/// Query of the language switch.
#[derive(Deserialize)]
pub struct Switch {
    to: Option<String>,
    back: Option<String>,
}

/// `GET /lang?to=en&back=/path`: a preference, not a change of data, so no CSRF token.
pub async fn switch_lang(jar: CookieJar, Query(q): Query<Switch>) -> Response {
    let lang = Lang::parse(q.to.as_deref());
    let mut c = Cookie::new(LANG_COOKIE, lang.code());
    c.set_path("/");
    c.set_same_site(axum_extra::extract::cookie::SameSite::Lax);
    (jar.add(c), Redirect::to(&local_path(q.back.as_deref()))).into_response()
}
