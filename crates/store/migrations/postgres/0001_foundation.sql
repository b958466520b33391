-- 0001 foundation: tenancy, access, audit. Never edit after landing; add a new migration.
CREATE TABLE operators (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators(id),
    name TEXT NOT NULL,
    tier TEXT NOT NULL,
    assigned_partner_id TEXT REFERENCES partners(id),
    created_at BIGINT NOT NULL,
    CONSTRAINT partners_name_unique UNIQUE (operator_id, name)
);
CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators(id),
    partner_id TEXT REFERENCES partners(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX customers_partner ON customers(partner_id);
CREATE TABLE agreements (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    issuer TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    profile_version BIGINT NOT NULL,
    signed_at BIGINT NOT NULL
);
CREATE INDEX agreements_customer ON agreements(customer_id);
CREATE TABLE billing_accounts (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    rate_table TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX billing_accounts_customer ON billing_accounts(customer_id);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    partner_id TEXT REFERENCES partners(id),
    customer_id TEXT REFERENCES customers(id),
    password_hash TEXT,
    totp_secret TEXT,
    totp_enabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    CONSTRAINT users_email_unique UNIQUE (email)
);
CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    revoked_reason TEXT,
    CONSTRAINT credentials_hash_unique UNIQUE (token_hash)
);
CREATE INDEX credentials_user ON credentials(user_id);
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    source TEXT NOT NULL,
    request_id TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE FUNCTION tollgate_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
-- Notifications to send (e-mail, webhook); a sender marks them sent.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    rule TEXT NOT NULL,
    sent_at BIGINT
);
