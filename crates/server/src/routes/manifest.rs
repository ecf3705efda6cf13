//! Metadata reads: Get Object Manifests (`.../manifest/`) and Get Object
//! Versions (`.../objects/{id}/versions/`). Both read without loading the
//! objects' JSON, and both carry the `X-TAXII-Date-Added-First`/`-Last`
//! headers of their page.

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use charter_hub::Hub;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::media::AcceptsTaxii;
use crate::params::{Endpoint, Params};
use crate::render;
use crate::routes::PathParams;
use crate::routes::objects::ensure_object_exists;

/// `GET .../manifest/`: one manifest record per matching object version.
pub(super) async fn manifest(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    PathParams((root, collection)): PathParams<(String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    let filter = Params::from_uri(&uri)?.filter(Endpoint::Objects);
    let page = hub
        .objects(&viewer, &root, &collection, filter, false)
        .await?;
    render::manifest(&page)
}

/// `GET .../objects/{id}/versions/`: every version of one object, oldest
/// added first; 404 when the collection has no such object.
pub(super) async fn versions(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    PathParams((root, collection, id)): PathParams<(String, String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    let mut filter = Params::from_uri(&uri)?.filter(Endpoint::Versions);
    filter.ids = vec![id.clone()];
    let page = hub
        .objects(&viewer, &root, &collection, filter, false)
        .await?;
    if page.get().objects.is_empty() {
        ensure_object_exists(&hub, &viewer, &root, &collection, &id).await?;
    }
    render::versions(&page)
}
