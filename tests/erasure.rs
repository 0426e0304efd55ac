//! The right to erasure (GDPR Art. 17) against a real server: after `DELETE /v1/learners/{id}`
//! the learner's data is in no answer of any route, for anyone, from that moment on, and in no
//! byte of the database files; retries of old writes cannot bring it back, and handing out a
//! stored answer again is audited like any read.

mod common;

use common::{json, new_learner, start_job, wait_for_job, Demo, Server};
use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};

/// Canary values no demo record holds.
const NAME: &str = "Zq Kanarie-Xylofoon";
const EMAIL: &str = "zq.kanarie.xylofoon@example.org";
const EMAIL2: &str = "xylofoon.tweede@example.org";
const BIRTH: &str = "2008-02-29";
const REASON: &str = "reden-kanarie-qwv";

/// A demo learner with a best placement, and that placement's employer.
fn subject(srv: &Server, demo: &Demo, advisor: &str) -> (Value, String, String) {
    for l in &demo.learners {
        let id = l["id"].as_str().unwrap();
        let m = json(
            srv.get(advisor, &format!("/v1/learners/{id}/matches?k=1")),
            200,
        );
        if let Some(p) = m["matches"][0]["placement"].as_str() {
            let employer = demo.placements.iter().find(|x| x["id"] == p).unwrap()["employer"]
                .as_str()
                .unwrap()
                .to_owned();
            return (l.clone(), p.to_owned(), employer);
        }
    }
    panic!("no demo learner has a match");
}

fn all_regions(demo: &Demo) -> Vec<String> {
    let mut r: Vec<String> = demo
        .learners
        .iter()
        .map(|l| l["region"].as_str().unwrap().to_owned())
        .collect();
    r.sort();
    r.dedup();
    r
}

#[test]
fn an_erased_learner_leaves_nothing_readable_in_the_database_files() {
    let demo = Demo::load();
    let mut srv = Server::start();
    let regions = all_regions(&demo);
    let advisor = srv.token(
        "advisor",
        &regions.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let analyst = srv.token("analyst", &[]);
    let (base, placement, _) = subject(&srv, &demo, &advisor);
    let mut l = new_learner(&base, "LKANARIE");
    l["name"] = json!(NAME);
    l["email"] = json!(EMAIL);
    l["birth_date"] = json!(BIRTH);
    l["in_register"] = json!(true);
    l["support_needs"] = json!([{"kind": "job_coach", "essential": false}]);
    let create = srv
        .req(Method::POST, "/v1/learners", Some(&advisor))
        .header("Idempotency-Key", "kanarie-create")
        .json(&l)
        .send()
        .unwrap();
    json(create, 201);
    // An older version of the record in freed space, a proposal with a reason, an allocation.
    let patch = srv
        .req(Method::PATCH, "/v1/learners/LKANARIE", Some(&advisor))
        .header("If-Match", "\"v1\"")
        .header("Idempotency-Key", "kanarie-patch")
        .json(&json!({ "email": EMAIL2 }))
        .send()
        .unwrap();
    json(patch, 200);
    let proposal = srv
        .req(
            Method::POST,
            "/v1/learners/LKANARIE/proposals",
            Some(&advisor),
        )
        .header("Idempotency-Key", "kanarie-propose")
        .json(&json!({ "placement": placement, "reason": REASON }))
        .send()
        .unwrap();
    json(proposal, 201);
    let job = start_job(&srv, &analyst, "optimal");
    assert_eq!(wait_for_job(&srv, &analyst, &job)["status"], "done");

    let canaries = [NAME, EMAIL, EMAIL2, BIRTH, REASON, "\"LKANARIE\""];
    let db = srv.db.clone();
    let files = || {
        let mut all = Vec::new();
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = db.clone().into_os_string();
            p.push(suffix);
            if let Ok(bytes) = std::fs::read(&p) {
                all.push((p.to_string_lossy().into_owned(), bytes));
            }
        }
        all
    };
    let found = |all: &[(String, Vec<u8>)]| -> Vec<String> {
        let mut hits = Vec::new();
        for (name, bytes) in all {
            for c in canaries {
                if bytes.windows(c.len()).any(|w| w == c.as_bytes()) {
                    hits.push(format!("`{c}` in {name}"));
                }
            }
        }
        hits
    };
    // The canaries are really on disk before the erasure (or this test would prove nothing).
    let before = found(&files());
    for c in [NAME, REASON] {
        assert!(
            before.iter().any(|h| h.contains(c)),
            "`{c}` is on disk before the erasure: {before:?}"
        );
    }

    let erase = srv
        .req(Method::DELETE, "/v1/learners/LKANARIE", Some(&advisor))
        .send()
        .unwrap();
    assert_eq!(erase.status(), 204);
    // Already gone from the files while the server runs on (the WAL is emptied before the
    // answer), and after a clean shutdown.
    let running = found(&files());
    assert!(
        running.is_empty(),
        "readable after the erasure: {running:?}"
    );
    assert!(srv.terminate(), "clean shutdown");
    let stopped = found(&files());
    assert!(stopped.is_empty(), "readable after shutdown: {stopped:?}");
}

