//! The validated dataset: reference tables plus learners and placements, sorted by id.

use crate::error::{RecordError, Table};
use crate::model::ids::{LearnerIdx, PlacementIdx};
use crate::model::learner::Learner;
use crate::model::placement::Placement;
use crate::model::reference::Reference;
use crate::record::{LearnerRecord, PlacementRecord};
use crate::Lined;
use rayon::prelude::*;
use std::collections::HashMap;

/// Everything the engine matches over. Learners and placements are sorted by id, so that
/// [`LearnerIdx`] and [`PlacementIdx`] order is id order and tie-breaks are by id.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Reference tables.
    pub reference: Reference,
    /// Learners, sorted by id.
    pub learners: Vec<Learner>,
    /// Placements, sorted by id.
    pub placements: Vec<Placement>,
    learner_by_id: HashMap<String, LearnerIdx>,
    placement_by_id: HashMap<String, PlacementIdx>,
}

impl Dataset {
    /// Validates all records (in parallel) and builds the dataset. Every problem is reported,
    /// with its line; nothing is dropped or altered: on any error, no dataset is returned.
    pub fn build(
        reference: Reference,
        learners: Vec<Lined<LearnerRecord>>,
        placements: Vec<Lined<PlacementRecord>>,
    ) -> Result<Dataset, Vec<RecordError>> {
        let mut errors = Vec::new();
        let learners = convert(
            learners,
            Table::Learners,
            |r| r.id.clone(),
            |r| Learner::from_record(r, &reference),
            |l| l.id.as_str(),
            &mut errors,
        );
        let placements = convert(
            placements,
            Table::Placements,
            |r| r.id.clone(),
            |r| Placement::from_record(r, &reference),
            |p| p.id.as_str(),
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Dataset::from_parts(reference, learners, placements))
    }

    /// Builds a dataset from already validated parts; sorts them by id. Ids must be unique.
    pub fn from_parts(
        reference: Reference,
        mut learners: Vec<Learner>,
        mut placements: Vec<Placement>,
    ) -> Dataset {
        learners.par_sort_unstable_by(|a, b| a.id.cmp(&b.id));
        placements.par_sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let learner_by_id = learners
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.0.clone(), LearnerIdx(i as u32)))
            .collect();
        let placement_by_id = placements
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.0.clone(), PlacementIdx(i as u32)))
            .collect();
        Dataset {
            reference,
            learners,
            placements,
            learner_by_id,
            placement_by_id,
        }
    }

    /// A learner's index by id.
    pub fn learner_idx(&self, id: &str) -> Option<LearnerIdx> {
        self.learner_by_id.get(id).copied()
    }

    /// A placement's index by id.
    pub fn placement_idx(&self, id: &str) -> Option<PlacementIdx> {
        self.placement_by_id.get(id).copied()
    }

    /// The learner at an index.
    #[inline]
    pub fn learner(&self, i: LearnerIdx) -> &Learner {
        &self.learners[i.ix()]
    }

    /// The placement at an index.
    #[inline]
    pub fn placement(&self, i: PlacementIdx) -> &Placement {
        &self.placements[i.ix()]
    }
}

/// Converts records in parallel, reports field errors and duplicate ids with their lines.
fn convert<R: Send, T: Send>(
    records: Vec<Lined<R>>,
    table: Table,
    id_of: impl Fn(&R) -> String + Sync,
    check: impl Fn(R) -> Result<T, Vec<crate::error::FieldError>> + Sync + Send,
    id_of_model: impl Fn(&T) -> &str,
    errors: &mut Vec<RecordError>,
) -> Vec<T> {
    let results: Vec<(u64, String, Result<T, _>)> = records
        .into_par_iter()
        .map(|Lined { line, record }| {
            let id = id_of(&record);
            (line, id, check(record))
        })
        .collect();
    let mut first_line: HashMap<String, u64> = HashMap::with_capacity(results.len());
    let mut out = Vec::with_capacity(results.len());
    for (line, id, res) in results {
        if let Some(first) = first_line.get(&id) {
            errors.push(RecordError::new(
                table,
                line,
                Some(&id),
                "id",
                format!("duplicate id `{id}`, first on line {first}"),
            ));
            continue;
        }
        first_line.insert(id.clone(), line);
        match res {
            Ok(t) => {
                debug_assert_eq!(id_of_model(&t), id);
                out.push(t)
            }
            Err(errs) => errors.extend(errs.into_iter().map(|e| e.at(table, line, Some(&id)))),
        }
    }
    out
}
