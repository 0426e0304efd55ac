//! The in-memory matching engine: an immutable snapshot (dataset, scorer, indexes) swapped
//! atomically when a newer one is built, plus the live records it is built from.
//!
//! The store reports every committed change, in commit order and before the writer is answered
//! ([`Engine::apply`]). The engine updates its live records at once (validated model objects,
//! so a rebuild re-validates nothing and reads nothing from the database) and a background task
//! rebuilds the snapshot, coalescing bursts of changes into one rebuild, on one core, so that
//! requests keep the other. A read waits until the snapshot includes every change it could
//! show ([`Need`]): the records it names, and every change of the kinds it lists (a learner's
//! matches list placements; a vacancy's candidates and the advisor's search list learners). So
//! a write acknowledged before a read began is in that read, whoever made it: an advisor never
//! sees matches for a learner as they were before their own edit, and an erased learner is gone
//! from every answer at once.

use crate::store::{Change, Kind, SnapshotData};
use koppel_core::record::{LearnerRecord, PlacementRecord};
use koppel_core::{
    Dataset, Learner, LearnerIndex, Lined, Placement, PlacementIndex, PolicyConfig, PolicySet,
    Reference, Scorer,
};
use self_cell::self_cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};
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
    /// Number of changes it includes.
    pub version: u64,
    scored: Scored,
    /// Top-k placements per learner.
    pub placements: PlacementIndex,
    /// Top-k learners per placement.
    pub learners: LearnerIndex,
}

impl Snapshot {
    fn build(version: u64, data: Dataset, policies: PolicySet) -> Snapshot {
        let placements = PlacementIndex::build(&data);
        let learners = LearnerIndex::build(&data);
        Snapshot {
            version,
            scored: Scored::new(data, |data| Scorer::new(data, policies)),
            placements,
            learners,
        }
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

/// The records the next snapshot is built from.
struct Live {
    reference: Reference,
    policies: PolicySet,
    learners: HashMap<String, Arc<Learner>>,
    placements: HashMap<String, Arc<Placement>>,
}

/// Changes reported by the store and not yet applied to [`Live`]. The writer only ever holds
/// this lock for a push, never while a rebuild copies the records.
#[derive(Default)]
struct Inbox {
    /// Changes reported so far (the version of the latest).
    version: u64,
    changes: Vec<Change>,
    /// Record id → version of its last change not yet in the published snapshot.
    pending: HashMap<String, u64>,
    /// Version of the last change of any learner, of any placement, of the outlook table.
    last: Last,
}

/// The versions of the last change of each kind.
#[derive(Default)]
struct Last {
    learner: u64,
    placement: u64,
    outlook: u64,
}

/// What a read must see: the last change of every record in `ids`, and, when asked, of every
/// learner or every placement. Every read sees the last outlook table.
#[derive(Clone, Copy, Debug, Default)]
pub struct Need<'a> {
    /// Records the answer is about.
    pub ids: &'a [&'a str],
    /// The answer lists or ranks learners.
    pub learners: bool,
    /// The answer lists or ranks placements.
    pub placements: bool,
}

impl Live {
    /// Validated model objects from stored data.
    fn load(d: SnapshotData) -> Result<Live, String> {
        let mut recs = d.reference;
        recs.outlook = Lined::numbered(d.outlook);
        let reference = Reference::build(recs).map_err(first_error)?;
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
        Ok(Live {
            learners: data
                .learners
                .into_iter()
                .map(|l| (l.id.0.clone(), Arc::new(l)))
                .collect(),
            placements: data
                .placements
                .into_iter()
                .map(|p| (p.id.0.clone(), Arc::new(p)))
                .collect(),
            reference: data.reference,
            policies,
        })
    }

    /// The current records, cheaply (shared pointers).
    fn parts(&self, version: u64) -> Parts {
        Parts {
            version,
            reference: self.reference.clone(),
            policies: self.policies.clone(),
            learners: self.learners.values().cloned().collect(),
            placements: self.placements.values().cloned().collect(),
        }
    }

