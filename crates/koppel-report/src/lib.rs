//! Koppel's allocation fairness report: a [`Summary`] (what `koppel allocate` writes to
//! `summary.json` and the service stores per job) rendered as HTML with inline SVG charts.
//!
//! **Invariant: rendering is pure.** No files, no clock, no network, no environment: a summary
//! (and optionally a second one to compare with) and a language go in, a string comes out. The
//! caller reads and writes files (`koppel report`, `src/commands/report.rs`) or serves the page
//! (the analyst pages of `koppel-server`).
//!
//! The report shows where the summary came from (policy, data, mode, k, time), headline numbers,
//! for every grouping of learners (region, school type, level, placement kind, support need,
//! register, at risk, age band) a chart and a table of placement rates with the four-fifths
//! check ([`koppel_core::allocate::report::fairness`]), the distribution of scores and ranks of
//! the placed, and the unplaced by reason. With a second summary, both are shown side by side
//! with the difference in rate per group.
//!
//! **Invariant: the report shows only published counts.** Both entry points pass their
//! summaries through [`protect`] (the disclosure rule: counts below 10 as `< 10`, secondary
//! cells as `×`, rates and flags only where both counts are published) before reading a single
//! number, so a raw summary or a file from before the rule renders exactly as its protected
//! form would. Protecting a protected summary changes nothing.
//!
//! ```
//! use koppel_report::{render, render_fragment, Lang};
//! # let json = include_str!("../../../fixtures/reports/crafted/summary.json");
//! let summary: koppel_core::allocate::report::Summary = serde_json::from_str(json).unwrap();
//! let page: String = render(&summary, None, Lang::En);        // a whole HTML document
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! let part: String = render_fragment(&summary, None, Lang::Nl); // a <div> to embed
//! assert!(part.starts_with("<div class=\"koppel-report\""));
//! ```

mod chart;
mod distributions;
mod groups;
mod i18n;
mod overview;

use koppel_core::allocate::report::{protect, Summary};
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// The report's language. Every label exists in both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Dutch (the default).
    #[default]
    Nl,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 code: `nl` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// The language of a code (`nl`, `en`, case-insensitive); `None` for any other.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.to_ascii_lowercase().as_str() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The CSS the report needs, every rule scoped to `.koppel-report`. [`render`] inlines it; a
/// page that embeds [`render_fragment`] includes it once in its own `<style>` or stylesheet.
pub const STYLE: &str = include_str!("report.css");

/// The page around the report in [`render`].
const PAGE_STYLE: &str = "\nbody{margin:1.5rem;background:#fff;color:#222;\
    font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}\n";

/// The report as a complete, self-contained HTML document: `<html lang>`, inline CSS, inline
/// SVG charts; no scripts, no external files.
///
/// `report` is the allocation reported on. With `compare`, both are shown side by side as A
/// (`report`) and B (`compare`), with B − A per group.
pub fn render(report: &Summary, compare: Option<&Summary>, lang: Lang) -> String {
    let title = title(compare.is_some(), lang);
    let doc = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Koppel" }
                style { (PreEscaped(STYLE)) (PreEscaped(PAGE_STYLE)) }
            }
            body {
                main {
                    h1 { (title) }
                    (fragment(report, compare, lang))
                }
            }
        }
    };
    doc.into_string()
}

/// The report's body only, for a page that has its own layout: one
/// `<div class="koppel-report" lang="…">` holding sections whose headings start at `<h2>` (the
/// page supplies the `<h1>`). The string is HTML, already escaped: embed it as is (with maud,
/// `PreEscaped(render_fragment(…))`), and include [`STYLE`] in the page. Same arguments as
/// [`render`]; element ids start with `kr-`.
pub fn render_fragment(report: &Summary, compare: Option<&Summary>, lang: Lang) -> String {
    fragment(report, compare, lang).into_string()
}

/// What the markers mean, once per report.
fn legend(lang: Lang) -> Markup {
    html! {
        section aria-labelledby="kr-disclosure" {
            h2 #kr-disclosure { (lang.t("Afgeschermde aantallen", "Withheld counts")) }
            p.note {
                (lang.t(
                    "Aantallen van minder dan 10 leerlingen staan er niet: « < 10 ». Een « × » is een aantal van 10 of meer dat is afgeschermd omdat je anders een aantal onder de 10 zou kunnen uitrekenen (bijvoorbeeld als verschil met het totaal). Een groep zonder leerlingen staat er met 0. Percentages, verhoudingen en de vier-vijfderegel staan er alleen bij groepen waarvan beide aantallen getoond worden.",
                    "Counts of fewer than 10 learners are not shown: “< 10”. A “×” is a count of 10 or more withheld because otherwise a count below 10 could be worked out (for instance as a difference from the total). A group without learners is shown as 0. Rates, ratios and the four-fifths rule are shown only for groups whose two counts are both shown.",
                ))
            }
        }
    }
}

fn title(compare: bool, lang: Lang) -> &'static str {
    if compare {
        lang.t(
            "Toewijzingen vergeleken: uitkomsten per groep",
            "Allocations compared: outcomes per group",
        )
    } else {
        lang.t(
            "Toewijzing: uitkomsten per groep",
            "Allocation: outcomes per group",
        )
    }
}

/// One allocation in the report: its tag (`A`, `B`; empty when alone) and summary.
#[derive(Clone, Copy)]
pub(crate) struct Side<'a> {
    pub tag: &'static str,
    pub summary: &'a Summary,
}

impl Side<'_> {
    /// Legend and column name: `A (optimaal)`, or the mode alone without a comparison.
    pub(crate) fn name(&self, lang: Lang) -> String {
        let mode = lang.mode(self.summary.mode);
        if self.tag.is_empty() {
            mode.to_owned()
        } else {
            format!("{} ({mode})", self.tag)
        }
    }
}

fn fragment(report: &Summary, compare: Option<&Summary>, lang: Lang) -> Markup {
    let report = &protect(report);
    let compare = compare.map(protect);
    let compare = compare.as_ref();
    let sides: Vec<Side> = match compare {
        None => vec![Side {
            tag: "",
            summary: report,
        }],
        Some(b) => vec![
            Side {
                tag: "A",
                summary: report,
            },
            Side {
                tag: "B",
                summary: b,
            },
        ],
    };
    html! {
        div.koppel-report lang=(lang.code()) {
            (overview::provenance(lang, &sides))
            (overview::headline(lang, &sides))
            (groups::section(lang, &sides))
            (distributions::histograms(lang, &sides))
            (distributions::unplaced(lang, &sides))
            (legend(lang))
        }
    }
}
