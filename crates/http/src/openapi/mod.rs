//! `/openapi.json` and `/docs`, generated from [`crate::ROUTES`]: each route's method, path,
//! access and summary from the table, its parameters, body and answers from the handler's
//! types ([`doc`]), every schema derived from a Rust wire type (`utoipa::ToSchema`). No asset
//! is downloaded: the reference page is plain server-rendered HTML.

pub mod doc;

use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, Paths};
use utoipa::openapi::response::{ResponseBuilder, Responses};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Components, Content, InfoBuilder, OpenApi, OpenApiBuilder};

use crate::{Access, ROUTES};

pub const STYLE: &str = "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}\
code{background:#f2f4f7;padding:0 .25rem;border-radius:3px}table{border-collapse:collapse;width:100%}\
td,th{border-bottom:1px solid #dde;padding:.35rem;text-align:left;vertical-align:top}.m{font-weight:700}</style>";

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn http_method(m: &str) -> HttpMethod {
    match m {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        other => unreachable!("api!: method {other}"),
    }
}

/// `post_v1_users_id_credentials_lost` for `POST /v1/users/{id}/credentials-lost`.
pub fn operation_id(method: &str, path: &str) -> String {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches(['{', '}']).replace(['-', '.'], "_"))
        .collect();
    let path = if segments.is_empty() {
        "root".to_string()
    } else {
        segments.join("_")
    };
    format!("{}_{path}", method.to_lowercase())
}

/// The OpenAPI 3.1 document.
///
/// Panics if two different types claim one schema name (a programming error the OpenAPI
/// test catches).
pub fn build() -> OpenApi {
    let mut paths = Paths::new();
    let mut components = Components::new();
    for r in ROUTES.iter() {
        let d = r.describe();
        for (name, schema) in d.schemas {
            match components.schemas.get(&name) {
                Some(known) => assert!(
                    *known == schema,
                    "two different schemas are named {name} (seen again at {} {})",
                    r.method,
                    r.path
                ),
                None => {
                    components.schemas.insert(name, schema);
                }
            }
        }
        let mut responses = Responses::new();
        for (status, a) in d.answers {
            let mut res = ResponseBuilder::new().description(a.description);
            for (media_type, schema) in a.content {
                res = res.content(media_type, Content::new(Some(schema)));
            }
            responses
                .responses
                .insert(status.to_string(), res.build().into());
        }
        let (security, extensions) = match r.access {
            Access::Perm(p) => (
                vec![SecurityRequirement::new("bearer", Vec::<String>::new())],
                Some(
                    ExtensionsBuilder::new()
                        .add("x-permission", format!("{p:?}"))
                        .build(),
                ),
            ),
            Access::Public => (Vec::new(), None),
        };
        let op = OperationBuilder::new()
            .summary(Some(r.summary))
            .operation_id(Some(operation_id(r.method, r.path)))
            .parameters(Some(d.parameters))
            .request_body(d.body)
            .responses(responses)
            .securities(Some(security))
            .extensions(extensions)
            .build();
        paths.add_path_operation(r.path, vec![http_method(r.method)], op);
    }
    components.security_schemes.insert(
        "bearer".into(),
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Tollgate API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Every refusal carries a stable code, the RULEBOOK rule and the clause of the terms, in one shape (`Error`).",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components))
        .build()
}

pub async fn document() -> Response {
    Json(build()).into_response()
}

pub async fn docs_page() -> Html<String> {
    let mut rows = String::new();
    for r in ROUTES.iter() {
        let d = r.describe();
        let access = match r.access {
            Access::Public => "public".to_string(),
            Access::Perm(p) => format!("token · {p:?}"),
        };
        let params: Vec<String> = d
            .parameters
            .iter()
            .filter(|p| p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
            .map(|p| p.name.clone())
            .collect();
        let query = if params.is_empty() {
            String::new()
        } else {
            format!("<br>query: <code>{}</code>", escape(&params.join(", ")))
        };
        let body = match &d.body {
            None => String::new(),
            Some(b) => format!(
                "<br>body: <code>{}</code>",
                escape(
                    &b.content
                        .iter()
                        .map(|(media, c)| format!("{media} {}", schema_name(c.schema.as_ref())))
                        .collect::<Vec<_>>()
                        .join(" | ")
                )
            ),
        };
        let answers: Vec<String> = d
            .answers
            .iter()
            .map(|(status, a)| match a.content.first() {
                Some((_, s)) if *status < 300 => format!("{status} {}", schema_name(Some(s))),
                _ => status.to_string(),
            })
            .collect();
        rows.push_str(&format!(
            "<tr><td class=m>{}</td><td><code>{}</code></td><td>{}{query}{body}<br>answers: <code>{}</code></td><td>{access}</td></tr>",
            r.method,
            escape(r.path),
            escape(r.summary),
            escape(&answers.join(", "))
        ));
    }
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Tollgate API</title>{STYLE}</head><body>\
         <h1>Tollgate API reference</h1><p>Send <code>Authorization: Bearer &lt;token&gt;</code>. Errors always look like \
         <code>{{\"error\": {{\"code\", \"message\", \"rule\", \"clause\", \"fields\", \"request_id\"}}}}</code>. \
         Lists take <code>limit</code> (1-500) and <code>cursor</code> and answer <code>{{\"items\", \"next_cursor\"}}</code>. \
         Machine-readable: <a href=/openapi.json>/openapi.json</a>.</p>\
         <table><tr><th>Method</th><th>Path</th><th>What</th><th>Access</th></tr>{rows}</table></body></html>"
    ))
}

/// The component a schema refers to, or what it is.
fn schema_name(s: Option<&utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>) -> String {
    match s {
        Some(utoipa::openapi::RefOr::Ref(r)) => r
            .ref_location
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        Some(_) => "text".into(),
        None => String::new(),
    }
}
