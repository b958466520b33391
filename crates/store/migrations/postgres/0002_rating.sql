-- 0002 rating: effective-dated rate tables (versions never overwritten), included minutes,
-- rated CDRs (idempotent by source + call_id) and the reject store.
CREATE TABLE rate_table_versions (
    id TEXT PRIMARY KEY,
    table_name TEXT NOT NULL,
    version BIGINT NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    CONSTRAINT rate_table_versions_unique UNIQUE (table_name, version)
);
CREATE TABLE rate_rows (
    version_id TEXT NOT NULL REFERENCES rate_table_versions(id),
    table_name TEXT NOT NULL,
    version BIGINT NOT NULL,
    prefix TEXT NOT NULL,
    destination TEXT NOT NULL,
    rate_micros BIGINT NOT NULL,
    connection_fee_micros BIGINT NOT NULL,
    initial_s BIGINT NOT NULL,
    subsequent_s BIGINT NOT NULL,
    min_billed_s BIGINT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT,
    currency TEXT NOT NULL,
    zone TEXT
);
CREATE INDEX rate_rows_lookup ON rate_rows(table_name, prefix, valid_from);
ALTER TABLE billing_accounts ADD COLUMN included_zone TEXT;
ALTER TABLE billing_accounts ADD COLUMN included_seconds BIGINT NOT NULL DEFAULT 0;
CREATE TABLE bundle_usage (
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    month BIGINT NOT NULL,
    used_s BIGINT NOT NULL,
    PRIMARY KEY (billing_account_id, month)
);
CREATE TABLE cdrs (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    call_id TEXT NOT NULL,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    answer_at BIGINT,
    end_at BIGINT NOT NULL,
    duration_s BIGINT NOT NULL,
    disposition TEXT NOT NULL,
    direction TEXT NOT NULL,
    prefix TEXT,
    destination TEXT,
    rate_micros BIGINT NOT NULL,
    billed_s BIGINT NOT NULL,
    bundle_s BIGINT NOT NULL,
    amount_micros BIGINT NOT NULL,
    currency TEXT NOT NULL,
    rate_table TEXT,
    rate_version BIGINT,
    ingested_at BIGINT NOT NULL,
    CONSTRAINT cdrs_source_call_id_unique UNIQUE (source, call_id)
);
CREATE INDEX cdrs_account_start ON cdrs(billing_account_id, start_at);
CREATE INDEX cdrs_customer_start ON cdrs(customer_id, start_at);
CREATE TABLE cdr_rejects (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    source TEXT NOT NULL,
    line BIGINT NOT NULL,
    code TEXT NOT NULL,
    field TEXT NOT NULL,
    message TEXT NOT NULL,
    raw TEXT NOT NULL
);
