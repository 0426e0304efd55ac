//! Storage behind a trait, so that handlers never see SQL and a PostgreSQL backend can follow
//! by implementing [`Store`] (see `sqlite/` for the embedded one).
//!
//! Contract every backend keeps:
//! - A write and its audit row commit in one transaction; if either fails, neither happens.
//! - A write returns only after its transaction is durable (2xx means it survives a crash).
//! - An `Idempotency-Key` is scoped to the token: the same key with the same request returns
//!   the first [`WriteResult`] and changes nothing; with another request it is refused.
//! - Records outside the caller's [`Scope`] are reported as not found.

pub mod sqlite;

use async_trait::async_trait;
use koppel_core::record::{EmployerRecord, OutlookRecord};
use koppel_core::ReferenceRecords;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// One invalid field of a request.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct InvalidField {
    /// JSON path of the field, e.g. `region` or `outlook[3].sector`.
    pub field: String,
    /// Why it is invalid.
    pub reason: String,
}

/// A storage failure, typed so handlers can map it to a status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Absent or out of scope.
    #[error("no {what} `{id}`")]
    NotFound {
        /// Kind of record.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// Conflicts with existing data (e.g. the id is taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Invalid after a patch was applied.
    #[error("invalid")]
    Invalid(Vec<InvalidField>),
    /// `If-Match` names another version.
    #[error("version mismatch, current {current}")]
    VersionMismatch {
        /// Current ETag.
        current: String,
    },
    /// An idempotency key reused for another request.
    #[error("idempotency key reused for a different request")]
    IdempotencyMismatch,
    /// The database failed.
    #[error("storage failed: {0}")]
    Backend(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        StoreError::Backend(e.to_string())
    }
}

/// A role; decides which routes a token may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// SBB, school or municipality advisor, bound to regions.
    Advisor,
    /// Employer service desk, bound to employers.
    EmployerDesk,
    /// Runs allocations and reads aggregates.
    Analyst,
    /// Tokens, policies, the outlook table.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Role::Advisor,
        Role::EmployerDesk,
        Role::Analyst,
        Role::Admin,
    ];

    /// Its name in tokens, logs and errors.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Advisor => "advisor",
            Role::EmployerDesk => "employer_desk",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// Parses a role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Who is calling: a token's role and the regions or employers it is bound to.
#[derive(Clone, Debug)]
pub struct Caller {
    /// Token id (not the secret).
    pub token_id: i64,
    /// Role.
    pub role: Role,
    /// Region codes (advisor).
    pub regions: Vec<String>,
    /// Employer ids (employer desk).
    pub employers: Vec<String>,
}

/// The two record kinds the API edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Learners, scoped by region.
    Learner,
    /// Placements (vacancies), scoped by employer.
    Placement,
}

impl Kind {
    /// Name in messages and audit rows.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Learner => "learner",
            Kind::Placement => "placement",
        }
    }
}

/// Which records of a kind a caller may see: `None` = all, else those whose scope key
/// (region for learners, employer for placements) is listed.
#[derive(Clone, Debug)]
pub struct Scope(pub Option<Vec<String>>);

impl Scope {
    /// Everything.
    pub fn all() -> Scope {
        Scope(None)
    }

    /// Whether a scope key is inside.
    pub fn admits(&self, key: &str) -> bool {
        self.0
            .as_ref()
            .is_none_or(|keys| keys.iter().any(|k| k == key))
    }
}

/// One stored learner or placement.
#[derive(Clone, Debug)]
pub struct Row {
    /// Id.
    pub id: String,
    /// Version, starting at 1; the ETag is `"v{version}"`.
    pub version: i64,
    /// The record as JSON.
    pub body: serde_json::Value,
}

impl Row {
    /// The HTTP ETag of this version.
    pub fn etag(&self) -> String {
        etag(self.version)
    }
}

/// ETag of a version.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// Who did what, for the audit log. Never holds the data itself.
#[derive(Clone, Debug)]
pub struct Audit {
    /// Token id.
    pub token_id: i64,
    /// Method and route template, e.g. `GET /v1/learners/{id}`.
    pub route: String,
    /// `read`, `create`, `update`, `delete`.
    pub action: &'static str,
}

