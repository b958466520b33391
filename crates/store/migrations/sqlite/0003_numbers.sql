-- 0003 numbers: inventory and state machine (T6-T10), transitions log, port-ins (T7) with
-- documents and document requests (B11), port-outs (T6, T8), emergency addresses,
-- acknowledgements and contacts (T13). Never edit after landing; add a new migration.
CREATE TABLE numbers (
    id TEXT PRIMARY KEY,
    e164 TEXT NOT NULL,
    country TEXT NOT NULL,
    number_type TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    state TEXT NOT NULL,
    customer_id TEXT REFERENCES customers(id),
    billing_account_id TEXT REFERENCES billing_accounts(id),
    reserved_at BIGINT,
    provider_verified_at BIGINT,
    provider_verified_by TEXT,
    customer_confirmed_at BIGINT,
    customer_confirmed_by TEXT,
    confirm_method TEXT,
    activated_at BIGINT,
    quarantine_until BIGINT,
    suspended_reason TEXT,
    suspension_ref TEXT,
    cnam TEXT,
    no_trunking BIGINT NOT NULL DEFAULT 0,
    routing TEXT NOT NULL DEFAULT 'direct',
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT numbers_e164_unique UNIQUE (e164)
);
CREATE INDEX numbers_customer ON numbers(customer_id);
CREATE INDEX numbers_account_state ON numbers(billing_account_id, state);
-- Every transition of a number or a port-in: who, when, why, under which rule.
CREATE TABLE number_transitions (
    id TEXT PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    e164 TEXT,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    event TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    rule TEXT NOT NULL,
    clause TEXT NOT NULL
);
CREATE INDEX number_transitions_subject ON number_transitions(subject_id, at);
CREATE TABLE number_emergency_addresses (
    id TEXT PRIMARY KEY,
    number_id TEXT NOT NULL REFERENCES numbers(id),
    street TEXT NOT NULL,
    city TEXT NOT NULL,
    postcode TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT,
    floor TEXT,
    room TEXT,
    registered_at BIGINT NOT NULL,
    registered_by TEXT NOT NULL,
    effective_at BIGINT NOT NULL,
    withdrawn_at BIGINT
);
CREATE INDEX number_emergency_addresses_number ON number_emergency_addresses(number_id, effective_at);
CREATE TABLE emergency_acknowledgements (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    text_version TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    acknowledged_by TEXT NOT NULL,
    acknowledged_at BIGINT NOT NULL
);
CREATE INDEX emergency_acknowledgements_customer ON emergency_acknowledgements(customer_id);
CREATE TABLE emergency_contacts (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE port_ins (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    state TEXT NOT NULL,
    holder TEXT NOT NULL,
    street TEXT NOT NULL,
    city TEXT NOT NULL,
    postcode TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT,
    floor TEXT,
    room TEXT,
    losing_provider TEXT NOT NULL,
    account_number TEXT NOT NULL,
    signatory TEXT NOT NULL,
    existing_service_active BIGINT NOT NULL,
    foc_date BIGINT,
    reason TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX port_ins_customer ON port_ins(customer_id);
CREATE TABLE port_in_numbers (
    port_in_id TEXT NOT NULL REFERENCES port_ins(id),
    e164 TEXT NOT NULL,
    PRIMARY KEY (port_in_id, e164)
);
CREATE INDEX port_in_numbers_e164 ON port_in_numbers(e164);
-- Documents are stored in the database as base64 text (size-limited at upload).
CREATE TABLE number_documents (
    id TEXT PRIMARY KEY,
    port_in_id TEXT REFERENCES port_ins(id),
    number_id TEXT REFERENCES numbers(id),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content_base64 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX number_documents_port_in ON number_documents(port_in_id);
CREATE INDEX number_documents_number ON number_documents(number_id);
CREATE TABLE document_requests (
    id TEXT PRIMARY KEY,
    port_in_id TEXT REFERENCES port_ins(id),
    number_id TEXT REFERENCES numbers(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    kind TEXT NOT NULL,
    deadline BIGINT NOT NULL,
    on_miss TEXT NOT NULL,
    affected TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX document_requests_open ON document_requests(state, deadline);
-- B11: a partner flagged non-responsive for a missed document request; cleared when the
-- documents arrive.
CREATE TABLE partner_nonresponsive_flags (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    document_request_id TEXT NOT NULL REFERENCES document_requests(id),
    raised_at BIGINT NOT NULL,
    cleared_at BIGINT
);
CREATE INDEX partner_nonresponsive_flags_partner ON partner_nonresponsive_flags(partner_id);
CREATE TABLE port_outs (
    id TEXT PRIMARY KEY,
    number_id TEXT NOT NULL REFERENCES numbers(id),
    e164 TEXT NOT NULL,
    gaining_provider TEXT NOT NULL,
    authorisation_ref TEXT NOT NULL,
    port_date BIGINT NOT NULL,
    state TEXT NOT NULL,
    previous_state TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX port_outs_number ON port_outs(number_id, state);
