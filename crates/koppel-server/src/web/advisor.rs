//! Advisor pages: find a learner of your regions, see their ranked placements with a bar per
//! score component, ask "why not?" about any placement, and propose one with a reason. The
//! matches, explanations and proposals come from the API's own handlers (same scope and audit).

use super::layout::{head_row, score_bars, urlencode};
use super::Web;
use crate::body::JsonBody;
use crate::routes::learners;
use crate::routes::matches::{self, MatchParams};
use crate::state::AppState;
use crate::store::{Outcome, Proposal, Role};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use koppel_core::score::Explanation;
use koppel_core::PlacementKind;
use maud::{html, Markup};
use serde::Deserialize;

const ADVISOR: &[Role] = &[Role::Advisor];
/// Most learners a search lists.
const SEARCH_MAX: usize = 50;

/// Search query.
#[derive(Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

/// `GET /learners?q=`: learners of your regions by id or name.
pub async fn search(State(s): State<AppState>, w: Web, Query(q): Query<Search>) -> Response {
    if let Some(r) = w.refuse_unless(ADVISOR) {
        return r;
    }
    let l = w.lang;
    let needle = q.q.trim().to_lowercase();
    // Every learner as they are now: one just registered is found, one just erased is not.
    let need = crate::engine::Need {
        learners: true,
        ..Default::default()
    };
    let snap = match crate::routes::fresh(&s, need).await {
        Ok(snap) => snap,
        Err(p) => return w.problem(p),
    };
    let data = snap.data();
    let found: Vec<_> = if needle.is_empty() {
        Vec::new()
    } else {
        data.learners
            .iter()
            .filter(|x| {
                let region = &data.reference.regions[x.region.ix()].code;
                w.ctx.caller.regions.iter().any(|r| r == region)
                    && (x.id.0.to_lowercase() == needle || x.name.to_lowercase().contains(&needle))
            })
            .take(SEARCH_MAX)
            .collect()
    };
    // Names shown are a read of those learners' data.
    let shown: Vec<String> = found.iter().map(|x| x.id.0.clone()).collect();
    if !shown.is_empty() {
        if let Err(e) = s.store.audit_reads(w.ctx.audit("read"), shown).await {
            return w.problem(e.into());
        }
    }
    let body = html! {
        h1 { (l.t("Leerling zoeken", "Find a learner")) }
        form method="get" action="/learners" role="search" {
            label for="q" { (l.t("Leerlingnummer of naam", "Learner id or name")) }
            div.inline {
                input #q type="search" name="q" value=(q.q) autofocus;
                button type="submit" { (l.t("Zoeken", "Search")) }
            }
        }
        @if !needle.is_empty() {
            @if found.is_empty() {
                p { (l.t("Geen leerling gevonden in uw regio's.", "No learner found in your regions.")) }
            } @else {
                table {
                    (head_row(&[l.t("Naam", "Name"), l.t("Nummer", "Id"), l.t("Onderwijs", "School type"), l.t("Regio", "Region")]))
                    tbody { @for x in &found { tr {
                        td { a href={ "/learners/" (urlencode(&x.id.0)) } { (x.name) } }
                        td { (x.id.0) }
                        td { (l.school_type(x.school_type)) " " (x.level.get()) }
                        td { (data.reference.regions[x.region.ix()].name) }
                    } } }
                }
                @if found.len() == SEARCH_MAX {
                    p.muted { (l.t("Alleen de eerste 50; zoek preciezer.", "Only the first 50; search more precisely.")) }
                }
            }
        }
    };
    w.page(l.t("Leerlingen", "Learners"), body)
}

/// Filters of the match list.
#[derive(Deserialize)]
pub struct Filters {
    kind: Option<String>,
    max_km: Option<String>,
    proposed: Option<String>,
}

