//! `koppel allocate`: a whole cohort, optimal or stable, with a reason for every unplaced
//! learner and a summary per group.

use super::{source_of, Context};
use crate::cli::{DataArgs, ModeArg};
use crate::{dimacs, load};
use anyhow::{Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};
use koppel_core::allocate::report::{self, Holders, Provenance};
use koppel_core::allocate::{deferred, Assignment, Cohort, Mode};
use koppel_core::{PlacementIndex, Scorer};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// How to report on the terminal.
pub struct Report {
    /// Summary as JSON on stdout.
    pub json: bool,
    /// Stage timings on stderr.
    pub timings: bool,
}

pub fn run(
    args: &DataArgs,
    mode: ModeArg,
    k: usize,
    out: &Path,
    export: Option<&Path>,
    report_to: Report,
) -> Result<ExitCode> {
    let Report { json, timings } = report_to;
    let mode = match mode {
        ModeArg::Optimal => Mode::Optimal,
        ModeArg::Stable => Mode::Stable,
    };
    anyhow::ensure!((1..=1000).contains(&k), "--k must be in 1..=1000, got {k}");
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut timer = Timer::start();
    let source = source_of(args)?;
    let data = load::dataset(&source)?;
    let policy = load::policy_text(&source, args.policy.as_deref())?;
    let policies = load::policies_from(policy.as_ref(), &data)?;
    let ctx = Context { data, policies };
    timer.lap("load");

    let scorer = Scorer::new(&ctx.data, ctx.policies.clone());
    let index = PlacementIndex::build(&ctx.data);
    let bar = bar(ctx.data.learners.len() as u64, "candidates");
    let cohort = Cohort::build(&scorer, &index, k, &|done| bar.set_position(done as u64));
    bar.finish_and_clear();
    drop(index);
    timer.lap("candidates");

    if let Some(file) = export {
        let f = File::create(file).with_context(|| format!("cannot create {}", file.display()))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        dimacs::write(&cohort.graph, &mut w)?;
        w.flush()?;
        timer.lap("export");
    }

    let assignment = solve(&cohort, mode);
    timer.lap("solve");
    let mut summary = report::summarise(&ctx.data, &cohort, &assignment, mode);
    if mode == Mode::Stable {
        summary.blocking_pairs =
            Some(deferred::blocking_pairs(&cohort.graph, &assignment).len() as u64);
        let optimal = solve(&cohort, Mode::Optimal);
        summary.versus_optimal = Some(report::compare(&cohort, &assignment, &optimal));
        timer.lap("compare");
    }
    summary.provenance = Some(Provenance {
        data: source.describe(),
        policy: policy
            .as_ref()
            .map_or_else(|| "default policy".to_owned(), |p| p.origin.clone()),
        policy_sha256: policy.as_ref().map(|p| Provenance::policy_digest(&p.text)),
        k: k as u64,
        mode,
        learners: summary.learners,
        placements: summary.placements,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    // summary.json is the file that travels (mailed, attached to minutes, checked in): it
    // holds only published counts. The exact figures are in the operator's own
    // assignments.jsonl and unplaced.jsonl, next to it.
    let summary = report::protect(&summary);

    write_rows(out, &ctx, &cohort, &assignment)?;
    let mut f = BufWriter::new(File::create(out.join("summary.json"))?);
    serde_json::to_writer_pretty(&mut f, &summary)?;
    writeln!(f)?;
    f.flush()?;
    timer.lap("write");

    if json {
        outln!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary, out)?;
    }
    if timings {
        eprintln!("koppel: timings (s): {}", timer.report());
    }
    Ok(ExitCode::SUCCESS)
}

fn solve(cohort: &Cohort, mode: Mode) -> Assignment {
    let bar = bar(0, "solve phases");
    let a = cohort.allocate(mode, &mut |phase, phases| {
        bar.set_length(phases as u64);
        bar.set_position(phase as u64);
    });
    bar.finish_and_clear();
    a
}

/// A progress bar on a terminal; hidden (no output at all) otherwise.
fn bar(len: u64, what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what);
    bar
}

