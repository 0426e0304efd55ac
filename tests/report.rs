//! `koppel report` on real `koppel allocate` output: the HTML file, its charts, flags and
//! provenance, and clear errors for a directory without a usable summary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn koppel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_koppel"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the koppel binary runs")
}

fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn allocate(dir: &Path, mode: &str) -> PathBuf {
    let out = dir.join(mode);
    ok(koppel(&["allocate", "--mode", mode, "--out", path(&out)]));
    out
}

#[test]
fn report_renders_an_allocation_as_self_contained_html() {
    let tmp = tempfile::tempdir().unwrap();
    let optimal = allocate(tmp.path(), "optimal");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(optimal.join("summary.json")).unwrap())
            .unwrap();
    let prov = &summary["provenance"];
    assert_eq!(prov["mode"], "optimal");
    assert_eq!(prov["k"], 32);
    assert!(
        prov["policy"].as_str().unwrap().ends_with("policy.toml"),
        "{prov}"
    );
    assert_eq!(prov["policy_sha256"].as_str().unwrap().len(), 64);

    let file = tmp.path().join("reports/optimal.html");
    let said = ok(koppel(&[
        "report",
        "--allocation",
        path(&optimal),
        "--out",
        path(&file),
    ]));
    assert!(
        said.contains(&format!("wrote {}", file.display())),
        "{said}"
    );
    assert!(said.contains("four-fifths"), "{said}");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"nl\">"));
    assert!(html.matches("<svg ").count() >= 10, "charts inline");
    assert!(!html.contains("<script") && !html.contains("src="));
    assert!(
        html.contains("<th scope=\"row\">rijnmond</th>"),
        "group table rows"
    );
    assert!(
        html.contains(prov["policy_sha256"].as_str().unwrap()),
        "provenance"
    );
    assert!(html.contains(prov["created_at"].as_str().unwrap()));
    // The demo has groups below four fifths of the best (e.g. young job seekers).
    assert!(html.contains("⚠ onder 4/5"));
    // No temporary file is left beside the report.
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["optimal.html"]);

    // Side by side with the stable allocation, in English.
    let stable = allocate(tmp.path(), "stable");
    let both = tmp.path().join("both.html");
    ok(koppel(&[
        "report",
        "--allocation",
        path(&optimal),
        "--compare",
        path(&stable),
        "--out",
        path(&both),
        "--lang",
        "en",
    ]));
    let html = std::fs::read_to_string(&both).unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("A (optimal)") && html.contains("B (stable)"));
    assert!(html.contains("⚠ below 4/5"));
}

#[test]
fn report_names_the_missing_or_broken_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r.html");
    let o = koppel(&[
        "report",
        "--allocation",
        path(tmp.path()),
        "--out",
        path(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("summary.json") && err.contains("koppel allocate"),
        "{err}"
    );

    std::fs::write(
        tmp.path().join("summary.json"),
        "{\"mode\": \"optimal\", \"learners\": \"many\"}",
    )
    .unwrap();
    let o = koppel(&[
        "report",
        "--allocation",
        path(tmp.path()),
        "--out",
        path(&out),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a broken summary is invalid input"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let file = tmp.path().join("summary.json");
    assert!(
        err.contains(&format!(
            "{} is not a valid allocation summary",
            file.display()
        )),
        "{err}"
    );
    assert!(err.contains("learners"), "names the field: {err}");
    assert!(!out.exists(), "nothing written on error");

    let o = koppel(&[
        "report",
        "--allocation",
        "/nonexistent/koppel",
        "--out",
        path(&out),
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));
}
