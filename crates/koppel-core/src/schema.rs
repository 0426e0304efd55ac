//! OpenAPI (JSON Schema) of the record fields that carry limits, built from the constants the
//! validation checks ([`crate::model::limits`], [`Level::MAX`], [`NL_BOUNDS`],
//! [`MAX_CAPACITY`], [`MAX_PREFERENCES`]), so the document and the validation cannot drift
//! apart. `record.rs` points its fields here with `schema(schema_with = …)`; a field's
//! description is given here, since utoipa does not take it from the doc comment of a field
//! with its own schema function.
//!
//! What JSON Schema cannot say about a record, or only with the service's reference tables, is
//! left to the HTTP service's document builder (`koppel-server`, `routes/contract/`).

use crate::model::enums::Level;
use crate::model::geo::NL_BOUNDS;
use crate::model::learner::MAX_PREFERENCES;
use crate::model::limits::*;
use crate::model::placement::MAX_CAPACITY;
use utoipa::openapi::schema::{
    ArrayBuilder, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{KnownFormat, Ref, RefOr};

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

fn id(description: &str) -> RefOr<Schema> {
    string(description)
        .min_length(Some(1))
        .max_length(Some(MAX_ID))
        .pattern(Some(ID_PATTERN))
        .into()
}

fn text(description: &str, max: usize) -> RefOr<Schema> {
    string(&format!(
        "{description} 1–{max} characters, not blank; no control, bidi or zero-width characters."
    ))
    .min_length(Some(1))
    .max_length(Some(max))
    .pattern(Some(TEXT_PATTERN))
    .into()
}

fn optional_text(description: &str) -> RefOr<Schema> {
    string(&format!(
        "{description} At most {MAX_NAME} characters, may be empty; no control, bidi or zero-width characters."
    ))
    .max_length(Some(MAX_NAME))
    .pattern(Some(OPTIONAL_TEXT_PATTERN))
    .into()
}

fn integer(description: &str, min: i64, max: i64) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .description(Some(description))
        .minimum(Some(min))
        .maximum(Some(max))
        .into()
}

fn number(description: &str, min: f64, max: f64) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
        .description(Some(description))
        .minimum(Some(min))
        .maximum(Some(max))
        .into()
}

fn codes(description: &str, max: usize, unique: bool) -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(id("A code."))
        .max_items(Some(max))
        .unique_items(unique)
        .description(Some(format!("{description} At most {max}.")))
        .into()
}

fn level(description: &str) -> RefOr<Schema> {
    integer(description, 0, i64::from(Level::MAX))
}

/// Generates one schema function per field.
macro_rules! fields {
    ($($name:ident => $schema:expr;)*) => {
        $(
            #[doc = concat!("Schema of `", stringify!($name), "`.")]
            pub fn $name() -> RefOr<Schema> {
                $schema
            }
        )*
    };
}

fields! {
    // Shared.
    lat => number("Latitude, WGS84 degrees, in the Netherlands.", NL_BOUNDS.lat_min, NL_BOUNDS.lat_max);
    lon => number("Longitude, WGS84 degrees, in the Netherlands.", NL_BOUNDS.lon_min, NL_BOUNDS.lon_max);
    region_code => id("Region code (regions.csv).");
    sector_code => id("Sector code (sectors.csv).");
    hours_per_week => integer("Hours per week.", 1, MAX_HOURS);
    // Reference tables.
    code => id("Slug code, unique in its table.");
    crebo => id("Crebo code, unique.");
    reference_name => text("Display name.", MAX_NAME);
    province => optional_text("Province.");
    central_municipality => optional_text("Central municipality (centrumgemeente).");
    qualification_level => integer("Mbo level 1..=4.", 1, i64::from(Level::MAX));
    outlook_step => ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .description(Some("Step 1 (poor) ..= 5 (good), or null: unknown."))
        .minimum(Some(1))
        .maximum(Some(5))
        .into();
    employer_id => id("Employer id (employers.jsonl).");
    employer_name => text("Trade name.", MAX_NAME);
    recognised_for => codes("Crebo codes of the qualifications the employer is recognised (erkend) for.", MAX_RECOGNISED, false);
    // Learners.
    learner_id => id("Pseudonymous id (never a BSN).");
    learner_name => text("Name (personal data; never shown to employers).", MAX_NAME);
    email => string(&format!("Contact e-mail (personal data): a plausible address, at most {MAX_EMAIL} characters."))
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .min_length(Some(6))
        .max_length(Some(MAX_EMAIL))
        .pattern(Some(EMAIL_PATTERN))
        .into();
    learner_level => level("Level 0..=4 (0 = pro/vso, 1 = entree); for an mbo student, the level of their qualification.");
    learner_qualification => string("Crebo code the learner is enrolled in or registered for; required for mbo_bol and mbo_bbl.")
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .min_length(Some(1))
        .max_length(Some(MAX_ID))
        .pattern(Some(ID_PATTERN))
        .into();
    sector_preferences => codes("Sector codes, most preferred first, each at most once.", MAX_PREFERENCES, true);
    travel_limit_km => ObjectBuilder::new()
        .schema_type(Type::Number)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
        .description(Some("Longest acceptable one-way distance, km (great circle)."))
        .exclusive_minimum(Some(0))
        .maximum(Some(MAX_TRAVEL_KM))
        .into();
    support_needs => ArrayBuilder::new()
        .items(Ref::from_schema_name("SupportNeedRecord"))
        .max_items(Some(MAX_SUPPORT))
        .description(Some(format!("Support needs (special-category data; never shown to employers), each kind at most once, so at most {MAX_SUPPORT}.")))
        .into();
    // Placements.
    placement_id => id("Placement id.");
    title => text("Title.", MAX_TITLE);
    desk => text("Posting employer desk (werkgeversservicepunt).", MAX_DESK);
    placement_qualifications => codes("Crebo codes the placement trains for (may be empty), each at most once.", MAX_QUALIFICATIONS, true);
    level_min => level("Lowest level accepted, 0..=4.");
    level_max => level("Highest level accepted, 0..=4, at least level_min.");
    capacity => integer("Number of places.", 1, i64::from(MAX_CAPACITY));
    filled => integer("Places already taken, 0..=capacity.", 0, i64::from(MAX_CAPACITY));
    support_offered => ArrayBuilder::new()
        .items(Ref::from_schema_name("SupportKind"))
        .max_items(Some(MAX_SUPPORT))
        .unique_items(true)
        .description(Some("Support the employer offers or accepts, each kind at most once."))
        .into();
    // An advisor's proposal (a type of the HTTP service; its limits are the core's).
    proposal_placement => id("Placement id; the placement must exist (else 404).");
    proposal_reason => text("Why, in the advisor's words (stored, shown to advisors only).", MAX_REASON);
}
