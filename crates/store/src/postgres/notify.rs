//! Change notification through `LISTEN`/`NOTIFY`.
//!
//! Each `add_objects` that stores versions sends one `NOTIFY` on
//! [`CHANNEL`] whose payload names the collection and the range of
//! `date_added` it wrote (`{"collection", "after", "through"}`), so the
//! payload stays small (PostgreSQL caps it at 8000 bytes) however large the
//! envelope. PostgreSQL delivers it only if the transaction commits, to
//! every listening session of every process, in commit order.
//!
//! Each [`PgStore`](super::PgStore) keeps one dedicated connection that
//! listens; for each notification it reads the versions of that range and
//! broadcasts one [`Change`] per version. If the connection drops it
//! reconnects with backoff; notifications sent while it was down are lost,
//! so a consumer that must see everything resumes from a `date_added`
//! cursor with an ordinary query.

use std::future::poll_fn;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_postgres::{AsyncMessage, NoTls};

use super::objects::CHANNEL;
use super::{get, pg_err, rows};
use crate::{Change, Error, ErrorKind, Result, VersionStamp};

/// How long `open` waits for the first `LISTEN` to be in place.
const READY: Duration = Duration::from_secs(10);

/// The longest pause between two reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// What one notification names: versions of `collection` added in
/// `(after, through]`.
struct Payload {
    collection: String,
    after: i64,
    through: i64,
}

impl Payload {
    fn parse(text: &str) -> Option<Payload> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        Some(Payload {
            collection: value.get("collection")?.as_str()?.to_owned(),
            after: value.get("after")?.as_i64()?,
            through: value.get("through")?.as_i64()?,
        })
    }
}

/// Starts the listener; resolves once it listens.
pub(super) async fn spawn(
    config: tokio_postgres::Config,
    pool: Pool,
    changes: broadcast::Sender<Change>,
    shown: &str,
) -> Result<tokio::task::JoinHandle<()>> {
    let (ready, listening) = oneshot::channel();
    let shown = shown.to_owned();
    let at = shown.clone();
    let task = tokio::spawn(async move {
        let mut ready = Some(ready);
        let mut backoff = Duration::from_millis(100);
        loop {
            match listen(&config, &pool, &changes, &mut ready, &shown).await {
                Ok(()) => backoff = Duration::from_millis(100),
                Err(e) => {
                    tracing::warn!(error = %e, "the change listener lost its connection");
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(Err(e));
                        return;
                    }
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    });
    match tokio::time::timeout(READY, listening).await {
        Ok(Ok(Ok(()))) => Ok(task),
        Ok(Ok(Err(e))) => Err(e),
        _ => {
            task.abort();
            Err(Error::new(
                ErrorKind::Backend,
                format!("the change listener on {at} did not start"),
            ))
        }
    }
}

/// One connection's life: `LISTEN`, then broadcast until it closes.
async fn listen(
    config: &tokio_postgres::Config,
    pool: &Pool,
    changes: &broadcast::Sender<Change>,
    ready: &mut Option<oneshot::Sender<Result<()>>>,
    shown: &str,
) -> Result<()> {
    let (client, mut connection) = config
        .connect(NoTls)
        .await
        .map_err(pg_err(format!("cannot connect to {shown} to listen")))?;
    let (notes, mut received) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        while let Some(message) = poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if notes.send(n.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the change listener's connection failed");
                    break;
                }
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(pg_err(format!("cannot listen on {shown}")))?;
    if let Some(ready) = ready.take() {
        let _ = ready.send(Ok(()));
    }
    while let Some(payload) = received.recv().await {
        match Payload::parse(&payload) {
            Some(range) => {
                if let Err(e) = announce(pool, changes, &range, shown).await {
                    tracing::error!(error = %e, collection = %range.collection, "cannot read the versions of a change");
                }
            }
            None => tracing::error!(%payload, "an unreadable change notification"),
        }
    }
    driver.abort();
    drop(client);
    Ok(())
}

/// Reads the versions a notification names and broadcasts each.
async fn announce(
    pool: &Pool,
    changes: &broadcast::Sender<Change>,
    range: &Payload,
    shown: &str,
) -> Result<()> {
    if changes.receiver_count() == 0 {
        return Ok(());
    }
    let client = get(pool, shown).await?;
    let found = rows(
        &client,
        "SELECT o.id, o.version_key, o.version_text, o.date_added, o.tlp, o.grants, o.submitter
         FROM objects AS o JOIN collections AS c ON c.seq = o.collection
         WHERE c.id = $1 AND o.date_added > $2 AND o.date_added <= $3
         ORDER BY o.date_added",
        &[&range.collection, &range.after, &range.through],
    )
    .await
    .map_err(pg_err("reading the versions of a change"))?;
    for r in &found {
        let change = (|| {
            Ok::<_, tokio_postgres::Error>(Change {
                collection: range.collection.clone(),
                id: r.try_get(0)?,
                version: VersionStamp {
                    key: r.try_get(1)?,
                    text: r.try_get(2)?,
                },
                date_added: r.try_get(3)?,
                tlp: r.try_get(4)?,
                grants: r.try_get(5)?,
                submitter: r.try_get(6)?,
            })
        })()
        .map_err(pg_err("reading the versions of a change"))?;
        // No receiver left is not an error: nobody is listening.
        let _ = changes.send(change);
    }
    Ok(())
}
