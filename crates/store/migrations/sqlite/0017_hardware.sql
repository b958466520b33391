-- Hardware (issue 18): the device catalog, devices by serial with their history, HWaaS leases
-- with their Annex A (E1-E4, E7), replacement claims (E5, E6), CAPEX purchases, warranty and
-- RMAs (K1-K5). Never edit after landing.
CREATE TABLE device_models (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('desk_phone', 'headset', 'gateway', 'other')),
    -- E6, E7: what the lessee pays for a device lost or not returned (micro units).
    casualty_micros BIGINT NOT NULL CHECK (casualty_micros >= 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    -- E8: the model offered in its place.
    replaced_by TEXT REFERENCES device_models(id),
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    CONSTRAINT device_models_code UNIQUE (code)
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    serial TEXT NOT NULL,
    model_id TEXT NOT NULL REFERENCES device_models(id),
    state TEXT NOT NULL CHECK (state IN ('in_stock', 'delivered', 'in_service', 'replaced',
        'returned', 'lost', 'refurbished', 'sold')),
    customer_id TEXT REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    billing_account_id TEXT REFERENCES billing_accounts(id),
    -- `lease` (HWaaS: the provider's entity owns it, E1) or `capex` (sold, K1).
    ownership TEXT NOT NULL CHECK (ownership IN ('lease', 'capex')),
    -- The owner: the provider's entity for a leased device, `customer` once sold or passed (E7).
    owner TEXT NOT NULL,
    lease_id TEXT,
    ordered_on BIGINT,
    delivered_on BIGINT,
    -- CAPEX: the purchase and any signed 5-year warranty agreement (K2).
    purchased_on BIGINT,
    five_year_agreement BIGINT NOT NULL DEFAULT 0 CHECK (five_year_agreement IN (0, 1)),
    agreement_copy TEXT,
    operational BIGINT NOT NULL DEFAULT 1 CHECK (operational IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT devices_serial UNIQUE (serial)
);
CREATE INDEX devices_customer ON devices(customer_id);
CREATE INDEX devices_partner ON devices(partner_id);
CREATE INDEX devices_lease ON devices(lease_id);
CREATE INDEX devices_model ON devices(model_id);
CREATE TABLE device_events (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX device_events_device ON device_events(device_id, at);
-- A HWaaS lease: the leased-device subscriptions of a billing account (their fees are billed
-- in advance by the billing run, E2, from 14 days after each order, E4) and the devices on
-- them (Annex A).
CREATE TABLE leases (
    id TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    -- E1: the provider's entity that owns the devices.
    entity TEXT NOT NULL,
    -- E2.
    term TEXT NOT NULL CHECK (term IN ('month_to_month', 'year_to_year', 'five_years')),
    -- `active`, `ending` (devices to return by `return_due_on`) or `ended`.
    state TEXT NOT NULL CHECK (state IN ('active', 'ending', 'ended')),
    return_due_on BIGINT,
    settled_at BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX leases_customer ON leases(customer_id);
CREATE INDEX leases_partner ON leases(partner_id);
CREATE INDEX leases_account ON leases(billing_account_id);
-- Annex A: a device on a lease, on the subscription it is billed by (E3, E4), with the model
-- and serial as delivered (the annex keeps them whatever becomes of the device).
CREATE TABLE lease_devices (
    id TEXT PRIMARY KEY,
    lease_id TEXT NOT NULL REFERENCES leases(id),
    device_id TEXT NOT NULL REFERENCES devices(id),
    serial TEXT NOT NULL,
    model_id TEXT NOT NULL REFERENCES device_models(id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    ordered_on BIGINT NOT NULL,
    delivered_on BIGINT NOT NULL,
    -- E4: the first invoiced day, 14 days after the order.
    invoicing_from BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'removed', 'exchanged', 'replaced',
        'returned', 'not_returned')),
    removed_on BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX lease_devices_lease ON lease_devices(lease_id);
CREATE INDEX lease_devices_subscription ON lease_devices(subscription_id);
-- A device is on one lease at a time.
CREATE UNIQUE INDEX lease_devices_active ON lease_devices(device_id) WHERE state = 'active';
-- E5, E6: a replacement request with its cause and decision.
CREATE TABLE device_claims (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    cause TEXT NOT NULL CHECK (cause IN ('defect', 'accident', 'deliberate', 'fire', 'theft',
        'loss', 'unsuitable_environment', 'wear')),
    label_identifiable BIGINT NOT NULL CHECK (label_identifiable IN (0, 1)),
    police_model TEXT,
    police_serial TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('free', 'charged')),
    rule TEXT NOT NULL,
    clause TEXT NOT NULL,
    charge_micros BIGINT NOT NULL CHECK (charge_micros >= 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    requested_at BIGINT NOT NULL,
    -- One working day after the request (E5).
    ship_by BIGINT NOT NULL,
    shipped_at BIGINT,
    replacement_device_id TEXT REFERENCES devices(id),
    transport_micros BIGINT NOT NULL DEFAULT 0 CHECK (transport_micros >= 0),
    created_by TEXT NOT NULL
);
CREATE INDEX device_claims_customer ON device_claims(customer_id);
CREATE INDEX device_claims_partner ON device_claims(partner_id);
CREATE INDEX device_claims_ship ON device_claims(shipped_at, ship_by);
-- One replacement in progress per device.
CREATE UNIQUE INDEX device_claims_open ON device_claims(device_id) WHERE shipped_at IS NULL;
-- K4: a return under warranty of a CAPEX device.
CREATE TABLE rmas (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    ticket_id TEXT REFERENCES tickets(id),
    state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'unit_received', 'verified',
        'replacement_shipped', 'refurbished_shipped', 'credit_note', 'refused')),
    fault TEXT NOT NULL,
    proof_of_purchase TEXT NOT NULL,
    rma_number TEXT,
    weight_g BIGINT,
    length_mm BIGINT,
    width_mm BIGINT,
    height_mm BIGINT,
    refused_code TEXT,
    refused_rule TEXT,
    refused_reason TEXT,
    exclusions TEXT,
    -- The serial shipped back (a replacement or the refurbished unit).
    shipped_serial TEXT,
    credit_micros BIGINT CHECK (credit_micros IS NULL OR credit_micros > 0),
    pending_charge_id TEXT REFERENCES pending_charges(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX rmas_customer ON rmas(customer_id);
CREATE INDEX rmas_partner ON rmas(partner_id);
-- One RMA in progress per device.
CREATE UNIQUE INDEX rmas_open ON rmas(device_id)
    WHERE state IN ('requested', 'approved', 'unit_received', 'verified');
-- K2 (W 22.5 a): documents of a device: the signed 5-year warranty agreement's copy, a proof of
-- purchase, a police report (E6); base64 as the numbers' documents are.
CREATE TABLE device_documents (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    kind TEXT NOT NULL CHECK (kind IN ('warranty_agreement', 'proof_of_purchase',
        'police_report')),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content_base64 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX device_documents_device ON device_documents(device_id);
