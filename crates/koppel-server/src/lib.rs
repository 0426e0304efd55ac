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
pub mod gate;
pub mod jobs;
pub mod listener;
pub mod middleware;
pub mod routes;
pub mod state;
pub mod store;
pub mod tokens;
pub mod web;
pub mod wire;

use axum::Router;
use engine::Engine;
use state::{AppState, Limits};
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

/// Wraps a router in the global layers, outermost first: security headers, admission (the
/// concurrency budgets, body deadlines and timeout of [`gate`], with `identify` telling known
/// callers from strangers), problem bodies, access log with request id, panic recovery. Done
/// on the finished router (`Router::layer` would wrap each route separately), so the budgets
/// are one for the whole service.
pub fn wrap(router: Router, limits: &Limits, identify: Arc<dyn gate::Identify>) -> Router {
    let gate = gate::Gate::new(
        gate::Budgets::for_concurrency(limits.concurrency),
        limits.timeout,
        limits.read_timeout,
        limits.body_bytes,
        identify,
    );
    Router::new()
        .fallback_service(router)
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn(middleware::access_log))
        .layer(axum::middleware::from_fn(middleware::problem_bodies))
        .layer(axum::middleware::from_fn_with_state(gate, gate::gate))
        .layer(axum::middleware::from_fn(middleware::security_headers))
}

/// A service ready to answer: its state, the finished router (every layer of [`wrap`]) and
/// what must be closed when it stops. [`serve`] puts it behind a listener; the fuzz harness
/// and tests call the router directly.
pub struct Service {
    /// What every handler gets.
    pub state: AppState,
    /// The routes inside the global layers.
    pub router: Router,
    store: Arc<SqliteStore>,
    rebuilds: tokio::task::JoinHandle<()>,
}

impl Service {
    /// Opens the store at `config.db` (seeding a new database with `seed`), builds the engine
    /// and feeds it every commit.
    pub async fn open(
        config: &Config,
        seed: impl FnOnce() -> Result<Seed, String>,
    ) -> Result<Service, String> {
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
        let router = wrap(app(state.clone()), &config.limits, Arc::new(state.clone()));
        Ok(Service {
            state,
            router,
            store,
            rebuilds,
        })
    }

    /// Stops the engine's rebuilds and closes the database, waiting for queued writes.
    pub async fn close(self) {
        let Service {
            state,
            router,
            store,
            rebuilds,
        } = self;
        rebuilds.abort();
        let _ = rebuilds.await;
        // The router and state hold the store too; drop them so that it can be closed.
        drop(router);
        drop(state);
        if let Ok(store) = Arc::try_unwrap(store) {
            store.close().await;
        }
    }
}

/// Opens the service, and serves until SIGTERM or ctrl-c, then finishes in-flight requests
/// and closes the database.
pub async fn serve(
    config: Config,
    seed: impl FnOnce() -> Result<Seed, String>,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let mut service = Service::open(&config, seed).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, "listening");
    ready(addr);
    // In-flight requests get SHUTDOWN_GRACE to finish; a client that never completes its
    // request (or never reads its answer) cannot keep the process alive beyond that.
    let conn = listener::ConnLimits {
        header_timeout: config.limits.read_timeout,
        grace: SHUTDOWN_GRACE,
    };
    let app = std::mem::replace(&mut service.router, Router::new());
    listener::run(listener, app, conn, shutdown_signal()).await;
    service.close().await;
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
