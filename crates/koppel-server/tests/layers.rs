//! The service-wide layers on a real listener: load shedding, timeouts, panics, problem bodies.
//! Handlers here are test doubles for "slow" and "broken"; the layers and the accept loop are
//! the real ones.

use axum::http::request::Parts;
use axum::routing::get;
use axum::Router;
use koppel_server::gate::Identify;
use koppel_server::listener::{self, ConnLimits};
use koppel_server::state::Limits;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Test double of the service's token check: `Bearer good` is a known caller.
struct GoodToken;

#[async_trait::async_trait]
impl Identify for GoodToken {
    async fn identify(&self, parts: &mut Parts) -> bool {
        parts
            .headers
            .get("authorization")
            .is_some_and(|v| v == "Bearer good")
    }
}

async fn serve(router: Router, limits: Limits) -> String {
    let conn = ConnLimits {
        header_timeout: limits.read_timeout,
        grace: Duration::from_secs(1),
    };
    let app = koppel_server::wrap(router, &limits, Arc::new(GoodToken));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(listener::run(listener, app, conn, std::future::pending()));
    format!("http://{addr}")
}

/// A client whose every request carries the known token.
fn known() -> reqwest::Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("authorization", "Bearer good".parse().unwrap());
    reqwest::Client::builder()
        .default_headers(h)
        .build()
        .unwrap()
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
    let client = known();
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

/// Opens a connection and sends a request head announcing `len` body bytes, and one byte.
async fn slow_upload(base: &str, path: &str, len: usize) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {len}\r\n\r\nt"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s
}

/// The status line of the first answer on `s`, or `None` if it closes first, waiting at most
/// `within`.
async fn status_line(s: &mut tokio::net::TcpStream, within: Duration) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let read = async {
        let mut chunk = [0u8; 512];
        loop {
            let n = s.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
                return Some(String::from_utf8_lossy(&buf[..end]).into_owned());
            }
        }
    };
    tokio::time::timeout(within, read)
        .await
        .expect("the server answers or closes the connection in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_with_slow_uploads_cannot_starve_known_callers_or_health_checks() {
    let router = Router::new()
        .route(
            "/sign-in",
            axum::routing::post(|body: String| async move { body.len().to_string() }),
        )
        .route("/ok", get(|| async { "ok" }))
        .route("/v1/health", get(|| async { "up" }));
    let limits = Limits {
        concurrency: 2,
        read_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let base = serve(router, limits).await;
    // More slow uploaders than the service has slots of any kind, from one address.
    let mut slow = Vec::new();
    for _ in 0..12 {
        slow.push(slow_upload(&base, "/sign-in", 1000).await);
    }
    // Give the server time to admit them (if it were to let them hold the known callers'
    // slots, the requests below would get 503).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let client = known();
    for _ in 0..3 {
        let res = client.get(format!("{base}/ok")).send().await.unwrap();
        assert_eq!(res.status(), 200, "a known caller is served");
    }
    let health = reqwest::get(format!("{base}/v1/health")).await.unwrap();
    assert_eq!(
        health.status(),
        200,
        "health checks have slots of their own"
    );
    // Every slow upload is answered long before the 30 s request timeout: those admitted with
    // 408 after the read deadline, the others with 503 or 429 at once.
    let mut timed_out = 0;
    for s in &mut slow {
        let line = status_line(s, Duration::from_secs(10))
            .await
            .expect("an answer, not a silent close");
        assert!(
            ["408", "503", "429"].iter().any(|c| line.contains(c)),
            "{line}"
        );
        timed_out += line.contains("408") as usize;
    }
    assert!(timed_out >= 1, "the admitted ones hit the read deadline");
    // A stranger's small, whole request still goes through.
    let res = reqwest::Client::new()
        .post(format!("{base}/sign-in"))
        .body("token=x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "7");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_callers_slow_body_holds_no_slot() {
    let router = Router::new()
        .route(
            "/upload",
            axum::routing::post(|body: String| async move { body.len().to_string() }),
        )
        .route("/ok", get(|| async { "ok" }));
    let base = serve(router, limits(1, Duration::from_secs(30))).await;
    use tokio::io::AsyncWriteExt;
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /upload HTTP/1.1\r\nhost: x\r\nauthorization: Bearer good\r\ncontent-length: 4\r\n\r\nab")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The only slot is free while the body is still coming.
    let res = known().get(format!("{base}/ok")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    s.write_all(b"cd").await.unwrap();
    let line = status_line(&mut s, Duration::from_secs(10)).await.unwrap();
    assert!(line.contains("200"), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_that_comes_too_slowly_is_cut_off() {
    use tokio::io::AsyncWriteExt;
    let router = Router::new().route("/ok", get(|| async { "ok" }));
    let limits = Limits {
        read_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let base = serve(router, limits).await;
    let mut s = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    s.write_all(b"GET /ok HTTP/1.1\r\nhost: x\r\nx-slow: ")
        .await
        .unwrap();
    // The connection is closed (well before the 10 s this test waits).
    assert_eq!(status_line(&mut s, Duration::from_secs(10)).await, None);
}

#[tokio::test]
async fn answers_hyper_makes_itself_are_problem_documents_too() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let router = Router::new().route("/ok", get(|| async { "ok" }));
    let base = serve(router, Limits::default()).await;
    let addr = base.trim_start_matches("http://").to_owned();
    let long_url = format!(
        "GET /ok?{} HTTP/1.1\r\nhost: x\r\n\r\n",
        "a".repeat(100_000)
    );
    let huge_header = format!(
        "GET /ok HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "b".repeat(500_000)
    );
    for (request, status, kind) in [
        (long_url, 414, "uri-too-long"),
        (huge_header, 431, "headers-too-large"),
        ("BLAH\r\n\r\n".to_owned(), 400, "bad-request"),
    ] {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let _ = s.write_all(request.as_bytes()).await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer)).await;
        let text = String::from_utf8_lossy(&answer);
        let (head, body) = text.split_once("\r\n\r\n").expect("a whole answer");
        assert!(head.starts_with(&format!("HTTP/1.1 {status}")), "{head}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(head.contains("x-content-type-options: nosniff"), "{head}");
        let p: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
        assert_eq!(p["status"], status);
        assert_eq!(p["type"], format!("https://koppel.example/problems/{kind}"));
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let router = Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route("/page", get(|| async { axum::response::Html("<p>hi</p>") }));
    let base = serve(router, Limits::default()).await;
    let client = known();
    for (path, status, csp) in [
        ("/ok", 200, "default-src 'none'; frame-ancestors 'none'"),
        (
            "/missing",
            404,
            "default-src 'none'; frame-ancestors 'none'",
        ),
        ("/page", 200, koppel_server::middleware::CSP_PAGES),
    ] {
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["content-security-policy"], csp, "{path}");
    }
    assert!(koppel_server::middleware::CSP_PAGES.contains("frame-ancestors 'none'"));
    assert!(
        !koppel_server::middleware::CSP_PAGES.contains("script-src"),
        "no scripts at all"
    );
}
