//! The accept loop: one hyper connection per TCP stream (HTTP/1.1 and HTTP/2), with a
//! deadline for request heads, the peer address on every request, hyper's own error answers
//! rewritten as problem documents ([`crate::wire`]), and a bounded graceful shutdown.
//!
//! `axum::serve` sets no timer on its connections, so a client could take as long as it liked
//! to send a request head; this loop is axum's with that deadline added.

use crate::wire::ErrorHeads;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How connections are served.
#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    /// Longest a client may take to send a request head (and, on an idle keep-alive
    /// connection, to start the next one).
    pub header_timeout: Duration,
    /// Longest in-flight requests get to finish after the shutdown signal.
    pub grace: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets in-flight requests finish
/// for at most `limits.grace`.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(limits.header_timeout))
        .keep_alive_timeout(limits.header_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req.map(Body::new)
        });
        let conn = builder
            .serve_connection_with_upgrades(
                TokioIo::new(ErrorHeads::new(stream)),
                TowerToHyperService::new(service),
            )
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(limits.grace) => {
            tracing::warn!(grace = ?limits.grace, "connections still open after the grace period; closing them");
        }
    }
}

/// The peer address of a request served by [`run`].
pub fn peer(req: &Request) -> Option<SocketAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}
