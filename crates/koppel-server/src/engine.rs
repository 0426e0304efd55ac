//! The in-memory matching engine: an immutable snapshot (dataset, scorer, indexes) of the
//! database as of one change, swapped atomically when a newer one is built.
//!
//! Writes commit to the database first; then the handler tells the engine which record changed
//! at which change number, and a background task rebuilds the snapshot (coalescing bursts of
//! writes into one rebuild). Reads about one record wait until the snapshot includes that
//! record's last change, so an advisor never sees matches for a learner as they were before
//! their own edit, and an erased learner is gone from matches at once.

use crate::store::{SnapshotData, Store};
use koppel_core::record::{LearnerRecord, PlacementRecord};
use koppel_core::{
    Dataset, LearnerIndex, Lined, PlacementIndex, PolicyConfig, PolicySet, Reference, Scorer,
};
use self_cell::self_cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::{watch, Notify};

type ScorerOf<'d> = Scorer<'d>;

self_cell!(
    struct Scored {
        owner: Dataset,
        #[covariant]
        dependent: ScorerOf,
    }
);

/// One immutable state of the engine.
pub struct Snapshot {
    /// Change number it reflects.
    pub seq: u64,
    scored: Scored,
    /// Top-k placements per learner.
    pub placements: PlacementIndex,
    /// Top-k learners per placement.
    pub learners: LearnerIndex,
}

impl Snapshot {
    /// Builds a snapshot; fails if stored data no longer validates (it was validated on write).
    pub fn build(d: SnapshotData) -> Result<Snapshot, String> {
        let mut reference = d.reference;
        reference.outlook = lined(d.outlook);
        let reference = Reference::build(reference).map_err(first_error)?;
        let learners = parse::<LearnerRecord>(d.learners)?;
        let placements = parse::<PlacementRecord>(d.placements)?;
        let data = Dataset::build(reference, learners, placements).map_err(first_error)?;
        let policies = match d.policy {
            Some(text) => {
                let cfg: PolicyConfig = toml::from_str(&text).map_err(|e| e.to_string())?;
                PolicySet::resolve(&cfg, &data.reference).map_err(|e| e.to_string())?
            }
            None => PolicySet::uniform(Default::default(), data.reference.regions.len()),
        };
        let placements = PlacementIndex::build(&data);
        let learners = LearnerIndex::build(&data);
        Ok(Snapshot {
            seq: d.seq,
            scored: Scored::new(data, |data| Scorer::new(data, policies)),
            placements,
            learners,
        })
    }

    /// The dataset.
    pub fn data(&self) -> &Dataset {
        self.scored.borrow_owner()
    }

    /// The scorer.
    pub fn scorer(&self) -> &Scorer<'_> {
        self.scored.borrow_dependent()
    }

    /// The reference tables.
    pub fn reference(&self) -> &Reference {
        &self.data().reference
    }
}

fn lined<T>(v: Vec<T>) -> Vec<Lined<T>> {
    v.into_iter()
        .enumerate()
        .map(|(i, record)| Lined {
            line: i as u64 + 1,
            record,
        })
        .collect()
}

fn parse<T: serde::de::DeserializeOwned>(
    v: Vec<serde_json::Value>,
) -> Result<Vec<Lined<T>>, String> {
    let records: Result<Vec<T>, _> = v.into_iter().map(serde_json::from_value).collect();
    records.map(lined).map_err(|e| e.to_string())
}

fn first_error(e: Vec<koppel_core::RecordError>) -> String {
    e.first()
        .map_or_else(|| "invalid data".into(), ToString::to_string)
}

/// Why a fresh snapshot could not be had.
#[derive(Debug, thiserror::Error)]
#[error("the matching engine is still catching up with recent changes")]
pub struct NotFresh;

/// The engine: current snapshot plus what changed since.
pub struct Engine {
    current: RwLock<Arc<Snapshot>>,
    published: watch::Sender<u64>,
    /// Record id → change number of its last change not yet in the snapshot.
    pending: Mutex<HashMap<String, u64>>,
    latest: AtomicU64,
    wake: Notify,
}

impl Engine {
    /// An engine starting from `snapshot`.
    pub fn new(snapshot: Snapshot) -> Arc<Engine> {
        let seq = snapshot.seq;
        Arc::new(Engine {
            current: RwLock::new(Arc::new(snapshot)),
            published: watch::channel(seq).0,
            pending: Mutex::new(HashMap::new()),
            latest: AtomicU64::new(seq),
            wake: Notify::new(),
        })
    }

    /// The current snapshot (may lag the database by the last rebuild).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Notes that record `id` changed in change `seq` and schedules a rebuild.
    pub fn changed(&self, id: &str, seq: u64) {
        if seq == 0 {
            return;
        }
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(id.to_owned())
            .and_modify(|s| *s = (*s).max(seq))
            .or_insert(seq);
        self.latest.fetch_max(seq, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// A snapshot that includes the last change of record `id`, waiting for a rebuild if
    /// needed (at most `wait`).
    pub async fn fresh_for(&self, id: &str, wait: Duration) -> Result<Arc<Snapshot>, NotFresh> {
        let need = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .copied();
        let Some(need) = need else {
            return Ok(self.snapshot());
        };
        let mut rx = self.published.subscribe();
        let ok = matches!(
            tokio::time::timeout(wait, rx.wait_for(|&s| s >= need)).await,
            Ok(Ok(_))
        );
        if ok {
            Ok(self.snapshot())
        } else {
            Err(NotFresh)
        }
    }

    /// Rebuilds whenever changes arrive, until the store is dropped by everyone else.
    pub async fn run_rebuilds(self: Arc<Engine>, store: Arc<dyn Store>) {
        loop {
            let built = self.snapshot().seq;
            if self.latest.load(Ordering::SeqCst) <= built {
                self.wake.notified().await;
                continue;
            }
            let data = match store.snapshot().await {
                Ok(d) => d,
                Err(e) => {
                    tracing::error!(error = %e, "reading the database for a rebuild failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            match tokio::task::spawn_blocking(move || Snapshot::build(data)).await {
                Ok(Ok(s)) => self.publish(s),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "stored data failed to build a snapshot");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => tracing::error!(error = %e, "rebuild task failed"),
            }
        }
    }

    fn publish(&self, s: Snapshot) {
        let seq = s.seq;
        let started = std::time::Instant::now();
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(s);
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, &mut v| v > seq);
        self.published.send_replace(seq);
        tracing::debug!(
            seq,
            swap_us = started.elapsed().as_micros() as u64,
            "snapshot published"
        );
    }
}
