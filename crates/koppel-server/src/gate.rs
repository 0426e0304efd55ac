//! Admission: who may hold a slot of the service, and for how long.
//!
//! A slot is what a request holds while it is handled; there are few of them (`--concurrency`),
//! so that accepted requests keep their latency and the rest get 503 at once. The rules:
//!
//! - **Known callers and strangers never share slots.** A request with a valid API token or a
//!   live web session takes a slot of the main budget (`concurrency`). Anything else (no
//!   credential, an unknown or revoked one, the sign-in form) takes a slot of a small budget of
//!   its own ([`Budgets::anonymous`]), and at most [`PER_PEER`] of those per client address. So
//!   no amount of unauthenticated traffic can starve advisors, desks or analysts.
//! - **Bodies are read before a slot is taken.** A known caller's body is read into memory
//!   (at most the body limit) under the request timeout while it holds only an upload permit,
//!   not a slot. A stranger's whole request, body included, must arrive within the short read
//!   deadline (`--read-timeout`, 5 s by default); a slow upload gets 408 and its slot back.
//!   Request heads have the same deadline, set on the connection (see [`crate::listener`]).
//! - **Health checks have their own few slots**, so a load balancer can tell a busy service
//!   from a dead one.
//!
//! Who is known is decided by an [`Identify`] implementation (the service's: token hash or
//! session cookie, see [`crate::auth`]); the handlers still authenticate and authorize on their
//! own, so a misjudged request can cost a slot, never grant access.

use crate::error::{Problem, PROBLEM_JSON};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Strangers' requests in flight per client address.
type Peers = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// Most unauthenticated requests one client address may have in the service at once.
pub const PER_PEER: usize = 8;

/// Health checks handled at once.
pub const HEALTH_SLOTS: usize = 4;

/// The route that has its own slots.
const HEALTH: &str = "/v1/health";

/// Tells whether a request comes from a known caller (a valid token or session). May leave
/// what it found in the request's extensions for the extractors that run later.
#[async_trait::async_trait]
pub trait Identify: Send + Sync + 'static {
    /// `true` for a known caller.
    async fn identify(&self, parts: &mut Parts) -> bool;
}

/// Nobody is known: every request is handled as a stranger's (for tests of the layers alone).
pub struct Nobody;

#[async_trait::async_trait]
impl Identify for Nobody {
    async fn identify(&self, _: &mut Parts) -> bool {
        false
    }
}

/// The sizes of the budgets.
#[derive(Clone, Copy, Debug)]
pub struct Budgets {
    /// Requests of known callers handled at once.
    pub known: usize,
    /// Requests of strangers (including the sign-in form) handled at once.
    pub anonymous: usize,
}

impl Budgets {
    /// The budgets for a service-wide limit of `concurrency`: strangers get a quarter of it,
    /// at least 4, on top.
    pub fn for_concurrency(concurrency: usize) -> Budgets {
        Budgets {
            known: concurrency.max(1),
            anonymous: (concurrency / 4).max(4),
        }
    }
}

/// The admission layer's state.
#[derive(Clone)]
pub struct Gate {
    known: Arc<Semaphore>,
    uploads: Arc<Semaphore>,
    anonymous: Arc<Semaphore>,
    health: Arc<Semaphore>,
    peers: Peers,
    timeout: Duration,
    read_timeout: Duration,
    body_limit: usize,
    identify: Arc<dyn Identify>,
    shed: Arc<Shed>,
}

/// Requests refused since the last log line; shedding is logged once a second, not per
/// request, so that an overload does not also flood the log.
struct Shed {
    count: AtomicU64,
    last_log: Mutex<Instant>,
    body: Bytes,
}

impl Gate {
    /// A gate with the given budgets, request timeout, read deadline for strangers and body
    /// limit.
    pub fn new(
        budgets: Budgets,
        timeout: Duration,
        read_timeout: Duration,
        body_limit: usize,
        identify: Arc<dyn Identify>,
    ) -> Gate {
        let body = serde_json::to_vec(
            &Problem::unavailable("the service is at its concurrency limit; retry shortly", 1)
                .body(),
        )
        .unwrap_or_default();
        Gate {
            known: Arc::new(Semaphore::new(budgets.known)),
            uploads: Arc::new(Semaphore::new(budgets.known)),
            anonymous: Arc::new(Semaphore::new(budgets.anonymous)),
            health: Arc::new(Semaphore::new(HEALTH_SLOTS)),
            peers: Arc::default(),
            timeout,
            read_timeout,
            body_limit,
            identify,
            shed: Arc::new(Shed {
                count: AtomicU64::new(0),
                last_log: Mutex::new(Instant::now()),
                body: body.into(),
            }),
        }
    }

    /// The 503 for a request beyond a budget: prepared once, cheap to send (a small HTML page
    /// for a browser opening a page).
    fn refuse(&self, html: bool) -> Response {
        let n = self.shed.count.fetch_add(1, Ordering::Relaxed) + 1;
        if let Ok(mut last) = self.shed.last_log.try_lock() {
            if last.elapsed() >= Duration::from_secs(1) {
                *last = Instant::now();
                self.shed.count.fetch_sub(n, Ordering::Relaxed);
                tracing::warn!(
                    shed = n,
                    "at a concurrency limit: requests refused with 503"
                );
            }
        }
        let mut res = if html {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::response::Html(BUSY_PAGE),
            )
                .into_response()
        } else {
            let mut r = (StatusCode::SERVICE_UNAVAILABLE, self.shed.body.clone()).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
            r
        };
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        res
    }

    /// A place for one more stranger's request from `peer`, if it has fewer than [`PER_PEER`].
    fn peer_slot(&self, peer: Option<IpAddr>) -> Option<PeerSlot> {
        let Some(ip) = peer else {
            return Some(PeerSlot(None));
        };
        let mut peers = self.peers.lock().unwrap_or_else(|e| e.into_inner());
        let n = peers.entry(ip).or_insert(0);
        if *n >= PER_PEER {
            return None;
        }
        *n += 1;
        Some(PeerSlot(Some((ip, self.peers.clone()))))
    }
}

