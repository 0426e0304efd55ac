//! `koppel match` and `koppel explain`: the advisor's view of one learner.

use super::Context;
use crate::render;
use anyhow::Result;
use koppel_core::views::{match_rows, MatchRow, WhyNot};
use koppel_core::{KindFilter, Learner, PlacementIndex, PlacementKind, Scorer};
use serde::Serialize;
use std::process::ExitCode;

#[derive(Serialize)]
struct MatchOutput {
    learner: String,
    school_type: &'static str,
    level: u8,
    region: String,
    k: usize,
    kind: Option<PlacementKind>,
    matches: Vec<MatchRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    why_not: Option<WhyNot>,
}

pub fn run_match(
    ctx: &Context,
    learner: &str,
    k: usize,
    kind: Option<PlacementKind>,
    json: bool,
) -> Result<ExitCode> {
    let li = ctx.learner(learner)?;
    let scorer = Scorer::new(&ctx.data, ctx.policies.clone());
    let index = PlacementIndex::build(&ctx.data);
    let filter = kind.map_or(KindFilter::All, KindFilter::Only);
    let top = index.top_k(&scorer, li, k, filter);
    let refs = &ctx.data.reference;
    let l = ctx.data.learner(li);
    let matches = match_rows(&scorer, li, &top);
    let why_not = (matches.len() < k).then(|| WhyNot::of(&index, &scorer, li, filter));
    let out = MatchOutput {
        learner: l.id.0.clone(),
        school_type: l.school_type.as_str(),
        level: l.level.get(),
        region: refs.regions[l.region.ix()].code.clone(),
        k,
        kind,
        matches,
        why_not,
    };
    if json {
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_match(&out, l, ctx)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_match(out: &MatchOutput, l: &Learner, ctx: &Context) -> Result<()> {
    let refs = &ctx.data.reference;
    outln!(
        "Learner {} · {} · level {} · {} · travel limit {:.0} km · {} h/week",
        out.learner,
        out.school_type,
        l.level,
        refs.regions[l.region.ix()].name,
        l.travel_limit_km,
        l.hours_per_week
    );
    if out.matches.is_empty() {
        outln!("No feasible placement.");
    }
    for m in &out.matches {
        outln!(
            "\n#{:<2} {:>4}  {}  {}  [{} · {} · {}]  {}",
            m.rank,
            m.score,
            m.placement,
            m.title,
            m.kind,
            m.sector,
            m.region,
            m.employer
        );
        out!("{}", render::components(&m.explanation, "      "));
    }
    if let Some(w) = &out.why_not {
        outln!(
            "\nFewer than {} matches: {} of {} placements in reach (reachable regions, within the travel limit) are feasible.",
            out.k,
            w.feasible,
            w.placements_in_reach
        );
        for (code, n) in w.largest_first() {
            outln!("  {n:>6} blocked by {code}");
        }
    }
    Ok(())
}

pub fn run_explain(ctx: &Context, learner: &str, placement: &str, json: bool) -> Result<ExitCode> {
    let (li, pi) = (ctx.learner(learner)?, ctx.placement(placement)?);
    let scorer = Scorer::new(&ctx.data, ctx.policies.clone());
    let e = scorer.explain(li, pi);
    if json {
        outln!("{}", serde_json::to_string_pretty(&e)?);
        return Ok(ExitCode::SUCCESS);
    }
    let p = ctx.data.placement(pi);
    outln!(
        "{} × {} ({}, {} · {}, {:.1} km)",
        e.learner,
        e.placement,
        p.title,
        e.facts.kind,
        e.facts.region,
        e.facts.distance_km
    );
    match e.score {
        Some(score) => {
            outln!("feasible, score {score} of 1000 (sum of contributions):");
            out!("{}", render::components(&e, "  "));
            if !e.allocation_priority.is_empty() {
                let parts: Vec<String> = e
                    .allocation_priority
                    .iter()
                    .map(|(name, points)| format!("+{points} {name}"))
                    .collect();
                outln!(
                    "  in cohort allocation this pair counts {} points more: {}",
                    e.allocation_priority
                        .iter()
                        .map(|(_, p)| *p as u32)
                        .sum::<u32>(),
                    parts.join(", ")
                );
            }
        }
        None => {
            outln!(
                "not feasible: {} hard constraint(s) fail:",
                e.violations.len()
            );
            out!("{}", render::violations(&e, "  "));
        }
    }
    Ok(ExitCode::SUCCESS)
}
