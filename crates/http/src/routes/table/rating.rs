//! The route table's rating fragment: Rate tables, quotes, CDR intake and listing (B4, T12).

use super::prelude::*;

api! {
    get "/v1/billing-accounts/{id}/rating" => rating_routes::get_account_rating, Perm(P::RatesRead),
        "The account's rate table and included minutes (B4).";
    put "/v1/billing-accounts/{id}/rating" => rating_routes::put_account_rating, Perm(P::RatesWrite),
        "Replace the account's rate table (in the account's currency, B1) and included minutes (e.g. 1,000 per user per month to area1): both required, null removes; applies to calls ingested from now on.";
    patch "/v1/billing-accounts/{id}/rating" => rating_routes::patch_account_rating, Perm(P::RatesWrite),
        "Change only the rate table or only the included minutes.";
    get "/v1/rate-tables" => rating_routes::list_rate_tables, Perm(P::RatesRead),
        "Rate tables and their versions.";
    put "/v1/rate-tables/{name}" => rating_routes::import_rate_table, Perm(P::RatesWrite),
        "Import a CSV rate table as a new version (history is kept).", bulk: true,
        doc: |d| d.body_as("text/csv", "Rate table CSV; columns (by header name, any order): prefix, destination, rate_per_min, connection_fee, initial_s, subsequent_s, min_billed_s, valid_from, valid_until, currency, zone.");
    get "/v1/rate-tables/{name}/quote" => rating_routes::quote, Perm(P::RatesRead),
        "Price a call: longest prefix valid at `at` (B4).";
    post "/v1/cdrs" => rating_routes::ingest_cdrs, Perm(P::CdrsWrite),
        "Ingest CDRs (JSON array, NDJSON or CSV); idempotent by (source, call_id).", bulk: true,
        doc: |d| d
            .json_array_body::<CdrLineIn>()
            .body_as("application/x-ndjson", "One CDR object (CdrLineIn) per line.")
            .body_as("text/csv", "A header of CdrLineIn field names, then one CDR per row.")
            .answer::<IngestReportOut>(200, "OK")
            .errors(&[415]);
    get "/v1/cdrs" => rating_routes::list_cdrs, Perm(P::CdrsRead),
        "Rated calls in scope (T12).",
        doc: |d| d
            .errors(&[404])
            .answer::<Page<CdrOut>>(200, "OK")
            .answer_as(200, "text/csv", text_schema("With format=csv: a header, then one call per row; `x-next-cursor` carries the cursor."), "OK");
    get "/v1/cdrs/rejects" => rating_routes::list_rejects, Perm(P::CdrsWrite),
        "CDR lines refused at intake, with line number and code.";
}
