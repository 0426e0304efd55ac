//! What JSON Schema can say about a whole record but a field attribute cannot, the rules it
//! cannot say (in the descriptions), and the codes of a service's reference tables as enums.

use koppel_core::model::limits::MAX_SUPPORT;
use koppel_core::{Reference, SchoolType, SupportKind};
use serde_json::{json, Value};

/// Tables with more codes than this are not listed as enums (the document would grow with
/// the data); their fields keep the id pattern.
pub const MAX_ENUM: usize = 1000;

pub(super) fn schema_mut<'d>(doc: &'d mut Value, name: &str) -> &'d mut Value {
    &mut doc["components"]["schemas"][name]
}

pub(super) fn describe(schema: &mut Value, more: &str) {
    let old = schema["description"].as_str().unwrap_or_default();
    schema["description"] = if old.is_empty() {
        more.to_owned()
    } else {
        format!("{old}\n\n{more}")
    }
    .into();
}

/// Rules about a whole record that JSON Schema can state, and the ones it cannot in words.
/// Each is a `not` of the combinations it refuses: client generators (which read `anyOf`
/// beside `properties` as a union of partial records) ignore `not`, validators and data
/// generators apply it.
pub(super) fn records(doc: &mut Value) {
    let placement = schema_mut(doc, "PlacementRecord");
    placement["not"] = json!({"anyOf": (1..=i64::from(koppel_core::Level::MAX))
        .map(|k| json!({"properties": {"level_min": {"const": k}, "level_max": {"maximum": k - 1}},
                        "required": ["level_min", "level_max"]}))
        .collect::<Vec<_>>()});
    describe(
        placement,
        "`level_min ≤ level_max` (the `not`). Not expressible in JSON Schema and checked by \
         the service (422 naming the field): `filled ≤ capacity`; `employer`, `sector`, \
         `region` and `qualifications` must exist in the reference tables (listed as enums in \
         the document a running service serves); a desk may post only for its own employers.",
    );

    let learner = schema_mut(doc, "LearnerRecord");
    learner["not"] = school_type_rule(None);
    describe(
        learner,
        "An `mbo_bol` or `mbo_bbl` student has a `qualification`, and their `level` is that \
         qualification's level (the `not`; the served document lists each level's crebo \
         codes). Not expressible in JSON Schema and checked by the service (422 naming the \
         field): `birth_date` before `earliest_start`; `region`, `qualification` and \
         `sector_preferences` must exist in the reference tables (enums in the served \
         document); an advisor may register learners only in their own regions.",
    );
    // Each support kind at most once.
    learner["properties"]["support_needs"]["allOf"] = SupportKind::ALL
        .iter()
        .map(|k| {
            json!({"contains": {"properties": {"kind": {"const": k.as_str()}}},
                   "minContains": 0, "maxContains": 1})
        })
        .collect();
    debug_assert_eq!(SupportKind::ALL.len(), MAX_SUPPORT);

    describe(
        schema_mut(doc, "OutlookRecord"),
        "A table has at most one row per sector × region (not expressible in JSON Schema; \
         422 naming the row).",
    );
    describe(
        &mut doc["components"]["schemas"]["AllocationRequest"]["properties"]["policy"],
        "Must be a valid policy (TOML, checked before the job starts: 422 if not); JSON Schema \
         cannot state that.",
    );
}

/// What a learner's school type refuses: an mbo student without a qualification and, when
/// the crebo codes per level are known, one whose level is not their qualification's.
fn school_type_rule(by_level: Option<&[Vec<String>]>) -> Value {
    let mbo: Vec<&str> = SchoolType::ALL
        .iter()
        .filter(|s| s.is_mbo())
        .map(|s| s.as_str())
        .collect();
    let mut refused = vec![
        json!({"properties": {"school_type": {"enum": mbo}}, "required": ["school_type"],
               "not": {"required": ["qualification"]}}),
        json!({"properties": {"school_type": {"enum": mbo}, "qualification": {"type": "null"}},
               "required": ["school_type", "qualification"]}),
    ];
    for (level, crebos) in by_level.unwrap_or_default().iter().enumerate() {
        refused.push(if crebos.is_empty() {
            json!({"properties": {"school_type": {"enum": mbo}, "level": {"const": level}},
                   "required": ["school_type", "level"]})
        } else {
            json!({"properties": {"school_type": {"enum": mbo}, "level": {"const": level},
                                  "qualification": {"type": "string", "not": {"enum": crebos}}},
                   "required": ["school_type", "level", "qualification"]})
        });
    }
    json!({"anyOf": refused})
}

/// The codes of the service's reference tables as enums.
pub(super) fn reference_codes(doc: &mut Value, refs: &Reference) {
    let listed = |codes: Vec<String>| (codes.len() <= MAX_ENUM).then_some(codes);
    let regions = listed(refs.regions.iter().map(|r| r.code.clone()).collect());
    let sectors = listed(refs.sectors.iter().map(|s| s.code.clone()).collect());
    let crebos = listed(
        refs.qualifications
            .iter()
            .map(|q| q.crebo.clone())
            .collect(),
    );
    let employers = listed(refs.employers.iter().map(|e| e.id.0.clone()).collect());
    let fields: &[(&str, &str, &Option<Vec<String>>)] = &[
        ("LearnerRecord", "region", &regions),
        ("LearnerRecord", "qualification", &crebos),
        ("LearnerRecord", "sector_preferences", &sectors),
        ("PlacementRecord", "employer", &employers),
        ("PlacementRecord", "sector", &sectors),
        ("PlacementRecord", "region", &regions),
        ("PlacementRecord", "qualifications", &crebos),
        ("OutlookRecord", "sector", &sectors),
        ("OutlookRecord", "region", &regions),
    ];
    for &(record, field, codes) in fields {
        let Some(codes) = codes else { continue };
        let f = &mut doc["components"]["schemas"][record]["properties"][field];
        let target = if f["type"] == "array" {
            &mut f["items"]
        } else {
            f
        };
        let values: Vec<Value> = codes.iter().map(|c| c.as_str().into()).collect();
        if target["type"]
            .as_array()
            .is_some_and(|t| t.contains(&"null".into()))
        {
            // A code or null: spelled as a union, which client generators read as
            // "enum or None".
            let mut code = target.take();
            let description = code.as_object_mut().and_then(|o| o.remove("description"));
            code["type"] = "string".into();
            code["enum"] = values.into();
            *target = json!({"anyOf": [code, {"type": "null"}]});
            if let Some(d) = description {
                target["description"] = d;
            }
        } else {
            target["enum"] = values.into();
        }
    }
    if crebos.is_some() {
        let mut by_level = vec![Vec::new(); usize::from(koppel_core::Level::MAX) + 1];
        for q in &refs.qualifications {
            by_level[usize::from(q.level.get())].push(q.crebo.clone());
        }
        schema_mut(doc, "LearnerRecord")["not"] = school_type_rule(Some(&by_level));
    }
}
