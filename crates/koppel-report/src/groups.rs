//! Placement rate per group, for every grouping: a bar chart and a table with the four-fifths
//! check, one column set per allocation.

use crate::chart::{self, Labels, Scale, Series};
use crate::i18n::Grouping;
use crate::{Lang, Side};
use koppel_core::allocate::report::fairness::{four_fifths, GroupCheck};
use koppel_core::allocate::report::{Counts, Summary};
use koppel_core::disclosure::{Cell, Hidden};
use maud::{html, Markup, PreEscaped};
use std::collections::{BTreeMap, BTreeSet};

/// The counts of one grouping.
fn counts(g: Grouping, s: &Summary) -> &BTreeMap<String, Counts> {
    match g {
        Grouping::Region => &s.by_region,
        Grouping::SchoolType => &s.by_school_type,
        Grouping::Level => &s.by_level,
        Grouping::Kind => &s.by_kind,
        Grouping::SupportNeed => &s.by_support_need,
        Grouping::Register => &s.by_register,
        Grouping::AtRisk => &s.by_at_risk,
        Grouping::AgeBand => &s.by_age_band,
    }
}

/// The four-fifths checks of one grouping of one allocation.
fn checks(g: Grouping, s: &Summary) -> Vec<GroupCheck> {
    four_fifths(counts(g, s))
}

fn find<'a>(checks: &'a [GroupCheck], key: &str) -> Option<&'a GroupCheck> {
    checks.iter().find(|c| c.group == key)
}

/// The best rate of a grouping (`None` when nobody was placed).
fn best_rate(checks: &[GroupCheck]) -> Option<f64> {
    checks.iter().find(|c| c.best).and_then(|c| c.rate)
}

fn flag_text(lang: Lang) -> &'static str {
    lang.t("⚠ onder 4/5", "⚠ below 4/5")
}

/// The whole fairness section: the rule, every flag at a glance, then one part per grouping.
pub(crate) fn section(lang: Lang, sides: &[Side]) -> Markup {
    let flags: Vec<(Side, Grouping, GroupCheck)> = sides
        .iter()
        .flat_map(|s| {
            Grouping::ALL.into_iter().flat_map(move |g| {
                checks(g, s.summary)
                    .into_iter()
                    .filter(|c| c.flagged)
                    .map(move |c| (*s, g, c))
            })
        })
        .collect();
    html! {
        section aria-labelledby="kr-groups" {
            h2 #kr-groups { (lang.t("Uitkomsten per groep", "Outcomes per group")) }
            p.note {
                (lang.t(
                    "Vier-vijfderegel: een groep waarvan de plaatsingsgraad lager is dan 80 % van die van de best geplaatste groep in dezelfde indeling, wordt gemarkeerd (⚠). Dat is een signaal om verder te kijken, geen oordeel: bij kleine groepen kan het toeval zijn, daarom staan de groepsgroottes erbij. Groepen zonder leerlingen en groepen met een afgeschermd aantal (< 10 of ×) doen niet mee: de beste groep is de beste van de getoonde.",
                    "Four-fifths rule: a group whose placement rate is below 80% of the rate of the best-placed group in the same grouping is flagged (⚠). It is a signal to look further, not a verdict: in small groups it can be chance, which is why group sizes are shown. Groups without learners and groups with a withheld count (< 10 or ×) take no part: the best group is the best of those shown.",
                ))
            }
            h3 #kr-flags { (lang.t("Markeringen", "Flags")) }
            @if flags.is_empty() {
                p { (lang.t("Geen enkele groep valt onder 4/5 van de beste.", "No group falls below 4/5 of the best.")) }
            } @else {
                ul.flags aria-labelledby="kr-flags" {
                    @for (s, g, c) in &flags {
                        li {
                            span.flag { "⚠ " }
                            @if !s.tag.is_empty() { (s.tag) ": " }
                            (g.title(lang)) ": " strong { (g.label(lang, &c.group)) } " — "
                            (lang.pct(c.rate.unwrap_or(0.0))) " "
                            (lang.t("geplaatst", "placed")) " (" (c.placed) "/" (c.learners) "), "
                            (lang.t("verhouding tot de beste", "ratio to the best")) " "
                            (lang.dec(c.ratio.unwrap_or(0.0), 2))
                        }
                    }
                }
            }
            @for g in Grouping::ALL {
                (grouping(lang, sides, g))
            }
        }
    }
}

