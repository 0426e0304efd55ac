//! A hostile client against a real `koppel serve`, over raw sockets where a well-behaved HTTP
//! client would not do what an attacker does: slow sign-in uploads, slow request heads, a
//! 100 kB URL, a repeated `Authorization` header. (The same layers with test doubles are in
//! `crates/koppel-server/tests/layers.rs`.)

mod common;

use common::{json, Demo, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn connect(srv: &Server) -> TcpStream {
    let s = TcpStream::connect(srv.base.trim_start_matches("http://")).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s
}

/// The status line of the first answer on `s`, or `None` when the server closes it first.
fn status_line(s: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 256];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => panic!("no answer within the test's 15 s: {e}"),
        }
        if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
            return Some(String::from_utf8_lossy(&buf[..end]).into_owned());
        }
    }
}

#[test]
fn slow_sign_in_uploads_without_a_token_cannot_take_the_service_down() {
    let demo = Demo::load();
    let srv = Server::start_with(&["--concurrency", "4", "--read-timeout", "2"]);
    let region = demo.learners[0]["region"].as_str().unwrap();
    let advisor = srv.token("advisor", &[region]);
    let learner = demo.learner_in(region)["id"].as_str().unwrap().to_owned();
    // Five times as many slow uploads as the service has slots.
    let started = Instant::now();
    let mut slow: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = connect(&srv);
            s.write_all(
                b"POST /sign-in HTTP/1.1\r\nhost: koppel\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 4000\r\n\r\ntoken=",
            )
            .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    for s in &mut slow {
        let _ = s.write_all(b"x");
    }
    // The advisor and the health check are served while the uploads dribble in.
    for _ in 0..3 {
        let m = json(
            srv.get(&advisor, &format!("/v1/learners/{learner}/matches?k=3")),
            200,
        );
        assert_eq!(m["learner"], learner.as_str());
    }
    let health = srv
        .client
        .get(format!("{}/v1/health", srv.base))
        .send()
        .unwrap();
    assert_eq!(health.status(), 200);
    // No upload holds on: each is answered (408 at the 2 s read deadline, or refused at once)
    // long before the 30 s request timeout.
    let mut cut_off = 0;
    for s in &mut slow {
        let line = status_line(s).expect("an answer, not a silent close");
        assert!(
            ["408", "503", "429"].iter().any(|c| line.contains(c)),
            "{line}"
        );
        cut_off += line.contains("408") as usize;
    }
    assert!(cut_off >= 1, "admitted uploads hit the read deadline");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    // And a slow request head is cut off too.
    let mut s = connect(&srv);
    s.write_all(b"GET /v1/health HTTP/1.1\r\nhost: koppel\r\nx-slow: ")
        .unwrap();
    assert_eq!(status_line(&mut s), None, "the connection is closed");
}

#[test]
fn a_long_url_and_a_repeated_authorization_header_get_problem_documents() {
    let demo = Demo::load();
    let srv = Server::start();
    let region = demo.learners[0]["region"].as_str().unwrap();
    let advisor = srv.token("advisor", &[region]);
    // 100 kB URL: hyper refuses it before any route sees it; still a problem document.
    let mut s = connect(&srv);
    let req = format!(
        "GET /v1/learners?cursor={} HTTP/1.1\r\nhost: koppel\r\n\r\n",
        "a".repeat(100_000)
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text.split_once("\r\n\r\n").expect("a whole answer");
    assert!(head.starts_with("HTTP/1.1 414"), "{head}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    let p: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(p["status"], 414);
    // Two Authorization headers: which one counts would be a guess; refused.
    let r = srv
        .client
        .get(format!("{}/v1/learners", srv.base))
        .header("authorization", format!("Bearer {advisor}"))
        .header("authorization", "Bearer kpl_other")
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: serde_json::Value = r.json().unwrap();
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .contains("one Authorization header"));
    // One is fine.
    json(srv.get(&advisor, "/v1/learners?limit=1"), 200);
}

#[test]
fn every_answer_carries_the_security_headers() {
    let srv = Server::start();
    for (path, accept, csp_start) in [
        (
            "/v1/health",
            "application/json",
            "default-src 'none'; frame-ancestors",
        ),
        (
            "/v1/learners",
            "application/json",
            "default-src 'none'; frame-ancestors",
        ),
        ("/sign-in", "text/html", "default-src 'none'; style-src"),
        (
            "/openapi.json",
            "application/json",
            "default-src 'none'; frame-ancestors",
        ),
    ] {
        let r = srv
            .client
            .get(format!("{}{path}", srv.base))
            .header("accept", accept)
            .send()
            .unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with(csp_start), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
}
