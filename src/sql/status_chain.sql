-- 0.6: submit deposits and delivers in one UPDATE of the invoice (two
-- moves, two history entries): the move staged for the UPDATE goes on to a
-- second status, by the same actor, under the same rules.
CREATE FUNCTION stage_status_then(status text) RETURNS void
	AS 'MODULE_PATHNAME', 'stage_status_then' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION stage_status_then(text) IS 'internal: the move staged by stage_status_move goes on to this status in the same UPDATE; not granted to users';
REVOKE ALL ON FUNCTION stage_status_then(text) FROM PUBLIC;