/// Writes assignments.jsonl (placed learners) and unplaced.jsonl (with reasons), in learner
/// order, generated in parallel chunks.
fn write_rows(out: &Path, ctx: &Context, cohort: &Cohort, asg: &Assignment) -> Result<()> {
    let holders = Holders::new(cohort, asg);
    let no_candidate: BTreeMap<u32, _> =
        cohort.no_candidate.iter().map(|(l, t)| (l.0, t)).collect();
    let mut placed =
        BufWriter::with_capacity(1 << 20, File::create(out.join("assignments.jsonl"))?);
    let mut unplaced = BufWriter::with_capacity(1 << 20, File::create(out.join("unplaced.jsonl"))?);
    let n = ctx.data.learners.len();
    const CHUNK: usize = 1 << 15;
    for start in (0..n).step_by(CHUNK) {
        let rows: Vec<(Vec<u8>, Vec<u8>)> = (start..(start + CHUNK).min(n))
            .into_par_iter()
            .map(
                |i| match report::assignment_row(&ctx.data, cohort, asg, i) {
                    Some(r) => (json_line(&r), Vec::new()),
                    None => {
                        let r = report::unplaced_row(
                            &ctx.data,
                            cohort,
                            asg,
                            &holders,
                            &no_candidate,
                            i,
                        )
                        .expect("an unplaced learner has a reason");
                        (Vec::new(), json_line(&r))
                    }
                },
            )
            .collect();
        for (p, u) in rows {
            placed.write_all(&p)?;
            unplaced.write_all(&u)?;
        }
    }
    placed.flush()?;
    unplaced.flush()?;
    Ok(())
}

fn json_line(row: &impl Serialize) -> Vec<u8> {
    let mut b = serde_json::to_vec(row).expect("rows serialise");
    b.push(b'\n');
    b
}

/// A share as `62.5 %`, or the marker when it is not published.
fn pct(x: Option<f64>) -> String {
    x.map_or_else(
        || koppel_core::disclosure::SECONDARY_MARK.to_owned(),
        |x| format!("{:.1} %", 100.0 * x),
    )
}

/// The published summary (counts below 10 as `< 10`, secondary cells as `×`).
fn print_summary(s: &report::Summary, out: &Path) -> Result<()> {
    outln!(
        "{:?} allocation: {} of {} learners placed ({}), {} open places in {} placements",
        s.mode,
        s.placed,
        s.learners,
        pct(s.placement_rate()),
        s.open_places,
        s.placements
    );
    outln!(
        "unplaced: {} without any feasible placement, {} whose candidates were all taken",
        s.unplaced_no_feasible,
        s.unplaced_all_taken
    );
    outln!(
        "total score {}, mean rank {}",
        s.total_score,
        s.mean_rank.map_or_else(
            || koppel_core::disclosure::SECONDARY_MARK.to_owned(),
            |m| format!("{m:.2}")
        )
    );
    if let (Some(b), Some(c)) = (s.blocking_pairs, s.versus_optimal) {
        outln!(
            "stable: {b} blocking pairs; {} learners would do better under optimal, {} do better here",
            c.prefer_optimal, c.prefer_stable
        );
    }
    outln!("\nplaced share by group:");
    let groups: [(&str, Vec<(String, report::Counts)>); 4] = [
        (
            "school type",
            s.by_school_type
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        ),
        (
            "support need",
            s.by_support_need
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        ),
        (
            "register",
            s.by_register
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        ),
        (
            "at risk",
            s.by_at_risk
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        ),
    ];
    for (name, rows) in groups {
        let cells: Vec<String> = rows
            .iter()
            .filter(|(_, c)| c.learners != koppel_core::disclosure::Cell::Value(0))
            .map(|(k, c)| match c.placed_share {
                Some(x) => format!("{k} {:.0} % of {}", 100.0 * x, c.learners),
                None => format!("{k} {} of {}", c.placed, c.learners),
            })
            .collect();
        outln!("  {name:<13} {}", cells.join(" · "));
    }
    let kinds: Vec<String> = s
        .placed_by_kind
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    outln!("  {:<13} {}", "placed in", kinds.join(" · "));
    outln!(
        "\nwrote {0}/assignments.jsonl, {0}/unplaced.jsonl (with reasons; personal data, for the operator only), {0}/summary.json (per region too; counts below 10 withheld as \"< 10\", \"×\" where they could be worked out)",
        out.display()
    );
    Ok(())
}

/// Wall-clock time per stage.
struct Timer {
    last: Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Timer {
    fn start() -> Timer {
        Timer {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, what: &'static str) {
        let now = Instant::now();
        self.laps.push((what, (now - self.last).as_secs_f64()));
        self.last = now;
    }

    fn report(&self) -> String {
        self.laps
            .iter()
            .map(|(w, s)| format!("{w} {s:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
