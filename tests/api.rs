//! The HTTP API against a real `koppel serve` (child process, random port, real SQLite file):
//! who may call what, scope, privacy, and the OpenAPI document. Writes, errors and
//! consistency are in `api_writes.rs`.

mod common;

use common::{json, new_learner, new_placement, Demo, Server};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const ROLES: [&str; 5] = ["none", "advisor", "employer_desk", "analyst", "admin"];

/// Expected status per role (none, advisor, desk, analyst, admin) for every route. A route the
/// router has and this table lacks fails the test, so new routes must decide who may call them.
const MATRIX: &[(&str, &str, [u16; 5])] = &[
    ("GET", "/openapi.json", [200, 200, 200, 200, 200]),
    ("GET", "/v1/openapi.json", [200, 200, 200, 200, 200]),
    ("GET", "/v1/health", [200, 200, 200, 200, 200]),
    ("GET", "/v1/learners", [401, 200, 403, 403, 403]),
    ("POST", "/v1/learners", [401, 201, 403, 403, 403]),
    ("GET", "/v1/learners/{id}", [401, 200, 403, 403, 403]),
    ("PATCH", "/v1/learners/{id}", [401, 200, 403, 403, 403]),
    (
        "POST",
        "/v1/learners/{id}/proposals",
        [401, 201, 403, 403, 403],
    ),
    (
        "GET",
        "/v1/learners/{id}/matches",
        [401, 200, 403, 403, 403],
    ),
    (
        "GET",
        "/v1/learners/{id}/outcome",
        [401, 200, 403, 403, 403],
    ),
    (
        "GET",
        "/v1/learners/{id}/matches/{placement_id}",
        [401, 200, 403, 403, 403],
    ),
    ("DELETE", "/v1/learners/{id}", [401, 204, 403, 403, 403]),
    ("GET", "/v1/placements", [401, 200, 200, 200, 200]),
    ("POST", "/v1/placements", [401, 403, 201, 403, 403]),
    ("GET", "/v1/placements/{id}", [401, 200, 200, 200, 200]),
    ("PATCH", "/v1/placements/{id}", [401, 403, 200, 403, 403]),
    (
        "GET",
        "/v1/placements/{id}/candidates",
        [401, 403, 200, 403, 403],
    ),
    ("DELETE", "/v1/placements/{id}", [401, 403, 204, 403, 403]),
    ("GET", "/v1/outlook", [401, 200, 200, 200, 200]),
    ("PUT", "/v1/outlook", [401, 403, 403, 403, 200]),
    ("POST", "/v1/allocations", [401, 403, 403, 202, 403]),
    ("GET", "/v1/allocations/{id}", [401, 403, 403, 200, 403]),
    // Analysts only, and pseudonymous (docs/privacy.md). Advisors do not list assignments:
    // they read their own learners' outcomes, with id and full score, one audited read per
    // learner on `GET /v1/learners/{id}/outcome`.
    (
        "GET",
        "/v1/allocations/{id}/assignments",
        [401, 403, 403, 200, 403],
    ),
];

