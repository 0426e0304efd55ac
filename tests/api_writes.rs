//! The HTTP API against a real `koppel serve`: idempotent writes, erasure, problem documents,
//! pagination, shutdown, rate limits and read-your-writes.

mod common;

use common::{json, new_learner, new_placement, start_job, wait_for_job, Demo, Server};
use reqwest::Method;
use serde_json::{json, Value};

#[test]
fn a_retried_write_with_the_same_key_creates_nothing_twice() {
    let demo = Demo::load();
    let srv = Server::start();
    let (employer, _) = demo.two_employers();
    let desk = srv.token("employer_desk", &[&employer]);
    let body = new_placement(demo.placement_of(&employer), "PIDEM");
    let send = |key: &str, b: &Value| {
        srv.req(Method::POST, "/v1/placements", Some(&desk))
            .header("Idempotency-Key", key)
            .json(b)
            .send()
            .unwrap()
    };
    let first = send("k-1", &body);
    assert_eq!(first.status(), 201);
    let first_body = first.text().unwrap();
    let again = send("k-1", &body);
    assert_eq!(
        again.status(),
        201,
        "a retry gets the first answer, not a conflict"
    );
    assert_eq!(again.text().unwrap(), first_body);
    // Without the key the same body is a conflict: the record exists once.
    assert_eq!(
        srv.send_json(Method::POST, &desk, "/v1/placements", &body)
            .status(),
        409
    );
    // The same key with another request is refused.
    let mut other = body.clone();
    other["id"] = json!("PIDEM2");
    let e = json(send("k-1", &other), 422);
    assert!(e["type"]
        .as_str()
        .unwrap()
        .ends_with("idempotency-key-reused"));
    assert_eq!(srv.get(&desk, "/v1/placements/PIDEM2").status(), 404);
    // A PATCH retried with its key applies once: the version goes up by one.
    let patch = |key: &str| {
        srv.req(Method::PATCH, "/v1/placements/PIDEM", Some(&desk))
            .header("Idempotency-Key", key)
            .header("If-Match", "\"v1\"")
            .json(&json!({"capacity": 5}))
            .send()
            .unwrap()
    };
    assert_eq!(patch("p-1").headers()["etag"], "\"v2\"");
    let retry = patch("p-1");
    assert_eq!(retry.status(), 200);
    assert_eq!(retry.headers()["etag"], "\"v2\"");
    assert_eq!(
        srv.get(&desk, "/v1/placements/PIDEM").headers()["etag"],
        "\"v2\""
    );
    // A weak tag never matches (RFC 9110 strong comparison); a list may hold the current one.
    let weak = srv
        .req(Method::PATCH, "/v1/placements/PIDEM", Some(&desk))
        .header("If-Match", "W/\"v2\"")
        .json(&json!({"capacity": 4}))
        .send()
        .unwrap();
    assert_eq!(weak.status(), 412);
    let listed = srv
        .req(Method::PATCH, "/v1/placements/PIDEM", Some(&desk))
        .header("If-Match", "\"v9\", \"v2\"")
        .json(&json!({"capacity": 4}))
        .send()
        .unwrap();
    assert_eq!(listed.headers()["etag"], "\"v3\"");
    // A stale If-Match is a 412 with the current ETag; none is a 428.
    assert_eq!(patch("p-2").status(), 412);
    let r = srv
        .req(Method::PATCH, "/v1/placements/PIDEM", Some(&desk))
        .json(&json!({"capacity": 6}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 428);
}

#[test]
fn erasure_leaves_no_trace_in_any_route() {
    let demo = Demo::load();
    let srv = Server::start();
    let region = demo.learners[0]["region"].as_str().unwrap();
    let advisor = srv.token("advisor", &[region]);
    let analyst = srv.token("analyst", &[]);
    let mut l = new_learner(demo.learner_in(region), "LERASE");
    l["name"] = json!("Wis Mij-Volledig");
    let create = srv
        .req(Method::POST, "/v1/learners", Some(&advisor))
        .header("Idempotency-Key", "erase-create")
        .json(&l)
        .send()
        .unwrap();
    assert_eq!(create.status(), 201);
    let m = json(srv.get(&advisor, "/v1/learners/LERASE/matches?k=3"), 200);
    if let Some(p) = m["matches"][0]["placement"].as_str() {
        json(
            srv.send_json(
                Method::POST,
                &advisor,
                "/v1/learners/LERASE/proposals",
                &json!({"placement": p, "reason": "goede match"}),
            ),
            201,
        );
    }
    let job_id = start_job(&srv, &analyst, "optimal");
    let done = wait_for_job(&srv, &analyst, &job_id);
    assert_eq!(done["status"], "done");

    assert_eq!(
        srv.req(Method::DELETE, "/v1/learners/LERASE", Some(&advisor))
            .send()
            .unwrap()
            .status(),
        204
    );

    for path in [
        "/v1/learners/LERASE",
        "/v1/learners/LERASE/matches",
        "/v1/learners/LERASE/matches/P0000001",
    ] {
        assert_eq!(srv.get(&advisor, path).status(), 404, "{path}");
    }
    let listed = srv.get(&advisor, "/v1/learners?limit=500").text().unwrap();
    assert!(!listed.contains("LERASE") && !listed.contains("Wis Mij"));
    let asg = srv
        .get(
            &analyst,
            &format!("/v1/allocations/{job_id}/assignments?limit=500"),
        )
        .text()
        .unwrap();
    let gone =
        koppel_core::anonymise::allocation_pseudonym(common::KEY.as_bytes(), &job_id, "LERASE");
    assert!(
        !asg.contains("LERASE") && !asg.contains(&gone),
        "assignments still hold the erased learner"
    );
    // The stored answer to the create (which held their data) is gone with them, and a late
    // retry of it does not bring the learner back.
    let replay = srv
        .req(Method::POST, "/v1/learners", Some(&advisor))
        .header("Idempotency-Key", "erase-create")
        .json(&l)
        .send()
        .unwrap();
    assert_eq!(replay.status(), 410);
    assert_eq!(replay.headers()["content-type"], "application/problem+json");
    let text = replay.text().unwrap();
    assert!(!text.contains("Wis Mij"), "{text}");
    assert_eq!(srv.get(&advisor, "/v1/learners/LERASE").status(), 404);
    // The audit keeps who did what, never the data.
    let out = common::koppel()
        .args(["audit", "--learner", "LERASE", "--json", "--db"])
        .arg(&srv.db)
        .output()
        .unwrap();
    let audit = String::from_utf8(out.stdout).unwrap();
    assert!(audit.contains("\"action\":\"delete\""), "{audit}");
    assert!(!audit.contains("Wis Mij"));
}

#[test]
fn bad_requests_get_specific_problem_documents() {
    let demo = Demo::load();
    let srv = Server::start();
    let (employer, _) = demo.two_employers();
    let desk = srv.token("employer_desk", &[&employer]);
    let problem = |r: reqwest::blocking::Response, status: u16| -> Value {
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        json(r, status)
    };
    let post = |body: &str, ctype: &str| {
        srv.req(Method::POST, "/v1/placements", Some(&desk))
            .header("content-type", ctype)
            .body(body.to_owned())
            .send()
            .unwrap()
    };
    let p = problem(post("{\"id\": ", "application/json"), 400);
    assert!(p["type"].as_str().unwrap().ends_with("/bad-request"));
    problem(post("{}", "text/plain"), 415);
    // A role that may not call a route gets 403 whatever its body: the role comes first.
    for (body, ctype) in [("{\"id\": ", "application/json"), ("{}", "text/plain")] {
        let r = srv
            .req(Method::POST, "/v1/learners", Some(&desk))
            .header("content-type", ctype)
            .body(body)
            .send()
            .unwrap();
        problem(r, 403);
    }
    let mut rec = new_placement(demo.placement_of(&employer), "PBAD");
    rec["owner"] = json!("someone");
    let p = problem(
        post(&rec.to_string(), "Application/JSON; charset=utf-8"),
        422,
    );
    assert_eq!(p["errors"][0]["field"], "owner");
    let mut rec = new_placement(demo.placement_of(&employer), "PBAD");
    rec["capacity"] = json!(-2);
    let p = problem(post(&rec.to_string(), "application/json"), 422);
    assert_eq!(p["errors"][0]["field"], "capacity");
    let rec = new_placement(demo.placement_of(&employer), "PJUNK");
    let p = problem(post(&format!("{rec} trailing"), "application/json"), 400);
    assert!(p["detail"].as_str().unwrap().contains("more after"), "{p}");
    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(2 << 20));
    let big = srv
        .req(Method::POST, "/v1/placements", Some(&desk))
        .header("content-type", "application/json")
        .header("connection", "close")
        .body(huge)
        .send()
        .unwrap();
    problem(big, 413);
    let unknown = srv
        .req(Method::GET, "/v1/learners", Some("kpl_not-a-token"))
        .send()
        .unwrap();
    assert_eq!(
        unknown.headers()["www-authenticate"],
        "Bearer realm=\"koppel\""
    );
    problem(unknown, 401);
    problem(
        srv.req(Method::PUT, "/v1/learners", Some(&desk))
            .send()
            .unwrap(),
        405,
    );
    problem(
        srv.req(Method::GET, "/v1/nothing-here", Some(&desk))
            .send()
            .unwrap(),
        404,
    );
    let p = problem(srv.get(&desk, "/v1/placements?cursor=%%%"), 422);
    assert_eq!(p["errors"][0]["field"], "cursor");
    let p = problem(
        srv.get(
            &desk,
            &format!(
                "/v1/placements/{}/candidates?k=0",
                demo.placement_of(&employer)["id"].as_str().unwrap()
            ),
        ),
        422,
    );
    assert_eq!(p["errors"][0]["field"], "k");
    let admin = srv.token("admin", &[]);
    let bad = json!([
        {"sector": "zorg", "region": "rijnmond", "internship": 3, "work": 4},
        {"sector": "nope", "region": "rijnmond", "internship": 9, "work": null},
    ]);
    let p = problem(srv.send_json(Method::PUT, &admin, "/v1/outlook", &bad), 422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"[1].sector") && fields.contains(&"[1].internship"),
        "{fields:?}"
    );
    assert_ne!(
        json(srv.get(&admin, "/v1/outlook"), 200)
            .as_array()
            .unwrap()
            .len(),
        2,
        "nothing replaced"
    );
    // The server is still fine.
    assert_eq!(
        srv.req(Method::GET, "/v1/health", None)
            .send()
            .unwrap()
            .status(),
        200
    );
}

