//! Page language: Dutch by default, English on request (a cookie set by the switch in every
//! page). Labels sit beside their use as `lang.t("nl", "en")` pairs, so a page reads in both.

use koppel_core::policy::Component;
use koppel_core::{PlacementKind, SchoolType, SupportKind};

/// Cookie holding the chosen language.
pub const LANG_COOKIE: &str = "koppel_lang";

/// A page language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Nederlands (default).
    #[default]
    Nl,
    /// English.
    En,
}

impl Lang {
    /// From a cookie or query value; anything else is Dutch.
    pub fn parse(v: Option<&str>) -> Lang {
        match v {
            Some("en") => Lang::En,
            _ => Lang::Nl,
        }
    }

    /// `lang` attribute and cookie value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// The other language (for the switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::Nl => Lang::En,
            Lang::En => Lang::Nl,
        }
    }

    /// The label in this language.
    pub fn t(self, nl: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    /// A score component's name.
    pub fn component(self, c: Component) -> &'static str {
        match c {
            Component::Outlook => self.t("Arbeidsmarkt", "Outlook"),
            Component::Preference => self.t("Voorkeur", "Preference"),
            Component::Qualification => self.t("Opleiding", "Qualification"),
            Component::Support => self.t("Ondersteuning", "Support"),
            Component::Distance => self.t("Afstand", "Distance"),
            Component::Hours => self.t("Uren", "Hours"),
            Component::Pathway => self.t("Leerroute", "Pathway"),
        }
    }

    /// A placement kind's name.
    pub fn kind(self, k: PlacementKind) -> &'static str {
        match k {
            PlacementKind::Internship => self.t("Stage", "Internship"),
            PlacementKind::LearnWork => self.t("Leerwerkbaan (BBL)", "Learn-work job (BBL)"),
            PlacementKind::Banenafspraak => self.t("Banenafspraakbaan", "Banenafspraak job"),
        }
    }

    /// A support kind's name.
    pub fn support(self, k: SupportKind) -> &'static str {
        match k {
            SupportKind::JobCoach => self.t("Jobcoach", "Job coach"),
            SupportKind::WorkplaceAdaptation => {
                self.t("Werkplekaanpassing", "Workplace adaptation")
            }
            SupportKind::WageCostSubsidy => self.t("Loonkostensubsidie", "Wage-cost subsidy"),
            SupportKind::NoRiskPolicy => self.t("No-riskpolis", "No-risk policy"),
            SupportKind::LanguageSupport => self.t("Taalondersteuning", "Language support"),
            SupportKind::DigitalSkills => self.t("Digitale vaardigheden", "Digital skills"),
            SupportKind::IntensiveGuidance => {
                self.t("Intensieve begeleiding", "Intensive guidance")
            }
        }
    }

    /// A hard constraint, by its code, in plain words.
    pub fn constraint_code(self, code: &str) -> &'static str {
        match code {
            "no_open_places" => self.t("geen plek meer vrij", "no open places left"),
            "not_in_register" => self.t(
                "alleen voor het doelgroepregister",
                "only for the target-group register",
            ),
            "not_enrolled" => self.t(
                "stage alleen voor ingeschreven leerlingen",
                "internships only for enrolled learners",
            ),
            "no_qualification" => self.t("vraagt een mbo-opleiding", "needs an mbo qualification"),
            "employer_not_recognised" => self.t(
                "werkgever niet erkend voor de opleiding",
                "employer not recognised for the qualification",
            ),
            "level_out_of_range" => self.t("ander niveau gevraagd", "asks another level"),
            "region_out_of_reach" => self.t("regio buiten bereik", "region out of reach"),
            "too_far" => self.t("verder dan de reisafstand", "beyond the travel limit"),
            "too_many_hours" => self.t("meer uren dan beschikbaar", "more hours than available"),
            "starts_too_early" => self.t(
                "begint voor de vroegste start",
                "starts before the earliest start",
            ),
            "starts_too_late" => self.t("begint te laat", "starts too late"),
            "essential_support_missing" => self.t(
                "nodige ondersteuning ontbreekt",
                "essential support missing",
            ),
            _ => self.t("andere reden", "other reason"),
        }
    }

    /// A school type's name.
    pub fn school_type(self, t: SchoolType) -> &'static str {
        match t {
            SchoolType::Pro => self.t("Praktijkonderwijs", "Practical education (pro)"),
            SchoolType::Vso => self.t("Voortgezet speciaal onderwijs", "Special secondary (vso)"),
            SchoolType::MboBol => self.t("mbo (bol)", "mbo (bol)"),
            SchoolType::MboBbl => self.t("mbo (bbl)", "mbo (bbl)"),
            SchoolType::EarlyLeaver => self.t("Voortijdig schoolverlater", "Early school leaver"),
            SchoolType::JobSeeker => self.t("Werkzoekende jongere", "Young job seeker"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_is_the_default_and_both_languages_label() {
        assert_eq!(Lang::parse(None), Lang::Nl);
        assert_eq!(Lang::parse(Some("xx")), Lang::Nl);
        assert_eq!(Lang::parse(Some("en")), Lang::En);
        assert_eq!(Lang::Nl.component(Component::Distance), "Afstand");
        assert_eq!(Lang::En.component(Component::Distance), "Distance");
        assert_eq!(Lang::Nl.other(), Lang::En);
    }

    #[test]
    fn every_constraint_has_plain_words() {
        for c in koppel_core::score::Constraint::ALL {
            assert_ne!(
                Lang::Nl.constraint_code(c.as_str()),
                "andere reden",
                "{c:?}"
            );
            assert_ne!(
                Lang::En.constraint_code(c.as_str()),
                "other reason",
                "{c:?}"
            );
        }
    }
}
