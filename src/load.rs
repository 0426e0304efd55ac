//! Reading a data directory into a validated [`Dataset`] and [`PolicySet`].
//!
//! Every problem in every file is collected (file, line, record id, field, reason) before
//! anything is returned; a directory with any error yields no dataset at all, so nothing is
//! silently dropped or altered.

use anyhow::{anyhow, Context, Result};
use koppel_core::record::{
    AdjacencyRecord, EmployerRecord, LearnerRecord, OutlookRecord, PlacementRecord,
    QualificationRecord, RegionRecord, SectorRecord,
};
use koppel_core::{
    Dataset, Lined, PolicyConfig, PolicySet, RecordError, Reference, ReferenceRecords, Table,
};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// Name of the optional policy file inside a data directory.
pub const POLICY_FILE: &str = "policy.toml";

/// Where table files come from.
pub enum Source {
    /// A directory on disk.
    Dir(PathBuf),
    /// The demo data compiled into the binary.
    Embedded,
    /// Files held in memory by name (`learners.jsonl`, …); a name not in the map is a missing
    /// file. For tests and the fuzz harness, which read the same way without touching disk.
    Files(std::collections::BTreeMap<String, String>),
}

/// The demo data compiled into the binary, by file name.
pub mod embedded {
    /// The file `name` of the demo data (`None` for a name it does not have).
    pub fn get(name: &str) -> Option<&'static str> {
        Some(match name {
            "regions.csv" => include_str!("../fixtures/demo/regions.csv"),
            "region_adjacency.csv" => include_str!("../fixtures/demo/region_adjacency.csv"),
            "sectors.csv" => include_str!("../fixtures/demo/sectors.csv"),
            "qualifications.csv" => include_str!("../fixtures/demo/qualifications.csv"),
            "outlook.csv" => include_str!("../fixtures/demo/outlook.csv"),
            "employers.jsonl" => include_str!("../fixtures/demo/employers.jsonl"),
            "learners.jsonl" => include_str!("../fixtures/demo/learners.jsonl"),
            "placements.jsonl" => include_str!("../fixtures/demo/placements.jsonl"),
            "policy.toml" => include_str!("../fixtures/demo/policy.toml"),
            _ => return None,
        })
    }
}

impl Source {
    /// The data directory `dir`, or the embedded demo data when `dir` is the default and does
    /// not exist (so the binary works from any working directory).
    pub fn resolve(dir: &Path, explicit: bool) -> Result<Source> {
        if dir.is_dir() {
            Ok(Source::Dir(dir.to_owned()))
        } else if !explicit {
            Ok(Source::Embedded)
        } else {
            Err(anyhow!(
                "data directory `{}` does not exist; pass --data DIR with the files described in docs/data-format.md",
                dir.display()
            ))
        }
    }

    /// Human name for messages.
    pub fn describe(&self) -> String {
        match self {
            Source::Dir(d) => d.display().to_string(),
            Source::Embedded => "embedded demo data".to_owned(),
            Source::Files(_) => "data held in memory".to_owned(),
        }
    }

