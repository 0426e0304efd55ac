//! The seven soft components, each a raw value in permille (0..=1000).
//!
//! Every function here is monotone in the quantity it names (a better outlook, a closer site, a
//! higher-ranked sector never lowers its value), which the property tests rely on.

use super::PlacementRow;
use super::{Prepared, Scorer};
use crate::model::enums::{ExitProfile, PlacementKind};
use crate::model::reference::OutlookCell;

/// Raw value when nothing is known, neither good nor bad.
pub const NEUTRAL: u16 = 500;

/// Outlook of a placement's sector in its region, for its kind.
///
/// Internships and learn-work places look at both the chance of a place and the chance of work
/// afterwards ("stages will not lead to a job by themselves"), averaged when both are known.
/// Banenafspraak jobs are jobs: chance of work only. Unknown → neutral.
pub fn outlook_permille(kind: PlacementKind, cell: OutlookCell) -> u16 {
    let (i, w) = (
        cell.internship.map(|l| l.permille()),
        cell.work.map(|l| l.permille()),
    );
    match kind {
        PlacementKind::Banenafspraak => w.unwrap_or(NEUTRAL),
        PlacementKind::Internship | PlacementKind::LearnWork => match (i, w) {
            (Some(i), Some(w)) => (i + w) / 2,
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => NEUTRAL,
        },
    }
}

/// Preference: first choice 1000, each later rank 200 less; an unlisted sector 0; a learner
/// without preferences is neutral.
#[inline]
pub fn preference_permille(rank: Option<usize>, has_preferences: bool) -> u16 {
    match rank {
        Some(r) => 1000u16.saturating_sub(200 * r as u16),
        None if has_preferences => 0,
        None => NEUTRAL,
    }
}

/// How the learner's qualification relates to the placement's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QualMatch {
    /// The placement trains for the learner's qualification.
    Exact,
    /// Same sector, other qualification.
    SameSector,
    /// Another sector.
    Other,
    /// The learner has no qualification; the placement asks none.
    OpenToAll,
    /// The learner has no qualification; the placement trains for one.
    NoneHeld,
}

impl QualMatch {
    fn permille(self) -> u32 {
        match self {
            QualMatch::Exact => 1000,
            QualMatch::OpenToAll => 800,
            QualMatch::SameSector => 600,
            QualMatch::NoneHeld => 400,
            QualMatch::Other => 0,
        }
    }
}

/// The qualification relation of a pair.
#[inline]
pub fn qual_match(s: &Scorer<'_>, pl: &Prepared<'_>, p: &PlacementRow) -> QualMatch {
    match pl.learner.qualification {
        Some(q) if p.trains_for(q, s.data) => QualMatch::Exact,
        Some(_) if pl.qual_sector == Some(p.sector) => QualMatch::SameSector,
        Some(_) => QualMatch::Other,
        None if p.asks_no_qualification() => QualMatch::OpenToAll,
        None => QualMatch::NoneHeld,
    }
}

/// Level fit: 1000 inside the placement's range, 400 less per level outside.
#[inline]
pub fn level_fit_permille(level: u8, min: u8, max: u8) -> u32 {
    let gap = if level < min {
        min - level
    } else {
        level.saturating_sub(max)
    } as u32;
    1000u32.saturating_sub(400 * gap)
}

/// Qualification component: the relation's value scaled by the level fit. Monotone in both, so
/// the best relation and the widest level range bound it for a group of placements.
#[inline]
pub fn qualification_permille(relation: QualMatch, level: u8, min: u8, max: u8) -> u16 {
    (relation.permille() * level_fit_permille(level, min, max) / 1000) as u16
}

/// Share of the learner's non-essential needs the placement covers (no such needs → 1000).
#[inline]
pub fn support_permille(pl: &Prepared<'_>, p: &PlacementRow) -> u16 {
    let wanted = pl.learner.support.desired;
    if wanted.is_empty() {
        return 1000;
    }
    (1000 * wanted.intersect(p.support_offered).len() / wanted.len()) as u16
}

