//! The suppression rule against an independent, exhaustive audit: for random small tables of
//! the shape of Koppel's summaries (a partition of the cohort into groups with learners,
//! placed and not placed; the cohort's learners, placed and unplaced; a histogram of the
//! placed), every table of whole numbers consistent with what is published — the published
//! values, the markers (`< 10`: 0–9, 1–9 for a group's size; `×`: 10 or more) and the
//! additive relations — is enumerated, and every hidden cell below the threshold must take at
//! least two values among them.

use koppel_core::disclosure::{Cell, CellId, Hidden, Table, THRESHOLD};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// Largest group size drawn.
const MAX_N: u64 = 16;
/// Largest value the audit tries for a cell without an upper bound (above any true total).
const CAP: usize = 4 * MAX_N as usize + 4;

/// The cells of a protected table, with the true values.
struct Case {
    top: [(CellId, u64); 3],
    groups: Vec<[(CellId, u64); 3]>,
    bins: Vec<(CellId, u64)>,
    t: Table,
}

fn build(groups: &[(u64, u64)], bins: &[u64], protect: bool) -> Case {
    let mut t = Table::new();
    let (n, p) = groups.iter().fold((0, 0), |(a, b), &(n, p)| (a + n, b + p));
    let top = [
        (t.shown(n.into()), n),
        (t.shown(p.into()), p),
        (t.shown((n - p).into()), n - p),
    ];
    t.relate(top[0].0, &[top[1].0, top[2].0]);
    let mut rows = Vec::new();
    for &(n, p) in groups {
        let row = [
            (t.group_size(n.into()), n),
            (t.shown(p.into()), p),
            (t.derived(Some(n - p)), n - p),
        ];
        if n == 0 {
            row.iter().for_each(|&(c, _)| t.exempt(c));
        }
        t.relate(row[0].0, &[row[1].0, row[2].0]);
        rows.push(row);
    }
    for k in 0..3 {
        let parts: Vec<CellId> = rows.iter().map(|r| r[k].0).collect();
        t.relate(top[k].0, &parts);
    }
    let bins: Vec<(CellId, u64)> = bins.iter().map(|&b| (t.shown(b.into()), b)).collect();
    let parts: Vec<CellId> = bins.iter().map(|b| b.0).collect();
    t.relate(top[1].0, &parts);
    if n == 0 {
        // An empty cohort is a group without learners: nothing in it is about anyone.
        top.iter().chain(&bins).for_each(|&(c, _)| t.exempt(c));
    }
    if protect {
        t.protect();
    }
    Case {
        top,
        groups: rows,
        bins,
        t,
    }
}

/// What is known of a cell from its published form: the values it may take.
fn known(cell: Cell, floor: usize, shown: bool) -> Vec<usize> {
    let th = THRESHOLD as usize;
    match (shown, cell) {
        (false, _) => (0..=CAP).collect(),
        (true, Cell::Value(v)) => vec![v as usize],
        (
            true,
            Cell::Hidden {
                suppressed: Hidden::BelowThreshold,
            },
        ) => (floor..th).collect(),
        (
            true,
            Cell::Hidden {
                suppressed: Hidden::Secondary,
            },
        ) => (th..=CAP).collect(),
    }
}

/// Sums reachable by picking one (n, p) from each candidate list, as a grid.
fn sums(lists: &[&Vec<(usize, usize)>]) -> Vec<Vec<bool>> {
    let mut grid = vec![vec![false; CAP + 1]; CAP + 1];
    grid[0][0] = true;
    for list in lists {
        let mut next = vec![vec![false; CAP + 1]; CAP + 1];
        for (a, row) in grid.iter().enumerate() {
            for (b, _) in row.iter().enumerate().filter(|(_, &on)| on) {
                for &(n, p) in *list {
                    if a + n <= CAP && b + p <= CAP {
                        next[a + n][b + p] = true;
                    }
                }
            }
        }
        grid = next;
    }
    grid
}

