//! The single writer with group commit.
//!
//! SQLite allows one writer at a time and, with `synchronous=FULL`, every COMMIT waits for the
//! disk. Rather than letting request tasks queue on the database lock, they send their change
//! to this task, which takes every change waiting, applies each inside its own SAVEPOINT (so one
//! failing change rolls back alone), commits the batch once, and only then answers each sender.
//! Under load one fsync covers many requests; no answer is sent before its data is durable.

use super::reads::get_on;
use super::{now, table};
use crate::store::{
    etag, Audit, Change, ChangeSink, Idem, Kind, Scope, StoreError, Write, WriteResult,
};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::sync::{Arc, RwLock};
use tokio::sync::{mpsc, oneshot};

/// Most changes in one transaction.
const MAX_BATCH: usize = 256;

/// A change the writer applies.
pub(crate) enum Op {
    /// Audit rows for reads of records.
    AuditReads {
        audit: Audit,
        kind: Kind,
        ids: Vec<String>,
    },
    /// A change to learners, placements, outlook or proposals.
    Write {
        write: Write,
        audit: Audit,
        idem: Option<Idem>,
    },
    /// A new allocation job.
    CreateAllocation {
        id: String,
        request: serde_json::Value,
        audit: Audit,
        idem: Option<Idem>,
    },
    /// A job's outcome.
    FinishAllocation {
        id: String,
        status: String,
        summary: Option<serde_json::Value>,
        error: Option<String>,
        assignments: Vec<crate::store::StoredAssignment>,
    },
}

struct Job {
    op: Op,
    reply: oneshot::Sender<Result<WriteResult, StoreError>>,
}

/// Handle to the writer task.
pub(crate) struct Writer {
    tx: mpsc::Sender<Job>,
    thread: std::thread::JoinHandle<()>,
    sink: Arc<RwLock<Option<ChangeSink>>>,
}

impl Writer {
    /// Opens the writer's own connection on its own thread (with a single-threaded runtime,
    /// so that nothing else ever waits behind a commit) and starts taking changes.
    pub async fn start(opts: SqliteConnectOptions) -> Result<Writer, StoreError> {
        let (tx, rx) = mpsc::channel(4096);
        let (ready_tx, ready) = oneshot::channel();
        let sink: Arc<RwLock<Option<ChangeSink>>> = Arc::default();
        let feed = sink.clone();
        let thread = std::thread::Builder::new()
            .name("koppel-writer".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(StoreError::Backend(e.to_string())));
                        return;
                    }
                };
                rt.block_on(async move {
                    match opts.connect().await {
                        Ok(conn) => {
                            let _ = ready_tx.send(Ok(()));
                            run(conn, rx, feed).await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.into()));
                        }
                    }
                });
            })
            .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
        ready
            .await
            .map_err(|_| StoreError::Backend("the writer thread stopped".into()))??;
        Ok(Writer { tx, thread, sink })
    }

    /// Sets the receiver of committed changes.
    pub fn set_sink(&self, sink: ChangeSink) {
        *self.sink.write().unwrap_or_else(|e| e.into_inner()) = Some(sink);
    }

    /// Applies one change; returns once it is committed (or failed).
    pub async fn run(&self, op: Op) -> Result<WriteResult, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job { op, reply })
            .await
            .map_err(|_| StoreError::Backend("the writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Backend("the writer stopped before answering".into()))?
    }

    /// Stops taking changes and waits for those queued.
    pub async fn close(self) {
        drop(self.tx);
        let thread = self.thread;
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    }
}

async fn run(
    mut conn: SqliteConnection,
    mut rx: mpsc::Receiver<Job>,
    sink: Arc<RwLock<Option<ChangeSink>>>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // An erasure whose old page copies may still be in the WAL.
    let mut wal_holds_erased = false;
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let started = std::time::Instant::now();
        let erases = batch.iter().any(|j| j.op.erases());
        let mut results = commit_batch(&mut conn, &mut batch).await;
        if erases || wal_holds_erased {
            wal_holds_erased = !empty_wal(&mut conn).await;
        }
        tracing::debug!(
            batch = batch.len(),
            commit_us = started.elapsed().as_micros() as u64,
            "batch committed"
        );
        // Committed: the engine hears of every change before anyone is answered, so a client
        // that reads after its write finds the change at least pending.
        let changes: Vec<Change> = results
            .iter_mut()
            .filter_map(|r| r.as_mut().ok().and_then(|w| w.change.take()))
            .collect();
        if !changes.is_empty() {
            if let Some(f) = sink.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
                f(changes);
            }
        }
        for (job, result) in batch.drain(..).zip(results) {
            let _ = job.reply.send(result); // the requester may have gone; its data is in
        }
    }
    let _ = conn.close().await;
}