    fn read(&self, name: &str) -> Result<Option<String>> {
        match self {
            Source::Embedded => Ok(embedded::get(name).map(str::to_owned)),
            Source::Files(files) => Ok(files.get(name).cloned()),
            Source::Dir(d) => {
                let path = d.join(name);
                match std::fs::read_to_string(&path) {
                    Ok(s) => Ok(Some(s)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
                }
            }
        }
    }

    fn read_table(&self, table: Table, errors: &mut Vec<RecordError>) -> Result<String> {
        match self.read(table.file_name())? {
            Some(s) => Ok(s),
            None => {
                errors.push(RecordError::new(table, 0, None, "-", "file is missing"));
                Ok(String::new())
            }
        }
    }
}

/// The result of validating a directory: a dataset or every error.
pub enum Checked {
    /// All valid.
    Valid(Box<Dataset>),
    /// Every problem found.
    Invalid(Vec<RecordError>),
}

/// Reads and validates every table.
pub fn check(source: &Source) -> Result<Checked> {
    let mut errors = Vec::new();
    let refs = ReferenceRecords {
        regions: csv_table::<RegionRecord>(source, Table::Regions, &mut errors)?,
        adjacency: csv_table::<AdjacencyRecord>(source, Table::Adjacency, &mut errors)?,
        sectors: csv_table::<SectorRecord>(source, Table::Sectors, &mut errors)?,
        qualifications: csv_table::<QualificationRecord>(
            source,
            Table::Qualifications,
            &mut errors,
        )?,
        outlook: csv_table::<OutlookRecord>(source, Table::Outlook, &mut errors)?,
        employers: jsonl_table::<EmployerRecord>(source, Table::Employers, &mut errors)?,
    };
    let learners = jsonl_table::<LearnerRecord>(source, Table::Learners, &mut errors)?;
    let placements = jsonl_table::<PlacementRecord>(source, Table::Placements, &mut errors)?;
    let reference = match Reference::build(refs) {
        Ok(r) => r,
        Err(e) => {
            errors.extend(e);
            return Ok(Checked::Invalid(sorted(errors)));
        }
    };
    match Dataset::build(reference, learners, placements) {
        Ok(d) if errors.is_empty() => Ok(Checked::Valid(Box::new(d))),
        Ok(_) => Ok(Checked::Invalid(sorted(errors))),
        Err(e) => {
            errors.extend(e);
            Ok(Checked::Invalid(sorted(errors)))
        }
    }
}

fn sorted(mut errors: Vec<RecordError>) -> Vec<RecordError> {
    errors.sort_by_key(|e| (e.table, e.line));
    errors
}

/// Reads and validates every table, failing with a summary if anything is wrong.
pub fn dataset(source: &Source) -> Result<Dataset> {
    match check(source)? {
        Checked::Valid(d) => Ok(*d),
        Checked::Invalid(errors) => {
            let mut msg = format!(
                "{} has {} invalid record(s); nothing was loaded. First problems:",
                source.describe(),
                errors.len()
            );
            for e in errors.iter().take(5) {
                msg.push_str(&format!("\n  {e}"));
            }
            msg.push_str("\nrun `koppel validate` with the same --data for the full list");
            Err(crate::Invalid(msg).into())
        }
    }
}

/// The policy: `--policy FILE` if given, else `policy.toml` in the data source, else built-in.
pub fn policies(source: &Source, file: Option<&Path>, data: &Dataset) -> Result<PolicySet> {
    policies_from(policy_text(source, file)?.as_ref(), data)
}

/// The policy set of a text read by [`policy_text`] (`None`: the built-in weights).
pub fn policies_from(text: Option<&PolicyText>, data: &Dataset) -> Result<PolicySet> {
    match text {
        Some(p) => parse_policy(&p.text, data)
            .with_context(|| crate::Invalid(format!("invalid policy in {}", p.origin))),
        None => Ok(PolicySet::uniform(
            Default::default(),
            data.reference.regions.len(),
        )),
    }
}

/// A policy text and where it came from.
pub struct PolicyText {
    /// The TOML.
    pub text: String,
    /// The file it was read from (or the embedded demo data's policy).
    pub origin: String,
}

/// The policy text [`policies`] reads: `--policy FILE`, else `policy.toml` in the data source;
/// `None` when neither exists and the built-in weights apply.
pub fn policy_text(source: &Source, file: Option<&Path>) -> Result<Option<PolicyText>> {
    Ok(match file {
        Some(f) => Some(PolicyText {
            text: std::fs::read_to_string(f)
                .with_context(|| format!("cannot read policy file {}", f.display()))?,
            origin: f.display().to_string(),
        }),
        None => source.read(POLICY_FILE)?.map(|text| PolicyText {
            text,
            origin: match source {
                Source::Dir(d) => d.join(POLICY_FILE).display().to_string(),
                Source::Embedded | Source::Files(_) => {
                    format!("{} ({POLICY_FILE})", source.describe())
                }
            },
        }),
    })
}

/// Parses and validates policy TOML.
pub fn parse_policy(text: &str, data: &Dataset) -> Result<PolicySet> {
    let cfg: PolicyConfig = toml::from_str(text).map_err(|e| anyhow!("{e}"))?;
    Ok(PolicySet::resolve(&cfg, &data.reference)?)
}

fn csv_table<T: DeserializeOwned>(
    source: &Source,
    table: Table,
    errors: &mut Vec<RecordError>,
) -> Result<Vec<Lined<T>>> {
    let text = source.read_table(table, errors)?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr.headers().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for row in rdr.records() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RecordError::new(
                    table,
                    line,
                    None,
                    "-",
                    format!("malformed CSV: {e}"),
                ));
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        match row.deserialize::<T>(Some(&headers)) {
            Ok(record) => out.push(Lined { line, record }),
            Err(e) => {
                let field = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err
                        .field()
                        .and_then(|i| headers.get(i as usize))
                        .unwrap_or("-")
                        .to_owned(),
                    _ => "-".to_owned(),
                };
                let reason = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err.kind().to_string(),
                    _ => e.to_string(),
                };
                errors.push(RecordError::new(table, line, row.get(0), field, reason));
            }
        }
    }
    Ok(out)
}

