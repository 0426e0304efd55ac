//! Synthetic geography: each region gets its centre plus a few jittered "cities", and homes and
//! sites scatter around them with a gaussian spread of a few kilometres. The cities stay well
//! inside half the distance to the nearest other region centre, so most points lie nearer their
//! own region's centre than to any other.

use super::sample::Cum;
use crate::model::geo::NL_BOUNDS;
use crate::record::RegionRecord;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Kilometres per degree of latitude.
const KM_PER_DEG: f64 = 111.2;
/// Points stay this far (degrees) inside [`NL_BOUNDS`], so rounding never leaves the box.
const INSET: f64 = 0.01;

/// A region's population clusters.
#[derive(Clone, Debug)]
pub(super) struct RegionGeo {
    /// Cluster centres `(lat, lon)`; the first is the region centre.
    clusters: Vec<(f64, f64)>,
    pick: Cum,
    /// Standard deviation of the scatter around a cluster, km.
    sigma_km: f64,
}

/// Approximate distance in km (equirectangular; fine at the scale of the Netherlands).
pub(super) fn approx_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let mid = ((a.0 + b.0) / 2.0).to_radians();
    let dy = (a.0 - b.0) * KM_PER_DEG;
    let dx = (a.1 - b.1) * KM_PER_DEG * mid.cos();
    (dx * dx + dy * dy).sqrt()
}

/// Two independent standard normal values (Box–Muller).
#[inline]
pub(super) fn gauss2(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u1 = 1.0 - rng.random::<f64>(); // (0, 1], so ln is finite
    let u2 = rng.random::<f64>();
    let r = (-2.0 * u1.ln()).sqrt();
    let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
    (r * c, r * s)
}

/// A point `dy_km` north and `dx_km` east of `(lat, lon)`, clamped inside the Netherlands box.
fn offset(lat: f64, lon: f64, dy_km: f64, dx_km: f64) -> (f64, f64) {
    let lat2 = lat + dy_km / KM_PER_DEG;
    let lon2 = lon + dx_km / (KM_PER_DEG * lat.to_radians().cos());
    (
        lat2.clamp(NL_BOUNDS.lat_min + INSET, NL_BOUNDS.lat_max - INSET),
        lon2.clamp(NL_BOUNDS.lon_min + INSET, NL_BOUNDS.lon_max - INSET),
    )
}

/// Rounds a coordinate to five decimals (about a metre).
#[inline]
fn round5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

/// Places the cities of every region.
pub(super) fn build(regions: &[&RegionRecord], rng: &mut ChaCha8Rng) -> Vec<RegionGeo> {
    regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let centre = (r.lat, r.lon);
            let nearest = regions
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, o)| approx_km(centre, (o.lat, o.lon)))
                .fold(f64::INFINITY, f64::min);
            let nearest = if nearest.is_finite() { nearest } else { 60.0 };
            let radius = (0.45 * nearest).clamp(4.0, 15.0);
            let sigma_km = (0.18 * nearest).clamp(1.5, 4.0);
            let extra = rng.random_range(2..=4);
            let mut clusters = vec![offset(centre.0, centre.1, 0.0, 0.0)];
            let mut weights = vec![2.0];
            for _ in 0..extra {
                let d = radius * rng.random::<f64>().sqrt();
                let (s, c) = (std::f64::consts::TAU * rng.random::<f64>()).sin_cos();
                clusters.push(offset(centre.0, centre.1, d * s, d * c));
                weights.push(rng.random_range(0.6..1.2));
            }
            RegionGeo {
                clusters,
                pick: Cum::new(weights),
                sigma_km,
            }
        })
        .collect()
}

impl RegionGeo {
    /// A home or site: a cluster by weight, then a gaussian scatter around it.
    #[inline]
    pub(super) fn point(&self, rng: &mut ChaCha8Rng) -> (f64, f64) {
        let (lat, lon) = self.clusters[self.pick.sample(rng)];
        let (gy, gx) = gauss2(rng);
        let (lat, lon) = offset(lat, lon, gy * self.sigma_km, gx * self.sigma_km);
        (round5(lat), round5(lon))
    }
}