/// Totals reachable by picking one value from each list.
fn sums1(lists: &[&Vec<usize>]) -> Vec<bool> {
    let mut on = vec![false; CAP + 1];
    on[0] = true;
    for list in lists {
        let mut next = vec![false; CAP + 1];
        for a in (0..=CAP).filter(|&a| on[a]) {
            for &v in *list {
                if a + v <= CAP {
                    next[a + v] = true;
                }
            }
        }
        on = next;
    }
    on
}

/// Every primary cell's possible values over all consistent tables; panics naming a cell that
/// has only one, or a true table the audit does not find consistent.
fn audit(c: &Case) {
    let cell = |id: CellId| c.t.cell(id);
    let top: Vec<Vec<usize>> = c
        .top
        .iter()
        .map(|&(id, _)| known(cell(id), 0, true))
        .collect();
    let bins: Vec<Vec<usize>> = c
        .bins
        .iter()
        .map(|&(id, _)| known(cell(id), 0, true))
        .collect();
    let bin_refs: Vec<&Vec<usize>> = bins.iter().collect();
    let bin_sums = sums1(&bin_refs);
    let cands: Vec<Vec<(usize, usize)>> = c
        .groups
        .iter()
        .map(|g| {
            let ns = known(cell(g[0].0), 1, true);
            let ps = known(cell(g[1].0), 0, true);
            ns.iter()
                .flat_map(|&n| ps.iter().filter(move |&&p| p <= n).map(move |&p| (n, p)))
                .collect()
        })
        .collect();
    let valid = |n: usize, p: usize| {
        n >= p
            && top[0].contains(&n)
            && top[1].contains(&p)
            && top[2].contains(&(n - p))
            && bin_sums[p]
    };
    let mut report = Vec::new();
    let mut check = |what: String, true_value: u64, values: BTreeSet<usize>, primary: bool| {
        assert!(
            values.contains(&(true_value as usize)),
            "{what}: the true table is not consistent with what is published"
        );
        if primary && values.len() < 2 {
            report.push(format!("{what} = {true_value} can be worked out"));
        }
    };
    let primary = |id: CellId, v: u64| v < THRESHOLD && cell(id).value().is_none();
    for (g, row) in c.groups.iter().enumerate() {
        let others: Vec<&Vec<(usize, usize)>> = cands
            .iter()
            .enumerate()
            .filter(|&(h, _)| h != g)
            .map(|(_, l)| l)
            .collect();
        let rest = sums(&others);
        let feasible: Vec<(usize, usize)> = cands[g]
            .iter()
            .copied()
            .filter(|&(n, p)| {
                (0..=CAP - n).any(|a| (0..=CAP - p).any(|b| rest[a][b] && valid(n + a, p + b)))
            })
            .collect();
        let derived_primary = row[2].1 < THRESHOLD && row[0].1 > 0;
        check(
            format!("group {g} learners"),
            row[0].1,
            feasible.iter().map(|x| x.0).collect(),
            primary(row[0].0, row[0].1),
        );
        check(
            format!("group {g} placed"),
            row[1].1,
            feasible.iter().map(|x| x.1).collect(),
            primary(row[1].0, row[1].1),
        );
        check(
            format!("group {g} not placed"),
            row[2].1,
            feasible.iter().map(|x| x.0 - x.1).collect(),
            derived_primary,
        );
    }
    let all: Vec<&Vec<(usize, usize)>> = cands.iter().collect();
    let grid = sums(&all);
    let tops: Vec<(usize, usize)> = (0..=CAP)
        .flat_map(|n| (0..=CAP).map(move |p| (n, p)))
        .filter(|&(n, p)| grid[n][p] && valid(n, p))
        .collect();
    let names = ["learners", "placed", "unplaced"];
    for (k, &(id, v)) in c.top.iter().enumerate() {
        let values = tops.iter().map(|&(n, p)| [n, p, n - p][k]).collect();
        check(format!("cohort {}", names[k]), v, values, primary(id, v));
    }
    let placed: BTreeSet<usize> = tops.iter().map(|t| t.1).collect();
    for (i, &(id, v)) in c.bins.iter().enumerate() {
        let others: Vec<&Vec<usize>> = bins
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, l)| l)
            .collect();
        let rest = sums1(&others);
        let values = bins[i]
            .iter()
            .copied()
            .filter(|&b| placed.iter().any(|&p| p >= b && rest[p - b]))
            .collect();
        check(format!("bin {i}"), v, values, primary(id, v));
    }
    assert!(report.is_empty(), "{}", report.join("; "));
}

