-- Webhook endpoints (issue 13 #8): the operator's receivers of every notification, signed
-- with the endpoint's own secret (HMAC-SHA256). Each notification queued while an endpoint is
-- active gets its own outbox row for it (channel `webhook`, recipient the endpoint id).
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);