/// An idempotency key with a hash of the request it came with.
#[derive(Clone, Debug)]
pub struct Idem {
    /// Client's key.
    pub key: String,
    /// SHA-256 of method, route and body.
    pub request_hash: String,
}

/// Validates a merged record; returns its canonical JSON and scope key, or field errors.
pub type Validate = Arc<
    dyn Fn(serde_json::Value) -> Result<(serde_json::Value, String), Vec<InvalidField>>
        + Send
        + Sync,
>;

/// A change.
pub enum Write {
    /// Insert a new record (id must be free).
    Create {
        /// Kind.
        kind: Kind,
        /// Id.
        id: String,
        /// Scope key (region or employer).
        scope_key: String,
        /// Validated record.
        body: serde_json::Value,
    },
    /// JSON merge patch (RFC 7396) on the stored record, re-validated.
    Update {
        /// Kind.
        kind: Kind,
        /// Id.
        id: String,
        /// Caller's scope for the existing record.
        scope: Scope,
        /// Required current ETag.
        if_match: String,
        /// The patch.
        patch: serde_json::Value,
        /// Validation of the merged record (including scope of the result).
        validate: Validate,
    },
    /// Remove a record; for learners also their derived data (right to erasure).
    Delete {
        /// Kind.
        kind: Kind,
        /// Id.
        id: String,
        /// Caller's scope.
        scope: Scope,
        /// Optional current ETag.
        if_match: Option<String>,
    },
    /// Replace the whole outlook table.
    ReplaceOutlook(Vec<OutlookRecord>),
    /// Record an advisor's proposal of a placement for a learner.
    Propose {
        /// Learner id.
        learner: String,
        /// Caller's scope for the learner.
        scope: Scope,
        /// Placement id.
        placement: String,
        /// Decision and its reason.
        proposal: Proposal,
    },
}

/// An advisor's proposal.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// Placement id.
    #[schema(schema_with = koppel_core::schema::proposal_placement)]
    pub placement: String,
    /// Why, in the advisor's words (stored, shown to advisors only).
    #[schema(schema_with = koppel_core::schema::proposal_reason)]
    pub reason: String,
}

/// A committed change of the data the matching engine is built from, in commit order.
#[derive(Clone, Debug)]
pub enum Change {
    /// A learner or placement created or replaced (validated record as JSON).
    Upsert {
        /// Kind.
        kind: Kind,
        /// Id.
        id: String,
        /// The record.
        body: serde_json::Value,
    },
    /// A learner or placement removed.
    Delete {
        /// Kind.
        kind: Kind,
        /// Id.
        id: String,
    },
    /// The outlook table replaced.
    Outlook(Vec<OutlookRecord>),
}

/// Receives every batch of committed changes, in commit order, before any writer is answered.
pub type ChangeSink = Arc<dyn Fn(Vec<Change>) + Send + Sync>;

/// What a write returns; stored with its idempotency key and replayed on retry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WriteResult {
    /// HTTP status.
    pub status: u16,
    /// Response body (`null` for 204).
    pub body: serde_json::Value,
    /// ETag of the new version.
    pub etag: Option<String>,
    /// `Location` of a created record.
    pub location: Option<String>,
    /// The change to report to the engine once committed (none for a replay).
    #[serde(skip)]
    pub change: Option<Change>,
    /// Whether this is the stored first answer to a repeated idempotent request (nothing was
    /// written this time).
    #[serde(skip)]
    pub replayed: bool,
}

/// What happens to an allocation job, in the order it can happen.
#[derive(Clone, Debug)]
pub enum JobUpdate {
    /// It has started computing.
    Running,
    /// It finished: its published summary and assignments.
    Done {
        /// Published summary.
        summary: serde_json::Value,
        /// Assignments.
        assignments: Vec<StoredAssignment>,
    },
    /// It failed, with a reason a caller may read.
    Failed {
        /// Reason.
        error: String,
    },
}

