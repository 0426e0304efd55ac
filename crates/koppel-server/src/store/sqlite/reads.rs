//! Reads on the pool (WAL readers never block the writer).

use super::table;
use crate::store::{
    AllocatedRow, AllocationRow, AssignmentRow, Caller, Kind, Outcome, ProposalRow, Role, Row,
    Scope, SnapshotData, StoreError,
};
use koppel_core::record::OutlookRecord;
use koppel_core::{Lined, ReferenceRecords};
use serde::de::DeserializeOwned;
use sqlx::{Row as _, SqliteConnection, SqlitePool};

fn json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Backend(format!("stored {what} is not valid JSON: {e}")))
}

/// The scope as a JSON array for `json_each`, or `None` for all.
pub(crate) fn scope_json(scope: &Scope) -> Option<String> {
    scope
        .0
        .as_ref()
        .map(|k| serde_json::to_string(k).unwrap_or_else(|_| "[]".into()))
}

pub(super) async fn caller(pool: &SqlitePool, hash: &str) -> Result<Option<Caller>, StoreError> {
    let row = sqlx::query(
        "SELECT id, role, regions, employers FROM tokens WHERE hash = ? AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let role: String = r.get("role");
    Ok(Some(Caller {
        token_id: r.get("id"),
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Backend(format!("unknown role `{role}` stored")))?,
        regions: json(r.get("regions"), "token regions")?,
        employers: json(r.get("employers"), "token employers")?,
    }))
}

pub(super) async fn list(
    pool: &SqlitePool,
    kind: Kind,
    scope: &Scope,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<Row>, StoreError> {
    let (tbl, col) = table(kind);
    let sql = format!(
        "SELECT id, version, body FROM {tbl}
         WHERE id > ?1 AND (?2 IS NULL OR {col} IN (SELECT value FROM json_each(?2)))
         ORDER BY id LIMIT ?3"
    );
    let rows = sqlx::query(&sql)
        .bind(after.unwrap_or(""))
        .bind(scope_json(scope))
        .bind(limit as i64)
        .fetch_all(pool)
        .await?;
    rows.into_iter().map(to_row).collect()
}

fn to_row(r: sqlx::sqlite::SqliteRow) -> Result<Row, StoreError> {
    Ok(Row {
        id: r.get("id"),
        version: r.get("version"),
        body: json(r.get("body"), "record")?,
    })
}

/// One record in scope, on any connection (the writer uses it inside its transaction).
pub(crate) async fn get_on(
    conn: &mut SqliteConnection,
    kind: Kind,
    scope: &Scope,
    id: &str,
) -> Result<Row, StoreError> {
    let (tbl, col) = table(kind);
    let sql = format!(
        "SELECT id, version, body FROM {tbl}
         WHERE id = ?1 AND (?2 IS NULL OR {col} IN (SELECT value FROM json_each(?2)))"
    );
    match sqlx::query(&sql)
        .bind(id)
        .bind(scope_json(scope))
        .fetch_optional(&mut *conn)
        .await?
    {
        Some(r) => to_row(r),
        None => Err(StoreError::NotFound {
            what: kind.as_str(),
            id: id.to_owned(),
        }),
    }
}

pub(super) async fn get(
    pool: &SqlitePool,
    kind: Kind,
    scope: &Scope,
    id: &str,
) -> Result<Row, StoreError> {
    let mut conn = pool.acquire().await?;
    get_on(&mut conn, kind, scope, id).await
}

pub(super) async fn outlook(pool: &SqlitePool) -> Result<Vec<OutlookRecord>, StoreError> {
    let mut conn = pool.acquire().await?;
    outlook_on(&mut conn).await
}

async fn outlook_on(conn: &mut SqliteConnection) -> Result<Vec<OutlookRecord>, StoreError> {
    let rows =
        sqlx::query("SELECT sector, region, internship, work FROM outlook ORDER BY sector, region")
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| OutlookRecord {
            sector: r.get("sector"),
            region: r.get("region"),
            internship: r.get("internship"),
            work: r.get("work"),
        })
        .collect())
}

pub(super) async fn reference_table<T: DeserializeOwned>(
    pool: &SqlitePool,
    tbl: &str,
) -> Result<Vec<T>, StoreError> {
    let mut conn = pool.acquire().await?;
    reference_on(&mut conn, tbl).await
}

async fn reference_on<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    tbl: &str,
) -> Result<Vec<T>, StoreError> {
    let body: Option<String> = sqlx::query_scalar("SELECT body FROM reference WHERE tbl = ?")
        .bind(tbl)
        .fetch_optional(&mut *conn)
        .await?;
    match body {
        Some(b) => json(&b, tbl),
        None => Ok(Vec::new()),
    }
}

