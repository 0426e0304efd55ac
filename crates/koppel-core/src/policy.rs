//! Scoring policies: component weights and matching settings, a default plus per-region
//! overrides ("regional where possible, provincial where needed").
//!
//! A policy file (TOML, parsed by the caller) deserialises into [`PolicyConfig`], the unchecked
//! form; [`PolicySet::resolve`] validates it against the regions and produces one checked
//! [`Policy`] per region. Weights may be any non-negative numbers; they are normalised to integer
//! points that sum to exactly 1000, so contributions are integers that add up to the score.

use crate::error::PolicyError;
use crate::model::ids::RegionIdx;
use crate::model::reference::Reference;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A soft score component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// Sector outlook in the placement's region.
    Outlook,
    /// Rank of the placement's sector in the learner's preferences.
    Preference,
    /// Fit of the learner's qualification and level.
    Qualification,
    /// Share of the learner's non-essential support needs the placement covers.
    Support,
    /// Closeness relative to the learner's travel limit.
    Distance,
    /// Hours asked relative to hours available.
    Hours,
    /// Whether the placement leads where the learner's exit profile points.
    Pathway,
}

impl Component {
    /// All components in their fixed order.
    pub const ALL: [Component; 7] = [
        Component::Outlook,
        Component::Preference,
        Component::Qualification,
        Component::Support,
        Component::Distance,
        Component::Hours,
        Component::Pathway,
    ];

    /// Dense index.
    pub fn ix(self) -> usize {
        self as usize
    }

    /// Spelling in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Outlook => "outlook",
            Component::Preference => "preference",
            Component::Qualification => "qualification",
            Component::Support => "support",
            Component::Distance => "distance",
            Component::Hours => "hours",
            Component::Pathway => "pathway",
        }
    }

    /// Whether the component derives from special-category data (support needs) and so must not
    /// be shown to employers.
    pub fn is_sensitive(self) -> bool {
        matches!(self, Component::Support)
    }
}

/// Total points the weights of a policy sum to, and the maximum score.
pub const SCORE_MAX: u16 = 1000;

/// Component weights in integer points that sum to [`SCORE_MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Weights([u16; 7]);

impl Weights {
    /// Points of a component.
    #[inline]
    pub fn get(&self, c: Component) -> u16 {
        self.0[c.ix()]
    }

    /// Points of all components, in [`Component::ALL`] order.
    #[inline]
    pub fn points(&self) -> &[u16; 7] {
        &self.0
    }

    /// Normalises raw non-negative weights to points summing to [`SCORE_MAX`] by the largest
    /// remainder method (ties go to the earlier component), so the result is deterministic.
    pub fn normalise(raw: [f64; 7], scope: &str) -> Result<Weights, PolicyError> {
        for (c, w) in Component::ALL.iter().zip(raw) {
            if !w.is_finite() || w < 0.0 {
                return Err(PolicyError::BadWeight {
                    scope: scope.to_owned(),
                    component: c.as_str().to_owned(),
                    value: w,
                });
            }
        }
        let sum: f64 = raw.iter().sum();
        if sum <= 0.0 {
            return Err(PolicyError::ZeroWeights {
                scope: scope.to_owned(),
            });
        }
        let exact: Vec<f64> = raw.iter().map(|w| w / sum * SCORE_MAX as f64).collect();
        let mut pts: [u16; 7] = [0; 7];
        for (p, e) in pts.iter_mut().zip(&exact) {
            *p = e.floor() as u16;
        }
        let short = SCORE_MAX - pts.iter().sum::<u16>();
        let mut order: Vec<usize> = (0..7).collect();
        order.sort_by(|&a, &b| {
            let (fa, fb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
            fb.total_cmp(&fa).then(a.cmp(&b))
        });
        for &i in order.iter().take(short as usize) {
            pts[i] += 1;
        }
        Ok(Weights(pts))
    }
}

/// Extra allocation value (points, added to every candidate score of the learner) for the
/// groups the regional approach puts first. Used by cohort allocation only; a match list for one
/// learner is unaffected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Priority {
    /// Learners at risk of leaving without a basic qualification (see `Learner::at_risk`).
    pub at_risk: u16,
    /// Learners in the doelgroepregister (Banenafspraak).
    pub register: u16,
    /// Pro and vso pupils.
    pub pro_vso: u16,
}

