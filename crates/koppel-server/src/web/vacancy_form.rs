//! The vacancy form: what a desk types (every field as text, so that a wrong number is shown
//! back as typed), its conversion to a [`PlacementRecord`], and the form with each error beside
//! its field (`aria-invalid`, `aria-describedby`).

use super::i18n::Lang;
use super::layout::urlencode;
use super::Web;
use crate::state::AppState;
use chrono::NaiveDate;
use koppel_core::record::PlacementRecord;
use koppel_core::{Credential, PlacementKind, SupportKind};
use maud::{html, Markup};
use serde::Deserialize;

/// The form as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub csrf: String,
    pub etag: String,
    pub id: String,
    pub title: String,
    pub kind: String,
    pub employer: String,
    pub sector: String,
    pub qualifications: String,
    pub level_min: String,
    pub level_max: String,
    pub lat: String,
    pub lon: String,
    pub region: String,
    pub hours_per_week: String,
    pub capacity: String,
    pub filled: String,
    pub start_date: String,
    pub support_offered: Vec<String>,
    pub credential: String,
    pub job_prospect: Option<String>,
    pub desk: String,
}

const CREDENTIALS: [Credential; 4] = [
    Credential::None,
    Credential::Praktijkverklaring,
    Credential::MboCertificaat,
    Credential::Diploma,
];

fn code<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Draft {
    /// An empty form for one of the desk's employers.
    pub fn blank(employers: &[String]) -> Draft {
        Draft {
            employer: employers.first().cloned().unwrap_or_default(),
            kind: code(PlacementKind::Internship),
            credential: code(Credential::Diploma),
            level_min: "1".into(),
            level_max: "4".into(),
            hours_per_week: "32".into(),
            capacity: "1".into(),
            filled: "0".into(),
            ..Draft::default()
        }
    }

    /// The form of a stored vacancy.
    pub fn of(p: &PlacementRecord, etag: String) -> Draft {
        Draft {
            csrf: String::new(),
            etag,
            id: p.id.clone(),
            title: p.title.clone(),
            kind: code(p.kind),
            employer: p.employer.clone(),
            sector: p.sector.clone(),
            qualifications: p.qualifications.join(", "),
            level_min: p.level_min.to_string(),
            level_max: p.level_max.to_string(),
            lat: p.lat.to_string(),
            lon: p.lon.to_string(),
            region: p.region.clone(),
            hours_per_week: p.hours_per_week.to_string(),
            capacity: p.capacity.to_string(),
            filled: p.filled.to_string(),
            start_date: p.start_date.to_string(),
            support_offered: p.support_offered.iter().map(|k| code(*k)).collect(),
            credential: code(p.credential),
            job_prospect: p.job_prospect.then(|| "on".to_owned()),
            desk: p.desk.clone(),
        }
    }

    /// The record, or every field that is not even of the right type (the API's validation
    /// checks the rest).
    pub fn to_record(&self, l: Lang) -> Result<PlacementRecord, Vec<(String, String)>> {
        let mut errs = Vec::new();
        let int = |field: &str, v: &str, errs: &mut Vec<(String, String)>| {
            v.trim().parse::<i64>().unwrap_or_else(|_| {
                errs.push((
                    field.to_owned(),
                    l.t("vul een heel getal in", "enter a whole number")
                        .to_owned(),
                ));
                0
            })
        };
        let num = |field: &str, v: &str, errs: &mut Vec<(String, String)>| {
            v.trim()
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .unwrap_or_else(|| {
                    errs.push((
                        field.to_owned(),
                        l.t("vul een getal in", "enter a number").to_owned(),
                    ));
                    0.0
                })
        };
        let pick =
            |field: &str, v: &str, errs: &mut Vec<(String, String)>| -> Option<serde_json::Value> {
                if v.is_empty() {
                    errs.push((
                        field.to_owned(),
                        l.t("kies een waarde", "choose a value").to_owned(),
                    ));
                    None
                } else {
                    Some(serde_json::Value::String(v.to_owned()))
                }
            };
        let level_min = int("level_min", &self.level_min, &mut errs);
        let level_max = int("level_max", &self.level_max, &mut errs);
        let lat = num("lat", &self.lat, &mut errs);
        let lon = num("lon", &self.lon, &mut errs);
        let hours_per_week = int("hours_per_week", &self.hours_per_week, &mut errs);
        let capacity = int("capacity", &self.capacity, &mut errs);
        let filled = if self.filled.trim().is_empty() {
            0
        } else {
            int("filled", &self.filled, &mut errs)
        };
        let start_date = NaiveDate::parse_from_str(self.start_date.trim(), "%Y-%m-%d")
            .unwrap_or_else(|_| {
                errs.push((
                    "start_date".into(),
                    l.t("vul een datum in (jjjj-mm-dd)", "enter a date (yyyy-mm-dd)")
                        .into(),
                ));
                NaiveDate::MIN
            });
        let kind = pick("kind", &self.kind, &mut errs).and_then(|v| serde_json::from_value(v).ok());
        let credential = pick("credential", &self.credential, &mut errs)
            .and_then(|v| serde_json::from_value(v).ok());
        let mut support_offered = Vec::new();
        for s in &self.support_offered {
            match serde_json::from_value::<SupportKind>(serde_json::Value::String(s.clone())) {
                Ok(k) => support_offered.push(k),
                Err(_) => errs.push(("support_offered".into(), format!("{s}?"))),
            }
        }
        let (Some(kind), Some(credential)) = (kind, credential) else {
            if !errs.iter().any(|(f, _)| f == "kind" || f == "credential") {
                errs.push((
                    "kind".into(),
                    l.t("onbekende waarde", "unknown value").into(),
                ));
            }
            return Err(errs);
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(PlacementRecord {
            id: self.id.trim().to_owned(),
            kind,
            employer: self.employer.trim().to_owned(),
            title: self.title.trim().to_owned(),
            sector: self.sector.trim().to_owned(),
            qualifications: self
                .qualifications
                .split([',', ' '])
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_owned)
                .collect(),
            level_min,
            level_max,
            lat,
            lon,
            region: self.region.trim().to_owned(),
            hours_per_week,
            capacity,
            filled,
            start_date,
            support_offered,
            credential,
            job_prospect: self.job_prospect.is_some(),
            desk: self.desk.trim().to_owned(),
        })
    }
}