impl Op {
    /// Whether this erases a learner.
    fn erases(&self) -> bool {
        matches!(
            self,
            Op::Write {
                write: Write::Delete {
                    kind: Kind::Learner,
                    ..
                },
                ..
            }
        )
    }
}

/// Copies the WAL into the database file and truncates it to zero bytes, so that no earlier
/// copy of an erased learner's pages stays readable in it (`secure_delete` has zeroed them in
/// the pages written since). Waits for readers up to the busy timeout; returns whether the WAL
/// is empty (if not, the writer tries again after its next batch).
async fn empty_wal(conn: &mut SqliteConnection) -> bool {
    match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut *conn)
        .await
    {
        Ok((0, _, _)) => true,
        Ok(_) => {
            tracing::warn!(
                "readers kept the WAL busy after an erasure; truncating it after the next write"
            );
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "emptying the WAL after an erasure failed; trying again after the next write");
            false
        }
    }
}

/// Applies every job in one transaction; each job's result, or the commit's error for all.
async fn commit_batch(
    conn: &mut SqliteConnection,
    batch: &mut [Job],
) -> Vec<Result<WriteResult, StoreError>> {
    let fail_all = |e: StoreError, n: usize| -> Vec<Result<WriteResult, StoreError>> {
        (0..n)
            .map(|_| Err(StoreError::Backend(e.to_string())))
            .collect()
    };
    if let Err(e) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        return fail_all(e.into(), batch.len());
    }
    // Audit rows of reads go in together, in a few multi-row INSERTs; other changes one by
    // one, each in its own savepoint.
    let mut results: Vec<Option<Result<WriteResult, StoreError>>> = Vec::with_capacity(batch.len());
    let mut reads = Vec::new();
    for (i, job) in batch.iter_mut().enumerate() {
        if let Op::AuditReads { audit, kind, ids } = &mut job.op {
            for id in std::mem::take(ids) {
                reads.push((i, audit.clone(), kind.as_str(), id));
            }
        }
        results.push(None);
    }
    if !reads.is_empty() {
        let outcome = audit_rows(conn, &reads).await;
        for (i, ..) in &reads {
            results[*i] = Some(match &outcome {
                Ok(()) => Ok(nothing()),
                Err(e) => Err(StoreError::Backend(e.to_string())),
            });
        }
    }
    for (i, job) in batch.iter_mut().enumerate() {
        if matches!(job.op, Op::AuditReads { .. }) {
            results[i].get_or_insert_with(|| Ok(nothing()));
            continue;
        }
        let op = std::mem::replace(
            &mut job.op,
            Op::AuditReads {
                audit: Audit {
                    token_id: 0,
                    route: String::new(),
                    action: "",
                },
                kind: Kind::Learner,
                ids: Vec::new(),
            },
        );
        results[i] = Some(in_savepoint(conn, op).await);
    }
    let results: Vec<_> = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Ok(nothing())))
        .collect();
    match sqlx::query("COMMIT").execute(&mut *conn).await {
        Ok(_) => results,
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            fail_all(e.into(), batch.len())
        }
    }
}

async fn in_savepoint(conn: &mut SqliteConnection, op: Op) -> Result<WriteResult, StoreError> {
    sqlx::query("SAVEPOINT op").execute(&mut *conn).await?;
    let result = apply(conn, op).await;
    let end = if result.is_ok() {
        "RELEASE op"
    } else {
        "ROLLBACK TO op; RELEASE op"
    };
    sqlx::raw_sql(end).execute(&mut *conn).await?;
    result
}

