//! Every word of the report in Dutch and English, and numbers in each language's style.

use crate::Lang;

impl Lang {
    /// Picks the Dutch or the English text.
    pub(crate) fn t(self, nl: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    /// A share 0..=1 as a percentage with one decimal: `62,5 %` / `62.5%`.
    pub(crate) fn pct(self, share: f64) -> String {
        self.dec(share * 100.0, 1)
            + match self {
                Lang::Nl => "\u{a0}%",
                Lang::En => "%",
            }
    }

    /// A difference of shares in percentage points, signed: `+3,0 pp`.
    pub(crate) fn pp(self, diff: f64) -> String {
        let sign = if diff > 0.0 { "+" } else { "" };
        format!("{sign}{}\u{a0}pp", self.dec(diff * 100.0, 1))
    }

    /// A number with `places` decimals in the language's style.
    pub(crate) fn dec(self, x: f64, places: usize) -> String {
        let s = format!("{x:.places$}");
        match self {
            Lang::Nl => s.replace('.', ","),
            Lang::En => s,
        }
    }

    /// Name of a mode.
    pub(crate) fn mode(self, mode: koppel_core::allocate::Mode) -> &'static str {
        match mode {
            koppel_core::allocate::Mode::Optimal => self.t("optimaal", "optimal"),
            koppel_core::allocate::Mode::Stable => self.t("stabiel", "stable"),
        }
    }
}

/// One way of grouping learners, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grouping {
    Region,
    SchoolType,
    Level,
    Kind,
    SupportNeed,
    Register,
    AtRisk,
    AgeBand,
}

impl Grouping {
    pub(crate) const ALL: [Grouping; 8] = [
        Grouping::Region,
        Grouping::SchoolType,
        Grouping::Level,
        Grouping::Kind,
        Grouping::SupportNeed,
        Grouping::Register,
        Grouping::AtRisk,
        Grouping::AgeBand,
    ];

    /// Id used in element ids.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Grouping::Region => "region",
            Grouping::SchoolType => "school-type",
            Grouping::Level => "level",
            Grouping::Kind => "kind",
            Grouping::SupportNeed => "support-need",
            Grouping::Register => "register",
            Grouping::AtRisk => "at-risk",
            Grouping::AgeBand => "age-band",
        }
    }

    /// Heading.
    pub(crate) fn title(self, l: Lang) -> &'static str {
        match self {
            Grouping::Region => l.t("Regio (woonregio)", "Region (home region)"),
            Grouping::SchoolType => l.t("Schoolsoort", "School type"),
            Grouping::Level => l.t("Niveau", "Level"),
            Grouping::Kind => l.t("Soort plek", "Placement kind"),
            Grouping::SupportNeed => l.t("Ondersteuningsbehoefte", "Support need"),
            Grouping::Register => l.t(
                "Doelgroepregister (Banenafspraak)",
                "Banenafspraak register (doelgroepregister)",
            ),
            Grouping::AtRisk => l.t(
                "Risico: zonder startkwalificatie",
                "At risk: no basic qualification",
            ),
            Grouping::AgeBand => l.t("Leeftijd bij start", "Age at start"),
        }
    }

    /// How the groups are defined, when that is not obvious.
    pub(crate) fn note(self, l: Lang) -> Option<&'static str> {
        Some(match self {
            Grouping::Region => l.t(
                "Regio's zonder leerlingen staan onder de tabel.",
                "Regions without learners are listed below the table.",
            ),
            Grouping::Kind => l.t(
                "Per soort: de leerlingen met minstens één passende plek van die soort in hun top-k, en hoeveel van hen een plek kregen (van welke soort ook). Een leerling telt mee bij elke soort waarvan hij een kandidaat had.",
                "Per kind: the learners with at least one feasible placement of that kind in their top k, and how many of them were placed (in any kind). A learner counts in every kind they had a candidate of.",
            ),
            Grouping::SupportNeed => l.t(
                "Een leerling met meer behoeften telt mee bij elke behoefte (essentieel of gewenst).",
                "A learner with several needs counts in each (essential or desired).",
            ),
            Grouping::AtRisk => l.t(
                "Zonder startkwalificatie én voortijdig schoolverlater, werkzoekend, pro/vso of in nazorg.",
                "No basic qualification and an early leaver, job seeker, pro/vso pupil or in aftercare.",
            ),
            Grouping::AgeBand => l.t(
                "Leeftijd in hele jaren op de eigen vroegste startdatum van de leerling.",
                "Age in whole years on the learner's own earliest start date.",
            ),
            _ => return None,
        })
    }

    /// Sort key of a group: the model's own order for fixed sets of groups (school types from
    /// pro to job seeker, support kinds then `none`, in the register first), else the key.
    pub(crate) fn order(self, key: &str) -> (usize, String) {
        use koppel_core::{PlacementKind, SchoolType, SupportKind};
        let pos = |list: &[&str]| list.iter().position(|k| *k == key);
        let at = match self {
            Grouping::SchoolType => pos(&SchoolType::ALL.map(|t| t.as_str())),
            Grouping::Kind => pos(&PlacementKind::ALL.map(|k| k.as_str())),
            Grouping::SupportNeed => {
                pos(&SupportKind::ALL.map(|k| k.as_str())).or((key == "none").then_some(99))
            }
            Grouping::Register => pos(&["in_register", "not_in_register"]),
            Grouping::AtRisk => pos(&["at_risk", "not_at_risk"]),
            _ => None,
        };
        (at.unwrap_or(usize::MAX), key.to_owned())
    }

    /// Label of one group key.
    pub(crate) fn label(self, l: Lang, key: &str) -> String {
        let known = match (self, key) {
            (Grouping::SchoolType, "pro") => {
                l.t("praktijkonderwijs (pro)", "practical education (pro)")
            }
            (Grouping::SchoolType, "vso") => l.t(
                "voortgezet speciaal onderwijs (vso)",
                "special secondary education (vso)",
            ),
            (Grouping::SchoolType, "mbo_bol") => l.t("mbo bol", "mbo bol (school-based)"),
            (Grouping::SchoolType, "mbo_bbl") => l.t("mbo bbl", "mbo bbl (work-based)"),
            (Grouping::SchoolType, "early_leaver") => {
                l.t("voortijdig schoolverlater", "early school leaver")
            }
            (Grouping::SchoolType, "job_seeker") => l.t("werkzoekende jongere", "young job seeker"),
            (Grouping::Level, "0") => l.t("pro/vso (geen mbo-niveau)", "pro/vso (no mbo level)"),
            (Grouping::Level, "1") => l.t("entree (niveau 1)", "entry (level 1)"),
            (Grouping::Level, "2") => l.t("mbo niveau 2", "mbo level 2"),
            (Grouping::Level, "3") => l.t("mbo niveau 3", "mbo level 3"),
            (Grouping::Level, "4") => l.t("mbo niveau 4", "mbo level 4"),
            (Grouping::Kind, "internship") => l.t("stage (BPV)", "internship"),
            (Grouping::Kind, "learn_work") => l.t("leerbaan (BBL)", "learn-work job (BBL)"),
            (Grouping::Kind, "banenafspraak") => l.t("banenafspraakbaan", "Banenafspraak job"),
            (Grouping::SupportNeed, "job_coach") => l.t("jobcoach", "job coach"),
            (Grouping::SupportNeed, "workplace_adaptation") => {
                l.t("werkplekaanpassing", "workplace adaptation")
            }
            (Grouping::SupportNeed, "wage_cost_subsidy") => {
                l.t("loonkostensubsidie", "wage-cost subsidy")
            }
            (Grouping::SupportNeed, "no_risk_policy") => l.t("no-riskpolis", "no-risk policy"),
            (Grouping::SupportNeed, "language_support") => {
                l.t("taalondersteuning", "language support")
            }
            (Grouping::SupportNeed, "digital_skills") => {
                l.t("digitale vaardigheden", "digital skills")
            }
            (Grouping::SupportNeed, "intensive_guidance") => {
                l.t("intensieve begeleiding", "intensive guidance")
            }
            (Grouping::SupportNeed, "none") => {
                l.t("geen ondersteuningsbehoefte", "no support need")
            }
            (Grouping::Register, "in_register") => l.t("in het register", "in the register"),
            (Grouping::Register, "not_in_register") => {
                l.t("niet in het register", "not in the register")
            }
            (Grouping::AtRisk, "at_risk") => l.t("risicogroep", "at risk"),
            (Grouping::AtRisk, "not_at_risk") => l.t("geen risicogroep", "not at risk"),
            (Grouping::AgeBand, band) => {
                return format!("{band} {}", l.t("jaar", "years"));
            }
            _ => return key.to_owned(),
        };
        known.to_owned()
    }
}

