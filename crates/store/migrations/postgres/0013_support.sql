-- The support desk (issue 16): tickets with their response clocks, their threads, holidays
-- per support region, the knowledge base the desk suggests from.
-- H3: the region whose support hours a partner's tickets run in: `americas`
-- (America/New_York) or `emea` (Europe/Berlin).
ALTER TABLE partners ADD COLUMN support_region TEXT NOT NULL DEFAULT 'emea';
CREATE TABLE support_holidays (
    region TEXT NOT NULL,
    day BIGINT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (region, day)
);
CREATE TABLE ticket_seq (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    last BIGINT NOT NULL
);
INSERT INTO ticket_seq (id, last) VALUES (1, 0);
CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    -- A secret of the ticket that e-mail follow-ups carry in their subject with the reference
    -- (`[TKT-000123:<key>]`): a forged From: alone cannot write into a ticket (H5).
    mail_key TEXT NOT NULL,
    -- The tenant the ticket belongs to: the partner it concerns, and the customer if any.
    partner_id TEXT,
    customer_id TEXT,
    opened_by TEXT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT,
    issue TEXT,
    subject TEXT NOT NULL,
    device TEXT,
    versions TEXT,
    trace_numbers TEXT,
    trace_at BIGINT,
    cos TEXT NOT NULL,
    cos_proposed TEXT NOT NULL,
    state TEXT NOT NULL,
    region TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    response_due_at BIGINT NOT NULL,
    extended_service BIGINT NOT NULL,
    review_due_at BIGINT,
    first_response_at BIGINT,
    -- H12: the partner's first action on a ticket about its customer.
    partner_response_at BIGINT,
    assignee TEXT,
    previous_ticket_id TEXT,
    incident_id TEXT,
    customer_contacted_at BIGINT,
    closed_at BIGINT,
    rating BIGINT,
    feedback TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tickets_state ON tickets(state, response_due_at);
CREATE INDEX tickets_partner ON tickets(partner_id, id);
CREATE UNIQUE INDEX tickets_incident ON tickets(incident_id);
CREATE TABLE ticket_messages (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    at BIGINT NOT NULL,
    author TEXT NOT NULL,
    -- `portal`, `api`, `email` or `system`.
    channel TEXT NOT NULL,
    -- 1: an internal note, seen by the provider's agents only.
    internal BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, id);
CREATE TABLE kb_articles (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    topic TEXT NOT NULL,
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Attachments of a ticket's thread (traces, logs, screenshots), checked by type and size.
CREATE TABLE ticket_attachments (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content_base64 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments(ticket_id, id);
-- Inbound e-mail already threaded, by Message-ID: an MTA's retry is not added twice.
CREATE TABLE inbound_mail (
    message_id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL,
    at BIGINT NOT NULL
);