/// Everything, in one read transaction so that it is consistent.
pub(super) async fn snapshot(pool: &SqlitePool) -> Result<SnapshotData, StoreError> {
    let mut tx = pool.begin().await?;
    let reference = ReferenceRecords {
        regions: Lined::numbered(reference_on(&mut tx, "regions").await?),
        adjacency: Lined::numbered(reference_on(&mut tx, "adjacency").await?),
        sectors: Lined::numbered(reference_on(&mut tx, "sectors").await?),
        qualifications: Lined::numbered(reference_on(&mut tx, "qualifications").await?),
        outlook: Vec::new(),
        employers: Lined::numbered(reference_on(&mut tx, "employers").await?),
    };
    let outlook = outlook_on(&mut tx).await?;
    let bodies = |sql: &'static str| sqlx::query_scalar::<_, String>(sql);
    let learners: Vec<String> = bodies("SELECT body FROM learners ORDER BY id")
        .fetch_all(&mut *tx)
        .await?;
    let placements: Vec<String> = bodies("SELECT body FROM placements ORDER BY id")
        .fetch_all(&mut *tx)
        .await?;
    let policy: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'policy'")
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    let parse = |v: Vec<String>| -> Result<Vec<serde_json::Value>, StoreError> {
        v.iter().map(|s| json(s, "record")).collect()
    };
    Ok(SnapshotData {
        reference,
        outlook,
        learners: parse(learners)?,
        placements: parse(placements)?,
        policy,
    })
}

pub(super) async fn allocation(pool: &SqlitePool, id: &str) -> Result<AllocationRow, StoreError> {
    let r = sqlx::query(
        "SELECT id, status, request, summary, error, created_at FROM allocations WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        what: "allocation",
        id: id.to_owned(),
    })?;
    let summary: Option<String> = r.get("summary");
    Ok(AllocationRow {
        id: r.get("id"),
        status: r.get("status"),
        request: json(r.get("request"), "allocation request")?,
        summary: summary.map(|s| json(&s, "summary")).transpose()?,
        error: r.get("error"),
        created_at: r.get("created_at"),
    })
}

/// A learner's latest proposal and their outcome in the latest finished allocation.
pub(super) async fn outcome(pool: &SqlitePool, learner: &str) -> Result<Outcome, StoreError> {
    let proposal = sqlx::query(
        "SELECT placement, reason, token_id, created_at FROM proposals
         WHERE learner_id = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(learner)
    .fetch_optional(pool)
    .await?
    .map(|r| ProposalRow {
        placement: r.get("placement"),
        reason: r.get("reason"),
        token_id: r.get("token_id"),
        created_at: r.get("created_at"),
    });
    let latest = sqlx::query(
        "SELECT id, created_at FROM allocations WHERE status = 'done'
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    let allocation = match latest {
        None => None,
        Some(a) => {
            let id: String = a.get("id");
            let row = sqlx::query(
                "SELECT placement_id, score, rank FROM assignments
                 WHERE allocation_id = ? AND learner_id = ?",
            )
            .bind(&id)
            .bind(learner)
            .fetch_optional(pool)
            .await?;
            Some(AllocatedRow {
                allocation: id,
                created_at: a.get("created_at"),
                placement: row.as_ref().map(|r| r.get("placement_id")),
                score: row.as_ref().map(|r| r.get("score")),
                rank: row.as_ref().map(|r| r.get("rank")),
            })
        }
    };
    Ok(Outcome::new(learner.to_owned(), proposal, allocation))
}

/// The newest jobs first, without their summaries.
pub(super) async fn allocations(
    pool: &SqlitePool,
    limit: u32,
) -> Result<Vec<AllocationRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, status, request, error, created_at FROM allocations
         ORDER BY created_at DESC, id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AllocationRow {
                id: r.get("id"),
                status: r.get("status"),
                request: json(r.get("request"), "allocation request")?,
                summary: None,
                error: r.get("error"),
                created_at: r.get("created_at"),
            })
        })
        .collect()
}

pub(super) async fn assignments(
    pool: &SqlitePool,
    id: &str,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<AssignmentRow>, StoreError> {
    // By pseudonym, never by learner id: an order by id would line up the rows of two
    // allocations learner by learner, and a cursor of an id would carry it.
    let rows = sqlx::query(
        "SELECT pseudonym, placement_id, public_score FROM assignments
         WHERE allocation_id = ? AND pseudonym IS NOT NULL AND pseudonym > ?
         ORDER BY pseudonym LIMIT ?",
    )
    .bind(id)
    .bind(after.unwrap_or(""))
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AssignmentRow {
            pseudonym: r.get("pseudonym"),
            placement: r.get("placement_id"),
            public_score: r.get("public_score"),
        })
        .collect())
}
