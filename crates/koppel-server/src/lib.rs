//! # koppel-server
//!
//! The HTTP service around `koppel-core`: an axum router (`routes`), auth and roles (`auth`),
//! the one error type (`error`), service-wide layers (`middleware`), the in-memory matching
//! engine kept in step with the database (`engine`), and storage behind the
//! [`store::Store`] trait with an embedded SQLite backend (`store::sqlite`).
//!
//! The engine crate knows nothing of this one; this crate holds no matching logic.

pub mod auth;
pub mod body;
pub mod engine;
pub mod error;
pub mod middleware;
pub mod routes;
pub mod state;
pub mod store;
pub mod tokens;
pub mod web;

use axum::Router;
use engine::Engine;
use state::{AppState, Limits};
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use store::sqlite::SqliteStore;
use store::{Seed, Store};
use tower_http::catch_panic::CatchPanicLayer;

/// How to run the service.
#[derive(Clone, Debug)]
pub struct Config {
    /// Listen address.
    pub addr: SocketAddr,
    /// Database file.
    pub db: PathBuf,
    /// Limits.
    pub limits: Limits,
    /// Key for employer-facing pseudonyms.
    pub pseudonym_key: Vec<u8>,
}

/// The routes with per-route layers (body limit, route tag for the log). [`wrap`] adds the
/// global ones.
pub fn app(state: AppState) -> Router {
    let body_limit = state.limits.body_bytes;
    let (router, _) = routes::api().split_for_parts();
    router
        .merge(web::router())
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(middleware::tag_route))
}

/// Wraps a router in the global layers, outermost first: the concurrency gate with timeout
/// (load shedding), problem bodies, access log with request id, panic recovery. Done on the
/// finished router (`Router::layer` would wrap each route separately), so the semaphore is
/// one for the whole service.
pub fn wrap(router: Router, limits: &Limits) -> Router {
    let gate = middleware::Gate::new(limits.concurrency, limits.timeout);
    Router::new()
        .fallback_service(router)
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn(middleware::access_log))
        .layer(axum::middleware::from_fn(middleware::problem_bodies))
        .layer(axum::middleware::from_fn_with_state(gate, middleware::gate))
}

/// Opens the store, builds the engine, and serves until SIGTERM or ctrl-c, then finishes
/// in-flight requests and closes the database.
pub async fn serve(
    config: Config,
    seed: impl FnOnce() -> Result<Seed, String>,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let (store, seeded) = SqliteStore::open(&config.db, seed)
        .await
        .map_err(|e| e.to_string())?;
    if seeded {
        tracing::info!(db = %config.db.display(), "new database seeded");
    }
    let key = if config.pseudonym_key.is_empty() {
        store.pseudonym_key().await.map_err(|e| e.to_string())?
    } else {
        config.pseudonym_key.clone()
    };
    let store: Arc<SqliteStore> = Arc::new(store);
    let dyn_store: Arc<dyn Store> = store.clone();
    let data = dyn_store.snapshot().await.map_err(|e| e.to_string())?;
    let engine = tokio::task::spawn_blocking(move || Engine::load(data))
        .await
        .map_err(|e| e.to_string())??;
    let feed = engine.clone();
    dyn_store.on_commit(Arc::new(move |changes| feed.apply(changes)));
    let rebuilds = tokio::spawn(engine.clone().run_rebuilds());
    let state = AppState::new(dyn_store, engine, config.limits.clone(), key);
    let app = wrap(app(state), &config.limits);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, "listening");
    ready(addr);
    // In-flight requests get SHUTDOWN_GRACE to finish; a client that never completes its
    // request (or never reads its answer) cannot keep the process alive beyond that.
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = stopping.send(true);
        })
        .into_future();
    tokio::select! {
        r = server => r.map_err(|e| e.to_string())?,
        _ = async {
            let _ = stopped.wait_for(|&s| s).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => tracing::warn!("connections still open {SHUTDOWN_GRACE:?} after the signal; closing them"),
    }
    rebuilds.abort();
    let _ = rebuilds.await;
    if let Ok(store) = Arc::try_unwrap(store) {
        store.close().await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// How long in-flight requests may take to finish after SIGTERM or ctrl-c.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
