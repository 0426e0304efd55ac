//! Property tests of the engine's invariants, on generated datasets under random policies:
//! - no returned match violates a hard constraint;
//! - index top-k equals brute-force top-k, for learners and for placements;
//! - explanations add up exactly to the scores the index returns;
//! - raising a sector's outlook never lowers any pair's score.

use koppel_core::index::brute_force_top_learners;
use koppel_core::policy::{PolicyOverride, WeightsConfig};
use koppel_core::synth::{dataset, SynthParams};
use koppel_core::{
    brute_force_top_k, Dataset, KindFilter, LearnerIdx, LearnerIndex, OutlookLevel, PlacementIdx,
    PlacementIndex, PlacementKind, PolicyConfig, PolicySet, ScoreView, Scorer,
};
use proptest::prelude::*;

fn policy_strategy() -> impl Strategy<Value = PolicyConfig> {
    (prop::array::uniform7(0.0f64..10.0), 0i64..3, 30i64..400).prop_map(|(w, hops, window)| {
        let mut w = w;
        if w.iter().sum::<f64>() == 0.0 {
            w[0] = 1.0;
        }
        PolicyConfig {
            default: PolicyOverride {
                region_hops: Some(hops),
                start_window_days: Some(window),
                weights: Some(WeightsConfig {
                    outlook: Some(w[0]),
                    preference: Some(w[1]),
                    qualification: Some(w[2]),
                    support: Some(w[3]),
                    distance: Some(w[4]),
                    hours: Some(w[5]),
                    pathway: Some(w[6]),
                }),
                priority: None,
            },
            region: Default::default(),
        }
    })
}

fn kind_strategy() -> impl Strategy<Value = KindFilter> {
    prop_oneof![
        Just(KindFilter::All),
        Just(KindFilter::Only(PlacementKind::Internship)),
        Just(KindFilter::Only(PlacementKind::LearnWork)),
        Just(KindFilter::Only(PlacementKind::Banenafspraak)),
    ]
}