/// `GET /learners/{id}`: the learner's ranked placements.
pub async fn learner(
    State(s): State<AppState>,
    w: Web,
    Path(id): Path<String>,
    Query(f): Query<Filters>,
) -> Response {
    let l = w.lang;
    let kind = f
        .kind
        .as_deref()
        .and_then(|k| serde_json::from_value::<PlacementKind>(k.into()).ok());
    let max_km = f
        .max_km
        .as_deref()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v > 0.0);
    // With a distance filter, look further down the list so that enough remain.
    let k = if max_km.is_some() { s.limits.max_k } else { 20 };
    let params = MatchParams {
        k: Some(k.min(s.limits.max_k)),
        kind,
    };
    let m = match matches::matches(
        State(s.clone()),
        w.ctx.clone(),
        Path(id.clone()),
        Query(params),
    )
    .await
    {
        Ok(axum::Json(m)) => m,
        Err(p) => return w.problem(p),
    };
    let outcome = match learners::outcome(State(s.clone()), w.ctx.clone(), Path(id.clone())).await {
        Ok(axum::Json(o)) => o,
        Err(p) => return w.problem(p),
    };
    let snap = s.engine.snapshot();
    let data = snap.data();
    let Some(li) = data.learner_idx(&id) else {
        return w.problem(crate::error::Problem::not_found("learner", &id));
    };
    let x = data.learner(li);
    let rows: Vec<_> = m
        .matches
        .iter()
        .filter(|r| max_km.is_none_or(|d| r.explanation.facts.distance_km <= d))
        .take(20)
        .collect();
    let needs: Vec<&str> = x.support.essential.iter().map(|k| l.support(k)).collect();
    let body = html! {
        h1 { (x.name) " " span.muted { "(" (x.id.0) ")" } }
        div.grid {
            p { strong { (l.t("Onderwijs", "School type")) ": " } (l.school_type(x.school_type)) ", " (l.t("niveau", "level")) " " (x.level.get()) }
            p { strong { (l.t("Regio", "Region")) ": " } (data.reference.regions[x.region.ix()].name) }
            p { strong { (l.t("Reisafstand", "Travel limit")) ": " } (x.travel_limit_km) " km" }
            p { strong { (l.t("Nodige ondersteuning", "Essential support")) ": " }
                @if needs.is_empty() { (l.t("geen", "none")) } @else { (needs.join(", ")) } }
        }
        (decision(&w, &outcome))
        @if let Some(p) = f.proposed.as_ref().filter(|p| outcome.proposal.as_ref().is_some_and(|x| &x.placement == *p)) {
            p.notice role="status" { (l.t("Voorstel vastgelegd voor", "Proposal recorded for")) " " (p) }
        }
        form.inline method="get" action={ "/learners/" (urlencode(&id)) } aria-label=(l.t("Filters", "Filters")) {
            div {
                label for="kind" { (l.t("Soort", "Kind")) }
                select #kind name="kind" {
                    option value="" { (l.t("Alle soorten", "All kinds")) }
                    @for k in PlacementKind::ALL {
                        option value=(k.as_str()) selected[kind == Some(k)] { (l.kind(k)) }
                    }
                }
            }
            div {
                label for="max_km" { (l.t("Hoogstens (km)", "At most (km)")) }
                input #max_km type="number" name="max_km" min="1" step="any" value=[max_km];
            }
            button type="submit" { (l.t("Toon", "Show")) }
        }
        form.inline method="get" action={ "/learners/" (urlencode(&id)) "/why" } {
            div {
                label for="why" { (l.t("Waarom (niet) deze plek? Plaatsnummer", "Why (not) this placement? Placement id")) }
                input #why name="placement" required;
            }
            button type="submit" { (l.t("Leg uit", "Explain")) }
        }
        h2 { (l.t("Passende plekken", "Fitting placements")) }
        @if rows.is_empty() {
            p { (l.t("Geen passende plek met deze filters.", "No fitting placement with these filters.")) }
        }
        @if let Some(why) = &m.why_not {
            details {
                summary { (l.t("Waarom niet meer plekken?", "Why not more placements?")) }
                p { (why.feasible) " " (l.t("van de", "of")) " " (why.placements_in_reach) " " (l.t("plekken binnen bereik zijn haalbaar; zoveel vallen af op:", "placements in reach are feasible; this many fail:")) }
                ul { @for (c, n) in &why.blocked_by { li { (l.constraint_code(c)) ": " (n) } } }
            }
        }
        @for r in &rows {
            article.card data-placement=(r.placement) data-kind=(r.kind.as_str()) data-km=(r.explanation.facts.distance_km) {
                h3 { (r.rank) ". " (r.title) }
                p.muted { (r.employer) " · " (l.kind(r.kind)) " · " (r.region) " · " (r.explanation.facts.distance_km) " km" }
                (explanation_bars(&w, &r.explanation))
                p {
                    a href={ "/learners/" (urlencode(&id)) "/why?placement=" (urlencode(&r.placement)) } { (l.t("Volledige uitleg", "Full explanation")) }
                }
                (propose_form(&w, &id, &r.placement))
            }
        }
    };
    w.page(&x.name, body)
}

