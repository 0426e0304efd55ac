//! What an analyst can learn about single learners (issue 13, point 3; docs/privacy.md): the
//! inference attack with a support-only policy, register status through Banenafspraak jobs,
//! and the summaries an analyst reads.

mod common;

use base64::Engine as _;
use common::{all_assignments, json, wait_for_job, Demo, Server, KEY};
use koppel_core::anonymise::{allocation_pseudonym, pseudonym};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Every weight on support: under the full score a learner's score for a placement is the
/// share of their desired support it offers, 1000 for a learner without desired needs.
const SUPPORT_ONLY: &str = "[default.weights]\noutlook = 0\npreference = 0\nqualification = 0\nsupport = 1000\ndistance = 0\nhours = 0\npathway = 0\n";

fn run(srv: &Server, analyst: &str, body: &Value) -> String {
    let job = json(
        srv.send_json(Method::POST, analyst, "/v1/allocations", body),
        202,
    );
    let id = job["id"].as_str().unwrap().to_owned();
    let done = wait_for_job(srv, analyst, &id);
    assert_eq!(done["status"], "done", "{done}");
    id
}

/// Learner id → whether they have a desired (non-essential) support need.
fn desired_needs(demo: &Demo) -> BTreeMap<String, bool> {
    demo.learners
        .iter()
        .map(|l| {
            let desired = l["support_needs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["essential"] == false);
            (l["id"].as_str().unwrap().to_owned(), desired)
        })
        .collect()
}

#[test]
fn a_support_only_policy_tells_an_analyst_nothing_about_single_learners() {
    let demo = Demo::load();
    let srv = Server::start();
    let analyst = srv.token("analyst", &[]);
    let body = json!({"mode": "optimal", "policy": SUPPORT_ONLY});
    let (first, second) = (run(&srv, &analyst, &body), run(&srv, &analyst, &body));
    let (rows, raw) = all_assignments(&srv, &analyst, &first);
    let (rows2, raw2) = all_assignments(&srv, &analyst, &second);
    assert!(
        rows.len() > 100,
        "most of the cohort is placed: {}",
        rows.len()
    );

    // 1. No learner id anywhere an analyst reads: rows, pages, cursors (decoded too).
    let ids: Vec<&str> = demo
        .learners
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    for text in raw.iter().chain(&raw2) {
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        for id in &ids {
            assert!(
                !text.contains(id) && !decoded.contains(id),
                "an analyst reads learner id {id} in {text:.300}"
            );
        }
    }
    // 2. A row is a pseudonym, a placement and the public score: nothing else.
    for r in rows.iter().chain(&rows2) {
        let keys: BTreeSet<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["pseudonym", "placement", "public_score"]),
            "{r}"
        );
    }
    // 3. Every score is the same: support counts as met for everyone, so a score says nothing
    //    about anyone's support needs.
    let scores: BTreeSet<i64> = rows
        .iter()
        .map(|r| r["public_score"].as_i64().unwrap())
        .collect();
    assert_eq!(
        scores,
        BTreeSet::from([1000]),
        "scores differ between learners"
    );
    // 4. The same learners, allocated twice, share no pseudonym: differencing the two runs
    //    links nothing. (Same cohort, same policy: the same number placed.)
    let p1: BTreeSet<&str> = rows
        .iter()
        .map(|r| r["pseudonym"].as_str().unwrap())
        .collect();
    let p2: BTreeSet<&str> = rows2
        .iter()
        .map(|r| r["pseudonym"].as_str().unwrap())
        .collect();
    assert_eq!(
        (p1.len(), p2.len()),
        (rows.len(), rows2.len()),
        "pseudonyms are unique"
    );
    assert!(p1.is_disjoint(&p2), "a pseudonym recurs across allocations");
    // 5. Rows come in pseudonym order, not in learner order.
    let order: Vec<&str> = rows
        .iter()
        .map(|r| r["pseudonym"].as_str().unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));

    // The attack is real: the learner's advisor sees the full scores of the same allocation
    // (it is the latest one), and those do tell needs apart. This is what rows carried before.
    let regions: BTreeSet<&str> = demo
        .learners
        .iter()
        .map(|l| l["region"].as_str().unwrap())
        .collect();
    let advisor = srv.token("advisor", &regions.into_iter().collect::<Vec<_>>());
    let needs = desired_needs(&demo);
    let mut full: BTreeMap<bool, BTreeSet<i64>> = BTreeMap::new();
    for (id, has) in needs
        .iter()
        .filter(|(_, h)| **h)
        .chain(needs.iter().filter(|(_, h)| !**h).take(40))
    {
        let o = json(
            srv.get(&advisor, &format!("/v1/learners/{id}/outcome")),
            200,
        );
        assert_eq!(o["allocation"]["allocation"], second.as_str());
        if let Some(s) = o["allocation"]["score"].as_i64() {
            full.entry(*has).or_default().insert(s);
        }
    }
    assert_eq!(full.get(&false), Some(&BTreeSet::from([1000])), "{full:?}");
    assert!(
        full.get(&true).is_some_and(|s| s.iter().any(|&v| v < 1000)),
        "under the full score some learners with needs score below 1000: {full:?}"
    );
}

