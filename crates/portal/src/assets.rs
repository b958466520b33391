//! The portal's one stylesheet and its little script, written for this project (no framework,
//! nothing from a CDN), compiled into the binary and served under a path that carries a hash
//! of their content, so they can be cached for a long time and a change is never served
//! stale.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub const CSS: &str = include_str!("../static/portal.css");
pub const JS: &str = include_str!("../static/portal.js");

/// FNV-1a, 64 bits: a content tag for cache busting (not a security property).
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

static CSS_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/portal/static/portal-{:016x}.css", fnv1a(CSS.as_bytes())));
static JS_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/portal/static/portal-{:016x}.js", fnv1a(JS.as_bytes())));

/// The stylesheet's path, as the pages link it.
pub fn css_path() -> &'static str {
    &CSS_PATH
}

/// The script's path, as the pages link it.
pub fn js_path() -> &'static str {
    &JS_PATH
}

pub async fn serve(Path(file): Path<String>) -> Response {
    let path = format!("/portal/static/{file}");
    let (body, ty) = if path == css_path() {
        (CSS, "text/css; charset=utf-8")
    } else if path == js_path() {
        (JS, "text/javascript; charset=utf-8")
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, ty),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}
