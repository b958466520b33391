-- Frontline services (issue 19, RULEBOOK Q, X 2.B; L1): a retailer's stores, their broadcast
-- groups and staff; call points and video-analytics integrations; smart notifications in
-- each broadcast's ordered queue; the event log the manager's statistics add up from; every
-- call-point scan. Times in milliseconds (`_ms`). Never edit after landing.
CREATE TABLE frontline_stores (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    name TEXT NOT NULL,
    -- L1: the subscriptions whose quantity is the store's headset and app seats.
    headset_subscription_id TEXT REFERENCES subscriptions(id),
    app_subscription_id TEXT REFERENCES subscriptions(id),
    -- The staff member escalations go to (Q).
    manager_staff_id TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    CONSTRAINT frontline_stores_name UNIQUE (customer_id, name)
);
CREATE INDEX frontline_stores_partner ON frontline_stores(partner_id);
CREATE TABLE frontline_broadcasts (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES frontline_stores(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    name TEXT NOT NULL,
    repeat_s BIGINT NOT NULL CHECK (repeat_s BETWEEN 5 AND 600),
    escalate_after_s BIGINT NOT NULL CHECK (escalate_after_s >= repeat_s),
    miss_after_s BIGINT NOT NULL CHECK (miss_after_s > escalate_after_s AND miss_after_s <= 3600),
    created_at BIGINT NOT NULL,
    CONSTRAINT frontline_broadcasts_name UNIQUE (store_id, name)
);
CREATE INDEX frontline_broadcasts_customer ON frontline_broadcasts(customer_id);
-- Queue positions: one counter for every broadcast (a group of raises takes its positions in
-- one statement); within a broadcast they only increase.
CREATE TABLE frontline_counter (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL CHECK (last_seq >= 0)
);
INSERT INTO frontline_counter (id, last_seq) VALUES (1, 0);
CREATE TABLE frontline_staff (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES frontline_stores(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    name TEXT NOT NULL,
    device TEXT NOT NULL CHECK (device IN ('headset', 'app')),
    manager BIGINT NOT NULL DEFAULT 0 CHECK (manager IN (0, 1)),
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- SHA-256 of the device's token (the token itself is shown once).
    token_hash TEXT NOT NULL,
    -- The broadcast the member is in now, if any.
    broadcast_id TEXT REFERENCES frontline_broadcasts(id),
    joined_at_ms BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT frontline_staff_token UNIQUE (token_hash)
);
CREATE INDEX frontline_staff_store ON frontline_staff(store_id);
CREATE TABLE frontline_call_points (
    id TEXT PRIMARY KEY,
    -- The code in the QR code a shopper scans (public, unguessable).
    code TEXT NOT NULL,
    store_id TEXT NOT NULL REFERENCES frontline_stores(id),
    broadcast_id TEXT NOT NULL REFERENCES frontline_broadcasts(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    label TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL,
    CONSTRAINT frontline_call_points_code UNIQUE (code)
);
CREATE INDEX frontline_call_points_store ON frontline_call_points(store_id);
CREATE TABLE frontline_video_sources (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES frontline_stores(id),
    broadcast_id TEXT NOT NULL REFERENCES frontline_broadcasts(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    name TEXT NOT NULL,
    -- The HMAC-SHA256 key the analytics system signs its alerts with.
    secret TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL
);
CREATE INDEX frontline_video_sources_store ON frontline_video_sources(store_id);
CREATE TABLE frontline_notifications (
    id TEXT PRIMARY KEY,
    broadcast_id TEXT NOT NULL REFERENCES frontline_broadcasts(id),
    store_id TEXT NOT NULL REFERENCES frontline_stores(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    seq BIGINT NOT NULL CHECK (seq > 0),
    source TEXT NOT NULL CHECK (source IN ('call_point', 'video', 'push_to_talk', 'app')),
    -- The call point, video source or staff member it came from.
    source_id TEXT NOT NULL,
    -- An alert's own id at its source (a video alert sent twice is one notification).
    source_key TEXT,
    from_label TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('broadcast_message', 'call', 'video_call')),
    event TEXT NOT NULL CHECK (event IN ('help_needed', 'theft', 'dwell_time_exceeded', 'queue', 'request')),
    text TEXT NOT NULL,
    speech TEXT NOT NULL,
    repeat_s BIGINT NOT NULL CHECK (repeat_s > 0),
    escalate_after_s BIGINT NOT NULL CHECK (escalate_after_s > 0),
    miss_after_s BIGINT NOT NULL CHECK (miss_after_s > 0),
    state TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'missed')),
    raised_at_ms BIGINT NOT NULL,
    accepted_by TEXT REFERENCES frontline_staff(id),
    accepted_at_ms BIGINT,
    escalated_at_ms BIGINT,
    missed_at_ms BIGINT,
    CONSTRAINT frontline_notifications_seq UNIQUE (broadcast_id, seq),
    CONSTRAINT frontline_notifications_source_key UNIQUE (source_id, source_key)
);
CREATE INDEX frontline_notifications_open ON frontline_notifications(state) WHERE state = 'open';
CREATE INDEX frontline_notifications_store ON frontline_notifications(store_id, raised_at_ms);
CREATE TABLE frontline_log (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES frontline_stores(id),
    broadcast_id TEXT REFERENCES frontline_broadcasts(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    at_ms BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('raised', 'announced', 'accepted', 'escalated', 'missed', 'joined', 'left')),
    notification_id TEXT REFERENCES frontline_notifications(id),
    staff_id TEXT REFERENCES frontline_staff(id),
    -- `left`: when the member joined (staff time is the span).
    since_ms BIGINT,
    -- A key that makes a step written twice (two nodes, a retry) one row.
    step_key TEXT NOT NULL,
    CONSTRAINT frontline_log_step UNIQUE (step_key)
);
CREATE INDEX frontline_log_store_at ON frontline_log(store_id, at_ms);
CREATE TABLE frontline_scans (
    id TEXT PRIMARY KEY,
    call_point_id TEXT NOT NULL REFERENCES frontline_call_points(id),
    store_id TEXT NOT NULL REFERENCES frontline_stores(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    partner_id TEXT REFERENCES partners(id),
    at_ms BIGINT NOT NULL,
    -- A hash of the scanner's address salted with the point (counts distinct scanners; the
    -- address itself is not kept).
    source_hash TEXT NOT NULL,
    -- `raised` a notification, or `joined_open` one from the same point still open.
    outcome TEXT NOT NULL CHECK (outcome IN ('raised', 'joined_open')),
    notification_id TEXT NOT NULL REFERENCES frontline_notifications(id)
);
CREATE INDEX frontline_scans_store_at ON frontline_scans(store_id, at_ms);