/// Closeness: 1000 at the door, 0 at the travel limit, linear between.
#[inline]
pub fn distance_permille(distance_km: f64, limit_km: f64) -> u16 {
    ((1.0 - distance_km / limit_km) * 1000.0)
        .floor()
        .clamp(0.0, 1000.0) as u16
}

/// Hours asked over hours available (feasible pairs never ask more than available).
#[inline]
pub fn hours_permille(asked: u8, available: u8) -> u16 {
    (1000 * (asked.min(available) as u32) / available.max(1) as u32) as u16
}

/// Does the placement lead where the learner is headed?
/// Work: a job prospect (or a Banenafspraak job) 1000, otherwise 60 % of the credential's value.
/// Further education: the credential's value, at least 300 for a job prospect.
/// Daytime activities: 500, or 750 when it leads to a job or any credential.
#[inline]
pub fn pathway_permille(exit: ExitProfile, p: &PlacementRow) -> u16 {
    let job = p.job_prospect || p.kind == PlacementKind::Banenafspraak;
    let cred = p.credential.value_permille();
    match exit {
        ExitProfile::Work if job => 1000,
        ExitProfile::Work => cred * 6 / 10,
        ExitProfile::FurtherEducation => cred.max(if job { 300 } else { 0 }),
        ExitProfile::DaytimeActivities if job || cred > 0 => 750,
        ExitProfile::DaytimeActivities => 500,
    }
}

/// All seven raw values of a feasible pair, in [`crate::Component::ALL`] order.
#[inline]
pub fn raw_values(
    s: &Scorer<'_>,
    pl: &Prepared<'_>,
    p: &PlacementRow,
    distance_km: f64,
) -> [u16; 7] {
    let l = pl.learner;
    let rank = l.sector_preferences.iter().position(|&x| x == p.sector);
    let qual = qualification_permille(
        qual_match(s, pl, p),
        l.level.get(),
        p.level_min.get(),
        p.level_max.get(),
    );
    [
        s.outlook_of(p),
        preference_permille(rank, !l.sector_preferences.is_empty()),
        qual,
        support_permille(pl, p),
        distance_permille(distance_km, l.travel_limit_km),
        hours_permille(p.hours_per_week, l.hours_per_week),
        pathway_permille(l.exit_profile, p),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::enums::OutlookLevel;

    fn cell(i: Option<u8>, w: Option<u8>) -> OutlookCell {
        OutlookCell {
            internship: i.and_then(OutlookLevel::new),
            work: w.and_then(OutlookLevel::new),
        }
    }

    #[test]
    fn outlook_mixes_place_and_work_for_internships() {
        let check = |kind, c, expect| assert_eq!(outlook_permille(kind, c), expect);
        check(PlacementKind::Internship, cell(Some(5), Some(1)), 500);
        check(PlacementKind::Internship, cell(Some(4), None), 750);
        check(PlacementKind::Banenafspraak, cell(Some(5), Some(2)), 250);
        check(PlacementKind::Banenafspraak, cell(Some(5), None), NEUTRAL);
        check(PlacementKind::LearnWork, cell(None, None), NEUTRAL);
    }

    #[test]
    fn preference_ranks_step_down() {
        assert_eq!(preference_permille(Some(0), true), 1000);
        assert_eq!(preference_permille(Some(4), true), 200);
        assert_eq!(preference_permille(None, true), 0);
        assert_eq!(preference_permille(None, false), NEUTRAL);
    }

    #[test]
    fn level_fit_drops_per_level_outside() {
        assert_eq!(level_fit_permille(2, 2, 3), 1000);
        assert_eq!(level_fit_permille(1, 2, 3), 600);
        assert_eq!(level_fit_permille(4, 1, 1), 0);
    }

    #[test]
    fn distance_and_hours_are_bounded() {
        assert_eq!(distance_permille(0.0, 20.0), 1000);
        assert_eq!(distance_permille(10.0, 20.0), 500);
        assert_eq!(distance_permille(25.0, 20.0), 0);
        assert_eq!(hours_permille(16, 32), 500);
        assert_eq!(hours_permille(32, 32), 1000);
    }
}
