//! Authentication: HTTP Basic credentials checked against argon2 hashes.
//!
//! TAXII clients send their password on every request, and argon2 costs tens
//! of milliseconds of CPU by design. So a verified credential is remembered
//! for a short time, keyed by a keyed hash of (username, password, stored
//! hash) — never the password itself. Each request still reads the user
//! record, so a disabled user is refused at once and a changed password
//! (a different stored hash) misses the cache.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::{Hub, Viewer};

/// How long a verified credential is remembered.
const CACHE_TTL: Duration = Duration::from_secs(300);
/// The most credentials remembered at once; the cache is cleared past it.
const CACHE_CAPACITY: usize = 10_000;

/// Remembers recently verified credentials as keyed hashes.
pub(crate) struct CredentialCache {
    key: [u8; 32],
    entries: Mutex<HashMap<[u8; 32], Instant>>,
}

impl CredentialCache {
    pub(crate) fn new() -> CredentialCache {
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        CredentialCache { key, entries: Mutex::new(HashMap::new()) }
    }

    fn fingerprint(&self, username: &str, password: &str, stored_hash: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        for part in [username, password, stored_hash] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().into()
    }

    fn contains(&self, fingerprint: &[u8; 32]) -> bool {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(fingerprint).is_some_and(|at| at.elapsed() < CACHE_TTL)
    }

    fn insert(&self, fingerprint: [u8; 32]) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CACHE_CAPACITY {
            entries.retain(|_, at| at.elapsed() < CACHE_TTL);
            if entries.len() >= CACHE_CAPACITY {
                entries.clear();
            }
        }
        entries.insert(fingerprint, Instant::now());
    }
}

/// Hashes a password for storage (argon2id, random salt, PHC string).
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt_bytes = [0u8; 16];
    rand::fill(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| {
        tracing::error!(error = %e, "salt encoding failed");
        Error::new(ErrorKind::Internal, "password hashing failed")
    })?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            Error::new(ErrorKind::Internal, "password hashing failed")
        })
}

fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "stored password hash is malformed");
            false
        }
    }
}

impl Hub {
    /// Checks a username and password and returns the principal they name.
    ///
    /// Unknown users, wrong passwords and disabled users all fail the same
    /// way, so the answer does not reveal which accounts exist.
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Viewer> {
        let refused = || Error::new(ErrorKind::Unauthenticated, "invalid username or password");
        let Some(user) = self.store().user(username).await? else {
            return Err(refused());
        };
        if user.disabled {
            return Err(refused());
        }
        let cache = &self.inner.credentials;
        let fingerprint = cache.fingerprint(username, password, &user.password_hash);
        if !cache.contains(&fingerprint) {
            let stored = user.password_hash.clone();
            let candidate = password.to_owned();
            let ok = tokio::task::spawn_blocking(move || verify_password(&candidate, &stored))
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "password check task failed");
                    Error::new(ErrorKind::Internal, "password check failed")
                })?;
            if !ok {
                return Err(refused());
            }
            cache.insert(fingerprint);
        }
        let permissions = self.store().permissions(username).await?;
        Ok(Viewer::user(user.username, user.is_admin, permissions))
    }
}