/// One grouping: note, chart, table, and the groups without learners.
fn grouping(lang: Lang, sides: &[Side], g: Grouping) -> Markup {
    let id = format!("kr-g-{}", g.id());
    let all: Vec<Vec<GroupCheck>> = sides.iter().map(|s| checks(g, s.summary)).collect();
    let keys: BTreeSet<&str> = all.iter().flatten().map(|c| c.group.as_str()).collect();
    let mut keys: Vec<&str> = keys.into_iter().collect();
    keys.sort_by_cached_key(|k| g.order(k));
    let (shown, empty): (Vec<&str>, Vec<&str>) = keys.into_iter().partition(|k| {
        all.iter()
            .any(|cs| find(cs, k).is_some_and(|c| c.learners != Cell::Value(0)))
    });
    html! {
        section aria-labelledby=(id) {
            h3 id=(id) { (g.title(lang)) }
            @if let Some(n) = g.note(lang) { p.note { (n) } }
            @if shown.is_empty() {
                p { (lang.t(
                    "Niet beschikbaar: dit summary.json bevat deze indeling niet (ouder formaat) of heeft geen leerlingen.",
                    "Not available: this summary.json lacks this grouping (older format) or has no learners.",
                )) }
            } @else {
                (figure(lang, sides, g, &id, &all, &shown))
                (table(lang, sides, g, &all, &shown))
            }
            @if !empty.is_empty() {
                p.note {
                    (lang.t("Zonder leerlingen: ", "Without learners: "))
                    @for (i, k) in empty.iter().enumerate() {
                        @if i > 0 { ", " }
                        (g.label(lang, k))
                    }
                    "."
                }
            }
        }
    }
}

fn figure(
    lang: Lang,
    sides: &[Side],
    g: Grouping,
    id: &str,
    all: &[Vec<GroupCheck>],
    shown: &[&str],
) -> Markup {
    let flagged_in = |k: &str| all.iter().any(|cs| find(cs, k).is_some_and(|c| c.flagged));
    // A withheld group has no bar; its label says why, so that it does not read as 0 %.
    let withheld_in = |k: &str| {
        all.iter()
            .filter_map(|cs| find(cs, k))
            .flat_map(|c| [c.learners, c.placed])
            .filter_map(|c| c.why())
            .min_by_key(|w| *w != Hidden::BelowThreshold)
            .map(|w| Cell::hidden(w).to_string())
    };
    let categories: Vec<String> = shown
        .iter()
        .map(|k| {
            let label = g.label(lang, k);
            match (flagged_in(k), withheld_in(k)) {
                (true, _) => format!("{label} ⚠"),
                (false, Some(m)) => format!("{label} ({m})"),
                (false, None) => label,
            }
        })
        .collect();
    let series: Vec<Series> = sides
        .iter()
        .zip(all)
        .map(|(s, cs)| Series {
            name: s.name(lang),
            values: shown
                .iter()
                .map(|k| find(cs, k).and_then(|c| c.rate))
                .collect(),
            flagged: shown
                .iter()
                .map(|k| find(cs, k).is_some_and(|c| c.flagged))
                .collect(),
            marker: best_rate(cs).map(|b| b * 0.8),
        })
        .collect();
    let title = format!(
        "{}: {}",
        lang.t("Plaatsingsgraad per groep", "Placement rate per group"),
        g.title(lang)
    );
    let flagged: Vec<String> = shown
        .iter()
        .filter(|k| flagged_in(k))
        .map(|k| g.label(lang, k))
        .collect();
    let desc = format!(
        "{} {}",
        lang.t(
            "Horizontale staven; de stippellijn staat op 4/5 van de beste groep.",
            "Horizontal bars; the dashed line is at 4/5 of the best group.",
        ),
        if flagged.is_empty() {
            lang.t("Geen groep gemarkeerd.", "No group flagged.")
                .to_owned()
        } else {
            format!(
                "{} {}.",
                lang.t("Gemarkeerd:", "Flagged:"),
                flagged.join(", ")
            )
        }
    );
    let labels = Labels {
        id: &format!("{id}-chart"),
        title: &title,
        desc: &desc,
        marker: if sides.len() == 2 {
            lang.t(
                "4/5 van de beste groep (per toewijzing, in haar kleur)",
                "4/5 of the best group (per allocation, in its colour)",
            )
        } else {
            lang.t("4/5 van de beste groep", "4/5 of the best group")
        },
    };
    let svg = chart::hbars(lang, &labels, &categories, &series, Scale::Share);
    html! {
        figure {
            @match svg {
                Ok(svg) => (PreEscaped(svg)),
                Err(e) => p { (lang.t("Grafiek niet beschikbaar: ", "Chart unavailable: ")) (e) },
            }
            figcaption { (title) ". " (desc) }
        }
    }
}