#[test]
fn pages_follow_cursors_to_the_end_without_repeats() {
    let srv = Server::start();
    let analyst = srv.token("analyst", &[]);
    let mut seen = Vec::new();
    let mut path = "/v1/placements?limit=70".to_owned();
    loop {
        let page = json(srv.get(&analyst, &path), 200);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 70);
        seen.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/placements?limit=70&cursor={c}"),
            None => break,
        }
    }
    let demo = Demo::load();
    let mut want: Vec<String> = demo
        .placements
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    want.sort();
    assert_eq!(seen, want);
    // The cap holds: a full page at most, and a clear error beyond it.
    let page = json(srv.get(&analyst, "/v1/placements?limit=500"), 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 500);
    let e = json(srv.get(&analyst, "/v1/placements?limit=501"), 422);
    assert_eq!(e["errors"][0]["field"], "limit");
}

#[test]
fn sigterm_stops_the_server_cleanly_and_data_survives_a_restart() {
    let demo = Demo::load();
    let dir = tempfile::tempdir().unwrap();
    let (employer, _) = demo.two_employers();
    let mut srv = Server::start_on(dir.path(), &[]);
    let desk = srv.token("employer_desk", &[&employer]);
    json(
        srv.send_json(
            Method::POST,
            &desk,
            "/v1/placements",
            &new_placement(demo.placement_of(&employer), "PKEEP"),
        ),
        201,
    );
    assert!(srv.terminate(), "exit status 0 after SIGTERM");
    let srv = Server::start_on(dir.path(), &[]);
    assert_eq!(srv.get(&desk, "/v1/placements/PKEEP").status(), 200);
    let health = json(
        srv.req(Method::GET, "/v1/health", None).send().unwrap(),
        200,
    );
    assert_eq!(
        health["placements"],
        demo.placements.len() + 1,
        "not seeded twice"
    );
}

