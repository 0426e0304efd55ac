//! Employer-desk pages: your vacancies, create and edit them with inline validation errors, and
//! each vacancy's anonymised candidates. Writes and candidates go through the API's handlers,
//! so a desk sees exactly what the API shows it: no names, contacts or support needs.

use super::layout::urlencode;
use super::vacancy_form::{self, Draft};
use super::Web;
use crate::body::JsonBody;
use crate::error::Problem;
use crate::routes::placements::{self, CandidatesParams};
use crate::state::AppState;
use crate::store::{Kind, Role};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use koppel_core::anonymise::CandidateView;
use koppel_core::policy::Component;
use koppel_core::record::PlacementRecord;
use maud::{html, Markup};
use serde::Deserialize;

const DESK: &[Role] = &[Role::EmployerDesk];
/// Most vacancies listed on one page.
const LIST_MAX: u32 = 500;

/// `GET /vacancies`: the desk's vacancies.
pub async fn list(State(s): State<AppState>, w: Web) -> Response {
    if let Some(r) = w.refuse_unless(DESK) {
        return r;
    }
    let l = w.lang;
    let rows = match s
        .store
        .list(
            Kind::Placement,
            &w.ctx.placement_scope(),
            None,
            LIST_MAX,
            None,
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return w.problem(e.into()),
    };
    let recs: Vec<PlacementRecord> = rows
        .into_iter()
        .filter_map(|r| serde_json::from_value(r.body).ok())
        .collect();
    let body = html! {
        h1 { (l.t("Uw vacatures", "Your vacancies")) }
        p { a href="/vacancies/new" { (l.t("Nieuwe vacature", "New vacancy")) } }
        @if recs.is_empty() {
            p { (l.t("Nog geen vacatures.", "No vacancies yet.")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (l.t("Titel", "Title")) }
                    th scope="col" { (l.t("Nummer", "Id")) }
                    th scope="col" { (l.t("Soort", "Kind")) }
                    th scope="col" .num { (l.t("Plekken (bezet)", "Places (taken)")) }
                    th scope="col" { (l.t("Start", "Start")) }
                    th scope="col" { span.skip-label { (l.t("Acties", "Actions")) } }
                } }
                tbody { @for p in &recs { tr {
                    td { a href={ "/vacancies/" (urlencode(&p.id)) } { (p.title) } }
                    td { (p.id) }
                    td { (l.kind(p.kind)) }
                    td.num { (p.capacity) " (" (p.filled) ")" }
                    td { (p.start_date) }
                    td { a href={ "/vacancies/" (urlencode(&p.id)) "/edit" } { (l.t("Wijzigen", "Edit")) } }
                } } }
            }
            @if recs.len() as u32 == LIST_MAX {
                p.muted { (l.t("Alleen de eerste 500.", "Only the first 500.")) }
            }
        }
    };
    w.page(l.t("Vacatures", "Vacancies"), body)
}

/// `GET /vacancies/new`.
pub async fn new_form(State(s): State<AppState>, w: Web) -> Response {
    if let Some(r) = w.refuse_unless(DESK) {
        return r;
    }
    let draft = Draft::blank(&w.ctx.caller.employers);
    let title = w.lang.t("Nieuwe vacature", "New vacancy");
    w.page(
        title,
        vacancy_form::render(&w, &s, title, &draft, None, &[]),
    )
}

/// `POST /vacancies`: creates, or shows the form again with every error beside its field.
pub async fn create(State(s): State<AppState>, w: Web, Form(d): Form<Draft>) -> Response {
    if let Some(r) = w.refuse_csrf(&d.csrf) {
        return r;
    }
    let title = w.lang.t("Nieuwe vacature", "New vacancy");
    let rec = match d.to_record(w.lang) {
        Ok(rec) => rec,
        Err(errors) => return invalid(&w, &s, title, &d, None, errors),
    };
    let raw = serde_json::to_vec(&rec).unwrap_or_default().into();
    let id = rec.id.clone();
    match placements::create(
        State(s.clone()),
        w.ctx.clone(),
        Ok(JsonBody { value: rec, raw }),
    )
    .await
    {
        Ok(r) if r.status().is_success() => {
            Redirect::to(&format!("/vacancies/{}", urlencode(&id))).into_response()
        }
        Ok(r) => r,
        Err(p) => problem_or_form(&w, &s, title, &d, None, p),
    }
}

/// `GET /vacancies/{id}/edit`.
pub async fn edit_form(State(s): State<AppState>, w: Web, Path(id): Path<String>) -> Response {
    if let Some(r) = w.refuse_unless(DESK) {
        return r;
    }
    let row = match s
        .store
        .get(Kind::Placement, &w.ctx.placement_scope(), &id, None)
        .await
    {
        Ok(row) => row,
        Err(e) => return w.problem(e.into()),
    };
    let etag = row.etag();
    let Ok(rec) = serde_json::from_value::<PlacementRecord>(row.body) else {
        return w.problem(Problem::internal("stored vacancy does not parse"));
    };
    let title = w.lang.t("Vacature wijzigen", "Edit vacancy");
    let draft = Draft::of(&rec, etag);
    w.page(
        title,
        vacancy_form::render(&w, &s, title, &draft, Some(&id), &[]),
    )
}

