//! Where each allocation came from, and its headline numbers.

use crate::{Lang, Side};
use koppel_core::allocate::report::{Provenance, Summary};
use koppel_core::disclosure::{Cell, SECONDARY_MARK};
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

/// One headline figure: a count (maybe withheld), a share or a mean (absent when withheld).
#[derive(Clone, Copy)]
enum Figure {
    Count(Cell),
    Share(Option<f64>),
    Mean(Option<f64>),
}

impl Figure {
    fn number(self) -> Option<f64> {
        match self {
            Figure::Count(c) => c.value().map(|v| v as f64),
            Figure::Share(x) | Figure::Mean(x) => x,
        }
    }

    fn show(self, lang: Lang) -> String {
        match self {
            Figure::Count(c) => c.to_string(),
            Figure::Share(Some(x)) => lang.pct(x),
            Figure::Mean(Some(x)) => lang.dec(x, 2),
            Figure::Share(None) | Figure::Mean(None) => SECONDARY_MARK.to_owned(),
        }
    }

    /// B − A, when both are shown.
    fn diff(self, b: Figure, lang: Lang) -> String {
        match (self.number(), b.number()) {
            (Some(a), Some(b)) => {
                let d = b - a;
                let sign = if d > 0.0 { "+" } else { "" };
                match self {
                    Figure::Share(_) => lang.pp(d),
                    Figure::Mean(_) => format!("{sign}{}", lang.dec(d, 2)),
                    Figure::Count(_) => format!("{sign}{d:.0}"),
                }
            }
            _ => "—".to_owned(),
        }
    }
}

/// The headline numbers side by side.
pub(crate) fn headline(lang: Lang, sides: &[Side]) -> Markup {
    type Of = fn(&Summary) -> Figure;
    let rows: [(&str, Of); 9] = [
        (lang.t("Leerlingen", "Learners"), |s| {
            Figure::Count(s.learners)
        }),
        (lang.t("Open plaatsen", "Open places"), |s| {
            Figure::Count(Cell::Value(s.open_places))
        }),
        (lang.t("Geplaatst", "Placed"), |s| Figure::Count(s.placed)),
        (lang.t("Plaatsingsgraad", "Placement rate"), |s| {
            Figure::Share(s.placement_rate())
        }),
        (
            lang.t(
                "Gemiddelde rang (1 = eerste keus)",
                "Mean rank (1 = first choice)",
            ),
            |s| Figure::Mean(s.mean_rank),
        ),
        (lang.t("Niet geplaatst", "Unplaced"), |s| {
            Figure::Count(s.unplaced)
        }),
        (
            lang.t(
                "… zonder enige passende plek",
                "… without any feasible placement",
            ),
            |s| Figure::Count(s.unplaced_no_feasible),
        ),
        (
            lang.t(
                "… passende plekken alle bezet",
                "… every feasible candidate taken",
            ),
            |s| Figure::Count(s.unplaced_all_taken),
        ),
        (
            lang.t(
                "Totale score van de geplaatsten",
                "Total score of the placed",
            ),
            |s| Figure::Count(s.total_score),
        ),
    ];
    html! {
        section aria-labelledby="kr-headline" {
            h2 #kr-headline { (lang.t("Kerncijfers", "Headline numbers")) }
            table {
                (head(lang, sides, lang.t("Maat", "Measure"), true))
                tbody {
                    @for (name, f) in rows {
                        tr {
                            th scope="row" { (name) }
                            @for s in sides {
                                td.num { (f(s.summary).show(lang)) }
                            }
                            @if let [a, b] = sides {
                                td.num { (f(a.summary).diff(f(b.summary), lang)) }
                            }
                        }
                    }
                }
            }
            p.note {
                (lang.t(
                    "De gemiddelde rang en de totale score staan er alleen als elke klasse van hun verdeling getoond wordt: anders zou het totaal een afgeschermde klasse verraden.",
                    "The mean rank and the total score are shown only when every bin of their distribution is: otherwise the total would give a withheld bin away.",
                ))
            }
        }
    }
}
