//! Identifier newtypes.
//!
//! External ids are the strings that appear in data files and the API; internal indices are dense
//! integers into the [`Dataset`](crate::Dataset) tables. Keeping them as distinct types means a
//! learner index can never be passed where a placement index is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

string_id!(
    /// Pseudonymous learner id, e.g. `L0000042`. Never a citizen service number (BSN).
    LearnerId
);
string_id!(
    /// Placement (vacancy) id, e.g. `P0000042`.
    PlacementId
);
string_id!(
    /// Employer id, e.g. `E00042`.
    EmployerId
);

macro_rules! index_id {
    ($(#[$doc:meta])* $name:ident, $int:ty) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $int);

        impl $name {
            /// The index as `usize`, for slicing.
            #[inline]
            pub fn ix(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_id!(
    /// Index into [`Reference::regions`](crate::Reference::regions).
    RegionIdx,
    u16
);
index_id!(
    /// Index into [`Reference::sectors`](crate::Reference::sectors).
    SectorIdx,
    u16
);
index_id!(
    /// Index into [`Reference::qualifications`](crate::Reference::qualifications).
    QualIdx,
    u16
);
index_id!(
    /// Index into [`Reference::employers`](crate::Reference::employers).
    EmployerIdx,
    u32
);
index_id!(
    /// Index into [`Dataset::learners`](crate::Dataset::learners); learners are sorted by id, so
    /// index order is id order.
    LearnerIdx,
    u32
);
index_id!(
    /// Index into [`Dataset::placements`](crate::Dataset::placements); placements are sorted by
    /// id, so index order is id order (ties in score are broken by it).
    PlacementIdx,
    u32
);
