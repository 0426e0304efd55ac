//! # koppel-core
//!
//! The engine of Koppel: the domain model of learners and placements, explainable scoring, the
//! candidate index and the synthetic-data generator.
//!
//! **Design choice: this crate is pure.** It does no I/O (no files, network, clock or
//! environment), no async and no HTTP. Callers parse files into [`record`] types and hand them
//! in; the engine validates, scores and ranks, and returns typed errors or values. That keeps it
//! deterministic (same input, same ranking, ties broken by id) and testable without fixtures on
//! disk.
//!
//! Entry points: [`Reference::build`] and [`Dataset::build`] (validation), [`PolicySet::resolve`]
//! (policies), [`Scorer`] (pairs), [`PlacementIndex`] / [`LearnerIndex`] (top-k),
//! [`anonymise::candidate_view`] (employer view), [`disclosure`] (the rule for every published
//! table of counts, applied to summaries by [`allocate::report::protect`]), [`synth`]
//! (generator).
#![warn(missing_docs)]

pub mod allocate;
pub mod anonymise;
pub mod disclosure;
pub mod error;
pub mod index;
pub mod model;
pub mod policy;
pub mod record;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod score;
pub mod synth;
pub mod views;

pub use error::{FieldError, PolicyError, RecordError, Table};
pub use index::{brute_force_top_k, KindFilter, LearnerIndex, PlacementIndex, Scored};
pub use model::dataset::Dataset;
pub use model::enums::{
    Credential, ExitProfile, Level, OutlookLevel, PlacementKind, SchoolType, SupportKind,
    SupportSet,
};
pub use model::geo::GeoPoint;
pub use model::ids::{
    EmployerId, EmployerIdx, LearnerId, LearnerIdx, PlacementId, PlacementIdx, QualIdx, RegionIdx,
    SectorIdx,
};
pub use model::learner::Learner;
pub use model::placement::Placement;
pub use model::reference::{Outlook, OutlookCell, Reference, ReferenceRecords};
pub use policy::{Component, Policy, PolicyConfig, PolicySet};
pub use score::{Explanation, ScoreView, Scorer};

/// A record with the 1-based line it came from, so errors can point at it.
#[derive(Clone, Debug, PartialEq)]
pub struct Lined<T> {
    /// 1-based line number in its file.
    pub line: u64,
    /// The record.
    pub record: T,
}

impl<T> Lined<T> {
    /// Records that did not come from a file (an API request, a database), numbered by their
    /// 1-based position so that errors can still point at one.
    pub fn numbered(records: impl IntoIterator<Item = T>) -> Vec<Lined<T>> {
        records
            .into_iter()
            .enumerate()
            .map(|(i, record)| Lined {
                line: i as u64 + 1,
                record,
            })
            .collect()
    }
}
