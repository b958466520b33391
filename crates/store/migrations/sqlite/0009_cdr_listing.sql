-- 0009: CDR listing pages in call order (start_at, then id) within an account by keyset, so
-- the index carries the id as well: any page is an index range, never a sort of the
-- account's CDRs (issue 11 #6). It replaces the (billing_account_id, start_at) index, so
-- intake maintains the same number of indexes.
DROP INDEX cdrs_account_start;
CREATE INDEX cdrs_account_start_id ON cdrs(billing_account_id, start_at, id);
