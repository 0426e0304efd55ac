//! Where each allocation came from, and its headline numbers.

use crate::{Lang, Side};
use koppel_core::allocate::report::{Provenance, Summary};
use maud::{html, Markup};

/// The columns' header row: one column per allocation, plus B − A when comparing.
fn head(lang: Lang, sides: &[Side], first: &str, diff: bool) -> Markup {
    html! {
        thead {
            tr {
                th scope="col" { (first) }
                @for s in sides {
                    th scope="col" { (s.name(lang)) }
                }
                @if diff && sides.len() == 2 {
                    th scope="col" { (lang.t("Verschil (B − A)", "Difference (B − A)")) }
                }
            }
        }
    }
}

/// Which policy, data, mode and k produced each allocation, and when.
pub(crate) fn provenance(lang: Lang, sides: &[Side]) -> Markup {
    type Field = fn(&Provenance, Lang) -> Markup;
    let rows: [(&str, Field); 8] = [
        (lang.t("Gegevens", "Data"), |p, _| html! { (p.data) }),
        (lang.t("Beleid", "Policy"), |p, _| html! { (p.policy) }),
        (lang.t("Beleid (SHA-256)", "Policy (SHA-256)"), |p, l| {
            html! {
                @match &p.policy_sha256 {
                    Some(h) => code { (h) },
                    None => (l.t("— (ingebouwde gewichten)", "— (built-in weights)")),
                }
            }
        }),
        (lang.t("Modus", "Mode"), |p, l| html! { (l.mode(p.mode)) }),
        (
            lang.t("Kandidaten per leerling (k)", "Candidates per learner (k)"),
            |p, _| html! { (p.k) },
        ),
        (
            lang.t("Leerlingen", "Learners"),
            |p, _| html! { (p.learners) },
        ),
        (
            lang.t("Plekken", "Placements"),
            |p, _| html! { (p.placements) },
        ),
        (lang.t("Gemaakt op", "Created at"), |p, _| {
            html! { time datetime=(p.created_at) { (p.created_at) } }
        }),
    ];
    html! {
        section aria-labelledby="kr-provenance" {
            h2 #kr-provenance { (lang.t("Herkomst", "Provenance")) }
            p.note {
                (lang.t(
                    "Welk beleid en welke gegevens deze uitkomsten opleverden.",
                    "Which policy and data produced these outcomes.",
                ))
            }
            table {
                (head(lang, sides, lang.t("Wat", "What"), false))
                tbody {
                    @for (name, field) in rows {
                        tr {
                            th scope="row" { (name) }
                            @for s in sides {
                                td {
                                    @match &s.summary.provenance {
                                        Some(p) => (field(p, lang)),
                                        None => (lang.t(
                                            "onbekend: dit summary.json is ouder en vermeldt geen herkomst",
                                            "unknown: this summary.json is older and records no provenance",
                                        )),
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The headline numbers side by side.
pub(crate) fn headline(lang: Lang, sides: &[Side]) -> Markup {
    type Number = fn(&Summary) -> f64;
    let count = |v: f64| format!("{v:.0}");
    let rows: [(&str, Number, bool); 9] = [
        (
            lang.t("Leerlingen", "Learners"),
            |s| s.learners as f64,
            false,
        ),
        (
            lang.t("Open plaatsen", "Open places"),
            |s| s.open_places as f64,
            false,
        ),
        (lang.t("Geplaatst", "Placed"), |s| s.placed as f64, false),
        (
            lang.t("Plaatsingsgraad", "Placement rate"),
            Summary::placement_rate,
            true,
        ),
        (
            lang.t(
                "Gemiddelde rang (1 = eerste keus)",
                "Mean rank (1 = first choice)",
            ),
            |s| s.mean_rank,
            false,
        ),
        (
            lang.t("Niet geplaatst", "Unplaced"),
            |s| s.unplaced as f64,
            false,
        ),
        (
            lang.t(
                "… zonder enige passende plek",
                "… without any feasible placement",
            ),
            |s| s.unplaced_no_feasible as f64,
            false,
        ),
        (
            lang.t(
                "… passende plekken alle bezet",
                "… every feasible candidate taken",
            ),
            |s| s.unplaced_all_taken as f64,
            false,
        ),
        (
            lang.t(
                "Totale score van de geplaatsten",
                "Total score of the placed",
            ),
            |s| s.total_score as f64,
            false,
        ),
    ];
    let show = |v: f64, share: bool, i: usize| {
        if share {
            lang.pct(v)
        } else if i == 4 {
            lang.dec(v, 2)
        } else {
            count(v)
        }
    };
    html! {
        section aria-labelledby="kr-headline" {
            h2 #kr-headline { (lang.t("Kerncijfers", "Headline numbers")) }
            table {
                (head(lang, sides, lang.t("Maat", "Measure"), true))
                tbody {
                    @for (i, (name, f, share)) in rows.iter().enumerate() {
                        tr {
                            th scope="row" { (name) }
                            @for s in sides {
                                td.num { (show(f(s.summary), *share, i)) }
                            }
                            @if let [a, b] = sides {
                                @let d = f(b.summary) - f(a.summary);
                                td.num {
                                    @if *share {
                                        (lang.pp(d))
                                    } @else {
                                        @if d > 0.0 { "+" }
                                        (show(d, false, i))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
