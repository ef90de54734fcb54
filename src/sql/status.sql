-- Status rules (in C), their views, the guard on invoice, and the history.

CREATE FUNCTION status_catalog_rows(OUT channel text, OUT ordinal integer, OUT status text,
	OUT code text, OUT label_fr text, OUT mandatory boolean, OUT final boolean,
	OUT next_actors text[], OUT meaning text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'status_catalog_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION status_catalog_rows() IS 'the 40 statuses as the C rules know them (see view status_catalog)';
CREATE VIEW status_catalog AS SELECT * FROM status_catalog_rows();
COMMENT ON VIEW status_catalog IS 'the 30 B2B and 10 B2G statuses: labels, reform codes, French labels, mandatory and final flags, whose move is next';

CREATE FUNCTION status_transition_rows(OUT channel text, OUT from_status text, OUT to_status text,
	OUT actors text[], OUT reason_required boolean, OUT amount_required boolean)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'status_transition_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION status_transition_rows() IS 'the status rules enforced by the status guard (see view status_transitions)';
CREATE VIEW status_transitions AS SELECT * FROM status_transition_rows();
COMMENT ON VIEW status_transitions IS 'every allowed status move: channel, from (NULL: entering the life cycle), to, who may, whether a reason or amount is required';

CREATE FUNCTION status_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'status_guard' LANGUAGE C;
COMMENT ON FUNCTION status_guard() IS 'trigger: lets a status change through only as the rules allow, and records who made it';
CREATE TRIGGER invoice_status_guard BEFORE INSERT OR UPDATE ON invoice
	FOR EACH ROW EXECUTE FUNCTION status_guard();

CREATE TABLE status_history (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	invoice_id bigint NOT NULL REFERENCES invoice,
	channel text NOT NULL,
	from_status text,
	to_status text NOT NULL,
	changed_at timestamptz NOT NULL,
	changed_by name NOT NULL,
	actor text NOT NULL,
	party_id bigint,
	reason text,
	amount numeric(19, 2),
	raw_code text
);
COMMENT ON TABLE status_history IS 'every status move, append-only: from, to, when, which role, as which actor and party, reason, amount, raw external code';
CREATE INDEX status_history_invoice ON status_history (invoice_id, id);

CREATE FUNCTION status_record() RETURNS trigger
	AS 'MODULE_PATHNAME', 'status_record' LANGUAGE C;
COMMENT ON FUNCTION status_record() IS 'trigger: appends each status move to status_history and sends NOTIFY bizinvoice_status';
CREATE TRIGGER invoice_status_moved AFTER UPDATE ON invoice
	FOR EACH ROW WHEN (OLD.status_seq <> NEW.status_seq)
	EXECUTE FUNCTION status_record();

CREATE FUNCTION append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
		USING ERRCODE = '55000', DETAIL = format('%s on %s is refused.', TG_OP, TG_TABLE_NAME);
END
$$;
COMMENT ON FUNCTION append_only() IS 'trigger: refuses UPDATE, DELETE and TRUNCATE on append-only tables (status history, ledger transfers)';
CREATE TRIGGER status_history_append_only BEFORE UPDATE OR DELETE ON status_history
	FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER status_history_no_truncate BEFORE TRUNCATE ON status_history
	FOR EACH STATEMENT EXECUTE FUNCTION append_only();
