//! A uniform latitude/longitude grid in compressed-row form: one `starts` array and one `items`
//! array, so that a range query reads a few contiguous slices.

use crate::model::geo::{reach_box_deg, GeoPoint};

/// Cell height in degrees latitude (about 11 km).
const CELL_LAT: f64 = 0.1;
/// Cell width in degrees longitude (about 10 km at Dutch latitudes).
const CELL_LON: f64 = 0.15;

/// A latitude/longitude box that holds every point within some distance of a centre; computed
/// once per query and reused for every grid the query visits.
#[derive(Clone, Debug)]
pub struct SearchBox {
    centre: GeoPoint,
    rows: std::ops::Range<i64>,
    cols: std::ops::Range<i64>,
}

/// Global lattice row of a latitude.
#[inline]
fn lattice_row(lat: f64) -> i64 {
    (lat / CELL_LAT).floor() as i64
}

/// Global lattice column of a longitude.
#[inline]
fn lattice_col(lon: f64) -> i64 {
    (lon / CELL_LON).floor() as i64
}

impl SearchBox {
    /// The box around `centre` holding every point within `km`.
    pub fn around(centre: &GeoPoint, km: f64) -> SearchBox {
        let (dlat, dlon) = reach_box_deg(centre, km);
        SearchBox {
            centre: *centre,
            rows: lattice_row(centre.lat() - dlat)..lattice_row(centre.lat() + dlat) + 1,
            cols: lattice_col(centre.lon() - dlon)..lattice_col(centre.lon() + dlon) + 1,
        }
    }

    /// The lattice cells of the box with a lower bound on the distance (km) from the centre to
    /// any point of the cell, nearest first (ties by row, then column).
    pub fn cells_by_distance(&self) -> Vec<(f64, i64, i64)> {
        let mut cells = Vec::new();
        self.cells_by_distance_into(&mut cells);
        cells
    }

    /// [`SearchBox::cells_by_distance`] into a buffer (cleared first).
    pub fn cells_by_distance_into(&self, cells: &mut Vec<(f64, i64, i64)>) {
        cells.clear();
        self.for_each_cell(false, |lb, _, r, c| cells.push((lb, r, c)));
        cells.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    }

    /// The lattice cells of the box with lower and upper bounds on the distance (km) from the
    /// centre to any point of the cell, in row-major order.
    pub fn cells_with_bounds(&self) -> Vec<(f64, f64, i64, i64)> {
        let mut cells = Vec::with_capacity(self.rows.clone().count() * self.cols.clone().count());
        self.for_each_cell(true, |lb, ub, r, c| cells.push((lb, ub, r, c)));
        cells
    }

    /// Calls `f(lower, upper, row, col)` for every cell of the box in row-major order; `upper`
    /// is `f64::MAX` unless `upper_too`.
    fn for_each_cell(&self, upper_too: bool, mut f: impl FnMut(f64, f64, i64, i64)) {
        let (lat, lon) = (self.centre.lat(), self.centre.lon());
        for r in self.rows.clone() {
            // The cell is widened by a hair so that points that rounding put in it are inside.
            let (lo, hi) = (r as f64 * CELL_LAT - 1e-9, (r + 1) as f64 * CELL_LAT + 1e-9);
            let near_lat = lat.clamp(lo, hi);
            for c in self.cols.clone() {
                let (lo, hi) = (c as f64 * CELL_LON - 1e-9, (c + 1) as f64 * CELL_LON + 1e-9);
                let near = GeoPoint::new(near_lat, lon.clamp(lo, hi)).expect("valid coordinate");
                // The clamped point is the nearest up to second-order terms (meridians are not
                // parallel); the margin keeps the bound below the true minimum.
                let lower = (self.centre.distance_km(&near) * 0.999 - 0.01).max(0.0);
                if !upper_too {
                    f(lower, f64::MAX, r, c);
                    continue;
                }
                // On a cell this small the farthest point is a corner.
                let (rlo, rhi) = (r as f64 * CELL_LAT - 1e-9, (r + 1) as f64 * CELL_LAT + 1e-9);
                let upper = [(rlo, lo), (rlo, hi), (rhi, lo), (rhi, hi)]
                    .into_iter()
                    .map(|(a, b)| {
                        GeoPoint::new(a, b).map_or(f64::MAX, |p| self.centre.distance_km(&p))
                    })
                    .fold(0.0, f64::max)
                    * 1.001
                    + 0.01;
                f(lower, upper, r, c);
            }
        }
    }
}

