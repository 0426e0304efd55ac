//! Where placements are, per region and kind: a grid of bare unit vectors for counting the
//! placements within a learner's travel limit without reading their rows. The why-not tally uses
//! it for the kinds a learner cannot take at all, which it counts without checking further.

use super::grid::Grid;
use crate::model::dataset::Dataset;
use crate::model::enums::PlacementKind;
use crate::score::Prepared;

/// Sites of every placement, one grid per region × kind.
#[derive(Debug)]
pub(super) struct Sites {
    grids: Vec<Grid<[f64; 3]>>,
}

impl Sites {
    /// The sites of every placement of `data`.
    pub(super) fn build(data: &Dataset) -> Sites {
        let mut points = vec![Vec::new(); data.reference.regions.len() * 3];
        for (i, p) in data.placements.iter().enumerate() {
            points[p.region.ix() * 3 + p.kind.ix()].push((i as u64, p.location, p.location.xyz()));
        }
        Sites {
            grids: points.iter().map(|pts| Grid::build(pts)).collect(),
        }
    }

    /// How many placements of `kind` in `region` lie within the learner's travel limit, given
    /// the lattice cells around the learner with lower and upper distance bounds (km) that may
    /// hold such points.
    pub(super) fn count_in_reach(
        &self,
        pl: &Prepared<'_>,
        region: usize,
        kind: PlacementKind,
        cells: &[(f64, f64, i64, i64)],
    ) -> u32 {
        let grid = &self.grids[region * 3 + kind.ix()];
        let limit = pl.learner.travel_limit_km;
        let mut n = 0;
        for &(_, upper, row, col) in cells {
            let sites = grid.lattice_cell(row, col);
            n += if upper <= limit {
                sites.len() as u32
            } else {
                sites.iter().filter(|p| pl.within_travel_limit(p)).count() as u32
            };
        }
        n
    }
}
