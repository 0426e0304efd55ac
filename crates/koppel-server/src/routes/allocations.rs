//! `/v1/allocations`: analysts start a cohort allocation (202 + job id); it runs off the
//! request path on the current engine snapshot, and its summary and assignments are stored.
//!
//! Analysts work with groups, not persons (docs/privacy.md): the summary they read is the
//! published one ([`report::protect`]: counts below 10 withheld), and an assignment row carries
//! a per-allocation pseudonym and the public score, never a learner id or anything derived
//! from support needs or register status. The learner id, full score and rank are stored for
//! the learner's advisor (`GET /v1/learners/{id}/outcome`).

use super::params::{Id, IdempotencyKey};
use super::{check_page, page, written, Page, PageParams};
use crate::auth::Ctx;
use crate::body::JsonBody;
use crate::engine::Snapshot;
use crate::error::{ApiResult, Problem};
use crate::jobs::Progress;
use crate::state::AppState;
use crate::store::{AllocationRow, AssignmentRow, Role, StoredAssignment};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use koppel_core::allocate::report::{self, Provenance, Summary};
use koppel_core::allocate::{Cohort, Mode, DEFAULT_K};
use koppel_core::anonymise::{allocation_pseudonym, public_score};
use koppel_core::{LearnerIdx, PlacementIdx, PolicyConfig, PolicySet, Scorer};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;
use std::sync::Arc;
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
    pub progress: Option<JobProgress>,
}

/// Progress of a running job.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(as = Progress)]
pub struct JobProgress {
    /// Learners done.
    pub done: u64,
    /// Learners in all.
    pub total: u64,
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
    // The cohort as it is now: every learner and vacancy written before this request.
    let need = crate::engine::Need {
        learners: true,
        placements: true,
        ..Default::default()
    };
    let snap = super::fresh(&s, need).await?;
    let policies = match &req.policy {
        Some(text) => Some(parse_policy(text, &snap)?),
        None => None,
    };
    let Some(slot) = s.jobs.reserve() else {
        return Err(Problem {
            retry_after: Some(30),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-jobs",
                format!("{} allocations are queued or running; start this one when one of them has finished", s.jobs.max_live()),
            )
        });
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
        learners: (snap.data().learners.len() as u64).into(),
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
    if !r.replayed {
        let job = Job {
            id: id.clone(),
            mode: req.mode,
            k,
            policies,
            provenance,
            key: s.pseudonym_key.clone(),
        };
        let store = s.store.clone();
        s.jobs.spawn(store, id, slot, move |progress| {
            allocate(&snap, job, progress)
        });
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
    /// The job id (part of every pseudonym).
    id: String,
    mode: Mode,
    k: usize,
    /// The request's own policy; `None`: the snapshot's.
    policies: Option<PolicySet>,
    /// Filled in but for the time, which is set when the job runs.
    provenance: Provenance,
    /// The service's pseudonym key.
    key: Arc<Vec<u8>>,
}

fn allocate(
    snap: &Snapshot,
    job: Job,
    progress: &Progress,
) -> (serde_json::Value, Vec<StoredAssignment>) {
    let Job {
        id,
        mode,
        k,
        policies,
        mut provenance,
        key,
    } = job;
    let data = snap.data();
    let own = policies.map(|p| Scorer::new(data, p));
    let scorer = own.as_ref().unwrap_or_else(|| snap.scorer());
    progress
        .total
        .store(data.learners.len() as u64, Ordering::Relaxed);
    let cohort = Cohort::build(scorer, &snap.placements, k, &|done| {
        progress.done.store(done as u64, Ordering::Relaxed)
    });
    let asg = cohort.allocate(mode, &mut |_, _| {});
    let mut summary = report::summarise(data, &cohort, &asg, mode);
    provenance.created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    summary.provenance = Some(provenance);
    // Only the published summary is stored: nobody on the service needs the raw counts.
    let summary = report::protect(&summary);
    let rows = (0..data.learners.len())
        .filter_map(|i| {
            let a = asg.arc(i)?;
            let r = report::assignment_row(data, &cohort, &asg, i)?;
            let pi = PlacementIdx(cohort.graph.target(a));
            Some(StoredAssignment {
                pseudonym: allocation_pseudonym(&key, &id, &r.learner),
                public_score: i64::from(public_score(scorer, LearnerIdx(i as u32), pi)),
                learner: r.learner,
                placement: r.placement,
                score: i64::from(r.score),
                rank: r.rank as i64,
            })
        })
        .collect();
    (serde_json::to_value(summary).unwrap_or_default(), rows)
}

/// A stored summary as analysts may read it: protected again, so that summaries stored before
/// the disclosure rule are published under it too (a protected one is unchanged).
fn published(summary: Option<serde_json::Value>) -> Result<Option<serde_json::Value>, Problem> {
    summary
        .map(|v| {
            let s: Summary = serde_json::from_value(v)
                .map_err(|e| Problem::internal(format!("stored summary: {e}")))?;
            serde_json::to_value(report::protect(&s))
                .map_err(|e| Problem::internal(format!("summary: {e}")))
        })
        .transpose()
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
    let mut job = s.store.allocation(&id).await?;
    job.summary = published(job.summary.take())?;
    let progress = s
        .jobs
        .progress(&id)
        .map(|(done, total)| JobProgress { done, total });
    Ok(axum::Json(AllocationStatus { job, progress }))
}

/// A finished job's assignments as analysts may read them: per-allocation pseudonyms and
/// public scores, in pseudonym order (never learner ids; see docs/privacy.md).
#[utoipa::path(get, path = "/allocations/{id}/assignments", tag = "allocations", operation_id = "allocations_assignments",
    params(Id, PageParams),
    responses(
        (status = 200, description = "A page of assignments, by pseudonym", body = Page<AssignmentRow>),
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
    Ok(axum::Json(page(rows, limit, |r| r.pseudonym.as_str())))
}
