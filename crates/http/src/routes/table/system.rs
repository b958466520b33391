//! The route table's system fragment: Health, readiness, the OpenAPI document, the reference page and the landing page.

use super::prelude::*;

api! {
    get "/healthz" => healthz, Public,
        "Liveness: the process answers.";
    get "/readyz" => readyz, Public,
        "Readiness: the database answers.", doc: |d| d.errors(&[503]);
    get "/metrics" => metrics, Public,
        "Prometheus metrics: guard decisions by outcome and code, decision latency, live calls, the SIP edge connection, the guard's write queue, CDRs written and rejected, database pools. Aggregates only.",
        doc: |d| d.answer_as(200, "text/plain", text_schema("The Prometheus text exposition format 0.0.4."), "OK");
    get "/openapi.json" => openapi::document, Public,
        "This OpenAPI document.",
        doc: |d| d.answer_as(200, "application/json", object_schema("OpenAPI 3.1"), "OK");
    get "/docs" => openapi::docs_page, Public,
        "Human-readable API reference.";
    get "/" => landing, Public,
        "Landing page.";
}
