-- Calls per billing account, UTC day and currency, kept by a trigger on every CDR inserted (a
-- duplicate skipped by ON CONFLICT inserts nothing and fires nothing), in the same
-- transaction: what the portal's usage chart reads, so the dashboard costs the same with a
-- hundred CDRs or ten million. CDRs are never deleted and their usage columns never change
-- (invoicing sets invoice ids only).
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
       SUM(CASE WHEN answer_at IS NULL THEN 0 ELSE 1 END), SUM(billed_s), SUM(amount_micros)
FROM cdrs GROUP BY billing_account_id, (start_at / 86400) * 86400, currency;
CREATE TRIGGER cdrs_usage_daily AFTER INSERT ON cdrs
BEGIN
    INSERT INTO usage_daily (billing_account_id, day, currency, calls, answered, billed_s, amount_micros)
    VALUES (NEW.billing_account_id, (NEW.start_at / 86400) * 86400, NEW.currency, 1,
            CASE WHEN NEW.answer_at IS NULL THEN 0 ELSE 1 END, NEW.billed_s, NEW.amount_micros)
    ON CONFLICT (billing_account_id, day, currency) DO UPDATE SET
        calls = calls + 1,
        answered = answered + excluded.answered,
        billed_s = billed_s + excluded.billed_s,
        amount_micros = amount_micros + excluded.amount_micros;
END;