/// Everything the matching engine is built from, read in one transaction.
pub struct SnapshotData {
    /// Reference records (without outlook).
    pub reference: ReferenceRecords,
    /// Outlook table.
    pub outlook: Vec<OutlookRecord>,
    /// Learner records as JSON.
    pub learners: Vec<serde_json::Value>,
    /// Placement records as JSON.
    pub placements: Vec<serde_json::Value>,
    /// Policy TOML, if any.
    pub policy: Option<String>,
}

/// Initial data for an empty database.
pub struct Seed {
    /// Reference tables (outlook included).
    pub reference: ReferenceRecords,
    /// Learner records (validated).
    pub learners: Vec<koppel_core::record::LearnerRecord>,
    /// Placement records (validated).
    pub placements: Vec<koppel_core::record::PlacementRecord>,
    /// Policy TOML.
    pub policy: Option<String>,
}

/// An allocation job as stored.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AllocationRow {
    /// Job id.
    pub id: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// Parameters as sent.
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// Summary when done, as published under the disclosure rule (docs/privacy.md): every
    /// count a number or `{"suppressed": "below_threshold" | "secondary"}`.
    #[schema(value_type = Option<koppel_core::allocate::report::Summary>)]
    pub summary: Option<serde_json::Value>,
    /// Failure reason.
    pub error: Option<String>,
    /// Creation time, RFC 3339.
    pub created_at: String,
}

/// One assignment of a finished allocation as analysts read it: who is behind it cannot be
/// seen, and nothing in it derives from the learner's support needs or register status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRow {
    /// The learner's pseudonym in this allocation only (`T-` and 20 hex digits): the same
    /// learner has unrelated pseudonyms in other allocations and towards employers.
    pub pseudonym: String,
    /// Placement id.
    pub placement: String,
    /// The pair's score as employer desks see it: support counted as met, distance by band,
    /// no priority bonus (0..=1000). Not the score the allocation used.
    pub public_score: i64,
}

/// One assignment of a finished allocation as stored: the learner id, full score and rank
/// for the learner's advisor (`GET /v1/learners/{id}/outcome`), the pseudonym and public score
/// for analysts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAssignment {
    /// Learner id.
    pub learner: String,
    /// The learner's pseudonym in this allocation.
    pub pseudonym: String,
    /// Placement id.
    pub placement: String,
    /// Score the allocation used (without the priority bonus).
    pub score: i64,
    /// Rank of the placement in the learner's own list (1 = best).
    pub rank: i64,
    /// Score as employer desks see it.
    pub public_score: i64,
}

/// An advisor's proposal as stored.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProposalRow {
    /// Placement id.
    pub placement: String,
    /// Why, in the advisor's words.
    pub reason: String,
    /// Token that proposed it.
    pub token_id: i64,
    /// When, RFC 3339.
    pub created_at: String,
}

/// A learner's place in an allocation.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AllocatedRow {
    /// Allocation job id.
    pub allocation: String,
    /// When the job was started, RFC 3339.
    pub created_at: String,
    /// The placement, or `None` when the learner stayed unplaced.
    pub placement: Option<String>,
    /// Score of the pair.
    pub score: Option<i64>,
    /// Rank of the placement in the learner's own list.
    pub rank: Option<i64>,
}

/// What has been decided for a learner. A person's proposal overrides an automated allocation.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Outcome {
    /// Learner id.
    pub learner: String,
    /// The advisor's latest proposal, if any.
    pub proposal: Option<ProposalRow>,
    /// The learner's outcome in the latest finished allocation, if there is one.
    pub allocation: Option<AllocatedRow>,
    /// The placement that stands: the proposal's if there is one, else the allocation's.
    pub standing: Option<String>,
    /// `advisor` or `allocation`: who decided `standing`.
    pub decided_by: Option<String>,
}

