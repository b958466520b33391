-- The guard rebuilds its detector windows at start from the recent calls (by start time).
CREATE INDEX guard_calls_started ON guard_calls(started_at);
