//! The embedded SQLite backend: a pool of reader connections and one writer task that
//! commits writes in groups (see [`writer`]).
//!
//! Every connection is opened with WAL, `synchronous=FULL`, foreign keys on, a busy timeout and
//! `secure_delete`, set explicitly rather than trusted to defaults: with WAL and FULL, a
//! transaction whose COMMIT returned is on disk, so a 2xx survives `kill -9` or power loss; with
//! `secure_delete`, deleted rows are zeroed, and after an erasure the writer empties the WAL
//! (which still holds earlier copies of the pages) before it answers.

mod admin;
mod reads;
mod seed;
mod writer;

pub use admin::{
    audit_log, check_database, check_scope, create_token, list_tokens, revoke_token, token_hash,
    TOKEN_PREFIX,
};

use super::{
    AllocationRow, AssignmentRow, Audit, Caller, ChangeSink, Idem, Kind, Outcome, Row, Scope, Seed,
    SnapshotData, Store, StoreError, Write, WriteResult,
};
use async_trait::async_trait;
use koppel_core::record::{EmployerRecord, OutlookRecord};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use writer::{Op, Writer};

/// How long a connection waits on a lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connection options with every durability setting explicit.
pub fn options(path: &Path) -> Result<SqliteConnectOptions, StoreError> {
    let url = format!("sqlite://{}", path.display());
    Ok(SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        // Deleted content is overwritten with zeros, so that an erased learner cannot be read
        // back from free pages or freed cells (GDPR Art. 17).
        .pragma("secure_delete", "ON"))
}

/// Opens (creating and migrating if needed) a database for the command-line tools.
pub async fn open_pool(path: &Path, max: u32) -> Result<SqlitePool, StoreError> {
    let pool = SqlitePoolOptions::new()
        .max_connections(max)
        .connect_with(options(path)?)
        .await?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .map_err(|e| StoreError::Backend(format!("migrating the database failed: {e}")))?;
    Ok(pool)
}

/// The SQLite store.
pub struct SqliteStore {
    pool: SqlitePool,
    writer: Writer,
}

impl SqliteStore {
    /// Opens the database at `path`, migrates it, and seeds it when it holds no reference data.
    /// Returns the store and whether it was seeded.
    pub async fn open(
        path: &Path,
        seed: impl FnOnce() -> Result<Seed, String>,
    ) -> Result<(SqliteStore, bool), StoreError> {
        let pool = open_pool(path, 8).await?;
        let seeded = if seed::is_empty(&pool).await? {
            let s = seed().map_err(StoreError::Backend)?;
            seed::load(&pool, s).await?;
            true
        } else {
            false
        };
        // Jobs of a previous process that did not finish never will: say so.
        sqlx::query(
            "UPDATE allocations SET status = 'failed', error = 'the service restarted while this job ran; start it again' WHERE status IN ('queued', 'running')",
        )
        .execute(&pool)
        .await?;
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
        sqlx::query("INSERT OR IGNORE INTO meta (key, value) VALUES ('pseudonym_key', ?)")
            .bind(hex::encode(key))
            .execute(&pool)
            .await?;
        let writer = Writer::start(options(path)?).await?;
        Ok((SqliteStore { pool, writer }, seeded))
    }

    /// The database's own pseudonym key, made once at first start (used when no key is
    /// configured, so that pseudonyms stay the same across restarts).
    pub async fn pseudonym_key(&self) -> Result<Vec<u8>, StoreError> {
        let hex_key: String =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'pseudonym_key'")
                .fetch_one(&self.pool)
                .await?;
        hex::decode(hex_key).map_err(|e| StoreError::Backend(format!("stored pseudonym key: {e}")))
    }

