//! The route table's system fragment: Health, readiness, the OpenAPI document, the reference page and the landing page.

use super::prelude::*;

api! {
    get "/healthz" => healthz, Public,
        "Liveness: the process answers.";
    get "/readyz" => readyz, Public,
        "Readiness: the database answers.", doc: |d| d.errors(&[503]);
    get "/openapi.json" => openapi::document, Public,
        "This OpenAPI document.",
        doc: |d| d.answer_as(200, "application/json", object_schema("OpenAPI 3.1"), "OK");
    get "/docs" => openapi::docs_page, Public,
        "Human-readable API reference.";
    get "/" => landing, Public,
        "Landing page.";
}
