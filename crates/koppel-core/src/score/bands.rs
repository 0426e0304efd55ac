//! Distance bands: what employers see of a distance, as a label and as a component value.

/// Coarse distance band shown instead of an exact distance (which would narrow down a home).
pub fn distance_band(km: f64) -> &'static str {
    match (km * 10.0).round() / 10.0 {
        d if d < 5.0 => "0-5 km",
        d if d < 10.0 => "5-10 km",
        d if d < 20.0 => "10-20 km",
        d if d < 40.0 => "20-40 km",
        _ => "40+ km",
    }
}

/// The distance component as employers see it: a value per band only, the same for every
/// learner, so that neither the value nor the score gives away an exact distance or a travel
/// limit (moving a vacancy around would otherwise locate a candidate's home).
pub fn band_permille(km: f64) -> u16 {
    // Rounded like the distance in explanations, so that both sides agree on the band.
    match (km * 10.0).round() / 10.0 {
        d if d < 5.0 => 1000,
        d if d < 10.0 => 800,
        d if d < 20.0 => 600,
        d if d < 40.0 => 300,
        _ => 100,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_coarse() {
        assert_eq!(band_permille(6.0), band_permille(9.9), "one value per band");
        assert!(band_permille(4.9) > band_permille(5.1));
        assert_eq!(
            band_permille(4.96),
            band_permille(5.0),
            "rounded like explanations"
        );
        assert_eq!(distance_band(0.0), "0-5 km");
        assert_eq!(distance_band(12.3), "10-20 km");
        assert_eq!(distance_band(99.0), "40+ km");
    }
}
