//! Coordinates and great-circle distance.
//!
//! Points keep a unit vector beside latitude and longitude so that the hot path compares squared
//! chord lengths (three multiplications) instead of evaluating trigonometry for every pair; the
//! kilometre figure is only computed for pairs that are within reach.

use serde::{Deserialize, Serialize};

/// Mean Earth radius in kilometres (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A WGS84 coordinate with its precomputed unit vector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
    xyz: [f64; 3],
}

/// The bounding box a point must lie in: the Netherlands with a margin.
pub const NL_BOUNDS: GeoBounds = GeoBounds {
    lat_min: 50.6,
    lat_max: 53.7,
    lon_min: 3.2,
    lon_max: 7.3,
};

/// A latitude/longitude box.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoBounds {
    /// Southern edge.
    pub lat_min: f64,
    /// Northern edge.
    pub lat_max: f64,
    /// Western edge.
    pub lon_min: f64,
    /// Eastern edge.
    pub lon_max: f64,
}

impl GeoBounds {
    /// Whether the box holds the coordinate.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.lat_min..=self.lat_max).contains(&lat) && (self.lon_min..=self.lon_max).contains(&lon)
    }
}

impl GeoPoint {
    /// A point from degrees. Returns `None` for non-finite or out-of-range values.
    pub fn new(lat: f64, lon: f64) -> Option<GeoPoint> {
        if !lat.is_finite() || !lon.is_finite() || lat.abs() > 90.0 || lon.abs() > 180.0 {
            return None;
        }
        let (phi, lambda) = (lat.to_radians(), lon.to_radians());
        let xyz = [
            phi.cos() * lambda.cos(),
            phi.cos() * lambda.sin(),
            phi.sin(),
        ];
        Some(GeoPoint { lat, lon, xyz })
    }

    /// Latitude in degrees.
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// The unit vector.
    #[inline]
    pub fn xyz(&self) -> [f64; 3] {
        self.xyz
    }

    /// Squared chord length between two points on the unit sphere.
    #[inline]
    pub fn chord2(&self, other: &GeoPoint) -> f64 {
        let dx = self.xyz[0] - other.xyz[0];
        let dy = self.xyz[1] - other.xyz[1];
        let dz = self.xyz[2] - other.xyz[2];
        dx * dx + dy * dy + dz * dz
    }

    /// Great-circle distance in kilometres.
    #[inline]
    pub fn distance_km(&self, other: &GeoPoint) -> f64 {
        chord2_to_km(self.chord2(other))
    }
}

/// Converts a squared unit chord to a great-circle distance in km.
#[inline]
pub fn chord2_to_km(chord2: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * (chord2.sqrt() / 2.0).min(1.0).asin()
}

/// The squared unit chord of a great-circle distance; `d <= r` iff `chord2 <= km_to_chord2(r)`.
#[inline]
pub fn km_to_chord2(km: f64) -> f64 {
    let c = 2.0
        * (km / (2.0 * EARTH_RADIUS_KM))
            .min(std::f64::consts::FRAC_PI_2)
            .sin();
    c * c
}

/// Half-widths in degrees of a box that surely holds every point within `km` of `centre`.
///
/// Latitude: the exact angular radius. Longitude: the widest longitude span of a spherical cap,
/// `asin(sin δ / cos φ)`, taken at the cap's pole-most latitude. A small margin covers rounding.
pub fn reach_box_deg(centre: &GeoPoint, km: f64) -> (f64, f64) {
    let delta = km / EARTH_RADIUS_KM;
    let dlat = delta.to_degrees();
    let far_lat = (centre.lat.abs() + dlat).min(89.0).to_radians();
    let s = (delta.sin() / far_lat.cos()).min(1.0);
    let dlon = s.asin().to_degrees();
    (dlat * 1.0001 + 1e-6, dlon * 1.0001 + 1e-6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    #[test]
    fn amsterdam_rotterdam_is_about_57_km() {
        let d = p(52.3728, 4.8936).distance_km(&p(51.9225, 4.4792));
        assert!((d - 57.8).abs() < 1.0, "{d}");
    }

    #[test]
    fn chord_threshold_agrees_with_distance() {
        let a = p(52.0, 5.0);
        let b = p(52.1, 5.2);
        let d = a.distance_km(&b);
        assert!(a.chord2(&b) <= km_to_chord2(d + 1e-9));
        assert!(a.chord2(&b) > km_to_chord2(d - 0.01));
    }

    #[test]
    fn rejects_bad_coordinates() {
        assert!(GeoPoint::new(f64::NAN, 5.0).is_none());
        assert!(GeoPoint::new(91.0, 5.0).is_none());
    }

    #[test]
    fn reach_box_holds_the_circle() {
        let c = p(53.2, 6.5);
        let (dlat, dlon) = reach_box_deg(&c, 40.0);
        for i in 0..360 {
            // walk the circle of radius 40 km with a fine bearing step
            let b = (i as f64).to_radians();
            let d = 40.0 / EARTH_RADIUS_KM;
            let (phi1, l1) = (c.lat.to_radians(), c.lon.to_radians());
            let phi2 = (phi1.sin() * d.cos() + phi1.cos() * d.sin() * b.cos()).asin();
            let l2 = l1 + (b.sin() * d.sin() * phi1.cos()).atan2(d.cos() - phi1.sin() * phi2.sin());
            assert!((phi2.to_degrees() - c.lat).abs() <= dlat);
            assert!((l2.to_degrees() - c.lon).abs() <= dlon);
        }
    }
}
