-- 0007 checks: the database refuses what the code would refuse. Enum-like TEXT columns hold
-- only the values the code writes (roles with sip_edge, tiers, credential kinds, number,
-- port-in, port-out and document-request states, routing, suspension scope, CDR disposition
-- and direction, ...), currencies are three capital letters, and amounts, durations and
-- counts that cannot be negative are not. Columns that may legitimately be negative or
-- free text (actors such as the guard's `created_by`, reasons, notes) are not constrained.
-- Each rule is named check_<table>_<column>, on both backends.
-- Never edit after landing; add a new migration.
--
-- SQLite cannot add a CHECK constraint to an existing table, so each rule is a pair of
-- triggers (BEFORE INSERT, BEFORE UPDATE OF the column) that RAISE(ABORT, 'check_<name>').
-- The two bulk tables (rate_rows: rate imports; cdrs: CDR intake) are rebuilt with real CHECK
-- constraints instead: a trigger runs a sub-program per row, which would slow bulk inserts
-- down several microseconds a row; a CHECK is evaluated inline. Nothing references either
-- table, so the rebuild is a copy, a drop and a rename (and their indexes again).

CREATE TABLE rate_rows_checked (
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
    zone TEXT,
    CONSTRAINT check_rate_rows_currency CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    CONSTRAINT check_rate_rows_rate_micros CHECK (rate_micros >= 0),
    CONSTRAINT check_rate_rows_connection_fee_micros CHECK (connection_fee_micros >= 0),
    CONSTRAINT check_rate_rows_initial_s CHECK (initial_s >= 0),
    CONSTRAINT check_rate_rows_subsequent_s CHECK (subsequent_s >= 0),
    CONSTRAINT check_rate_rows_min_billed_s CHECK (min_billed_s >= 0)
);
INSERT INTO rate_rows_checked (version_id, table_name, version, prefix, destination, rate_micros, connection_fee_micros, initial_s, subsequent_s, min_billed_s, valid_from, valid_until, currency, zone)
    SELECT version_id, table_name, version, prefix, destination, rate_micros, connection_fee_micros, initial_s, subsequent_s, min_billed_s, valid_from, valid_until, currency, zone FROM rate_rows;
DROP TABLE rate_rows;
ALTER TABLE rate_rows_checked RENAME TO rate_rows;
CREATE INDEX rate_rows_lookup ON rate_rows(table_name, prefix, valid_from);
CREATE TABLE cdrs_checked (
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
    CONSTRAINT cdrs_source_call_id_unique UNIQUE (source, call_id),
    CONSTRAINT check_cdrs_disposition CHECK (disposition IN ('answered', 'no_answer', 'busy', 'failed')),
    CONSTRAINT check_cdrs_direction CHECK (direction IN ('outbound', 'inbound', 'emergency')),
    CONSTRAINT check_cdrs_currency CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    CONSTRAINT check_cdrs_duration_s CHECK (duration_s >= 0),
    CONSTRAINT check_cdrs_billed_s CHECK (billed_s >= 0),
    CONSTRAINT check_cdrs_bundle_s CHECK (bundle_s >= 0),
    CONSTRAINT check_cdrs_rate_micros CHECK (rate_micros >= 0),
    CONSTRAINT check_cdrs_amount_micros CHECK (amount_micros >= 0)
);
INSERT INTO cdrs_checked (id, source, call_id, billing_account_id, customer_id, from_number, to_number, start_at, answer_at, end_at, duration_s, disposition, direction, prefix, destination, rate_micros, billed_s, bundle_s, amount_micros, currency, rate_table, rate_version, ingested_at)
    SELECT id, source, call_id, billing_account_id, customer_id, from_number, to_number, start_at, answer_at, end_at, duration_s, disposition, direction, prefix, destination, rate_micros, billed_s, bundle_s, amount_micros, currency, rate_table, rate_version, ingested_at FROM cdrs;
DROP TABLE cdrs;
ALTER TABLE cdrs_checked RENAME TO cdrs;
CREATE INDEX cdrs_account_start ON cdrs(billing_account_id, start_at);
CREATE TRIGGER check_partners_tier_insert BEFORE INSERT ON partners WHEN NOT (NEW.tier IN ('diamond', 'platinum', 'gold_plus', 'gold', 'silver', 'bronze', 'reseller'))
BEGIN SELECT RAISE(ABORT, 'check_partners_tier'); END;
CREATE TRIGGER check_partners_tier_update BEFORE UPDATE OF tier ON partners WHEN NOT (NEW.tier IN ('diamond', 'platinum', 'gold_plus', 'gold', 'silver', 'bronze', 'reseller'))
BEGIN SELECT RAISE(ABORT, 'check_partners_tier'); END;
CREATE TRIGGER check_users_role_insert BEFORE INSERT ON users WHEN NOT (NEW.role IN ('operator_admin', 'operator_support', 'operator_billing', 'partner_admin', 'partner_agent', 'customer_admin', 'customer_user', 'sip_edge'))
BEGIN SELECT RAISE(ABORT, 'check_users_role'); END;
CREATE TRIGGER check_users_role_update BEFORE UPDATE OF role ON users WHEN NOT (NEW.role IN ('operator_admin', 'operator_support', 'operator_billing', 'partner_admin', 'partner_agent', 'customer_admin', 'customer_user', 'sip_edge'))
BEGIN SELECT RAISE(ABORT, 'check_users_role'); END;
CREATE TRIGGER check_credentials_kind_insert BEFORE INSERT ON credentials WHEN NOT (NEW.kind IN ('api_token', 'session', 'password_reset'))
BEGIN SELECT RAISE(ABORT, 'check_credentials_kind'); END;
CREATE TRIGGER check_credentials_kind_update BEFORE UPDATE OF kind ON credentials WHEN NOT (NEW.kind IN ('api_token', 'session', 'password_reset'))
BEGIN SELECT RAISE(ABORT, 'check_credentials_kind'); END;
CREATE TRIGGER check_billing_accounts_currency_insert BEFORE INSERT ON billing_accounts WHEN NOT (NEW.currency GLOB '[A-Z][A-Z][A-Z]')
BEGIN SELECT RAISE(ABORT, 'check_billing_accounts_currency'); END;
CREATE TRIGGER check_billing_accounts_currency_update BEFORE UPDATE OF currency ON billing_accounts WHEN NOT (NEW.currency GLOB '[A-Z][A-Z][A-Z]')
BEGIN SELECT RAISE(ABORT, 'check_billing_accounts_currency'); END;
CREATE TRIGGER check_billing_accounts_included_seconds_insert BEFORE INSERT ON billing_accounts WHEN NOT (NEW.included_seconds >= 0)
BEGIN SELECT RAISE(ABORT, 'check_billing_accounts_included_seconds'); END;
CREATE TRIGGER check_billing_accounts_included_seconds_update BEFORE UPDATE OF included_seconds ON billing_accounts WHEN NOT (NEW.included_seconds >= 0)
BEGIN SELECT RAISE(ABORT, 'check_billing_accounts_included_seconds'); END;
CREATE TRIGGER check_bundle_usage_used_s_insert BEFORE INSERT ON bundle_usage WHEN NOT (NEW.used_s >= 0)
BEGIN SELECT RAISE(ABORT, 'check_bundle_usage_used_s'); END;
CREATE TRIGGER check_bundle_usage_used_s_update BEFORE UPDATE OF used_s ON bundle_usage WHEN NOT (NEW.used_s >= 0)
BEGIN SELECT RAISE(ABORT, 'check_bundle_usage_used_s'); END;
CREATE TRIGGER check_numbers_state_insert BEFORE INSERT ON numbers WHEN NOT (NEW.state IN ('available', 'reserved', 'active', 'port_out_pending', 'ported_out', 'released', 'quarantine', 'suspended'))
BEGIN SELECT RAISE(ABORT, 'check_numbers_state'); END;
CREATE TRIGGER check_numbers_state_update BEFORE UPDATE OF state ON numbers WHEN NOT (NEW.state IN ('available', 'reserved', 'active', 'port_out_pending', 'ported_out', 'released', 'quarantine', 'suspended'))
BEGIN SELECT RAISE(ABORT, 'check_numbers_state'); END;
CREATE TRIGGER check_numbers_number_type_insert BEFORE INSERT ON numbers WHEN NOT (NEW.number_type IN ('geographic', 'mobile', 'toll_free', 'national', 'premium_rate', 'shared_cost', 'personal'))
BEGIN SELECT RAISE(ABORT, 'check_numbers_number_type'); END;
CREATE TRIGGER check_numbers_number_type_update BEFORE UPDATE OF number_type ON numbers WHEN NOT (NEW.number_type IN ('geographic', 'mobile', 'toll_free', 'national', 'premium_rate', 'shared_cost', 'personal'))
BEGIN SELECT RAISE(ABORT, 'check_numbers_number_type'); END;
CREATE TRIGGER check_numbers_routing_insert BEFORE INSERT ON numbers WHEN NOT (NEW.routing IN ('direct', 'forward_single_line', 'sip_trunk', 'forward_pbx', 'forward_multi_call'))
BEGIN SELECT RAISE(ABORT, 'check_numbers_routing'); END;
CREATE TRIGGER check_numbers_routing_update BEFORE UPDATE OF routing ON numbers WHEN NOT (NEW.routing IN ('direct', 'forward_single_line', 'sip_trunk', 'forward_pbx', 'forward_multi_call'))
BEGIN SELECT RAISE(ABORT, 'check_numbers_routing'); END;
CREATE TRIGGER check_numbers_origin_insert BEFORE INSERT ON numbers WHEN NOT (NEW.origin IN ('inventory', 'port_in'))
BEGIN SELECT RAISE(ABORT, 'check_numbers_origin'); END;
CREATE TRIGGER check_numbers_origin_update BEFORE UPDATE OF origin ON numbers WHEN NOT (NEW.origin IN ('inventory', 'port_in'))
BEGIN SELECT RAISE(ABORT, 'check_numbers_origin'); END;
CREATE TRIGGER check_numbers_confirm_method_insert BEFORE INSERT ON numbers WHEN NOT (NEW.confirm_method IN ('test_call', 'written', 'portal'))
BEGIN SELECT RAISE(ABORT, 'check_numbers_confirm_method'); END;
CREATE TRIGGER check_numbers_confirm_method_update BEFORE UPDATE OF confirm_method ON numbers WHEN NOT (NEW.confirm_method IN ('test_call', 'written', 'portal'))
BEGIN SELECT RAISE(ABORT, 'check_numbers_confirm_method'); END;
CREATE TRIGGER check_number_transitions_subject_type_insert BEFORE INSERT ON number_transitions WHEN NOT (NEW.subject_type IN ('number', 'port_in'))
BEGIN SELECT RAISE(ABORT, 'check_number_transitions_subject_type'); END;
CREATE TRIGGER check_number_transitions_subject_type_update BEFORE UPDATE OF subject_type ON number_transitions WHEN NOT (NEW.subject_type IN ('number', 'port_in'))
BEGIN SELECT RAISE(ABORT, 'check_number_transitions_subject_type'); END;
CREATE TRIGGER check_port_ins_state_insert BEFORE INSERT ON port_ins WHEN NOT (NEW.state IN ('draft', 'submitted', 'pending', 'scheduled', 'completed', 'rejected', 'cancelled'))
BEGIN SELECT RAISE(ABORT, 'check_port_ins_state'); END;
CREATE TRIGGER check_port_ins_state_update BEFORE UPDATE OF state ON port_ins WHEN NOT (NEW.state IN ('draft', 'submitted', 'pending', 'scheduled', 'completed', 'rejected', 'cancelled'))
BEGIN SELECT RAISE(ABORT, 'check_port_ins_state'); END;
CREATE TRIGGER check_port_outs_state_insert BEFORE INSERT ON port_outs WHEN NOT (NEW.state IN ('pending', 'completed', 'cancelled'))
BEGIN SELECT RAISE(ABORT, 'check_port_outs_state'); END;
CREATE TRIGGER check_port_outs_state_update BEFORE UPDATE OF state ON port_outs WHEN NOT (NEW.state IN ('pending', 'completed', 'cancelled'))
BEGIN SELECT RAISE(ABORT, 'check_port_outs_state'); END;
CREATE TRIGGER check_port_outs_previous_state_insert BEFORE INSERT ON port_outs WHEN NOT (NEW.previous_state IN ('available', 'reserved', 'active', 'port_out_pending', 'ported_out', 'released', 'quarantine', 'suspended'))
BEGIN SELECT RAISE(ABORT, 'check_port_outs_previous_state'); END;
CREATE TRIGGER check_port_outs_previous_state_update BEFORE UPDATE OF previous_state ON port_outs WHEN NOT (NEW.previous_state IN ('available', 'reserved', 'active', 'port_out_pending', 'ported_out', 'released', 'quarantine', 'suspended'))
BEGIN SELECT RAISE(ABORT, 'check_port_outs_previous_state'); END;
CREATE TRIGGER check_number_documents_kind_insert BEFORE INSERT ON number_documents WHEN NOT (NEW.kind IN ('loa', 'identity', 'address_proof', 'bill', 'other'))
BEGIN SELECT RAISE(ABORT, 'check_number_documents_kind'); END;
CREATE TRIGGER check_number_documents_kind_update BEFORE UPDATE OF kind ON number_documents WHEN NOT (NEW.kind IN ('loa', 'identity', 'address_proof', 'bill', 'other'))
BEGIN SELECT RAISE(ABORT, 'check_number_documents_kind'); END;
CREATE TRIGGER check_number_documents_size_bytes_insert BEFORE INSERT ON number_documents WHEN NOT (NEW.size_bytes >= 0)
BEGIN SELECT RAISE(ABORT, 'check_number_documents_size_bytes'); END;
CREATE TRIGGER check_number_documents_size_bytes_update BEFORE UPDATE OF size_bytes ON number_documents WHEN NOT (NEW.size_bytes >= 0)
BEGIN SELECT RAISE(ABORT, 'check_number_documents_size_bytes'); END;
CREATE TRIGGER check_document_requests_kind_insert BEFORE INSERT ON document_requests WHEN NOT (NEW.kind IN ('loa', 'identity', 'address_proof', 'bill', 'other'))
BEGIN SELECT RAISE(ABORT, 'check_document_requests_kind'); END;
CREATE TRIGGER check_document_requests_kind_update BEFORE UPDATE OF kind ON document_requests WHEN NOT (NEW.kind IN ('loa', 'identity', 'address_proof', 'bill', 'other'))
BEGIN SELECT RAISE(ABORT, 'check_document_requests_kind'); END;
CREATE TRIGGER check_document_requests_on_miss_insert BEFORE INSERT ON document_requests WHEN NOT (NEW.on_miss IN ('suspend', 'flag_only'))
BEGIN SELECT RAISE(ABORT, 'check_document_requests_on_miss'); END;
CREATE TRIGGER check_document_requests_on_miss_update BEFORE UPDATE OF on_miss ON document_requests WHEN NOT (NEW.on_miss IN ('suspend', 'flag_only'))
BEGIN SELECT RAISE(ABORT, 'check_document_requests_on_miss'); END;
CREATE TRIGGER check_document_requests_state_insert BEFORE INSERT ON document_requests WHEN NOT (NEW.state IN ('open', 'fulfilled', 'missed', 'fulfilled_late'))
BEGIN SELECT RAISE(ABORT, 'check_document_requests_state'); END;
CREATE TRIGGER check_document_requests_state_update BEFORE UPDATE OF state ON document_requests WHEN NOT (NEW.state IN ('open', 'fulfilled', 'missed', 'fulfilled_late'))
BEGIN SELECT RAISE(ABORT, 'check_document_requests_state'); END;
CREATE TRIGGER check_guard_policies_licensed_calls_insert BEFORE INSERT ON guard_policies WHEN NOT (NEW.licensed_calls >= 0)
BEGIN SELECT RAISE(ABORT, 'check_guard_policies_licensed_calls'); END;
CREATE TRIGGER check_guard_policies_licensed_calls_update BEFORE UPDATE OF licensed_calls ON guard_policies WHEN NOT (NEW.licensed_calls >= 0)
BEGIN SELECT RAISE(ABORT, 'check_guard_policies_licensed_calls'); END;
CREATE TRIGGER check_guard_policies_site_bandwidth_kbps_insert BEFORE INSERT ON guard_policies WHEN NOT (NEW.site_bandwidth_kbps >= 0)
BEGIN SELECT RAISE(ABORT, 'check_guard_policies_site_bandwidth_kbps'); END;
CREATE TRIGGER check_guard_policies_site_bandwidth_kbps_update BEFORE UPDATE OF site_bandwidth_kbps ON guard_policies WHEN NOT (NEW.site_bandwidth_kbps >= 0)
BEGIN SELECT RAISE(ABORT, 'check_guard_policies_site_bandwidth_kbps'); END;
CREATE TRIGGER check_guard_policies_credit_limit_micros_insert BEFORE INSERT ON guard_policies WHEN NOT (NEW.credit_limit_micros >= 0)
BEGIN SELECT RAISE(ABORT, 'check_guard_policies_credit_limit_micros'); END;
CREATE TRIGGER check_guard_policies_credit_limit_micros_update BEFORE UPDATE OF credit_limit_micros ON guard_policies WHEN NOT (NEW.credit_limit_micros >= 0)
BEGIN SELECT RAISE(ABORT, 'check_guard_policies_credit_limit_micros'); END;
CREATE TRIGGER check_suspensions_scope_insert BEFORE INSERT ON suspensions WHEN NOT (NEW.scope IN ('all', 'outbound', 'international'))
BEGIN SELECT RAISE(ABORT, 'check_suspensions_scope'); END;
CREATE TRIGGER check_suspensions_scope_update BEFORE UPDATE OF scope ON suspensions WHEN NOT (NEW.scope IN ('all', 'outbound', 'international'))
BEGIN SELECT RAISE(ABORT, 'check_suspensions_scope'); END;
