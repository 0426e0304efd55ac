//! First start: an empty database gets the reference tables, learners, placements and policy.

use crate::store::{Seed, StoreError};
use koppel_core::Lined;
use serde::Serialize;
use sqlx::SqlitePool;

pub(super) async fn is_empty(pool: &SqlitePool) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM reference")
        .fetch_one(pool)
        .await?;
    Ok(n == 0)
}

fn records<T: Serialize>(v: &[Lined<T>]) -> Result<String, StoreError> {
    let plain: Vec<&T> = v.iter().map(|l| &l.record).collect();
    serde_json::to_string(&plain).map_err(|e| StoreError::Backend(e.to_string()))
}

/// Loads everything in one transaction: a crash mid-seed leaves an empty database, which the
/// next start seeds again.
pub(super) async fn load(pool: &SqlitePool, seed: Seed) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let r = &seed.reference;
    for (tbl, body) in [
        ("regions", records(&r.regions)?),
        ("adjacency", records(&r.adjacency)?),
        ("sectors", records(&r.sectors)?),
        ("qualifications", records(&r.qualifications)?),
        ("employers", records(&r.employers)?),
    ] {
        sqlx::query("INSERT INTO reference (tbl, body) VALUES (?, ?)")
            .bind(tbl)
            .bind(body)
            .execute(&mut *tx)
            .await?;
    }
    for o in &r.outlook {
        let o = &o.record;
        sqlx::query("INSERT INTO outlook (sector, region, internship, work) VALUES (?, ?, ?, ?)")
            .bind(&o.sector)
            .bind(&o.region)
            .bind(o.internship)
            .bind(o.work)
            .execute(&mut *tx)
            .await?;
    }
    for l in &seed.learners {
        sqlx::query("INSERT INTO learners (id, region, version, body) VALUES (?, ?, 1, ?)")
            .bind(&l.id)
            .bind(&l.region)
            .bind(to_json(l)?)
            .execute(&mut *tx)
            .await?;
    }
    for p in &seed.placements {
        sqlx::query("INSERT INTO placements (id, employer, version, body) VALUES (?, ?, 1, ?)")
            .bind(&p.id)
            .bind(&p.employer)
            .bind(to_json(p)?)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(policy) = &seed.policy {
        sqlx::query("INSERT INTO meta (key, value) VALUES ('policy', ?)")
            .bind(policy)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn to_json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(e.to_string()))
}
