-- F4 (issue 15): a suspension may stop an account's messaging alone; 0007's check did not know
-- the scope, so such a suspension could not be stored. Never edit after landing.
DROP TRIGGER check_suspensions_scope_insert;
DROP TRIGGER check_suspensions_scope_update;
CREATE TRIGGER check_suspensions_scope_insert BEFORE INSERT ON suspensions WHEN NOT (NEW.scope IN ('all', 'outbound', 'international', 'messaging'))
BEGIN SELECT RAISE(ABORT, 'check_suspensions_scope'); END;
CREATE TRIGGER check_suspensions_scope_update BEFORE UPDATE OF scope ON suspensions WHEN NOT (NEW.scope IN ('all', 'outbound', 'international', 'messaging'))
BEGIN SELECT RAISE(ABORT, 'check_suspensions_scope'); END;
