//! `/v1/allocations`: analysts start a cohort allocation (202 + job id); it runs off the
//! request path on the current engine snapshot, and its summary and assignments are stored.

use super::params::{Id, IdempotencyKey};
use super::{check_page, page, written, Page, PageParams};
use crate::auth::Ctx;
use crate::body::JsonBody;
use crate::engine::Snapshot;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use crate::store::{AllocationRow, AssignmentRow, Role, Store};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use koppel_core::allocate::report::{self, Provenance};
use koppel_core::allocate::{Cohort, Mode, DEFAULT_K};
use koppel_core::{PolicyConfig, PolicySet, Scorer};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use utoipa::ToSchema;

const ANALYST: &[Role] = &[Role::Analyst];

/// What to allocate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationRequest {
    /// `optimal` (maximum total score) or `stable` (deferred acceptance).
    pub mode: Mode,
    /// Candidates per learner (1..=1000, default 32).
    #[schema(minimum = 1, maximum = 1000)]
    #[serde(
        default,
        deserialize_with = "koppel_core::record::integer::optional_usize"
    )]
    pub k: Option<usize>,
    /// A policy (TOML, as in `policy.toml`, see docs/policy.md) for this job only; default: the
    /// service's policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// A job with its live progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationStatus {
    /// Stored state.
    #[serde(flatten)]
    pub job: AllocationRow,
    /// Learners whose candidates are done, while running.
    pub progress: Option<Progress>,
}

/// Progress of a running job.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Progress {
    /// Learners done.
    pub done: u64,
    /// Learners in all.
    pub total: u64,
}

type Live = Mutex<HashMap<String, Arc<(AtomicU64, AtomicU64)>>>;

fn live() -> &'static Live {
    static LIVE: OnceLock<Live> = OnceLock::new();
    LIVE.get_or_init(Default::default)
}

/// Starts an allocation of the whole cohort as the engine holds it now.
#[utoipa::path(post, path = "/allocations", tag = "allocations", operation_id = "allocations_start",
    request_body = AllocationRequest, params(IdempotencyKey),
    responses(
        (status = 202, description = "Queued; follow `Location`", body = AllocationRow, headers(("Location" = String))),
        (status = 403, description = "Not an analyst"),
        (status = 413),
        (status = 415),
        (status = 422, description = "`k` out of range or an invalid policy"),
    ))]
pub async fn start(
    State(s): State<AppState>,
    ctx: Ctx,
    body: Result<JsonBody<AllocationRequest>, Problem>,
) -> ApiResult<Response> {
    ctx.require(ANALYST)?;
    // The role is checked before the body is looked at: 403 whatever was sent.
    let body = body?;
    let req = body.value;
    let k = req.k.unwrap_or(DEFAULT_K);
    if !(1..=1000).contains(&k) {
        return Err(Problem::invalid_field("k", "must be in 1..=1000"));
    }
    let snap = s.engine.snapshot();
    let policies = match &req.policy {
        Some(text) => Some(parse_policy(text, &snap)?),
        None => None,
    };
    let (policy, policy_sha256) = match (&req.policy, s.engine.policy_text()) {
        (Some(t), _) => ("policy sent with the request", Some(t.as_str())),
        (None, Some(t)) => ("service policy (stored in the database)", Some(t)),
        (None, None) => ("default policy", None),
    };
    let provenance = Provenance {
        data: format!("service database snapshot at version {}", snap.version),
        policy: policy.to_owned(),
        policy_sha256: policy_sha256.map(Provenance::policy_digest),
        k: k as u64,
        mode: req.mode,
        learners: snap.data().learners.len() as u64,
        placements: snap.data().placements.len() as u64,
        created_at: String::new(),
    };
    let mut raw = [0u8; 12];
    rand::rng().fill_bytes(&mut raw);
    let id = format!("A{}", hex::encode(raw));
    let mut request = serde_json::json!({ "mode": req.mode, "k": k });
    if let Some(text) = &req.policy {
        request["policy"] = text.as_str().into();
    }
    let r = s
        .store
        .create_allocation(&id, request, ctx.audit("create"), ctx.idem("", &body.raw))
        .await?;
    // A replayed request returns the first job, which is already running or done.
    if r.body.get("id").and_then(|v| v.as_str()) == Some(id.as_str()) {
        let progress = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
        live()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), progress.clone());
        let job = Job {
            mode: req.mode,
            k,
            policies,
            provenance,
        };
        tokio::spawn(run_job(s.store.clone(), snap, id, job, progress));
    }
    Ok(written(r))
}

