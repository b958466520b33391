-- A rejected CDR line is stored once per (source, line content): re-posting a file adds no
-- copy (issue 11 #14). Rows stored before have no fingerprint and stay as they are.
ALTER TABLE cdr_rejects ADD COLUMN fingerprint TEXT;
CREATE UNIQUE INDEX cdr_rejects_fingerprint ON cdr_rejects(fingerprint);
