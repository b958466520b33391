-- 0010 billing (issue 12): the catalog and price lists (versions never overwritten), orders
-- (C1) and subscriptions (B2, C2, C3), charges waiting for an invoice (one-time, pass-through
-- B8, credits B12), tax and fee rates per jurisdiction (B7), invoice runs, invoices with their
-- lines and taxes, gapless numbering per issuer and year, and the append-only double-entry
-- ledger. Never edit after landing; add a new migration.
ALTER TABLE operators ADD COLUMN address TEXT;
ALTER TABLE operators ADD COLUMN tax_id TEXT;
ALTER TABLE partners ADD COLUMN address TEXT;
ALTER TABLE partners ADD COLUMN jurisdiction TEXT;
ALTER TABLE partners ADD COLUMN tax_id TEXT;
ALTER TABLE billing_accounts ADD COLUMN address TEXT;
ALTER TABLE billing_accounts ADD COLUMN jurisdiction TEXT;
ALTER TABLE billing_accounts ADD COLUMN tax_id TEXT;
-- The invoices a rated call is on: the customer's (retail) and its partner's (wholesale).
ALTER TABLE cdrs ADD COLUMN invoice_id TEXT;
ALTER TABLE cdrs ADD COLUMN wholesale_invoice_id TEXT;
CREATE TABLE products (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    included_calls BIGINT NOT NULL DEFAULT 0,
    included_minutes BIGINT NOT NULL DEFAULT 0,
    included_zone TEXT,
    created_at BIGINT NOT NULL,
    CONSTRAINT products_code_unique UNIQUE (code)
);
-- A price list: the operator's wholesale list per partner tier, the operator's retail list
-- (direct customers), or a partner's retail list (its customers); one per currency.
CREATE TABLE price_lists (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    owner_partner_id TEXT REFERENCES partners(id),
    tier TEXT,
    currency TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX price_lists_unique ON price_lists (level, COALESCE(owner_partner_id, ''), COALESCE(tier, ''), currency);
CREATE TABLE price_list_versions (
    id TEXT PRIMARY KEY,
    price_list_id TEXT NOT NULL REFERENCES price_lists(id),
    version BIGINT NOT NULL,
    valid_from BIGINT NOT NULL,
    usage_discount_bp BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    CONSTRAINT price_list_versions_unique UNIQUE (price_list_id, version)
);
CREATE TABLE price_list_items (
    version_id TEXT NOT NULL REFERENCES price_list_versions(id),
    product_id TEXT NOT NULL REFERENCES products(id),
    unit_micros BIGINT NOT NULL,
    PRIMARY KEY (version_id, product_id)
);
CREATE TABLE price_list_discounts (
    version_id TEXT NOT NULL REFERENCES price_list_versions(id),
    term TEXT NOT NULL,
    discount_bp BIGINT NOT NULL,
    PRIMARY KEY (version_id, term)
);
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    currency TEXT NOT NULL,
    state TEXT NOT NULL,
    start_date BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    executed_at BIGINT,
    executed_by TEXT,
    accepted_at BIGINT,
    accepted_by TEXT,
    accepted_how TEXT,
    fulfilled_at BIGINT,
    cancelled_at BIGINT
);
CREATE INDEX orders_customer ON orders(customer_id, created_at);
CREATE TABLE order_lines (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    line_no BIGINT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products(id),
    quantity BIGINT NOT NULL,
    term TEXT NOT NULL,
    frequency TEXT NOT NULL,
    number_id TEXT REFERENCES numbers(id),
    list_micros BIGINT NOT NULL,
    discount_bp BIGINT NOT NULL,
    unit_micros BIGINT NOT NULL,
    price_version_id TEXT NOT NULL REFERENCES price_list_versions(id),
    wholesale_micros BIGINT,
    wholesale_version_id TEXT REFERENCES price_list_versions(id),
    CONSTRAINT order_lines_unique UNIQUE (order_id, line_no)
);
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    order_line_id TEXT NOT NULL REFERENCES order_lines(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    partner_id TEXT REFERENCES partners(id),
    product_id TEXT NOT NULL REFERENCES products(id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    term TEXT NOT NULL,
    frequency TEXT NOT NULL,
    currency TEXT NOT NULL,
    unit_micros BIGINT NOT NULL,
    wholesale_micros BIGINT,
    included_calls BIGINT NOT NULL,
    ordered_on BIGINT NOT NULL,
    start_date BIGINT NOT NULL,
    charges_from BIGINT,
    number_id TEXT REFERENCES numbers(id),
    state TEXT NOT NULL,
    non_renewal_at BIGINT,
    ends_on BIGINT,
    renewal_notice_for BIGINT,
    retail_billed_until BIGINT,
    wholesale_billed_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT subscriptions_line_unique UNIQUE (order_line_id)
);
CREATE INDEX subscriptions_account ON subscriptions(billing_account_id);
CREATE INDEX subscriptions_partner ON subscriptions(partner_id);
-- C3: a price change noticed on a subscription, from a day on.
CREATE TABLE subscription_prices (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    unit_micros BIGINT NOT NULL,
    effective_from BIGINT NOT NULL,
    noticed_on BIGINT NOT NULL,
    withdraw_until BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX subscription_prices_sub ON subscription_prices(subscription_id, effective_from);
-- Charges waiting for the next invoice of an account (retail) or a partner (wholesale).
CREATE TABLE pending_charges (
    id TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    billing_account_id TEXT REFERENCES billing_accounts(id),
    partner_id TEXT REFERENCES partners(id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_micros BIGINT NOT NULL,
    currency TEXT NOT NULL,
    rule TEXT NOT NULL,
    clause TEXT NOT NULL,
    ready_on BIGINT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    invoice_id TEXT
);
CREATE INDEX pending_charges_account ON pending_charges(billing_account_id, invoice_id);
CREATE INDEX pending_charges_partner ON pending_charges(partner_id, invoice_id);
-- B7: rates in force per jurisdiction (GB, US-NY) from the authority's date.
CREATE TABLE tax_rates (
    id TEXT PRIMARY KEY,
    jurisdiction TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    rate_ppm BIGINT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX tax_rates_jurisdiction ON tax_rates(jurisdiction, valid_from);
CREATE TABLE billing_runs (
    id TEXT PRIMARY KEY,
    period TEXT NOT NULL,
    usage_end BIGINT NOT NULL,
    state TEXT NOT NULL,
    owner TEXT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    started_by TEXT NOT NULL,
    finished_at BIGINT,
    invoices BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT billing_runs_period_unique UNIQUE (period)
);
CREATE TABLE invoice_counters (
    issuer_id TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (issuer_id, year)
);
CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    issuer_id TEXT NOT NULL,
    level TEXT NOT NULL,
    billed_id TEXT NOT NULL,
    billing_account_id TEXT REFERENCES billing_accounts(id),
    customer_id TEXT REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    period TEXT NOT NULL,
    invoice_date BIGINT NOT NULL,
    due_date BIGINT NOT NULL,
    currency TEXT NOT NULL,
    subtotal_minor BIGINT NOT NULL,
    tax_total_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    profile_id TEXT NOT NULL,
    profile_version BIGINT NOT NULL,
    due_clause TEXT NOT NULL,
    payment_reference TEXT NOT NULL,
    issuer_name TEXT NOT NULL,
    issuer_address TEXT NOT NULL,
    issuer_tax_id TEXT,
    billed_name TEXT NOT NULL,
    billed_address TEXT NOT NULL,
    billed_tax_id TEXT,
    ledger_transaction_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    CONSTRAINT invoices_number_unique UNIQUE (issuer_id, number),
    CONSTRAINT invoices_once_per_period UNIQUE (level, billed_id, period, currency)
);
CREATE INDEX invoices_account ON invoices(billing_account_id, invoice_date);
CREATE INDEX invoices_partner ON invoices(partner_id, invoice_date);
CREATE TABLE invoice_lines (
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    line_no BIGINT NOT NULL,
    kind TEXT NOT NULL,
    revenue TEXT NOT NULL,
    description TEXT NOT NULL,
    rule TEXT NOT NULL,
    clause TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_micros BIGINT NOT NULL,
    exact_micros BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    service_from BIGINT,
    service_to BIGINT,
    source TEXT NOT NULL,
    taxable BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);
CREATE TABLE invoice_taxes (
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    line_no BIGINT NOT NULL,
    jurisdiction TEXT NOT NULL,
    name TEXT NOT NULL,
    rate_ppm BIGINT NOT NULL,
    base_minor BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);
CREATE TABLE ledger_transactions (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    memo TEXT NOT NULL
);
CREATE INDEX ledger_transactions_ref ON ledger_transactions(ref_id);
CREATE TABLE ledger_entries (
    transaction_id TEXT NOT NULL REFERENCES ledger_transactions(id),
    line_no BIGINT NOT NULL,
    issuer TEXT NOT NULL,
    counterparty TEXT NOT NULL,
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    side TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (transaction_id, line_no)
);
CREATE INDEX ledger_entries_account ON ledger_entries(issuer, counterparty, account);
-- Running balances for fast reads; `tollgate ledger verify` checks them against the entries.
CREATE TABLE ledger_balances (
    issuer TEXT NOT NULL,
    counterparty TEXT NOT NULL,
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    balance_minor BIGINT NOT NULL,
    PRIMARY KEY (issuer, counterparty, account, currency)
);
CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices
BEGIN SELECT RAISE(ABORT, 'invoices is append-only'); END;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'invoices is append-only'); END;
CREATE TRIGGER invoice_lines_no_update BEFORE UPDATE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'invoice_lines is append-only'); END;
CREATE TRIGGER invoice_lines_no_delete BEFORE DELETE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'invoice_lines is append-only'); END;
CREATE TRIGGER invoice_taxes_no_update BEFORE UPDATE ON invoice_taxes
BEGIN SELECT RAISE(ABORT, 'invoice_taxes is append-only'); END;
CREATE TRIGGER invoice_taxes_no_delete BEFORE DELETE ON invoice_taxes
BEGIN SELECT RAISE(ABORT, 'invoice_taxes is append-only'); END;
CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger_transactions is append-only'); END;
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger_transactions is append-only'); END;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
CREATE TRIGGER price_list_items_no_update BEFORE UPDATE ON price_list_items
BEGIN SELECT RAISE(ABORT, 'price_list_items is append-only'); END;