impl Priority {
    /// The bonuses that apply to a learner, with their names (`at_risk`, `register`,
    /// `pro_vso`); zero bonuses are left out.
    pub fn applicable(&self, l: &crate::Learner) -> Vec<(&'static str, u16)> {
        [
            ("at_risk", self.at_risk, l.at_risk()),
            ("register", self.register, l.in_register),
            ("pro_vso", self.pro_vso, l.school_type.is_pro_vso()),
        ]
        .into_iter()
        .filter(|&(_, points, applies)| applies && points > 0)
        .map(|(name, points, _)| (name, points))
        .collect()
    }

    /// Total bonus of a learner.
    pub fn bonus(&self, l: &crate::Learner) -> u16 {
        self.applicable(l).iter().map(|(_, p)| p).sum()
    }
}

/// A checked policy for one region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Policy {
    /// Component weights.
    pub weights: Weights,
    /// Allocation priority bonuses.
    pub priority: Priority,
    /// How many neighbour steps away a placement's region may be from the learner's home region
    /// (0 = own region only).
    pub region_hops: u8,
    /// A placement may start at most this many days after the learner's earliest start.
    pub start_window_days: u16,
}

/// Built-in default raw weights, in [`Component::ALL`] order.
pub const DEFAULT_WEIGHTS: [f64; 7] = [25.0, 20.0, 15.0, 10.0, 15.0, 5.0, 10.0];
/// Built-in default neighbour steps.
pub const DEFAULT_REGION_HOPS: u8 = 1;
/// Built-in default start window in days (about half a school year).
pub const DEFAULT_START_WINDOW_DAYS: u16 = 183;

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            weights: Weights::normalise(DEFAULT_WEIGHTS, "[default]").expect("valid defaults"),
            priority: Priority::default(),
            region_hops: DEFAULT_REGION_HOPS,
            start_window_days: DEFAULT_START_WINDOW_DAYS,
        }
    }
}

/// Raw weights as written in a policy file; missing components inherit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct WeightsConfig {
    pub outlook: Option<f64>,
    pub preference: Option<f64>,
    pub qualification: Option<f64>,
    pub support: Option<f64>,
    pub distance: Option<f64>,
    pub hours: Option<f64>,
    pub pathway: Option<f64>,
}

impl WeightsConfig {
    fn overlay(&self, base: [f64; 7]) -> [f64; 7] {
        let given = [
            self.outlook,
            self.preference,
            self.qualification,
            self.support,
            self.distance,
            self.hours,
            self.pathway,
        ];
        let mut out = base;
        for (o, g) in out.iter_mut().zip(given) {
            if let Some(v) = g {
                *o = v;
            }
        }
        out
    }
}

/// Priority bonuses as written in a policy file; missing ones inherit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct PriorityConfig {
    pub at_risk: Option<i64>,
    pub register: Option<i64>,
    pub pro_vso: Option<i64>,
}

/// One `[default]` or `[region.<code>]` table; every setting is optional and inherits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyOverride {
    /// See [`Policy::region_hops`].
    pub region_hops: Option<i64>,
    /// See [`Policy::start_window_days`].
    pub start_window_days: Option<i64>,
    /// Raw weights.
    pub weights: Option<WeightsConfig>,
    /// Allocation priority bonuses in points (0..=1000 each).
    pub priority: Option<PriorityConfig>,
}

/// A whole policy file, unchecked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Settings for every region.
    #[serde(default)]
    pub default: PolicyOverride,
    /// Overrides per region code.
    #[serde(default)]
    pub region: BTreeMap<String, PolicyOverride>,
}

/// Checked policies, one per region.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySet {
    default: Policy,
    by_region: Vec<Policy>,
}

#[derive(Clone, Copy)]
struct RawPolicy {
    weights: [f64; 7],
    region_hops: i64,
    start_window_days: i64,
    priority: [i64; 3],
}

impl RawPolicy {
    fn overlay(self, o: &PolicyOverride) -> RawPolicy {
        RawPolicy {
            weights: o
                .weights
                .as_ref()
                .map_or(self.weights, |w| w.overlay(self.weights)),
            region_hops: o.region_hops.unwrap_or(self.region_hops),
            start_window_days: o.start_window_days.unwrap_or(self.start_window_days),
            priority: match &o.priority {
                None => self.priority,
                Some(p) => [
                    p.at_risk.unwrap_or(self.priority[0]),
                    p.register.unwrap_or(self.priority[1]),
                    p.pro_vso.unwrap_or(self.priority[2]),
                ],
            },
        }
    }

