//! The report rendered from the demo allocation and from crafted summaries: charts, tables,
//! four-fifths flags, provenance and both languages, checked on the HTML text.

use koppel_core::allocate::report::{protect, Counts, Summary};
use koppel_core::disclosure::Cell;
use koppel_report::{render, render_fragment, Lang};
use std::path::PathBuf;

fn fixture(name: &str) -> Summary {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/reports")
        .join(name)
        .join("summary.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The table row (`<tr …>…</tr>`) whose header cell is `label`.
fn row<'a>(html: &'a str, label: &str) -> &'a str {
    let th = format!("<th scope=\"row\">{label}</th>");
    let at = html
        .find(&th)
        .unwrap_or_else(|| panic!("no row for {label}"));
    let start = html[..at].rfind("<tr").expect("row start");
    let end = at + html[at..].find("</tr>").expect("row end");
    &html[start..end]
}

/// Every inline SVG.
fn svgs(html: &str) -> Vec<&str> {
    html.match_indices("<svg ")
        .map(|(at, _)| {
            let end = at + html[at..].find("</svg>").expect("closed svg") + "</svg>".len();
            &html[at..end]
        })
        .collect()
}

#[test]
fn demo_report_has_charts_tables_and_provenance() {
    let s = fixture("demo-optimal");
    let html = render(&s, None, Lang::Nl);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"nl\">"));
    assert_eq!(html.matches("<h1>").count(), 1);
    // 8 groupings, 2 histograms, unplaced by reason.
    assert_eq!(
        svgs(&html).len(),
        11,
        "one chart per grouping, histogram and reasons"
    );
    for id in [
        "region",
        "school-type",
        "level",
        "kind",
        "support-need",
        "register",
        "at-risk",
        "age-band",
    ] {
        assert!(html.contains(&format!("<h3 id=\"kr-g-{id}\">")), "{id}");
    }
    // A row per demo region with learners, with its counts as published.
    let c = protect(&s).by_region["rijnmond"];
    let r = row(&html, "rijnmond");
    assert!(
        r.contains(&format!(">{}</td>", c.learners)) && r.contains(&format!(">{}</td>", c.placed)),
        "{r}"
    );
    assert!(row(&html, "praktijkonderwijs (pro)").contains("<td"));
    assert!(row(&html, "15-17 jaar").contains("<td"));
    // Empty regions are named, not tabled.
    assert!(
        s.by_region["twente"].learners == Cell::Value(0)
            && !html.contains("<th scope=\"row\">twente</th>")
    );
    // Provenance.
    let p = s.provenance.as_ref().expect("demo summary has provenance");
    assert!(html.contains(&p.data) && html.contains(&p.policy));
    assert!(html.contains(p.policy_sha256.as_deref().unwrap()));
    assert!(html.contains(&p.created_at));
    // Histograms and reasons.
    assert!(row(&html, "900–1000").contains("<td"));
    assert!(row(&html, "4–5").contains("<td"));
    assert!(html.contains("geen passende plek, vooral: niet ingeschreven op een school"));
}

#[test]
fn crafted_flagged_group_is_flagged_and_unflagged_one_is_not() {
    let s = fixture("crafted");
    for (lang, flag, best) in [
        (Lang::Nl, "⚠ onder 4/5", "★ beste"),
        (Lang::En, "⚠ below 4/5", "★ best"),
    ] {
        let html = render(&s, None, lang);
        // 12/40 = 0.30 < 0.8 × 0.90; 48/60 = 0.80 ≥ 0.72.
        let flagged = row(&html, "crafted-flagged");
        assert!(
            flagged.contains(flag) && flagged.starts_with("<tr class=\"flagged\""),
            "{flagged}"
        );
        assert!(
            flagged.contains(">40</td>") && flagged.contains(">12</td>"),
            "group sizes: {flagged}"
        );
        let unflagged = row(&html, "crafted-unflagged");
        assert!(
            !unflagged.contains('⚠') && !unflagged.contains("class=\"flagged\""),
            "{unflagged}"
        );
        assert!(row(&html, "crafted-best").contains(best));
        // Listed among the flags, and in the chart's description.
        assert!(html.contains("<strong>crafted-flagged</strong>"));
        assert!(!html.contains("<strong>crafted-unflagged</strong>"));
        assert!(
            html.contains("crafted-flagged ⚠\n</text>"),
            "chart label carries the flag"
        );
        // The empty group is named but neither flagged nor tabled.
        assert!(
            !html.contains("<th scope=\"row\">crafted-empty</th>")
                && html.contains("crafted-empty")
        );
    }
}

