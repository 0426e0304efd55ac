//! A summary as it may be published: every table of counts through the disclosure rule
//! ([`crate::disclosure`]), with the summary's additive relations, so that no count below 10
//! can be read or worked out.
//!
//! The relations: the cohort's learners = placed + unplaced; unplaced = without any feasible
//! placement + all candidates taken; the reasons sum to those two; the kinds of the placed sum
//! to the placed; a group's learners = placed + not placed; for a grouping that partitions the
//! cohort (region, school type, level, register, at risk, age band) its groups sum to the
//! cohort in each column; each histogram sums to the placed; learners with and without a
//! priority bonus sum to the cohort, as do those who prefer optimal, stable or neither. Support
//! need and placement kind overlap (a learner can be in several groups), so only their rows
//! relate. Identities between groupings that hold in the data (`level 0 = pro + vso`, a
//! priority bonus for exactly one group) are added too, since someone who knows the data model
//! may assume them.
//!
//! Derived figures follow their counts: a rate only when both counts are published; the total
//! score and the mean rank only when every bin of their histogram is published (a total
//! bounds the bins); the total value never (its priority bonuses are weighted counts of
//! priority groups).

use super::parts::{Counts, Disclosure};
use super::summary::{reasons, Summary};
use crate::disclosure::{Cell, CellId, Hidden, Table, THRESHOLD};
use std::collections::BTreeMap;