/// A policy sent with a request, checked against the snapshot's reference tables.
fn parse_policy(text: &str, snap: &Snapshot) -> Result<PolicySet, Problem> {
    let cfg: PolicyConfig = toml::from_str(text)
        .map_err(|e| Problem::invalid_field("policy", format!("not a valid policy: {e}")))?;
    PolicySet::resolve(&cfg, snap.reference())
        .map_err(|e| Problem::invalid_field("policy", e.to_string()))
}

/// What one job runs.
struct Job {
    mode: Mode,
    k: usize,
    /// The request's own policy; `None`: the snapshot's.
    policies: Option<PolicySet>,
    /// Filled in but for the time, which is set when the job runs.
    provenance: Provenance,
}

async fn run_job(
    store: Arc<dyn Store>,
    snap: Arc<Snapshot>,
    id: String,
    job: Job,
    progress: Arc<(AtomicU64, AtomicU64)>,
) {
    let _ = store
        .finish_allocation(&id, "running", None, None, Vec::new())
        .await;
    let outcome = tokio::task::spawn_blocking(move || allocate(&snap, job, &progress)).await;
    let result = match outcome {
        Ok((summary, rows)) => {
            store
                .finish_allocation(&id, "done", Some(summary), None, rows)
                .await
        }
        Err(e) => {
            tracing::error!(job = %id, error = %e, "allocation failed");
            store
                .finish_allocation(
                    &id,
                    "failed",
                    None,
                    Some("the allocation failed; see the server log".into()),
                    Vec::new(),
                )
                .await
        }
    };
    if let Err(e) = result {
        tracing::error!(job = %id, error = %e, "storing the allocation failed");
    }
    live().lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
}

fn allocate(
    snap: &Snapshot,
    job: Job,
    progress: &(AtomicU64, AtomicU64),
) -> (serde_json::Value, Vec<AssignmentRow>) {
    let Job {
        mode,
        k,
        policies,
        mut provenance,
    } = job;
    let data = snap.data();
    let own = policies.map(|p| Scorer::new(data, p));
    let scorer = own.as_ref().unwrap_or_else(|| snap.scorer());
    progress
        .1
        .store(data.learners.len() as u64, Ordering::Relaxed);
    let cohort = Cohort::build(scorer, &snap.placements, k, &|done| {
        progress.0.store(done as u64, Ordering::Relaxed)
    });
    let asg = cohort.allocate(mode, &mut |_, _| {});
    let mut summary = report::summarise(data, &cohort, &asg, mode);
    provenance.created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    summary.provenance = Some(provenance);
    let rows = (0..data.learners.len())
        .filter_map(|i| report::assignment_row(data, &cohort, &asg, i))
        .map(|r| AssignmentRow {
            learner: r.learner,
            placement: r.placement,
            score: i64::from(r.score),
            rank: r.rank as i64,
        })
        .collect();
    (serde_json::to_value(summary).unwrap_or_default(), rows)
}

/// A job: status, progress while running, summary when done.
#[utoipa::path(get, path = "/allocations/{id}", tag = "allocations", operation_id = "allocations_get", params(Id),
    responses(
        (status = 200, description = "The job", body = AllocationStatus),
        (status = 403, description = "Not an analyst"),
        (status = 404, description = "No such job"),
    ))]
pub async fn status(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<AllocationStatus>> {
    ctx.require(ANALYST)?;
    let job = s.store.allocation(&id).await?;
    let progress = live()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&id)
        .map(|p| Progress {
            done: p.0.load(Ordering::Relaxed),
            total: p.1.load(Ordering::Relaxed),
        });
    Ok(axum::Json(AllocationStatus { job, progress }))
}

/// A finished job's assignments, by learner id.
#[utoipa::path(get, path = "/allocations/{id}/assignments", tag = "allocations", operation_id = "allocations_assignments",
    params(Id, PageParams),
    responses(
        (status = 200, description = "A page of assignments, by learner id", body = Page<AssignmentRow>),
        (status = 403, description = "Not an analyst"),
        (status = 404, description = "No such job"),
        (status = 422, description = "`limit` or `cursor` out of range"),
    ))]
pub async fn assignments(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(p): Query<PageParams>,
) -> ApiResult<axum::Json<Page<AssignmentRow>>> {
    ctx.require(ANALYST)?;
    let (limit, after) = check_page(&p, s.limits.max_page)?;
    s.store.allocation(&id).await?;
    let rows = s
        .store
        .assignments(&id, after.as_deref(), limit + 1)
        .await?;
    Ok(axum::Json(page(rows, limit, |r| r.learner.as_str())))
}
