//! Browser tests: a real headless Chromium against a real `koppel serve`, one person per role,
//! as the web pages are used. Screenshots for the docs: `KOPPEL_SCREENSHOTS=docs/screenshots`.

mod common;
#[path = "browser/driver.rs"]
mod driver;

use common::{Demo, Server};
use driver::Browser;
use std::time::Duration;

#[test]
fn an_advisor_reads_a_learners_matches_asks_why_not_and_proposes() {
    let demo = Demo::load();
    let srv = Server::start();
    let advisor = srv.token("advisor", &["rijnmond"]);
    // A learner of the region with a full list of matches.
    let learner = demo
        .learners
        .iter()
        .filter(|l| l["region"] == "rijnmond")
        .find(|l| {
            let path = format!("/v1/learners/{}/matches?k=5", l["id"].as_str().unwrap());
            common::json(srv.get(&advisor, &path), 200)["matches"]
                .as_array()
                .is_some_and(|m| m.len() == 5)
        })
        .expect("a rijnmond learner with five matches");
    let (id, name) = (
        learner["id"].as_str().unwrap(),
        learner["name"].as_str().unwrap(),
    );
    let b = Browser::start(&srv.base);

    // Not signed in: the pages send you to sign in, and come back after.
    b.goto(&format!("/learners/{id}"));
    assert!(b.path().starts_with("/sign-in"), "{}", b.path());
    b.screenshot("sign-in");
    b.fill("#token", &advisor);
    b.click("form[action='/sign-in'] button[type=submit]");
    assert_eq!(b.path(), format!("/learners/{id}"));

    // Find by name.
    b.goto("/learners");
    b.fill("#q", &name[..name.len().min(6)]);
    b.click("form[role=search] button[type=submit]");
    let link = b.find(&format!("a[href='/learners/{id}']"));
    b.click_el(&link);
    assert_eq!(b.path(), format!("/learners/{id}"));
    assert!(b.text("h1").contains(name));
    b.screenshot("advisor-learner");

    // Every card's bar segments add up to its score, in points and in drawn length.
    let cards = b.find_all("article.card");
    assert!(
        !cards.is_empty(),
        "the demo learner has matches: {}",
        b.js("return document.body.innerText;", vec![])
    );
    let check = b.js(
        "return [...document.querySelectorAll('.stack')].map(s => {
            const parts = [...s.children];
            return {
              score: +s.dataset.score,
              points: parts.reduce((a, p) => a + +p.dataset.points, 0),
              width: s.clientWidth,
              drawn: parts.reduce((a, p) => a + p.getBoundingClientRect().width, 0),
              n: parts.length,
            };
        });",
        vec![],
    );
    for bar in check.as_array().unwrap() {
        assert_eq!(bar["score"], bar["points"], "{bar}");
        assert_eq!(bar["n"], 7, "one segment per component: {bar}");
        let want = bar["score"].as_f64().unwrap() / 1000.0 * bar["width"].as_f64().unwrap();
        let drawn = bar["drawn"].as_f64().unwrap();
        assert!(
            (drawn - want).abs() <= 2.0,
            "drawn {drawn} px, want {want} px: {bar}"
        );
    }

    // Filters: one kind; a distance.
    let cards_of = |b: &Browser| {
        b.js(
            "return [...document.querySelectorAll('article.card')].map(c => [c.dataset.kind, +c.dataset.km]);",
            vec![],
        )
        .as_array()
        .unwrap()
        .clone()
    };
    let all = cards_of(&b);
    let kind = all[0][0].as_str().unwrap().to_owned();
    b.goto(&format!("/learners/{id}?kind={kind}"));
    let only = cards_of(&b);
    assert!(!only.is_empty());
    assert!(only.iter().all(|c| c[0] == kind.as_str()), "{only:?}");
    let mut kms: Vec<f64> = all.iter().map(|c| c[1].as_f64().unwrap()).collect();
    kms.sort_by(f64::total_cmp);
    let limit = kms[kms.len() / 2];
    b.goto(&format!("/learners/{id}?max_km={limit}"));
    let near = cards_of(&b);
    assert!(!near.is_empty());
    assert!(
        near.iter().all(|c| c[1].as_f64().unwrap() <= limit),
        "{near:?}"
    );

    // Why not: a placement out of reach is explained constraint by constraint.
    let far = demo
        .placements
        .iter()
        .find(|p| p["region"] != "rijnmond" && p["region"] != "drechtsteden")
        .or_else(|| {
            demo.placements
                .iter()
                .find(|p| p["kind"] == "banenafspraak")
        })
        .unwrap();
    b.goto(&format!("/learners/{id}"));
    b.fill("#why", far["id"].as_str().unwrap());
    b.click("form[action$='/why'] button[type=submit]");
    let reasons = b.find_all("ul.violations li");
    let fits = !b.find_all(".notice").is_empty();
    assert!(
        fits || !reasons.is_empty(),
        "either it fits or it says why not"
    );
    if !fits {
        b.screenshot("advisor-why-not");
    }

    // Propose the best placement with a reason.
    b.goto(&format!("/learners/{id}"));
    let first = b.find("article.card");
    let placement = b.attr(&first, "data-placement").unwrap();
    b.fill(
        &format!("article.card[data-placement='{placement}'] input[name=reason]"),
        "past bij haar wens en reistijd",
    );
    b.click(&format!(
        "article.card[data-placement='{placement}'] form button[type=submit]"
    ));
    assert!(
        b.text(".notice").contains(&placement),
        "the proposal is confirmed"
    );
    let standing = b.find("#standing");
    assert_eq!(
        b.attr(&standing, "data-decided-by").as_deref(),
        Some("advisor")
    );
    assert!(
        b.text("#standing").contains(&placement),
        "the person's decision stands"
    );
    let audit = common::koppel()
        .args(["audit", "--db"])
        .arg(&srv.db)
        .args(["--learner", id])
        .output()
        .unwrap();
    let audit = String::from_utf8_lossy(&audit.stdout);
    assert!(
        audit.contains("propose"),
        "the proposal is audited:\n{audit}"
    );
    assert!(
        audit.contains("/learners/{id}"),
        "page reads are audited:\n{audit}"
    );

    // A form without its CSRF token is refused, in the page and by status.
    b.js(
        "document.querySelectorAll('input[name=csrf]').forEach(i => i.remove());",
        vec![],
    );
    b.fill(
        &format!("article.card[data-placement='{placement}'] input[name=reason]"),
        "zonder token",
    );
    b.click(&format!(
        "article.card[data-placement='{placement}'] form button[type=submit]"
    ));
    assert!(
        b.source().contains("did not come from this site"),
        "refused page"
    );
    let status = b.status_of(
        "POST",
        &format!("/learners/{id}/proposals"),
        &format!("placement={placement}&reason=x"),
    );
    assert_eq!(status, 403, "a form post without the CSRF token");
    let wrong = b.status_of(
        "POST",
        &format!("/learners/{id}/proposals"),
        &format!("csrf=00&placement={placement}&reason=x"),
    );
    assert_eq!(wrong, 403, "a form post with a wrong CSRF token");

    // Signing out ends the session.
    b.goto("/learners");
    b.click("form[action='/sign-out'] button");
    b.goto("/learners");
    assert!(b.path().starts_with("/sign-in"));
}