fn cells(lang: Lang, c: Option<&GroupCheck>) -> Markup {
    let dash = || html! { "—" };
    html! {
        @match c {
            Some(c) => {
                td.num { (c.learners) }
                td.num { (c.placed) }
                td.num { @match c.rate { Some(r) => (lang.pct(r)), None => (dash()) } }
                td.num { @match c.ratio { Some(r) => (lang.dec(r, 2)), None => (dash()) } }
                td {
                    @if c.flagged { span.flag { (flag_text(lang)) } }
                    @else if c.best { span.best { (lang.t("★ beste", "★ best")) } }
                    @else if c.rate.is_some() && c.ratio.is_some() { "ok" }
                    @else { (dash()) }
                }
            }
            None => @for _ in 0..5 { td.num { (dash()) } },
        }
    }
}

fn table(
    lang: Lang,
    sides: &[Side],
    g: Grouping,
    all: &[Vec<GroupCheck>],
    shown: &[&str],
) -> Markup {
    let compare = sides.len() == 2;
    let columns = [
        lang.t("Leerlingen", "Learners"),
        lang.t("Geplaatst", "Placed"),
        lang.t("Plaatsingsgraad", "Placement rate"),
        lang.t("Verhouding tot beste", "Ratio to best"),
        lang.t("Vier-vijfderegel", "Four-fifths rule"),
    ];
    html! {
        div.scroll { table {
            caption { (g.title(lang)) ": " (lang.t("plaatsingsgraad per groep", "placement rate per group")) }
            thead {
                @if compare {
                    tr {
                        td {}
                        @for s in sides { th scope="colgroup" colspan="5" { (s.name(lang)) } }
                        td {}
                    }
                }
                tr {
                    th scope="col" { (lang.t("Groep", "Group")) }
                    @for _ in sides { @for c in columns { th scope="col" { (c) } } }
                    @if compare { th scope="col" { (lang.t("Verschil in graad (B − A)", "Difference in rate (B − A)")) } }
                }
            }
            tbody {
                @for k in shown {
                    @let row: Vec<Option<&GroupCheck>> = all.iter().map(|cs| find(cs, k)).collect();
                    tr.flagged[row.iter().flatten().any(|c| c.flagged)] {
                        th scope="row" { (g.label(lang, k)) }
                        @for c in &row { (cells(lang, *c)) }
                        @if compare {
                            td.num {
                                @match (row[0].and_then(|c| c.rate), row[1].and_then(|c| c.rate)) {
                                    (Some(a), Some(b)) => (lang.pp(b - a)),
                                    _ => "—",
                                }
                            }
                        }
                    }
                }
            }
        } }
    }
}
