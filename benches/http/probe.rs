//! A load generator that reports latency per status, for the overload benchmark (wrk reports
//! one distribution for all answers, so it cannot say how fast the refused ones were).
//!
//! `KOPPEL_BASE=http://127.0.0.1:8080 KOPPEL_TOKEN=… KOPPEL_CONNS=320 KOPPEL_SECS=20 \
//!  KOPPEL_LEARNERS=100000 cargo bench --bench http_probe`
//!
//! Opens KOPPEL_CONNS keep-alive connections; each sends `GET /v1/learners/{id}/matches?k=10`
//! for random learners back to back. Prints count, p50, p99 and max per status.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn main() {
    let Ok(base) = std::env::var("KOPPEL_BASE") else {
        eprintln!("http_probe: set KOPPEL_BASE and KOPPEL_TOKEN (see the file's header); skipped");
        return;
    };
    let token = env("KOPPEL_TOKEN", "");
    let conns: usize = env("KOPPEL_CONNS", "320").parse().expect("KOPPEL_CONNS");
    let secs: u64 = env("KOPPEL_SECS", "20").parse().expect("KOPPEL_SECS");
    let learners: u64 = env("KOPPEL_LEARNERS", "100000")
        .parse()
        .expect("KOPPEL_LEARNERS");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let by_status = rt.block_on(async move {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let tasks: Vec<_> = (0..conns)
            .map(|c| {
                let (base, token) = (base.clone(), token.clone());
                tokio::spawn(async move {
                    let client = reqwest::Client::builder()
                        .pool_max_idle_per_host(1)
                        .build()
                        .expect("client");
                    let mut seen: Vec<(u16, Duration)> = Vec::new();
                    let mut x = c as u64 * 7919 + 1;
                    while Instant::now() < deadline {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        let id = (x >> 33) % learners + 1;
                        let url = format!("{base}/v1/learners/L{id:07}/matches?k=10");
                        let t = Instant::now();
                        let status = match client.get(&url).bearer_auth(&token).send().await {
                            Ok(r) => {
                                let s = r.status().as_u16();
                                let _ = r.bytes().await;
                                s
                            }
                            Err(_) => 0,
                        };
                        seen.push((status, t.elapsed()));
                    }
                    seen
                })
            })
            .collect();
        let mut by_status: BTreeMap<u16, Vec<Duration>> = BTreeMap::new();
        for t in tasks {
            for (s, d) in t.await.expect("task") {
                by_status.entry(s).or_default().push(d);
            }
        }
        by_status
    });
    for (status, mut v) in by_status {
        v.sort();
        let q = |p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)];
        println!(
            "status {status:>3}: n={:>7} p50={:>8.2?} p99={:>8.2?} max={:>8.2?}",
            v.len(),
            q(0.5),
            q(0.99),
            v[v.len() - 1]
        );
    }
}
