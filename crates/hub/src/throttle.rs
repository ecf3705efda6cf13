//! Throttling of failed sign-ins, per account and per client address.
//!
//! Each key counts its failures in a fixed window; past the limit, further
//! attempts are refused without checking the secret until the window ends,
//! so guessing costs the attacker time and the node no argon2 work. A
//! success clears the account's count (not the address's: one address may
//! try many accounts).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts allowed per account in one window.
pub const ACCOUNT_LIMIT: u32 = 10;
/// Failed attempts allowed per client address in one window.
pub const ADDRESS_LIMIT: u32 = 50;
/// The window over which failures are counted.
pub const WINDOW: Duration = Duration::from_secs(300);
/// The most keys tracked; older windows are dropped past it.
const CAPACITY: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// Failure counts for accounts and addresses.
#[derive(Default)]
pub(crate) struct Throttle {
    accounts: Mutex<HashMap<String, Window>>,
    addresses: Mutex<HashMap<IpAddr, Window>>,
}

fn blocked<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Window>>,
    key: &K,
    limit: u32,
) -> Option<Duration> {
    let map = map.lock().unwrap_or_else(|p| p.into_inner());
    let w = map.get(key)?;
    let elapsed = w.started.elapsed();
    (elapsed < WINDOW && w.failures >= limit).then(|| WINDOW - elapsed)
}

fn record<K: std::hash::Hash + Eq>(map: &Mutex<HashMap<K, Window>>, key: K) {
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if map.len() >= CAPACITY {
        map.retain(|_, w| w.started.elapsed() < WINDOW);
    }
    let w = map.entry(key).or_insert(Window {
        started: Instant::now(),
        failures: 0,
    });
    if w.started.elapsed() >= WINDOW {
        *w = Window {
            started: Instant::now(),
            failures: 0,
        };
    }
    w.failures = w.failures.saturating_add(1);
}

impl Throttle {
    /// How long `account` (and `from`) must wait, if either is over its limit.
    pub(crate) fn wait(&self, account: &str, from: Option<IpAddr>) -> Option<Duration> {
        let a = blocked(&self.accounts, &account.to_owned(), ACCOUNT_LIMIT);
        let b = from.and_then(|ip| blocked(&self.addresses, &ip, ADDRESS_LIMIT));
        a.into_iter().chain(b).max()
    }

    /// Counts one failure against `account` and `from`.
    pub(crate) fn fail(&self, account: &str, from: Option<IpAddr>) {
        record(&self.accounts, account.to_owned());
        if let Some(ip) = from {
            record(&self.addresses, ip);
        }
    }

    /// Clears the account's failures after a success.
    pub(crate) fn succeed(&self, account: &str) {
        self.accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_addresses_lock_after_their_limits() {
        let t = Throttle::default();
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        for _ in 0..ACCOUNT_LIMIT {
            assert!(t.wait("ana", Some(ip)).is_none());
            t.fail("ana", Some(ip));
        }
        assert!(t.wait("ana", None).is_some(), "the account is locked");
        assert!(t.wait("bob", Some(ip)).is_none(), "the address is not, yet");
        for n in 0..ADDRESS_LIMIT {
            t.fail(&format!("user{n}"), Some(ip));
        }
        assert!(
            t.wait("carol", Some(ip)).is_some(),
            "the address is locked for every account"
        );
        assert!(
            t.wait("carol", Some("192.0.2.2".parse().expect("ip")))
                .is_none()
        );
        t.succeed("ana");
        assert!(
            t.wait("ana", None).is_none(),
            "a success clears the account"
        );
    }
}
