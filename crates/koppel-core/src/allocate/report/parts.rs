//! The parts of a summary: counts of a group, histogram bins, provenance, and the fixed bins
//! and bands that reports group by.

use crate::allocate::Mode;
use crate::disclosure::{share, Cell};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Placed and unplaced counts of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    /// Learners in the group (withheld when below 10, or to protect a count that is).
    pub learners: Cell,
    /// Of whom placed.
    pub placed: Cell,
    /// Placed share, 0..=1, rounded to three decimals (for display; checks use the counts);
    /// `null` when either count is withheld or the group is empty.
    #[serde(default)]
    pub placed_share: Option<f64>,
}

impl Counts {
    /// Counts of a group with `placed` of `learners` placed, share filled in.
    pub fn new(learners: u64, placed: u64) -> Counts {
        Counts::of(Cell::Value(learners), Cell::Value(placed))
    }

    /// Counts from cells, share filled in when both are published.
    pub fn of(learners: Cell, placed: Cell) -> Counts {
        let mut c = Counts {
            learners,
            placed,
            placed_share: None,
        };
        c.finish();
        c
    }

    pub(super) fn add(&mut self, placed: bool) {
        self.learners.add(1);
        self.placed.add(placed as u64);
    }

    pub(super) fn finish(&mut self) {
        self.placed_share =
            share(self.placed, self.learners).map(|r| (r * 1000.0).round() / 1000.0);
    }
}

/// How stable and optimal compare, learner by learner.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// Learners with a higher score under `optimal` than under `stable` (placed beats unplaced).
    pub prefer_optimal: Cell,
    /// Learners with a higher score under `stable`.
    pub prefer_stable: Cell,
    /// Total value (scores plus priority bonuses) under `optimal`; withheld in a published
    /// summary (the bonuses are counts of priority groups in disguise).
    pub total_optimal: Cell,
    /// Total value under `stable`; withheld in a published summary.
    pub total_stable: Cell,
}

/// One bin of a histogram.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bin {
    /// The bin's range, e.g. `100-199`, `4-5`, `21+`.
    pub label: String,
    /// Placed learners in it.
    pub count: Cell,
}

/// Marks a summary as published under the disclosure rule ([`crate::disclosure`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Disclosure {
    /// Counts below this are withheld (10).
    pub threshold: u64,
    /// Identities between groupings that held in the data and were taken into account (an
    /// attacker who knows the data model may assume them), e.g. `level_0=pro+vso`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked: Vec<String>,
}

/// Which policy and data produced an allocation, and when. The core reads no files and no
/// clock: callers fill this in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provenance {
    /// The data: a directory path, `embedded demo data`, or the service's snapshot version.
    pub data: String,
    /// The policy: a file path, or `default policy` (built-in weights).
    pub policy: String,
    /// SHA-256 (lower-case hex) of the policy text, when the policy came from a text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_sha256: Option<String>,
    /// Candidates per learner.
    pub k: u64,
    /// Mode.
    pub mode: Mode,
    /// Learners in the cohort (withheld as in the summary).
    pub learners: Cell,
    /// Placements in the cohort.
    pub placements: u64,
    /// When the allocation ran (RFC 3339).
    pub created_at: String,
}

impl Provenance {
    /// SHA-256 of a policy text, lower-case hex.
    pub fn policy_digest(text: &str) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Score histogram bins: lowest score of each bin and its label (100-point bins; the last
/// holds 900..=1000).
pub const SCORE_BINS: [(u16, &str); 10] = [
    (0, "0-99"),
    (100, "100-199"),
    (200, "200-299"),
    (300, "300-399"),
    (400, "400-499"),
    (500, "500-599"),
    (600, "600-699"),
    (700, "700-799"),
    (800, "800-899"),
    (900, "900-1000"),
];

/// Rank histogram bins: lowest rank of each bin and its label.
pub const RANK_BINS: [(usize, &str); 7] = [
    (1, "1"),
    (2, "2"),
    (3, "3"),
    (4, "4-5"),
    (6, "6-10"),
    (11, "11-20"),
    (21, "21+"),
];

/// Age bands: lowest age of each band and its label.
pub const AGE_BANDS: [(i32, &str); 6] = [
    (i32::MIN, "0-14"),
    (15, "15-17"),
    (18, "18-20"),
    (21, "21-23"),
    (24, "24-26"),
    (27, "27+"),
];

/// Index of the last bin whose lower bound is at most `v`.
pub(super) fn bin<T: PartialOrd + Copy>(bins: &[(T, &str)], v: T) -> usize {
    bins.iter().rposition(|&(lo, _)| lo <= v).unwrap_or(0)
}

/// The age band label of an age in whole years.
pub fn age_band(age: i32) -> &'static str {
    AGE_BANDS[bin(&AGE_BANDS, age)].1
}

pub(super) fn groups(
    keys: impl IntoIterator<Item = impl Into<String>>,
) -> BTreeMap<String, Counts> {
    keys.into_iter()
        .map(|k| (k.into(), Counts::default()))
        .collect()
}

pub(super) fn histogram<T>(bins: &[(T, &str)]) -> Vec<Bin> {
    bins.iter()
        .map(|(_, label)| Bin {
            label: (*label).to_owned(),
            count: Cell::Value(0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_put_values_at_their_edges_in_the_right_bin() {
        let score = |v: u16| SCORE_BINS[bin(&SCORE_BINS, v)].1;
        assert_eq!(score(0), "0-99");
        assert_eq!(score(99), "0-99");
        assert_eq!(score(100), "100-199");
        assert_eq!(score(899), "800-899");
        assert_eq!(score(1000), "900-1000");
        let rank = |v: usize| RANK_BINS[bin(&RANK_BINS, v)].1;
        assert_eq!(rank(1), "1");
        assert_eq!(rank(3), "3");
        assert_eq!(rank(5), "4-5");
        assert_eq!(rank(6), "6-10");
        assert_eq!(rank(20), "11-20");
        assert_eq!(rank(21), "21+");
        assert_eq!(rank(1000), "21+");
        assert_eq!(age_band(12), "0-14");
        assert_eq!(age_band(14), "0-14");
        assert_eq!(age_band(15), "15-17");
        assert_eq!(age_band(17), "15-17");
        assert_eq!(age_band(18), "18-20");
        assert_eq!(age_band(26), "24-26");
        assert_eq!(age_band(27), "27+");
        assert_eq!(age_band(60), "27+");
    }

    #[test]
    fn age_band_keys_sort_in_age_order() {
        let keys: Vec<String> = groups(AGE_BANDS.map(|(_, l)| l)).into_keys().collect();
        assert_eq!(keys, AGE_BANDS.map(|(_, l)| l.to_owned()));
    }

    #[test]
    fn policy_digest_is_sha256_hex() {
        assert_eq!(
            Provenance::policy_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
