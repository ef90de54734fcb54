#!/bin/sh
# Writes the SQL of the identifier types listed in ident_types.tsv: I/O,
# comparison operators, btree and hash operator classes, is_valid_<type>(text),
# and their comments.
#
#   ident_types.sh ident_types.tsv
#
# Each line of the list: type, base, what it is (tab-separated).  The base is
# the representation the C code gives the type (int4, int8, or bytea for text
# kept in a varlena); the comparisons are PostgreSQL's own for that base.
set -eu

ident_type() {
t=$1 base=$2 what=$3

case $base in
int4 | int8)
	storage="LIKE = pg_catalog.$base"
	cmp=bt${base}cmp hash=hash$base hashext=hash${base}extended
	out="'MODULE_PATHNAME', '${t}_out' LANGUAGE C"
	send="'MODULE_PATHNAME', '${t}_send' LANGUAGE C"
	sortsupport="btint${base#int}sortsupport"
	;;
bytea)
	storage="INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = main"
	cmp=byteacmp hash=hashvarlena hashext=hashvarlenaextended
	out="'textout' LANGUAGE internal"
	send="'textsend' LANGUAGE internal"
	sortsupport=
	;;
*)
	echo "ident_types.sh: unknown base $base for $t" >&2
	exit 1
	;;
esac

cat <<SQL
-- $t: $what

CREATE TYPE $t;

CREATE FUNCTION ${t}_in(cstring) RETURNS $t
	AS 'MODULE_PATHNAME', '${t}_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ${t}_out($t) RETURNS cstring
	AS $out IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ${t}_recv(internal) RETURNS $t
	AS 'MODULE_PATHNAME', '${t}_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ${t}_send($t) RETURNS bytea
	AS $send IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE $t (
	INPUT = ${t}_in, OUTPUT = ${t}_out,
	RECEIVE = ${t}_recv, SEND = ${t}_send,
	$storage
);
COMMENT ON TYPE $t IS '$what';
COMMENT ON FUNCTION ${t}_in(cstring) IS 'reads a $t as people type it';
COMMENT ON FUNCTION ${t}_out($t) IS 'writes a $t in canonical form';
COMMENT ON FUNCTION ${t}_recv(internal) IS 'reads a $t in binary form, checked like text input';
COMMENT ON FUNCTION ${t}_send($t) IS 'writes a $t in binary form';

CREATE FUNCTION is_valid_$t(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'is_valid_$t' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION is_valid_$t(text) IS 'whether the text is a valid $t; never raises';

SQL

for op in 'eq = equal' 'ne <> not_equal' 'lt < less_than' 'le <= less_or_equal' \
	'gt > greater_than' 'ge >= greater_or_equal'; do
	set -- $op
	echo "CREATE FUNCTION ${t}_$1($t, $t) RETURNS boolean"
	echo "	AS '$base$1' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;"
	echo "COMMENT ON FUNCTION ${t}_$1($t, $t) IS 'implementation of $2 for $t';"
done

cat <<SQL
CREATE FUNCTION ${t}_cmp($t, $t) RETURNS integer
	AS '$cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION ${t}_cmp($t, $t) IS 'btree comparison of two $t values';
CREATE FUNCTION ${t}_hash($t) RETURNS integer
	AS '$hash' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION ${t}_hash($t) IS 'hash of a $t';
CREATE FUNCTION ${t}_hash_extended($t, bigint) RETURNS bigint
	AS '$hashext' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION ${t}_hash_extended($t, bigint) IS '64-bit seeded hash of a $t';

CREATE OPERATOR = (LEFTARG = $t, RIGHTARG = $t, FUNCTION = ${t}_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = $t, RIGHTARG = $t, FUNCTION = ${t}_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = $t, RIGHTARG = $t, FUNCTION = ${t}_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = $t, RIGHTARG = $t, FUNCTION = ${t}_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = $t, RIGHTARG = $t, FUNCTION = ${t}_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = $t, RIGHTARG = $t, FUNCTION = ${t}_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
SQL

for op in '= equal' '<> not equal' '< less than' '<= less than or equal' \
	'> greater than' '>= greater than or equal'; do
	sym=${op%% *}
	echo "COMMENT ON OPERATOR $sym ($t, $t) IS '${op#* }';"
done

if [ -n "$sortsupport" ]; then
	cat <<SQL
CREATE FUNCTION ${t}_sortsupport(internal) RETURNS void
	AS '$sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ${t}_sortsupport(internal) IS 'sort support for $t';
SQL
	support="FUNCTION 1 ${t}_cmp($t, $t), FUNCTION 2 ${t}_sortsupport(internal)"
else
	support="FUNCTION 1 ${t}_cmp($t, $t)"
fi

cat <<SQL

CREATE OPERATOR CLASS ${t}_ops DEFAULT FOR TYPE $t USING btree AS
	OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
	$support;
COMMENT ON OPERATOR CLASS ${t}_ops USING btree IS 'default btree operator class for $t';
COMMENT ON OPERATOR FAMILY ${t}_ops USING btree IS 'btree operator family for $t';
CREATE OPERATOR CLASS ${t}_ops DEFAULT FOR TYPE $t USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 ${t}_hash($t), FUNCTION 2 ${t}_hash_extended($t, bigint);
COMMENT ON OPERATOR CLASS ${t}_ops USING hash IS 'default hash operator class for $t';
COMMENT ON OPERATOR FAMILY ${t}_ops USING hash IS 'hash operator family for $t';

SQL
}

tab=$(printf '\t')
while IFS=$tab read -r t base what; do
	ident_type "$t" "$base" "$what"
done <"$1"
