//! Typed errors of the engine. Every message names the record, the field and the reason.

use std::fmt;
use thiserror::Error;

/// The table a record belongs to; its documented file name is [`Table::file_name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// `regions.csv`
    Regions,
    /// `region_adjacency.csv`
    Adjacency,
    /// `sectors.csv`
    Sectors,
    /// `qualifications.csv`
    Qualifications,
    /// `outlook.csv`
    Outlook,
    /// `employers.jsonl`
    Employers,
    /// `learners.jsonl`
    Learners,
    /// `placements.jsonl`
    Placements,
}

impl Table {
    /// All tables in load order (reference tables first).
    pub const ALL: [Table; 8] = [
        Table::Regions,
        Table::Adjacency,
        Table::Sectors,
        Table::Qualifications,
        Table::Outlook,
        Table::Employers,
        Table::Learners,
        Table::Placements,
    ];

    /// The documented file name of the table inside a data directory.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Regions => "regions.csv",
            Table::Adjacency => "region_adjacency.csv",
            Table::Sectors => "sectors.csv",
            Table::Qualifications => "qualifications.csv",
            Table::Outlook => "outlook.csv",
            Table::Employers => "employers.jsonl",
            Table::Learners => "learners.jsonl",
            Table::Placements => "placements.jsonl",
        }
    }
}

/// One problem with one record: where it is, which field, and why.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub struct RecordError {
    /// The table (file) of the record.
    pub table: Table,
    /// 1-based line in the file (0 when the problem is not tied to one line).
    pub line: u64,
    /// The record's id, when it could be read.
    pub record: Option<String>,
    /// The field at fault (`-` for the whole record).
    pub field: String,
    /// What is wrong and, where possible, what would be right.
    pub reason: String,
}

impl RecordError {
    /// A new error.
    pub fn new(
        table: Table,
        line: u64,
        record: Option<&str>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> RecordError {
        RecordError {
            table,
            line,
            record: record.map(str::to_owned),
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table.file_name())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(id) = &self.record {
            write!(f, " [{id}]")?;
        }
        write!(f, ": field `{}`: {}", self.field, self.reason)
    }
}

/// A problem with one field of a record, before its location is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Field name.
    pub field: &'static str,
    /// Reason.
    pub reason: String,
}

impl FieldError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> FieldError {
        FieldError {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn at(self, table: Table, line: u64, record: Option<&str>) -> RecordError {
        RecordError::new(table, line, record, self.field, self.reason)
    }
}

/// A policy file that cannot be used.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum PolicyError {
    /// A weight is negative or not a number.
    #[error("policy {scope}: weight `{component}` is {value}; weights must be finite and >= 0")]
    BadWeight {
        /// `[default]` or `[region.<code>]`.
        scope: String,
        /// Component name.
        component: String,
        /// The value given.
        value: f64,
    },
    /// All weights are zero.
    #[error("policy {scope}: all weights are 0; give at least one component a positive weight")]
    ZeroWeights {
        /// `[default]` or `[region.<code>]`.
        scope: String,
    },
    /// A region override names a region that does not exist.
    #[error(
        "policy: [region.{code}] is not a known region code; known codes are listed in regions.csv"
    )]
    UnknownRegion {
        /// The code given.
        code: String,
    },
    /// A setting is outside its allowed range.
    #[error("policy {scope}: `{setting}` is {value}; allowed is {allowed}")]
    OutOfRange {
        /// `[default]` or `[region.<code>]`.
        scope: String,
        /// Setting name.
        setting: &'static str,
        /// The value given.
        value: i64,
        /// The allowed range, in words.
        allowed: &'static str,
    },
}