#[test]
fn every_route_answers_each_role_as_the_matrix_says() {
    let demo = Demo::load();
    let srv = Server::start();
    let (employer, _) = demo.two_employers();
    let region = demo.learners[0]["region"].as_str().unwrap().to_owned();
    let tokens: Vec<Option<String>> = vec![
        None,
        Some(srv.token("advisor", &[&region])),
        Some(srv.token("employer_desk", &[&employer])),
        Some(srv.token("analyst", &[])),
        Some(srv.token("admin", &[])),
    ];

    // Every route of the router must be in the matrix, and nothing else.
    let doc: Value = serde_json::from_str(&koppel_server::routes::openapi_json()).unwrap();
    let mut routes = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            routes.insert((method.to_uppercase(), path.clone()));
        }
    }
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = routes.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the role matrix: {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&routes).collect();
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );

    // A job for the allocation routes, started by the analyst.
    let analyst = tokens[3].as_deref().unwrap();
    let job = json(
        srv.send_json(
            Method::POST,
            analyst,
            "/v1/allocations",
            &json!({"mode": "optimal"}),
        ),
        202,
    );
    let job_id = job["id"].as_str().unwrap().to_owned();

    let base_learner = demo.learner_in(&region).clone();
    let base_placement = demo.placement_of(&employer).clone();
    for (role_ix, role) in ROLES.iter().enumerate() {
        // Fresh subjects per role, so that a successful DELETE does not affect the next role.
        let lid = format!("LM{role_ix}");
        let pid = format!("PM{role_ix}");
        let advisor = tokens[1].as_deref().unwrap();
        let desk = tokens[2].as_deref().unwrap();
        json(
            srv.send_json(
                Method::POST,
                advisor,
                "/v1/learners",
                &new_learner(&base_learner, &lid),
            ),
            201,
        );
        json(
            srv.send_json(
                Method::POST,
                desk,
                "/v1/placements",
                &new_placement(&base_placement, &pid),
            ),
            201,
        );
        for (method, path, expect) in MATRIX {
            let concrete = path
                .replace("{placement_id}", &pid)
                .replace("/learners/{id}", &format!("/learners/{lid}"))
                .replace("/placements/{id}", &format!("/placements/{pid}"))
                .replace("/allocations/{id}", &format!("/allocations/{job_id}"));
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let mut r = srv.req(m, &concrete, tokens[role_ix].as_deref());
            r = match (*method, *path) {
                ("POST", "/v1/learners") => {
                    r.json(&new_learner(&base_learner, &format!("LN{role_ix}")))
                }
                ("POST", "/v1/placements") => {
                    r.json(&new_placement(&base_placement, &format!("PN{role_ix}")))
                }
                ("PATCH", "/v1/learners/{id}") => r
                    .header("If-Match", "*")
                    .json(&json!({"hours_per_week": 30})),
                ("PATCH", "/v1/placements/{id}") => r
                    .header("If-Match", "*")
                    .json(&json!({"title": "Nieuwe titel"})),
                ("POST", "/v1/learners/{id}/proposals") => {
                    r.json(&json!({"placement": pid, "reason": "past goed"}))
                }
                ("PUT", "/v1/outlook") => r.json(&json(
                    srv.get(tokens[4].as_deref().unwrap(), "/v1/outlook"),
                    200,
                )),
                ("POST", "/v1/allocations") => r.json(&json!({"mode": "stable", "k": 8})),
                _ => r,
            };
            let res = r.send().unwrap();
            let got = res.status().as_u16();
            let ctype = res
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            let body = res.text().unwrap();
            assert_eq!(
                got, expect[role_ix],
                "{method} {path} as {role}: expected {}, got {got}: {body}",
                expect[role_ix]
            );
            if got >= 400 {
                assert_eq!(
                    ctype, "application/problem+json",
                    "{method} {path} as {role}"
                );
            }
        }
    }
}

