-- F4 (issue 15): a suspension may stop an account's messaging alone; 0007's check did not know
-- the scope, so such a suspension could not be stored. Never edit after landing.
ALTER TABLE suspensions DROP CONSTRAINT check_suspensions_scope;
ALTER TABLE suspensions ADD CONSTRAINT check_suspensions_scope
    CHECK (scope IN ('all', 'outbound', 'international', 'messaging'));
