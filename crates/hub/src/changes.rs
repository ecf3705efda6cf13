//! The change feed: new object versions as they are stored, for one viewer.
//!
//! The store announces every version it commits ([`Store::changes`]:
//! in-process for SQLite, `LISTEN`/`NOTIFY` for PostgreSQL, so every server
//! on one database hears every other's writes). [`Hub::changes`] is the only
//! way to that stream above the store, and it passes each announcement
//! through the same checks as a read before handing it out as
//! [`Released`]: the viewer must be able to read the version's collection,
//! and the version's stored grant keys must meet the viewer's principal
//! keys (`charter_policy::may_release`). Versions held for privacy review
//! are not stored, so they are not announced until approved.
//!
//! An announcement names a version, never its content; like a manifest
//! line it is recorded in the release record (form `changes`) before it is
//! handed out. A consumer (a live feed, a federation push) reads the
//! objects through the hub's ordinary reads. A consumer that falls behind gets
//! [`FeedEvent::Missed`] and should catch up with a read from the last
//! `date_added` it saw.
//!
//! **Invariant (one door):** a feed exists only for a `Viewer`, and every
//! event it yields passed the release check for that viewer.
//!
//! [`Store::changes`]: charter_store::Store::changes

use std::collections::HashMap;

use charter_store::{Change, ChangeReceiver};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::{Hub, Released, Timestamp, Viewer};

/// A new version in a collection the viewer may read, within its audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectChange {
    /// The collection id.
    pub collection: String,
    /// The STIX id.
    pub id: String,
    /// The version's timestamp text.
    pub version: String,
    /// When this node added it.
    pub date_added: Timestamp,
    /// The version's TLP level.
    pub tlp: charter_policy::TlpLevel,
}

/// What a feed yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedEvent {
    /// A new version.
    Version(ObjectChange),
    /// This many announcements were dropped because the feed fell behind;
    /// some may have been for this viewer.
    Missed(u64),
}

/// The stream of new versions for one viewer; see the module docs.
pub struct ChangeFeed {
    hub: Hub,
    viewer: Viewer,
    receiver: ChangeReceiver,
    /// Whether the viewer may read each collection seen so far.
    readable: HashMap<String, bool>,
}

impl Hub {
    /// Subscribes `viewer` to new versions from now on, filtered by what it
    /// may read.
    pub fn changes(&self, viewer: &Viewer) -> ChangeFeed {
        ChangeFeed {
            hub: self.clone(),
            viewer: viewer.clone(),
            receiver: self.store().changes(),
            readable: HashMap::new(),
        }
    }
}

impl ChangeFeed {
    /// The next event, waiting for it; `None` once the store is gone.
    pub async fn next(&mut self) -> Option<Released<FeedEvent>> {
        loop {
            let change = match self.receiver.recv().await {
                Ok(change) => change,
                Err(RecvError::Lagged(n)) => return Some(Released::grant(FeedEvent::Missed(n))),
                Err(RecvError::Closed) => return None,
            };
            if let Some(event) = self.admit(change).await {
                return Some(event);
            }
        }
    }

    /// The next event already announced, without waiting; `None` when
    /// there is none yet (or the store is gone).
    pub async fn try_next(&mut self) -> Option<Released<FeedEvent>> {
        loop {
            let change = match self.receiver.try_recv() {
                Ok(change) => change,
                Err(TryRecvError::Lagged(n)) => {
                    return Some(Released::grant(FeedEvent::Missed(n)));
                }
                Err(TryRecvError::Empty | TryRecvError::Closed) => return None,
            };
            if let Some(event) = self.admit(change).await {
                return Some(event);
            }
        }
    }

    /// The release check for one announcement.
    async fn admit(&mut self, change: Change) -> Option<Released<FeedEvent>> {
        if let Some(keys) = self.viewer.audience_filter() {
            if !charter_policy::may_release(&change.grants, keys) {
                return None;
            }
        }
        if !self.may_read(&change.collection).await {
            return None;
        }
        // Like a manifest read, the announcement is a release: recorded
        // before it is handed out, and withheld if it cannot be recorded.
        let released = [(change.id.as_str(), change.version.text.as_str())];
        if let Err(e) = self
            .hub
            .record_release(&self.viewer, &change.collection, "changes", &released)
            .await
        {
            tracing::error!(error = %e, id = %change.id, "cannot record a change's release");
            return None;
        }
        Some(Released::grant(FeedEvent::Version(ObjectChange {
            date_added: Timestamp::from_unix_micros(change.date_added),
            tlp: charter_policy::TlpLevel::parse(&change.tlp)
                .unwrap_or(charter_policy::TlpLevel::Red),
            collection: change.collection,
            id: change.id,
            version: change.version.text,
        })))
    }

    /// Whether the viewer may read collection `id`, looked up once.
    async fn may_read(&mut self, id: &str) -> bool {
        if let Some(&known) = self.readable.get(id) {
            return known;
        }
        let store = self.hub.store();
        let mut found = None;
        match store.api_roots().await {
            Ok(roots) => {
                for root in roots {
                    match store.collection(&root.name, id).await {
                        Ok(Some(record)) if record.id == id => {
                            found = Some(self.viewer.can_read(&record));
                            break;
                        }
                        Ok(_) => {}
                        Err(e) => {
                            tracing::error!(error = %e, collection = id, "cannot check a change's collection");
                            // Refused this time, asked again next time.
                            return false;
                        }
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot list API roots for a change");
                return false;
            }
        }
        let readable = found.unwrap_or(false);
        self.readable.insert(id.to_owned(), readable);
        readable
    }
}
