//! A uniform latitude/longitude grid in compressed-row form: one `starts` array and one `items`
//! array, so that a range query reads a few contiguous slices.

use crate::model::geo::{reach_box_deg, GeoPoint};

/// Cell height in degrees latitude (about 11 km).
const CELL_LAT: f64 = 0.1;
/// Cell width in degrees longitude (about 10 km at Dutch latitudes).
const CELL_LON: f64 = 0.15;

/// Items bucketed by cell, stored contiguously; within a cell, items ascend by their key.
#[derive(Clone, Debug)]
pub struct Grid<T> {
    lat0: f64,
    lon0: f64,
    nlat: usize,
    nlon: usize,
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T> Default for Grid<T> {
    fn default() -> Self {
        Grid {
            lat0: 0.0,
            lon0: 0.0,
            nlat: 0,
            nlon: 0,
            starts: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T: Copy> Grid<T> {
    /// Builds a grid over `(key, point, item)` triples; `key` orders items within a cell.
    pub fn build(points: &[(u32, GeoPoint, T)]) -> Grid<T> {
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
        let nlat = ((lat_max - lat_min) / CELL_LAT) as usize + 1;
        let nlon = ((lon_max - lon_min) / CELL_LON) as usize + 1;
        let mut grid = Grid {
            lat0: lat_min,
            lon0: lon_min,
            nlat,
            nlon,
            starts: vec![0; nlat * nlon + 1],
            items: Vec::with_capacity(points.len()),
        };
        let mut keyed: Vec<(u32, u32, usize)> = points
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
        let r = (((lat - self.lat0) / CELL_LAT) as usize).min(self.nlat - 1);
        let c = (((lon - self.lon0) / CELL_LON) as usize).min(self.nlon - 1);
        r * self.nlon + c
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
    pub fn for_each_near(&self, centre: &GeoPoint, km: f64, mut f: impl FnMut(&T)) {
        if self.items.is_empty() {
            return;
        }
        let (dlat, dlon) = reach_box_deg(centre, km);
        let row = |lat: f64| ((lat - self.lat0) / CELL_LAT).floor();
        let col = |lon: f64| ((lon - self.lon0) / CELL_LON).floor();
        let (r0, r1) = (row(centre.lat() - dlat), row(centre.lat() + dlat));
        let (c0, c1) = (col(centre.lon() - dlon), col(centre.lon() + dlon));
        let last_r = (self.nlat - 1) as f64;
        let last_c = (self.nlon - 1) as f64;
        if r1 < 0.0 || c1 < 0.0 || r0 > last_r || c0 > last_c {
            return;
        }
        let (r0, r1) = (r0.max(0.0) as usize, r1.min(last_r) as usize);
        let (c0, c1) = (c0.max(0.0) as usize, c1.min(last_c) as usize);
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
        let pts: Vec<(u32, GeoPoint, u32)> = (0..400)
            .map(|i| {
                let lat = 51.0 + (i % 20) as f64 * 0.1;
                let lon = 4.0 + (i / 20) as f64 * 0.13;
                (i, GeoPoint::new(lat, lon).unwrap(), i)
            })
            .collect();
        let grid = Grid::build(&pts);
        let centre = GeoPoint::new(51.93, 5.11).unwrap();
        for km in [0.5, 5.0, 17.0, 60.0] {
            let mut seen = Vec::new();
            grid.for_each_near(&centre, km, |id| seen.push(*id));
            for (id, p, _) in &pts {
                if p.distance_km(&centre) <= km {
                    assert!(seen.contains(id), "missed {id} at {km} km");
                }
            }
        }
    }
}