#[test]
fn a_desk_fixes_an_inline_error_and_sees_candidates_without_personal_data() {
    let demo = Demo::load();
    let srv = Server::start();
    let (employer, other) = demo.two_employers();
    let desk = srv.token("employer_desk", &[&employer]);
    let base = demo.placement_of(&employer);
    let b = Browser::start(&srv.base);
    b.sign_in(&desk);
    assert_eq!(b.path(), "/vacancies");

    b.click("a[href='/vacancies/new']");
    b.fill("#id", "PWEB0001");
    b.fill("#title", "Stage in de keuken");
    b.js(
        "document.querySelector('#sector').value = arguments[0];",
        vec![base["sector"].clone()],
    );
    b.js(
        "document.querySelector('#region').value = arguments[0];",
        vec![base["region"].clone()],
    );
    b.js(
        "document.querySelector('#kind').value = arguments[0];",
        vec![base["kind"].clone()],
    );
    b.fill(
        "#qualifications",
        &base["qualifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(","),
    );
    b.fill("#lat", &base["lat"].to_string());
    b.fill("#lon", &base["lon"].to_string());
    b.fill("#start_date", base["start_date"].as_str().unwrap());
    b.js(
        "document.querySelector('#start_date').value = arguments[0];",
        vec![base["start_date"].clone()],
    );
    b.fill("#desk", base["desk"].as_str().unwrap());
    b.fill("#capacity", "-3");
    b.click("form[action='/vacancies'] button[type=submit]");
    // The error sits beside its field, which is marked invalid; nothing else is lost.
    assert!(
        b.text("#capacity-error").len() > 3,
        "inline error under capacity"
    );
    let cap = b.find("#capacity");
    assert_eq!(b.attr(&cap, "aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        b.attr(&b.find("#title"), "value").as_deref(),
        Some("Stage in de keuken")
    );
    b.screenshot("desk-inline-error");

    b.fill("#capacity", "2");
    b.click("form[action='/vacancies'] button[type=submit]");
    assert_eq!(
        b.path(),
        "/vacancies/PWEB0001",
        "saved, on to its candidates"
    );
    b.wait_for("article.card", Duration::from_secs(20));
    b.screenshot("desk-candidates");
    let page = b.source();
    for l in &demo.learners {
        for field in ["name", "email", "birth_date"] {
            if let Some(v) = l[field].as_str() {
                assert!(!page.contains(v), "a learner's {field} on a desk page: {v}");
            }
        }
    }
    for word in ["support_needs", "essential", "in_register", "Jobcoach"] {
        assert!(!page.contains(word), "{word} on a desk page");
    }

    // Edit: a bad value is shown beside its field; a good one is saved.
    b.goto("/vacancies/PWEB0001/edit");
    b.fill("#hours_per_week", "99");
    b.click("form[action='/vacancies/PWEB0001/edit'] button[type=submit]");
    assert!(
        !b.text("#hours_per_week-error").is_empty(),
        "inline error on edit"
    );
    b.fill("#hours_per_week", "24");
    b.fill("#title", "Stage in de grote keuken");
    b.click("form[action='/vacancies/PWEB0001/edit'] button[type=submit]");
    assert_eq!(b.path(), "/vacancies/PWEB0001");
    assert_eq!(b.text("h1"), "Stage in de grote keuken");

    let audit = common::koppel()
        .args(["audit", "--db"])
        .arg(&srv.db)
        .output()
        .unwrap();
    let audit = String::from_utf8_lossy(&audit.stdout);
    assert!(
        audit.contains("GET /vacancies/{id}"),
        "a desk's look at candidates is audited:\n{audit}"
    );

    // Another role's page → 403; another employer's vacancy → 404.
    assert_eq!(b.status_of("GET", "/learners", ""), 403);
    assert_eq!(b.status_of("GET", "/allocations", ""), 403);
    let theirs = demo.placement_of(&other)["id"].as_str().unwrap().to_owned();
    assert_eq!(b.status_of("GET", &format!("/vacancies/{theirs}"), ""), 404);
    assert_eq!(
        b.status_of("GET", &format!("/vacancies/{theirs}/edit"), ""),
        404
    );
    b.goto("/learners");
    assert!(b.text("h1").contains("Niet toegestaan"), "Dutch by default");

    // Language switch.
    b.click("header a[lang=en]");
    assert!(b.text("h1").contains("Not allowed"));
}

/// A second policy for the analyst: only the sector outlook, and a bonus for learners at risk.
const OUTLOOK_ONLY: &str = "[default.weights]\noutlook = 1000\npreference = 0\nqualification = 0\nsupport = 0\ndistance = 0\nhours = 0\npathway = 0\n\n[default.priority]\nat_risk = 200\n";

/// The text of the data cells of the row headed `row` in the report table whose caption
/// starts with `caption`.
fn row_cells(b: &Browser, caption: &str, row: &str) -> Vec<String> {
    let v = b.js(
        "const [cap, row] = arguments;
         for (const t of document.querySelectorAll('.report table')) {
           const c = t.querySelector('caption');
           if (!c || !c.textContent.startsWith(cap)) continue;
           for (const tr of t.querySelectorAll('tbody tr')) {
             const th = tr.querySelector('th');
             if (th && th.textContent.trim() === row)
               return [...tr.querySelectorAll('td')].map(td => td.textContent.trim());
           }
         }
         return null;",
        vec![caption.into(), row.into()],
    );
    serde_json::from_value(v.clone())
        .unwrap_or_else(|_| panic!("no row {row} in table {caption}: {v}"))
}

/// A published count in a cell.
fn count(cell: &str) -> u64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("{cell:?} is not a published count"))
}