#[test]
fn each_token_has_its_own_rate_limit() {
    let srv = Server::start_with(&["--rate-limit", "1"]);
    let a = srv.token("analyst", &[]);
    let b = srv.token("analyst", &[]);
    // A burst of twice the rate passes; the rest within the same second gets 429.
    let statuses: Vec<u16> = (0..6)
        .map(|_| srv.get(&a, "/v1/outlook").status().as_u16())
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    let r = srv.get(&a, "/v1/outlook");
    if r.status() == 429 {
        assert!(r.headers().contains_key("retry-after"));
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    assert_eq!(
        srv.get(&b, "/v1/outlook").status(),
        200,
        "another token is not slowed"
    );
}

#[test]
fn an_advisors_edit_shows_in_the_very_next_matches() {
    let demo = Demo::load();
    let srv = Server::start();
    let region = demo.learners[0]["region"].as_str().unwrap();
    let advisor = srv.token("advisor", &[region]);
    let (id, far) = demo
        .learners
        .iter()
        .filter(|l| l["region"] == region)
        .find_map(|l| {
            let id = l["id"].as_str().unwrap();
            let m = json(
                srv.get(&advisor, &format!("/v1/learners/{id}/matches?k=50")),
                200,
            );
            let max = m["matches"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["explanation"]["facts"]["distance_km"].as_f64().unwrap())
                .fold(0.0, f64::max);
            (max > 3.0).then(|| (id.to_owned(), max))
        })
        .expect("a learner with a match farther than 3 km");
    let r = srv
        .req(Method::PATCH, &format!("/v1/learners/{id}"), Some(&advisor))
        .header("If-Match", "*")
        .json(&json!({"travel_limit_km": 3.0}))
        .send()
        .unwrap();
    json(r, 200);
    let m = json(
        srv.get(&advisor, &format!("/v1/learners/{id}/matches?k=50")),
        200,
    );
    for row in m["matches"].as_array().unwrap() {
        let d = row["explanation"]["facts"]["distance_km"].as_f64().unwrap();
        assert!(
            d <= 3.0,
            "a match {d} km away after the limit went from {far} to 3 km"
        );
    }
}

#[test]
fn a_vacancy_just_posted_or_closed_is_explained_as_it_is_now() {
    let demo = Demo::load();
    let srv = Server::start();
    let (employer, _) = demo.two_employers();
    let base = demo.placement_of(&employer);
    let region = demo.learners[0]["region"].as_str().unwrap();
    let advisor = srv.token("advisor", &[region]);
    let desk = srv.token("employer_desk", &[&employer]);
    let learner = demo.learner_in(region)["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/learners/{learner}/matches/PFRESH");
    for _ in 0..3 {
        json(
            srv.send_json(
                Method::POST,
                &desk,
                "/v1/placements",
                &new_placement(base, "PFRESH"),
            ),
            201,
        );
        let e = json(srv.get(&advisor, &path), 200);
        assert_eq!(e["placement"], "PFRESH");
        json(
            srv.req(Method::DELETE, "/v1/placements/PFRESH", Some(&desk))
                .send()
                .unwrap(),
            204,
        );
        assert_eq!(
            srv.get(&advisor, &path).status(),
            404,
            "a closed vacancy is gone at once"
        );
    }
}

#[test]
fn an_allocation_summary_says_which_policy_and_data_made_it() {
    use koppel_core::allocate::report::Provenance;
    let srv = Server::start();
    let analyst = srv.token("analyst", &[]);
    let run = |body: Value| {
        let job = json(
            srv.send_json(Method::POST, &analyst, "/v1/allocations", &body),
            202,
        );
        let done = wait_for_job(&srv, &analyst, job["id"].as_str().unwrap());
        assert_eq!(done["status"], "done", "{done}");
        done["summary"]["provenance"].clone()
    };
    // The service's own policy (the demo's policy.toml, stored on first start).
    let p = run(json!({"mode": "stable", "k": 8}));
    assert_eq!(p["mode"], "stable");
    assert_eq!(p["k"], 8);
    assert!(
        p["data"].as_str().unwrap().contains("snapshot at version"),
        "{p}"
    );
    let demo_policy =
        std::fs::read_to_string(common::root().join("fixtures/demo/policy.toml")).unwrap();
    assert_eq!(p["policy_sha256"], Provenance::policy_digest(&demo_policy));
    assert!(p["created_at"].as_str().unwrap().ends_with('Z'), "{p}");
    // A policy sent with the request is used for that job, and named.
    let mine = "[default.weights]\noutlook = 1000\npreference = 0\nqualification = 0\nsupport = 0\ndistance = 0\nhours = 0\npathway = 0\n";
    let p = run(json!({"mode": "optimal", "policy": mine}));
    assert_eq!(p["policy"], "policy sent with the request");
    assert_eq!(p["policy_sha256"], Provenance::policy_digest(mine));
    // An invalid one is refused before any job starts, naming the field.
    let e = json(
        srv.send_json(
            Method::POST,
            &analyst,
            "/v1/allocations",
            &json!({"mode": "optimal", "policy": "[region.atlantis]\nregion_hops = 1\n"}),
        ),
        422,
    );
    assert!(
        e.to_string().contains("policy") && e.to_string().contains("atlantis"),
        "{e}"
    );
}

#[test]
fn an_advisors_proposal_overrides_the_automated_allocation() {
    let srv = Server::start();
    let analyst = srv.token("analyst", &[]);
    let id = start_job(&srv, &analyst, "optimal");
    let id = id.as_str();
    assert_eq!(wait_for_job(&srv, &analyst, id)["status"], "done");
    // Analysts' rows name no learner: the advisor finds a placed learner of their region.
    let demo = Demo::load();
    let region = demo.learners[0]["region"].as_str().unwrap().to_owned();
    let advisor = srv.token("advisor", &[&region]);
    let (learner, before) = demo
        .learners
        .iter()
        .filter(|l| l["region"] == region.as_str())
        .map(|l| l["id"].as_str().unwrap())
        .find_map(|l| {
            let o = json(srv.get(&advisor, &format!("/v1/learners/{l}/outcome")), 200);
            o["allocation"]["placement"]
                .is_string()
                .then(|| (l.to_owned(), o))
        })
        .expect("a placed learner in the region");
    let allocated = before["allocation"]["placement"]
        .as_str()
        .unwrap()
        .to_owned();
    let allocated = allocated.as_str();
    let path = format!("/v1/learners/{learner}/outcome");
    assert_eq!(before["decided_by"], "allocation");
    assert_eq!(before["standing"], allocated);
    assert_eq!(before["allocation"]["allocation"], id);

    // The advisor proposes another placement: the person's decision stands.
    let matches = json(
        srv.get(&advisor, &format!("/v1/learners/{learner}/matches?k=5")),
        200,
    );
    let other = matches["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["placement"].as_str().unwrap())
        .find(|p| *p != allocated)
        .expect("a second match");
    let proposal = json!({"placement": other, "reason": "past beter bij haar reistijd"});
    json(
        srv.send_json(
            Method::POST,
            &advisor,
            &format!("/v1/learners/{learner}/proposals"),
            &proposal,
        ),
        201,
    );
    let after = json(srv.get(&advisor, &path), 200);
    assert_eq!(after["decided_by"], "advisor");
    assert_eq!(after["standing"], other);
    assert_eq!(after["proposal"]["reason"], "past beter bij haar reistijd");
    assert_eq!(
        after["allocation"]["placement"], allocated,
        "the allocation is kept"
    );

    // Another region's advisor does not learn the learner exists.
    let elsewhere = srv.token("advisor", &["twente"]);
    json(srv.get(&elsewhere, &path), 404);
}