#[test]
fn records_outside_the_callers_scope_are_not_found() {
    let demo = Demo::load();
    let srv = Server::start();
    let regions: BTreeSet<&str> = demo
        .learners
        .iter()
        .map(|l| l["region"].as_str().unwrap())
        .collect();
    let mut rs = regions.into_iter();
    let (mine, theirs) = (rs.next().unwrap(), rs.next().unwrap());
    let advisor = srv.token("advisor", &[mine]);
    let other = demo.learner_in(theirs)["id"].as_str().unwrap().to_owned();
    let p = demo.placements[0]["id"].as_str().unwrap();
    for (m, path) in [
        (Method::GET, format!("/v1/learners/{other}")),
        (Method::GET, format!("/v1/learners/{other}/matches")),
        (Method::GET, format!("/v1/learners/{other}/matches/{p}")),
        (Method::DELETE, format!("/v1/learners/{other}")),
    ] {
        let r = srv.req(m.clone(), &path, Some(&advisor)).send().unwrap();
        assert_eq!(r.status(), 404, "{m} {path}");
    }
    let r = srv
        .req(
            Method::PATCH,
            &format!("/v1/learners/{other}"),
            Some(&advisor),
        )
        .header("If-Match", "*")
        .json(&json!({"hours_per_week": 20}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = srv.send_json(
        Method::POST,
        &advisor,
        &format!("/v1/learners/{other}/proposals"),
        &json!({"placement": p, "reason": "x"}),
    );
    assert_eq!(r.status(), 404);
    // Listing shows only the advisor's region.
    let page = json(srv.get(&advisor, "/v1/learners?limit=500"), 200);
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["region"] == mine));
    // Creating a learner in another region, or moving one there, is refused as a field error.
    let e = json(
        srv.send_json(
            Method::POST,
            &advisor,
            "/v1/learners",
            &new_learner(demo.learner_in(theirs), "LX1"),
        ),
        422,
    );
    assert_eq!(e["errors"][0]["field"], "region");
    let own = demo.learner_in(mine)["id"].as_str().unwrap();
    let r = srv
        .req(
            Method::PATCH,
            &format!("/v1/learners/{own}"),
            Some(&advisor),
        )
        .header("If-Match", "*")
        .json(&json!({"region": theirs}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 422);

    let (e1, e2) = demo.two_employers();
    let desk = srv.token("employer_desk", &[&e1]);
    let foreign = demo.placement_of(&e2)["id"].as_str().unwrap();
    for (m, path) in [
        (Method::GET, format!("/v1/placements/{foreign}")),
        (Method::GET, format!("/v1/placements/{foreign}/candidates")),
        (Method::DELETE, format!("/v1/placements/{foreign}")),
    ] {
        let r = srv.req(m.clone(), &path, Some(&desk)).send().unwrap();
        assert_eq!(r.status(), 404, "{m} {path}");
    }
    let r = srv
        .req(
            Method::PATCH,
            &format!("/v1/placements/{foreign}"),
            Some(&desk),
        )
        .header("If-Match", "*")
        .json(&json!({"title": "overgenomen"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);
    let list = json(srv.get(&desk, "/v1/placements?limit=500"), 200);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["employer"] == e1.as_str()));
    let e = json(
        srv.send_json(
            Method::POST,
            &desk,
            "/v1/placements",
            &new_placement(demo.placement_of(&e2), "PX1"),
        ),
        422,
    );
    assert_eq!(e["errors"][0]["field"], "employer");
}

#[test]
fn employer_responses_and_logs_never_hold_a_learners_personal_or_special_data() {
    let demo = Demo::load();
    let srv = Server::start();
    let all_regions: Vec<&str> = demo
        .learners
        .iter()
        .map(|l| l["region"].as_str().unwrap())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let advisor = srv.token("advisor", &all_regions);
    // A learner with matches; make them a canary: unique name, e-mail, birth date, a support
    // need and register status.
    let (learner, top) = demo
        .learners
        .iter()
        .find_map(|l| {
            let id = l["id"].as_str().unwrap();
            let m = json(
                srv.get(&advisor, &format!("/v1/learners/{id}/matches?k=1")),
                200,
            );
            m["matches"][0]["placement"]
                .as_str()
                .map(|p| (id.to_owned(), p.to_owned()))
        })
        .expect("some demo learner has a match");
    let canary = json!({
        "name": "Zwaluw Kanarie-Qx7",
        "email": "zwaluw.qx7@example.org",
        "support_needs": [{"kind": "intensive_guidance", "essential": false}],
    });
    let r = srv
        .req(
            Method::PATCH,
            &format!("/v1/learners/{learner}"),
            Some(&advisor),
        )
        .header("If-Match", "*")
        .json(&canary)
        .send()
        .unwrap();
    json(r, 200);
    let employer = demo
        .placements
        .iter()
        .find(|p| p["id"] == top.as_str())
        .unwrap()["employer"]
        .as_str()
        .unwrap()
        .to_owned();
    let desk = srv.token("employer_desk", &[&employer]);
    let cands = srv.get(&desk, &format!("/v1/placements/{top}/candidates?k=100"));
    let text = cands.text().unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let pseudonym = koppel_core::anonymise::pseudonym(common::KEY.as_bytes(), &employer, &learner);
    assert!(
        text.contains(&pseudonym),
        "the canary learner should be among the candidates: {text}"
    );
    for needle in [
        "Zwaluw",
        "zwaluw.qx7",
        "intensive_guidance",
        &learner,
        "birth_date",
        "in_register",
        "support",
    ] {
        assert!(
            !text.contains(needle),
            "employer response contains `{needle}`: {text}"
        );
    }
    for c in v["candidates"].as_array().unwrap() {
        // Distance only by band, so that moving a vacancy cannot locate a home.
        for comp in c["components"].as_array().unwrap() {
            if comp["component"] == "distance" {
                let v = comp["value"].as_f64().unwrap();
                assert!(
                    [1.0, 0.8, 0.6, 0.3, 0.1].contains(&v),
                    "exact distance shown: {v}"
                );
            }
        }
        let keys: BTreeSet<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        let allowed: BTreeSet<&str> = [
            "rank",
            "pseudonym",
            "qualification",
            "level",
            "distance_band",
            "score",
            "components",
        ]
        .into();
        assert!(keys.is_subset(&allowed), "unexpected fields {keys:?}");
    }
    // Nothing about any learner in the desk's other views either.
    for path in ["/v1/placements?limit=500", &format!("/v1/placements/{top}")] {
        let t = srv.get(&desk, path).text().unwrap();
        assert!(!t.contains("Zwaluw") && !t.contains(&learner), "{path}");
    }
    // And not in the logs: no names, e-mails or ids, only route templates.
    let logs = srv.logs();
    assert!(
        logs.contains("/v1/learners/{id}/matches"),
        "access log has route templates"
    );
    for needle in ["Zwaluw", "zwaluw.qx7", learner.as_str()] {
        assert!(!logs.contains(needle), "log contains `{needle}`");
    }
}

#[test]
fn the_checked_in_openapi_document_matches_the_code() {
    let generated = koppel_server::routes::openapi_json();
    let path = common::root().join("docs/openapi.json");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in.trim() == generated.trim(),
        "docs/openapi.json is out of date; regenerate it with `cargo run -- openapi > docs/openapi.json`"
    );
    // A running service serves the same contract plus the codes of its reference tables.
    let srv = Server::start();
    let served: Value = srv
        .req(Method::GET, "/openapi.json", None)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let demo = koppel::load::dataset(&koppel::load::Source::Embedded).unwrap();
    assert_eq!(
        served,
        koppel_server::routes::openapi_for(Some(&demo.reference))
    );
}

