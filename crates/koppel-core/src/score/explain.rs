//! Explanations: every component's raw value, weight and contribution, or every failed
//! constraint.

use super::components::{qual_match, raw_values, QualMatch};
use super::{contributions, Scorer, Violation};
use crate::model::enums::{ExitProfile, PlacementKind};
use crate::model::geo::chord2_to_km;
use crate::model::ids::{LearnerIdx, PlacementIdx};
use crate::policy::Component;
use serde::Serialize;

/// One component of a score.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentScore {
    /// Which component.
    pub component: Component,
    /// Raw value in [0, 1], three decimals.
    pub value: f64,
    /// Weight in points (all weights sum to 1000).
    pub weight: u16,
    /// Points contributed: `floor(weight × value)`; contributions sum to the score.
    pub contribution: u16,
    /// Why the value is what it is, in words.
    pub note: String,
}

/// Facts about a pair that hold whether or not it is feasible.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairFacts {
    /// Placement kind.
    pub kind: PlacementKind,
    /// Placement sector code.
    pub sector: String,
    /// Placement region code.
    pub region: String,
    /// Great-circle distance, km, one decimal.
    pub distance_km: f64,
}

/// The full account of one learner–placement pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation {
    /// Learner id.
    pub learner: String,
    /// Placement id.
    pub placement: String,
    /// Whether every hard constraint holds.
    pub feasible: bool,
    /// Score 0..=1000 when feasible.
    pub score: Option<u16>,
    /// Components when feasible, in fixed order; their contributions sum to `score`.
    pub components: Vec<ComponentScore>,
    /// Every failed hard constraint when infeasible.
    pub violations: Vec<Violation>,
    /// What would have to change, one line per violation.
    pub remedies: Vec<String>,
    /// Facts of the pair.
    pub facts: PairFacts,
    /// Points the learner's policy adds to every candidate score in cohort allocation (not part
    /// of `score`), with the priorities that give them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(schema_with = priority_pairs_schema))]
    pub allocation_priority: Vec<(&'static str, u16)>,
}

/// OpenAPI schema of `allocation_priority`: `[[name, points], …]`.
#[cfg(feature = "openapi")]
fn priority_pairs_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let pair = ArrayBuilder::new()
        .prefix_items([
            ObjectBuilder::new().schema_type(Type::String).build(),
            ObjectBuilder::new().schema_type(Type::Integer).build(),
        ])
        .min_items(Some(2))
        .max_items(Some(2));
    ArrayBuilder::new().items(pair).build()
}

impl Explanation {
    /// Sum of contributions (equals `score` for a feasible pair).
    pub fn contribution_sum(&self) -> u16 {
        self.components.iter().map(|c| c.contribution).sum()
    }
}

fn ordinal(r: usize) -> String {
    match r {
        1 => "1st".into(),
        2 => "2nd".into(),
        3 => "3rd".into(),
        n => format!("{n}th"),
    }
}

pub(super) fn explain(s: &Scorer<'_>, li: LearnerIdx, pi: PlacementIdx) -> Explanation {
    let refs = &s.data.reference;
    let pl = s.prepare(li);
    let (l, p, row) = (pl.learner, s.data.placement(pi), s.row(pi));
    let mut violations = Vec::new();
    let feasible = s
        .check(&pl, row, &mut violations, super::ScoreView::Full)
        .is_some();
    let distance_km = chord2_to_km(row.chord2(&pl.home));
    let facts = PairFacts {
        kind: p.kind,
        sector: refs.sectors[p.sector.ix()].code.clone(),
        region: refs.regions[p.region.ix()].code.clone(),
        distance_km: (distance_km * 10.0).round() / 10.0,
    };
    let mut out = Explanation {
        learner: l.id.0.clone(),
        placement: p.id.0.clone(),
        feasible,
        score: None,
        components: Vec::new(),
        remedies: violations.iter().map(Violation::remedy).collect(),
        violations,
        facts,
        allocation_priority: pl.policy.priority.applicable(l),
    };
    if !feasible {
        return out;
    }
    let raw = raw_values(s, &pl, row, distance_km);
    let contrib = contributions(pl.policy, &raw);
    let cell = refs.outlook.get(p.sector, p.region);
    let step = |o: Option<crate::OutlookLevel>| {
        o.map_or("unknown".to_owned(), |l| format!("{}/5", l.get()))
    };
    let sector_name = &refs.sectors[p.sector.ix()].name;
    let region_name = &refs.regions[p.region.ix()].name;
    let notes: [String; 7] = [
        format!(
            "{sector_name} in {region_name}: chance of a place {}, chance of work {}",
            step(cell.internship),
            step(cell.work)
        ),
        match l.sector_preferences.iter().position(|&x| x == p.sector) {
            Some(r) => format!("{sector_name} is the learner's {} choice", ordinal(r + 1)),
            None if l.sector_preferences.is_empty() => {
                "the learner gave no sector preferences".into()
            }
            None => format!(
                "{sector_name} is not among the learner's {} preferred sectors",
                l.sector_preferences.len()
            ),
        },
        {
            let what = match qual_match(s, &pl, row) {
                QualMatch::Exact => "trains for the learner's qualification",
                QualMatch::SameSector => "same sector as the learner's qualification",
                QualMatch::Other => "another sector than the learner's qualification",
                QualMatch::OpenToAll => "asks no qualification",
                QualMatch::NoneHeld => "trains for a qualification the learner does not hold yet",
            };
            format!(
                "{what}; learner level {} against range {}..={}",
                l.level.get(),
                p.level_min.get(),
                p.level_max.get()
            )
        },
        {
            let wanted = l.support.desired;
            if wanted.is_empty() {
                "no non-essential support needs".into()
            } else {
                format!(
                    "covers {} of {} non-essential support needs",
                    wanted.intersect(p.support_offered).len(),
                    wanted.len()
                )
            }
        },
        format!(
            "{:.1} km of a {:.0} km travel limit",
            distance_km, l.travel_limit_km
        ),
        format!(
            "asks {} of {} available hours a week",
            p.hours_per_week, l.hours_per_week
        ),
        {
            let exit = match l.exit_profile {
                ExitProfile::Work => "work",
                ExitProfile::FurtherEducation => "further education",
                ExitProfile::DaytimeActivities => "daytime activities",
            };
            let job = p.job_prospect || p.kind == PlacementKind::Banenafspraak;
            format!(
                "exit profile {exit}; leads to {}{}",
                serde_plain(&p.credential),
                if job { " and can become a job" } else { "" }
            )
        },
    ];
    out.components = Component::ALL
        .iter()
        .zip(notes)
        .map(|(&c, note)| ComponentScore {
            component: c,
            value: raw[c.ix()] as f64 / 1000.0,
            weight: pl.policy.weights.get(c),
            contribution: contrib[c.ix()],
            note,
        })
        .collect();
    out.score = Some(out.contribution_sum());
    out
}

