//! The page shell every page shares (header, navigation by role, language switch, sign-out),
//! the score bars, and the HTML error page. Styles are embedded in the binary.

use super::i18n::Lang;
use crate::store::{Caller, Role};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use koppel_core::policy::Component;
use maud::{html, Markup, PreEscaped, DOCTYPE};

const STYLE: &str = include_str!("style.css");

/// What the shell needs to know about the person.
pub struct Chrome<'a> {
    /// Page language.
    pub lang: Lang,
    /// The signed-in caller, if any.
    pub caller: Option<&'a Caller>,
    /// The session's CSRF token (for the sign-out form).
    pub csrf: Option<&'a str>,
    /// This page's path (for the language switch to come back to).
    pub path: &'a str,
}

/// A full page.
pub fn page(c: &Chrome<'_>, title: &str, body: Markup) -> Markup {
    let l = c.lang;
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Koppel" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                a.skip href="#main" { (l.t("Naar de inhoud", "Skip to content")) }
                header.top {
                    a.brand href="/" { "Koppel" }
                    nav aria-label=(l.t("Hoofdmenu", "Main menu")) {
                        @if let Some(caller) = c.caller {
                            @match caller.role {
                                Role::Advisor => a href="/learners" { (l.t("Leerlingen", "Learners")) },
                                Role::EmployerDesk => a href="/vacancies" { (l.t("Vacatures", "Vacancies")) },
                                Role::Analyst => a href="/allocations" { (l.t("Toewijzingen", "Allocations")) },
                                Role::Admin => span { (l.t("Beheer via de API en de CLI", "Administration via the API and the CLI")) },
                            }
                        }
                    }
                    a href={ "/lang?to=" (l.other().code()) "&back=" (urlencode(c.path)) }
                        lang=(l.other().code()) { (l.t("English", "Nederlands")) }
                    @if let (Some(caller), Some(csrf)) = (c.caller, c.csrf) {
                        span { (role_name(l, caller.role)) }
                        form method="post" action="/sign-out" {
                            input type="hidden" name="csrf" value=(csrf);
                            button.link type="submit" { (l.t("Afmelden", "Sign out")) }
                        }
                    }
                }
                main #main { (body) }
            }
        }
    }
}

/// A role's name.
pub fn role_name(l: Lang, r: Role) -> &'static str {
    match r {
        Role::Advisor => l.t("Adviseur", "Advisor"),
        Role::EmployerDesk => l.t("Werkgeversservicepunt", "Employer desk"),
        Role::Analyst => l.t("Analist", "Analyst"),
        Role::Admin => l.t("Beheerder", "Administrator"),
    }
}

/// An HTML response with a status.
pub fn respond(status: StatusCode, m: Markup) -> Response {
    (status, Html(m.into_string())).into_response()
}

/// A stacked bar whose segments are the components' points: their lengths add up to the
/// score (on a 0–1000 scale), followed by a legend table with one row per component. `rest`
/// is a neutral segment for points not broken down (an employer's view of support).
pub fn score_bars(
    l: Lang,
    score: u16,
    parts: &[(Component, u16, String)],
    rest: Option<(&str, u16)>,
) -> Markup {
    html! {
        div.stack role="img" data-score=(score)
            aria-label={ (l.t("Score", "Score")) " " (score) " / 1000" } {
            @for (c, pts, _) in parts {
                span class={ "c" (c.ix()) } data-component=(c.as_str()) data-points=(pts)
                    style={ "width:" (f64::from(*pts) / 10.0) "%" }
                    title={ (l.component(*c)) ": " (pts) } {}
            }
            @if let Some((label, pts)) = rest {
                span.rest data-component="rest" data-points=(pts)
                    style={ "width:" (f64::from(pts) / 10.0) "%" } title={ (label) ": " (pts) } {}
            }
        }
        table.legend {
            thead { tr {
                th scope="col" { (l.t("Onderdeel", "Component")) }
                th scope="col" .num { (l.t("Punten", "Points")) }
                th scope="col" { (l.t("Toelichting", "Why")) }
            } }
            tbody {
                @for (c, pts, note) in parts {
                    tr {
                        th scope="row" { span class={ "c" (c.ix()) } {} (l.component(*c)) }
                        td.num { (pts) }
                        td { (note) }
                    }
                }
                @if let Some((label, pts)) = rest {
                    tr {
                        th scope="row" { span.rest {} (label) }
                        td.num { (pts) }
                        td {}
                    }
                }
                tr {
                    th scope="row" { (l.t("Totaal", "Total")) }
                    td.num { strong { (score) } }
                    td {}
                }
            }
        }
    }
}

/// A table's header row.
pub fn head_row(cols: &[&str]) -> Markup {
    html! { thead { tr { @for c in cols { th scope="col" { (c) } } } } }
}

/// Percent-encodes a path for a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_segments_carry_their_points() {
        let parts = [
            (Component::Outlook, 200, "a".to_owned()),
            (Component::Distance, 150, "b".to_owned()),
        ];
        let h = score_bars(Lang::En, 350, &parts, None).into_string();
        assert!(h.contains("data-score=\"350\""), "{h}");
        assert!(h.contains("width:20%") && h.contains("width:15%"), "{h}");
        assert!(h.contains("<th scope=\"col\">Component</th>"), "{h}");
    }

    #[test]
    fn paths_are_encoded_for_queries() {
        assert_eq!(urlencode("/learners?q=a b&x"), "/learners%3Fq%3Da%20b%26x");
    }
}
