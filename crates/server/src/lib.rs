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
//! TAXII routes (TAXII 2.1 chapters 4 and 5), all behind HTTP Basic or a
//! bearer API token (see `auth`):
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
//! The JSON API for oversight, under `/api/v1/` (see `api`): `GET
//! /api/v1/audit` and `GET /api/v1/audit/verify`, for auditors and node
//! administrators, answered as `application/json`.
//!
//! A POST of objects may carry `X-Charter-Recipients` (organisation names or
//! ids, comma-separated): the recipients of its TLP:RED objects, which are
//! refused without it.
//!
//! Objects are served verbatim: the envelope is assembled from each stored
//! object's JSON text, never re-serialized (see `render`). Every failure is
//! one [`ErrorCode`] from one table, answered as a TAXII error message
//! (or, under `/api/v1/`, in the JSON API's error shape). Too many failed
//! sign-ins are answered 429 with `Retry-After`.
//!
//! **Boundary:** what leaves through this crate is a `Released<T>`; the
//! renderers accept nothing else, so a read that skipped the hub's release
//! check would not compile.
//!
//! Known limits, each a choice: `match[spec_version]` is not applied to
//! Delete An Object (the hub deletes by version only); unknown URL
//! parameters are ignored (see `params`).

mod api;
pub mod audit_format;
mod auth;
mod body;
mod error;
mod media;
mod params;
mod render;
pub mod review_format;
mod routes;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use charter_hub::Hub;
use tower_http::trace::TraceLayer;

pub use api::scan::MAX_SCAN_BODY;
pub use error::ErrorCode;
pub use media::TAXII_MEDIA_TYPE;

/// The TAXII 2.1 application and the JSON API over `hub`, with request
/// tracing.
///
/// Use it in-process (`tower::ServiceExt::oneshot`) or pass it to
/// [`serve`]. It carries its own fallbacks for unknown paths (404) and
/// methods (405), answered as TAXII errors (as JSON API errors under
/// `/api/v1/`); merge other routers into it with that in mind. In-process
/// requests carry no client address, so failed sign-ins are throttled per
/// account only; [`serve`] records each connection's peer address.
pub fn router(hub: Hub) -> Router {
    routes::taxii_routes()
        .nest(api::PREFIX, api::routes())
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
    let app = router(hub).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
