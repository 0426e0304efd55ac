//! A real `koppel serve` child process on a random port with its own SQLite file, plus
//! helpers to make tokens and requests. Shared by the API test files.
#![allow(dead_code)]

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn koppel() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_koppel"));
    c.current_dir(root());
    c
}

/// Fixed pseudonym key for tests, so pseudonyms can be computed.
pub const KEY: &str = "test-pseudonym-key";

/// A running server.
pub struct Server {
    child: Option<Child>,
    pub base: String,
    pub db: PathBuf,
    pub log: PathBuf,
    pub client: Client,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// A server on a new database in a new temporary directory.
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// Same, with extra `koppel serve` arguments.
    pub fn start_with(args: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Server::start_on(dir.path(), args);
        s._dir = Some(dir);
        s
    }

    /// A server on `dir/koppel.db` (kept when the server stops, for restarts).
    pub fn start_on(dir: &Path, args: &[&str]) -> Server {
        let db = dir.join("koppel.db");
        let log = dir.join(format!("server-{}.log", std::process::id()));
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut child = koppel()
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(&db)
            .args(args)
            .env("KOPPEL_PSEUDONYM_KEY", KEY)
            .env("KOPPEL_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("koppel serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("koppel: listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?}; log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_owned();
        Server {
            child: Some(child),
            base,
            db,
            log,
            client: Client::builder().build().unwrap(),
            _dir: None,
        }
    }

    /// Creates a token with `koppel token create`.
    pub fn token(&self, role: &str, scope: &[&str]) -> String {
        let mut c = koppel();
        c.args(["token", "create", "--db"]).arg(&self.db);
        c.args(["--role", role]);
        for s in scope {
            let flag = if role == "advisor" {
                "--region"
            } else {
                "--employer"
            };
            c.args([flag, s]);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "token create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    pub fn req(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub fn get(&self, token: &str, path: &str) -> Response {
        self.req(Method::GET, path, Some(token)).send().unwrap()
    }

    pub fn send_json(&self, method: Method, token: &str, path: &str, body: &Value) -> Response {
        self.req(method, path, Some(token))
            .json(body)
            .send()
            .unwrap()
    }

    /// Everything the server logged so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL, no chance to clean up.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait for a clean exit; returns whether it exited successfully.
    pub fn terminate(&mut self) -> bool {
        let Some(mut c) = self.child.take() else {
            return false;
        };
        let _ = Command::new("kill").arg(c.id().to_string()).status();
        c.wait().map(|s| s.success()).unwrap_or(false)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// JSON body of a response, asserting its status.
pub fn json(r: Response, status: u16) -> Value {
    let got = r.status().as_u16();
    let text = r.text().unwrap();
    assert_eq!(got, status, "unexpected status; body: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

/// Records of a demo fixture file.
pub fn fixture(name: &str) -> Vec<Value> {
    std::fs::read_to_string(root().join("fixtures/demo").join(name))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The demo's learners and placements, grouped for picking test subjects.
pub struct Demo {
    pub learners: Vec<Value>,
    pub placements: Vec<Value>,
}

impl Demo {
    pub fn load() -> Demo {
        Demo {
            learners: fixture("learners.jsonl"),
            placements: fixture("placements.jsonl"),
        }
    }

    pub fn learner_in(&self, region: &str) -> &Value {
        self.learners
            .iter()
            .find(|l| l["region"] == region)
            .unwrap()
    }

    pub fn placement_of(&self, employer: &str) -> &Value {
        self.placements
            .iter()
            .find(|p| p["employer"] == employer)
            .unwrap()
    }

    /// Two employers that both have placements.
    pub fn two_employers(&self) -> (String, String) {
        let es: BTreeSet<&str> = self
            .placements
            .iter()
            .map(|p| p["employer"].as_str().unwrap())
            .collect();
        let mut it = es.into_iter();
        (it.next().unwrap().to_owned(), it.next().unwrap().to_owned())
    }
}

/// A learner record cloned from a demo one with a new id.
pub fn new_learner(base: &Value, id: &str) -> Value {
    let mut l = base.clone();
    l["id"] = json!(id);
    l
}

pub fn new_placement(base: &Value, id: &str) -> Value {
    let mut p = base.clone();
    p["id"] = json!(id);
    p
}

/// Starts an allocation job as the analyst; its id.
pub fn start_job(srv: &Server, analyst: &str, mode: &str) -> String {
    let job = json(
        srv.send_json(
            Method::POST,
            analyst,
            "/v1/allocations",
            &json!({ "mode": mode }),
        ),
        202,
    );
    job["id"].as_str().unwrap().to_owned()
}

/// How long an allocation job of the demo cohort may take in a test (it takes well under a
/// second; a shared, loaded CI machine gets a wide margin).
pub const JOB_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// Polls an allocation job until it is done or failed; panics, with the last status, if it is
/// neither within [`JOB_DEADLINE`].
pub fn wait_for_job(srv: &Server, analyst: &str, id: &str) -> Value {
    let start = std::time::Instant::now();
    loop {
        let j = json(srv.get(analyst, &format!("/v1/allocations/{id}")), 200);
        if j["status"] == "done" || j["status"] == "failed" {
            return j;
        }
        assert!(
            start.elapsed() < JOB_DEADLINE,
            "allocation job {id} neither done nor failed after {JOB_DEADLINE:?}; last status: {j}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Every assignment row of a finished job, following `next_cursor`, with the raw text of
/// every page and every cursor as sent.
pub fn all_assignments(srv: &Server, analyst: &str, id: &str) -> (Vec<Value>, Vec<String>) {
    let (mut rows, mut raw) = (Vec::new(), Vec::new());
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => format!("/v1/allocations/{id}/assignments?limit=50"),
            Some(c) => format!("/v1/allocations/{id}/assignments?limit=50&cursor={c}"),
        };
        let r = srv.get(analyst, &path);
        assert_eq!(r.status(), 200, "{path}");
        let text = r.text().unwrap();
        let page: Value = serde_json::from_str(&text).unwrap();
        rows.extend(page["items"].as_array().unwrap().iter().cloned());
        raw.push(text);
        match page["next_cursor"].as_str() {
            Some(c) => {
                raw.push(c.to_owned());
                cursor = Some(c.to_owned());
            }
            None => return (rows, raw),
        }
    }
}