/// The CLI and the API give one answer to "why not more placements?": the same matches and
/// the same why-not tally (placements in reach, feasible, blocked by) for the same learner,
/// with and without a kind filter.
#[test]
fn cli_and_api_give_the_same_why_not() {
    let srv = Server::start();
    let demo = Demo::load();
    let mut compared = 0;
    for l in demo.learners.iter().take(12) {
        let id = l["id"].as_str().unwrap();
        let region = l["region"].as_str().unwrap();
        let advisor = srv.token("advisor", &[region]);
        for kind in [
            None,
            Some("internship"),
            Some("learn_work"),
            Some("banenafspraak"),
        ] {
            let mut args = vec!["match", "--learner", id, "-k", "100", "--json"];
            let mut path = format!("/v1/learners/{id}/matches?k=100");
            if let Some(k) = kind {
                args.extend(["--kind", k]);
                path.push_str(&format!("&kind={k}"));
            }
            let out = common::koppel().args(&args).output().unwrap();
            assert!(out.status.success(), "{args:?}");
            let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
            let api = json(srv.get(&advisor, &path), 200);
            let ids = |v: &Value| -> Vec<String> {
                v["matches"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["placement"].as_str().unwrap().to_owned())
                    .collect()
            };
            assert_eq!(ids(&cli), ids(&api), "{id} {kind:?}: matches differ");
            let why = |v: &Value| v.get("why_not").cloned().unwrap_or(Value::Null);
            assert_eq!(why(&cli), why(&api), "{id} {kind:?}: why-not differs");
            let w = why(&api);
            assert!(
                !w.is_null(),
                "{id} {kind:?}: fewer than 100 matches, so a why-not"
            );
            // Fewer than k matches: every feasible placement in reach is among them.
            assert_eq!(
                w["feasible"].as_u64().unwrap() as usize,
                ids(&api).len(),
                "{id} {kind:?}"
            );
            assert!(w["feasible"].as_u64().unwrap() <= w["placements_in_reach"].as_u64().unwrap());
            compared += 1;
        }
    }
    assert_eq!(compared, 48);
}
