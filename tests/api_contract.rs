//! The HTTP API keeps its documented contract: free-text limits and control characters (422
//! naming the field), request-header rules, the 412 with the current `ETag`, the headers every
//! answer carries, and an OpenAPI document that names every operation once.

mod common;

use common::{json, new_learner, new_placement, Demo, Server};
use reqwest::Method;
use serde_json::{json, Value};

/// The single invalid field of a 422.
fn invalid_field(r: reqwest::blocking::Response) -> (String, String) {
    let len = r.content_length();
    let p = json(r, 422);
    assert!(
        len.is_none_or(|l| l < 4096),
        "a refusal is short, not an echo: {len:?} bytes"
    );
    let errors = p["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{p}");
    (
        errors[0]["field"].as_str().unwrap().to_owned(),
        errors[0]["reason"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn free_text_has_limits_and_refuses_control_characters() {
    let demo = Demo::load();
    let srv = Server::start();
    let (employer, _) = demo.two_employers();
    let desk = srv.token("employer_desk", &[&employer]);
    let base = new_placement(demo.placement_of(&employer), "PTEXT1");

    // A 1 MB title (under the 1 MiB body limit) is refused, naming the field, briefly.
    let mut big = base.clone();
    big["title"] = json!("x".repeat(1_000_000));
    let (field, reason) = invalid_field(srv.send_json(Method::POST, &desk, "/v1/placements", &big));
    assert_eq!(field, "title");
    assert!(reason.contains("at most 200"), "{reason}");

    // A right-to-left override in a title, a NUL in a desk.
    let mut rlo = base.clone();
    rlo["title"] = json!("Stage \u{202E}reknab");
    let (field, reason) = invalid_field(srv.send_json(Method::POST, &desk, "/v1/placements", &rlo));
    assert_eq!((field.as_str(), reason.contains("U+202E")), ("title", true));
    let mut nul = base.clone();
    nul["desk"] = json!("wsp\u{0}");
    let (field, _) = invalid_field(srv.send_json(Method::POST, &desk, "/v1/placements", &nul));
    assert_eq!(field, "desk");
    assert_eq!(srv.get(&desk, "/v1/placements/PTEXT1").status(), 404);

    // The same rules on update.
    json(
        srv.send_json(Method::POST, &desk, "/v1/placements", &base),
        201,
    );
    let patch = srv
        .req(Method::PATCH, "/v1/placements/PTEXT1", Some(&desk))
        .header("If-Match", "\"v1\"")
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"title": "a\u{2066}b"}).to_string())
        .send()
        .unwrap();
    assert_eq!(invalid_field(patch).0, "title");

    // Learners: name and e-mail.
    let region = demo.learners[0]["region"].as_str().unwrap().to_owned();
    let advisor = srv.token("advisor", &[&region]);
    let mut learner = new_learner(demo.learner_in(&region), "LTEXT1");
    learner["name"] = json!("Sanne\u{200B}Jansen");
    let r = srv.send_json(Method::POST, &advisor, "/v1/learners", &learner);
    assert_eq!(invalid_field(r).0, "name");
    learner["name"] = json!("Sanne Jansen");
    learner["email"] = json!("sanne@localhost");
    let r = srv.send_json(Method::POST, &advisor, "/v1/learners", &learner);
    assert_eq!(invalid_field(r).0, "email");
    learner["email"] = json!(format!("{}@example.org", "s".repeat(250)));
    let r = srv.send_json(Method::POST, &advisor, "/v1/learners", &learner);
    assert_eq!(invalid_field(r).0, "email");

    // A proposal's reason: at most 1000 characters, no control characters.
    learner["email"] = json!("sanne@example.org");
    json(
        srv.send_json(Method::POST, &advisor, "/v1/learners", &learner),
        201,
    );
    for reason in ["goed\u{202E}", "\u{0}", &"r".repeat(1001), " "] {
        let body = json!({"placement": "PTEXT1", "reason": reason});
        let r = srv.send_json(
            Method::POST,
            &advisor,
            "/v1/learners/LTEXT1/proposals",
            &body,
        );
        assert_eq!(invalid_field(r).0, "reason", "{reason:?}");
    }
    let body = json!({"placement": "P 1", "reason": "past goed"});
    let r = srv.send_json(
        Method::POST,
        &advisor,
        "/v1/learners/LTEXT1/proposals",
        &body,
    );
    assert_eq!(invalid_field(r).0, "placement");
}

#[test]
fn request_headers_follow_their_documented_rules() {
    let demo = Demo::load();
    let srv = Server::start();
    let (employer, _) = demo.two_employers();
    let desk = srv.token("employer_desk", &[&employer]);
    let post = |id: &str, key: &str| {
        srv.req(Method::POST, "/v1/placements", Some(&desk))
            .header("Idempotency-Key", key)
            .json(&new_placement(demo.placement_of(&employer), id))
            .send()
            .unwrap()
    };
    // Idempotency-Key: 1-255 visible ASCII characters, so no space.
    for bad in ["a key", &"k".repeat(256)] {
        let p = json(post("PHDR1", bad), 400);
        assert!(p["detail"].as_str().unwrap().contains("Idempotency-Key"));
    }
    assert_eq!(post("PHDR1", &"~".repeat(255)).status(), 201);

    // If-Match: `*` or entity tags; anything else is 400, a stale tag 412 with the current
    // ETag in the header.
    let patch = |if_match: &str| {
        srv.req(Method::PATCH, "/v1/placements/PHDR1", Some(&desk))
            .header("If-Match", if_match)
            .json(&json!({"capacity": 3}))
            .send()
            .unwrap()
    };
    assert_eq!(patch("v1").status(), 400, "an ETag is quoted");
    let stale = patch("\"v7\"");
    assert_eq!(stale.status(), 412);
    assert_eq!(stale.headers()["etag"], "\"v1\"");
    let p = json(stale, 412);
    assert!(p["type"].as_str().unwrap().ends_with("precondition-failed"));
    let ok = patch("\"v1\"");
    assert_eq!(ok.headers()["etag"], "\"v2\"");
    let del = srv
        .req(Method::DELETE, "/v1/placements/PHDR1", Some(&desk))
        .header("If-Match", "\"v1\"")
        .send()
        .unwrap();
    assert_eq!(del.status(), 412);
    assert_eq!(del.headers()["etag"], "\"v2\"");
}

