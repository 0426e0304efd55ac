//! The domain model: validated, index-linked types built from [`crate::record`]s.

pub mod dataset;
pub mod enums;
pub mod geo;
pub mod ids;
pub mod learner;
pub mod limits;
pub mod placement;
pub mod reference;
#[cfg(test)]
mod testutil;
