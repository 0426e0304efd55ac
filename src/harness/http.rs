//! The service's outside input: the JSON bodies of every write route and the query strings of
//! every read route, sent through the real router (every layer, extractor, validation and the
//! SQLite store) of a service on the demo data in a temporary directory.
//!
//! What must hold for any input: no 500, an error is a problem document whose `status` is the
//! response's (an HTML page on the web routes), a success is well-formed JSON (HTML on pages).

use crate::load::{self, Source};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use koppel_server::state::Limits;
use koppel_server::store::sqlite;
use koppel_server::store::Role;
use koppel_server::{Config, Service};
use std::net::SocketAddr;
use std::path::PathBuf;
use tower::ServiceExt;

/// A learner and a placement of the demo data that routes with an `{id}` are sent to.
const LEARNER: &str = "L0000001";
const PLACEMENT: &str = "P0000001";

/// Who sends a request.
#[derive(Clone, Copy)]
enum As {
    Advisor,
    Desk,
    Analyst,
    Admin,
    Nobody,
}

/// A write route and how its body is sent.
struct Write {
    method: Method,
    path: String,
    caller: As,
    content_type: &'static str,
}

/// A service on the demo data, and a token and a web session for each role.
pub struct Http {
    rt: tokio::runtime::Runtime,
    service: Option<Service>,
    dir: PathBuf,
    tokens: [String; 4],
    sessions: [String; 4],
}

impl Http {
    /// Starts the service on a new database in a fresh temporary directory.
    pub fn start() -> Http {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let dir = std::env::temp_dir().join(format!(
            "koppel-harness-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let config = Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: dir.join("koppel.db"),
            limits: Limits {
                // One caller sends everything, as fast as it can.
                rate_per_token: u32::MAX / 4,
                ..Limits::default()
            },
            pseudonym_key: b"harness".to_vec(),
        };
        let seed = || load::seed(&Source::Embedded).map_err(|e| format!("{e:#}"));
        let service = rt
            .block_on(Service::open(&config, seed))
            .expect("the service opens on the demo data");
        let tokens = rt.block_on(async {
            let demo = load::dataset(&Source::Embedded).expect("the demo data is valid");
            let regions: Vec<String> = demo
                .reference
                .regions
                .iter()
                .map(|r| r.code.clone())
                .collect();
            let employers: Vec<String> = demo
                .reference
                .employers
                .iter()
                .map(|e| e.id.0.clone())
                .collect();
            let pool = sqlite::open_pool(&config.db, 1)
                .await
                .expect("the database");
            let mut out = Vec::new();
            for (role, regions, employers) in [
                (Role::Advisor, &regions[..], &[][..]),
                (Role::EmployerDesk, &[][..], &employers[..]),
                (Role::Analyst, &[][..], &[][..]),
                (Role::Admin, &[][..], &[][..]),
            ] {
                let (_, secret) = sqlite::create_token(&pool, role, regions, employers)
                    .await
                    .expect("a token");
                out.push(secret);
            }
            pool.close().await;
            out
        });
        let tokens: [String; 4] = tokens.try_into().expect("four tokens");
        let mut http = Http {
            rt,
            service: Some(service),
            dir,
            tokens: tokens.clone(),
            sessions: Default::default(),
        };
        for (i, token) in tokens.iter().enumerate() {
            http.sessions[i] = http.sign_in(token);
        }
        http
    }

    /// A write route's body: the first byte picks the route, the rest is the body.
    pub fn body(&self, input: &[u8]) {
        let Some((&pick, body)) = input.split_first() else {
            return;
        };
        let routes = write_routes();
        let route = &routes[pick as usize % routes.len()];
        let mut req = Request::builder()
            .method(route.method.clone())
            .uri(&route.path)
            .header(header::CONTENT_TYPE, route.content_type);
        req = match route.caller {
            As::Nobody => req.header(header::COOKIE, "koppel_pre=harness"),
            who => req.header(header::AUTHORIZATION, format!("Bearer {}", self.token(who))),
        };
        if route.method == Method::PATCH {
            req = req.header(header::IF_MATCH, "*");
        }
        let req = req.body(Body::from(body.to_vec())).expect("a request");
        self.send(req, route.path.starts_with("/v1/"));
    }

    /// A read route's query string: the first byte picks the route, the rest is the query
    /// (as a client could send it: bytes a URI cannot hold are percent-encoded).
    pub fn query(&self, input: &[u8]) {
        let Some((&pick, query)) = input.split_first() else {
            return;
        };
        let routes = read_routes();
        let (path, who) = &routes[pick as usize % routes.len()];
        let uri = format!("{path}?{}", encode_query(query));
        let mut req = Request::builder().method(Method::GET).uri(&uri);
        req = if path.starts_with("/v1/") {
            req.header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.token(*who)),
            )
        } else {
            req.header(header::COOKIE, self.session(*who))
        };
        let req = req.body(Body::empty()).expect("a request");
        self.send(req, path.starts_with("/v1/"));
    }

    fn token(&self, who: As) -> &str {
        &self.tokens[role_ix(who)]
    }

    fn session(&self, who: As) -> &str {
        &self.sessions[role_ix(who)]
    }

    /// Signs in on the web pages; the session's cookie header.
    fn sign_in(&self, token: &str) -> String {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/sign-in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, "koppel_pre=harness")
            .body(Body::from(format!("token={token}&csrf=harness&next=/")))
            .expect("a request");
        let res = self.rt.block_on(self.router().oneshot(with_peer(req)));
        let res = res.expect("the router answers");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed in");
        res.headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("koppel_session="))
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned()
    }

    fn router(&self) -> axum::Router {
        self.service.as_ref().expect("open").router.clone()
    }

    /// Sends a request and checks the answer's invariants.
    fn send(&self, req: Request<Body>, api: bool) {
        let what = format!("{} {}", req.method(), req.uri());
        let (status, content_type, body) = self.rt.block_on(async {
            let res = self
                .router()
                .oneshot(with_peer(req))
                .await
                .expect("the router answers");
            let status = res.status();
            let content_type = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let body = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .expect("the body is read");
            (status, content_type, body)
        });
        let text = String::from_utf8_lossy(&body);
        assert!(
            !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
            "{what}: {status}: {text}"
        );
        if status == StatusCode::SEE_OTHER || status == StatusCode::NO_CONTENT {
            return;
        }
        if api || content_type.starts_with("application/problem+json") {
            let value: serde_json::Value = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("{what}: {status}: not JSON ({e}): {text}"));
            if status.is_client_error() || status.is_server_error() {
                assert!(
                    content_type.starts_with("application/problem+json"),
                    "{what}: {status} as {content_type}"
                );
                assert_eq!(
                    value["status"].as_u64(),
                    Some(u64::from(status.as_u16())),
                    "{what}: {text}"
                );
            }
        } else {
            assert!(
                content_type.starts_with("text/html"),
                "{what}: {status} as {content_type}"
            );
        }
    }
}

