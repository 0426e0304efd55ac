//! Small closed vocabularies of the domain (see `docs/data-format.md` for their spelling in files).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a learner comes from. Decides which placement kinds are open to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SchoolType {
    /// Praktijkonderwijs.
    Pro,
    /// Voortgezet speciaal onderwijs.
    Vso,
    /// Mbo, school-based (BOL).
    MboBol,
    /// Mbo, work-based (BBL).
    MboBbl,
    /// Early school leaver (voortijdig schoolverlater), not enrolled.
    EarlyLeaver,
    /// Young job seeker on WW or bijstand, not enrolled.
    JobSeeker,
}

impl SchoolType {
    /// All school types, in a fixed order (used for reports and coverage checks).
    pub const ALL: [SchoolType; 6] = [
        SchoolType::Pro,
        SchoolType::Vso,
        SchoolType::MboBol,
        SchoolType::MboBbl,
        SchoolType::EarlyLeaver,
        SchoolType::JobSeeker,
    ];

    /// Enrolled in a school: may take an internship (stage / BPV).
    pub fn is_enrolled(self) -> bool {
        !matches!(self, SchoolType::EarlyLeaver | SchoolType::JobSeeker)
    }

    /// Mbo students (BOL or BBL), who are enrolled in a qualification.
    pub fn is_mbo(self) -> bool {
        matches!(self, SchoolType::MboBol | SchoolType::MboBbl)
    }

    /// Pro and vso pupils: a priority group in the regional approach.
    pub fn is_pro_vso(self) -> bool {
        matches!(self, SchoolType::Pro | SchoolType::Vso)
    }

    /// Spelling in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            SchoolType::Pro => "pro",
            SchoolType::Vso => "vso",
            SchoolType::MboBol => "mbo_bol",
            SchoolType::MboBbl => "mbo_bbl",
            SchoolType::EarlyLeaver => "early_leaver",
            SchoolType::JobSeeker => "job_seeker",
        }
    }
}

/// Education level: 0 = pro/vso (no mbo level), 1 = entree, 2–4 = mbo levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = u8))]
#[serde(into = "u8")]
pub struct Level(u8);

impl Level {
    /// Highest level the model knows (mbo 4).
    pub const MAX: u8 = 4;

    /// A level from its number; `None` when above 4.
    pub fn new(n: u8) -> Option<Level> {
        (n <= Self::MAX).then_some(Level(n))
    }

    /// The level as its number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl From<Level> for u8 {
    fn from(l: Level) -> u8 {
        l.0
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str("pro/vso"),
            1 => f.write_str("entree"),
            n => write!(f, "mbo {n}"),
        }
    }
}

/// The learner's exit profile (uitstroomprofiel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExitProfile {
    /// Toward work.
    Work,
    /// Toward further education (doorleren).
    FurtherEducation,
    /// Toward daytime activities (dagbesteding).
    DaytimeActivities,
}

/// The three kinds of placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlacementKind {
    /// Internship: pro/vso stage or mbo BPV. Needs an enrolled learner.
    Internship,
    /// Learn-work job (BBL leerbaan). Needs a recognised learning company and a learner who keeps
    /// learning at a fitting level.
    LearnWork,
    /// Banenafspraak job. Only for learners in the doelgroepregister.
    Banenafspraak,
}

impl PlacementKind {
    /// All kinds, in index order.
    pub const ALL: [PlacementKind; 3] = [
        PlacementKind::Internship,
        PlacementKind::LearnWork,
        PlacementKind::Banenafspraak,
    ];

    /// Dense index 0..3.
    pub fn ix(self) -> usize {
        self as usize
    }

    /// Spelling in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            PlacementKind::Internship => "internship",
            PlacementKind::LearnWork => "learn_work",
            PlacementKind::Banenafspraak => "banenafspraak",
        }
    }

    /// Parses the file spelling.
    pub fn parse(s: &str) -> Option<PlacementKind> {
        PlacementKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for PlacementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a placement leads to on paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// No credential.
    None,
    /// Praktijkverklaring (practical statement).
    Praktijkverklaring,
    /// Mbo-certificaat (partial qualification).
    MboCertificaat,
    /// Full mbo diploma.
    Diploma,
}

