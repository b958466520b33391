-- 0007 checks: the database refuses what the code would refuse. Enum-like TEXT columns hold
-- only the values the code writes (roles with sip_edge, tiers, credential kinds, number,
-- port-in, port-out and document-request states, routing, suspension scope, CDR disposition
-- and direction, ...), currencies are three capital letters, and amounts, durations and
-- counts that cannot be negative are not. Columns that may legitimately be negative or
-- free text (actors such as the guard's `created_by`, reasons, notes) are not constrained.
-- Each rule is named check_<table>_<column>, on both backends.
-- Never edit after landing; add a new migration.
ALTER TABLE partners ADD CONSTRAINT check_partners_tier CHECK (tier IN ('diamond', 'platinum', 'gold_plus', 'gold', 'silver', 'bronze', 'reseller'));
ALTER TABLE users ADD CONSTRAINT check_users_role CHECK (role IN ('operator_admin', 'operator_support', 'operator_billing', 'partner_admin', 'partner_agent', 'customer_admin', 'customer_user', 'sip_edge'));
ALTER TABLE credentials ADD CONSTRAINT check_credentials_kind CHECK (kind IN ('api_token', 'session', 'password_reset'));
ALTER TABLE billing_accounts ADD CONSTRAINT check_billing_accounts_currency CHECK (currency ~ '^[A-Z][A-Z][A-Z]$');
ALTER TABLE billing_accounts ADD CONSTRAINT check_billing_accounts_included_seconds CHECK (included_seconds >= 0);
ALTER TABLE bundle_usage ADD CONSTRAINT check_bundle_usage_used_s CHECK (used_s >= 0);
ALTER TABLE numbers ADD CONSTRAINT check_numbers_state CHECK (state IN ('available', 'reserved', 'active', 'port_out_pending', 'ported_out', 'released', 'quarantine', 'suspended'));
ALTER TABLE numbers ADD CONSTRAINT check_numbers_number_type CHECK (number_type IN ('geographic', 'mobile', 'toll_free', 'national', 'premium_rate', 'shared_cost', 'personal'));
ALTER TABLE numbers ADD CONSTRAINT check_numbers_routing CHECK (routing IN ('direct', 'forward_single_line', 'sip_trunk', 'forward_pbx', 'forward_multi_call'));
ALTER TABLE numbers ADD CONSTRAINT check_numbers_origin CHECK (origin IN ('inventory', 'port_in'));
ALTER TABLE numbers ADD CONSTRAINT check_numbers_confirm_method CHECK (confirm_method IN ('test_call', 'written', 'portal'));
ALTER TABLE number_transitions ADD CONSTRAINT check_number_transitions_subject_type CHECK (subject_type IN ('number', 'port_in'));
ALTER TABLE port_ins ADD CONSTRAINT check_port_ins_state CHECK (state IN ('draft', 'submitted', 'pending', 'scheduled', 'completed', 'rejected', 'cancelled'));
ALTER TABLE port_outs ADD CONSTRAINT check_port_outs_state CHECK (state IN ('pending', 'completed', 'cancelled'));
ALTER TABLE port_outs ADD CONSTRAINT check_port_outs_previous_state CHECK (previous_state IN ('available', 'reserved', 'active', 'port_out_pending', 'ported_out', 'released', 'quarantine', 'suspended'));
ALTER TABLE number_documents ADD CONSTRAINT check_number_documents_kind CHECK (kind IN ('loa', 'identity', 'address_proof', 'bill', 'other'));
ALTER TABLE number_documents ADD CONSTRAINT check_number_documents_size_bytes CHECK (size_bytes >= 0);
ALTER TABLE document_requests ADD CONSTRAINT check_document_requests_kind CHECK (kind IN ('loa', 'identity', 'address_proof', 'bill', 'other'));
ALTER TABLE document_requests ADD CONSTRAINT check_document_requests_on_miss CHECK (on_miss IN ('suspend', 'flag_only'));
ALTER TABLE document_requests ADD CONSTRAINT check_document_requests_state CHECK (state IN ('open', 'fulfilled', 'missed', 'fulfilled_late'));
ALTER TABLE guard_policies ADD CONSTRAINT check_guard_policies_licensed_calls CHECK (licensed_calls >= 0);
ALTER TABLE guard_policies ADD CONSTRAINT check_guard_policies_site_bandwidth_kbps CHECK (site_bandwidth_kbps >= 0);
ALTER TABLE guard_policies ADD CONSTRAINT check_guard_policies_credit_limit_micros CHECK (credit_limit_micros >= 0);
ALTER TABLE suspensions ADD CONSTRAINT check_suspensions_scope CHECK (scope IN ('all', 'outbound', 'international'));
ALTER TABLE rate_rows ADD CONSTRAINT check_rate_rows_currency CHECK (currency ~ '^[A-Z][A-Z][A-Z]$');
ALTER TABLE rate_rows ADD CONSTRAINT check_rate_rows_rate_micros CHECK (rate_micros >= 0);
ALTER TABLE rate_rows ADD CONSTRAINT check_rate_rows_connection_fee_micros CHECK (connection_fee_micros >= 0);
ALTER TABLE rate_rows ADD CONSTRAINT check_rate_rows_initial_s CHECK (initial_s >= 0);
ALTER TABLE rate_rows ADD CONSTRAINT check_rate_rows_subsequent_s CHECK (subsequent_s >= 0);
ALTER TABLE rate_rows ADD CONSTRAINT check_rate_rows_min_billed_s CHECK (min_billed_s >= 0);
ALTER TABLE cdrs ADD CONSTRAINT check_cdrs_disposition CHECK (disposition IN ('answered', 'no_answer', 'busy', 'failed'));
ALTER TABLE cdrs ADD CONSTRAINT check_cdrs_direction CHECK (direction IN ('outbound', 'inbound', 'emergency'));
ALTER TABLE cdrs ADD CONSTRAINT check_cdrs_currency CHECK (currency ~ '^[A-Z][A-Z][A-Z]$');
ALTER TABLE cdrs ADD CONSTRAINT check_cdrs_duration_s CHECK (duration_s >= 0);
ALTER TABLE cdrs ADD CONSTRAINT check_cdrs_billed_s CHECK (billed_s >= 0);
ALTER TABLE cdrs ADD CONSTRAINT check_cdrs_bundle_s CHECK (bundle_s >= 0);
ALTER TABLE cdrs ADD CONSTRAINT check_cdrs_rate_micros CHECK (rate_micros >= 0);
ALTER TABLE cdrs ADD CONSTRAINT check_cdrs_amount_micros CHECK (amount_micros >= 0);