#[test]
fn documented_values_are_accepted() {
    let demo = Demo::load();
    let srv = Server::start();
    let (employer, _) = demo.two_employers();
    let desk = srv.token("employer_desk", &[&employer]);
    // JSON Schema's integers include 3.0.
    let mut p = new_placement(demo.placement_of(&employer), "PINT1");
    p["capacity"] = json!(3.0);
    p["hours_per_week"] = json!(20.0);
    let stored = json(
        srv.send_json(Method::POST, &desk, "/v1/placements", &p),
        201,
    );
    assert_eq!(stored["capacity"], 3, "stored as an integer");
    p["capacity"] = json!(2.5);
    p["id"] = json!("PINT2");
    let (field, _) = invalid_field(srv.send_json(Method::POST, &desk, "/v1/placements", &p));
    assert_eq!(field, "capacity");
    // Every cursor of the documented pattern is a cursor; other values are 422.
    let doc = koppel_server::routes::openapi();
    let pattern = doc["paths"]["/v1/placements"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "cursor")
        .unwrap()["schema"]["pattern"]
        .as_str()
        .unwrap()
        .to_owned();
    let re = regex::Regex::new(&pattern).unwrap();
    for c in [
        "AB", "_-_", "zzzz", "P0000001", "A", "ABCDE", "a+b", "a=", "",
    ] {
        let status = srv
            .get(&desk, &format!("/v1/placements?limit=1&cursor={c}"))
            .status();
        let want = if re.is_match(c) { 200 } else { 422 };
        assert_eq!(status, want, "cursor {c:?}");
    }
}

#[test]
fn every_answer_carries_its_documented_headers() {
    let demo = Demo::load();
    let srv = Server::start();
    let (employer, _) = demo.two_employers();
    let desk = srv.token("employer_desk", &[&employer]);
    let created = srv.send_json(
        Method::POST,
        &desk,
        "/v1/placements",
        &new_placement(demo.placement_of(&employer), "PHEAD1"),
    );
    assert_eq!(created.status(), 201);
    let h = created.headers();
    assert_eq!(h["etag"], "\"v1\"");
    assert_eq!(h["location"], "/v1/placements/PHEAD1");
    assert!(h.contains_key("x-request-id"));
    for r in [
        srv.get(&desk, "/v1/placements/PHEAD1"),
        srv.get(&desk, "/v1/placements/nothing"),
        srv.req(Method::GET, "/v1/health", None).send().unwrap(),
        srv.req(Method::GET, "/v1/placements", None).send().unwrap(),
    ] {
        assert!(r.headers().contains_key("x-request-id"), "{}", r.url());
    }
    let r = srv.req(Method::GET, "/v1/placements", None).send().unwrap();
    assert!(r.headers().contains_key("www-authenticate"));
}

#[test]
fn the_document_names_every_operation_once_with_its_security_and_answers() {
    let doc = koppel_server::routes::openapi();
    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            let public = path.ends_with("/health") || path.ends_with("/openapi.json");
            let want = if public {
                json!([])
            } else {
                json!([{"bearer": []}])
            };
            assert_eq!(op["security"], want, "{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.contains_key("4XX"), "{method} {path}");
            for status in ["500", "503"] {
                assert!(responses.contains_key(status), "{method} {path} {status}");
            }
            if !public {
                for status in ["401", "429"] {
                    assert!(responses.contains_key(status), "{method} {path} {status}");
                }
            }
            // Header and path parameters are plain strings, never nullable.
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] != "query" {
                    assert_eq!(p["schema"]["type"], "string", "{id}: {}", p["name"]);
                }
            }
            ids.push(id);
        }
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "operationIds used twice: {ids:?}");
    assert!(ids.iter().any(|i| i == "placements_update"));
    assert_eq!(doc.get("security"), None, "security is per operation");
    let patch = &doc["paths"]["/v1/placements/{id}"]["patch"]["requestBody"]["content"];
    assert_eq!(
        patch["application/merge-patch+json"]["schema"]["$ref"],
        "#/components/schemas/PlacementPatch"
    );
    let title = &doc["components"]["schemas"]["PlacementRecord"]["properties"]["title"];
    assert_eq!(title["maxLength"], 200);
}

#[test]
fn the_served_document_lists_the_reference_codes() {
    let srv = Server::start();
    let doc: Value = srv
        .req(Method::GET, "/v1/openapi.json", None)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let regions: Vec<String> =
        std::fs::read_to_string(common::root().join("fixtures/demo/regions.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_owned())
            .collect();
    let listed = &doc["components"]["schemas"]["LearnerRecord"]["properties"]["region"]["enum"];
    assert_eq!(listed, &json!(regions));
    let employer = &doc["components"]["schemas"]["PlacementPatch"]["properties"]["employer"];
    assert!(employer["enum"].as_array().unwrap().len() > 100);
}
