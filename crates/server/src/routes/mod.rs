//! The TAXII 2.1 routes and what they share: the path extractor and the
//! fallbacks for unknown paths and methods.
//!
//! Each handler has the same shape: authenticate, check `Accept`, parse,
//! call one hub method, render. Extractors run in argument order, so a
//! request without credentials is refused (401) before anything else is
//! looked at.

mod collections;
mod discovery;
mod manifest;
mod objects;
mod status;

use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::routing::get;
use charter_hub::Hub;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult, ErrorCode};

/// Every TAXII route, with its state still to be supplied.
pub(crate) fn taxii_routes() -> Router<Hub> {
    Router::new()
        .route("/taxii2/", get(discovery::discovery))
        .route("/{root}/", get(discovery::api_root))
        .route("/{root}/status/{status}/", get(status::status))
        .route("/{root}/collections/", get(collections::collections))
        .route(
            "/{root}/collections/{collection}/",
            get(collections::collection),
        )
        .route(
            "/{root}/collections/{collection}/manifest/",
            get(manifest::manifest),
        )
        .route(
            "/{root}/collections/{collection}/objects/",
            get(objects::get_objects).post(objects::add_objects),
        )
        .route(
            "/{root}/collections/{collection}/objects/{object}/",
            get(objects::get_object).delete(objects::delete_object),
        )
        .route(
            "/{root}/collections/{collection}/objects/{object}/versions/",
            get(manifest::versions),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "no TAXII resource at this path (TAXII paths end with '/')",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this resource does not support that HTTP method",
    )
}

/// Path parameters, refused with a TAXII error (not axum's plain text) when
/// a segment does not decode.
pub(crate) struct PathParams<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<PathParams<T>> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathParams(value)),
            Err(rejection) => Err(ApiError::new(
                ErrorCode::InvalidRequest,
                format!("the path cannot be decoded: {}", rejection.body_text()),
            )),
        }
    }
}