    /// Closes the writer and the pool, waiting for queued writes.
    pub async fn close(self) {
        self.writer.close().await;
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await;
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn on_commit(&self, sink: ChangeSink) {
        self.writer.set_sink(sink);
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn caller(&self, token_hash: &str) -> Result<Option<Caller>, StoreError> {
        reads::caller(&self.pool, token_hash).await
    }

    async fn list(
        &self,
        kind: Kind,
        scope: &Scope,
        after: Option<&str>,
        limit: u32,
        audit: Option<Audit>,
    ) -> Result<Vec<Row>, StoreError> {
        let rows = reads::list(&self.pool, kind, scope, after, limit).await?;
        if let Some(a) = audit {
            let ids = rows.iter().map(|r| r.id.clone()).collect();
            self.writer
                .run(Op::AuditReads {
                    audit: a,
                    kind,
                    ids,
                })
                .await?;
        }
        Ok(rows)
    }

    async fn get(
        &self,
        kind: Kind,
        scope: &Scope,
        id: &str,
        audit: Option<Audit>,
    ) -> Result<Row, StoreError> {
        let row = reads::get(&self.pool, kind, scope, id).await?;
        if let Some(a) = audit {
            self.writer
                .run(Op::AuditReads {
                    audit: a,
                    kind,
                    ids: vec![id.to_owned()],
                })
                .await?;
        }
        Ok(row)
    }

    async fn audit_reads(&self, audit: Audit, learners: Vec<String>) -> Result<(), StoreError> {
        self.writer
            .run(Op::AuditReads {
                audit,
                kind: Kind::Learner,
                ids: learners,
            })
            .await
            .map(|_| ())
    }

    async fn write(
        &self,
        write: Write,
        audit: Audit,
        idem: Option<Idem>,
    ) -> Result<WriteResult, StoreError> {
        self.writer.run(Op::Write { write, audit, idem }).await
    }

    async fn outlook(&self) -> Result<Vec<OutlookRecord>, StoreError> {
        reads::outlook(&self.pool).await
    }

    async fn employers(&self) -> Result<Vec<EmployerRecord>, StoreError> {
        reads::reference_table(&self.pool, "employers").await
    }

    async fn snapshot(&self) -> Result<SnapshotData, StoreError> {
        reads::snapshot(&self.pool).await
    }

    async fn create_allocation(
        &self,
        id: &str,
        request: serde_json::Value,
        audit: Audit,
        idem: Option<Idem>,
    ) -> Result<WriteResult, StoreError> {
        self.writer
            .run(Op::CreateAllocation {
                id: id.to_owned(),
                request,
                audit,
                idem,
            })
            .await
    }

    async fn update_allocation(
        &self,
        id: &str,
        update: crate::store::JobUpdate,
    ) -> Result<(), StoreError> {
        use crate::store::JobUpdate;
        let (status, summary, error, assignments) = match update {
            JobUpdate::Running => ("running", None, None, Vec::new()),
            JobUpdate::Done {
                summary,
                assignments,
            } => ("done", Some(summary), None, assignments),
            JobUpdate::Failed { error } => ("failed", None, Some(error), Vec::new()),
        };
        self.writer
            .run(Op::FinishAllocation {
                id: id.to_owned(),
                status: status.to_owned(),
                summary,
                error,
                assignments,
            })
            .await
            .map(|_| ())
    }

    async fn allocation(&self, id: &str) -> Result<AllocationRow, StoreError> {
        reads::allocation(&self.pool, id).await
    }

    async fn outcome(&self, learner: &str) -> Result<Outcome, StoreError> {
        reads::outcome(&self.pool, learner).await
    }

    async fn allocations(&self, limit: u32) -> Result<Vec<AllocationRow>, StoreError> {
        reads::allocations(&self.pool, limit).await
    }

    async fn assignments(
        &self,
        id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AssignmentRow>, StoreError> {
        reads::assignments(&self.pool, id, after, limit).await
    }
}

/// Current UTC time, RFC 3339 with milliseconds.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Table, scope column and not-found name of a kind.
pub(crate) fn table(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Learner => ("learners", "region"),
        Kind::Placement => ("placements", "employer"),
    }
}