#[test]
fn both_languages_have_their_own_labels() {
    let s = fixture("crafted");
    let nl = render(&s, None, Lang::Nl);
    let en = render(&s, None, Lang::En);
    assert!(en.contains("<html lang=\"en\">"));
    for (html, own, other) in [
        (
            &nl,
            [
                "Herkomst",
                "Plaatsingsgraad",
                "Vier-vijfderegel",
                "Niet geplaatst, naar reden",
                "Leeftijd bij start",
            ],
            ["Provenance", "Placement rate", "Four-fifths rule"],
        ),
        (
            &en,
            [
                "Provenance",
                "Placement rate",
                "Four-fifths rule",
                "Unplaced, by reason",
                "Age at start",
            ],
            ["Herkomst", "Plaatsingsgraad", "Vier-vijfderegel"],
        ),
    ] {
        for w in own {
            assert!(html.contains(w), "missing {w}");
        }
        for w in other {
            assert!(!html.contains(w), "{w} leaked into the other language");
        }
    }
    assert!(
        nl.contains("30,0\u{a0}%") && en.contains("30.0%"),
        "numbers in the language's style"
    );
}

#[test]
fn charts_are_accessible_well_formed_svg() {
    let html = render(
        &fixture("demo-optimal"),
        Some(&fixture("demo-stable")),
        Lang::En,
    );
    let charts = svgs(&html);
    assert_eq!(charts.len(), 11);
    for svg in charts {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        let ids = root.attribute("aria-labelledby").expect("labelled");
        let title = root
            .children()
            .find(|n| n.is_element())
            .expect("a first child");
        assert_eq!(title.tag_name().name(), "title");
        assert!(ids.split(' ').any(|id| title.attribute("id") == Some(id)));
        assert!(!title.text().unwrap_or("").is_empty());
    }
    // Each chart sits in a figure with a caption.
    assert_eq!(html.matches("<figure>").count(), 11);
    assert_eq!(html.matches("<figcaption>").count(), 11);
}

#[test]
fn the_document_is_self_contained() {
    let html = render(
        &fixture("demo-optimal"),
        Some(&fixture("demo-stable")),
        Lang::Nl,
    );
    for outside in ["<script", "<link", "src=", "href=", "url(", "@import"] {
        assert!(!html.contains(outside), "{outside}");
    }
    assert!(html.contains("<style>"));
}

#[test]
fn a_comparison_shows_both_allocations_and_the_differences() {
    let (a, b) = (fixture("demo-optimal"), fixture("demo-stable"));
    let html = render(&a, Some(&b), Lang::Nl);
    assert!(html.contains("A (optimaal)") && html.contains("B (stabiel)"));
    assert!(html.contains("Verschil in graad (B − A)"));
    // The difference of one group, in percentage points.
    let (ca, cb) = (
        protect(&a).by_region["rijnmond"],
        protect(&b).by_region["rijnmond"],
    );
    let rate = |c: Counts| c.placed.value().unwrap() as f64 / c.learners.value().unwrap() as f64;
    let d = rate(cb) - rate(ca);
    let pp = format!("{:.1}", d * 100.0).replace('.', ",");
    assert!(
        row(&html, "rijnmond").contains(&pp),
        "{pp} in {}",
        row(&html, "rijnmond")
    );
    // Both provenances.
    assert!(html.contains(">optimaal<") && html.contains(">stabiel<"));
    assert_eq!(html.matches("<svg ").count(), 11);
}

