//! An acknowledged write (2xx) survives `kill -9` of the server at any moment.
//!
//! One database, many rounds. Each round starts `koppel serve` on it, lets writer threads
//! create and patch vacancies as fast as they can, and SIGKILLs the server after a random
//! delay. Then it checks a copy of the files with `PRAGMA integrity_check`, restarts the
//! server and checks through the API that every write answered 2xx in any round so far is
//! there, in full: no acknowledged write lost, no record half-written, nothing stored that
//! was never sent. At the end the database file itself is checked, and served once more.
//!
//! `KOPPEL_KILL_ROUNDS` sets the number of rounds (default 20), `KOPPEL_KILL_SEED` the seed
//! of the random choices (printed, for replaying a failure's kill moments approximately).
//! Files are checked with `koppel db-check` (integrity and foreign keys).

mod common;

use common::{fixture, Server};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::blocking::{Client, Response};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

const WRITERS: usize = 8;
/// Share of writes that patch an already acknowledged vacancy rather than create one.
const PATCH_SHARE: f64 = 0.35;
/// Prefix of every id this test creates (the demo data's ids start with `P`).
const PREFIX: &str = "D";

/// One write sent for a vacancy: the create (first) or a patch of its title.
#[derive(Debug)]
struct Attempt {
    title: String,
    /// Answered 2xx: must be durable.
    acked: bool,
}

/// A vacancy the test tried to create and everything sent for it, in order. Only the thread
/// that created it writes to it, one request at a time, and a thread stops at its first
/// request without a 2xx answer; so at most the last write is in doubt, and the stored title
/// must be the last acknowledged one or a title sent after it.
#[derive(Debug)]
struct Tracked {
    id: String,
    /// The body POSTed (with the create's title).
    sent: Value,
    writes: Vec<Attempt>,
}

impl Tracked {
    fn last_acked(&self) -> Option<usize> {
        self.writes.iter().rposition(|a| a.acked)
    }
}

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    creates_acked: usize,
    patches_acked: usize,
    unacked: usize,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.creates_acked += o.creates_acked;
        self.patches_acked += o.patches_acked;
        self.unacked += o.unacked;
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not {v:?}"))
    })
}

