//! The four-fifths rule on group outcomes: a group whose placement rate is below 80 % of the
//! best group's rate is flagged for a closer look.
//!
//! The rule compares each group with the *best* group of the same grouping (not with the
//! average). It is a screening signal, not a verdict: with small groups a flag can be chance,
//! which is why every check carries the group's size.
//!
//! Only groups whose counts are both published take part ([`crate::disclosure`]): a rate, a
//! ratio or a flag of a withheld group would reveal its counts, and a best group that is
//! withheld would reveal its rate through every other group's ratio. So the best group is the
//! best *published* one, and a withheld group is listed without rate, ratio or flag.
//!
//! Edge cases, by definition:
//! - An empty group (no learners) is listed, has no rate, and is never flagged nor the best.
//! - The best rate is the highest rate of the non-empty groups; every group with that rate is
//!   `best` (ties are all best). When the best rate is 0 (nobody in any group was placed) no
//!   group is best, no ratio is defined and nothing is flagged.
//! - The comparison is exact, in integers: a group at exactly 80 % of the best rate is not
//!   flagged (`placed/learners < 4/5 × best_placed/best_learners`, cross-multiplied).

use super::Counts;
use crate::disclosure::Cell;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The rule's threshold as a fraction: numerator, denominator (4/5).
pub const THRESHOLD: (u64, u64) = (4, 5);

/// One group's outcome measured against the best group of its grouping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupCheck {
    /// Group key (e.g. a region code, `at_risk`).
    pub group: String,
    /// Learners in the group.
    pub learners: Cell,
    /// Of whom placed.
    pub placed: Cell,
    /// Placement rate `placed / learners`; `None` for an empty or withheld group.
    pub rate: Option<f64>,
    /// Rate divided by the best group's rate; `None` for an empty or withheld group or when
    /// the best rate is 0.
    pub ratio: Option<f64>,
    /// This group has the best rate (and that rate is above 0).
    pub best: bool,
    /// Rate below four fifths of the best rate.
    pub flagged: bool,
}

/// A group's published counts: (learners, placed).
type Pair = (u64, u64);

fn published(c: &Counts) -> Option<Pair> {
    Some((c.learners.value()?, c.placed.value()?))
}

/// Compares two rates `a.1 / a.0` and `b.1 / b.0` exactly. Both groups must be non-empty.
fn cmp_rate(a: &Pair, b: &Pair) -> Ordering {
    (a.1 as u128 * b.0 as u128).cmp(&(b.1 as u128 * a.0 as u128))
}

/// `placed / learners < 4/5 × best.placed / best.learners`, exactly.
fn below_threshold(c: &Pair, best: &Pair) -> bool {
    let (num, den) = (THRESHOLD.0 as u128, THRESHOLD.1 as u128);
    let lhs = c.1 as u128 * best.0 as u128 * den;
    lhs < num * best.1 as u128 * c.0 as u128
}