    fn check(self, scope: &str) -> Result<Policy, PolicyError> {
        let out_of_range = |setting, value, allowed| PolicyError::OutOfRange {
            scope: scope.to_owned(),
            setting,
            value,
            allowed,
        };
        if !(0..=10).contains(&self.region_hops) {
            return Err(out_of_range("region_hops", self.region_hops, "0..=10"));
        }
        if !(1..=730).contains(&self.start_window_days) {
            return Err(out_of_range(
                "start_window_days",
                self.start_window_days,
                "1..=730",
            ));
        }
        for (setting, value) in ["priority.at_risk", "priority.register", "priority.pro_vso"]
            .into_iter()
            .zip(self.priority)
        {
            if !(0..=1000).contains(&value) {
                return Err(out_of_range(setting, value, "0..=1000 points"));
            }
        }
        let [at_risk, register, pro_vso] = self.priority.map(|v| v as u16);
        Ok(Policy {
            weights: Weights::normalise(self.weights, scope)?,
            priority: Priority {
                at_risk,
                register,
                pro_vso,
            },
            region_hops: self.region_hops as u8,
            start_window_days: self.start_window_days as u16,
        })
    }
}

impl PolicySet {
    /// The built-in default policy for every region.
    pub fn uniform(policy: Policy, n_regions: usize) -> PolicySet {
        PolicySet {
            by_region: vec![policy.clone(); n_regions],
            default: policy,
        }
    }

    /// Validates a policy file against the regions: region codes must exist, weights must be
    /// finite and non-negative with a positive sum, settings within range.
    pub fn resolve(cfg: &PolicyConfig, refs: &Reference) -> Result<PolicySet, PolicyError> {
        let builtin = RawPolicy {
            weights: DEFAULT_WEIGHTS,
            region_hops: DEFAULT_REGION_HOPS as i64,
            start_window_days: DEFAULT_START_WINDOW_DAYS as i64,
            priority: [0; 3],
        };
        let base = builtin.overlay(&cfg.default);
        let default = base.check("[default]")?;
        let mut by_region = vec![default.clone(); refs.regions.len()];
        for (code, o) in &cfg.region {
            let r = refs
                .region(code)
                .ok_or_else(|| PolicyError::UnknownRegion { code: code.clone() })?;
            by_region[r.ix()] = base.overlay(o).check(&format!("[region.{code}]"))?;
        }
        Ok(PolicySet { default, by_region })
    }

    /// The policy for learners of a region.
    #[inline]
    pub fn for_region(&self, r: RegionIdx) -> &Policy {
        &self.by_region[r.ix()]
    }

    /// The default policy.
    pub fn default_policy(&self) -> &Policy {
        &self.default
    }

    /// The largest `region_hops` of any region.
    pub fn max_region_hops(&self) -> u8 {
        self.by_region
            .iter()
            .map(|p| p.region_hops)
            .max()
            .unwrap_or(self.default.region_hops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: [f64; 7], expect: [u16; 7]) {
        let w = Weights::normalise(raw, "[test]").unwrap();
        assert_eq!(w.points(), &expect);
        assert_eq!(w.points().iter().sum::<u16>(), SCORE_MAX);
    }

    #[test]
    fn normalises_to_exactly_1000_points() {
        check([1.0; 7], [143, 143, 143, 143, 143, 143, 142]);
        check(DEFAULT_WEIGHTS, [250, 200, 150, 100, 150, 50, 100]);
        check(
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0],
            [0, 0, 0, 0, 0, 0, 1000],
        );
        check(
            [1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [333, 667, 0, 0, 0, 0, 0],
        );
    }

    #[test]
    fn rejects_negative_nan_and_zero_weights() {
        assert!(matches!(
            Weights::normalise([-1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "[default]"),
            Err(PolicyError::BadWeight { .. })
        ));
        assert!(matches!(
            Weights::normalise([f64::NAN, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "[default]"),
            Err(PolicyError::BadWeight { .. })
        ));
        let err = Weights::normalise([0.0; 7], "[region.rijnmond]").unwrap_err();
        assert!(err.to_string().contains("[region.rijnmond]"), "{err}");
    }

    #[test]
    fn out_of_range_settings_name_scope_and_setting() {
        let raw = RawPolicy {
            weights: DEFAULT_WEIGHTS,
            region_hops: 11,
            start_window_days: 10,
            priority: [0; 3],
        };
        let err = raw.check("[region.twente]").unwrap_err().to_string();
        assert!(
            err.contains("[region.twente]") && err.contains("region_hops"),
            "{err}"
        );
    }
}
