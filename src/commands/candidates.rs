//! `koppel candidates`: the employer desk's anonymised view of one placement.

use super::Context;
use anyhow::Result;
use koppel_core::anonymise::{candidate_view, CandidateView};
use koppel_core::{LearnerIndex, ScoreView, Scorer};
use rand::RngCore;
use serde::Serialize;
use std::process::ExitCode;

/// Environment variable holding the pseudonym key; without it pseudonyms are valid for one run.
const KEY_VAR: &str = "KOPPEL_PSEUDONYM_KEY";

#[derive(Serialize)]
struct Output {
    placement: String,
    title: String,
    pseudonyms: &'static str,
    candidates: Vec<CandidateView>,
}

pub fn run(ctx: &Context, placement: &str, k: usize, json: bool) -> Result<ExitCode> {
    let pi = ctx.placement(placement)?;
    let (key, stable) = match std::env::var(KEY_VAR) {
        Ok(k) if !k.is_empty() => (k.into_bytes(), true),
        _ => {
            let mut k = vec![0u8; 32];
            rand::rng().fill_bytes(&mut k);
            (k, false)
        }
    };
    let scorer = Scorer::new(&ctx.data, ctx.policies.clone());
    let index = LearnerIndex::build(&ctx.data);
    let candidates: Vec<CandidateView> = index
        .top_k(&scorer, pi, k, ScoreView::Public)
        .iter()
        .enumerate()
        .filter_map(|(i, s)| candidate_view(&scorer, &key, i + 1, s.idx, pi))
        .collect();
    let p = ctx.data.placement(pi);
    let out = Output {
        placement: p.id.0.clone(),
        title: p.title.clone(),
        pseudonyms: if stable {
            "stable (keyed)"
        } else {
            "this run only"
        },
        candidates,
    };
    if json {
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        outln!(
            "Candidates for {} {} (anonymised; support needs and register status are never shown)",
            out.placement,
            out.title
        );
        if !stable {
            eprintln!("koppel: note: {KEY_VAR} is not set, so pseudonyms hold for this run only");
        }
        if out.candidates.is_empty() {
            outln!("No feasible candidate.");
        }
        for c in &out.candidates {
            let q = c
                .qualification
                .as_ref()
                .map_or("no qualification".to_owned(), |q| {
                    format!("{} {}", q.crebo, q.name)
                });
            outln!(
                "#{:<2} {:>4}  {}  level {}  {}  {}",
                c.rank,
                c.score,
                c.pseudonym,
                c.level,
                c.distance_band,
                q
            );
            let parts: Vec<String> = c
                .components
                .iter()
                .map(|x| format!("{} {}", x.component.as_str(), x.contribution))
                .collect();
            outln!("      {}", parts.join(" · "));
        }
    }
    Ok(ExitCode::SUCCESS)
}