impl Credential {
    /// How much the credential counts toward further learning, in permille.
    pub fn value_permille(self) -> u16 {
        match self {
            Credential::None => 0,
            Credential::Praktijkverklaring => 500,
            Credential::MboCertificaat => 750,
            Credential::Diploma => 1000,
        }
    }
}

/// One kind of support a learner may need and an employer may offer or accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SupportKind {
    /// Jobcoach.
    JobCoach,
    /// Werkplekaanpassing.
    WorkplaceAdaptation,
    /// Loonkostensubsidie because of reduced wage value.
    WageCostSubsidy,
    /// No-riskpolis.
    NoRiskPolicy,
    /// Language support.
    LanguageSupport,
    /// Digital-skills support.
    DigitalSkills,
    /// Intensive guidance.
    IntensiveGuidance,
}

impl SupportKind {
    /// All kinds, in bit order.
    pub const ALL: [SupportKind; 7] = [
        SupportKind::JobCoach,
        SupportKind::WorkplaceAdaptation,
        SupportKind::WageCostSubsidy,
        SupportKind::NoRiskPolicy,
        SupportKind::LanguageSupport,
        SupportKind::DigitalSkills,
        SupportKind::IntensiveGuidance,
    ];

    /// Spelling in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            SupportKind::JobCoach => "job_coach",
            SupportKind::WorkplaceAdaptation => "workplace_adaptation",
            SupportKind::WageCostSubsidy => "wage_cost_subsidy",
            SupportKind::NoRiskPolicy => "no_risk_policy",
            SupportKind::LanguageSupport => "language_support",
            SupportKind::DigitalSkills => "digital_skills",
            SupportKind::IntensiveGuidance => "intensive_guidance",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of support kinds, as a bitset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SupportSet(u8);

impl SupportSet {
    /// The empty set.
    pub const EMPTY: SupportSet = SupportSet(0);

    /// Adds a kind.
    pub fn insert(&mut self, k: SupportKind) {
        self.0 |= k.bit();
    }

    /// Whether the set holds `k`.
    pub fn contains(self, k: SupportKind) -> bool {
        self.0 & k.bit() != 0
    }

    /// Kinds in `self` missing from `other`.
    pub fn minus(self, other: SupportSet) -> SupportSet {
        SupportSet(self.0 & !other.0)
    }

    /// Kinds in either.
    pub fn union(self, other: SupportSet) -> SupportSet {
        SupportSet(self.0 | other.0)
    }

    /// Kinds in both.
    pub fn intersect(self, other: SupportSet) -> SupportSet {
        SupportSet(self.0 & other.0)
    }

    /// Number of kinds.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The kinds, in bit order.
    pub fn iter(self) -> impl Iterator<Item = SupportKind> {
        SupportKind::ALL
            .into_iter()
            .filter(move |k| self.contains(*k))
    }
}

impl FromIterator<SupportKind> for SupportSet {
    fn from_iter<I: IntoIterator<Item = SupportKind>>(iter: I) -> Self {
        let mut s = SupportSet::EMPTY;
        for k in iter {
            s.insert(k);
        }
        s
    }
}

/// A five-step ordinal outlook, 1 = very poor chance … 5 = very good chance.
///
/// Maps the published scales: SBB *kans op stage/leerbaan* (gering, matig, voldoende, ruim
/// voldoende, goed), SBB *kans op werk* (1–5 stars) and the UWV *spanningsindicator* (zeer ruim = 1
/// … zeer krap = 5; for a learner a tight market is a good chance).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = u8))]
#[serde(into = "u8")]
pub struct OutlookLevel(u8);

impl OutlookLevel {
    /// A level from 1..=5.
    pub fn new(n: u8) -> Option<OutlookLevel> {
        (1..=5).contains(&n).then_some(OutlookLevel(n))
    }

    /// The step, 1..=5.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The step on a 0..=1000 scale (1 → 0, 5 → 1000).
    pub fn permille(self) -> u16 {
        (self.0 as u16 - 1) * 250
    }
}

impl From<OutlookLevel> for u8 {
    fn from(l: OutlookLevel) -> u8 {
        l.0
    }
}
