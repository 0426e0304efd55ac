//! `koppel solve-dimacs FILE`: the exact allocation solver on a DIMACS file of Koppel's layout.

use crate::dimacs;
use anyhow::{Context, Result};
use koppel_core::allocate::auction;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

pub fn run(file: &Path) -> Result<ExitCode> {
    let text = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let graph = dimacs::parse(&text).with_context(|| {
        koppel::Invalid(format!(
            "{} is not a Koppel allocation file",
            file.display()
        ))
    })?;
    drop(text);
    let start = Instant::now();
    let assignment = auction::solve(&graph, &mut |_, _| {});
    let solve_s = start.elapsed().as_secs_f64();
    outln!("cost {}", -assignment.total(&graph));
    outln!("solve_s {solve_s:.3}");
    eprintln!(
        "koppel: {} learners, {} placements, {} candidate arcs; {} assigned",
        graph.n_learners(),
        graph.n_placements(),
        graph.n_arcs(),
        assignment.placed()
    );
    Ok(ExitCode::SUCCESS)
}