    fn apply(&mut self, change: Change) -> Result<(), String> {
        match change {
            Change::Upsert {
                kind: Kind::Learner,
                id,
                body,
            } => {
                let rec: LearnerRecord = serde_json::from_value(body).map_err(|e| e.to_string())?;
                let l = Learner::from_record(rec, &self.reference).map_err(|e| format!("{e:?}"))?;
                self.learners.insert(id, Arc::new(l));
            }
            Change::Upsert {
                kind: Kind::Placement,
                id,
                body,
            } => {
                let rec: PlacementRecord =
                    serde_json::from_value(body).map_err(|e| e.to_string())?;
                let p =
                    Placement::from_record(rec, &self.reference).map_err(|e| format!("{e:?}"))?;
                self.placements.insert(id, Arc::new(p));
            }
            Change::Delete { kind, id } => match kind {
                Kind::Learner => drop(self.learners.remove(&id)),
                Kind::Placement => drop(self.placements.remove(&id)),
            },
            Change::Outlook(records) => {
                let outlook = self
                    .reference
                    .outlook_from(Lined::numbered(records))
                    .map_err(first_error)?;
                self.reference.set_outlook(outlook);
            }
        }
        Ok(())
    }
}

/// What a snapshot is built from, taken from [`Live`] under its lock.
struct Parts {
    version: u64,
    reference: Reference,
    policies: PolicySet,
    learners: Vec<Arc<Learner>>,
    placements: Vec<Arc<Placement>>,
}

impl Parts {
    fn build(self) -> Snapshot {
        let data = Dataset::from_parts(
            self.reference,
            self.learners.iter().map(|l| (**l).clone()).collect(),
            self.placements.iter().map(|p| (**p).clone()).collect(),
        );
        Snapshot::build(self.version, data, self.policies)
    }
}

