//! Authentication: HTTP Basic passwords and bearer API tokens, both checked
//! against argon2 hashes, with throttling of failures.
//!
//! TAXII clients send their secret on every request, and argon2 costs tens
//! of milliseconds of CPU by design. So a verified secret is remembered for
//! a short time, keyed by a keyed hash of (name, secret, stored hash) —
//! never the secret itself. Each request still reads the account record, so
//! a disabled user or a revoked token is refused at once, and a changed
//! password (a different stored hash) misses the cache.
//!
//! API tokens look like `charter_<id>_<secret>`: the id finds the record,
//! the 256-bit secret is checked against its argon2 hash.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use charter_store::Account;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::{Hub, Viewer};

/// How long a verified credential is remembered.
const CACHE_TTL: Duration = Duration::from_secs(300);
/// The most credentials remembered at once; the cache is cleared past it.
const CACHE_CAPACITY: usize = 10_000;
/// The prefix of every API token.
pub const TOKEN_PREFIX: &str = "charter_";

/// Remembers recently verified credentials as keyed hashes.
pub(crate) struct CredentialCache {
    key: [u8; 32],
    entries: Mutex<HashMap<[u8; 32], Instant>>,
}

impl CredentialCache {
    pub(crate) fn new() -> CredentialCache {
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        CredentialCache {
            key,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn fingerprint(&self, name: &str, secret: &str, stored_hash: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        for part in [name, secret, stored_hash] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().into()
    }

    fn contains(&self, fingerprint: &[u8; 32]) -> bool {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(fingerprint)
            .is_some_and(|at| at.elapsed() < CACHE_TTL)
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

/// Hashes a secret for storage (argon2id, random salt, PHC string).
pub fn hash_secret(secret: &str) -> Result<String> {
    let internal = |what: &str, e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "{what}");
        Error::new(ErrorKind::Internal, "secret hashing failed")
    };
    let mut salt_bytes = [0u8; 16];
    rand::fill(&mut salt_bytes);
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| internal("salt encoding failed", &e))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| internal("argon2 hashing failed", &e))
}

fn verify_secret(secret: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "stored secret hash is malformed");
            false
        }
    }
}

/// A new token's secret part: 256 random bits, URL-safe base64.
pub(crate) fn new_token_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Splits `charter_<id>_<secret>`.
fn split_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

fn refused() -> Error {
    Error::new(ErrorKind::Unauthenticated, "invalid username or password")
}

impl Hub {
    fn check_throttle(&self, account: &str, from: Option<IpAddr>) -> Result<()> {
        match self.inner.throttle.wait(account, from) {
            Some(wait) => Err(Error::throttled(wait)),
            None => Ok(()),
        }
    }

    /// Checks `secret` against `stored`, through the cache.
    async fn verified(&self, name: &str, secret: &str, stored: &str) -> Result<bool> {
        let cache = &self.inner.credentials;
        let fingerprint = cache.fingerprint(name, secret, stored);
        if cache.contains(&fingerprint) {
            return Ok(true);
        }
        let (candidate, stored) = (secret.to_owned(), stored.to_owned());
        let ok = tokio::task::spawn_blocking(move || verify_secret(&candidate, &stored))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "secret check task failed");
                Error::new(ErrorKind::Internal, "credential check failed")
            })?;
        if ok {
            cache.insert(fingerprint);
        }
        Ok(ok)
    }

    /// Checks a username and password (HTTP Basic) from client address
    /// `from` and returns the principal they name.
    ///
    /// Unknown users, wrong passwords and disabled users all fail the same
    /// way, so the answer does not reveal which accounts exist; repeated
    /// failures are throttled per account and per address.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
        from: Option<IpAddr>,
    ) -> Result<Viewer> {
        self.check_throttle(username, from)?;
        // The user with its communities and rights, in one store read; they
        // are used only once the secret checks out.
        let account = self.store().account(username).await?;
        let ok = match &account {
            Some(a) if !a.user.disabled => {
                self.verified(username, password, &a.user.password_hash)
                    .await?
            }
            _ => false,
        };
        match account {
            Some(account) if ok => {
                self.inner.throttle.succeed(username);
                Ok(viewer_of_account(account))
            }
            _ => {
                self.inner.throttle.fail(username, from);
                Err(refused())
            }
        }
    }

    /// Checks a bearer API token from client address `from`. Expired and
    /// revoked tokens, and tokens of disabled users, are refused.
    pub async fn authenticate_token(&self, token: &str, from: Option<IpAddr>) -> Result<Viewer> {
        let refused = || Error::new(ErrorKind::Unauthenticated, "invalid or expired token");
        let Some((id, secret)) = split_token(token) else {
            if let Some(ip) = from {
                self.inner.throttle.fail("token:", Some(ip));
            }
            return Err(refused());
        };
        let account = format!("token:{id}");
        self.check_throttle(&account, from)?;
        let now = crate::objects::now_micros();
        let record = self.store().token(id).await?;
        let usable = record.filter(|t| !t.revoked && t.expires.is_none_or(|e| e > now));
        let user = match &usable {
            Some(t) => self
                .store()
                .account(&t.username)
                .await?
                .filter(|a| !a.user.disabled),
            None => None,
        };
        let ok = match (&usable, &user) {
            (Some(t), Some(_)) => self.verified(&account, secret, &t.secret_hash).await?,
            _ => false,
        };
        match user {
            Some(user) if ok => {
                self.inner.throttle.succeed(&account);
                Ok(viewer_of_account(user))
            }
            _ => {
                self.inner.throttle.fail(&account, from);
                Err(refused())
            }
        }
    }

    /// The principal of `username`, for a node operator who acts on its
    /// behalf from the command line (e.g. to export what a member sees).
    pub async fn viewer_as(&self, operator: &Viewer, username: &str) -> Result<Viewer> {
        if !operator.is_admin() {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "only a node administrator may act as another user",
            ));
        }
        let account = self
            .store()
            .account(username)
            .await?
            .ok_or_else(|| Error::not_found(format!("user '{username}'")))?;
        Ok(viewer_of_account(account).via(operator.channel()))
    }
}

/// The principal of a stored user: its organisation's communities and its
/// explicit rights, as read with the user for this request, so changes apply
/// at once.
fn viewer_of_account(account: Account) -> Viewer {
    let Account {
        user,
        communities,
        permissions,
    } = account;
    Viewer::user(user.username, user.role, user.org, communities, permissions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_into_id_and_secret() {
        assert_eq!(split_token("charter_abc_s3cr3t"), Some(("abc", "s3cr3t")));
        assert_eq!(split_token("charter_abc_s3_cr"), Some(("abc", "s3_cr")));
        for bad in [
            "",
            "charter_",
            "charter__x",
            "charter_abc_",
            "bearer_abc_x",
            "charter_abc",
        ] {
            assert_eq!(split_token(bad), None, "{bad}");
        }
    }

    #[test]
    fn secrets_verify_against_their_hash_only() {
        let hash = hash_secret("s3cret-value").expect("hashes");
        assert!(verify_secret("s3cret-value", &hash));
        assert!(!verify_secret("s3cret-valuE", &hash));
        assert!(!verify_secret("s3cret-value", "not a phc string"));
    }
}
