//! Analyst pages: start an allocation (mode, k, policy), watch its progress, read its fairness
//! report, and compare two allocations side by side. Jobs start and are read through the API's
//! handlers; the report is the same one `koppel report` writes (crate `koppel-report`).

use super::layout::{head_row, urlencode};
use super::Web;
use crate::body::JsonBody;
use crate::error::Problem;
use crate::routes::allocations::{self, AllocationRequest, AllocationStatus};
use crate::state::AppState;
use crate::store::Role;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use koppel_core::allocate::report::Summary;
use koppel_core::allocate::Mode;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

const ANALYST: &[Role] = &[Role::Analyst];

/// `GET /allocations`: the start form and recent jobs.
pub async fn index(State(s): State<AppState>, w: Web) -> Response {
    if let Some(r) = w.refuse_unless(ANALYST) {
        return r;
    }
    let policy = s.engine.policy_text().unwrap_or_default().to_owned();
    index_page(&s, &w, &policy, None).await
}

/// The start page, with what was typed and the error it got, if any.
async fn index_page(s: &AppState, w: &Web, policy: &str, error: Option<Problem>) -> Response {
    let l = w.lang;
    let jobs = match s.store.allocations(50).await {
        Ok(j) => j,
        Err(e) => return w.problem(e.into()),
    };
    let done: Vec<_> = jobs.iter().filter(|j| j.status == "done").collect();
    let body = html! {
        h1 { (l.t("Toewijzingen", "Allocations")) }
        section aria-labelledby="start" {
            h2 #start { (l.t("Nieuwe toewijzing van het hele cohort", "New allocation of the whole cohort")) }
            @if let Some(e) = &error {
                div.problem role="alert" #start-error {
                    p { strong { (l.t("Niet gestart", "Not started")) ": " } (e.detail) }
                    @for f in &e.errors { p { code { (f.field) } ": " (f.reason) } }
                }
            }
            form method="post" action="/allocations" {
                input type="hidden" name="csrf" value=(w.csrf);
                // A double click starts one job, not two.
                input type="hidden" name="idem" value=(super::session::random_hex(16));
                div.inline {
                    div {
                        label for="mode" { (l.t("Methode", "Mode")) }
                        select #mode name="mode" {
                            option value="optimal" { (l.t("Optimaal (hoogste totaal)", "Optimal (highest total)")) }
                            option value="stable" { (l.t("Stabiel (uitgestelde acceptatie)", "Stable (deferred acceptance)")) }
                        }
                    }
                    div {
                        label for="k" { (l.t("Kandidaten per leerling (k)", "Candidates per learner (k)")) }
                        input #k name="k" type="number" min="1" max="1000" value="32";
                    }
                }
                label for="policy" { (l.t("Beleid (TOML; leeg = het beleid van de dienst)", "Policy (TOML; empty = the service's policy)")) }
                textarea #policy name="policy" spellcheck="false"
                    aria-invalid=[error.as_ref().map(|_| "true")]
                    aria-describedby=[error.as_ref().map(|_| "start-error")] { (policy) }
                div { button type="submit" { (l.t("Start", "Start")) } }
            }
        }
        section aria-labelledby="jobs" {
            h2 #jobs { (l.t("Recente toewijzingen", "Recent allocations")) }
            @if jobs.is_empty() { p { (l.t("Nog geen.", "None yet.")) } } @else {
                table {
                    (head_row(&[l.t("Toewijzing", "Allocation"), l.t("Status", "Status"), l.t("Methode", "Mode"), l.t("Gestart", "Started")]))
                    tbody { @for j in &jobs { tr {
                        td { a href={ "/allocations/" (urlencode(&j.id)) } { (j.id) } }
                        td { (j.status) }
                        td { (j.request.get("mode").and_then(|m| m.as_str()).unwrap_or("")) " k=" (j.request.get("k").map(|k| k.to_string()).unwrap_or_default()) }
                        td { (j.created_at) }
                    } } }
                }
            }
            @if done.len() >= 2 {
                h2 { (l.t("Twee toewijzingen vergelijken", "Compare two allocations")) }
                form.inline method="get" action="/allocations/compare" {
                    div {
                        label for="a" { "A" }
                        select #a name="a" { @for (i, j) in done.iter().enumerate() { option value=(j.id) selected[i == 1] { (j.id) " (" (j.created_at) ")" } } }
                    }
                    div {
                        label for="b" { "B" }
                        select #b name="b" { @for (i, j) in done.iter().enumerate() { option value=(j.id) selected[i == 0] { (j.id) " (" (j.created_at) ")" } } }
                    }
                    button type="submit" { (l.t("Vergelijk", "Compare")) }
                }
            }
        }
    };
    w.page(l.t("Toewijzingen", "Allocations"), body)
}

/// The start form.
#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    k: String,
    #[serde(default)]
    idem: String,
    #[serde(default)]
    policy: String,
}

