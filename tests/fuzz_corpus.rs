//! Replays every input of the fuzz corpora (`fuzz/corpus/<target>/`) through the harness the
//! fuzz targets run (`koppel::harness`), on the stable compiler and in every test run: what the
//! fuzzers once found stays fixed. Run the fuzzers themselves as docs/fuzzing.md says.

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "{} is empty: a target without a corpus replays nothing",
        dir.display()
    );
    files
}

fn replay(target: &str, run: impl Fn(&[u8])) {
    for file in corpus(target) {
        let input = std::fs::read(&file).expect("a corpus file");
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&input)));
        assert!(outcome.is_ok(), "{target}: {} fails", file.display());
    }
}

#[test]
fn jsonl_corpus() {
    replay("jsonl", koppel::harness::jsonl);
}

#[test]
fn csv_corpus() {
    replay("csv", koppel::harness::csv);
}

#[test]
fn policy_corpus() {
    replay("policy", koppel::harness::policy);
}

#[test]
fn dimacs_corpus() {
    replay("dimacs", koppel::harness::dimacs);
}

#[test]
fn http_corpora() {
    let http = koppel::harness::http::Http::start();
    replay("http_body", |b| http.body(b));
    replay("http_query", |q| http.query(q));
}

/// What the DIMACS fuzzer found: a node count far beyond the file was allocated before
/// anything else was checked (gigabytes for a line of text), and a cost of `i64::MIN`
/// overflowed when negated. Both are refused with a message naming the line.
#[test]
fn dimacs_refuses_sizes_and_costs_it_cannot_hold() {
    let huge = b"p min 4000000000 0\nn 1 3999999990\n";
    let err = format!("{:#}", koppel::dimacs::parse(huge).unwrap_err());
    assert!(
        err.contains("line 1: 4000000000 nodes, but a file of"),
        "{err}"
    );
    let min = format!(
        "p min 4 4\nn 1 1\nn 2 -1\na 1 2 0 1 0\na 1 3 0 1 0\na 3 4 0 1 {}\na 4 2 0 1 0\n",
        i64::MIN
    );
    let err = format!("{:#}", koppel::dimacs::parse(min.as_bytes()).unwrap_err());
    assert!(err.contains("line 6: cost"), "{err}");
}
