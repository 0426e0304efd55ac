//! Allocation jobs while they live: how many may be queued or running (a reservation), how
//! many compute at once, their progress, and running one to its stored end. Owned by the
//! state ([`crate::state::AppState::jobs`]), never a process-global, so two services in one
//! process (tests, the fuzz harness) do not share slots.
//!
//! Invariants: a reservation is held by its job until the job has stored its end (done or
//! failed), however it ends; the stored status only moves queued → running → done | failed.

use crate::store::{JobUpdate, Store, StoredAssignment};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Jobs queued or running at once, service-wide; one more is refused with 429 and
/// `Retry-After`, so that no caller can pile up work (and memory) without bound.
pub const MAX_LIVE_JOBS: usize = 8;

/// Jobs that compute at once; the others wait as `queued`. An allocation uses every core.
pub const RUNNING_JOBS: usize = 1;

/// Progress of a running job: learners done and learners in all.
#[derive(Debug, Default)]
pub struct Progress {
    /// Learners whose candidates are done.
    pub done: AtomicU64,
    /// Learners in all.
    pub total: AtomicU64,
}

/// A job's place among the live ones; given back when dropped.
pub struct Reservation {
    _permit: OwnedSemaphorePermit,
}

/// The live jobs of one service.
pub struct Jobs {
    live: Arc<Semaphore>,
    running: Arc<Semaphore>,
    max_live: usize,
    progress: Mutex<HashMap<String, Arc<Progress>>>,
}

impl Default for Jobs {
    fn default() -> Jobs {
        Jobs::new(MAX_LIVE_JOBS, RUNNING_JOBS)
    }
}

impl Jobs {
    /// At most `max_live` jobs queued or running, `running` of them computing.
    pub fn new(max_live: usize, running: usize) -> Jobs {
        Jobs {
            live: Arc::new(Semaphore::new(max_live)),
            running: Arc::new(Semaphore::new(running.max(1))),
            max_live,
            progress: Mutex::default(),
        }
    }

    /// How many jobs may be live at once.
    pub fn max_live(&self) -> usize {
        self.max_live
    }

    /// A place for one more job, or `None` when `max_live` are queued or running.
    pub fn reserve(&self) -> Option<Reservation> {
        self.live
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|p| Reservation { _permit: p })
    }

    /// Live progress of a job that is queued or running.
    pub fn progress(&self, id: &str) -> Option<(u64, u64)> {
        self.table().get(id).map(|p| {
            (
                p.done.load(Ordering::Relaxed),
                p.total.load(Ordering::Relaxed),
            )
        })
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Progress>>> {
        self.progress.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a stored, queued job in the background: waits for a computing slot, marks it
    /// running, computes `work` on the blocking pool and stores its end.
    pub fn spawn<W>(
        self: &Arc<Self>,
        store: Arc<dyn Store>,
        id: String,
        reservation: Reservation,
        work: W,
    ) where
        W: FnOnce(&Progress) -> (serde_json::Value, Vec<StoredAssignment>) + Send + 'static,
    {
        let progress = Arc::new(Progress::default());
        self.table().insert(id.clone(), progress.clone());
        let jobs = self.clone();
        tokio::spawn(async move {
            let _reservation = reservation;
            // Never closed, so acquiring cannot fail.
            let computing = jobs.running.clone().acquire_owned().await;
            let _ = store.update_allocation(&id, JobUpdate::Running).await;
            let outcome = tokio::task::spawn_blocking(move || work(&progress)).await;
            let update = match outcome {
                Ok((summary, assignments)) => JobUpdate::Done {
                    summary,
                    assignments,
                },
                Err(e) => {
                    tracing::error!(job = %id, error = %e, "allocation failed");
                    JobUpdate::Failed {
                        error: "the allocation failed; see the server log".into(),
                    }
                }
            };
            if let Err(e) = store.update_allocation(&id, update).await {
                tracing::error!(job = %id, error = %e, "storing the allocation failed");
            }
            jobs.table().remove(&id);
            drop(computing);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_are_bounded_and_given_back() {
        let jobs = Jobs::new(2, 1);
        let a = jobs.reserve().expect("first");
        let _b = jobs.reserve().expect("second");
        assert!(jobs.reserve().is_none(), "a third job must wait");
        drop(a);
        assert!(
            jobs.reserve().is_some(),
            "a finished job gives its place back"
        );
    }

    #[test]
    fn two_services_do_not_share_slots() {
        let one = Jobs::new(1, 1);
        let other = Jobs::new(1, 1);
        let _held = one.reserve().expect("one");
        assert!(other.reserve().is_some());
    }
}