fn jsonl_table<T: DeserializeOwned + Send>(
    source: &Source,
    table: Table,
    errors: &mut Vec<RecordError>,
) -> Result<Vec<Lined<T>>> {
    let text = source.read_table(table, errors)?;
    let lines: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i as u64 + 1, l))
        .collect();
    let parsed: Vec<Result<Lined<T>, RecordError>> = lines
        .par_iter()
        .with_min_len(1024)
        .map(|&(line, text)| parse_json_line(table, line, text))
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    for p in parsed {
        match p {
            Ok(l) => out.push(l),
            Err(e) => errors.push(e),
        }
    }
    Ok(out)
}

fn parse_json_line<T: DeserializeOwned>(
    table: Table,
    line: u64,
    text: &str,
) -> Result<Lined<T>, RecordError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let e = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(record) => match de.end() {
            Ok(()) => return Ok(Lined { line, record }),
            Err(trailing) => {
                return Err(RecordError::new(
                    table,
                    line,
                    None,
                    "-",
                    format!(
                        "malformed JSON at column {}: {}",
                        trailing.column(),
                        strip_position(&trailing.to_string())
                    ),
                ))
            }
        },
        Err(e) => e,
    };
    let inner = e.inner();
    // A line that is valid JSON but the wrong shape: name the record and the field.
    let id = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned));
    let (field, reason) = if inner.is_syntax() || inner.is_eof() {
        (
            "-".to_owned(),
            format!(
                "malformed JSON at column {}: {}",
                inner.column(),
                strip_position(&inner.to_string())
            ),
        )
    } else {
        let reason = strip_position(&inner.to_string());
        let path = e.path().to_string();
        let field = if path != "." {
            path
        } else {
            named_field(&reason).unwrap_or("-").to_owned()
        };
        (field, reason)
    };
    Err(RecordError::new(table, line, id.as_deref(), field, reason))
}

/// The field a whole-record message is about ("missing field `x`", "unknown field `x`").
fn named_field(reason: &str) -> Option<&str> {
    let rest = reason
        .strip_prefix("missing field `")
        .or_else(|| reason.strip_prefix("unknown field `"))?;
    rest.split('`').next()
}

/// serde_json appends " at line 1 column N" to messages; the line is ours to give.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// The records of a data source, validated, as the seed of a new service database.
pub fn seed(source: &Source) -> Result<koppel_server::store::Seed> {
    // Validate everything first, with the same messages as `koppel validate`.
    dataset(source)?;
    let mut errors = Vec::new();
    let reference = ReferenceRecords {
        regions: csv_table::<RegionRecord>(source, Table::Regions, &mut errors)?,
        adjacency: csv_table::<AdjacencyRecord>(source, Table::Adjacency, &mut errors)?,
        sectors: csv_table::<SectorRecord>(source, Table::Sectors, &mut errors)?,
        qualifications: csv_table(source, Table::Qualifications, &mut errors)?,
        outlook: csv_table::<OutlookRecord>(source, Table::Outlook, &mut errors)?,
        employers: jsonl_table::<EmployerRecord>(source, Table::Employers, &mut errors)?,
    };
    let plain = |v: Vec<Lined<_>>| v.into_iter().map(|l| l.record).collect();
    let learners = plain(jsonl_table::<LearnerRecord>(
        source,
        Table::Learners,
        &mut errors,
    )?);
    let placements = jsonl_table::<PlacementRecord>(source, Table::Placements, &mut errors)?
        .into_iter()
        .map(|l| l.record)
        .collect();
    anyhow::ensure!(
        errors.is_empty(),
        "{} changed while it was read",
        source.describe()
    );
    Ok(koppel_server::store::Seed {
        reference,
        learners,
        placements,
        policy: source.read(POLICY_FILE)?,
    })
}