fn published_cells(c: &Case) -> Vec<(Cell, u64, bool)> {
    let nobody = c.top[0].1 == 0;
    let mut out: Vec<(Cell, u64, bool)> = c
        .top
        .iter()
        .chain(&c.bins)
        .map(|&(id, v)| (c.t.cell(id), v, nobody))
        .collect();
    for g in &c.groups {
        let empty = g[0].1 == 0;
        out.push((c.t.cell(g[0].0), g[0].1, empty));
        out.push((c.t.cell(g[1].0), g[1].1, empty));
    }
    out
}

fn case() -> impl Strategy<Value = (Vec<(u64, u64)>, Vec<u64>)> {
    let group = (0..=MAX_N).prop_flat_map(|n| (Just(n), 0..=n));
    (prop::collection::vec(group, 1..=4), 2..=4usize).prop_flat_map(|(groups, b)| {
        let placed: u64 = groups.iter().map(|g| g.1).sum();
        let cuts = prop::collection::vec(0..=placed, b - 1);
        (Just(groups), cuts).prop_map(|(groups, mut cuts)| {
            cuts.sort_unstable();
            let mut bins = Vec::new();
            let mut last = 0;
            for c in cuts {
                bins.push(c - last);
                last = c;
            }
            let placed: u64 = groups.iter().map(|g| g.1).sum();
            bins.push(placed - last);
            (groups, bins)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn no_hidden_count_below_ten_can_be_worked_out((groups, bins) in case()) {
        let c = build(&groups, &bins, true);
        for (cell, v, empty) in published_cells(&c) {
            if let Cell::Value(shown) = cell {
                prop_assert_eq!(shown, v);
                prop_assert!(v >= THRESHOLD || empty, "{} published", v);
            }
        }
        prop_assert!(c.t.exposed().is_empty());
        audit(&c);
    }
}

#[test]
fn the_audit_sees_what_primary_suppression_alone_leaves_open() {
    // Without secondary suppression the small group's size is the cohort minus the other
    // group: both audits must see that, or they prove nothing.
    let c = build(&[(40, 20), (5, 2)], &[11, 11], false);
    assert!(!c.t.exposed().is_empty(), "5 = 45 − 40");
    let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| audit(&c)));
    assert!(found.is_err(), "the exhaustive audit finds it too");
    let c = build(&[(40, 20), (5, 2)], &[11, 11], true);
    assert!(c.t.exposed().is_empty());
    audit(&c);
}

mod summaries {
    //! The rule on whole summaries of generated cohorts, small enough to have many small groups.

    use koppel_core::allocate::report::fairness::four_fifths;
    use koppel_core::allocate::report::{compare, protect, summarise, Counts, Summary};
    use koppel_core::allocate::{Cohort, Mode};
    use koppel_core::disclosure::{Cell, THRESHOLD};
    use koppel_core::synth::{dataset, SynthParams};
    use koppel_core::{PlacementIndex, PolicySet, Scorer};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn raw(learners: usize, placements: usize, seed: u64) -> Summary {
        let d = dataset(&SynthParams {
            learners,
            placements,
            seed,
        });
        let scorer = Scorer::new(
            &d,
            PolicySet::uniform(Default::default(), d.reference.regions.len()),
        );
        let index = PlacementIndex::build(&d);
        let cohort = Cohort::build(&scorer, &index, 8, &|_| {});
        let stable = cohort.allocate(Mode::Stable, &mut |_, _| {});
        let optimal = cohort.allocate(Mode::Optimal, &mut |_, _| {});
        let mut s = summarise(&d, &cohort, &stable, Mode::Stable);
        s.versus_optimal = Some(compare(&cohort, &stable, &optimal));
        s
    }

    fn groupings(s: &Summary) -> Vec<(&str, &BTreeMap<String, Counts>)> {
        vec![
            ("region", &s.by_region),
            ("school type", &s.by_school_type),
            ("level", &s.by_level),
            ("kind", &s.by_kind),
            ("support need", &s.by_support_need),
            ("register", &s.by_register),
            ("at risk", &s.by_at_risk),
            ("age band", &s.by_age_band),
        ]
    }

    /// Every count in a summary with whether it is a cell of an empty group.
    fn cells(s: &Summary) -> Vec<(String, Cell, bool)> {
        let mut out = vec![
            ("learners".to_owned(), s.learners, false),
            ("placed".to_owned(), s.placed, false),
            ("unplaced".to_owned(), s.unplaced, false),
            ("no feasible".to_owned(), s.unplaced_no_feasible, false),
            ("all taken".to_owned(), s.unplaced_all_taken, false),
            ("bonus".to_owned(), s.with_priority_bonus, false),
        ];
        out.extend(
            s.unplaced_by_reason
                .iter()
                .map(|(k, &c)| (k.clone(), c, false)),
        );
        out.extend(s.placed_by_kind.iter().map(|(k, &c)| (k.clone(), c, false)));
        for b in s.score_histogram.iter().chain(&s.rank_histogram) {
            out.push((b.label.clone(), b.count, false));
        }
        if let Some(v) = s.versus_optimal {
            out.push(("prefer optimal".into(), v.prefer_optimal, false));
            out.push(("prefer stable".into(), v.prefer_stable, false));
        }
        for (g, m) in groupings(s) {
            for (k, c) in m {
                let empty = c.learners == Cell::Value(0);
                out.push((format!("{g} {k} learners"), c.learners, empty));
                out.push((format!("{g} {k} placed"), c.placed, empty));
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        #[test]
        fn a_published_summary_shows_no_count_below_ten_and_is_a_fixed_point(
            learners in 20usize..400, placements in 10usize..300, seed in 0u64..1000,
        ) {
            let raw = raw(learners, placements, seed);
            let p = protect(&raw);
            for (name, cell, empty) in cells(&p) {
                if let Some(v) = cell.value() {
                    prop_assert!(v >= THRESHOLD || empty, "{} = {} published", name, v);
                }
            }
            prop_assert_eq!(protect(&p), p.clone(), "protecting again hides nothing more");
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<Summary>(&json).unwrap(), p.clone());
            prop_assert!(p.total_value.value().is_none(), "the total value is never published");
            // A partition with one withheld small group would give it away by subtraction.
            for (name, m) in groupings(&p).into_iter().filter(|(n, _)| !matches!(*n, "kind" | "support need")) {
                let hidden: Vec<&Counts> = m.values().filter(|c| c.learners.value().is_none()).collect();
                let small = |c: &&Counts| c.learners.why() == Some(koppel_core::disclosure::Hidden::BelowThreshold);
                prop_assert!(
                    !(hidden.len() == 1 && small(&hidden[0])) || p.learners.value().is_none(),
                    "{}: one hidden small size", name
                );
                for c in four_fifths(m) {
                    if c.learners.value().is_none() || c.placed.value().is_none() {
                        prop_assert!(!c.flagged && !c.best && c.rate.is_none(), "{} {}", name, c.group);
                    }
                }
            }
        }
    }

    #[test]
    fn a_small_cohort_keeps_its_large_groups() {
        // 400 learners over 35 regions: most regions are small, but the cohort's totals and
        // the large groups stay.
        let r = raw(400, 300, 1);
        let p = protect(&r);
        assert_eq!((p.learners, p.placed), (r.learners, r.placed));
        assert_eq!(
            p.by_at_risk, r.by_at_risk,
            "two groups of 143 and 257, both well placed"
        );
        assert!(four_fifths(&p.by_at_risk).iter().all(|c| c.rate.is_some()));
        let hidden = p
            .by_region
            .values()
            .filter(|c| c.placed.value().is_none())
            .count();
        assert!(hidden > 0, "small regions are withheld");
    }
}