/// Checks every published group of one grouping against the best published group, in key
/// order; withheld groups are listed without rate, ratio or flag.
pub fn four_fifths(groups: &BTreeMap<String, Counts>) -> Vec<GroupCheck> {
    let best = groups
        .values()
        .filter_map(published)
        .filter(|c| c.0 > 0)
        .max_by(cmp_rate)
        .filter(|c| c.1 > 0);
    groups
        .iter()
        .map(|(group, counts)| {
            let c = published(counts).filter(|c| c.0 > 0);
            let rate = c.map(|c| c.1 as f64 / c.0 as f64);
            let (ratio, best, flagged) = match (best, c, rate) {
                (Some(b), Some(c), Some(r)) => (
                    Some(r * b.0 as f64 / b.1 as f64),
                    cmp_rate(&c, &b) == Ordering::Equal,
                    below_threshold(&c, &b),
                ),
                _ => (None, false, false),
            };
            GroupCheck {
                group: group.clone(),
                learners: counts.learners,
                placed: counts.placed,
                rate,
                ratio,
                best,
                flagged,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(rows: &[(&str, u64, u64)]) -> BTreeMap<String, Counts> {
        rows.iter()
            .map(|&(k, learners, placed)| (k.to_owned(), Counts::new(learners, placed)))
            .collect()
    }

    fn check<'a>(checks: &'a [GroupCheck], group: &str) -> &'a GroupCheck {
        checks
            .iter()
            .find(|c| c.group == group)
            .expect("group listed")
    }

    fn flagged(checks: &[GroupCheck]) -> Vec<&str> {
        checks
            .iter()
            .filter(|c| c.flagged)
            .map(|c| c.group.as_str())
            .collect()
    }

    #[test]
    fn exactly_four_fifths_of_the_best_is_not_flagged_and_just_below_is() {
        // 8/25 = 0.32 is exactly 0.8 × 10/25; in floating point 0.8 * 0.4 > 0.32, so a
        // float comparison would wrongly flag `exact`.
        let c = four_fifths(&groups(&[
            ("best", 25, 10),
            ("exact", 25, 8),
            ("below", 25, 7),
            ("other_sizes_exact", 50, 16),
            ("other_sizes_below", 1000, 319),
        ]));
        assert_eq!(flagged(&c), ["below", "other_sizes_below"]);
        assert!(check(&c, "best").best);
        assert!(!check(&c, "exact").best);
        assert!((check(&c, "exact").ratio.unwrap() - 0.8).abs() < 1e-12);
        assert!((check(&c, "below").ratio.unwrap() - 0.7).abs() < 1e-12);
    }

    #[test]
    fn groups_are_measured_against_the_best_group_not_the_average() {
        // Overall rate is 170/210 ≈ 0.81: `b` (0.70) is above 4/5 of that, but below 4/5 of
        // the best group's 1.0.
        let c = four_fifths(&groups(&[("a", 100, 90), ("b", 100, 70), ("c", 10, 10)]));
        assert_eq!(flagged(&c), ["b"]);
        assert!(check(&c, "c").best);
        assert_eq!(check(&c, "b").ratio, Some(0.7));
        assert_eq!(
            (check(&c, "b").learners, check(&c, "b").placed),
            (Cell::Value(100), Cell::Value(70))
        );
    }

    #[test]
    fn a_large_gap_is_flagged_and_a_small_one_is_not() {
        let c = four_fifths(&groups(&[
            ("in_register", 40, 12),
            ("not_in_register", 360, 270),
        ]));
        assert_eq!(flagged(&c), ["in_register"]);
        let c = four_fifths(&groups(&[("x", 40, 29), ("y", 360, 270)]));
        assert!(flagged(&c).is_empty(), "29/40 = 0.725 ≥ 0.8 × 0.75");
    }

    #[test]
    fn empty_groups_are_listed_but_never_flagged_nor_best() {
        let c = four_fifths(&groups(&[("empty", 0, 0), ("a", 10, 5), ("b", 10, 1)]));
        assert_eq!(c.len(), 3);
        let e = check(&c, "empty");
        assert_eq!(
            (e.rate, e.ratio, e.best, e.flagged),
            (None, None, false, false)
        );
        assert_eq!(flagged(&c), ["b"]);
    }

    #[test]
    fn when_nobody_is_placed_nothing_is_flagged_or_best() {
        let c = four_fifths(&groups(&[("a", 10, 0), ("b", 3, 0), ("c", 0, 0)]));
        assert!(c.iter().all(|g| !g.flagged && !g.best && g.ratio.is_none()));
        assert_eq!(check(&c, "a").rate, Some(0.0));
    }

    #[test]
    fn ties_for_best_are_all_best_and_a_zero_rate_group_is_flagged() {
        let c = four_fifths(&groups(&[("a", 10, 5), ("b", 4, 2), ("z", 7, 0)]));
        assert!(check(&c, "a").best && check(&c, "b").best);
        assert_eq!(check(&c, "b").ratio, Some(1.0));
        assert_eq!(flagged(&c), ["z"]);
    }

    #[test]
    fn withheld_groups_take_no_part_and_a_withheld_best_cannot_lower_the_others() {
        use crate::disclosure::Hidden;
        let mut g = groups(&[("a", 100, 50), ("b", 100, 35)]);
        // A withheld group with a higher rate than any published one.
        g.insert(
            "small".into(),
            Counts::of(
                Cell::hidden(Hidden::BelowThreshold),
                Cell::hidden(Hidden::BelowThreshold),
            ),
        );
        let c = four_fifths(&g);
        let s = check(&c, "small");
        assert_eq!(
            (s.rate, s.ratio, s.best, s.flagged),
            (None, None, false, false)
        );
        assert!(
            check(&c, "a").best,
            "the best published group is the reference"
        );
        assert_eq!(check(&c, "b").ratio, Some(0.7));
        assert_eq!(flagged(&c), ["b"]);
    }

    #[test]
    fn a_single_group_is_best_and_not_flagged() {
        let c = four_fifths(&groups(&[("only", 3, 1)]));
        assert!(c[0].best && !c[0].flagged);
        assert!(four_fifths(&BTreeMap::new()).is_empty());
    }
}
