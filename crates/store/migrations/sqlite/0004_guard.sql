-- 0004 guard: per-account guard policy, live calls (rebuilt at restart), suspensions,
-- incidents with evidence, source bans, announced activity, operator destination lists.
CREATE TABLE guard_policies (
    billing_account_id TEXT PRIMARY KEY REFERENCES billing_accounts(id),
    validated BIGINT NOT NULL,
    licensed_calls BIGINT NOT NULL,
    site_bandwidth_kbps BIGINT,
    home_country TEXT NOT NULL,
    international_allowlist TEXT NOT NULL,
    credit_limit_micros BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE TABLE guard_calls (
    call_id TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    international BIGINT NOT NULL,
    source TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT
);
CREATE INDEX guard_calls_open ON guard_calls(ended_at);
CREATE TABLE suspensions (
    id TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    scope TEXT NOT NULL,
    rule TEXT NOT NULL,
    clause TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    until_at BIGINT,
    incident_id TEXT,
    lifted_at BIGINT,
    lifted_by TEXT,
    lift_reason TEXT
);
CREATE INDEX suspensions_account ON suspensions(billing_account_id);
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    billing_account_id TEXT,
    customer_id TEXT,
    source TEXT,
    detector TEXT NOT NULL,
    rule TEXT NOT NULL,
    clause TEXT NOT NULL,
    count BIGINT NOT NULL,
    window_s BIGINT NOT NULL,
    threshold BIGINT NOT NULL,
    detail TEXT NOT NULL,
    action TEXT NOT NULL
);
CREATE INDEX incidents_customer ON incidents(customer_id);
CREATE TABLE source_bans (
    source TEXT PRIMARY KEY,
    until_at BIGINT NOT NULL
);
CREATE TABLE announcements (
    id TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    from_at BIGINT NOT NULL,
    until_at BIGINT NOT NULL,
    factor BIGINT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE destination_prefixes (
    prefix TEXT PRIMARY KEY,
    class TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
