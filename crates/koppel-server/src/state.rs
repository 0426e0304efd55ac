//! Shared state of the handlers.

use crate::engine::Engine;
use crate::store::Store;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Tunables of a running service.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Requests handled at once, service-wide; more get 503 at once.
    pub concurrency: usize,
    /// Requests per second per token (sustained); bursts up to twice that.
    pub rate_per_token: u32,
    /// Largest accepted body.
    pub body_bytes: usize,
    /// Longest a request may take.
    pub timeout: Duration,
    /// Longest a client may take to send a request head, and a caller without a valid token
    /// or session to send its whole request (see [`crate::gate`]).
    pub read_timeout: Duration,
    /// Largest page.
    pub max_page: u32,
    /// Largest k for matches and candidates.
    pub max_k: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            concurrency: 256,
            rate_per_token: 200,
            body_bytes: 1 << 20,
            timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(5),
            max_page: 500,
            max_k: 100,
        }
    }
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Matching engine.
    pub engine: Arc<Engine>,
    /// Limits.
    pub limits: Arc<Limits>,
    /// Per-token rate limiter.
    pub limiter: Arc<DefaultKeyedRateLimiter<i64>>,
    /// Key for per-employer pseudonyms.
    pub pseudonym_key: Arc<Vec<u8>>,
    /// Recently seen tokens.
    pub tokens: Arc<crate::tokens::TokenCache>,
    /// Browser sessions of the web pages.
    pub sessions: Arc<crate::web::session::Sessions>,
    /// Allocation jobs while they are queued or running.
    pub jobs: Arc<crate::jobs::Jobs>,
}

impl AppState {
    /// State over a store and engine.
    pub fn new(
        store: Arc<dyn Store>,
        engine: Arc<Engine>,
        limits: Limits,
        key: Vec<u8>,
    ) -> AppState {
        let rate = NonZeroU32::new(limits.rate_per_token.max(1)).expect("at least 1");
        let burst =
            NonZeroU32::new(limits.rate_per_token.saturating_mul(2).max(1)).expect("at least 1");
        AppState {
            store,
            engine,
            limiter: Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            )),
            limits: Arc::new(limits),
            pseudonym_key: Arc::new(key),
            tokens: Arc::default(),
            sessions: Arc::default(),
            jobs: Arc::default(),
        }
    }
}