fn data(seed: u64, learners: usize, placements: usize) -> Dataset {
    dataset(&SynthParams {
        learners,
        placements,
        seed,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn index_equals_brute_force_and_every_match_is_feasible(
        seed in 0u64..10_000,
        cfg in policy_strategy(),
        k in 1usize..25,
        kinds in kind_strategy(),
    ) {
        let d = data(seed, 150, 400);
        let policies = PolicySet::resolve(&cfg, &d.reference).unwrap();
        let scorer = Scorer::new(&d, policies);
        let index = PlacementIndex::build(&d);
        for li in (0..d.learners.len()).step_by(3).map(|i| LearnerIdx(i as u32)) {
            let fast = index.top_k(&scorer, li, k, kinds);
            let slow = brute_force_top_k(&scorer, li, k, kinds);
            prop_assert_eq!(&fast, &slow, "learner {}", d.learner(li).id);
            for m in &fast {
                let e = scorer.explain(li, m.idx);
                prop_assert!(e.feasible && e.violations.is_empty(), "{:?}", e.violations);
                prop_assert_eq!(e.score, Some(m.score));
                prop_assert_eq!(e.contribution_sum(), m.score);
                prop_assert!(kinds.admits(d.placement(m.idx).kind));
            }
        }
    }

    #[test]
    fn learner_index_equals_brute_force(
        seed in 0u64..10_000,
        cfg in policy_strategy(),
        k in 1usize..25,
        public in any::<bool>(),
    ) {
        let d = data(seed, 400, 120);
        let policies = PolicySet::resolve(&cfg, &d.reference).unwrap();
        let scorer = Scorer::new(&d, policies);
        let index = LearnerIndex::build(&d);
        let view = if public { ScoreView::Public } else { ScoreView::Full };
        for pi in (0..d.placements.len()).step_by(2).map(|i| PlacementIdx(i as u32)) {
            let fast = index.top_k(&scorer, pi, k, view);
            let slow = brute_force_top_learners(&scorer, pi, k, view);
            prop_assert_eq!(&fast, &slow, "placement {}", d.placement(pi).id);
            for m in &fast {
                let e = scorer.explain(m.idx, pi);
                // The public view does not check essential support; nothing else differs.
                let support_only = e.violations.iter().all(|v| {
                    matches!(v, koppel_core::score::Violation::EssentialSupportMissing { .. })
                });
                prop_assert!(e.feasible || (public && support_only));
            }
        }
    }

    /// What an employer sees (who is listed, in which order, with which score) is the same
    /// whatever the learners' support needs are: special-category data cannot be inferred from it.
    #[test]
    fn employer_lists_do_not_depend_on_support_needs(
        seed in 0u64..10_000,
        cfg in policy_strategy(),
        k in 1usize..25,
    ) {
        let d = data(seed, 400, 120);
        let mut blank = d.clone();
        for l in &mut blank.learners {
            l.support = Default::default();
        }
        let index = LearnerIndex::build(&d);
        let with_needs = Scorer::new(&d, PolicySet::resolve(&cfg, &d.reference).unwrap());
        let without = Scorer::new(&blank, PolicySet::resolve(&cfg, &blank.reference).unwrap());
        for pi in (0..d.placements.len()).map(|i| PlacementIdx(i as u32)) {
            prop_assert_eq!(
                index.top_k(&with_needs, pi, k, ScoreView::Public),
                index.top_k(&without, pi, k, ScoreView::Public),
                "placement {}", &d.placement(pi).id
            );
        }
    }

    #[test]
    fn raising_an_outlook_never_lowers_a_score(
        seed in 0u64..10_000,
        cfg in policy_strategy(),
        sector_pick in any::<prop::sample::Index>(),
        region_pick in any::<prop::sample::Index>(),
        raise_work in any::<bool>(),
    ) {
        let d = data(seed, 120, 300);
        let policies = PolicySet::resolve(&cfg, &d.reference).unwrap();
        let s = koppel_core::SectorIdx(sector_pick.index(d.reference.sectors.len()) as u16);
        let r = koppel_core::RegionIdx(region_pick.index(d.reference.regions.len()) as u16);
        let mut raised = d.clone();
        let mut outlook = raised.reference.outlook.clone();
        let mut cell = outlook.get(s, r);
        let slot = if raise_work { &mut cell.work } else { &mut cell.internship };
        // Raise one step (an unknown value is left unknown: raising needs a value to raise).
        if let Some(level) = *slot {
            *slot = OutlookLevel::new((level.get() + 1).min(5));
        }
        outlook.set(s, r, cell);
        raised.reference.set_outlook(outlook);
        let before = Scorer::new(&d, policies.clone());
        let after = Scorer::new(&raised, policies);
        for li in 0..d.learners.len() {
            let (a, b) = (before.prepare(LearnerIdx(li as u32)), after.prepare(LearnerIdx(li as u32)));
            for pi in 0..d.placements.len() {
                let pi = PlacementIdx(pi as u32);
                let (x, y) = (before.score(&a, pi), after.score(&b, pi));
                prop_assert_eq!(x.is_some(), y.is_some());
                if let (Some(x), Some(y)) = (x, y) {
                    prop_assert!(y >= x, "pair {} {}: {} -> {}", li, pi.0, x, y);
                }
            }
        }
    }
}

#[test]
fn ranking_is_deterministic_and_parallel_batch_matches_single_queries() {
    let d = data(42, 500, 500);
    let scorer = Scorer::new(
        &d,
        PolicySet::uniform(Default::default(), d.reference.regions.len()),
    );
    let index = PlacementIndex::build(&d);
    let all: Vec<LearnerIdx> = (0..d.learners.len() as u32).map(LearnerIdx).collect();
    let batch = index.top_k_many(&scorer, &all, 10, KindFilter::All);
    let again = index.top_k_many(&scorer, &all, 10, KindFilter::All);
    assert_eq!(batch, again);
    for (i, row) in batch.iter().enumerate() {
        assert_eq!(
            row,
            &index.top_k(&scorer, LearnerIdx(i as u32), 10, KindFilter::All)
        );
        assert!(row
            .windows(2)
            .all(|w| (w[0].score, std::cmp::Reverse(w[0].idx.0))
                > (w[1].score, std::cmp::Reverse(w[1].idx.0))));
    }
    let matched = batch.iter().filter(|r| !r.is_empty()).count();
    assert!(
        matched * 4 >= d.learners.len(),
        "only {matched} of {} learners have a match",
        d.learners.len()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// The index's why-not tally counts exactly what a scan of every placement in reach counts.
    #[test]
    fn why_not_tally_equals_a_full_scan(seed in 0u64..10_000, cfg in policy_strategy()) {
        use koppel_core::score::Tally;
        let d = data(seed, 200, 400);
        let policies = PolicySet::resolve(&cfg, &d.reference).unwrap();
        let scorer = Scorer::new(&d, policies);
        let index = PlacementIndex::build(&d);
        let filters = std::iter::once(KindFilter::All)
            .chain(PlacementKind::ALL.into_iter().map(KindFilter::Only));
        for kinds in filters {
            for li in (0..d.learners.len()).map(|i| LearnerIdx(i as u32)) {
                let fast = index.tally_in_reach(&scorer, li, kinds);
                let pl = scorer.prepare(li);
                let l = d.learner(li);
                let mut slow = Tally::default();
                for (i, p) in d.placements.iter().enumerate() {
                    if !kinds.admits(p.kind)
                        || !pl.reaches(p.region)
                        || p.location.distance_km(&l.home) > l.travel_limit_km + 1e-9
                    {
                        continue;
                    }
                    match pl.kind_blocked(p.kind) {
                        Some(c) => {
                            slow.placements += 1;
                            slow.add(c);
                        }
                        None => scorer.tally(&pl, scorer.row(PlacementIdx(i as u32)), &mut slow),
                    }
                }
                prop_assert_eq!(fast, slow, "learner {} {:?}", l.id, kinds);
                // Feasible means no failed constraint: the explanation agrees.
                let feasible = d
                    .placements
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        kinds.admits(p.kind)
                            && pl.reaches(p.region)
                            && p.location.distance_km(&l.home) <= l.travel_limit_km + 1e-9
                    })
                    .filter(|(i, _)| scorer.explain(li, PlacementIdx(*i as u32)).feasible)
                    .count();
                prop_assert_eq!(fast.feasible as usize, feasible, "learner {}", l.id);
            }
        }
    }
}