/// `POST /allocations`: starts a job and goes to its page.
pub async fn start(State(s): State<AppState>, w: Web, Form(f): Form<StartForm>) -> Response {
    if let Some(r) = w.refuse_csrf(&f.csrf) {
        return r;
    }
    let mode = match f.mode.as_str() {
        "stable" => Mode::Stable,
        _ => Mode::Optimal,
    };
    let Ok(k) = f.k.trim().parse::<usize>() else {
        let p = Problem::invalid_field("k", "enter a whole number from 1 to 1000");
        return index_page(&s, &w, &f.policy, Some(p)).await;
    };
    // The service's own policy, unchanged in the form, is sent as "the service's policy", so
    // that the report says so.
    let service = s.engine.policy_text().unwrap_or_default().trim().to_owned();
    // Browsers send a textarea's line breaks as CRLF.
    let text = f.policy.replace("\r\n", "\n");
    let policy = Some(text.trim().to_owned()).filter(|p| !p.is_empty() && *p != service);
    let value = AllocationRequest {
        mode,
        k: Some(k),
        policy,
    };
    let raw = serde_json::to_vec(&value).unwrap_or_default().into();
    let r = match allocations::start(
        State(s.clone()),
        w.form_ctx(&f.idem),
        Ok(JsonBody { value, raw }),
    )
    .await
    {
        Ok(r) => r,
        // What was typed stays in the form, with the reason beside it.
        Err(p) if p.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            let mut page = index_page(&s, &w, &text, Some(p)).await;
            *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return page;
        }
        Err(p) => return w.problem(p),
    };
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let id = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned))
        .unwrap_or_default();
    Redirect::to(&format!("/allocations/{}", urlencode(&id))).into_response()
}

async fn status(s: &AppState, w: &Web, id: &str) -> Result<AllocationStatus, Problem> {
    allocations::status(State(s.clone()), w.ctx.clone(), Path(id.to_owned()))
        .await
        .map(|axum::Json(st)| st)
}

fn summary_of(st: &AllocationStatus) -> Result<Summary, Problem> {
    let v = st.job.summary.clone().unwrap_or_default();
    serde_json::from_value(v).map_err(|e| Problem::internal(format!("stored summary: {e}")))
}

/// `GET /allocations/{id}`: progress while running (the page refreshes itself), then the report.
pub async fn show(State(s): State<AppState>, w: Web, Path(id): Path<String>) -> Response {
    let l = w.lang;
    let st = match status(&s, &w, &id).await {
        Ok(st) => st,
        Err(p) => return w.problem(p),
    };
    let running = !matches!(st.job.status.as_str(), "done" | "failed");
    let body = match st.job.status.as_str() {
        "done" => match summary_of(&st) {
            Ok(sum) => html! {
                h1 { (l.t("Rapport van toewijzing", "Report of allocation")) " " (id) }
                (report(&w, &sum, None))
            },
            Err(p) => return w.problem(p),
        },
        "failed" => html! {
            h1 { (l.t("Toewijzing mislukt", "Allocation failed")) }
            p.problem { (st.job.error.clone().unwrap_or_default()) }
        },
        _ => {
            let (done, total) = st.progress.map_or((0, 0), |p| (p.done, p.total));
            html! {
                h1 { (l.t("Toewijzing loopt", "Allocation running")) }
                p role="status" aria-live="polite" {
                    (l.t("Kandidaten berekend voor", "Candidates computed for")) " " (done) " / " (total) " "
                    (l.t("leerlingen; deze pagina ververst zichzelf elke 3 seconden.", "learners; this page refreshes itself every 3 seconds."))
                }
                progress max=(total.max(1)) value=(done) { (done) " / " (total) }
            }
        }
    };
    let mut page = w.page(
        l.t("Toewijzing", "Allocation"),
        html! {
            p { a href="/allocations" { "← " (l.t("Toewijzingen", "Allocations")) } }
            (body)
        },
    );
    if running {
        // Reloads until the report is there (an HTTP header: no markup in the body).
        page.headers_mut()
            .insert("refresh", axum::http::HeaderValue::from_static("3"));
    }
    page
}

/// Query of a comparison.
#[derive(Deserialize)]
pub struct Compare {
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
}

/// `GET /allocations/compare?a=&b=`: two finished allocations side by side.
pub async fn compare(State(s): State<AppState>, w: Web, Query(q): Query<Compare>) -> Response {
    let l = w.lang;
    let mut sums = Vec::new();
    for id in [&q.a, &q.b] {
        let st = match status(&s, &w, id).await {
            Ok(st) => st,
            Err(p) => return w.problem(p),
        };
        if st.job.status != "done" {
            return w.problem(Problem::invalid_field("a", "both allocations must be done"));
        }
        match summary_of(&st) {
            Ok(sum) => sums.push(sum),
            Err(p) => return w.problem(p),
        }
    }
    let body = html! {
        p { a href="/allocations" { "← " (l.t("Toewijzingen", "Allocations")) } }
        h1 { (l.t("Vergelijking", "Comparison")) ": A = " (q.a) ", B = " (q.b) }
        (report(&w, &sums[0], Some(&sums[1])))
    };
    w.page(l.t("Vergelijking", "Comparison"), body)
}

fn report(w: &Web, sum: &Summary, compare: Option<&Summary>) -> Markup {
    let lang = match w.lang {
        super::i18n::Lang::Nl => koppel_report::Lang::Nl,
        super::i18n::Lang::En => koppel_report::Lang::En,
    };
    html! {
        style { (PreEscaped(koppel_report::STYLE)) }
        div.report { (PreEscaped(koppel_report::render_fragment(sum, compare, lang))) }
    }
}