/// What stands for the learner: the advisor's proposal overrides the automated allocation.
fn decision(w: &Web, o: &Outcome) -> Markup {
    let l = w.lang;
    html! {
        section.card aria-labelledby="decision" {
            h2 #decision { (l.t("Besluit", "Decision")) }
            @match (&o.proposal, &o.allocation) {
                (Some(p), _) => p #standing data-decided-by="advisor" {
                    strong { (l.t("Voorstel van de adviseur", "Advisor's proposal")) ": " (p.placement) }
                    " — " (p.reason) " (" (p.created_at) "). "
                    (l.t("Dit gaat voor op de automatische toewijzing.", "This overrides the automated allocation."))
                },
                (None, Some(a)) => p #standing data-decided-by="allocation" {
                    strong { (l.t("Automatische toewijzing", "Automated allocation")) ": " }
                    @match &a.placement {
                        Some(pl) => { (pl) " (" (l.t("keuze", "choice")) " " (a.rank.unwrap_or(0)) ")" }
                        None => (l.t("niet geplaatst", "not placed")),
                    }
                    " — " (a.allocation) ", " (a.created_at) ". "
                    (l.t("Een voorstel hieronder gaat hier voor.", "A proposal below overrides it."))
                },
                (None, None) => p.muted { (l.t("Nog geen voorstel of toewijzing.", "No proposal or allocation yet.")) },
            }
            @if let (Some(_), Some(a)) = (&o.proposal, &o.allocation) {
                p.muted {
                    (l.t("Automatische toewijzing", "Automated allocation")) " " (a.allocation) ": "
                    (a.placement.clone().unwrap_or_else(|| l.t("niet geplaatst", "not placed").to_owned()))
                }
            }
        }
    }
}

fn explanation_bars(w: &Web, e: &Explanation) -> Markup {
    let parts: Vec<_> = e
        .components
        .iter()
        .map(|c| (c.component, c.contribution, c.note.clone()))
        .collect();
    score_bars(w.lang, e.score.unwrap_or(0), &parts, None)
}

fn propose_form(w: &Web, learner: &str, placement: &str) -> Markup {
    let l = w.lang;
    let fid = format!("reason-{placement}");
    html! {
        form method="post" action={ "/learners/" (urlencode(learner)) "/proposals" } {
            input type="hidden" name="csrf" value=(w.csrf);
            input type="hidden" name="placement" value=(placement);
            input type="hidden" name="idem" value=(super::session::random_hex(16));
            label for=(fid) { (l.t("Voorstellen, met reden (gaat voor op een automatische toewijzing)", "Propose, with a reason (overrides an automated allocation)")) }
            input id=(fid) name="reason" required maxlength="500";
            button type="submit" { (l.t("Voorstellen", "Propose")) }
        }
    }
}

/// Query of an explanation.
#[derive(Deserialize)]
pub struct Why {
    #[serde(default)]
    placement: String,
}

/// `GET /learners/{id}/why?placement=`: the full account of one pair, or every failed hard
/// constraint in plain words.
pub async fn why(
    State(s): State<AppState>,
    w: Web,
    Path(id): Path<String>,
    Query(q): Query<Why>,
) -> Response {
    let l = w.lang;
    let placement = q.placement.trim().to_owned();
    let e = match matches::explain_pair(
        State(s),
        w.ctx.clone(),
        Path((id.clone(), placement.clone())),
    )
    .await
    {
        Ok(axum::Json(e)) => e,
        Err(p) => return w.problem(p),
    };
    let body = html! {
        p { a href={ "/learners/" (urlencode(&id)) } { "← " (l.t("Terug naar de leerling", "Back to the learner")) } }
        h1 { (l.t("Uitleg", "Explanation")) ": " (placement) }
        p.muted { (l.kind(e.facts.kind)) " · " (e.facts.sector) " · " (e.facts.region) " · " (e.facts.distance_km) " km" }
        @if e.feasible {
            p.notice { (l.t("Deze plek past.", "This placement fits.")) }
            (explanation_bars(&w, &e))
        } @else {
            section.problem aria-labelledby="whynot" {
                h2 #whynot { (l.t("Waarom niet", "Why not")) }
                ul.violations {
                    @for (v, r) in e.violations.iter().zip(&e.remedies) {
                        li { strong { (v) } br; span.muted { (l.t("Wat zou helpen: ", "What would help: ")) (r) } }
                    }
                }
            }
        }
        (propose_form(&w, &id, &placement))
    };
    w.page(l.t("Uitleg", "Explanation"), body)
}

/// The proposal form.
#[derive(Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    placement: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    idem: String,
}

/// `POST /learners/{id}/proposals`: records the advisor's decision (audited, as the API's).
pub async fn propose(
    State(s): State<AppState>,
    w: Web,
    Path(id): Path<String>,
    Form(f): Form<ProposeForm>,
) -> Response {
    if let Some(r) = w.refuse_csrf(&f.csrf) {
        return r;
    }
    let value = Proposal {
        placement: f.placement.trim().to_owned(),
        reason: f.reason.trim().to_owned(),
    };
    let raw = serde_json::to_vec(&value).unwrap_or_default().into();
    let body = Ok(JsonBody { value, raw });
    match learners::propose(State(s), w.form_ctx(&f.idem), Path(id.clone()), body).await {
        Ok(r) if r.status().is_success() => Redirect::to(&format!(
            "/learners/{}?proposed={}",
            urlencode(&id),
            urlencode(f.placement.trim())
        ))
        .into_response(),
        Ok(r) => r,
        Err(p) => w.problem(p),
    }
}
