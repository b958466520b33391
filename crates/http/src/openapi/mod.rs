//! `/openapi.json` and `/docs`, generated from [`crate::ROUTES`]. No asset is downloaded:
//! the reference page is plain server-rendered HTML.

use axum::response::{Html, IntoResponse};
use axum::Json;
use serde_json::{json, Map, Value};

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

fn error_schema() -> Value {
    json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "object",
        "required": ["code", "message", "request_id"],
        "properties": {
            "code": {"type": "string", "description": "stable snake_case code"},
            "message": {"type": "string"},
            "rule": {"type": ["string", "null"], "description": "RULEBOOK rule ID"},
            "clause": {"type": ["string", "null"], "description": "clause of the terms"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            "request_id": {"type": "string"}}}}})
}

/// The OpenAPI 3.1 document.
pub fn build() -> Value {
    let mut paths = Map::new();
    for r in ROUTES {
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        let mut params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        params.extend(r.query.iter().map(
            |q| json!({"name": q, "in": "query", "required": false, "schema": {"type": "string"}}),
        ));
        let mut op = json!({
            "summary": r.summary,
            "operationId": format!("{}_{}", r.method.to_lowercase(), r.path.trim_matches('/').replace(['/', '{', '}', '-', '.'], "_")),
            "parameters": params,
            "responses": {
                "200": {"description": "OK"},
                "4XX": {"description": "Refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        });
        if let Access::Perm(p) = r.access {
            op["security"] = json!([{"bearer": []}]);
            op["x-permission"] = json!(format!("{p:?}"));
        } else {
            op["security"] = json!([]);
        }
        if !r.body.is_empty() {
            let schema: Value =
                serde_json::from_str(r.body).expect("route body schema is valid JSON");
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": schema}}});
        } else if r.bulk {
            op["requestBody"] = json!({"required": true, "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array"}},
                "application/x-ndjson": {"schema": {"type": "string"}}}});
        }
        entry[r.method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Tollgate API", "version": env!("CARGO_PKG_VERSION"),
            "description": "Every refusal carries a stable code, the RULEBOOK rule and the clause of the terms."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": error_schema()},
        },
    })
}

pub async fn document() -> impl IntoResponse {
    Json(build())
}

pub async fn docs_page() -> Html<String> {
    let mut rows = String::new();
    for r in ROUTES {
        let access = match r.access {
            Access::Public => "public".to_string(),
            Access::Perm(p) => format!("token · {p:?}"),
        };
        let body = if r.body.is_empty() {
            String::new()
        } else {
            format!("<br><code>{}</code>", escape(r.body))
        };
        let query = if r.query.is_empty() {
            String::new()
        } else {
            format!("<br>query: <code>{}</code>", r.query.join(", "))
        };
        rows.push_str(&format!(
            "<tr><td class=m>{}</td><td><code>{}</code></td><td>{}{query}{body}</td><td>{access}</td></tr>",
            r.method,
            escape(r.path),
            escape(r.summary)
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