/// The groupings of a summary: name, counts, whether they partition the cohort.
fn groupings(s: &mut Summary) -> [(&'static str, &mut BTreeMap<String, Counts>, bool); 8] {
    [
        ("region", &mut s.by_region, true),
        ("school_type", &mut s.by_school_type, true),
        ("level", &mut s.by_level, true),
        ("kind", &mut s.by_kind, false),
        ("support_need", &mut s.by_support_need, false),
        ("register", &mut s.by_register, true),
        ("at_risk", &mut s.by_at_risk, true),
        ("age_band", &mut s.by_age_band, true),
    ]
}

/// `a − b` when both are known.
fn minus(a: Cell, b: Cell) -> Option<u64> {
    a.value()?.checked_sub(b.value()?)
}

/// Table cells of one group: learners, placed, not placed.
type Row = [CellId; 3];

/// The summary as it may be published. Applying it to its own output changes nothing; a
/// summary from before the rule (numbers only) is protected on the way in.
pub fn protect(raw: &Summary) -> Summary {
    let mut s = raw.clone();
    let linked_before = raw.disclosure.as_ref().map(|d| d.linked.clone());
    if s.learners == Cell::Value(0) {
        // Nobody in the cohort: nothing is about anyone.
        s.disclosure = Some(Disclosure {
            threshold: THRESHOLD,
            linked: Vec::new(),
        });
        return s;
    }
    let reasons_known = !s.unplaced_by_reason.is_empty() || s.unplaced == Cell::Value(0);
    if reasons_known {
        for r in reasons() {
            s.unplaced_by_reason.entry(r.to_owned()).or_default();
        }
    }
    let mut t = Table::new();
    let top = [t.shown(s.learners), t.shown(s.placed), t.shown(s.unplaced)];
    t.relate(top[0], &[top[1], top[2]]);
    let why = [
        t.shown(s.unplaced_no_feasible),
        t.shown(s.unplaced_all_taken),
    ];
    t.relate(top[2], &why);
    let reason_ids: Vec<(String, CellId)> = s
        .unplaced_by_reason
        .iter()
        .map(|(k, &c)| (k.clone(), t.shown(c)))
        .collect();
    if reasons_known {
        let (taken, none): (Vec<_>, Vec<_>) = reason_ids
            .iter()
            .partition(|(k, _)| k == "all_candidates_taken");
        let ids = |v: Vec<&(String, CellId)>| v.into_iter().map(|x| x.1).collect::<Vec<_>>();
        t.relate(why[1], &ids(taken));
        t.relate(why[0], &ids(none));
    }
    let kind_ids: Vec<(String, CellId)> = s
        .placed_by_kind
        .iter()
        .map(|(k, &c)| (k.clone(), t.shown(c)))
        .collect();
    if !kind_ids.is_empty() {
        t.relate(top[1], &kind_ids.iter().map(|x| x.1).collect::<Vec<_>>());
    }
    let bonus = t.shown(s.with_priority_bonus);
    let no_bonus = t.derived(minus(s.learners, s.with_priority_bonus));
    t.relate(top[0], &[bonus, no_bonus]);
    let versus = s.versus_optimal.map(|v| {
        let ids = [t.shown(v.prefer_optimal), t.shown(v.prefer_stable)];
        let same = minus(s.learners, v.prefer_optimal)
            .and_then(|r| r.checked_sub(v.prefer_stable.value()?));
        let same = t.derived(same);
        t.relate(top[0], &[ids[0], ids[1], same]);
        ids
    });
    let histograms: Vec<Vec<CellId>> = [&s.score_histogram, &s.rank_histogram]
        .into_iter()
        .map(|h| h.iter().map(|b| t.shown(b.count)).collect())
        .collect();
    for h in histograms.iter().filter(|h| !h.is_empty()) {
        t.relate(top[1], h);
    }
    let mut rows: Vec<Vec<(String, Row)>> = Vec::new();
    for (_, map, partition) in groupings(&mut s) {
        let mut these = Vec::new();
        for (k, c) in map.iter() {
            let row = [
                t.group_size(c.learners),
                t.shown(c.placed),
                t.derived(minus(c.learners, c.placed)),
            ];
            if c.learners == Cell::Value(0) {
                row.iter().for_each(|&id| t.exempt(id));
            }
            t.relate(row[0], &[row[1], row[2]]);
            these.push((k.clone(), row));
        }
        if partition && !these.is_empty() {
            for (col, &total) in top.iter().enumerate() {
                t.relate(total, &these.iter().map(|x| x.1[col]).collect::<Vec<_>>());
            }
        }
        rows.push(these);
    }
    let linked = link(&mut t, &s, &rows, bonus, linked_before.as_deref());
    t.protect();

    s.learners = t.cell(top[0]);
    s.placed = t.cell(top[1]);
    s.unplaced = t.cell(top[2]);
    s.unplaced_no_feasible = t.cell(why[0]);
    s.unplaced_all_taken = t.cell(why[1]);
    for (k, id) in reason_ids {
        s.unplaced_by_reason.insert(k, t.cell(id));
    }
    for (k, id) in kind_ids {
        s.placed_by_kind.insert(k, t.cell(id));
    }
    s.with_priority_bonus = t.cell(bonus);
    if let (Some(v), Some(ids)) = (&mut s.versus_optimal, versus) {
        v.prefer_optimal = t.cell(ids[0]);
        v.prefer_stable = t.cell(ids[1]);
        v.total_optimal = Cell::hidden(Hidden::Secondary);
        v.total_stable = Cell::hidden(Hidden::Secondary);
    }
    for (h, ids) in [&mut s.score_histogram, &mut s.rank_histogram]
        .into_iter()
        .zip(&histograms)
    {
        for (b, &id) in h.iter_mut().zip(ids) {
            b.count = t.cell(id);
        }
    }
    for ((_, map, _), these) in groupings(&mut s).into_iter().zip(&rows) {
        for (k, row) in these {
            if let Some(c) = map.get_mut(k) {
                *c = Counts::of(t.cell(row[0]), t.cell(row[1]));
            }
        }
    }
    let all_published = |h: &[super::Bin]| h.iter().all(|b| b.count.value().is_some());
    if s.placed.value().is_none() || !all_published(&s.score_histogram) {
        s.total_score = Cell::hidden(Hidden::Secondary);
    }
    if s.placed.value().is_none() || !all_published(&s.rank_histogram) {
        s.mean_rank = None;
    }
    s.total_value = Cell::hidden(Hidden::Secondary);
    if let Some(p) = &mut s.provenance {
        p.learners = s.learners;
    }
    s.disclosure = Some(Disclosure {
        threshold: THRESHOLD,
        linked,
    });
    s
}

/// Adds the identities between groupings that hold in these counts (or that an earlier
/// protection recorded); their names.
fn link(
    t: &mut Table,
    s: &Summary,
    rows: &[Vec<(String, Row)>],
    bonus: CellId,
    before: Option<&[String]>,
) -> Vec<String> {
    let find = |grouping: usize, key: &str| {
        rows[grouping]
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, r)| *r)
    };
    let counts = |m: &BTreeMap<String, Counts>, k: &str| m.get(k).copied().unwrap_or_default();
    let mut names = Vec::new();
    let mut add = |t: &mut Table, name: &str, holds: bool, total: CellId, parts: &[CellId]| {
        let recorded = before.is_some_and(|b| b.iter().any(|n| n == name));
        if holds || recorded {
            t.relate(total, parts);
            if !names.iter().any(|n: &String| n == name) {
                names.push(name.to_owned());
            }
        }
    };
    // Level 0 is pro and vso (grouping 2 is level, 1 school type).
    if let (Some(l0), Some(pro), Some(vso)) = (find(2, "0"), find(1, "pro"), find(1, "vso")) {
        let (a, b, c) = (
            counts(&s.by_level, "0"),
            counts(&s.by_school_type, "pro"),
            counts(&s.by_school_type, "vso"),
        );
        let sum = |x: Cell, y: Cell| Some(x.value()? + y.value()?);
        let holds = a.learners.value().is_some()
            && a.learners.value() == sum(b.learners, c.learners)
            && a.placed.value() == sum(b.placed, c.placed);
        for col in 0..2 {
            add(t, "level_0=pro+vso", holds, l0[col], &[pro[col], vso[col]]);
        }
    }
    // A priority bonus for exactly one group makes the bonus count that group's size.
    let w = s.with_priority_bonus.value();
    for (grouping, keys, name) in [
        (6, &["at_risk"][..], "with_priority_bonus=at_risk"),
        (5, &["in_register"][..], "with_priority_bonus=in_register"),
        (1, &["pro", "vso"][..], "with_priority_bonus=pro+vso"),
    ] {
        let rows: Option<Vec<Row>> = keys.iter().map(|k| find(grouping, k)).collect();
        let Some(rows) = rows else { continue };
        let map = [&s.by_school_type, &s.by_register, &s.by_at_risk][match grouping {
            1 => 0,
            5 => 1,
            _ => 2,
        }];
        let size: Option<u64> = keys.iter().map(|k| counts(map, k).learners.value()).sum();
        // An empty group makes 0 = 0, which says nothing about anyone.
        let holds = w.is_some() && w == size && size != Some(0);
        let parts: Vec<CellId> = rows.iter().map(|r| r[0]).collect();
        add(t, name, holds, bonus, &parts);
    }
    names
}