/// Signs in on the web pages with `token`; the session cookie.
fn sign_in(srv: &Server, token: &str) -> String {
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client.get(format!("{}/sign-in", srv.base)).send().unwrap();
    let pre = cookie(&form, "koppel_pre");
    let res = client
        .post(format!("{}/sign-in", srv.base))
        .header("cookie", format!("koppel_pre={pre}"))
        .form(&[("token", token), ("csrf", pre.as_str()), ("next", "/")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303, "signed in");
    format!("koppel_session={}", cookie(&res, "koppel_session"))
}

fn cookie(res: &reqwest::blocking::Response, name: &str) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .to_owned()
}

#[test]
fn an_erased_learner_is_gone_from_every_route_at_once_and_a_new_one_is_there_at_once() {
    let demo = Demo::load();
    let srv = Server::start();
    let regions = all_regions(&demo);
    let advisor = srv.token(
        "advisor",
        &regions.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let (base, placement, employer) = subject(&srv, &demo, &advisor);
    let desk = srv.token("employer_desk", &[&employer]);
    let session = sign_in(&srv, &advisor);
    let candidates = || {
        srv.get(
            &desk,
            &format!("/v1/placements/{placement}/candidates?k=100"),
        )
        .text()
        .unwrap()
    };
    let search = |q: &str| {
        srv.client
            .get(format!("{}/learners?q={q}", srv.base))
            .header("cookie", &session)
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    // Several rounds: a stale snapshot would show up in at least one of them.
    for round in 0..5 {
        let id = format!("LNIEUW{round}");
        let name = format!("Nieuwe Kanarie{round}");
        let mut l = new_learner(&base, &id);
        l["name"] = json!(name);
        json(
            srv.send_json(Method::POST, &advisor, "/v1/learners", &l),
            201,
        );
        let pseudonym = koppel_core::anonymise::pseudonym(common::KEY.as_bytes(), &employer, &id);
        // At once: a desk ranks the new learner, the advisor finds them by name.
        assert!(
            candidates().contains(&pseudonym),
            "round {round}: a learner just registered is among the candidates"
        );
        assert!(
            search(&format!("Kanarie{round}")).contains(&id),
            "round {round}: the search finds a learner just registered"
        );
        let erased = srv
            .req(
                Method::DELETE,
                &format!("/v1/learners/{id}"),
                Some(&advisor),
            )
            .send()
            .unwrap();
        assert_eq!(erased.status(), 204);
        // At once: in no list, search or match.
        assert!(
            !candidates().contains(&pseudonym),
            "round {round}: a desk still sees the erased learner"
        );
        assert!(
            !search(&format!("Kanarie{round}")).contains(&id),
            "round {round}: the search still lists the erased learner"
        );
        assert_eq!(
            srv.get(&advisor, &format!("/v1/learners/{id}/matches"))
                .status(),
            404
        );
    }
}

#[test]
fn a_replayed_create_is_audited_as_a_read_of_the_learner() {
    let demo = Demo::load();
    let srv = Server::start();
    let region = demo.learners[0]["region"].as_str().unwrap();
    let advisor = srv.token("advisor", &[region]);
    let l = new_learner(demo.learner_in(region), "LREPLAY");
    let send = || {
        srv.req(Method::POST, "/v1/learners", Some(&advisor))
            .header("Idempotency-Key", "replay-1")
            .json(&l)
            .send()
            .unwrap()
    };
    json(send(), 201);
    let replayed = json(send(), 201);
    assert_eq!(
        replayed["id"], "LREPLAY",
        "the stored answer holds the record"
    );
    let out = common::koppel()
        .args(["audit", "--learner", "LREPLAY", "--json", "--db"])
        .arg(&srv.db)
        .output()
        .unwrap();
    let audit: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "replay"], "{audit:?}");
    assert_eq!(audit[1]["route"], "POST /v1/learners");
}
