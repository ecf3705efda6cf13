//! Charter's HTTP edge: a TAXII 2.1 server on axum.
//!
//! The key design decision: **this crate is thin**. Each handler
//! authenticates, checks media types, parses the URL parameters and body,
//! calls one [`charter_hub::Hub`] method and renders the [`charter_hub::Released`]
//! value it returns. It holds no state of its own, makes no access decision
//! the hub does not make again, and never touches the store. TAXII — paths,
//! envelopes, headers, media types, error messages — is known here and
//! nowhere else, so the hub stays plain Rust.
//!
//! Routes (TAXII 2.1 chapters 4 and 5), all behind HTTP Basic:
//!
//! | path | methods |
//! | --- | --- |
//! | `/taxii2/` | GET (discovery) |
//! | `/{root}/` | GET (API root) |
//! | `/{root}/status/{id}/` | GET |
//! | `/{root}/collections/` | GET |
//! | `/{root}/collections/{id}/` | GET |
//! | `/{root}/collections/{id}/manifest/` | GET |
//! | `/{root}/collections/{id}/objects/` | GET, POST |
//! | `/{root}/collections/{id}/objects/{object-id}/` | GET, DELETE |
//! | `/{root}/collections/{id}/objects/{object-id}/versions/` | GET |
//!
//! Objects are served verbatim: the envelope is assembled from each stored
//! object's JSON text, never re-serialized (see `render`). Every failure is
//! one [`ErrorCode`] from one table, answered as a TAXII error message.
//!
//! **Boundary:** what leaves through this crate is a `Released<T>`; the
//! renderers accept nothing else, so a read that skipped the hub's release
//! check would not compile.
//!
//! Known limits, each a choice: `match[spec_version]` is not applied to
//! Delete An Object (the hub deletes by version only); unknown URL
//! parameters are ignored (see `params`).

mod auth;
mod error;
mod media;
mod params;
mod render;
mod routes;

use std::future::Future;

use axum::Router;
use charter_hub::Hub;
use tower_http::trace::TraceLayer;

pub use error::ErrorCode;
pub use media::TAXII_MEDIA_TYPE;

/// The TAXII 2.1 application over `hub`, with request tracing.
///
/// Use it in-process (`tower::ServiceExt::oneshot`) or pass it to
/// [`serve`]. It carries its own fallbacks for unknown paths (404) and
/// methods (405), both answered as TAXII errors; merge other routers into
/// it with that in mind.
pub fn router(hub: Hub) -> Router {
    routes::taxii_routes()
        .with_state(hub)
        .layer(TraceLayer::new_for_http())
}

/// Serves [`router`] on `listener` until `shutdown` resolves, then stops
/// accepting connections and returns once requests in flight have finished.
pub async fn serve(
    listener: tokio::net::TcpListener,
    hub: Hub,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "TAXII server listening");
    }
    axum::serve(listener, router(hub))
        .with_graceful_shutdown(shutdown)
        .await
}