impl Drop for Http {
    fn drop(&mut self) {
        if let Some(service) = self.service.take() {
            self.rt.block_on(service.close());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn role_ix(who: As) -> usize {
    match who {
        As::Advisor => 0,
        As::Desk => 1,
        As::Analyst => 2,
        As::Admin | As::Nobody => 3,
    }
}

/// The connection's peer, as the listener sets it.
fn with_peer(mut req: Request<Body>) -> Request<Body> {
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    req
}

/// Every route that takes a body, in the order [`Http::body`]'s first byte picks them.
fn write_routes() -> Vec<Write> {
    let json = "application/json";
    let patch = "application/merge-patch+json";
    let w = |method, path: String, caller, content_type| Write {
        method,
        path,
        caller,
        content_type,
    };
    vec![
        w(Method::POST, "/v1/learners".into(), As::Advisor, json),
        w(
            Method::PATCH,
            format!("/v1/learners/{LEARNER}"),
            As::Advisor,
            patch,
        ),
        w(
            Method::POST,
            format!("/v1/learners/{LEARNER}/proposals"),
            As::Advisor,
            json,
        ),
        w(Method::POST, "/v1/placements".into(), As::Desk, json),
        w(
            Method::PATCH,
            format!("/v1/placements/{PLACEMENT}"),
            As::Desk,
            patch,
        ),
        w(Method::PUT, "/v1/outlook".into(), As::Admin, json),
        w(Method::POST, "/v1/allocations".into(), As::Analyst, json),
        w(
            Method::POST,
            "/sign-in".into(),
            As::Nobody,
            "application/x-www-form-urlencoded",
        ),
    ]
}

/// Every read route with a query, in the order [`Http::query`]'s first byte picks them.
fn read_routes() -> Vec<(String, As)> {
    vec![
        ("/v1/learners".into(), As::Advisor),
        ("/v1/placements".into(), As::Desk),
        (format!("/v1/learners/{LEARNER}/matches"), As::Advisor),
        (
            format!("/v1/learners/{LEARNER}/matches/{PLACEMENT}"),
            As::Advisor,
        ),
        (format!("/v1/placements/{PLACEMENT}/candidates"), As::Desk),
        (
            "/v1/allocations/A000000000000000000000000/assignments".into(),
            As::Analyst,
        ),
        ("/v1/outlook".into(), As::Admin),
        ("/learners".into(), As::Advisor),
        (format!("/learners/{LEARNER}/why"), As::Advisor),
        ("/vacancies".into(), As::Desk),
        ("/allocations/compare".into(), As::Analyst),
    ]
}

/// Bytes as a query: kept where a URI may hold them as they are, percent-encoded otherwise
/// (so `%`, `&`, `=` and `+` keep their meaning and the fuzzer can still write `%ZZ`).
fn encode_query(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