/// Label of an unplaced reason key (see `Summary::unplaced_by_reason`).
pub(crate) fn reason(l: Lang, key: &str) -> String {
    let main = match key {
        "all_candidates_taken" => {
            return l
                .t(
                    "alle passende plekken bezet door anderen",
                    "every feasible candidate taken by others",
                )
                .to_owned()
        }
        "no_feasible_placement" => {
            return l
                .t("geen plek binnen bereik", "no placement in reach at all")
                .to_owned()
        }
        "no_open_places" => l.t("geen open plaatsen", "no open places"),
        "not_in_register" => l.t("niet in het doelgroepregister", "not in the register"),
        "not_enrolled" => l.t(
            "niet ingeschreven op een school",
            "not enrolled in a school",
        ),
        "no_qualification" => l.t("geen kwalificatie", "no qualification"),
        "employer_not_recognised" => l.t("geen erkend leerbedrijf", "employer not recognised"),
        "level_out_of_range" => l.t("niveau past niet", "level out of range"),
        "region_out_of_reach" => l.t("regio buiten bereik", "region out of reach"),
        "too_far" => l.t("te ver weg", "too far"),
        "too_many_hours" => l.t("te veel uren", "too many hours"),
        "starts_too_early" => l.t("start te vroeg", "starts too early"),
        "starts_too_late" => l.t("start te laat", "starts too late"),
        "essential_support_missing" => l.t(
            "essentiële ondersteuning ontbreekt",
            "essential support missing",
        ),
        other => return other.to_owned(),
    };
    format!(
        "{}: {main}",
        l.t(
            "geen passende plek, vooral",
            "no feasible placement, mainly"
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Lang::Nl.pct(0.625), "62,5\u{a0}%");
        assert_eq!(Lang::En.pct(0.625), "62.5%");
        assert_eq!(Lang::Nl.pp(0.03), "+3,0\u{a0}pp");
        assert_eq!(Lang::En.pp(-0.1), "-10.0\u{a0}pp");
    }

    #[test]
    fn unknown_keys_fall_back_to_the_key() {
        assert_eq!(Grouping::Region.label(Lang::Nl, "rijnmond"), "rijnmond");
        assert_eq!(reason(Lang::En, "something_new"), "something_new");
        assert_eq!(
            reason(Lang::En, "too_far"),
            "no feasible placement, mainly: too far"
        );
    }
}