impl Outcome {
    /// Puts the rule in one place: a person's proposal wins over the allocation.
    pub fn new(
        learner: String,
        proposal: Option<ProposalRow>,
        allocation: Option<AllocatedRow>,
    ) -> Outcome {
        let (standing, decided_by) = match (&proposal, &allocation) {
            (Some(p), _) => (Some(p.placement.clone()), Some("advisor".to_owned())),
            (
                None,
                Some(AllocatedRow {
                    placement: Some(pl),
                    ..
                }),
            ) => (Some(pl.clone()), Some("allocation".to_owned())),
            _ => (None, None),
        };
        Outcome {
            learner,
            proposal,
            allocation,
            standing,
            decided_by,
        }
    }
}

/// One audit entry.
#[derive(Clone, Debug, Serialize)]
pub struct AuditEntry {
    /// Sequence.
    pub id: i64,
    /// UTC time, RFC 3339.
    pub at: String,
    /// Token id.
    pub token_id: i64,
    /// Role of the token.
    pub role: String,
    /// Method and route template.
    pub route: String,
    /// Action.
    pub action: String,
    /// Record kind.
    pub record_kind: String,
    /// Record id.
    pub record_id: String,
}

/// A token as listed (never the secret).
#[derive(Clone, Debug, Serialize)]
pub struct TokenInfo {
    /// Id.
    pub id: i64,
    /// Role.
    pub role: String,
    /// Bound regions.
    pub regions: Vec<String>,
    /// Bound employers.
    pub employers: Vec<String>,
    /// Revoked?
    pub revoked: bool,
}

/// The storage interface of the service.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Sets where committed changes go (the matching engine); called once at start.
    fn on_commit(&self, sink: ChangeSink);
    /// The caller a token hash belongs to, if any and not revoked.
    async fn caller(&self, token_hash: &str) -> Result<Option<Caller>, StoreError>;
    /// Records of a kind in scope, by id after `after`, at most `limit`. With `audit`, one
    /// audit row per record returned, committed before the records are returned.
    async fn list(
        &self,
        kind: Kind,
        scope: &Scope,
        after: Option<&str>,
        limit: u32,
        audit: Option<Audit>,
    ) -> Result<Vec<Row>, StoreError>;
    /// One record in scope; with `audit`, audited as above.
    async fn get(
        &self,
        kind: Kind,
        scope: &Scope,
        id: &str,
        audit: Option<Audit>,
    ) -> Result<Row, StoreError>;
    /// Writes audit rows for reads of learners' data (e.g. matches); durable on return.
    async fn audit_reads(&self, audit: Audit, learners: Vec<String>) -> Result<(), StoreError>;
    /// Applies a change with its audit row, idempotently when `idem` is given.
    async fn write(
        &self,
        write: Write,
        audit: Audit,
        idem: Option<Idem>,
    ) -> Result<WriteResult, StoreError>;
    /// The current outlook table.
    async fn outlook(&self) -> Result<Vec<OutlookRecord>, StoreError>;
    /// Employer records (reference data).
    async fn employers(&self) -> Result<Vec<EmployerRecord>, StoreError>;
    /// All data the engine needs, consistently as of one change.
    async fn snapshot(&self) -> Result<SnapshotData, StoreError>;
    /// Creates a queued allocation job; audited and idempotent like any write.
    async fn create_allocation(
        &self,
        id: &str,
        request: serde_json::Value,
        audit: Audit,
        idem: Option<Idem>,
    ) -> Result<WriteResult, StoreError>;
    /// Records what happened to a job (running; done with its summary and assignments; failed).
    async fn update_allocation(&self, id: &str, update: JobUpdate) -> Result<(), StoreError>;
    /// One job.
    async fn allocation(&self, id: &str) -> Result<AllocationRow, StoreError>;
    /// What has been decided for a learner (latest proposal, latest finished allocation).
    async fn outcome(&self, learner: &str) -> Result<Outcome, StoreError>;
    /// The newest `limit` jobs, newest first, without their summaries.
    async fn allocations(&self, limit: u32) -> Result<Vec<AllocationRow>, StoreError>;
    /// A job's assignments as analysts read them, by pseudonym after `after` (rows stored
    /// before pseudonyms existed are not listed).
    async fn assignments(
        &self,
        id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AssignmentRow>, StoreError>;
}
