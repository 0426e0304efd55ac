//! `koppel validate`: every problem of a data directory, with file, line, field and reason.

use super::source_of;
use crate::cli::DataArgs;
use crate::load::{self, Checked};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(args: &DataArgs, json: bool) -> Result<ExitCode> {
    let source = source_of(args)?;
    match load::check(&source)? {
        Checked::Valid(data) => {
            if let Err(e) = load::policies(&source, args.policy.as_deref(), &data) {
                eprintln!("koppel: {e:#}");
                return Ok(ExitCode::from(1));
            }
            let r = &data.reference;
            if json {
                outln!(
                    "{}",
                    serde_json::json!({
                        "valid": true,
                        "regions": r.regions.len(), "sectors": r.sectors.len(),
                        "qualifications": r.qualifications.len(), "employers": r.employers.len(),
                        "learners": data.learners.len(), "placements": data.placements.len(),
                    })
                );
            } else {
                outln!(
                    "ok: {} — {} regions, {} sectors, {} qualifications, {} employers, {} learners, {} placements",
                    source.describe(),
                    r.regions.len(),
                    r.sectors.len(),
                    r.qualifications.len(),
                    r.employers.len(),
                    data.learners.len(),
                    data.placements.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Checked::Invalid(errors) => {
            if json {
                let list: Vec<_> = errors
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "file": e.table.file_name(), "line": e.line, "record": e.record,
                            "field": e.field, "reason": e.reason,
                        })
                    })
                    .collect();
                outln!("{}", serde_json::json!({ "valid": false, "errors": list }));
            } else {
                for e in &errors {
                    outln!("{e}");
                }
                eprintln!(
                    "koppel: {} invalid: {} problem(s)",
                    source.describe(),
                    errors.len()
                );
            }
            Ok(ExitCode::from(1))
        }
    }
}
