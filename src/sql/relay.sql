-- 0.4: status notifications relayed by the background worker.  PostgreSQL
-- serialises the commits of notifying transactions; with
-- bizinvoice.status_notify = relay a move only queues its history entry
-- here, and the worker sends the notifications in batches.

CREATE TABLE status_event (
	history_id bigint PRIMARY KEY
);
COMMENT ON TABLE status_event IS 'status moves whose NOTIFY bizinvoice_status the worker has yet to send (bizinvoice.status_notify = relay)';
COMMENT ON COLUMN status_event.history_id IS 'the move, in status_history';
ALTER TABLE status_event ENABLE ROW LEVEL SECURITY;
SELECT pg_catalog.pg_extension_config_dump('status_event', '');

CREATE FUNCTION status_relay(max_events integer) RETURNS integer
	AS 'MODULE_PATHNAME', 'status_relay' LANGUAGE C STRICT;
COMMENT ON FUNCTION status_relay(integer) IS 'sends NOTIFY bizinvoice_status for up to max_events queued moves, oldest first, and dequeues them; returns how many (the worker calls it)';
REVOKE ALL ON FUNCTION status_relay(integer) FROM PUBLIC;
COMMENT ON FUNCTION status_record() IS 'trigger: appends each status move to status_history and sends NOTIFY bizinvoice_status, or queues it in status_event for the worker to send (bizinvoice.status_notify)';