/// `POST /vacancies/{id}/edit`: replaces the vacancy if nobody changed it meanwhile.
pub async fn update(
    State(s): State<AppState>,
    w: Web,
    Path(id): Path<String>,
    Form(mut d): Form<Draft>,
) -> Response {
    if let Some(r) = w.refuse_csrf(&d.csrf) {
        return r;
    }
    d.id = id.clone();
    let title = w.lang.t("Vacature wijzigen", "Edit vacancy");
    let rec = match d.to_record(w.lang) {
        Ok(rec) => rec,
        Err(errors) => return invalid(&w, &s, title, &d, Some(&id), errors),
    };
    let mut patch = match serde_json::to_value(&rec) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => return w.problem(Problem::internal("vacancy does not serialise")),
    };
    patch.remove("id");
    let raw = serde_json::to_vec(&patch).unwrap_or_default().into();
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&d.etag) {
        headers.insert(header::IF_MATCH, v);
    }
    let body = Ok(JsonBody { value: patch, raw });
    match placements::update(
        State(s.clone()),
        w.ctx.clone(),
        Path(id.clone()),
        headers,
        body,
    )
    .await
    {
        Ok(r) if r.status().is_success() => {
            Redirect::to(&format!("/vacancies/{}", urlencode(&id))).into_response()
        }
        Ok(r) => r,
        Err(p) => problem_or_form(&w, &s, title, &d, Some(&id), p),
    }
}

fn invalid(
    w: &Web,
    s: &AppState,
    title: &str,
    d: &Draft,
    id: Option<&str>,
    errors: Vec<(String, String)>,
) -> Response {
    let mut r = w.page(title, vacancy_form::render(w, s, title, d, id, &errors));
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

/// Validation problems go back into the form beside their fields; others get the error page.
fn problem_or_form(
    w: &Web,
    s: &AppState,
    title: &str,
    d: &Draft,
    id: Option<&str>,
    p: Problem,
) -> Response {
    let l = w.lang;
    match p.status {
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => {
            let mut errors: Vec<(String, String)> = p
                .errors
                .iter()
                .map(|e| (e.field.clone(), e.reason.clone()))
                .collect();
            if errors.is_empty() {
                let field = if p.status == StatusCode::CONFLICT {
                    "id"
                } else {
                    ""
                };
                errors.push((field.to_owned(), p.detail.clone()));
            }
            invalid(w, s, title, d, id, errors)
        }
        StatusCode::PRECONDITION_FAILED => {
            let msg = l.t(
                "Iemand anders wijzigde deze vacature intussen; open haar opnieuw.",
                "Someone else changed this vacancy meanwhile; open it again.",
            );
            invalid(w, s, title, d, id, vec![(String::new(), msg.to_owned())])
        }
        _ => w.problem(p),
    }
}

/// Query of a vacancy page.
#[derive(Deserialize)]
pub struct ShowParams {
    k: Option<String>,
}

/// `GET /vacancies/{id}`: the vacancy and its anonymised candidates.
pub async fn show(
    State(s): State<AppState>,
    w: Web,
    Path(id): Path<String>,
    Query(q): Query<ShowParams>,
) -> Response {
    let l = w.lang;
    let params = CandidatesParams {
        k: Some(
            q.k.and_then(|k| k.trim().parse::<usize>().ok())
                .unwrap_or(20)
                .clamp(1, s.limits.max_k),
        ),
    };
    let c = match placements::candidates(
        State(s.clone()),
        w.ctx.clone(),
        Path(id.clone()),
        Query(params),
    )
    .await
    {
        Ok(axum::Json(c)) => c,
        Err(p) => return w.problem(p),
    };
    let rec = match s
        .store
        .get(Kind::Placement, &w.ctx.placement_scope(), &id, None)
        .await
    {
        Ok(row) => serde_json::from_value::<PlacementRecord>(row.body).ok(),
        Err(e) => return w.problem(e.into()),
    };
    let body = html! {
        p { a href="/vacancies" { "← " (l.t("Uw vacatures", "Your vacancies")) } }
        @if let Some(p) = &rec {
            h1 { (p.title) }
            p.muted { (p.id) " · " (l.kind(p.kind)) " · " (p.capacity) " " (l.t("plekken", "places")) " · " (l.t("start", "start")) " " (p.start_date) }
        }
        p { a href={ "/vacancies/" (urlencode(&id)) "/edit" } { (l.t("Wijzigen", "Edit")) } }
        h2 { (l.t("Kandidaten (geanonimiseerd)", "Candidates (anonymised)")) }
        p.muted { (l.t(
            "Zonder namen, contactgegevens of ondersteuningsbehoefte. Ondersteuning telt voor iedereen als geregeld; afstand per band.",
            "Without names, contact details or support needs. Support counts as met for everyone; distance by band."
        )) }
        @if c.candidates.is_empty() {
            p { (l.t("Nog geen passende kandidaten.", "No fitting candidates yet.")) }
        }
        @for v in &c.candidates { (candidate(&w, v)) }
    };
    let title = rec.as_ref().map_or(id.clone(), |p| p.title.clone());
    w.page(&title, body)
}

fn candidate(w: &Web, v: &CandidateView) -> Markup {
    let l = w.lang;
    let shown: u16 = v.components.iter().map(|c| c.contribution).sum();
    let parts: Vec<(Component, u16, String)> = v
        .components
        .iter()
        .map(|c| {
            (
                c.component,
                c.contribution,
                format!("{:.0}% × {}", c.value * 100.0, c.weight),
            )
        })
        .collect();
    let same = l.t("Gelijk voor iedereen", "The same for everyone");
    let rest = Some((same, v.score.saturating_sub(shown)));
    html! {
        article.card data-pseudonym=(v.pseudonym) {
            h3 { (v.rank) ". " (v.pseudonym) }
            p.muted {
                @if let Some(q) = &v.qualification { (q.name) " (" (q.crebo) ") · " }
                (l.t("niveau", "level")) " " (v.level) " · " (v.distance_band)
            }
            (super::layout::score_bars(l, v.score, &parts, rest))
        }
    }
}