#[test]
fn the_fragment_is_the_body_only() {
    let s = fixture("crafted");
    let f = render_fragment(&s, None, Lang::En);
    assert!(f.starts_with("<div class=\"koppel-report\" lang=\"en\">"));
    assert!(!f.contains("<html") && !f.contains("<h1") && !f.contains("<style"));
    assert!(f.contains("<h2") && f.contains("<svg "));
    assert!(
        render(&s, None, Lang::En).contains(&f),
        "the document embeds the same fragment"
    );
}

#[test]
fn group_names_are_escaped() {
    let mut s = fixture("crafted");
    s.by_region.insert("<b>x</b>".into(), Counts::new(10, 1));
    let html = render(&s, None, Lang::En);
    assert!(!html.contains("<b>x</b>"));
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
}

#[test]
fn an_older_summary_without_the_new_fields_still_renders() {
    let mut v: serde_json::Value = serde_json::to_value(fixture("demo-optimal")).unwrap();
    let m = v.as_object_mut().unwrap();
    for k in [
        "by_level",
        "by_kind",
        "by_age_band",
        "score_histogram",
        "rank_histogram",
        "unplaced_by_reason",
        "provenance",
    ] {
        m.remove(k);
    }
    let old: Summary = serde_json::from_value(v).unwrap();
    let html = render(&old, None, Lang::En);
    assert!(html.contains("records no provenance"));
    assert!(html.contains("lacks this grouping"));
    assert!(html.contains("lacks this distribution"));
    assert!(html.contains("lacks reasons"));
    assert!(row(&html, "rijnmond").contains("<td"));
}

#[test]
fn small_groups_are_withheld_and_never_flagged() {
    use koppel_core::allocate::report::fairness::four_fifths;
    // An older file with plain numbers: region `tiny` has 6 learners, none placed.
    let s = fixture("small-groups");
    let raw = four_fifths(&s.by_region);
    assert!(
        raw.iter().any(|c| c.group == "tiny" && c.flagged),
        "unprotected, the rule would flag the tiny region (and publish its 0 of 6)"
    );
    for (lang, flag) in [(Lang::Nl, "⚠ onder 4/5"), (Lang::En, "⚠ below 4/5")] {
        let html = render(&s, None, lang);
        let tiny = row(&html, "tiny");
        assert_eq!(tiny.matches(">&lt; 10</td>").count(), 2, "{tiny}");
        assert!(
            !tiny.contains(flag) && !tiny.contains("class=\"flagged\""),
            "{tiny}"
        );
        assert!(!tiny.contains('%'), "no rate for a withheld group: {tiny}");
        // Region `big-b` is withheld too, or 120 − 60 − 54 would give `tiny` away.
        let b = row(&html, "big-b");
        assert_eq!(b.matches(">×</td>").count(), 2, "{b}");
        assert!(!b.contains(flag) && !b.contains('%'), "{b}");
        assert!(row(&html, "big-a").contains(">60</td>"));
        assert!(
            !html.contains("<strong>tiny</strong>"),
            "not among the flags"
        );
        assert!(
            html.contains("tiny (&lt; 10)\n</text>"),
            "the chart says why there is no bar"
        );
        // Everyone with a job coach was placed (12 of 12): the placed count goes.
        let coach = row(
            &html,
            if lang == Lang::Nl {
                "jobcoach"
            } else {
                "job coach"
            },
        );
        assert!(
            coach.contains(">12</td>") && coach.contains(">×</td>"),
            "{coach}"
        );
        // Histogram bins and reasons below 10, and the totals they would give away.
        assert!(row(&html, "400–499").contains("&lt; 10"));
        assert!(row(&html, "900–1000").contains("&lt; 10"));
        assert!(!html.contains("49000") && !html.contains("49600"));
        // The empty group is about nobody: named, as before.
        assert!(html.contains("nobody") && !html.contains("<th scope=\"row\">nobody</th>"));
        assert!(html.contains(if lang == Lang::Nl {
            "Afgeschermde aantallen"
        } else {
            "Withheld counts"
        }));
    }
}

#[test]
fn a_protected_summary_renders_the_same_as_its_raw_form() {
    let s = fixture("small-groups");
    let p = protect(&s);
    assert_eq!(render(&s, None, Lang::En), render(&p, None, Lang::En));
    // And it reads back from its own JSON.
    let back: Summary = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}
