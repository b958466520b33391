-- Frontline (issue 19): the raise path made cheaper. A notification's `raised` entry in the
-- event log is written by the database with the notification, so a group of raises is one
-- insert statement, not two, and no notification can exist without its entry. Notification
-- ids are `fl_ntf_<22 hex>` (time ordered); the entry's id keeps the same digits, so entries
-- still sort by creation.
-- Never edit after landing.
-- The function keeps the search path it was created with (a schema per database in tests and
-- benches), so a session with another path (a data-only restore) writes the same table.
CREATE FUNCTION frontline_notification_raised() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO frontline_log (id, store_id, broadcast_id, customer_id, partner_id, at_ms, kind,
        notification_id, staff_id, since_ms, step_key)
    VALUES ('fl_log_' || substr(NEW.id, 8), NEW.store_id, NEW.broadcast_id, NEW.customer_id,
        NEW.partner_id, NEW.raised_at_ms, 'raised', NEW.id, NULL, NULL, 'raised:' || NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER frontline_notification_raised AFTER INSERT ON frontline_notifications
FOR EACH ROW EXECUTE FUNCTION frontline_notification_raised();
-- No query reads notifications by store and time (the statistics read the log), and each
-- insert wrote this index at a page of its store's: one page less per raise in a burst.
DROP INDEX frontline_notifications_store;
