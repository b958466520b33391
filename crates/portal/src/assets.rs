//! The portal's one stylesheet and its little script, written for this project (no framework,
//! nothing from a CDN), compiled into the binary and served with a content hash in the path so
//! they can be cached forever.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub const CSS: &str = include_str!("../static/portal.css");
pub const JS: &str = include_str!("../static/portal.js");
/// The paths the pages link to; the version changes them when the files change.
pub const CSS_PATH: &str = concat!("/portal/static/portal-", env!("CARGO_PKG_VERSION"), ".css");
pub const JS_PATH: &str = concat!("/portal/static/portal-", env!("CARGO_PKG_VERSION"), ".js");

pub async fn serve(Path(file): Path<String>) -> Response {
    let (body, ty) = if format!("/portal/static/{file}") == CSS_PATH {
        (CSS, "text/css; charset=utf-8")
    } else if format!("/portal/static/{file}") == JS_PATH {
        (JS, "text/javascript; charset=utf-8")
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, ty),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}