/// The record a change is about (the outlook table has a key no record id can take).
fn subject(c: &Change) -> &str {
    match c {
        Change::Upsert { id, .. } | Change::Delete { id, .. } => id,
        Change::Outlook(_) => "\u{0}outlook",
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    v: Vec<serde_json::Value>,
) -> Result<Vec<Lined<T>>, String> {
    let records: Result<Vec<T>, _> = v.into_iter().map(serde_json::from_value).collect();
    records.map(Lined::numbered).map_err(|e| e.to_string())
}

fn first_error(e: Vec<koppel_core::RecordError>) -> String {
    e.first()
        .map_or_else(|| "invalid data".into(), ToString::to_string)
}

/// Why a fresh snapshot could not be had.
#[derive(Debug, thiserror::Error)]
#[error("the matching engine is still catching up with recent changes")]
pub struct NotFresh;

/// The engine: current snapshot, live records, and the rebuild machinery.
pub struct Engine {
    current: RwLock<Arc<Snapshot>>,
    /// Replaced snapshots, freed by the rebuild task once no request holds them, so that
    /// no request ever pays for freeing hundreds of megabytes.
    retired: Mutex<Vec<Arc<Snapshot>>>,
    inbox: Mutex<Inbox>,
    live: Mutex<Live>,
    published: watch::Sender<u64>,
    wake: Notify,
    pool: rayon::ThreadPool,
    policy_text: Option<String>,
}

impl Engine {
    /// Builds the engine from stored data (blocking: call from a blocking context).
    pub fn load(d: SnapshotData) -> Result<Arc<Engine>, String> {
        let policy_text = d.policy.clone();
        let live = Live::load(d)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "koppel-rebuild".into())
            // Requests and commits come first: the rebuild yields the core whenever they need it.
            .start_handler(|_| {
                if let Err(e) = thread_priority::set_current_thread_priority(
                    thread_priority::ThreadPriority::Min,
                ) {
                    tracing::debug!(error = ?e, "could not lower the rebuild thread's priority");
                }
            })
            .build()
            .map_err(|e| e.to_string())?;
        let first = pool.install(|| live.parts(0).build());
        Ok(Arc::new(Engine {
            current: RwLock::new(Arc::new(first)),
            retired: Mutex::default(),
            inbox: Mutex::default(),
            live: Mutex::new(live),
            published: watch::channel(0).0,
            wake: Notify::new(),
            pool,
            policy_text,
        }))
    }

    /// The policy file (TOML) the service scores with, if one was given.
    pub fn policy_text(&self) -> Option<&str> {
        self.policy_text.as_deref()
    }

    /// The current snapshot (may lag the database by one rebuild).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn live(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn inbox(&self) -> MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes committed changes (called by the store, in commit order, before the writers are
    /// answered): marks their records pending and schedules a rebuild. Cheap: the changes are
    /// applied by the rebuild task.
    pub fn apply(&self, changes: Vec<Change>) {
        let mut inbox = self.inbox();
        for c in changes {
            inbox.version += 1;
            let v = inbox.version;
            inbox.pending.insert(subject(&c).to_owned(), v);
            match &c {
                Change::Upsert { kind, .. } | Change::Delete { kind, .. } => match kind {
                    Kind::Learner => inbox.last.learner = v,
                    Kind::Placement => inbox.last.placement = v,
                },
                Change::Outlook(_) => inbox.last.outlook = v,
            }
            inbox.changes.push(c);
        }
        drop(inbox);
        self.wake.notify_one();
    }

    /// Applies the inbox to the live records; returns the version they now reflect.
    fn drain(&self) -> u64 {
        let (version, changes) = {
            let mut inbox = self.inbox();
            (inbox.version, std::mem::take(&mut inbox.changes))
        };
        let mut live = self.live();
        for c in changes {
            if let Err(e) = live.apply(c) {
                // Records were validated before they were written; this means a bug.
                tracing::error!(error = %e, "a committed change could not be applied to the engine");
            }
        }
        version
    }

    /// A snapshot that includes every change `need` asks for, waiting for a rebuild if needed
    /// (at most `wait`).
    pub async fn fresh(&self, need: Need<'_>, wait: Duration) -> Result<Arc<Snapshot>, NotFresh> {
        let need = {
            let inbox = self.inbox();
            let ids = need
                .ids
                .iter()
                .filter_map(|id| inbox.pending.get(*id).copied());
            let kinds = [
                (need.learners, inbox.last.learner),
                (need.placements, inbox.last.placement),
                (true, inbox.last.outlook),
            ]
            .into_iter()
            .filter_map(|(asked, v)| asked.then_some(v));
            ids.chain(kinds).max().unwrap_or(0)
        };
        if need <= *self.published.borrow() {
            return Ok(self.snapshot());
        }
        let mut rx = self.published.subscribe();
        let ok = matches!(
            tokio::time::timeout(wait, rx.wait_for(|&v| v >= need)).await,
            Ok(Ok(_))
        );
        if ok {
            Ok(self.snapshot())
        } else {
            Err(NotFresh)
        }
    }

    /// Rebuilds whenever changes arrive. Each rebuild runs on one thread of the lowest
    /// priority; after one, the next waits at least as long as the last took, so rebuilds use
    /// at most half a core under a steady stream of writes.
    pub async fn run_rebuilds(self: Arc<Engine>) {
        let hold = std::env::var_os("KOPPEL_EXPERIMENT_NO_REBUILD").is_some();
        loop {
            if hold || self.inbox().version <= self.snapshot().version {
                self.wake.notified().await;
                continue;
            }
            let started = Instant::now();
            let engine = self.clone();
            let built = tokio::task::spawn_blocking(move || {
                engine.free_retired();
                let version = engine.drain();
                let parts = engine.live().parts(version);
                engine.pool.install(|| parts.build())
            })
            .await;
            match built {
                Ok(s) => self.publish(s),
                Err(e) => tracing::error!(error = %e, "engine rebuild failed"),
            }
            let took = started.elapsed();
            tracing::debug!(took_ms = took.as_millis() as u64, "engine rebuilt");
            tokio::time::sleep(took).await;
            let engine = self.clone();
            let _ = tokio::task::spawn_blocking(move || engine.free_retired()).await;
        }
    }

    /// Drops retired snapshots nobody holds any more (on the calling, non-request thread).
    fn free_retired(&self) {
        let free: Vec<Arc<Snapshot>> = {
            let mut retired = self.retired.lock().unwrap_or_else(|e| e.into_inner());
            let (free, keep) = std::mem::take(&mut *retired)
                .into_iter()
                .partition(|s| Arc::strong_count(s) == 1);
            *retired = keep;
            free
        };
        drop(free);
    }

    fn publish(&self, s: Snapshot) {
        let version = s.version;
        let old = std::mem::replace(
            &mut *self.current.write().unwrap_or_else(|e| e.into_inner()),
            Arc::new(s),
        );
        self.retired
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(old);
        self.inbox().pending.retain(|_, v| *v > version);
        self.published.send_replace(version);
    }
}