#[test]
fn an_analyst_runs_an_allocation_and_reads_its_report() {
    let srv = Server::start();
    let analyst = srv.token("analyst", &[]);
    let b = Browser::start(&srv.base);
    b.sign_in(&analyst);
    assert_eq!(b.path(), "/allocations");
    b.screenshot("analyst-start");
    b.click("form[action='/allocations'] button[type=submit]");
    assert!(b.path().starts_with("/allocations/A"), "{}", b.path());
    b.wait_for(".report svg", Duration::from_secs(120));
    assert!(
        b.source().contains("service policy"),
        "the service's policy, unchanged in the form, is named as such"
    );
    b.screenshot("analyst-report");
    b.js(
        "document.querySelector('.report svg').scrollIntoView();",
        vec![],
    );
    b.screenshot("analyst-report-chart");
    let svgs = b.find_all(".report svg");
    assert!(svgs.len() >= 3, "charts: {}", svgs.len());
    let tables = b.find_all(".report table");
    assert!(!tables.is_empty(), "group tables");
    // Small groups are withheld: the demo's 5 learners with a no-risk policy need show as
    // "< 10", without a rate or a four-fifths verdict, and the report says what the marks mean.
    let small = row_cells(&b, "Ondersteuningsbehoefte", "no-riskpolis");
    assert_eq!(&small[..2], ["< 10", "< 10"], "{small:?}");
    assert!(
        small.iter().all(|c| !c.contains('%') && !c.contains('⚠')),
        "{small:?}"
    );
    assert!(b.text("#kr-disclosure").contains("Afgeschermde aantallen"));
    let first = b.path();

    // A second policy on the same cohort: only the sector outlook counts, and priority for
    // learners at risk; then side by side.
    b.goto("/allocations");
    b.fill("#policy", OUTLOOK_ONLY);
    b.select("#mode", "optimal");
    b.click("form[action='/allocations'] button[type=submit]");
    let second = b.path();
    assert_ne!(first, second);
    b.wait_for(".report svg", Duration::from_secs(120));
    assert!(
        b.source().contains("policy sent with the request"),
        "provenance names the policy"
    );
    let (a, bb) = (
        &first["/allocations/".len()..],
        &second["/allocations/".len()..],
    );
    b.goto(&format!("/allocations/compare?a={a}&b={bb}"));
    b.wait_for(".report svg", Duration::from_secs(10));
    let page = b.source();
    assert!(
        page.contains(a) && page.contains(bb),
        "both allocations named"
    );
    // The second policy changed the outcome, not just its name: fewer learners get the
    // placement they rank first when only the outlook counts (the rank-1 bin is large in both,
    // so it is published in both).
    let firsts = row_cells(&b, "Rang van de toegewezen plek", "1");
    let (in_a, in_b) = (count(&firsts[0]), count(&firsts[2]));
    assert_ne!(
        in_a, in_b,
        "same first choices under both policies: {firsts:?}"
    );
    // And so are the score bins of the placed.
    let bins = |col: usize| -> Vec<String> {
        ["500–599", "600–699", "700–799", "800–899", "900–1000"]
            .iter()
            .map(|l| row_cells(&b, "Scores van de geplaatsten", l)[col].clone())
            .collect()
    };
    assert_ne!(
        bins(0),
        bins(2),
        "the same score distribution under both policies"
    );
    b.screenshot("analyst-compare");
    // A policy that does not parse is refused with the reason, beside nothing lost.
    b.goto("/allocations");
    b.fill("#policy", "[default.weights]\noutlook = \"veel\"\n");
    b.click("form[action='/allocations'] button[type=submit]");
    assert!(
        b.text("#start-error").contains("not a valid policy"),
        "the reason is shown"
    );
    assert!(
        b.attr(&b.find("#policy"), "aria-invalid").as_deref() == Some("true")
            && b.js("return document.querySelector('#policy').value;", vec![])
                .as_str()
                .unwrap()
                .contains("veel"),
        "what was typed stays"
    );
    assert_eq!(
        b.status_of("GET", "/learners", ""),
        403,
        "an advisor page is not for analysts"
    );
}
