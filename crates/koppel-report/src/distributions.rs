//! Distributions of the placed (score, rank) and the unplaced by reason.

use crate::chart::{self, Labels, Scale, Series};
use crate::i18n::reason;
use crate::{Lang, Side};
use koppel_core::allocate::report::{Bin, Summary};
use koppel_core::disclosure::{share, Cell};
use maud::{html, Markup, PreEscaped};

/// A bin label for display: an en dash for ranges.
fn bin_label(label: &str) -> String {
    label.replacen('-', "–", 1)
}

fn figure(lang: Lang, svg: Result<String, String>, caption: &str) -> Markup {
    html! {
        figure {
            @match svg {
                Ok(svg) => (PreEscaped(svg)),
                Err(e) => p { (lang.t("Grafiek niet beschikbaar: ", "Chart unavailable: ")) (e) },
            }
            figcaption { (caption) }
        }
    }
}

/// A table of counts per row label, one column per allocation, with shares of `total`.
fn count_table(
    lang: Lang,
    sides: &[Side],
    caption: &str,
    first: &str,
    rows: &[(String, Vec<Cell>)],
    total: fn(&Summary) -> Cell,
) -> Markup {
    html! {
        table {
            caption { (caption) }
            thead {
                tr {
                    th scope="col" { (first) }
                    @for s in sides {
                        th scope="col" {
                            @if !s.tag.is_empty() { (s.tag) ": " }
                            (lang.t("aantal", "count"))
                        }
                        th scope="col" {
                            @if !s.tag.is_empty() { (s.tag) ": " }
                            (lang.t("aandeel", "share"))
                        }
                    }
                }
            }
            tbody {
                @for (label, counts) in rows {
                    tr {
                        th scope="row" { (label) }
                        @for (s, n) in sides.iter().zip(counts) {
                            td.num { (n) }
                            td.num {
                                @match share(*n, total(s.summary)) {
                                    Some(x) => (lang.pct(x)),
                                    None => "—",
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One histogram: chart and table.
fn histogram(
    lang: Lang,
    sides: &[Side],
    id: &str,
    title: &str,
    bins: fn(&Summary) -> &Vec<Bin>,
) -> Markup {
    let labels: Vec<String> = sides
        .iter()
        .map(|s| bins(s.summary))
        .max_by_key(|b| b.len())
        .map(|b| b.iter().map(|x| x.label.clone()).collect())
        .unwrap_or_default();
    if labels.is_empty() {
        return html! {
            h3 id=(id) { (title) }
            p { (lang.t(
                "Niet beschikbaar: dit summary.json bevat deze verdeling niet (ouder formaat).",
                "Not available: this summary.json lacks this distribution (older format).",
            )) }
        };
    }
    let count = |s: &Summary, label: &str| {
        bins(s)
            .iter()
            .find(|b| b.label == label)
            .map_or(Cell::Value(0), |b| b.count)
    };
    let series: Vec<Series> = sides
        .iter()
        .map(|s| Series {
            name: s.name(lang),
            values: labels
                .iter()
                .map(|l| count(s.summary, l).value().map(|v| v as f64))
                .collect(),
            flagged: Vec::new(),
            marker: None,
        })
        .collect();
    let shown: Vec<String> = labels.iter().map(|l| bin_label(l)).collect();
    let desc = lang.t(
        "Staafdiagram: aantal geplaatste leerlingen per klasse; een afgeschermde klasse (< 10 of ×) heeft geen staaf.",
        "Bar chart: placed learners per bin; a withheld bin (< 10 or ×) has no bar.",
    );
    let chart_labels = Labels {
        id: &format!("{id}-chart"),
        title,
        desc,
        marker: "",
    };
    let rows: Vec<(String, Vec<Cell>)> = labels
        .iter()
        .zip(&shown)
        .map(|(l, s)| {
            (
                s.clone(),
                sides.iter().map(|x| count(x.summary, l)).collect(),
            )
        })
        .collect();
    html! {
        h3 id=(id) { (title) }
        (figure(lang, chart::vbars(lang, &chart_labels, &shown, &series), &format!("{title}. {desc}")))
        (count_table(lang, sides, title, lang.t("Klasse", "Bin"), &rows, |s| s.placed))
    }
}

/// Score and rank distributions of the placed.
pub(crate) fn histograms(lang: Lang, sides: &[Side]) -> Markup {
    html! {
        section aria-labelledby="kr-distributions" {
            h2 #kr-distributions { (lang.t("Verdeling onder de geplaatsten", "Distribution among the placed")) }
            p.note {
                (lang.t(
                    "Score: de paarscore 0–1000 zonder prioriteitsbonus. Rang: de plaats van de toegewezen plek in de eigen lijst van de leerling (1 = eerste keus).",
                    "Score: the pair score 0–1000 without priority bonus. Rank: the position of the assigned placement in the learner's own list (1 = first choice).",
                ))
            }
            (histogram(lang, sides, "kr-scores", lang.t("Scores van de geplaatsten", "Scores of the placed"), |s| &s.score_histogram))
            (histogram(lang, sides, "kr-ranks", lang.t("Rang van de toegewezen plek", "Rank of the assigned placement"), |s| &s.rank_histogram))
        }
    }
}

/// The unplaced by reason.
pub(crate) fn unplaced(lang: Lang, sides: &[Side]) -> Markup {
    let mut keys: Vec<&str> = Vec::new();
    for s in sides {
        for k in s.summary.unplaced_by_reason.keys() {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    let count = |s: &Summary, k: &str| {
        s.unplaced_by_reason
            .get(k)
            .copied()
            .unwrap_or(Cell::Value(0))
    };
    // Largest first among the shown; withheld reasons after them in key order, so that the
    // order says nothing about their size.
    let order = |k: &&str| {
        let counts: Option<Vec<u64>> = sides.iter().map(|s| count(s.summary, k).value()).collect();
        counts.map(|c| std::cmp::Reverse(c.iter().sum::<u64>()))
    };
    keys.sort_by(|a, b| {
        let (x, y) = (order(a), order(b));
        y.is_some().cmp(&x.is_some()).then(x.cmp(&y)).then(a.cmp(b))
    });
    let title = lang.t("Niet geplaatst, naar reden", "Unplaced, by reason");
    let labels: Vec<String> = keys.iter().map(|k| reason(lang, k)).collect();
    let rows: Vec<(String, Vec<Cell>)> = keys
        .iter()
        .zip(&labels)
        .map(|(k, l)| {
            (
                l.clone(),
                sides.iter().map(|s| count(s.summary, k)).collect(),
            )
        })
        .collect();
    let series: Vec<Series> = sides
        .iter()
        .map(|s| Series {
            name: s.name(lang),
            values: keys
                .iter()
                .map(|k| count(s.summary, k).value().map(|v| v as f64))
                .collect(),
            flagged: Vec::new(),
            marker: None,
        })
        .collect();
    let desc = lang.t(
        "Horizontale staven: aantal niet-geplaatste leerlingen per reden. Zonder passende plek telt de beperking die de meeste plekken binnen bereik uitsluit.",
        "Horizontal bars: unplaced learners per reason. Without a feasible placement, the constraint that rules out the most placements in reach counts.",
    );
    let chart_labels = Labels {
        id: "kr-unplaced-chart",
        title,
        desc,
        marker: "",
    };
    let none_unplaced = sides.iter().all(|s| s.summary.unplaced == Cell::Value(0));
    html! {
        section aria-labelledby="kr-unplaced" {
            h2 #kr-unplaced { (title) }
            @if none_unplaced {
                p { (lang.t("Iedereen is geplaatst.", "Everyone was placed.")) }
            } @else if keys.is_empty() {
                p { (lang.t(
                    "Niet beschikbaar: dit summary.json bevat geen redenen (ouder formaat).",
                    "Not available: this summary.json lacks reasons (older format).",
                )) }
            } @else {
                (figure(lang, chart::hbars(lang, &chart_labels, &labels, &series, Scale::Count), &format!("{title}. {desc}")))
                (count_table(lang, sides, title, lang.t("Reden", "Reason"), &rows, |s| s.unplaced))
            }
        }
    }
}