/// The form, with `errors` (field → reason) beside their fields; errors on fields the form does
/// not show (or on no field) go on top.
pub fn render(
    w: &Web,
    s: &AppState,
    title: &str,
    d: &Draft,
    id: Option<&str>,
    errors: &[(String, String)],
) -> Markup {
    let l = w.lang;
    let snap = s.engine.snapshot();
    let refs = snap.reference();
    let err = |f: &str| -> Option<&str> {
        errors
            .iter()
            .find(|(field, _)| {
                field == f
                    || field.starts_with(&format!("{f}["))
                    || field.starts_with(&format!("{f}."))
            })
            .map(|(_, r)| r.as_str())
    };
    const FIELDS: [&str; 18] = [
        "id",
        "title",
        "kind",
        "employer",
        "sector",
        "qualifications",
        "level_min",
        "level_max",
        "lat",
        "lon",
        "region",
        "hours_per_week",
        "capacity",
        "filled",
        "start_date",
        "support_offered",
        "credential",
        "desk",
    ];
    let general: Vec<&(String, String)> = errors
        .iter()
        .filter(|(f, _)| {
            !FIELDS.iter().any(|k| {
                f == k || f.starts_with(&format!("{k}[")) || f.starts_with(&format!("{k}."))
            })
        })
        .collect();
    let action = match id {
        Some(id) => format!("/vacancies/{}/edit", urlencode(id)),
        None => "/vacancies".to_owned(),
    };
    let text = |name: &'static str, label: &'static str, value: &str, kind: &'static str| {
        let e = err(name);
        html! {
            div {
                label for=(name) { (label) }
                input id=(name) name=(name) type=(kind) value=(value) step=[(kind == "number").then_some("any")]
                    aria-invalid=[e.map(|_| "true")] aria-describedby=[e.map(|_| format!("{name}-error"))];
                @if let Some(e) = e { p.field-error id={ (name) "-error" } { (e) } }
            }
        }
    };
    let select = |name: &'static str,
                  label: &'static str,
                  value: &str,
                  options: Vec<(String, String)>| {
        let e = err(name);
        html! {
            div {
                label for=(name) { (label) }
                select id=(name) name=(name)
                    aria-invalid=[e.map(|_| "true")] aria-describedby=[e.map(|_| format!("{name}-error"))] {
                    @for (v, t) in &options { option value=(v) selected[v == value] { (t) } }
                }
                @if let Some(e) = e { p.field-error id={ (name) "-error" } { (e) } }
            }
        }
    };
    html! {
        h1 { (title) }
        @if !errors.is_empty() {
            div.problem role="alert" {
                p { strong { (l.t("De vacature is niet opgeslagen. Verbeter de gemarkeerde velden.", "The vacancy was not saved. Fix the marked fields.")) } }
                @for (f, r) in &general { p { @if !f.is_empty() { code { (f) } ": " } (r) } }
            }
        }
        form method="post" action=(action) novalidate {
            input type="hidden" name="csrf" value=(w.csrf);
            input type="hidden" name="etag" value=(d.etag);
            div.grid {
                @if id.is_none() { (text("id", l.t("Vacaturenummer", "Vacancy id"), &d.id, "text")) }
                (text("title", l.t("Titel", "Title"), &d.title, "text"))
                (select("kind", l.t("Soort", "Kind"), &d.kind,
                    PlacementKind::ALL.iter().map(|k| (code(*k), l.kind(*k).to_owned())).collect()))
                (select("employer", l.t("Werkgever", "Employer"), &d.employer,
                    w.ctx.caller.employers.iter().map(|e| (e.clone(), e.clone())).collect()))
                (select("sector", l.t("Sector", "Sector"), &d.sector,
                    std::iter::once((String::new(), String::new()))
                        .chain(refs.sectors.iter().map(|x| (x.code.clone(), x.name.clone()))).collect()))
                (text("qualifications", l.t("Crebo-codes (komma's)", "Crebo codes (commas)"), &d.qualifications, "text"))
                (text("level_min", l.t("Laagste niveau (0-4)", "Lowest level (0-4)"), &d.level_min, "number"))
                (text("level_max", l.t("Hoogste niveau (0-4)", "Highest level (0-4)"), &d.level_max, "number"))
                (text("lat", l.t("Breedtegraad", "Latitude"), &d.lat, "number"))
                (text("lon", l.t("Lengtegraad", "Longitude"), &d.lon, "number"))
                (select("region", l.t("Regio", "Region"), &d.region,
                    std::iter::once((String::new(), String::new()))
                        .chain(refs.regions.iter().map(|x| (x.code.clone(), x.name.clone()))).collect()))
                (text("hours_per_week", l.t("Uren per week", "Hours per week"), &d.hours_per_week, "number"))
                (text("capacity", l.t("Aantal plekken", "Places"), &d.capacity, "number"))
                (text("filled", l.t("Al bezet", "Already taken"), &d.filled, "number"))
                (text("start_date", l.t("Startdatum", "Start date"), &d.start_date, "date"))
                (select("credential", l.t("Leidt tot", "Leads to"), &d.credential,
                    CREDENTIALS.iter().map(|c| (code(*c), code(*c))).collect()))
                (text("desk", l.t("Werkgeversservicepunt", "Employer desk"), &d.desk, "text"))
            }
            fieldset {
                legend { (l.t("Ondersteuning die de werkgever biedt", "Support the employer offers")) }
                @for k in SupportKind::ALL {
                    label style="font-weight:normal" {
                        input type="checkbox" name="support_offered" value=(code(k))
                            checked[d.support_offered.iter().any(|s| *s == code(k))];
                        " " (l.support(k))
                    }
                }
                @if let Some(e) = err("support_offered") { p.field-error { (e) } }
            }
            label style="font-weight:normal" {
                input type="checkbox" name="job_prospect" checked[d.job_prospect.is_some()];
                " " (l.t("Kan een baan worden", "Can become a job"))
            }
            div { button type="submit" { (l.t("Opslaan", "Save")) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_named_by_field() {
        let d = Draft {
            capacity: "twee".into(),
            start_date: "morgen".into(),
            ..Draft::blank(&["E1".into()])
        };
        let errs = d.to_record(Lang::En).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|(f, _)| f.as_str()).collect();
        assert!(
            fields.contains(&"capacity") && fields.contains(&"start_date"),
            "{fields:?}"
        );
    }

    #[test]
    fn a_record_survives_the_form() {
        let d = Draft {
            id: "P1".into(),
            title: "Stage".into(),
            sector: "zorg".into(),
            lat: "51,9".into(),
            lon: "4.5".into(),
            region: "rijnmond".into(),
            start_date: "2026-09-01".into(),
            support_offered: vec!["job_coach".into()],
            desk: "wsp".into(),
            ..Draft::blank(&["E1".into()])
        };
        let rec = d.to_record(Lang::Nl).expect("typed right");
        assert_eq!(rec.lat, 51.9);
        assert_eq!(rec.support_offered, [SupportKind::JobCoach]);
        let back = Draft::of(&rec, "\"v1\"".into());
        assert_eq!(back.to_record(Lang::Nl).unwrap(), rec);
    }
}
