-- Messaging (issue 15): the message log and durable delivery queue (M7), the consent ledger
-- (M2, M3, C8), suppression lists (M3), registrations (M5, B8). Never edit after landing.
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    -- The tenant: the account's customer and its partner (scoped reads).
    customer_id TEXT NOT NULL,
    partner_id TEXT,
    -- `out` (admitted or refused) or `in` (a reply from a recipient).
    direction TEXT NOT NULL,
    idempotency_key TEXT,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    category TEXT NOT NULL,
    campaign TEXT,
    -- Kept only until delivery ends (D1: content is not retained); NULL after.
    body TEXT,
    encoding TEXT NOT NULL,
    segments BIGINT NOT NULL,
    -- The admission: `accepted`, `refused` or `deferred`, with its code, rule and clause.
    status TEXT NOT NULL,
    code TEXT NOT NULL,
    rule TEXT,
    clause TEXT,
    reason TEXT NOT NULL,
    -- Delivery: queued -> submitting -> submitted -> delivered | failed; `refused`;
    -- `unknown` when the process stopped between sending and the SMSC's answer.
    state TEXT NOT NULL,
    send_at BIGINT,
    connector TEXT,
    smsc_id TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    submitted_at BIGINT,
    done_at BIGINT,
    error TEXT,
    -- B8: the carrier surcharge of this message (micro units of the account's currency).
    surcharge_micros BIGINT NOT NULL DEFAULT 0,
    -- Inbound only: the keyword it was (M3) and whether a person must review it.
    keyword TEXT,
    review TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- The month's usage close that billed it (segments, surcharges).
    billed_month TEXT
);
CREATE UNIQUE INDEX messages_idempotency ON messages(billing_account_id, idempotency_key);
CREATE INDEX messages_due ON messages(state, send_at);
CREATE INDEX messages_account_created ON messages(billing_account_id, created_at);
CREATE INDEX messages_recipient ON messages(billing_account_id, recipient, created_at);
CREATE INDEX messages_smsc ON messages(smsc_id);
-- The consent ledger: append-only; the latest event of (account, recipient) is the state.
CREATE TABLE message_consents (
    id TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    customer_id TEXT NOT NULL,
    partner_id TEXT,
    recipient TEXT NOT NULL,
    -- `granted` or `revoked` (an opt-out).
    action TEXT NOT NULL,
    -- `web_form`, `keyword`, `paper`, `api`, `import`, `review`.
    method TEXT NOT NULL,
    text_shown TEXT,
    evidence TEXT,
    -- The recipient's address (M4: its zone overrides the number's).
    country TEXT,
    region TEXT,
    time_zone TEXT,
    at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    message_id TEXT
);
CREATE INDEX message_consents_recipient ON message_consents(billing_account_id, recipient, at);
-- Suppression lists: an account's (billing_account_id) or the provider's (NULL: every account).
CREATE TABLE message_suppressions (
    id TEXT PRIMARY KEY,
    billing_account_id TEXT REFERENCES billing_accounts(id),
    customer_id TEXT,
    partner_id TEXT,
    recipient TEXT NOT NULL,
    reason TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    removed_at BIGINT,
    removed_by TEXT
);
CREATE INDEX message_suppressions_recipient ON message_suppressions(recipient);
-- Registrations (M5): 10DLC brands and campaigns, short codes, toll-free verifications,
-- sender IDs, state telemarketer registrations; their fees pass through (B8).
CREATE TABLE message_registrations (
    id TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    customer_id TEXT NOT NULL,
    partner_id TEXT,
    kind TEXT NOT NULL,
    -- The registry's reference (TCR brand or campaign id, the short code, the sender ID,
    -- the state's registration number).
    reference TEXT NOT NULL,
    -- A campaign's brand (registration id).
    brand_id TEXT,
    -- Numbers a campaign or a toll-free verification covers, comma separated (E.164 digits).
    numbers TEXT NOT NULL DEFAULT '',
    -- A state registration's ISO 3166-2 region.
    region TEXT,
    status TEXT NOT NULL,
    expires_at BIGINT,
    currency TEXT NOT NULL,
    fee_micros BIGINT NOT NULL DEFAULT 0,
    monthly_fee_micros BIGINT NOT NULL DEFAULT 0,
    surcharge_micros BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- The last month whose monthly fee was charged (`2026-11`).
    billed_month TEXT
);
CREATE INDEX message_registrations_account ON message_registrations(billing_account_id, kind);
-- Per-account messaging prices: the price of a segment beyond the included SMS.
CREATE TABLE messaging_prices (
    billing_account_id TEXT PRIMARY KEY REFERENCES billing_accounts(id),
    segment_micros BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
