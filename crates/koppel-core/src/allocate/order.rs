//! The order in which [`super::Cohort::build`] queries the index: learners living near each other
//! one after another, so that consecutive queries read the same index blocks from cache instead
//! of memory. Each learner's query is independent, so the order changes only the speed.

use crate::model::dataset::Dataset;

/// Size of the squares learners are grouped by, in degrees (about 5.5 × 3.5 km in the
/// Netherlands).
const SQUARE_DEG: f64 = 0.05;

/// Every learner index, sorted along a Z-order curve over their homes (ties by index).
pub fn spatial(data: &Dataset) -> Vec<u32> {
    let mut keyed: Vec<(u64, u32)> = data
        .learners
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let row = ((l.home.lat() + 90.0) / SQUARE_DEG) as u32;
            let col = ((l.home.lon() + 180.0) / SQUARE_DEG) as u32;
            (interleave(row) << 1 | interleave(col), i as u32)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Spreads the bits of `x` over the even bit positions of the result.
fn interleave(x: u32) -> u64 {
    let mut v = x as u64;
    v = (v | v << 16) & 0x0000_FFFF_0000_FFFF;
    v = (v | v << 8) & 0x00FF_00FF_00FF_00FF;
    v = (v | v << 4) & 0x0F0F_0F0F_0F0F_0F0F;
    v = (v | v << 2) & 0x3333_3333_3333_3333;
    (v | v << 1) & 0x5555_5555_5555_5555
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_spreads_bits() {
        assert_eq!(interleave(0b111), 0b10101);
        assert_eq!(interleave(u32::MAX), 0x5555_5555_5555_5555);
    }
}
