-- Service assurance (issue 17): services and their components, customers mapped to the
-- components their services use, probes and their results, incidents (with cause, updates and
-- components), maintenance windows with the time their notice was sent, the published daily
-- availability (S2) and SLA credits (S3, B12). Never edit after landing.
CREATE TABLE assurance_services (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    CONSTRAINT assurance_services_name UNIQUE (name)
);
CREATE TABLE assurance_components (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES assurance_services(id),
    name TEXT NOT NULL,
    -- CLASSOUND telephony: outages are tracked against the restoration time (T5).
    classound BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    CONSTRAINT assurance_components_name UNIQUE (service_id, name)
);
CREATE TABLE assurance_customer_components (
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT,
    component_id TEXT NOT NULL REFERENCES assurance_components(id),
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (customer_id, component_id)
);
CREATE INDEX assurance_customer_components_component ON assurance_customer_components(component_id);
CREATE TABLE assurance_probes (
    id TEXT PRIMARY KEY,
    component_id TEXT NOT NULL REFERENCES assurance_components(id),
    name TEXT NOT NULL,
    -- `http`, `tcp`, `dns`, `sip_udp` or `sip_tcp`.
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    dns_name TEXT,
    expect_status BIGINT,
    expect_body TEXT,
    interval_s BIGINT NOT NULL,
    timeout_ms BIGINT NOT NULL,
    fail_threshold BIGINT NOT NULL,
    recover_threshold BIGINT NOT NULL,
    enabled BIGINT NOT NULL,
    next_run_at BIGINT NOT NULL,
    -- The streak of consecutive results and the incident it opened, if any.
    failures BIGINT NOT NULL,
    successes BIGINT NOT NULL,
    open_incident_id TEXT,
    last_at BIGINT,
    last_ok BIGINT,
    last_latency_us BIGINT,
    last_detail TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX assurance_probes_due ON assurance_probes(enabled, next_run_at);
CREATE TABLE assurance_probe_results (
    id TEXT PRIMARY KEY,
    probe_id TEXT NOT NULL REFERENCES assurance_probes(id),
    at BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    latency_us BIGINT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX assurance_probe_results_probe ON assurance_probe_results(probe_id, at);
CREATE TABLE assurance_incidents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    -- `provider`, `force_majeure` (W 9.8), `third_party` or `customer`: only the provider's
    -- sole fault counts against availability (S3).
    cause TEXT NOT NULL,
    -- `open` or `resolved`.
    state TEXT NOT NULL,
    -- The class of service the NOC gave it (S4): `critical`, `standard` or `low`.
    cos TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    resolved_at BIGINT,
    probe_id TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- When the NOC's tickets to the affected partners were opened (S4).
    tickets_at BIGINT
);
CREATE INDEX assurance_incidents_started ON assurance_incidents(started_at);
CREATE INDEX assurance_incidents_state ON assurance_incidents(state);
CREATE TABLE assurance_incident_components (
    incident_id TEXT NOT NULL REFERENCES assurance_incidents(id),
    component_id TEXT NOT NULL REFERENCES assurance_components(id),
    PRIMARY KEY (incident_id, component_id)
);
CREATE INDEX assurance_incident_components_component ON assurance_incident_components(component_id);
CREATE TABLE assurance_incident_updates (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES assurance_incidents(id),
    at BIGINT NOT NULL,
    -- `investigating`, `identified`, `monitoring`, `resolved` or `update`.
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    author TEXT NOT NULL
);
CREATE INDEX assurance_incident_updates_incident ON assurance_incident_updates(incident_id, at);
CREATE TABLE assurance_maintenance (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    -- S1: when the notice went out; the window is excluded only if this is at least the
    -- profile's lead time before `starts_at`.
    notice_at BIGINT,
    cancelled_at BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX assurance_maintenance_starts ON assurance_maintenance(starts_at);
CREATE TABLE assurance_maintenance_components (
    maintenance_id TEXT NOT NULL REFERENCES assurance_maintenance(id),
    component_id TEXT NOT NULL REFERENCES assurance_components(id),
    PRIMARY KEY (maintenance_id, component_id)
);
-- S2: the published availability of a service on a day (UTC), recomputed until the day is
-- over and then kept.
CREATE TABLE assurance_daily (
    service_id TEXT NOT NULL REFERENCES assurance_services(id),
    day BIGINT NOT NULL,
    period_s BIGINT NOT NULL,
    counted_s BIGINT NOT NULL,
    excluded_maintenance_s BIGINT NOT NULL,
    excluded_other_s BIGINT NOT NULL,
    computed_at BIGINT NOT NULL,
    PRIMARY KEY (service_id, day)
);
-- S3, B12: the month's credit of a billing account (retail) or of the customer's partner on
-- its wholesale fee, with its computation; once per month, account and level.
CREATE TABLE sla_credits (
    id TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    customer_id TEXT NOT NULL,
    partner_id TEXT,
    level TEXT NOT NULL,
    month TEXT NOT NULL,
    profile TEXT NOT NULL,
    period_s BIGINT NOT NULL,
    counted_s BIGINT NOT NULL,
    excluded_maintenance_s BIGINT NOT NULL,
    excluded_other_s BIGINT NOT NULL,
    availability_hundredths BIGINT NOT NULL,
    tier_from_ppm BIGINT NOT NULL,
    payable_pct BIGINT NOT NULL,
    credit_pct BIGINT NOT NULL,
    fee_micros BIGINT NOT NULL,
    credit_micros BIGINT NOT NULL,
    currency TEXT NOT NULL,
    pending_charge_id TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    CONSTRAINT sla_credits_once UNIQUE (billing_account_id, month, level)
);
CREATE INDEX sla_credits_month ON sla_credits(month);
