-- Receivables (issue 13): payments and their allocation, billing credits, disputes and
-- credit notes, late interest charged, legal interest caps; outbox delivery state.
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    issuer_id TEXT NOT NULL,
    -- The billed party: a billing account (retail) or a partner (wholesale).
    billed_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    received_on BIGINT NOT NULL,
    bank_reference TEXT NOT NULL,
    method TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('received', 'declined')),
    declined_on BIGINT,
    decline_reason TEXT,
    credit_minor BIGINT NOT NULL CHECK (credit_minor >= 0),
    created_at BIGINT NOT NULL,
    CONSTRAINT payments_reference_unique UNIQUE (issuer_id, bank_reference)
);
CREATE INDEX payments_billed ON payments(billed_id, received_on);
CREATE TABLE allocations (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    source_kind TEXT NOT NULL CHECK (source_kind IN ('payment', 'credit', 'credit_note')),
    source_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    on_day BIGINT NOT NULL,
    reversed_on BIGINT
);
CREATE INDEX allocations_invoice ON allocations(invoice_id);
CREATE INDEX allocations_source ON allocations(source_id);
CREATE TABLE billing_credits (
    id TEXT PRIMARY KEY,
    issuer_id TEXT NOT NULL,
    billed_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    remaining_minor BIGINT NOT NULL CHECK (remaining_minor >= 0),
    source_kind TEXT NOT NULL CHECK (source_kind IN ('overpayment', 'credit_note', 'cancellation')),
    source_id TEXT NOT NULL,
    created_on BIGINT NOT NULL,
    refunded_on BIGINT
);
CREATE INDEX billing_credits_billed ON billing_credits(billed_id, created_on);
CREATE TABLE disputes (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    billed_id TEXT NOT NULL,
    opened_on BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    line_numbers TEXT NOT NULL,
    reason TEXT NOT NULL,
    ticket_ref TEXT,
    state TEXT NOT NULL CHECK (state IN ('open', 'upheld', 'partly_upheld', 'rejected')),
    resolved_on BIGINT,
    upheld_minor BIGINT,
    due_on BIGINT,
    credit_note_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX disputes_invoice ON disputes(invoice_id);
CREATE TABLE credit_notes (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    issuer_id TEXT NOT NULL,
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    dispute_id TEXT,
    billed_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    issued_on BIGINT NOT NULL,
    reason TEXT NOT NULL,
    ledger_transaction_id TEXT NOT NULL,
    CONSTRAINT credit_notes_number_unique UNIQUE (issuer_id, number)
);
CREATE TABLE interest_caps (
    jurisdiction TEXT NOT NULL,
    effective_from BIGINT NOT NULL,
    max_annual_bp BIGINT NOT NULL CHECK (max_annual_bp >= 0),
    PRIMARY KEY (jurisdiction, effective_from)
);
CREATE TABLE interest_charged (
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    through_day BIGINT NOT NULL,
    total_micros BIGINT NOT NULL,
    on_invoice_id TEXT NOT NULL,
    PRIMARY KEY (invoice_id, through_day)
);
-- Dunning: reminders at days past due and the step that suspends outbound calls, per issuer;
-- what was done per invoice, once.
CREATE TABLE dunning_policies (
    issuer_id TEXT PRIMARY KEY,
    reminder_days TEXT NOT NULL,
    suspend_after_days BIGINT CHECK (suspend_after_days IS NULL OR suspend_after_days > 0),
    suspend_min_minor BIGINT NOT NULL CHECK (suspend_min_minor >= 0),
    updated_at BIGINT NOT NULL
);
CREATE TABLE dunning_log (
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    step TEXT NOT NULL,
    at BIGINT NOT NULL,
    suspension_id TEXT,
    lifted_at BIGINT,
    PRIMARY KEY (invoice_id, step)
);
-- One row per billed party, updated first by every use case that moves its money, so that
-- two of them (a payment and a run's credits, two payments) take turns on PostgreSQL too.
CREATE TABLE receivable_locks (
    billed_id TEXT PRIMARY KEY,
    touched BIGINT NOT NULL
);
ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN dead_at BIGINT;
CREATE INDEX outbox_due ON outbox(sent_at, dead_at, next_attempt_at);
CREATE TRIGGER credit_notes_append_only BEFORE UPDATE OR DELETE ON credit_notes
FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
CREATE TRIGGER interest_charged_append_only BEFORE UPDATE OR DELETE ON interest_charged
FOR EACH ROW EXECUTE FUNCTION tollgate_append_only();
