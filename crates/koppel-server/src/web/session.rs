//! Browser sessions: a random session id in an HttpOnly, SameSite=Strict cookie, mapped in
//! memory to the hash of the API token the person signed in with (never the token itself), a
//! per-session CSRF token and an idle deadline. The caller is looked up from the token hash on
//! every request, so a revoked token ends its sessions within [`crate::tokens::TOKEN_TTL`].
//! Sessions live in memory: a restart signs everyone out, which is the safe direction.

use axum_extra::extract::cookie::{Cookie, SameSite};
use rand::RngCore;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Cookie holding the session id.
pub const SESSION_COOKIE: &str = "koppel_session";
/// Cookie holding the sign-in form's CSRF value (before there is a session).
pub const PRE_COOKIE: &str = "koppel_pre";
/// A session unused this long is gone.
pub const IDLE: Duration = Duration::from_secs(8 * 3600);
/// At most this many live sessions of one token (a person signed in on several browsers);
/// signing in once more ends that token's least recently used session, never another token's.
pub const PER_TOKEN: usize = 16;
/// At most this many live sessions in all; beyond it, sign-ins are refused (503) until
/// sessions end or expire. Nobody is signed out to make room.
pub const MAX_SESSIONS: usize = 100_000;

/// One signed-in browser.
#[derive(Clone, Debug)]
pub struct Session {
    /// SHA-256 of the API token, hex.
    pub token_hash: String,
    /// The value every form must echo in its `csrf` field.
    pub csrf: String,
    last_seen: Instant,
}

/// All live sessions.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Starts a session for a token hash; returns its id, or `None` when [`MAX_SESSIONS`]
    /// sessions are live. A token with [`PER_TOKEN`] sessions loses its least recently used
    /// one.
    pub fn start(&self, token_hash: String) -> Option<String> {
        let id = random_hex(32);
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        map.retain(|_, s| now.duration_since(s.last_seen) < IDLE);
        let mine: Vec<(&String, Instant)> = map
            .iter()
            .filter(|(_, s)| s.token_hash == token_hash)
            .map(|(k, s)| (k, s.last_seen))
            .collect();
        if mine.len() >= PER_TOKEN {
            if let Some(oldest) = mine
                .iter()
                .min_by_key(|(_, at)| *at)
                .map(|(k, _)| (*k).clone())
            {
                map.remove(&oldest);
            }
        } else if map.len() >= MAX_SESSIONS {
            return None;
        }
        map.insert(
            id.clone(),
            Session {
                token_hash,
                csrf: random_hex(32),
                last_seen: now,
            },
        );
        Some(id)
    }

    /// The live session of an id, touching it.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let s = map.get_mut(id)?;
        if now.duration_since(s.last_seen) >= IDLE {
            map.remove(id);
            return None;
        }
        s.last_seen = now;
        Some(s.clone())
    }

    /// Ends a session.
    pub fn end(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }
}

/// `n` random bytes as hex.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A cookie only this site's pages send back, never readable by scripts.
pub fn strict_cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_start_are_found_and_end() {
        let s = Sessions::default();
        let id = s.start("h".into()).expect("room");
        let got = s.get(&id).expect("live");
        assert_eq!(got.token_hash, "h");
        assert_eq!(got.csrf.len(), 64);
        assert!(s.get("other").is_none());
        s.end(&id);
        assert!(s.get(&id).is_none());
    }

    #[test]
    fn one_token_cannot_sign_out_another_and_keeps_at_most_per_token_sessions() {
        let s = Sessions::default();
        let victim = s.start("victim".into()).unwrap();
        let first = s.start("attacker".into()).unwrap();
        let mut last = String::new();
        for _ in 0..(3 * PER_TOKEN) {
            last = s.start("attacker".into()).unwrap();
        }
        assert!(s.get(&victim).is_some(), "another token's session stays");
        assert!(s.get(&last).is_some(), "the newest session is live");
        assert!(s.get(&first).is_none(), "the token's oldest session went");
        let attacker = s
            .map
            .lock()
            .unwrap()
            .values()
            .filter(|x| x.token_hash == "attacker")
            .count();
        assert_eq!(attacker, PER_TOKEN);
    }

    #[test]
    fn a_full_table_refuses_new_sign_ins_and_evicts_nobody() {
        let s = Sessions::default();
        {
            let mut map = s.map.lock().unwrap();
            for i in 0..MAX_SESSIONS {
                map.insert(
                    format!("s{i}"),
                    Session {
                        token_hash: format!("t{i}"),
                        csrf: String::new(),
                        last_seen: Instant::now(),
                    },
                );
            }
        }
        assert_eq!(s.start("newcomer".into()), None);
        assert!(s.get("s0").is_some(), "the oldest session stays");
        assert_eq!(s.map.lock().unwrap().len(), MAX_SESSIONS);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn cookies_are_http_only_and_strict() {
        let c = strict_cookie(SESSION_COOKIE, "x".into()).to_string();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Strict"),
            "{c}"
        );
    }
}
