-- Calls per billing account, UTC day and currency: what the portal's usage chart reads, so the
-- dashboard costs the same with a hundred CDRs or ten million. `insert_cdrs` adds the CDRs it
-- inserted (a duplicate skipped by ON CONFLICT is not returned, so not counted), one upsert
-- per chunk in the same transaction (a per-row trigger cost intake three quarters of its
-- speed). CDRs are never deleted and their usage columns never change (invoicing sets invoice
-- ids only). "Answered" is the disposition, as the call lists show it.
CREATE TABLE usage_daily (
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    day BIGINT NOT NULL,
    currency TEXT NOT NULL,
    calls BIGINT NOT NULL,
    answered BIGINT NOT NULL,
    billed_s BIGINT NOT NULL,
    amount_micros BIGINT NOT NULL,
    PRIMARY KEY (billing_account_id, day, currency)
);
INSERT INTO usage_daily (billing_account_id, day, currency, calls, answered, billed_s, amount_micros)
SELECT billing_account_id, (start_at / 86400) * 86400, currency, COUNT(*),
       SUM(CASE WHEN disposition = 'answered' THEN 1 ELSE 0 END), SUM(billed_s), SUM(amount_micros)
FROM cdrs GROUP BY billing_account_id, (start_at / 86400) * 86400, currency;
