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
    assert_eq!(o.status.code(), Some(1), "invalid data is exit 1");
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
    // A learner whose unfiltered list mixes internships with other kinds, so that the filter
    // has something to remove and something to keep.
    let kinds = |out: &Value| -> Vec<String> {
        out["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    let (id, all) = demo_learners()
        .into_iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .find_map(|id| {
            let out = json(&koppel(&["match", "--learner", &id, "-k", "10", "--json"]));
            let k = kinds(&out);
            (k.iter().any(|k| k == "internship") && k.iter().any(|k| k != "internship"))
                .then_some((id, k))
        })
        .expect("a demo learner with internships and other kinds among their matches");
    let out = json(&koppel(&[
        "match",
        "--learner",
        &id,
        "-k",
        "10",
        "--kind",
        "internship",
        "--json",
    ]));
    let only = kinds(&out);
    assert!(!only.is_empty(), "the filter keeps the internships");
    assert!(only.iter().all(|k| k == "internship"), "{only:?}");
    let unfiltered = all.iter().filter(|k| *k == "internship").count();
    assert!(
        only.len() >= unfiltered,
        "every internship of the unfiltered top 10 is still listed ({unfiltered} of {all:?})"
    );
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
    // Some placement does not fit this learner, and the explanation says why, with a remedy
    // per failed constraint.
    let far = (1..=500)
        .map(|i| format!("P{i:07}"))
        .map(|p| {
            json(&koppel(&[
                "explain",
                "--learner",
                &id,
                "--placement",
                &p,
                "--json",
            ]))
        })
        .find(|e| e["feasible"] == false)
        .expect("a demo placement that does not fit the learner");
    let v = far["violations"].as_array().unwrap();
    assert!(!v.is_empty());
    assert_eq!(v.len(), far["remedies"].as_array().unwrap().len());
    assert!(far["score"].is_null());
}

#[test]
fn unknown_ids_are_clear_errors() {
    let o = koppel(&["match", "--learner", "L9999999"]);
    assert_eq!(o.status.code(), Some(1), "an unknown id is exit 1");
    assert!(String::from_utf8_lossy(&o.stderr).contains("no learner with id `L9999999`"));
    let (id, _) = learner_with_matches(1);
    let o = koppel(&["explain", "--learner", &id, "--placement", "P9999999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no placement with id `P9999999`"));
}

#[test]
fn exit_codes_tell_invalid_input_from_usage_and_io_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let bad_summary = dir.path().join("alloc");
    std::fs::create_dir(&bad_summary).unwrap();
    std::fs::write(bad_summary.join("summary.json"), "{\"mode\": 3}").unwrap();
    let out = dir.path().join("r.html");
    let cases: [(&[&str], i32); 6] = [
        // Usage: clap's own errors.
        (&["match", "--no-such-flag"], 2),
        (&["match"], 2),
        // I/O: a directory that is not there.
        (
            &[
                "match",
                "--learner",
                "L0000001",
                "--data",
                missing.to_str().unwrap(),
            ],
            2,
        ),
        (&["solve-dimacs", missing.to_str().unwrap()], 2),
        // Invalid input: a file that is there but is not what the command reads.
        (
            &[
                "report",
                "--allocation",
                bad_summary.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            1,
        ),
        (&["validate", "--data", "fixtures/invalid"], 1),
    ];
    for (args, code) in cases {
        let o = koppel(args);
        assert_eq!(
            o.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&o.stderr).contains("panicked"),
            "{args:?}"
        );
    }
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    // The OpenAPI document is larger than a pipe's buffer: the reader goes away after one
    // line and the writer meets a broken pipe.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_koppel"))
        .arg("openapi")
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first.trim(), "{");
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");
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
        assert_eq!(o.status.code(), Some(1), "{text}");
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
            // Totals with priority bonuses are not published (docs/privacy.md); the counts
            // of who does better are, when 10 or more.
            let v = &summary["versus_optimal"];
            assert_eq!(v["total_optimal"]["suppressed"], "secondary");
            assert!(v["prefer_optimal"].as_u64().unwrap() >= 10, "{v}");
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
    // The total value is not in the published summary.json (its bonuses are counts of
    // priority groups); the operator's assignments.jsonl has every score and bonus.
    assert_eq!(summary["total_value"]["suppressed"], "secondary");
    let total: i64 = jsonl(&out.join("assignments.jsonl"))
        .iter()
        .map(|a| a["score"].as_i64().unwrap() + a["priority_bonus"].as_i64().unwrap())
        .sum();
    assert_eq!(cost, -total);
    assert!(text.lines().any(|l| l.starts_with("solve_s ")));
    let bad = dir.path().join("bad.min");
    std::fs::write(&bad, "p min 4 1\nn 1 1\nn 2 -1\na 3 1 0 1 0\n").unwrap();
    let o = koppel(&["solve-dimacs", bad.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a file that is not a Koppel cohort is invalid input"
    );
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