fn serde_plain(c: &crate::Credential) -> &'static str {
    match c {
        crate::Credential::None => "no credential",
        crate::Credential::Praktijkverklaring => "a praktijkverklaring",
        crate::Credential::MboCertificaat => "an mbo-certificaat",
        crate::Credential::Diploma => "a diploma",
    }
}

#[cfg(test)]
mod tests {
    use crate::model::learner::Learner;
    use crate::model::placement::Placement;
    use crate::model::reference::Reference;
    use crate::score::tests::fixture;
    use crate::{
        Component, Dataset, Explanation, LearnerIdx, PlacementIdx, Policy, PolicySet, Scorer,
    };

    /// The explanation of the score tests' fixture pair (11.1 km apart, zorg the learner's first
    /// choice) after `edit`, under the default policy.
    fn explain(edit: impl FnOnce(&Reference, &mut Learner, &mut Placement)) -> Explanation {
        let (refs, mut l, mut p) = fixture();
        edit(&refs, &mut l, &mut p);
        let n = refs.regions.len();
        let data = Dataset::from_parts(refs, vec![l], vec![p]);
        Scorer::new(&data, PolicySet::uniform(Policy::default(), n))
            .explain(LearnerIdx(0), PlacementIdx(0))
    }

    fn note(e: &Explanation, c: Component) -> &str {
        &e.components[c.ix()].note
    }

    #[test]
    fn notes_mention_distance_in_km_and_preference_rank() {
        let e = explain(|_, _, _| {});
        assert_eq!(e.facts.distance_km, 11.1);
        assert_eq!(
            note(&e, Component::Distance),
            "11.1 km of a 30 km travel limit"
        );
        assert_eq!(
            note(&e, Component::Preference),
            "Zorg en welzijn is the learner's 1st choice"
        );
    }

    #[test]
    fn preference_note_names_a_later_rank() {
        let e = explain(|r, _, p| p.sector = r.sector("bouw").unwrap());
        assert_eq!(
            note(&e, Component::Preference),
            "Bouw en infra is the learner's 2nd choice"
        );
    }

    #[test]
    fn preference_note_for_an_unlisted_sector_and_for_no_preferences() {
        let e = explain(|r, l, _| l.sector_preferences = vec![r.sector("bouw").unwrap()]);
        assert_eq!(
            note(&e, Component::Preference),
            "Zorg en welzijn is not among the learner's 1 preferred sectors"
        );
        let e = explain(|_, l, _| l.sector_preferences.clear());
        assert_eq!(
            note(&e, Component::Preference),
            "the learner gave no sector preferences"
        );
    }

    #[test]
    fn notes_describe_outlook_support_hours_and_pathway() {
        let e = explain(|_, _, _| {});
        assert_eq!(
            note(&e, Component::Outlook),
            "Zorg en welzijn in UTRECHT: chance of a place 4/5, chance of work 5/5"
        );
        assert_eq!(
            note(&e, Component::Support),
            "covers 0 of 1 non-essential support needs"
        );
        assert_eq!(
            note(&e, Component::Hours),
            "asks 24 of 32 available hours a week"
        );
        assert_eq!(
            note(&e, Component::Pathway),
            "exit profile work; leads to a diploma and can become a job"
        );
    }

    #[test]
    fn fixture_values_and_score_are_as_computed_by_hand() {
        let e = explain(|_, _, _| {});
        let values: Vec<_> = e.components.iter().map(|c| c.value).collect();
        // outlook (750 + 1000) / 2; first choice; exact qualification in range; desired
        // language support not offered; 1 - 11.12/30; 24 of 32 hours; work with a job prospect.
        assert_eq!(values, [0.875, 1.0, 1.0, 0.0, 0.629, 0.75, 1.0]);
        let contributions: Vec<_> = e.components.iter().map(|c| c.contribution).collect();
        assert_eq!(contributions, [218, 200, 150, 0, 94, 37, 100]);
        assert_eq!(e.score, Some(799));
    }

    #[test]
    fn infeasible_pair_has_facts_but_no_components() {
        let e = explain(|_, _, p| p.filled = p.capacity);
        assert!(!e.feasible);
        assert_eq!(e.score, None);
        assert!(e.components.is_empty());
        assert_eq!(e.facts.distance_km, 11.1);
        assert_eq!(
            (e.facts.sector.as_str(), e.facts.region.as_str()),
            ("zorg", "utrecht")
        );
        assert_eq!(
            e.remedies,
            ["the employer adds a place or a place frees up"]
        );
    }
}
