//! Collections of an API root (`/{root}/collections/`) and one collection
//! (`/{root}/collections/{id}/`, by id or alias). The hub lists only the
//! collections the user has some right on, and answers 404 for the others,
//! so their existence is not revealed.

use axum::extract::State;
use axum::response::Response;
use charter_hub::Hub;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::media::AcceptsTaxii;
use crate::render;
use crate::routes::PathParams;

/// `GET /{root}/collections/`.
pub(super) async fn collections(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    PathParams(root): PathParams<String>,
) -> ApiResult<Response> {
    let list = hub.collections(&viewer, &root).await?;
    render::collections(&list)
}

/// `GET /{root}/collections/{collection}/`.
pub(super) async fn collection(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    PathParams((root, collection)): PathParams<(String, String)>,
) -> ApiResult<Response> {
    let info = hub.collection(&viewer, &root, &collection).await?;
    render::collection(&info)
}