/// Items bucketed by cell, stored contiguously; within a cell, items ascend by their key.
#[derive(Clone, Debug)]
pub struct Grid<T> {
    row0: i64,
    col0: i64,
    nlat: usize,
    nlon: usize,
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T> Default for Grid<T> {
    fn default() -> Self {
        Grid {
            row0: 0,
            col0: 0,
            nlat: 0,
            nlon: 0,
            starts: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T: Copy> Grid<T> {
    /// Builds a grid over `(key, point, item)` triples; `key` orders items within a cell.
    pub fn build(points: &[(u64, GeoPoint, T)]) -> Grid<T> {
        if points.is_empty() {
            return Grid::default();
        }
        let (mut lat_min, mut lat_max) = (f64::MAX, f64::MIN);
        let (mut lon_min, mut lon_max) = (f64::MAX, f64::MIN);
        for (_, p, _) in points {
            lat_min = lat_min.min(p.lat());
            lat_max = lat_max.max(p.lat());
            lon_min = lon_min.min(p.lon());
            lon_max = lon_max.max(p.lon());
        }
        // Origins sit on one global lattice, so that every grid's cell (r, c) is the lattice
        // cell (r + row0, c + col0) and a query can rank cells once for all grids.
        let (row0, col0) = (lattice_row(lat_min), lattice_col(lon_min));
        let nlat = (lattice_row(lat_max) - row0) as usize + 1;
        let nlon = (lattice_col(lon_max) - col0) as usize + 1;
        let mut grid = Grid {
            row0,
            col0,
            nlat,
            nlon,
            starts: vec![0; nlat * nlon + 1],
            items: Vec::with_capacity(points.len()),
        };
        let mut keyed: Vec<(u32, u64, usize)> = points
            .iter()
            .enumerate()
            .map(|(i, (key, p, _))| (grid.cell_of(p.lat(), p.lon()) as u32, *key, i))
            .collect();
        keyed.sort_unstable();
        for &(cell, _, _) in &keyed {
            grid.starts[cell as usize + 1] += 1;
        }
        for i in 1..grid.starts.len() {
            grid.starts[i] += grid.starts[i - 1];
        }
        grid.items
            .extend(keyed.into_iter().map(|(_, _, i)| points[i].2));
        grid
    }

    fn cell_of(&self, lat: f64, lon: f64) -> usize {
        let r = (lattice_row(lat) - self.row0) as usize;
        let c = (lattice_col(lon) - self.col0) as usize;
        r * self.nlon + c
    }

    /// Whether any cell of this grid lies in the box.
    #[inline]
    pub fn overlaps(&self, b: &SearchBox) -> bool {
        !self.items.is_empty()
            && b.rows.start < self.row0 + self.nlat as i64
            && self.row0 < b.rows.end
            && b.cols.start < self.col0 + self.nlon as i64
            && self.col0 < b.cols.end
    }

    /// Items of lattice cell (`row`, `col`); empty when the cell is outside this grid.
    #[inline]
    pub fn lattice_cell(&self, row: i64, col: i64) -> &[T] {
        let (r, c) = (row - self.row0, col - self.col0);
        if r < 0 || c < 0 || r >= self.nlat as i64 || c >= self.nlon as i64 {
            return &[];
        }
        let cell = r as usize * self.nlon + c as usize;
        &self.items[self.starts[cell] as usize..self.starts[cell + 1] as usize]
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the grid is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Calls `f` with every item in a cell that may hold points within `km` of `centre`. A
    /// superset of the points in reach: the caller still checks the exact distance.
    #[inline]
    pub fn for_each_near(&self, centre: &GeoPoint, km: f64, f: impl FnMut(&T)) {
        self.for_each_in(&SearchBox::around(centre, km), f)
    }

    /// Calls `f` with every item in a cell that overlaps the box.
    #[inline]
    pub fn for_each_in(&self, b: &SearchBox, mut f: impl FnMut(&T)) {
        if self.items.is_empty() {
            return;
        }
        let (r0, r1) = (b.rows.start - self.row0, b.rows.end - 1 - self.row0);
        let (c0, c1) = (b.cols.start - self.col0, b.cols.end - 1 - self.col0);
        let (last_r, last_c) = ((self.nlat - 1) as i64, (self.nlon - 1) as i64);
        if r1 < 0 || c1 < 0 || r0 > last_r || c0 > last_c {
            return;
        }
        let (r0, r1) = (r0.max(0) as usize, r1.min(last_r) as usize);
        let (c0, c1) = (c0.max(0) as usize, c1.min(last_c) as usize);
        for r in r0..=r1 {
            let from = self.starts[r * self.nlon + c0] as usize;
            let to = self.starts[r * self.nlon + c1 + 1] as usize;
            for item in &self.items[from..to] {
                f(item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_point_within_reach() {
        let pts: Vec<(u64, GeoPoint, u32)> = (0..400)
            .map(|i| {
                let lat = 51.0 + (i % 20) as f64 * 0.1;
                let lon = 4.0 + (i / 20) as f64 * 0.13;
                (i as u64, GeoPoint::new(lat, lon).unwrap(), i as u32)
            })
            .collect();
        let grid = Grid::build(&pts);
        let centre = GeoPoint::new(51.93, 5.11).unwrap();
        for km in [0.5, 5.0, 17.0, 60.0] {
            let mut seen = Vec::new();
            grid.for_each_near(&centre, km, |id| seen.push(*id));
            for (_, p, id) in &pts {
                if p.distance_km(&centre) <= km {
                    assert!(seen.contains(id), "missed {id} at {km} km");
                }
            }
        }
    }
}
