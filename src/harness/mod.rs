//! What the fuzz targets in `fuzz/` run, and what `tests/fuzz_corpus.rs` replays on every test
//! run: each function takes arbitrary bytes, feeds them to a parser of outside input exactly as
//! the binary or the service does, and panics only when an invariant breaks (a panic is a
//! finding). Parsers that refuse the input with an error are doing their job.
//!
//! - [`jsonl`], [`csv`]: one file of a data directory (JSON Lines records, CSV reference
//!   tables), the rest of the directory being the demo data, through [`crate::load::check`].
//! - [`policy`]: a policy TOML, resolved against the demo data and then used to score.
//! - [`dimacs`]: a DIMACS min-cost-flow file; a file that parses is written back, parsed again
//!   (the same graph) and solved.
//! - [`http::Http`]: JSON bodies of every write route and the query strings of every read
//!   route, through the service's real router (extractors, validation, store).

pub mod http;

use crate::load::{self, Checked, Source};
use koppel_core::{Dataset, KindFilter, LearnerIdx, PlacementIndex, Scorer};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The JSON Lines files of a data directory, in the order [`jsonl`]'s first byte picks them.
pub const JSONL_FILES: [&str; 3] = ["learners.jsonl", "placements.jsonl", "employers.jsonl"];

/// The CSV files of a data directory, in the order [`csv`]'s first byte picks them.
pub const CSV_FILES: [&str; 5] = [
    "regions.csv",
    "region_adjacency.csv",
    "sectors.csv",
    "qualifications.csv",
    "outlook.csv",
];

/// Learner and placement lines kept from the demo data around a fuzzed file: enough for every
/// kind of record and reference, few enough for thousands of runs a second.
const BASE_LINES: usize = 40;

/// The demo data with at most [`BASE_LINES`] learners and placements.
fn base_files() -> BTreeMap<String, String> {
    JSONL_FILES
        .iter()
        .chain(CSV_FILES.iter())
        .chain(std::iter::once(&load::POLICY_FILE))
        .map(|&name| {
            let text = load::embedded::get(name).unwrap_or_default();
            let text = if name == "learners.jsonl" || name == "placements.jsonl" {
                text.lines()
                    .take(BASE_LINES)
                    .flat_map(|l| [l, "\n"])
                    .collect()
            } else {
                text.to_owned()
            };
            (name.to_owned(), text)
        })
        .collect()
}

/// The small demo dataset [`policy`] resolves against.
fn base_dataset() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| {
        load::dataset(&Source::Files(base_files())).expect("the demo data is valid")
    })
}

/// One JSON Lines file: the first byte picks it from [`JSONL_FILES`], the rest is its text.
pub fn jsonl(input: &[u8]) {
    if let Some((&pick, text)) = input.split_first() {
        data_file(JSONL_FILES[pick as usize % JSONL_FILES.len()], text);
    }
}

/// One CSV file: the first byte picks it from [`CSV_FILES`], the rest is its text.
pub fn csv(input: &[u8]) {
    if let Some((&pick, text)) = input.split_first() {
        data_file(CSV_FILES[pick as usize % CSV_FILES.len()], text);
    }
}

/// Validates the demo data with `name` replaced by `text` (read as the loader reads a file:
/// UTF-8, so other bytes are replaced); a valid result is scored.
fn data_file(name: &str, text: &[u8]) {
    let mut files = base_files();
    files.insert(name.to_owned(), String::from_utf8_lossy(text).into_owned());
    let source = Source::Files(files);
    match load::check(&source).expect("files in memory cannot fail to be read") {
        Checked::Invalid(errors) => {
            assert!(!errors.is_empty(), "invalid without a reason");
            for e in &errors {
                assert!(!e.to_string().is_empty(), "an error without a message");
            }
        }
        Checked::Valid(data) => {
            let policies = load::policies(&source, None, &data).expect("the demo policy is valid");
            score_some(&data, Scorer::new(&data, policies));
        }
    }
}

/// A policy TOML, resolved against the demo data; one that resolves is used to score.
pub fn policy(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let data = base_dataset();
    if let Ok(policies) = load::parse_policy(text, data) {
        score_some(data, Scorer::new(data, policies));
    }
}

/// Top matches of a few learners: every score in 0..=1000, best first.
fn score_some(data: &Dataset, scorer: Scorer<'_>) {
    let index = PlacementIndex::build(data);
    for i in 0..data.learners.len().min(8) {
        let top = index.top_k(&scorer, LearnerIdx(i as u32), 5, KindFilter::All);
        assert!(top.iter().all(|s| s.score <= 1000), "score above 1000");
        assert!(
            top.windows(2).all(|w| w[0].score >= w[1].score),
            "matches not best first"
        );
    }
}

/// A DIMACS file: one that parses is written back and parsed again (the same graph), and a
/// small one is solved (an assignment within every capacity).
pub fn dimacs(input: &[u8]) {
    let Ok(graph) = crate::dimacs::parse(input) else {
        return;
    };
    let mut out = Vec::new();
    crate::dimacs::write(&graph, &mut out).expect("writing to memory");
    let again = crate::dimacs::parse(&out).expect("a written graph parses");
    assert_eq!(again, graph, "write then parse changed the graph");
    if graph.n_arcs() <= 10_000 {
        let asg = koppel_core::allocate::auction::solve(&graph, &mut |_, _| {});
        if let Err(e) = asg.check(&graph) {
            panic!("the solver's assignment is not feasible: {e}");
        }
    }
}