#[test]
fn banenafspraak_assignments_carry_no_identifiable_learner() {
    let demo = Demo::load();
    let srv = Server::start();
    let analyst = srv.token("analyst", &[]);
    let id = run(&srv, &analyst, &json!({"mode": "optimal"}));
    let other = run(&srv, &analyst, &json!({"mode": "optimal"}));
    let (rows, _) = all_assignments(&srv, &analyst, &id);
    let (rows2, _) = all_assignments(&srv, &analyst, &other);
    let kind: BTreeMap<&str, (&str, &str)> = demo
        .placements
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap(),
                (p["kind"].as_str().unwrap(), p["employer"].as_str().unwrap()),
            )
        })
        .collect();
    let bana: Vec<&Value> = rows
        .iter()
        .filter(|r| kind[r["placement"].as_str().unwrap()].0 == "banenafspraak")
        .collect();
    assert!(
        !bana.is_empty(),
        "the demo allocation fills Banenafspraak jobs"
    );
    let ids: BTreeSet<&str> = demo
        .learners
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    let elsewhere: BTreeSet<&str> = rows2
        .iter()
        .map(|r| r["pseudonym"].as_str().unwrap())
        .collect();
    for r in bana {
        let p = r["pseudonym"].as_str().unwrap();
        let employer = kind[r["placement"].as_str().unwrap()].1;
        assert!(!ids.contains(p) && !elsewhere.contains(p), "{r}");
        // Not the pseudonym the employer's desk knows the learner by either (computed here
        // with the test key for every learner), so a desk and an analyst cannot join.
        for l in &ids {
            assert_ne!(p, pseudonym(KEY.as_bytes(), employer, l), "{r}");
        }
        // What the service's key gives for one learner in this allocation, and only this one.
        assert!(p.starts_with("T-") && p.len() == 22, "{p}");
    }
    // The pseudonym is the keyed one (so only the key holder can link it), and it is per
    // allocation.
    let mine: BTreeSet<String> = ids
        .iter()
        .map(|l| allocation_pseudonym(KEY.as_bytes(), &id, l))
        .collect();
    assert!(rows
        .iter()
        .all(|r| mine.contains(r["pseudonym"].as_str().unwrap())));
}

#[test]
fn the_summary_an_analyst_reads_withholds_small_counts() {
    let srv = Server::start();
    let analyst = srv.token("analyst", &[]);
    let id = run(
        &srv,
        &analyst,
        &json!({"mode": "stable", "policy": SUPPORT_ONLY}),
    );
    let s = &json(srv.get(&analyst, &format!("/v1/allocations/{id}")), 200)["summary"];
    assert_eq!(s["disclosure"]["threshold"], 10, "{s}");
    let mut counts = Vec::new();
    fn walk(v: &Value, path: &str, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) if m.contains_key("suppressed") => out.push((path.into(), v.clone())),
            Value::Object(m) => m
                .iter()
                .for_each(|(k, v)| walk(v, &format!("{path}.{k}"), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| walk(v, &format!("{path}[{i}]"), out)),
            _ => out.push((path.into(), v.clone())),
        }
    }
    for key in [
        "by_region",
        "by_school_type",
        "by_level",
        "by_kind",
        "by_support_need",
        "by_register",
        "by_at_risk",
        "by_age_band",
    ] {
        for (group, c) in s[key].as_object().unwrap() {
            for col in ["learners", "placed"] {
                walk(&c[col], &format!("{key}.{group}.{col}"), &mut counts);
            }
        }
    }
    for key in ["placed_by_kind", "unplaced_by_reason"] {
        walk(&s[key], key, &mut counts);
    }
    for key in ["score_histogram", "rank_histogram"] {
        for b in s[key].as_array().unwrap() {
            walk(&b["count"], &format!("{key}.{}", b["label"]), &mut counts);
        }
    }
    let mut hidden = 0;
    for (path, v) in &counts {
        match v.as_u64() {
            // A published count below 10 only for an empty group (0 learners, 0 placed).
            Some(n) if n < 10 => {
                let group = path.rsplit_once('.').unwrap().0;
                let empty = counts
                    .iter()
                    .any(|(p, v)| p == &format!("{group}.learners") && v == 0);
                assert!(empty, "{path} = {n} is published");
            }
            Some(_) => {}
            None => hidden += 1,
        }
    }
    assert!(hidden > 0, "the demo has small groups");
    assert!(
        s["total_value"]["suppressed"].is_string(),
        "{}",
        s["total_value"]
    );
    // The advisor route stays for advisors: an analyst reads no single learner.
    let l = Demo::load().learners[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        srv.get(&analyst, &format!("/v1/learners/{l}/outcome"))
            .status(),
        403
    );
}
