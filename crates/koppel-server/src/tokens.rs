//! The token cache: who a token hash belongs to, looked up in the store at most once a second.

use crate::store::Caller;

/// How long a looked-up token is trusted before the database is asked again; a token revoked
/// with `koppel token revoke` stops working within this time.
pub const TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(1);

/// A short-lived cache of token lookups (hash → caller), so that a busy client costs one
/// database read per second rather than one per request.
#[derive(Default)]
pub struct TokenCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, Caller)>>,
}

impl TokenCache {
    /// The caller of a token hash, from the cache if fresh, else from the store.
    pub async fn caller(
        &self,
        store: &dyn crate::store::Store,
        hash: &str,
    ) -> Result<Option<Caller>, crate::store::StoreError> {
        let now = std::time::Instant::now();
        if let Some((at, c)) = self.lock().get(hash) {
            if now.duration_since(*at) < TOKEN_TTL {
                return Ok(Some(c.clone()));
            }
        }
        let found = store.caller(hash).await?;
        let mut map = self.lock();
        if map.len() > 10_000 {
            map.retain(|_, (at, _)| now.duration_since(*at) < TOKEN_TTL);
        }
        match &found {
            Some(c) => {
                map.insert(hash.to_owned(), (now, c.clone()));
            }
            None => {
                map.remove(hash);
            }
        }
        Ok(found)
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, (std::time::Instant, Caller)>>
    {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
