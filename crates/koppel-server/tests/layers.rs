//! The service-wide layers on a real listener: load shedding, timeouts, panics, problem bodies.
//! Handlers here are test doubles for "slow" and "broken"; the layers are the real ones.

use axum::routing::get;
use axum::Router;
use koppel_server::state::Limits;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

async fn serve(router: Router, limits: Limits) -> String {
    let app = koppel_server::wrap(router, &limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn limits(concurrency: usize, timeout: Duration) -> Limits {
    Limits {
        concurrency,
        timeout,
        ..Limits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_global_limit_are_shed_with_503_and_retry_after() {
    let release = Arc::new(Notify::new());
    let entered = Arc::new(tokio::sync::Semaphore::new(0));
    let (r, e) = (release.clone(), entered.clone());
    let router = Router::new()
        .route(
            "/a",
            get(move || {
                let (r, e) = (r.clone(), e.clone());
                async move {
                    let wait = r.notified();
                    e.add_permits(1);
                    wait.await;
                    "a"
                }
            }),
        )
        .route("/b", get(|| async { "b" }));
    let base = serve(router, limits(2, Duration::from_secs(30))).await;
    let client = reqwest::Client::new();
    // Two requests hold both permits (on a route of their own: the limit is per service,
    // not per route).
    let held: Vec<_> = (0..2)
        .map(|_| tokio::spawn(client.get(format!("{base}/a")).send()))
        .collect();
    let both_inside = entered.acquire_many(2).await.unwrap();
    both_inside.forget();
    for _ in 0..5 {
        let res = client.get(format!("{base}/b")).send().await.unwrap();
        assert_eq!(res.status(), 503);
        assert_eq!(res.headers()["retry-after"], "1");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    release.notify_waiters();
    for h in held {
        assert_eq!(h.await.unwrap().unwrap().status(), 200);
    }
    // Permits come back: the service admits again.
    assert_eq!(
        client
            .get(format!("{base}/b"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn broken() -> &'static str {
    panic!("handler bug")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_request_times_out_and_a_panic_is_a_500_while_the_service_keeps_serving() {
    let router = Router::new()
        .route("/never", get(std::future::pending::<&'static str>))
        .route("/panic", get(broken))
        .route("/ok", get(|| async { "ok" }));
    let base = serve(router, limits(8, Duration::from_millis(200))).await;
    let client = reqwest::Client::new();
    let slow = client.get(format!("{base}/never")).send().await.unwrap();
    assert_eq!(slow.status(), 503);
    let body: serde_json::Value = slow.json().await.unwrap();
    assert!(body["type"].as_str().unwrap().ends_with("/timeout"));
    for _ in 0..3 {
        let res = client.get(format!("{base}/panic")).send().await.unwrap();
        assert_eq!(res.status(), 500);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let text = res.text().await.unwrap();
        assert!(
            !text.contains("handler bug"),
            "panic messages are not sent to clients"
        );
    }
    assert_eq!(
        client
            .get(format!("{base}/ok"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn errors_made_by_the_framework_become_problem_documents() {
    let router = Router::new().route("/only-get", get(|| async { "x" }));
    let base = serve(router, Limits::default()).await;
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{base}/only-get"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["status"], 405);
    assert!(p["type"].as_str().unwrap().ends_with("/method-not-allowed"));
    let res = client.get(format!("{base}/missing")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers().contains_key("x-request-id"));
}