async fn apply(conn: &mut SqliteConnection, op: Op) -> Result<WriteResult, StoreError> {
    match op {
        Op::AuditReads { audit, kind, ids } => {
            for id in &ids {
                audit_row(conn, &audit, kind.as_str(), id).await?;
            }
            Ok(nothing())
        }
        Op::Write { write, audit, idem } => {
            let learner = match &write {
                Write::Create {
                    kind: Kind::Learner,
                    id,
                    ..
                }
                | Write::Update {
                    kind: Kind::Learner,
                    id,
                    ..
                } => Some(id.clone()),
                Write::Propose { learner, .. } => Some(learner.clone()),
                _ => None,
            };
            if let Some(stored) = replay(conn, audit.token_id, idem.as_ref()).await? {
                // The stored answer holds the learner's data: handing it out again is a read
                // by a person, audited as such.
                if let (Some(id), true) = (&learner, (200..300).contains(&stored.status)) {
                    let replayed = Audit {
                        action: "replay",
                        ..audit.clone()
                    };
                    audit_row(conn, &replayed, "learner", id).await?;
                }
                return Ok(stored);
            }
            let result = apply_write(conn, write, &audit).await?;
            remember(conn, audit.token_id, idem, learner.as_deref(), &result).await?;
            Ok(result)
        }
        Op::CreateAllocation {
            id,
            request,
            audit,
            idem,
        } => {
            if let Some(stored) = replay(conn, audit.token_id, idem.as_ref()).await? {
                return Ok(stored);
            }
            let created = now();
            sqlx::query(
                "INSERT INTO allocations (id, status, request, created_at) VALUES (?, 'queued', ?, ?)",
            )
            .bind(&id)
            .bind(request.to_string())
            .bind(&created)
            .execute(&mut *conn)
            .await?;
            audit_row(conn, &audit, "allocation", &id).await?;
            let body = serde_json::json!({
                "id": id, "status": "queued", "request": request, "summary": null,
                "error": null, "created_at": created,
            });
            let result = WriteResult {
                status: 202,
                body,
                etag: None,
                location: Some(format!("/v1/allocations/{id}")),
                change: None,
                replayed: false,
            };
            remember(conn, audit.token_id, idem, None, &result).await?;
            Ok(result)
        }
        Op::FinishAllocation {
            id,
            status,
            summary,
            error,
            assignments,
        } => {
            sqlx::query("UPDATE allocations SET status = ?, summary = ?, error = ? WHERE id = ?")
                .bind(&status)
                .bind(summary.map(|s| s.to_string()))
                .bind(error)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
            for a in &assignments {
                // A learner erased while the job ran is not written back.
                sqlx::query(
                    "INSERT INTO assignments
                       (allocation_id, learner_id, placement_id, score, rank, pseudonym, public_score)
                     SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM learners WHERE id = ?)",
                )
                .bind(&id)
                .bind(&a.learner)
                .bind(&a.placement)
                .bind(a.score)
                .bind(a.rank)
                .bind(&a.pseudonym)
                .bind(a.public_score)
                .bind(&a.learner)
                .execute(&mut *conn)
                .await?;
            }
            Ok(nothing())
        }
    }
}

fn nothing() -> WriteResult {
    WriteResult {
        status: 204,
        body: serde_json::Value::Null,
        etag: None,
        location: None,
        change: None,
        replayed: false,
    }
}

