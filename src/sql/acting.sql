-- Which party a session acts for, and moves staged by the platform.

CREATE FUNCTION act_as(party bigint, local boolean DEFAULT false) RETURNS void
	AS 'MODULE_PATHNAME', 'act_as' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION act_as(bigint, boolean) IS 'act for this party from now on, or with local => true until the end of the transaction (NULL: none); the current role must be one of its members, or bizinvoice_admin';

CREATE FUNCTION current_party() RETURNS bigint
	AS 'MODULE_PATHNAME', 'current_party' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION current_party() IS 'the party this session acts for, or NULL';

CREATE FUNCTION acting_as_accountant() RETURNS boolean
	AS 'MODULE_PATHNAME', 'acting_as_accountant' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION acting_as_accountant() IS 'whether this session acts as its party''s public accountant';

CREATE FUNCTION stage_status_move(reason text, amount numeric, raw_code text, actor text) RETURNS void
	AS 'MODULE_PATHNAME', 'stage_status_move' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION stage_status_move(text, numeric, text, text) IS 'internal: what the next status change of this transaction carries (reason, amount, raw code, system actor); not granted to users';
REVOKE ALL ON FUNCTION stage_status_move(text, numeric, text, text) FROM PUBLIC;

CREATE FUNCTION caller_has_role(role name) RETURNS boolean
	AS 'MODULE_PATHNAME', 'caller_has_role' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION caller_has_role(name) IS 'whether the role behind the call, outside SECURITY DEFINER functions, has the privileges of this role';

CREATE FUNCTION caller_name() RETURNS name
	AS 'MODULE_PATHNAME', 'caller_name' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION caller_name() IS 'the role behind the call, outside SECURITY DEFINER functions (who did it)';
