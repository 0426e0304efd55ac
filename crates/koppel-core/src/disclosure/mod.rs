//! Statistical disclosure control for tables of counts of learners: the one rule every group
//! table and chart in summaries and reports goes through.
//!
//! **The rule.** A count of fewer than [`THRESHOLD`] (10) learners is not published: it is shown
//! as `< 10` ([`Hidden::BelowThreshold`], *primary* suppression). Zero is a count below 10 too,
//! with one exception: the cells of a group that has no learners at all (an empty region or age
//! band) are published as 0, because they are about no one, and hiding them would protect
//! nothing (anyone who knows a region has no learners can subtract it) while making a real small
//! group look protected.
//!
//! A hidden cell must not be derivable from the published ones. Tables have additive relations
//! (a group's learners = placed + not placed; the groups of a partition such as regions sum to
//! the cohort; histogram bins sum to the placed; reasons sum to the unplaced), so hiding the
//! small cells alone is not enough. *Secondary* suppression hides further cells, shown as `×`
//! ([`Hidden::Secondary`]), until no primary cell can be worked out, by an attacker who knows:
//! every published value; every relation; that every count is a whole number ≥ 0; that `< 10`
//! means 0–9 (1–9 for a group's size, since an empty group is shown as 0) and `×` means 10 or
//! more (every count below 10 is already primary).
//!
//! The check ([`Table::protect`]) is exact linear algebra (a hidden cell is derivable by the
//! relations alone when its unit vector lies in the row space of the relations restricted to the
//! hidden cells) plus interval propagation of the markers' bounds through every relation to a
//! fixed point (a hidden cell is pinned when its interval closes). Secondary cells are chosen
//! among the published cells of the relations around the exposed cell: parts before totals,
//! smallest first, the first that closes the exposure. The integration test
//! `tests/disclosure.rs` audits the result independently, by exhaustive search over every table
//! consistent with what is published.
//!
//! What the rule does not do: it does not hide that a hidden cell is *small* (that is what
//! `< 10` says); it does not stop differencing two allocations of cohorts that differ by a few
//! learners; and the interval audit is propagation, not integer programming, so a combination
//! of several relations can in rare cases narrow a hidden cell to a range smaller than 0–9 (never,
//! as the property test checks for the shapes of Koppel's summaries, to one value).

mod audit;
mod table;

pub use table::{CellId, Table};

use serde::{Deserialize, Serialize};
use std::fmt;

/// Counts below this are not published.
pub const THRESHOLD: u64 = 10;

/// How a primary-suppressed cell is shown.
pub const BELOW_MARK: &str = "< 10";

/// How a secondary-suppressed cell is shown.
pub const SECONDARY_MARK: &str = "×";

/// Why a count is not published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Hidden {
    /// Fewer than 10 learners (0–9; 1–9 for a group's size). Shown as `< 10`.
    BelowThreshold,
    /// 10 or more, hidden so that a count below 10 cannot be worked out from the published
    /// ones. Shown as `×`.
    Secondary,
}

/// A count in a published table: its value, or why it is withheld. In JSON a published count
/// is a number and a withheld one an object, `{"suppressed": "below_threshold"}` or
/// `{"suppressed": "secondary"}`; older files, with numbers only, read as published counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Cell {
    /// A published count.
    Value(u64),
    /// A withheld count.
    Hidden {
        /// Why it is withheld.
        suppressed: Hidden,
    },
}

impl Default for Cell {
    fn default() -> Cell {
        Cell::Value(0)
    }
}

impl From<u64> for Cell {
    fn from(v: u64) -> Cell {
        Cell::Value(v)
    }
}

impl Cell {
    /// A cell hidden for `why`.
    pub const fn hidden(why: Hidden) -> Cell {
        Cell::Hidden { suppressed: why }
    }

    /// The published value, if any.
    pub const fn value(self) -> Option<u64> {
        match self {
            Cell::Value(v) => Some(v),
            Cell::Hidden { .. } => None,
        }
    }

    /// Why the cell is withheld, if it is.
    pub const fn why(self) -> Option<Hidden> {
        match self {
            Cell::Value(_) => None,
            Cell::Hidden { suppressed } => Some(suppressed),
        }
    }

    /// The marker shown instead of a withheld value.
    pub const fn marker(self) -> Option<&'static str> {
        match self.why() {
            None => None,
            Some(Hidden::BelowThreshold) => Some(BELOW_MARK),
            Some(Hidden::Secondary) => Some(SECONDARY_MARK),
        }
    }

    /// Adds to a published value (raw counting before protection); a hidden cell stays hidden.
    pub fn add(&mut self, n: u64) {
        if let Cell::Value(v) = self {
            *v += n;
        }
    }
}

/// The value, or its marker: `42`, `< 10`, `×`.
impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.value(), self.marker()) {
            (Some(v), _) => write!(f, "{v}"),
            (None, Some(m)) => f.write_str(m),
            (None, None) => Ok(()),
        }
    }
}

/// A share `num / den` when both counts are published and `den > 0`.
pub fn share(num: Cell, den: Cell) -> Option<f64> {
    match (num.value(), den.value()) {
        (Some(n), Some(d)) if d > 0 => Some(n as f64 / d as f64),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
