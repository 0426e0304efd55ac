//! The employer-facing view of a candidate: a per-employer pseudonym, qualification, level,
//! distance band and the non-sensitive score components. Built from the [`ScoreView::Public`]
//! score, so neither score nor ranking depends on support needs; never carries a name, contact,
//! date of birth, support need or register status.
//!
//! Also the analysts' view of an assignment: a per-allocation pseudonym
//! ([`allocation_pseudonym`]) and the [`public_score`] of the pair.
//!
//! [`ScoreView::Public`]: crate::score::ScoreView::Public

use crate::model::ids::{EmployerIdx, LearnerIdx, PlacementIdx};
use crate::policy::Component;
use crate::score::{contributions, ScoreView, Scorer};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

/// A stable pseudonym of a learner for one employer: `HMAC-SHA256(key, employer ∥ learner)`,
/// so pseudonyms cannot be linked across employers or reversed without the key.
pub fn pseudonym(key: &[u8], employer: &str, learner: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(employer.as_bytes());
    mac.update(&[0]);
    mac.update(learner.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("K-{hex}")
}

/// A learner's pseudonym in one allocation, for analysts: `T-` and 20 hex digits (80 bits) of
/// `HMAC-SHA256(k, allocation ∥ 0 ∥ learner)`, where `k = HMAC-SHA256(key, "koppel allocation
/// pseudonym v1")` is derived from the service key, so that these pseudonyms share nothing
/// with employers' ones. Unrelated across allocations (differencing two runs links nothing),
/// irreversible without the key; 80 bits keep a collision within one cohort of a million below
/// one in a billion.
pub fn allocation_pseudonym(key: &[u8], allocation: &str, learner: &str) -> String {
    let mut derive = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    derive.update(b"koppel allocation pseudonym v1");
    let k = derive.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(&k).expect("HMAC takes keys of any length");
    mac.update(allocation.as_bytes());
    mac.update(&[0]);
    mac.update(learner.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    format!("T-{hex}")
}

/// The score of an assigned pair as employer desks would see it ([`ScoreView::Public`]:
/// support counted as met, distance by band) and without the priority bonus, so that it does
/// not derive from support needs or register status. 0 if the public view finds the pair
/// infeasible (it cannot: it checks less than the full view that made the assignment).
pub fn public_score(scorer: &Scorer<'_>, li: LearnerIdx, pi: PlacementIdx) -> u16 {
    let pl = scorer.prepare(li);
    scorer
        .score_in(&pl, pi, ScoreView::Public)
        .unwrap_or_default()
}

pub use crate::score::bands::{band_permille, distance_band};

/// A qualification as shown to employers.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualificationView {
    /// Crebo.
    pub crebo: String,
    /// Name.
    pub name: String,
}

/// One non-sensitive component.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicComponent {
    /// Component.
    pub component: Component,
    /// Raw value in [0, 1].
    pub value: f64,
    /// Weight in points.
    pub weight: u16,
    /// Points contributed.
    pub contribution: u16,
}

/// An anonymised candidate.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateView {
    /// 1-based rank.
    pub rank: usize,
    /// Per-employer pseudonym.
    pub pseudonym: String,
    /// The learner's qualification, if any.
    pub qualification: Option<QualificationView>,
    /// Level 0..=4.
    pub level: u8,
    /// Distance band.
    pub distance_band: &'static str,
    /// Score with support counted as met; equals the sum of the visible contributions plus the
    /// support weight.
    pub score: u16,
    /// Non-sensitive components.
    pub components: Vec<PublicComponent>,
}

/// Builds the employer view of a pair, or `None` if the pair is not feasible as the
/// [`ScoreView::Public`] view sees it (essential support is not checked, so which candidates
/// appear says nothing about support needs).
pub fn candidate_view(
    scorer: &Scorer<'_>,
    key: &[u8],
    rank: usize,
    li: LearnerIdx,
    pi: PlacementIdx,
) -> Option<CandidateView> {
    let data = scorer.data();
    let (l, p) = (data.learner(li), data.placement(pi));
    let pl = scorer.prepare(li);
    let (raw, km) = scorer.raw_in(&pl, scorer.row(pi), ScoreView::Public)?;
    let contrib = contributions(pl.policy, &raw);
    let weights = pl.policy.weights.points();
    let components: Vec<PublicComponent> = Component::ALL
        .iter()
        .filter(|c| !c.is_sensitive())
        .map(|&c| PublicComponent {
            component: c,
            value: f64::from(raw[c.ix()]) / 1000.0,
            weight: weights[c.ix()],
            contribution: contrib[c.ix()],
        })
        .collect();
    let score = contrib.iter().sum();
    let employer: EmployerIdx = p.employer;
    Some(CandidateView {
        rank,
        pseudonym: pseudonym(
            key,
            data.reference.employers[employer.ix()].id.as_str(),
            l.id.as_str(),
        ),
        qualification: l.qualification.map(|q| {
            let q = &data.reference.qualifications[q.ix()];
            QualificationView {
                crebo: q.crebo.clone(),
                name: q.name.clone(),
            }
        }),
        level: l.level.get(),
        distance_band: distance_band(km),
        score,
        components,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_differ_per_employer_and_key() {
        let a = pseudonym(b"k1", "E1", "L1");
        assert_eq!(a, pseudonym(b"k1", "E1", "L1"));
        assert_ne!(a, pseudonym(b"k1", "E2", "L1"));
        assert_ne!(a, pseudonym(b"k2", "E1", "L1"));
        assert!(!a.contains("L1"));
    }

    #[test]
    fn allocation_pseudonyms_differ_per_allocation_and_from_employer_ones() {
        let a = allocation_pseudonym(b"k1", "A1", "L1");
        assert_eq!(a, allocation_pseudonym(b"k1", "A1", "L1"));
        assert_ne!(a, allocation_pseudonym(b"k1", "A2", "L1"));
        assert_ne!(a, allocation_pseudonym(b"k2", "A1", "L1"));
        assert_ne!(a, allocation_pseudonym(b"k1", "A1", "L2"));
        assert!(a.starts_with("T-") && a.len() == 22 && !a.contains("L1"));
        // An employer named like the allocation gets an unrelated pseudonym.
        assert_ne!(a[2..14], pseudonym(b"k1", "A1", "L1")[2..]);
    }
}