fn client() -> Client {
    Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Whether a write was acknowledged. Connection errors (the server was killed) and 5xx
/// answers are "not acknowledged, may or may not have landed"; any other answer means the
/// test sent something wrong.
fn acknowledged(r: reqwest::Result<Response>, want: u16, what: &str) -> bool {
    match r {
        Err(_) => false,
        Ok(r) if r.status().as_u16() == want => true,
        Ok(r) if r.status().is_server_error() => {
            let status = r.status();
            eprintln!(
                "durability: {what}: {status} {} (counted as not acknowledged)",
                r.text().unwrap_or_default()
            );
            false
        }
        Ok(r) => {
            let status = r.status();
            panic!(
                "{what}: unexpected {status}, wanted {want}: {}",
                r.text().unwrap_or_default()
            )
        }
    }
}

/// One writer thread: creates vacancies `D{round}-{thread}-{n}` and patches the titles of
/// those acknowledged, until a request is not acknowledged (normally: the server was killed).
fn write_until_killed(
    base: &str,
    token: &str,
    template: &Value,
    round: usize,
    thread: usize,
    seed: u64,
) -> (Vec<Tracked>, Counts) {
    let http = client();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut mine: Vec<Tracked> = Vec::new();
    let mut acked: Vec<usize> = Vec::new();
    let mut counts = Counts::default();
    loop {
        if !acked.is_empty() && rng.random_bool(PATCH_SHARE) {
            let t = &mut mine[acked[rng.random_range(0..acked.len())]];
            let title = format!("durability {} v{}", t.id, t.writes.len() + 1);
            let r = http
                .patch(format!("{base}/v1/placements/{}", t.id))
                .bearer_auth(token)
                .header("Content-Type", "application/merge-patch+json")
                .header("If-Match", "*")
                .body(serde_json::json!({ "title": title }).to_string())
                .send();
            let ok = acknowledged(r, 200, &format!("PATCH {}", t.id));
            t.writes.push(Attempt { title, acked: ok });
            if !ok {
                counts.unacked += 1;
                break;
            }
            counts.patches_acked += 1;
        } else {
            let id = format!("{PREFIX}{round:03}-{thread}-{:05}", mine.len());
            let title = format!("durability {id} v1");
            let mut body = template.clone();
            body["id"] = Value::from(id.as_str());
            body["title"] = Value::from(title.as_str());
            // Vary a few more fields, so that a record mixed up with another shows.
            body["capacity"] = Value::from(rng.random_range(1..=5));
            body["hours_per_week"] = Value::from(rng.random_range(16..=38));
            let mut req = http
                .post(format!("{base}/v1/placements"))
                .bearer_auth(token)
                .header("Content-Type", "application/json")
                .body(body.to_string());
            if mine.len() % 2 == 1 {
                // Some creates also store an idempotency row in the same transaction.
                req = req.header("Idempotency-Key", format!("durability-{id}"));
            }
            let ok = acknowledged(req.send(), 201, &format!("POST {id}"));
            mine.push(Tracked {
                id,
                sent: body,
                writes: vec![Attempt { title, acked: ok }],
            });
            if !ok {
                counts.unacked += 1;
                break;
            }
            counts.creates_acked += 1;
            acked.push(mine.len() - 1);
        }
    }
    (mine, counts)
}

/// Checks stored test vacancies (id → body) against everything sent so far; returns how many
/// acknowledged records were found intact, and how many records hold a write that was never
/// acknowledged (it landed but its answer was lost to the kill).
fn check(stored: &BTreeMap<String, Value>, ledger: &[Tracked], source: &str) -> (usize, usize) {
    let mut intact = 0;
    let mut landed_unacked = 0;
    for t in ledger {
        let last = t.last_acked();
        let Some(body) = stored.get(&t.id) else {
            if let Some(k) = last {
                panic!(
                    "{source}: `{}` is missing, though its write {} (title {:?}) was acknowledged",
                    t.id,
                    k + 1,
                    t.writes[k].title
                );
            }
            continue;
        };
        let allowed: Vec<&str> = t.writes[last.unwrap_or(0)..]
            .iter()
            .map(|a| a.title.as_str())
            .collect();
        let title = body["title"].as_str().unwrap_or_else(|| {
            panic!(
                "{source}: `{}` has no string title; half-written? {body}",
                t.id
            )
        });
        assert!(
            allowed.contains(&title),
            "{source}: `{}` has title {title:?}; the last acknowledged write and any sent after it \
             allow only {allowed:?} (all writes: {:?})",
            t.id,
            t.writes
        );
        let mut want = t.sent.clone();
        want["title"] = Value::from(title);
        assert_eq!(
            body, &want,
            "{source}: `{}` is not the record that was sent (half-written?)",
            t.id
        );
        if last.is_some() {
            intact += 1;
        }
        if last.map_or(0, |k| k + 1) < t.writes.len() && title == t.writes[t.writes.len() - 1].title
        {
            landed_unacked += 1;
        }
    }
    let known: HashSet<&str> = ledger.iter().map(|t| t.id.as_str()).collect();
    for id in stored.keys() {
        assert!(
            known.contains(id.as_str()),
            "{source}: `{id}` is stored but was never sent"
        );
    }
    (intact, landed_unacked)
}

/// Every test vacancy the desk sees, through the paged list.
fn list_stored(server: &Server, token: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/v1/placements?limit=500".to_owned();
        if let Some(c) = &cursor {
            path.push_str("&cursor=");
            path.push_str(c);
        }
        let page = common::json(server.get(token, &path), 200);
        for item in page["items"].as_array().expect("items") {
            let id = item["id"].as_str().expect("id").to_owned();
            if id.starts_with(PREFIX) {
                assert!(
                    out.insert(id.clone(), item.clone()).is_none(),
                    "`{id}` listed twice"
                );
            }
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

/// The given vacancies one by one with `GET /v1/placements/{id}` (absent ones left out).
fn get_each(server: &Server, token: &str, ids: &[&str]) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for id in ids {
        let r = server.get(token, &format!("/v1/placements/{id}"));
        match r.status().as_u16() {
            404 => {}
            200 => {
                out.insert((*id).to_owned(), r.json::<Value>().unwrap());
            }
            s => panic!("GET {id}: {s} {}", r.text().unwrap_or_default()),
        }
    }
    out
}

/// `PRAGMA integrity_check` and `foreign_key_check` through `koppel db-check`.
fn assert_integrity(db: &Path, when: &str) {
    let out = common::koppel()
        .args(["db-check", "--db"])
        .arg(db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.trim() == "ok",
        "{when}: the database check failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Integrity of the files as the kill left them, checked on a copy so that the server's own
/// recovery of the WAL at the next start is what gets tested.
fn assert_integrity_of_copy(dir: &Path, round: usize) {
    let copy = dir.join("check");
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir(&copy).unwrap();
    for suffix in ["", "-wal"] {
        let from = dir.join(format!("koppel.db{suffix}"));
        if from.exists() {
            std::fs::copy(&from, copy.join(format!("koppel.db{suffix}"))).unwrap();
        }
    }
    assert_integrity(
        &copy.join("koppel.db"),
        &format!("round {round}, files as left by kill -9"),
    );
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let started = Instant::now();
    let rounds = env_number("KOPPEL_KILL_ROUNDS").unwrap_or(20) as usize;
    assert!(rounds > 0, "KOPPEL_KILL_ROUNDS must be at least 1");
    let seed = env_number("KOPPEL_KILL_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
    });
    eprintln!("durability: {rounds} rounds, KOPPEL_KILL_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);

    let template = fixture("placements.jsonl").into_iter().next().unwrap();
    let employer = template["employer"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    // The per-token rate limit would answer 429 to the writers; it is not under test.
    let args = ["--rate-limit", "1000000"];

    let mut server = Server::start_on(dir.path(), &args);
    let token = server.token("employer_desk", &[&employer]);
    let mut ledger: Vec<Tracked> = Vec::new();
    let mut total = Counts::default();
    let mut checked_api = 0;
    for round in 1..=rounds {
        let delay = Duration::from_millis(rng.random_range(0..300));
        let thread_seeds: Vec<u64> = (0..WRITERS).map(|_| rng.random()).collect();
        let base = server.base.clone();
        let round_counts = std::thread::scope(|s| {
            let writers: Vec<_> = thread_seeds
                .iter()
                .enumerate()
                .map(|(thread, &ts)| {
                    let (base, token, template) = (&base, &token, &template);
                    s.spawn(move || write_until_killed(base, token, template, round, thread, ts))
                })
                .collect();
            // Timing only chooses the moment of the kill; correctness does not depend on it.
            std::thread::sleep(delay);
            server.kill();
            let mut counts = Counts::default();
            for w in writers {
                let (tracked, c) = w.join().expect("a writer thread panicked");
                ledger.extend(tracked);
                counts += c;
            }
            counts
        });
        total += round_counts;
        assert_integrity_of_copy(dir.path(), round);

        server = Server::start_on(dir.path(), &args);
        let listed = list_stored(&server, &token);
        let (intact, landed) = check(&listed, &ledger, &format!("after kill {round}, listed"));
        // This round's records once more, one by one.
        let this_round: Vec<&str> = ledger
            .iter()
            .filter(|t| t.id.starts_with(&format!("{PREFIX}{round:03}-")))
            .map(|t| t.id.as_str())
            .collect();
        let fetched = get_each(&server, &token, &this_round);
        for id in &this_round {
            assert_eq!(
                fetched.get(*id),
                listed.get(*id),
                "after kill {round}: GET and list disagree on `{id}`"
            );
        }
        checked_api += intact;
        eprintln!(
            "durability: round {round}: killed after {delay:?}; {} creates and {} patches \
             acknowledged, {} in doubt; after restart {intact} acknowledged records intact, \
             {landed} holding an unacknowledged write",
            round_counts.creates_acked, round_counts.patches_acked, round_counts.unacked
        );
    }
    server.kill();

    // The database file itself, as the last kill left it.
    let db = dir.path().join("koppel.db");
    assert_integrity(&db, "at the end");
    // And what a restarted server serves from it.
    let server = Server::start_on(dir.path(), &args);
    let stored = list_stored(&server, &token);
    let (intact, landed) = check(&stored, &ledger, "after the last kill");
    let acked_records = ledger.iter().filter(|t| t.last_acked().is_some()).count();
    assert_eq!(intact, acked_records);
    eprintln!(
        "durability: {rounds} rounds in {:.1?}: {} creates and {} patches acknowledged, {} in \
         doubt; {checked_api} record checks through the API; at the end {intact} acknowledged \
         records intact, {landed} holding an unacknowledged write",
        started.elapsed(),
        total.creates_acked,
        total.patches_acked,
        total.unacked
    );
    assert!(
        total.creates_acked > 0,
        "no write was acknowledged in any round: the test tested nothing"
    );
}
