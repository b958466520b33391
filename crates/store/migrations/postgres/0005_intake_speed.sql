-- 0005: CDR listing goes through billing accounts (indexed by customer), so the per-customer
-- CDR index only slowed every insert down.
DROP INDEX cdrs_customer_start;