/// A stranger's place in the per-peer count, given back on drop.
struct PeerSlot(Option<(IpAddr, Peers)>);

impl Drop for PeerSlot {
    fn drop(&mut self) {
        if let Some((ip, peers)) = self.0.take() {
            let mut peers = peers.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = peers.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    peers.remove(&ip);
                }
            }
        }
    }
}

const BUSY_PAGE: &str = "<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>503 · Koppel</title></head><body><h1>Even geduld / Please wait</h1><p>Koppel is op dit moment te druk; probeer het over een paar seconden opnieuw. Koppel is busy right now; try again in a few seconds.</p></body></html>";

/// The admission layer (outermost but for the security headers): see the module doc.
pub async fn gate(State(gate): State<Gate>, req: Request, next: Next) -> Response {
    let html = crate::middleware::wants_html(&req);
    if req.uri().path() == HEALTH {
        let Ok(slot) = gate.health.clone().try_acquire_owned() else {
            return gate.refuse(html);
        };
        return handle(&gate, slot, req, next).await;
    }
    let (mut parts, body) = req.into_parts();
    if gate.identify.identify(&mut parts).await {
        let body = if body.is_end_stream() {
            body
        } else {
            let Ok(_upload) = gate.uploads.try_acquire() else {
                return gate.refuse(html);
            };
            match read_body(body, gate.body_limit, gate.timeout).await {
                Ok(bytes) => Body::from(bytes),
                Err(res) => return res,
            }
        };
        let Ok(slot) = gate.known.clone().try_acquire_owned() else {
            return gate.refuse(html);
        };
        handle(&gate, slot, Request::from_parts(parts, body), next).await
    } else {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let Some(_peer) = gate.peer_slot(peer) else {
            return too_many_from_peer();
        };
        let Ok(slot) = gate.anonymous.clone().try_acquire_owned() else {
            return gate.refuse(html);
        };
        let body = if body.is_end_stream() {
            body
        } else {
            match read_body(body, gate.body_limit, gate.read_timeout).await {
                Ok(bytes) => Body::from(bytes),
                Err(res) => return res,
            }
        };
        handle(&gate, slot, Request::from_parts(parts, body), next).await
    }
}

/// Runs the request under the timeout, holding `slot` until it is answered.
async fn handle(gate: &Gate, slot: OwnedSemaphorePermit, req: Request, next: Next) -> Response {
    let res = match tokio::time::timeout(gate.timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(
                timeout_ms = gate.timeout.as_millis() as u64,
                "request timed out"
            );
            Problem {
                slug: "timeout",
                ..Problem::unavailable("the request took longer than the service allows", 1)
            }
            .into_response()
        }
    };
    drop(slot);
    res
}

/// Reads a whole body within `deadline` and `limit` bytes; the problem response otherwise.
async fn read_body(body: Body, limit: usize, deadline: Duration) -> Result<Bytes, Response> {
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large());
    }
    match tokio::time::timeout(deadline, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => {
            // `to_bytes` reports the limit as a length-limit error somewhere in its source chain.
            let over = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
                .any(|e| e.is::<http_body_util::LengthLimitError>());
            Err(if over {
                too_large()
            } else {
                closing(Problem::bad_request(
                    "the request body could not be read to its end",
                ))
            })
        }
        Err(_) => Err(closing(Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            format!(
                "the request body did not arrive within {} s; send it at once",
                deadline.as_secs_f64()
            ),
        ))),
    }
}

fn too_large() -> Response {
    closing(Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "the request body is larger than the limit",
    ))
}

/// 429 for a client address with [`PER_PEER`] unauthenticated requests in flight.
fn too_many_from_peer() -> Response {
    Problem {
        retry_after: Some(1),
        ..Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            format!(
                "at most {PER_PEER} requests without a token at once from one address; sign in or slow down"
            ),
        )
    }
    .into_response()
}

/// A problem answer after which the connection closes (its body was not read to the end).
fn closing(p: Problem) -> Response {
    let mut res = p.into_response();
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strangers_get_a_quarter_at_least_four() {
        let b = Budgets::for_concurrency(256);
        assert_eq!((b.known, b.anonymous), (256, 64));
        let b = Budgets::for_concurrency(4);
        assert_eq!((b.known, b.anonymous), (4, 4));
        let b = Budgets::for_concurrency(0);
        assert_eq!((b.known, b.anonymous), (1, 4));
    }

    #[test]
    fn one_peer_gets_at_most_per_peer_slots_and_gets_them_back() {
        let g = Gate::new(
            Budgets::for_concurrency(64),
            Duration::from_secs(1),
            Duration::from_secs(1),
            1024,
            Arc::new(Nobody),
        );
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let held: Vec<_> = (0..PER_PEER)
            .map(|_| g.peer_slot(Some(ip)).unwrap())
            .collect();
        assert!(g.peer_slot(Some(ip)).is_none(), "one more is refused");
        assert!(g.peer_slot(Some(other)).is_some(), "another peer is not");
        drop(held);
        assert!(g.peer_slot(Some(ip)).is_some(), "slots come back");
        assert!(
            g.peers.lock().unwrap().is_empty(),
            "no entry is left behind"
        );
    }
}
