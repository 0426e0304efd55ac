//! What the `koppel token` and `koppel audit` commands do on a database file.

use crate::store::{AuditEntry, Role, StoreError, TokenInfo};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqlitePool};

/// Prefix of every token, so that a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "kpl_";

/// SHA-256 of a token, hex: the only form stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token; returns its id and the secret, which is not stored and cannot be shown again.
pub async fn create_token(
    pool: &SqlitePool,
    role: Role,
    regions: &[String],
    employers: &[String],
) -> Result<(i64, String), StoreError> {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tokens (hash, role, regions, employers, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(token_hash(&token))
    .bind(role.as_str())
    .bind(serde_json::to_string(regions).unwrap_or_default())
    .bind(serde_json::to_string(employers).unwrap_or_default())
    .bind(super::now())
    .fetch_one(pool)
    .await?;
    Ok((id, token))
}

/// Revokes a token by id; `false` if there is no such active token.
pub async fn revoke_token(pool: &SqlitePool, id: i64) -> Result<bool, StoreError> {
    let n = sqlx::query("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(super::now())
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Every token, without secrets.
pub async fn list_tokens(pool: &SqlitePool) -> Result<Vec<TokenInfo>, StoreError> {
    let rows =
        sqlx::query("SELECT id, role, regions, employers, revoked_at FROM tokens ORDER BY id")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| TokenInfo {
            id: r.get("id"),
            role: r.get("role"),
            regions: serde_json::from_str(r.get("regions")).unwrap_or_default(),
            employers: serde_json::from_str(r.get("employers")).unwrap_or_default(),
            revoked: r.get::<Option<String>, _>("revoked_at").is_some(),
        })
        .collect())
}

/// The audit log, oldest first, optionally for one learner.
pub async fn audit_log(
    pool: &SqlitePool,
    learner: Option<&str>,
) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.id, a.at, a.token_id, t.role, a.route, a.action, a.record_kind, a.record_id
         FROM audit a JOIN tokens t ON t.id = a.token_id
         WHERE ?1 IS NULL OR (a.record_kind = 'learner' AND a.record_id = ?1)
         ORDER BY a.id",
    )
    .bind(learner)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.get("id"),
            at: r.get("at"),
            token_id: r.get("token_id"),
            role: r.get("role"),
            route: r.get("route"),
            action: r.get("action"),
            record_kind: r.get("record_kind"),
            record_id: r.get("record_id"),
        })
        .collect())
}

/// Checks that regions and employers a token is bound to exist in the database's reference
/// data (`Err` names the first unknown one). Binding a token to a misspelt region would
/// silently give it nothing.
pub async fn check_scope(
    pool: &SqlitePool,
    regions: &[String],
    employers: &[String],
) -> Result<Result<(), String>, StoreError> {
    for (tbl, field, codes) in [("regions", "code", regions), ("employers", "id", employers)] {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM reference WHERE tbl = ?")
            .bind(tbl)
            .fetch_optional(pool)
            .await?;
        let Some(body) = body else {
            if codes.is_empty() {
                continue;
            }
            return Ok(Err(format!(
                "the database has no {tbl} yet; start `koppel serve --db` on it once first"
            )));
        };
        let known: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap_or_default();
        for c in codes {
            if !known
                .iter()
                .any(|k| k.get(field).and_then(|v| v.as_str()) == Some(c))
            {
                return Ok(Err(format!("unknown {} `{c}`", &tbl[..tbl.len() - 1])));
            }
        }
    }
    Ok(Ok(()))
}

/// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`: every problem found, empty if the
/// file is sound.
pub async fn check_database(pool: &SqlitePool) -> Result<Vec<String>, StoreError> {
    let mut problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(pool)
        .await?
        .into_iter()
        .filter(|s: &String| s != "ok")
        .collect();
    for r in sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(pool)
        .await?
    {
        let table: String = r.get(0);
        let rowid: Option<i64> = r.get(1);
        let parent: String = r.get(2);
        problems.push(format!(
            "foreign key: row {rowid:?} of {table} points to a missing {parent} row"
        ));
    }
    Ok(problems)
}
