//! The real `koppel` binary against the fixtures: what an advisor, an employer desk and a data
//! steward would run. New CLI behaviour gets a test here; engine invariants belong in
//! `crates/koppel-core/tests/properties.rs`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn koppel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_koppel"))
        .args(args)
        .current_dir(root())
        .env_remove("KOPPEL_PSEUDONYM_KEY")
        .output()
        .expect("the koppel binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("valid JSON on stdout")
}

/// Demo learners, read from the fixture file.
fn demo_learners() -> Vec<Value> {
    std::fs::read_to_string(root().join("fixtures/demo/learners.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A demo learner with at least `k` matches, and its match output.
fn learner_with_matches(k: usize) -> (String, Value) {
    for l in demo_learners() {
        let id = l["id"].as_str().unwrap().to_owned();
        let out = json(&koppel(&[
            "match",
            "--learner",
            &id,
            "-k",
            &k.to_string(),
            "--json",
        ]));
        if out["matches"].as_array().unwrap().len() == k {
            return (id, out);
        }
    }
    panic!("no demo learner has {k} matches");
}

#[test]
fn demo_data_is_valid() {
    let o = koppel(&["validate"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("400 learners, 500 placements"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn validate_reports_every_bad_record_with_line_and_field() {
    let o = koppel(&["validate", "--data", "fixtures/invalid", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], false);
    let errors: Vec<(String, u64, String, String)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_owned(),
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let has = |file: &str, line: u64, field: &str, words: &str| {
        assert!(
            errors
                .iter()
                .any(|e| e.0 == file && e.1 == line && e.2 == field && e.3.contains(words)),
            "missing {file}:{line} {field} ({words}) in {errors:#?}"
        )
    };
    has("learners.jsonl", 2, "-", "malformed JSON");
    has("learners.jsonl", 3, "region", "atlantis");
    has("learners.jsonl", 4, "id", "first on line 1");
    has("placements.jsonl", 2, "capacity", "-3");
    has("placements.jsonl", 4, "id", "first on line 3");
    has("learners.jsonl", 6, "name", "U+202E");
    has("learners.jsonl", 6, "email", "not an e-mail address");
    has(
        "placements.jsonl",
        5,
        "title",
        "306 characters; at most 200 allowed",
    );
    has("placements.jsonl", 5, "desk", "U+0000");
    assert_eq!(errors.len(), 9, "{errors:#?}");
}

#[test]
fn validate_text_names_file_line_and_field() {
    let o = koppel(&["validate", "--data", "fixtures/invalid"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("placements.jsonl:2 [P0000002]: field `capacity`"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn commands_refuse_invalid_data_instead_of_dropping_records() {
    let o = koppel(&[
        "match",
        "--learner",
        "L0000001",
        "--data",
        "fixtures/invalid",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("9 invalid record(s); nothing was loaded"),
        "{err}"
    );
}

#[test]
fn match_json_explanations_add_up_to_scores_in_rank_order() {
    let (_, out) = learner_with_matches(5);
    let matches = out["matches"].as_array().unwrap();
    let mut last = u64::MAX;
    for (i, m) in matches.iter().enumerate() {
        let score = m["score"].as_u64().unwrap();
        let sum: u64 = m["explanation"]["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["contribution"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, score);
        assert_eq!(m["explanation"]["score"].as_u64(), Some(score));
        assert_eq!(m["rank"].as_u64(), Some(i as u64 + 1));
        assert!(score <= last, "ranked best first");
        last = score;
    }
}

#[test]
fn match_by_kind_only_returns_that_kind() {
    let (id, _) = learner_with_matches(3);
    let out = json(&koppel(&[
        "match",
        "--learner",
        &id,
        "--kind",
        "internship",
        "--json",
    ]));
    for m in out["matches"].as_array().unwrap() {
        assert_eq!(m["kind"], "internship");
    }
}

#[test]
fn explain_agrees_with_match_and_lists_why_not() {
    let (id, out) = learner_with_matches(1);
    let first = &out["matches"][0];
    let p = first["placement"].as_str().unwrap();
    let e = json(&koppel(&[
        "explain",
        "--learner",
        &id,
        "--placement",
        p,
        "--json",
    ]));
    assert_eq!(e["score"], first["score"]);
    assert_eq!(e["feasible"], true);
    // A placement in another part of the country is infeasible, and says why.
    let far = json(&koppel(&[
        "explain",
        "--learner",
        &id,
        "--placement",
        "P0000001",
        "--json",
    ]));
    if far["feasible"] == false {
        let v = far["violations"].as_array().unwrap();
        assert!(!v.is_empty());
        assert_eq!(v.len(), far["remedies"].as_array().unwrap().len());
        assert!(far["score"].is_null());
    }
}

#[test]
fn unknown_ids_are_clear_errors() {
    let o = koppel(&["match", "--learner", "L9999999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no learner with id `L9999999`"));
}

#[test]
fn candidates_never_show_personal_or_special_category_data() {
    let learners = demo_learners();
    let placements: Vec<Value> =
        std::fs::read_to_string(root().join("fixtures/demo/placements.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    let mut seen = 0;
    for p in placements.iter().take(60) {
        let id = p["id"].as_str().unwrap();
        for args in [
            vec!["candidates", "--placement", id, "-k", "20", "--json"],
            vec!["candidates", "--placement", id, "-k", "20"],
        ] {
            let o = koppel(&args);
            assert!(o.status.success());
            let text = stdout(&o);
            for l in &learners {
                for field in ["id", "name", "email", "birth_date"] {
                    if let Some(v) = l[field].as_str() {
                        assert!(!text.contains(v), "{field} {v} leaked for {id}");
                    }
                }
            }
            if args.contains(&"--json") {
                for banned in [
                    "support_needs",
                    "\"support\"",
                    "job_coach",
                    "workplace_adaptation",
                    "wage_cost_subsidy",
                    "no_risk_policy",
                    "language_support",
                    "digital_skills",
                    "intensive_guidance",
                    "in_register",
                    "email",
                    "birth_date",
                ] {
                    assert!(
                        !text.contains(banned),
                        "`{banned}` in employer output for {id}"
                    );
                }
                let v: Value = serde_json::from_str(&text).unwrap();
                for c in v["candidates"].as_array().unwrap() {
                    let keys: Vec<&str> =
                        c.as_object().unwrap().keys().map(String::as_str).collect();
                    let allowed = [
                        "rank",
                        "pseudonym",
                        "qualification",
                        "level",
                        "distance_band",
                        "score",
                        "components",
                    ];
                    assert!(
                        keys.iter().all(|k| allowed.contains(k)),
                        "unexpected field in {keys:?}"
                    );
                    seen += 1;
                }
            }
        }
    }
    assert!(seen > 0, "some placement has candidates");
}

#[test]
fn keyed_pseudonyms_are_stable_and_per_employer() {
    let run = |key: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_koppel"))
            .args(["candidates", "--placement", "P0000010", "-k", "5", "--json"])
            .current_dir(root())
            .env("KOPPEL_PSEUDONYM_KEY", key)
            .output()
            .unwrap();
        json(&o)["candidates"].clone()
    };
    assert_eq!(run("k1"), run("k1"));
    let (a, b) = (run("k1"), run("k2"));
    if !a.as_array().unwrap().is_empty() {
        assert_ne!(a[0]["pseudonym"], b[0]["pseudonym"]);
    }
}

#[test]
fn generate_is_deterministic_and_valid() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for d in [&a, &b] {
        let o = koppel(&[
            "generate",
            "--learners",
            "300",
            "--placements",
            "200",
            "--seed",
            "9",
            "--out",
            d.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for f in [
        "learners.jsonl",
        "placements.jsonl",
        "employers.jsonl",
        "outlook.csv",
        "regions.csv",
    ] {
        assert_eq!(read(&a, f), read(&b, f), "{f} differs between runs");
    }
    assert_eq!(read(&a, "learners.jsonl").lines().count(), 300);
    let o = koppel(&["validate", "--data", a.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn generate_rejects_unknown_focus_region() {
    let dir = tempfile::tempdir().unwrap();
    let o = koppel(&[
        "generate",
        "--regions",
        "atlantis",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("atlantis"));
}

#[test]
fn bad_policy_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    let (id, _) = learner_with_matches(1);
    for (text, words) in [
        ("[default.weights]\noutlook = -1\n", "weight `outlook` is -1"),
        ("[region.atlantis]\nregion_hops = 1\n", "atlantis"),
        ("[default]\nregoin_hops = 1\n", "regoin_hops"),
        ("[default.weights]\noutlook=0\npreference=0\nqualification=0\nsupport=0\ndistance=0\nhours=0\npathway=0\n", "all weights are 0"),
    ] {
        std::fs::write(&policy, text).unwrap();
        let o = koppel(&["match", "--learner", &id, "--policy", policy.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(words), "{text}: {err}");
    }
}

#[test]
fn policy_changes_weights_in_explanations() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "[default.weights]\noutlook = 1\npreference = 0\nqualification = 0\nsupport = 0\ndistance = 0\nhours = 0\npathway = 0\n").unwrap();
    let (id, _) = learner_with_matches(1);
    let out = json(&koppel(&[
        "match",
        "--learner",
        &id,
        "--policy",
        policy.to_str().unwrap(),
        "--json",
    ]));
    for m in out["matches"].as_array().unwrap() {
        let comps = m["explanation"]["components"].as_array().unwrap();
        assert_eq!(comps[0]["component"], "outlook");
        assert_eq!(comps[0]["weight"], 1000);
        assert_eq!(comps[0]["contribution"], m["score"]);
    }
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap()
}

fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn allocate_places_within_capacity_and_gives_every_unplaced_learner_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let placements: std::collections::HashMap<String, i64> =
        jsonl(&root().join("fixtures/demo/placements.jsonl"))
            .into_iter()
            .map(|p| {
                let open = p["capacity"].as_i64().unwrap() - p["filled"].as_i64().unwrap_or(0);
                (p["id"].as_str().unwrap().to_owned(), open)
            })
            .collect();
    for mode in ["optimal", "stable"] {
        let out = dir.path().join(mode);
        let summary = json(&koppel(&[
            "allocate",
            "--mode",
            mode,
            "--out",
            out.to_str().unwrap(),
            "--json",
        ]));
        let placed = jsonl(&out.join("assignments.jsonl"));
        let unplaced = jsonl(&out.join("unplaced.jsonl"));
        assert_eq!(
            placed.len() + unplaced.len(),
            400,
            "{mode}: every learner is in exactly one file"
        );
        assert_eq!(summary["placed"].as_u64(), Some(placed.len() as u64));
        let mut load: std::collections::HashMap<&str, i64> = Default::default();
        for a in &placed {
            *load.entry(a["placement"].as_str().unwrap()).or_default() += 1;
            assert!(a["rank"].as_u64().unwrap() >= 1);
        }
        for (p, n) in load {
            assert!(
                n <= placements[p],
                "{mode}: {p} holds {n}, has {} open places",
                placements[p]
            );
        }
        for u in &unplaced {
            match u["reason"].as_str().unwrap() {
                "no_feasible_placement" => assert!(u["blocked_by"].is_array()),
                "all_candidates_taken" => {
                    assert!(u["candidates"].as_u64().unwrap() >= 1);
                    for t in u["best"].as_array().unwrap() {
                        let taken = t["taken_by"].as_array().unwrap().len() as u64;
                        assert_eq!(
                            taken,
                            t["places"].as_u64().unwrap(),
                            "a wanted placement is full"
                        );
                    }
                }
                other => panic!("unknown reason {other}"),
            }
        }
        if mode == "stable" {
            assert_eq!(summary["blocking_pairs"], 0);
            let v = &summary["versus_optimal"];
            assert!(v["total_optimal"].as_i64() >= v["total_stable"].as_i64());
        }
    }
}

#[test]
fn exported_graph_solves_to_the_allocated_total_and_foreign_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.min");
    let out = dir.path().join("out");
    let summary = json(&koppel(&[
        "allocate",
        "--out",
        out.to_str().unwrap(),
        "--export-dimacs",
        file.to_str().unwrap(),
        "--json",
    ]));
    let o = koppel(&["solve-dimacs", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    let cost: i64 = text
        .lines()
        .find_map(|l| l.strip_prefix("cost "))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(cost, -summary["total_value"].as_i64().unwrap());
    assert!(text.lines().any(|l| l.starts_with("solve_s ")));
    let bad = dir.path().join("bad.min");
    std::fs::write(&bad, "p min 4 1\nn 1 1\nn 2 -1\na 3 1 0 1 0\n").unwrap();
    let o = koppel(&["solve-dimacs", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("line 4"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn priority_policy_shows_in_assignments() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "[default.priority]\npro_vso = 200\n").unwrap();
    let out = dir.path().join("out");
    json(&koppel(&[
        "allocate",
        "--policy",
        policy.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]));
    let placed = jsonl(&out.join("assignments.jsonl"));
    let with_bonus: Vec<_> = placed
        .iter()
        .filter(|a| a["priority_bonus"] == 200)
        .collect();
    assert!(!with_bonus.is_empty());
    assert!(with_bonus
        .iter()
        .all(|a| a["priority"] == serde_json::json!(["pro_vso"])));
}

#[test]
fn demo_fixtures_cover_every_school_type_kind_and_support_need() {
    use std::collections::BTreeSet;
    let learners = jsonl(&root().join("fixtures/demo/learners.jsonl"));
    let placements = jsonl(&root().join("fixtures/demo/placements.jsonl"));
    assert!(learners.len() >= 300 && placements.len() >= 400);
    fn set(v: Vec<&str>) -> BTreeSet<String> {
        v.into_iter().map(str::to_owned).collect()
    }
    let types = set(learners
        .iter()
        .map(|l| l["school_type"].as_str().unwrap())
        .collect());
    assert_eq!(
        types,
        set(vec![
            "early_leaver",
            "job_seeker",
            "mbo_bbl",
            "mbo_bol",
            "pro",
            "vso"
        ])
    );
    let kinds = set(placements
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect());
    assert_eq!(
        kinds,
        set(vec!["banenafspraak", "internship", "learn_work"])
    );
    let needs = set(learners
        .iter()
        .flat_map(|l| {
            l["support_needs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["kind"].as_str().unwrap())
        })
        .collect());
    assert_eq!(needs.len(), 7, "{needs:?}");
    let with_needs = learners
        .iter()
        .filter(|l| !l["support_needs"].as_array().unwrap().is_empty())
        .count();
    let share = with_needs as f64 / learners.len() as f64;
    assert!((0.10..=0.20).contains(&share), "{share}");
}
