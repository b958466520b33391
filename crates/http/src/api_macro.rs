//! `api!`: a domain's fragment of the route table. Each route is declared once:
//! `method "path" => handler, access, "summary"`, then `bulk: true` for a bulk body and
//! `doc: |d| ...` for what the handler's types cannot say. The fragment yields the domain's
//! `ROUTES` (for the OpenAPI document and the role × route matrix) and its `mount`.

/// A fragment of the route table: `method "path" => handler, access, "summary"`, then `bulk: true` for a
/// bulk body and `doc: |d| ...` for what the handler's types cannot say (another media
/// type, a status its type does not carry).
macro_rules! api {
    (@doc) => { |d| d };
    (@doc $doc:expr) => { $doc };
    ($( $m:ident $path:literal => $handler:path, $access:expr, $summary:literal $(, bulk: $bulk:literal)? $(, doc: $doc:expr)?; )*) => {
        /// This domain's routes.
        pub const ROUTES: &[$crate::RouteSpec] = &[$($crate::RouteSpec {
            method: $crate::method_name(stringify!($m)), path: $path, access: $access, summary: $summary,
            bulk: false $(|| $bulk)?,
            doc: |r| $crate::openapi::doc::describe(r, &$handler, api!(@doc $($doc)?)),
        }),*];

        /// Mounts this domain's routes, each behind its access check and body limit.
        pub fn mount(app: &tollgate_app::App, max_body: usize) -> axum::Router<tollgate_app::App> {
            let mut r = axum::Router::new();
            $(
                let mr: axum::routing::MethodRouter<tollgate_app::App> = axum::routing::$m($handler);
                let limit = if false $(|| $bulk)? { $crate::BULK_MAX_BODY_BYTES } else { max_body };
                r = r.route(
                    $path,
                    $crate::with_access(app, $access, mr)
                        .layer(axum::extract::DefaultBodyLimit::max(limit)),
                );
            )*
            r
        }
    };
}