/// Many audit rows in multi-row INSERTs (SQLite allows 32766 bound values per statement).
async fn audit_rows(
    conn: &mut SqliteConnection,
    rows: &[(usize, Audit, &str, String)],
) -> Result<(), StoreError> {
    let at = now();
    for chunk in rows.chunks(1000) {
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO audit (at, token_id, route, action, record_kind, record_id) ",
        );
        q.push_values(chunk, |mut b, (_, audit, kind, id)| {
            b.push_bind(&at)
                .push_bind(audit.token_id)
                .push_bind(&audit.route)
                .push_bind(audit.action)
                .push_bind(*kind)
                .push_bind(id);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

async fn audit_row(
    conn: &mut SqliteConnection,
    audit: &Audit,
    kind: &str,
    id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit (at, token_id, route, action, record_kind, record_id) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(now())
    .bind(audit.token_id)
    .bind(&audit.route)
    .bind(audit.action)
    .bind(kind)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The stored first result for this key, if any; a different request under it is refused.
async fn replay(
    conn: &mut SqliteConnection,
    token: i64,
    idem: Option<&Idem>,
) -> Result<Option<WriteResult>, StoreError> {
    let Some(idem) = idem else { return Ok(None) };
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT request_hash, result FROM idempotency WHERE token_id = ? AND key = ?",
    )
    .bind(token)
    .bind(&idem.key)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(None),
        Some((hash, _)) if hash != idem.request_hash => Err(StoreError::IdempotencyMismatch),
        Some((_, result)) => serde_json::from_str(&result)
            .map(|r: WriteResult| {
                Some(WriteResult {
                    replayed: true,
                    ..r
                })
            })
            .map_err(|e| StoreError::Backend(format!("stored idempotent result: {e}"))),
    }
}

async fn remember(
    conn: &mut SqliteConnection,
    token: i64,
    idem: Option<Idem>,
    learner: Option<&str>,
    result: &WriteResult,
) -> Result<(), StoreError> {
    let Some(idem) = idem else { return Ok(()) };
    sqlx::query(
        "INSERT INTO idempotency (token_id, key, request_hash, learner_id, result, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(token)
    .bind(&idem.key)
    .bind(&idem.request_hash)
    .bind(learner)
    .bind(serde_json::to_string(result).map_err(|e| StoreError::Backend(e.to_string()))?)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `If-Match` per RFC 9110: `*`, or a list of entity tags compared strongly (a weak tag
/// `W/"…"` never matches).
fn check_version(current: i64, if_match: &str) -> Result<(), StoreError> {
    let want = etag(current);
    let matches = if_match.trim() == "*"
        || if_match
            .split(',')
            .map(str::trim)
            .any(|tag| !tag.starts_with("W/") && tag == want);
    if matches {
        Ok(())
    } else {
        Err(StoreError::VersionMismatch { current: want })
    }
}

fn location(kind: Kind, id: &str) -> String {
    format!("/v1/{}/{id}", table(kind).0)
}

async fn apply_write(
    conn: &mut SqliteConnection,
    write: Write,
    audit: &Audit,
) -> Result<WriteResult, StoreError> {
    match write {
        Write::Create {
            kind,
            id,
            scope_key,
            body,
        } => {
            let (tbl, col) = table(kind);
            let inserted = sqlx::query(&format!(
                "INSERT INTO {tbl} (id, {col}, version, body) VALUES (?, ?, 1, ?) ON CONFLICT (id) DO NOTHING"
            ))
            .bind(&id)
            .bind(&scope_key)
            .bind(body.to_string())
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Err(StoreError::Conflict(format!(
                    "a {} with id `{id}` already exists; choose another id",
                    kind.as_str()
                )));
            }
            audit_row(conn, audit, kind.as_str(), &id).await?;
            Ok(WriteResult {
                replayed: false,
                status: 201,
                etag: Some(etag(1)),
                location: Some(location(kind, &id)),
                change: Some(Change::Upsert {
                    kind,
                    id,
                    body: body.clone(),
                }),
                body,
            })
        }
        Write::Update {
            kind,
            id,
            scope,
            if_match,
            patch,
            validate,
        } => {
            let row = get_on(conn, kind, &scope, &id).await?;
            check_version(row.version, &if_match)?;
            let mut merged = row.body;
            merge_patch(&mut merged, &patch);
            if merged.get("id").and_then(|v| v.as_str()) != Some(id.as_str()) {
                return Err(StoreError::Invalid(vec![crate::store::InvalidField {
                    field: "id".into(),
                    reason: "the id of a record cannot be changed".into(),
                }]));
            }
            let (body, scope_key) = validate(merged).map_err(StoreError::Invalid)?;
            let (tbl, col) = table(kind);
            let version = row.version + 1;
            sqlx::query(&format!(
                "UPDATE {tbl} SET {col} = ?, version = ?, body = ? WHERE id = ?"
            ))
            .bind(&scope_key)
            .bind(version)
            .bind(body.to_string())
            .bind(&id)
            .execute(&mut *conn)
            .await?;
            audit_row(conn, audit, kind.as_str(), &id).await?;
            Ok(WriteResult {
                replayed: false,
                status: 200,
                etag: Some(etag(version)),
                location: None,
                change: Some(Change::Upsert {
                    kind,
                    id,
                    body: body.clone(),
                }),
                body,
            })
        }
        Write::Delete {
            kind,
            id,
            scope,
            if_match,
        } => {
            let row = get_on(conn, kind, &scope, &id).await?;
            if let Some(m) = if_match {
                check_version(row.version, &m)?;
            }
            let (tbl, _) = table(kind);
            sqlx::query(&format!("DELETE FROM {tbl} WHERE id = ?"))
                .bind(&id)
                .execute(&mut *conn)
                .await?;
            if kind == Kind::Learner {
                erase_derived(conn, &id).await?;
            }
            audit_row(conn, audit, kind.as_str(), &id).await?;
            Ok(WriteResult {
                change: Some(Change::Delete { kind, id }),
                replayed: false,
                ..nothing()
            })
        }
        Write::ReplaceOutlook(records) => {
            sqlx::query("DELETE FROM outlook")
                .execute(&mut *conn)
                .await?;
            for r in &records {
                sqlx::query(
                    "INSERT INTO outlook (sector, region, internship, work) VALUES (?, ?, ?, ?)",
                )
                .bind(&r.sector)
                .bind(&r.region)
                .bind(r.internship)
                .bind(r.work)
                .execute(&mut *conn)
                .await?;
            }
            audit_row(conn, audit, "outlook", "*").await?;
            Ok(WriteResult {
                status: 200,
                body: serde_json::to_value(&records).unwrap_or_default(),
                etag: None,
                location: None,
                change: Some(Change::Outlook(records)),
                replayed: false,
            })
        }
        Write::Propose {
            learner,
            scope,
            placement,
            proposal,
        } => {
            get_on(conn, Kind::Learner, &scope, &learner).await?;
            get_on(conn, Kind::Placement, &Scope::all(), &placement).await?;
            let created = now();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO proposals (learner_id, placement, reason, token_id, created_at)
                 VALUES (?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&learner)
            .bind(&placement)
            .bind(&proposal.reason)
            .bind(audit.token_id)
            .bind(&created)
            .fetch_one(&mut *conn)
            .await?;
            audit_row(conn, audit, "learner", &learner).await?;
            Ok(WriteResult {
                status: 201,
                body: serde_json::json!({
                    "id": id, "learner": learner, "placement": placement,
                    "reason": proposal.reason, "created_at": created,
                }),
                etag: None,
                location: None,
                change: None,
                replayed: false,
            })
        }
    }
}

/// Right to erasure: everything derived from a learner goes with them. Audit rows stay (they
/// hold who read or changed which id, never the data, and are kept for accountability).
/// Stored idempotent answers that held their data become a data-free 410, so that a late
/// retry of an old request cannot bring the learner back.
async fn erase_derived(conn: &mut SqliteConnection, id: &str) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM assignments WHERE learner_id = ?",
        "DELETE FROM proposals WHERE learner_id = ?",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *conn).await?;
    }
    let gone = crate::error::Problem::new(
        axum::http::StatusCode::GONE,
        "erased",
        "this request concerned a learner who has since been erased; it was not repeated",
    );
    let tombstone = WriteResult {
        status: 410,
        body: serde_json::to_value(gone.body()).unwrap_or_default(),
        etag: None,
        location: None,
        change: None,
        replayed: false,
    };
    sqlx::query("UPDATE idempotency SET result = ? WHERE learner_id = ?")
        .bind(serde_json::to_string(&tombstone).map_err(|e| StoreError::Backend(e.to_string()))?)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// JSON merge patch (RFC 7396).
pub(crate) fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let t = target.as_object_mut().expect("made an object above");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396_examples() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": ["b"]});
        merge_patch(&mut t, &json!({"a": "c"}));
        assert_eq!(t, json!({"a": "c"}));
        let mut t = json!({"e": null});
        merge_patch(&mut t, &json!({"a": 1}));
        assert_eq!(t, json!({"e": null, "a": 1}));
    }
}
