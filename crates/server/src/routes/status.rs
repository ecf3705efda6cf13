//! Status resources (`/{root}/status/{id}/`): the outcome of an Add Objects
//! request, visible to the user who made it and to administrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_hub::Hub;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::media::AcceptsTaxii;
use crate::render;
use crate::routes::PathParams;

/// `GET /{root}/status/{status}/`.
pub(super) async fn status(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    PathParams((root, id)): PathParams<(String, String)>,
) -> ApiResult<Response> {
    let status = hub.status(&viewer, &root, &id).await?;
    render::status(&status, StatusCode::OK)
}
