-- bizinvoice 0.8: generated from src/sql by make; edit there.
\echo Use "CREATE EXTENSION bizinvoice" to load this file. \quit
-- siren: SIREN: the 9-digit number INSEE gives a French company, with a Luhn check digit

CREATE TYPE siren;

CREATE FUNCTION siren_in(cstring) RETURNS siren
	AS 'MODULE_PATHNAME', 'siren_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siren_out(siren) RETURNS cstring
	AS 'MODULE_PATHNAME', 'siren_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siren_recv(internal) RETURNS siren
	AS 'MODULE_PATHNAME', 'siren_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siren_send(siren) RETURNS bytea
	AS 'MODULE_PATHNAME', 'siren_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE siren (
	INPUT = siren_in, OUTPUT = siren_out,
	RECEIVE = siren_recv, SEND = siren_send,
	LIKE = pg_catalog.int4
);
COMMENT ON TYPE siren IS 'SIREN: the 9-digit number INSEE gives a French company, with a Luhn check digit';
COMMENT ON FUNCTION siren_in(cstring) IS 'reads a siren as people type it';
COMMENT ON FUNCTION siren_out(siren) IS 'writes a siren in canonical form';
COMMENT ON FUNCTION siren_recv(internal) IS 'reads a siren in binary form, checked like text input';
COMMENT ON FUNCTION siren_send(siren) IS 'writes a siren in binary form';

CREATE FUNCTION is_valid_siren(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'is_valid_siren' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION is_valid_siren(text) IS 'whether the text is a valid siren; never raises';

CREATE FUNCTION siren_eq(siren, siren) RETURNS boolean
	AS 'int4eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siren_eq(siren, siren) IS 'implementation of = for siren';
CREATE FUNCTION siren_ne(siren, siren) RETURNS boolean
	AS 'int4ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siren_ne(siren, siren) IS 'implementation of <> for siren';
CREATE FUNCTION siren_lt(siren, siren) RETURNS boolean
	AS 'int4lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siren_lt(siren, siren) IS 'implementation of < for siren';
CREATE FUNCTION siren_le(siren, siren) RETURNS boolean
	AS 'int4le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siren_le(siren, siren) IS 'implementation of <= for siren';
CREATE FUNCTION siren_gt(siren, siren) RETURNS boolean
	AS 'int4gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siren_gt(siren, siren) IS 'implementation of > for siren';
CREATE FUNCTION siren_ge(siren, siren) RETURNS boolean
	AS 'int4ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siren_ge(siren, siren) IS 'implementation of >= for siren';
CREATE FUNCTION siren_cmp(siren, siren) RETURNS integer
	AS 'btint4cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siren_cmp(siren, siren) IS 'btree comparison of two siren values';
CREATE FUNCTION siren_hash(siren) RETURNS integer
	AS 'hashint4' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siren_hash(siren) IS 'hash of a siren';
CREATE FUNCTION siren_hash_extended(siren, bigint) RETURNS bigint
	AS 'hashint4extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siren_hash_extended(siren, bigint) IS '64-bit seeded hash of a siren';

CREATE OPERATOR = (LEFTARG = siren, RIGHTARG = siren, FUNCTION = siren_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = siren, RIGHTARG = siren, FUNCTION = siren_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = siren, RIGHTARG = siren, FUNCTION = siren_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = siren, RIGHTARG = siren, FUNCTION = siren_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = siren, RIGHTARG = siren, FUNCTION = siren_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = siren, RIGHTARG = siren, FUNCTION = siren_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
COMMENT ON OPERATOR = (siren, siren) IS 'equal';
COMMENT ON OPERATOR <> (siren, siren) IS 'not equal';
COMMENT ON OPERATOR < (siren, siren) IS 'less than';
COMMENT ON OPERATOR <= (siren, siren) IS 'less than or equal';
COMMENT ON OPERATOR > (siren, siren) IS 'greater than';
COMMENT ON OPERATOR >= (siren, siren) IS 'greater than or equal';
CREATE FUNCTION siren_sortsupport(internal) RETURNS void
	AS 'btint4sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION siren_sortsupport(internal) IS 'sort support for siren';

CREATE OPERATOR CLASS siren_ops DEFAULT FOR TYPE siren USING btree AS
	OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
	FUNCTION 1 siren_cmp(siren, siren), FUNCTION 2 siren_sortsupport(internal);
COMMENT ON OPERATOR CLASS siren_ops USING btree IS 'default btree operator class for siren';
COMMENT ON OPERATOR FAMILY siren_ops USING btree IS 'btree operator family for siren';
CREATE OPERATOR CLASS siren_ops DEFAULT FOR TYPE siren USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 siren_hash(siren), FUNCTION 2 siren_hash_extended(siren, bigint);
COMMENT ON OPERATOR CLASS siren_ops USING hash IS 'default hash operator class for siren';
COMMENT ON OPERATOR FAMILY siren_ops USING hash IS 'hash operator family for siren';

-- siret: SIRET: the 14-digit number of a French establishment, its SIREN and a 5-digit NIC

CREATE TYPE siret;

CREATE FUNCTION siret_in(cstring) RETURNS siret
	AS 'MODULE_PATHNAME', 'siret_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siret_out(siret) RETURNS cstring
	AS 'MODULE_PATHNAME', 'siret_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siret_recv(internal) RETURNS siret
	AS 'MODULE_PATHNAME', 'siret_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siret_send(siret) RETURNS bytea
	AS 'MODULE_PATHNAME', 'siret_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE siret (
	INPUT = siret_in, OUTPUT = siret_out,
	RECEIVE = siret_recv, SEND = siret_send,
	LIKE = pg_catalog.int8
);
COMMENT ON TYPE siret IS 'SIRET: the 14-digit number of a French establishment, its SIREN and a 5-digit NIC';
COMMENT ON FUNCTION siret_in(cstring) IS 'reads a siret as people type it';
COMMENT ON FUNCTION siret_out(siret) IS 'writes a siret in canonical form';
COMMENT ON FUNCTION siret_recv(internal) IS 'reads a siret in binary form, checked like text input';
COMMENT ON FUNCTION siret_send(siret) IS 'writes a siret in binary form';

CREATE FUNCTION is_valid_siret(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'is_valid_siret' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION is_valid_siret(text) IS 'whether the text is a valid siret; never raises';

CREATE FUNCTION siret_eq(siret, siret) RETURNS boolean
	AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siret_eq(siret, siret) IS 'implementation of = for siret';
CREATE FUNCTION siret_ne(siret, siret) RETURNS boolean
	AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siret_ne(siret, siret) IS 'implementation of <> for siret';
CREATE FUNCTION siret_lt(siret, siret) RETURNS boolean
	AS 'int8lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siret_lt(siret, siret) IS 'implementation of < for siret';
CREATE FUNCTION siret_le(siret, siret) RETURNS boolean
	AS 'int8le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siret_le(siret, siret) IS 'implementation of <= for siret';
CREATE FUNCTION siret_gt(siret, siret) RETURNS boolean
	AS 'int8gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siret_gt(siret, siret) IS 'implementation of > for siret';
CREATE FUNCTION siret_ge(siret, siret) RETURNS boolean
	AS 'int8ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siret_ge(siret, siret) IS 'implementation of >= for siret';
CREATE FUNCTION siret_cmp(siret, siret) RETURNS integer
	AS 'btint8cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siret_cmp(siret, siret) IS 'btree comparison of two siret values';
CREATE FUNCTION siret_hash(siret) RETURNS integer
	AS 'hashint8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siret_hash(siret) IS 'hash of a siret';
CREATE FUNCTION siret_hash_extended(siret, bigint) RETURNS bigint
	AS 'hashint8extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siret_hash_extended(siret, bigint) IS '64-bit seeded hash of a siret';

CREATE OPERATOR = (LEFTARG = siret, RIGHTARG = siret, FUNCTION = siret_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = siret, RIGHTARG = siret, FUNCTION = siret_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = siret, RIGHTARG = siret, FUNCTION = siret_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = siret, RIGHTARG = siret, FUNCTION = siret_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = siret, RIGHTARG = siret, FUNCTION = siret_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = siret, RIGHTARG = siret, FUNCTION = siret_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
COMMENT ON OPERATOR = (siret, siret) IS 'equal';
COMMENT ON OPERATOR <> (siret, siret) IS 'not equal';
COMMENT ON OPERATOR < (siret, siret) IS 'less than';
COMMENT ON OPERATOR <= (siret, siret) IS 'less than or equal';
COMMENT ON OPERATOR > (siret, siret) IS 'greater than';
COMMENT ON OPERATOR >= (siret, siret) IS 'greater than or equal';
CREATE FUNCTION siret_sortsupport(internal) RETURNS void
	AS 'btint8sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION siret_sortsupport(internal) IS 'sort support for siret';

CREATE OPERATOR CLASS siret_ops DEFAULT FOR TYPE siret USING btree AS
	OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
	FUNCTION 1 siret_cmp(siret, siret), FUNCTION 2 siret_sortsupport(internal);
COMMENT ON OPERATOR CLASS siret_ops USING btree IS 'default btree operator class for siret';
COMMENT ON OPERATOR FAMILY siret_ops USING btree IS 'btree operator family for siret';
CREATE OPERATOR CLASS siret_ops DEFAULT FOR TYPE siret USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 siret_hash(siret), FUNCTION 2 siret_hash_extended(siret, bigint);
COMMENT ON OPERATOR CLASS siret_ops USING hash IS 'default hash operator class for siret';
COMMENT ON OPERATOR FAMILY siret_ops USING hash IS 'hash operator family for siret';

-- iban: IBAN (ISO 13616): an international bank account number, mod-97 checked

CREATE TYPE iban;

CREATE FUNCTION iban_in(cstring) RETURNS iban
	AS 'MODULE_PATHNAME', 'iban_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION iban_out(iban) RETURNS cstring
	AS 'textout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION iban_recv(internal) RETURNS iban
	AS 'MODULE_PATHNAME', 'iban_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION iban_send(iban) RETURNS bytea
	AS 'textsend' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE iban (
	INPUT = iban_in, OUTPUT = iban_out,
	RECEIVE = iban_recv, SEND = iban_send,
	INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = main
);
COMMENT ON TYPE iban IS 'IBAN (ISO 13616): an international bank account number, mod-97 checked';
COMMENT ON FUNCTION iban_in(cstring) IS 'reads a iban as people type it';
COMMENT ON FUNCTION iban_out(iban) IS 'writes a iban in canonical form';
COMMENT ON FUNCTION iban_recv(internal) IS 'reads a iban in binary form, checked like text input';
COMMENT ON FUNCTION iban_send(iban) IS 'writes a iban in binary form';

CREATE FUNCTION is_valid_iban(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'is_valid_iban' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION is_valid_iban(text) IS 'whether the text is a valid iban; never raises';

CREATE FUNCTION iban_eq(iban, iban) RETURNS boolean
	AS 'byteaeq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION iban_eq(iban, iban) IS 'implementation of = for iban';
CREATE FUNCTION iban_ne(iban, iban) RETURNS boolean
	AS 'byteane' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION iban_ne(iban, iban) IS 'implementation of <> for iban';
CREATE FUNCTION iban_lt(iban, iban) RETURNS boolean
	AS 'bytealt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION iban_lt(iban, iban) IS 'implementation of < for iban';
CREATE FUNCTION iban_le(iban, iban) RETURNS boolean
	AS 'byteale' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION iban_le(iban, iban) IS 'implementation of <= for iban';
CREATE FUNCTION iban_gt(iban, iban) RETURNS boolean
	AS 'byteagt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION iban_gt(iban, iban) IS 'implementation of > for iban';
CREATE FUNCTION iban_ge(iban, iban) RETURNS boolean
	AS 'byteage' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION iban_ge(iban, iban) IS 'implementation of >= for iban';
CREATE FUNCTION iban_cmp(iban, iban) RETURNS integer
	AS 'byteacmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION iban_cmp(iban, iban) IS 'btree comparison of two iban values';
CREATE FUNCTION iban_hash(iban) RETURNS integer
	AS 'hashvarlena' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION iban_hash(iban) IS 'hash of a iban';
CREATE FUNCTION iban_hash_extended(iban, bigint) RETURNS bigint
	AS 'hashvarlenaextended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION iban_hash_extended(iban, bigint) IS '64-bit seeded hash of a iban';

CREATE OPERATOR = (LEFTARG = iban, RIGHTARG = iban, FUNCTION = iban_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = iban, RIGHTARG = iban, FUNCTION = iban_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = iban, RIGHTARG = iban, FUNCTION = iban_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = iban, RIGHTARG = iban, FUNCTION = iban_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = iban, RIGHTARG = iban, FUNCTION = iban_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = iban, RIGHTARG = iban, FUNCTION = iban_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
COMMENT ON OPERATOR = (iban, iban) IS 'equal';
COMMENT ON OPERATOR <> (iban, iban) IS 'not equal';
COMMENT ON OPERATOR < (iban, iban) IS 'less than';
COMMENT ON OPERATOR <= (iban, iban) IS 'less than or equal';
COMMENT ON OPERATOR > (iban, iban) IS 'greater than';
COMMENT ON OPERATOR >= (iban, iban) IS 'greater than or equal';

CREATE OPERATOR CLASS iban_ops DEFAULT FOR TYPE iban USING btree AS
	OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
	FUNCTION 1 iban_cmp(iban, iban);
COMMENT ON OPERATOR CLASS iban_ops USING btree IS 'default btree operator class for iban';
COMMENT ON OPERATOR FAMILY iban_ops USING btree IS 'btree operator family for iban';
CREATE OPERATOR CLASS iban_ops DEFAULT FOR TYPE iban USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 iban_hash(iban), FUNCTION 2 iban_hash_extended(iban, bigint);
COMMENT ON OPERATOR CLASS iban_ops USING hash IS 'default hash operator class for iban';
COMMENT ON OPERATOR FAMILY iban_ops USING hash IS 'hash operator family for iban';

-- bic: BIC (ISO 9362): a bank identifier code, 8 or 11 characters

CREATE TYPE bic;

CREATE FUNCTION bic_in(cstring) RETURNS bic
	AS 'MODULE_PATHNAME', 'bic_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bic_out(bic) RETURNS cstring
	AS 'MODULE_PATHNAME', 'bic_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bic_recv(internal) RETURNS bic
	AS 'MODULE_PATHNAME', 'bic_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bic_send(bic) RETURNS bytea
	AS 'MODULE_PATHNAME', 'bic_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE bic (
	INPUT = bic_in, OUTPUT = bic_out,
	RECEIVE = bic_recv, SEND = bic_send,
	LIKE = pg_catalog.int8
);
COMMENT ON TYPE bic IS 'BIC (ISO 9362): a bank identifier code, 8 or 11 characters';
COMMENT ON FUNCTION bic_in(cstring) IS 'reads a bic as people type it';
COMMENT ON FUNCTION bic_out(bic) IS 'writes a bic in canonical form';
COMMENT ON FUNCTION bic_recv(internal) IS 'reads a bic in binary form, checked like text input';
COMMENT ON FUNCTION bic_send(bic) IS 'writes a bic in binary form';

CREATE FUNCTION is_valid_bic(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'is_valid_bic' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION is_valid_bic(text) IS 'whether the text is a valid bic; never raises';

CREATE FUNCTION bic_eq(bic, bic) RETURNS boolean
	AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION bic_eq(bic, bic) IS 'implementation of = for bic';
CREATE FUNCTION bic_ne(bic, bic) RETURNS boolean
	AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION bic_ne(bic, bic) IS 'implementation of <> for bic';
CREATE FUNCTION bic_lt(bic, bic) RETURNS boolean
	AS 'int8lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION bic_lt(bic, bic) IS 'implementation of < for bic';
CREATE FUNCTION bic_le(bic, bic) RETURNS boolean
	AS 'int8le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION bic_le(bic, bic) IS 'implementation of <= for bic';
CREATE FUNCTION bic_gt(bic, bic) RETURNS boolean
	AS 'int8gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION bic_gt(bic, bic) IS 'implementation of > for bic';
CREATE FUNCTION bic_ge(bic, bic) RETURNS boolean
	AS 'int8ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION bic_ge(bic, bic) IS 'implementation of >= for bic';
CREATE FUNCTION bic_cmp(bic, bic) RETURNS integer
	AS 'btint8cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION bic_cmp(bic, bic) IS 'btree comparison of two bic values';
CREATE FUNCTION bic_hash(bic) RETURNS integer
	AS 'hashint8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION bic_hash(bic) IS 'hash of a bic';
CREATE FUNCTION bic_hash_extended(bic, bigint) RETURNS bigint
	AS 'hashint8extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION bic_hash_extended(bic, bigint) IS '64-bit seeded hash of a bic';

CREATE OPERATOR = (LEFTARG = bic, RIGHTARG = bic, FUNCTION = bic_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = bic, RIGHTARG = bic, FUNCTION = bic_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = bic, RIGHTARG = bic, FUNCTION = bic_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = bic, RIGHTARG = bic, FUNCTION = bic_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = bic, RIGHTARG = bic, FUNCTION = bic_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = bic, RIGHTARG = bic, FUNCTION = bic_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
COMMENT ON OPERATOR = (bic, bic) IS 'equal';
COMMENT ON OPERATOR <> (bic, bic) IS 'not equal';
COMMENT ON OPERATOR < (bic, bic) IS 'less than';
COMMENT ON OPERATOR <= (bic, bic) IS 'less than or equal';
COMMENT ON OPERATOR > (bic, bic) IS 'greater than';
COMMENT ON OPERATOR >= (bic, bic) IS 'greater than or equal';
CREATE FUNCTION bic_sortsupport(internal) RETURNS void
	AS 'btint8sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bic_sortsupport(internal) IS 'sort support for bic';

CREATE OPERATOR CLASS bic_ops DEFAULT FOR TYPE bic USING btree AS
	OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
	FUNCTION 1 bic_cmp(bic, bic), FUNCTION 2 bic_sortsupport(internal);
COMMENT ON OPERATOR CLASS bic_ops USING btree IS 'default btree operator class for bic';
COMMENT ON OPERATOR FAMILY bic_ops USING btree IS 'btree operator family for bic';
CREATE OPERATOR CLASS bic_ops DEFAULT FOR TYPE bic USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 bic_hash(bic), FUNCTION 2 bic_hash_extended(bic, bigint);
COMMENT ON OPERATOR CLASS bic_ops USING hash IS 'default hash operator class for bic';
COMMENT ON OPERATOR FAMILY bic_ops USING hash IS 'hash operator family for bic';

-- vat_id: EU VAT identification number: a country prefix and the national number

CREATE TYPE vat_id;

CREATE FUNCTION vat_id_in(cstring) RETURNS vat_id
	AS 'MODULE_PATHNAME', 'vat_id_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vat_id_out(vat_id) RETURNS cstring
	AS 'textout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vat_id_recv(internal) RETURNS vat_id
	AS 'MODULE_PATHNAME', 'vat_id_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vat_id_send(vat_id) RETURNS bytea
	AS 'textsend' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE vat_id (
	INPUT = vat_id_in, OUTPUT = vat_id_out,
	RECEIVE = vat_id_recv, SEND = vat_id_send,
	INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = main
);
COMMENT ON TYPE vat_id IS 'EU VAT identification number: a country prefix and the national number';
COMMENT ON FUNCTION vat_id_in(cstring) IS 'reads a vat_id as people type it';
COMMENT ON FUNCTION vat_id_out(vat_id) IS 'writes a vat_id in canonical form';
COMMENT ON FUNCTION vat_id_recv(internal) IS 'reads a vat_id in binary form, checked like text input';
COMMENT ON FUNCTION vat_id_send(vat_id) IS 'writes a vat_id in binary form';

CREATE FUNCTION is_valid_vat_id(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'is_valid_vat_id' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION is_valid_vat_id(text) IS 'whether the text is a valid vat_id; never raises';

CREATE FUNCTION vat_id_eq(vat_id, vat_id) RETURNS boolean
	AS 'byteaeq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION vat_id_eq(vat_id, vat_id) IS 'implementation of = for vat_id';
CREATE FUNCTION vat_id_ne(vat_id, vat_id) RETURNS boolean
	AS 'byteane' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION vat_id_ne(vat_id, vat_id) IS 'implementation of <> for vat_id';
CREATE FUNCTION vat_id_lt(vat_id, vat_id) RETURNS boolean
	AS 'bytealt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION vat_id_lt(vat_id, vat_id) IS 'implementation of < for vat_id';
CREATE FUNCTION vat_id_le(vat_id, vat_id) RETURNS boolean
	AS 'byteale' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION vat_id_le(vat_id, vat_id) IS 'implementation of <= for vat_id';
CREATE FUNCTION vat_id_gt(vat_id, vat_id) RETURNS boolean
	AS 'byteagt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION vat_id_gt(vat_id, vat_id) IS 'implementation of > for vat_id';
CREATE FUNCTION vat_id_ge(vat_id, vat_id) RETURNS boolean
	AS 'byteage' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION vat_id_ge(vat_id, vat_id) IS 'implementation of >= for vat_id';
CREATE FUNCTION vat_id_cmp(vat_id, vat_id) RETURNS integer
	AS 'byteacmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION vat_id_cmp(vat_id, vat_id) IS 'btree comparison of two vat_id values';
CREATE FUNCTION vat_id_hash(vat_id) RETURNS integer
	AS 'hashvarlena' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION vat_id_hash(vat_id) IS 'hash of a vat_id';
CREATE FUNCTION vat_id_hash_extended(vat_id, bigint) RETURNS bigint
	AS 'hashvarlenaextended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION vat_id_hash_extended(vat_id, bigint) IS '64-bit seeded hash of a vat_id';

CREATE OPERATOR = (LEFTARG = vat_id, RIGHTARG = vat_id, FUNCTION = vat_id_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = vat_id, RIGHTARG = vat_id, FUNCTION = vat_id_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = vat_id, RIGHTARG = vat_id, FUNCTION = vat_id_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = vat_id, RIGHTARG = vat_id, FUNCTION = vat_id_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = vat_id, RIGHTARG = vat_id, FUNCTION = vat_id_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = vat_id, RIGHTARG = vat_id, FUNCTION = vat_id_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
COMMENT ON OPERATOR = (vat_id, vat_id) IS 'equal';
COMMENT ON OPERATOR <> (vat_id, vat_id) IS 'not equal';
COMMENT ON OPERATOR < (vat_id, vat_id) IS 'less than';
COMMENT ON OPERATOR <= (vat_id, vat_id) IS 'less than or equal';
COMMENT ON OPERATOR > (vat_id, vat_id) IS 'greater than';
COMMENT ON OPERATOR >= (vat_id, vat_id) IS 'greater than or equal';

CREATE OPERATOR CLASS vat_id_ops DEFAULT FOR TYPE vat_id USING btree AS
	OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
	FUNCTION 1 vat_id_cmp(vat_id, vat_id);
COMMENT ON OPERATOR CLASS vat_id_ops USING btree IS 'default btree operator class for vat_id';
COMMENT ON OPERATOR FAMILY vat_id_ops USING btree IS 'btree operator family for vat_id';
CREATE OPERATOR CLASS vat_id_ops DEFAULT FOR TYPE vat_id USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 vat_id_hash(vat_id), FUNCTION 2 vat_id_hash_extended(vat_id, bigint);
COMMENT ON OPERATOR CLASS vat_id_ops USING hash IS 'default hash operator class for vat_id';
COMMENT ON OPERATOR FAMILY vat_id_ops USING hash IS 'hash operator family for vat_id';

-- What the identifier types offer beyond reading, writing and comparing.

CREATE FUNCTION siret_to_siren(siret) RETURNS siren
	AS 'MODULE_PATHNAME', 'siret_to_siren' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION siret_to_siren(siret) IS 'the SIREN of the company an establishment belongs to';
CREATE CAST (siret AS siren) WITH FUNCTION siret_to_siren(siret);
COMMENT ON CAST (siret AS siren) IS 'the SIREN of the company an establishment belongs to';

CREATE FUNCTION iban_country(iban) RETURNS text
	AS 'MODULE_PATHNAME', 'ident_country' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION iban_country(iban) IS 'the ISO 3166 country code of an IBAN';

CREATE FUNCTION iban_print(iban) RETURNS text
	AS 'MODULE_PATHNAME', 'iban_print' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION iban_print(iban) IS 'an IBAN in print format: groups of four characters';

CREATE FUNCTION vat_id_country(vat_id) RETURNS text
	AS 'MODULE_PATHNAME', 'ident_country' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vat_id_country(vat_id) IS 'the country prefix of a VAT number (EL for Greece, XI for Northern Ireland)';

CREATE FUNCTION vat_id_from_siren(siren) RETURNS vat_id
	AS 'MODULE_PATHNAME', 'vat_id_from_siren' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vat_id_from_siren(siren) IS 'the French VAT number of a company: FR, its key, its SIREN';
-- Roles.  They belong to the cluster, not to the extension: created once,
-- kept across DROP EXTENSION, shared by every database using bizinvoice.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bizinvoice_reader') THEN
		CREATE ROLE bizinvoice_reader NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bizinvoice_user') THEN
		CREATE ROLE bizinvoice_user NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bizinvoice_admin') THEN
		CREATE ROLE bizinvoice_admin NOLOGIN;
	END IF;
END
$$;
COMMENT ON ROLE bizinvoice_reader IS 'bizinvoice: reads the reporting views, for the parties it acts for';
COMMENT ON ROLE bizinvoice_user IS 'bizinvoice: acts for its parties (create, submit, move invoices)';
COMMENT ON ROLE bizinvoice_admin IS 'bizinvoice: registers parties and members; sees every party';
-- Parties: companies and public structures, their services and members.

CREATE TABLE party (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('company', 'public_structure')),
	name text NOT NULL CHECK (btrim(name) <> ''),
	siren siren,
	siret siret UNIQUE,
	vat_id vat_id,
	address_line1 text,
	address_line2 text,
	postal_code text,
	city text,
	country_code text NOT NULL DEFAULT 'FR' CHECK (country_code ~ '^[A-Z]{2}$'),
	email text CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
	-- public structures
	chorus_structure_id bigint UNIQUE,
	delivery text CHECK (delivery IN ('chorus', 'direct')),
	requires_service_code boolean NOT NULL DEFAULT false,
	requires_engagement boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (siret IS NULL OR siren IS NULL OR siret::siren = siren),
	CHECK (kind = 'public_structure' OR (chorus_structure_id IS NULL AND delivery IS NULL
										AND NOT requires_service_code AND NOT requires_engagement)),
	CHECK (kind = 'company' OR (siret IS NOT NULL AND delivery IS NOT NULL))
);
COMMENT ON TABLE party IS 'companies and public structures that issue or receive invoices';
COMMENT ON COLUMN party.kind IS 'company (B2B buyer) or public_structure (B2G buyer)';
COMMENT ON COLUMN party.delivery IS 'public structures: chorus (statuses come from Chorus Pro) or direct (its users move invoices on the platform)';
COMMENT ON COLUMN party.requires_service_code IS 'invoices to this structure must carry a service code (BT-10)';
COMMENT ON COLUMN party.requires_engagement IS 'invoices to this structure must carry a legal commitment number (BT-13)';

CREATE TABLE public_service (
	party_id bigint NOT NULL REFERENCES party ON DELETE CASCADE,
	code text NOT NULL CHECK (btrim(code) <> ''),
	name text NOT NULL,
	active boolean NOT NULL DEFAULT true,
	PRIMARY KEY (party_id, code)
);
COMMENT ON TABLE public_service IS 'the services of a public structure, whose codes invoices carry in BT-10';

CREATE TABLE party_member (
	party_id bigint NOT NULL REFERENCES party ON DELETE CASCADE,
	member regrole NOT NULL,
	accountant boolean NOT NULL DEFAULT false,
	PRIMARY KEY (party_id, member)
);
COMMENT ON TABLE party_member IS 'which database roles may act for a party (accountant: as its public accountant)';

CREATE FUNCTION register_party(doc jsonb) RETURNS bigint
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	known CONSTANT text[] := ARRAY['kind', 'name', 'siren', 'siret', 'vat_id', 'address_line1',
		'address_line2', 'postal_code', 'city', 'country_code', 'email', 'chorus_structure_id',
		'delivery', 'requires_service_code', 'requires_engagement', 'services', 'members'];
	k text;
	new_id bigint;
	kind text := coalesce(doc->>'kind', 'company');
	service jsonb;
	member jsonb;
BEGIN
	IF jsonb_typeof(doc) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'invalid party document'
			USING ERRCODE = '22023', DETAIL = 'The document must be a JSON object.';
	END IF;
	FOR k IN SELECT jsonb_object_keys(doc) LOOP
		IF NOT k = ANY (known) THEN
			RAISE EXCEPTION 'invalid party document'
				USING ERRCODE = '22023', DETAIL = format('Unknown key "%s".', k),
					  HINT = 'Known keys: ' || array_to_string(known, ', ') || '.';
		END IF;
	END LOOP;
	IF NOT pg_has_role('bizinvoice_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to register a party'
			USING ERRCODE = '42501', DETAIL = 'Only members of bizinvoice_admin register parties.';
	END IF;
	IF coalesce(btrim(doc->>'name'), '') = '' THEN
		RAISE EXCEPTION 'invalid party document'
			USING ERRCODE = '22023', DETAIL = 'The party''s name ("name") is missing.';
	END IF;
	IF kind NOT IN ('company', 'public_structure') THEN
		RAISE EXCEPTION 'invalid party document'
			USING ERRCODE = '22023',
				  DETAIL = format('"kind" is company or public_structure, not "%s".', kind);
	END IF;
	IF kind = 'public_structure' AND doc->>'siret' IS NULL THEN
		RAISE EXCEPTION 'invalid party document'
			USING ERRCODE = '22023', DETAIL = 'A public structure needs its SIRET ("siret").';
	END IF;

	INSERT INTO party (kind, name, siren, siret, vat_id, address_line1, address_line2, postal_code,
					   city, country_code, email, chorus_structure_id, delivery,
					   requires_service_code, requires_engagement)
	VALUES (kind, doc->>'name',
			coalesce((doc->>'siren')::siren, ((doc->>'siret')::siret)::siren),
			(doc->>'siret')::siret,
			coalesce((doc->>'vat_id')::vat_id,
					 CASE WHEN coalesce(doc->>'country_code', 'FR') = 'FR'
							   AND coalesce(doc->>'siren', doc->>'siret') IS NOT NULL
						  THEN vat_id_from_siren(coalesce((doc->>'siren')::siren,
														  ((doc->>'siret')::siret)::siren)) END),
			doc->>'address_line1', doc->>'address_line2', doc->>'postal_code', doc->>'city',
			coalesce(doc->>'country_code', 'FR'), doc->>'email',
			(doc->>'chorus_structure_id')::bigint,
			CASE WHEN kind = 'public_structure' THEN coalesce(doc->>'delivery', 'chorus') END,
			coalesce((doc->>'requires_service_code')::boolean, false),
			coalesce((doc->>'requires_engagement')::boolean, false))
	RETURNING id INTO new_id;

	FOR service IN SELECT * FROM jsonb_array_elements(coalesce(doc->'services', '[]')) LOOP
		INSERT INTO public_service (party_id, code, name, active)
		VALUES (new_id, service->>'code', coalesce(service->>'name', service->>'code'),
				coalesce((service->>'active')::boolean, true));
	END LOOP;
	FOR member IN SELECT * FROM jsonb_array_elements(coalesce(doc->'members', '[]')) LOOP
		INSERT INTO party_member (party_id, member, accountant)
		VALUES (new_id,
				CASE jsonb_typeof(member) WHEN 'string' THEN member #>> '{}'
					 ELSE member->>'role' END::regrole,
				coalesce((member->>'accountant')::boolean, false));
	END LOOP;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION register_party(jsonb) IS 'registers a company or public structure from a JSON document; returns its id (bizinvoice_admin only)';
-- The status enums: labels in the order of src/status/catalog.c.

CREATE TYPE b2b_status AS ENUM (
	'deposited', 'issued', 'received', 'made_available', 'in_hand', 'approved',
	'partially_approved', 'disputed', 'suspended', 'completed', 'refused', 'payment_sent',
	'cashed', 'rejected', 'reviewed', 'cancelled', 'routing_error', 'direct_payment_requested',
	'factored', 'factored_confidential', 'payee_changed', 'not_factored', 'draft',
	'payment_scheduled', 'partially_paid', 'overdue', 'reminded', 'netted', 'credited',
	'archived');
COMMENT ON TYPE b2b_status IS 'the 30 B2B invoice statuses: the reform''s life cycle (200-228) and the platform''s own';

CREATE TYPE b2g_status AS ENUM (
	'DEPOSEE', 'MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE',
	'COMPTABILISEE', 'MISE_EN_PAIEMENT', 'A_RECYCLER', 'SUSPENDUE', 'REJETEE');
COMMENT ON TYPE b2g_status IS 'the 10 Chorus Pro invoice statuses followed for B2G invoices';
-- Invoices after the EN 16931 semantic model (business terms in comments).

CREATE TABLE invoice (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	supplier_id bigint NOT NULL REFERENCES party,
	buyer_id bigint NOT NULL REFERENCES party,
	payee_id bigint REFERENCES party,
	channel text NOT NULL,
	delivery text NOT NULL,
	number text NOT NULL,								-- BT-1
	issue_date date NOT NULL,							-- BT-2
	type_code smallint NOT NULL DEFAULT 380,			-- BT-3
	currency text NOT NULL DEFAULT 'EUR',				-- BT-5
	due_date date,										-- BT-9
	buyer_reference text,								-- BT-10: service code for B2G
	purchase_order text,								-- BT-13: engagement for B2G
	contract_reference text,							-- BT-12
	preceding_number text,								-- BG-3: BT-25
	preceding_issue_date date,							-- BG-3: BT-26
	payment_means_code text NOT NULL DEFAULT '58',		-- BT-81
	payment_iban iban,									-- BT-84
	payment_bic bic,									-- BT-86
	payment_terms text,									-- BT-20
	-- BG-22, computed by submit()
	line_total numeric(19, 2),							-- BT-106
	allowance_total numeric(19, 2),						-- BT-107
	charge_total numeric(19, 2),						-- BT-108
	tax_exclusive_total numeric(19, 2),					-- BT-109
	vat_total numeric(19, 2),							-- BT-110
	tax_inclusive_total numeric(19, 2),					-- BT-112
	prepaid_amount numeric(19, 2) NOT NULL DEFAULT 0,	-- BT-113
	rounding_amount numeric(19, 2) NOT NULL DEFAULT 0,	-- BT-114
	payable_amount numeric(19, 2),						-- BT-115
	-- totals the supplier stated, checked by submit()
	stated_totals jsonb,
	b2b_status b2b_status,
	b2g_status b2g_status,
	-- the last move, written by the status guard
	status_reason text,
	status_amount numeric(19, 2),
	status_raw_code text,
	status_actor text,
	status_party bigint,
	status_changed_at timestamptz,
	status_seq integer NOT NULL DEFAULT 0,
	submitted_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
-- The row's invariants (channel, delivery and statuses agreeing, number,
-- type code, currency, supplier not buyer, a credit note's preceding invoice)
-- are checked by the status guard trigger, in C: as CHECK constraints they
-- were parsed again by every status move.
COMMENT ON TABLE invoice IS 'invoices (EN 16931 semantic model); checked by the status guard, frozen once submitted';
COMMENT ON COLUMN invoice.channel IS 'B2B (buyer is a company) or B2G (buyer is a public structure)';
COMMENT ON COLUMN invoice.delivery IS 'platform (B2B), chorus (B2G through Chorus Pro) or direct (B2G on the platform)';
COMMENT ON COLUMN invoice.stated_totals IS 'the totals the supplier gave, checked against the computed ones at submit';
COMMENT ON COLUMN invoice.status_seq IS 'how many status moves the invoice has made';
COMMENT ON COLUMN invoice.status_actor IS 'who made the last status move: supplier, buyer, accountant, platform or chorus';
-- Only submitted_at in the predicate: status moves touch no indexed column
-- and stay HOT updates.  A submitted number stays taken, whatever follows.
CREATE UNIQUE INDEX invoice_number_unique ON invoice (supplier_id, number, (extract(year FROM issue_date)))
	WHERE submitted_at IS NOT NULL;
COMMENT ON INDEX invoice_number_unique IS 'one submitted invoice per supplier, number and year of issue (else DOUBLON), whatever its status';
CREATE INDEX invoice_buyer ON invoice (buyer_id);
CREATE INDEX invoice_supplier ON invoice (supplier_id);

CREATE TABLE invoice_line (
	invoice_id bigint NOT NULL REFERENCES invoice ON DELETE CASCADE,
	line_no integer NOT NULL CHECK (line_no > 0),
	line_id text NOT NULL,								-- BT-126
	item_name text NOT NULL CHECK (btrim(item_name) <> ''),	-- BT-153
	description text,									-- BT-154
	quantity numeric NOT NULL,							-- BT-129
	unit_code text NOT NULL DEFAULT 'C62',				-- BT-130
	net_price numeric NOT NULL CHECK (net_price >= 0),	-- BT-146
	base_quantity numeric NOT NULL DEFAULT 1 CHECK (base_quantity > 0),	-- BT-149
	allowance_amount numeric(19, 2) NOT NULL DEFAULT 0 CHECK (allowance_amount >= 0),	-- BT-136
	charge_amount numeric(19, 2) NOT NULL DEFAULT 0 CHECK (charge_amount >= 0),	-- BT-141
	vat_category text NOT NULL CHECK (vat_category IN ('S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M')),	-- BT-151
	vat_rate numeric(5, 2) CHECK (vat_rate >= 0),		-- BT-152
	stated_net_amount numeric(19, 2),					-- BT-131 as stated
	-- BT-131: halves away from zero, as numeric's round() does
	net_amount numeric(19, 2) GENERATED ALWAYS AS
		(round(quantity * net_price / base_quantity, 2) - allowance_amount + charge_amount) STORED,
	PRIMARY KEY (invoice_id, line_no)
);
COMMENT ON TABLE invoice_line IS 'invoice lines (BG-25)';

CREATE TABLE invoice_allowance_charge (
	invoice_id bigint NOT NULL REFERENCES invoice ON DELETE CASCADE,
	seq integer NOT NULL,
	is_charge boolean NOT NULL,
	amount numeric(19, 2) NOT NULL CHECK (amount >= 0),	-- BT-92 / BT-99
	vat_category text NOT NULL CHECK (vat_category IN ('S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M')),
	vat_rate numeric(5, 2) CHECK (vat_rate >= 0),
	reason text,										-- BT-97 / BT-104
	reason_code text,									-- BT-98 / BT-105
	PRIMARY KEY (invoice_id, seq)
);
COMMENT ON TABLE invoice_allowance_charge IS 'document-level allowances (BG-20) and charges (BG-21)';

CREATE TABLE invoice_vat_breakdown (
	invoice_id bigint NOT NULL REFERENCES invoice ON DELETE CASCADE,
	vat_category text NOT NULL,							-- BT-118
	vat_rate numeric(5, 2) NOT NULL,					-- BT-119
	taxable_amount numeric(19, 2) NOT NULL,				-- BT-116
	tax_amount numeric(19, 2) NOT NULL,					-- BT-117
	exemption_reason text,								-- BT-120
	PRIMARY KEY (invoice_id, vat_category, vat_rate)
);
COMMENT ON TABLE invoice_vat_breakdown IS 'VAT breakdown (BG-23), computed by submit()';

CREATE TABLE invoice_note (
	invoice_id bigint NOT NULL REFERENCES invoice ON DELETE CASCADE,
	seq integer NOT NULL,
	subject_code text,									-- BT-21
	content text NOT NULL,								-- BT-22
	PRIMARY KEY (invoice_id, seq)
);
COMMENT ON TABLE invoice_note IS 'invoice notes (BG-1): French mandatory mentions travel here (PMT, PMD, AAB)';

CREATE TABLE invoice_attachment (
	invoice_id bigint NOT NULL REFERENCES invoice ON DELETE CASCADE,
	seq integer NOT NULL,
	filename text NOT NULL,								-- BT-125 filename
	mime_type text NOT NULL,							-- BT-125 mime code
	description text,									-- BT-123
	content bytea NOT NULL,
	sha256 bytea GENERATED ALWAYS AS (sha256(content)) STORED,
	PRIMARY KEY (invoice_id, seq)
);
COMMENT ON TABLE invoice_attachment IS 'supporting documents (BG-24), with their SHA-256';

-- Once submitted, an invoice's content is frozen: only its status moves.
CREATE FUNCTION invoice_freeze() RETURNS trigger
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	IF OLD.submitted_at IS NOT NULL OR
	   EXISTS (SELECT FROM status_history WHERE invoice_id = OLD.id) THEN
		RAISE EXCEPTION 'invoice % cannot be deleted', OLD.id
			USING ERRCODE = '55000',
				  DETAIL = 'A submitted invoice, or one with a status history, is kept.',
				  HINT = 'Move a draft to cancelled; correct a submitted invoice with a credit note.';
	END IF;
	RETURN OLD;
END
$$;
COMMENT ON FUNCTION invoice_freeze() IS 'trigger: refuses deleting an invoice that was submitted or has a status history (UPDATEs are frozen by the status guard)';
CREATE TRIGGER invoice_freeze BEFORE DELETE ON invoice
	FOR EACH ROW EXECUTE FUNCTION invoice_freeze();

-- The parts of a submitted invoice are frozen: checked once per statement,
-- over the rows it wrote (transition tables).
CREATE FUNCTION invoice_parts_freeze() RETURNS trigger
	AS 'MODULE_PATHNAME', 'invoice_parts_freeze' LANGUAGE C;
COMMENT ON FUNCTION invoice_parts_freeze() IS 'trigger: refuses writing the lines and other parts of a submitted invoice';
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['invoice_line', 'invoice_allowance_charge', 'invoice_vat_breakdown',
							 'invoice_note', 'invoice_attachment']
	LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
						FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_freeze()', t || '_freeze_insert', t);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
						FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_freeze()', t || '_freeze_update', t);
		EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
						FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_freeze()', t || '_freeze_delete', t);
	END LOOP;
END
$$;
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
-- The invoice API: create a draft from JSON, submit it, move it.

-- Refuses keys of obj that are not in known; where says where obj is.
CREATE FUNCTION json_check_keys(obj jsonb, known text[], what text, where_ text) RETURNS void
	AS 'MODULE_PATHNAME', 'json_check_keys' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_check_keys(jsonb, text[], text, text) IS 'internal: refuses unknown keys in a JSON document, naming where';

-- A JSON number, or a string holding one, as numeric; where names it in errors.
CREATE FUNCTION json_numeric(v jsonb, where_ text) RETURNS numeric
	AS 'MODULE_PATHNAME', 'json_numeric' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_numeric(jsonb, text) IS 'internal: a JSON number (or numeric string) as exact numeric, with a clear error';

CREATE FUNCTION json_date(v jsonb, where_ text) RETURNS date
	AS 'MODULE_PATHNAME', 'json_date' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_date(jsonb, text) IS 'internal: a JSON "YYYY-MM-DD" string as date, with a clear error';

-- The lines, allowances and charges: objects of known keys; then their
-- numbers (present where needed, decimal, not negative), item names and base
-- quantities, refusing the first fault in document order.
CREATE FUNCTION json_check_part_keys(doc jsonb, line_keys text[], part_keys text[]) RETURNS void
	AS 'MODULE_PATHNAME', 'json_check_part_keys' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_check_part_keys(jsonb, text[], text[]) IS 'internal: refuses lines, allowances and charges of an invoice document that are not objects of known keys';
CREATE FUNCTION json_check_part_values(doc jsonb) RETURNS void
	AS 'MODULE_PATHNAME', 'json_check_part_values' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_check_part_values(jsonb) IS 'internal: refuses missing, non-decimal or negative numbers, missing item names and zero base quantities in the lines, allowances and charges of an invoice document';

-- A party named by id, or by {"siret"}, {"siren"} or {"vat_id"}.
CREATE FUNCTION resolve_party(ref jsonb, where_ text) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE
	found bigint;
	n integer;
BEGIN
	IF ref IS NULL OR jsonb_typeof(ref) = 'null' THEN
		RETURN NULL;
	ELSIF jsonb_typeof(ref) = 'number' THEN
		SELECT id INTO found FROM party WHERE id = ref::bigint;
	ELSE
		PERFORM json_check_keys(ref, ARRAY['siret', 'siren', 'vat_id'], 'invoice', where_);
		SELECT min(id), count(*) INTO found, n FROM party
		WHERE (ref ? 'siret' AND siret = (ref->>'siret')::siret)
		   OR (ref ? 'siren' AND NOT ref ? 'siret' AND siren = (ref->>'siren')::siren)
		   OR (ref ? 'vat_id' AND NOT ref ? 'siret' AND NOT ref ? 'siren'
			   AND vat_id = (ref->>'vat_id')::vat_id);
		IF n > 1 THEN
			RAISE EXCEPTION 'invalid invoice document'
				USING ERRCODE = '22023',
					  DETAIL = format('%s %s names %s registered parties; give a SIRET.', where_, ref, n);
		END IF;
	END IF;
	IF found IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = format('%s %s is not a registered party.', where_, ref),
				  HINT = 'Register it first with bizinvoice.register_party().';
	END IF;
	RETURN found;
END
$$;
COMMENT ON FUNCTION resolve_party(jsonb, text) IS 'internal: the party an invoice document names, by id, SIRET, SIREN or VAT id';

-- The acting party, which must exist.
CREATE FUNCTION require_party() RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE
	p bigint := current_party();
BEGIN
	IF p IS NULL THEN
		RAISE EXCEPTION 'no party is acting'
			USING ERRCODE = '42501', HINT = 'Call bizinvoice.act_as(party) first.';
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION require_party() IS 'internal: the acting party, or an error when none acts';

CREATE FUNCTION create_invoice(doc jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	top_keys CONSTANT text[] := ARRAY['number', 'issue_date', 'type_code', 'currency', 'due_date',
		'buyer', 'payee', 'buyer_reference', 'purchase_order', 'contract_reference',
		'preceding_invoice', 'payment', 'notes', 'lines', 'allowances', 'charges', 'totals',
		'prepaid_amount', 'rounding_amount', 'attachments', 'invoicing_period', 'delivery'];
	line_keys CONSTANT text[] := ARRAY['id', 'item_name', 'description', 'quantity', 'unit_code',
		'net_price', 'base_quantity', 'allowance_amount', 'charge_amount', 'vat_category',
		'vat_rate', 'net_amount'];
	ac_keys CONSTANT text[] := ARRAY['amount', 'vat_category', 'vat_rate', 'reason', 'reason_code'];
	total_keys CONSTANT text[] := ARRAY['line_total', 'allowance_total', 'charge_total',
		'tax_exclusive_total', 'vat_total', 'tax_inclusive_total', 'payable_amount'];
	supplier bigint := require_party();
	buyer bigint;
	buyer_row party;
	new_id bigint;
BEGIN
	PERFORM json_check_keys(doc, top_keys, 'invoice', 'the invoice');
	IF coalesce(btrim(doc->>'number'), '') = '' THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The invoice number ("number", BT-1) is missing.';
	END IF;
	IF doc->'issue_date' IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The issue date ("issue_date", BT-2) is missing.';
	END IF;
	IF doc->'buyer' IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The buyer ("buyer") is missing.';
	END IF;
	IF jsonb_typeof(doc->'lines') IS DISTINCT FROM 'array' OR jsonb_array_length(doc->'lines') = 0 THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'An invoice has at least one line ("lines", BG-25).';
	END IF;
	PERFORM json_check_keys(doc->'payment', ARRAY['means_code', 'iban', 'bic', 'terms'],
							'invoice', 'payment');
	PERFORM json_check_keys(doc->'preceding_invoice', ARRAY['number', 'issue_date'],
							'invoice', 'preceding_invoice');
	PERFORM json_check_keys(doc->'totals', total_keys, 'invoice', 'totals');
	PERFORM json_check_keys(doc->'invoicing_period', ARRAY['start_date', 'end_date'],
							'invoice', 'invoicing_period');
	PERFORM json_check_keys(doc->'delivery', ARRAY['date', 'name', 'country'], 'invoice', 'delivery');
	IF json_date(doc #> '{invoicing_period,end_date}', 'invoicing_period.end_date')
	   < json_date(doc #> '{invoicing_period,start_date}', 'invoicing_period.start_date') THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = format('The invoicing period ends (%s) before it starts (%s) (BR-29).',
								  doc #>> '{invoicing_period,end_date}', doc #>> '{invoicing_period,start_date}');
	END IF;
	IF doc #>> '{delivery,country}' !~ '^[A-Za-z]{2}$' THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = format('delivery.country (BT-80) must be an ISO 3166-1 alpha-2 code, not "%s".',
								  doc #>> '{delivery,country}');
	END IF;
	PERFORM json_check_part_keys(doc, line_keys, ac_keys);

	IF coalesce(json_numeric(doc->'type_code', 'type_code'), 380) NOT IN (380, 381, 384, 389) THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = format('type_code (BT-3) %s is none of 380 (invoice), 381 (credit note), 384 (corrective), 389 (self-billed).',
								  doc->'type_code');
	END IF;
	IF doc->>'type_code' = '381' AND doc #>> '{preceding_invoice,number}' IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = 'A credit note names the invoice it corrects ("preceding_invoice": {"number", "issue_date"}, BG-3).';
	END IF;
	PERFORM json_check_part_values(doc);

	buyer := resolve_party(doc->'buyer', 'buyer');
	SELECT * INTO buyer_row FROM party WHERE id = buyer;
	IF buyer = supplier THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The buyer is the supplier itself.';
	END IF;

	INSERT INTO invoice (supplier_id, buyer_id, payee_id, channel, delivery, number, issue_date,
						 type_code, currency, due_date, buyer_reference, purchase_order,
						 contract_reference, preceding_number, preceding_issue_date,
						 payment_means_code, payment_iban, payment_bic, payment_terms,
						 prepaid_amount, rounding_amount, stated_totals, b2b_status,
						 period_start, period_end, delivery_date, deliver_to_name, deliver_to_country)
	VALUES (supplier, buyer, resolve_party(doc->'payee', 'payee'),
			CASE buyer_row.kind WHEN 'company' THEN 'B2B' ELSE 'B2G' END,
			coalesce(buyer_row.delivery, 'platform'),
			btrim(doc->>'number'), json_date(doc->'issue_date', 'issue_date'),
			coalesce(json_numeric(doc->'type_code', 'type_code'), 380),
			coalesce(upper(doc->>'currency'), 'EUR'),
			json_date(doc->'due_date', 'due_date'),
			doc->>'buyer_reference', doc->>'purchase_order', doc->>'contract_reference',
			doc #>> '{preceding_invoice,number}',
			json_date(doc #> '{preceding_invoice,issue_date}', 'preceding_invoice.issue_date'),
			coalesce(doc #>> '{payment,means_code}', '58'),
			(doc #>> '{payment,iban}')::iban, (doc #>> '{payment,bic}')::bic,
			doc #>> '{payment,terms}',
			coalesce(json_numeric(doc->'prepaid_amount', 'prepaid_amount'), 0),
			coalesce(json_numeric(doc->'rounding_amount', 'rounding_amount'), 0),
			doc->'totals',
			CASE buyer_row.kind WHEN 'company' THEN 'draft'::b2b_status END,
			json_date(doc #> '{invoicing_period,start_date}', 'invoicing_period.start_date'),
			json_date(doc #> '{invoicing_period,end_date}', 'invoicing_period.end_date'),
			json_date(doc #> '{delivery,date}', 'delivery.date'),
			doc #>> '{delivery,name}', upper(doc #>> '{delivery,country}'))
	RETURNING id INTO new_id;

	-- the numbers were checked above; jsonb_to_recordset reads each line once
	INSERT INTO invoice_line (invoice_id, line_no, line_id, item_name, description, quantity,
							  unit_code, net_price, base_quantity, allowance_amount, charge_amount,
							  vat_category, vat_rate, stated_net_amount)
	SELECT new_id, i, coalesce(l.id, i::text), l.item_name, l.description, l.quantity,
		   coalesce(l.unit_code, 'C62'), l.net_price, coalesce(l.base_quantity, 1),
		   coalesce(l.allowance_amount, 0), coalesce(l.charge_amount, 0),
		   coalesce(upper(l.vat_category), 'S'), l.vat_rate, l.net_amount
	FROM ROWS FROM (jsonb_to_recordset(doc->'lines') AS (id text, item_name text, description text,
		quantity numeric, unit_code text, net_price numeric, base_quantity numeric,
		allowance_amount numeric, charge_amount numeric, vat_category text, vat_rate numeric,
		net_amount numeric))
		WITH ORDINALITY AS l(id, item_name, description, quantity, unit_code, net_price, base_quantity,
							 allowance_amount, charge_amount, vat_category, vat_rate, net_amount, i);

	IF doc ? 'allowances' OR doc ? 'charges' THEN
		INSERT INTO invoice_allowance_charge (invoice_id, seq, is_charge, amount, vat_category,
											  vat_rate, reason, reason_code)
		SELECT new_id, row_number() OVER (ORDER BY is_charge, i), is_charge, (a->>'amount')::numeric,
			   coalesce(upper(a->>'vat_category'), 'S'), (a->>'vat_rate')::numeric,
			   a->>'reason', a->>'reason_code'
		FROM (SELECT a, i, false AS is_charge
			  FROM jsonb_array_elements(coalesce(doc->'allowances', '[]')) WITH ORDINALITY AS e(a, i)
			  UNION ALL
			  SELECT a, i, true
			  FROM jsonb_array_elements(coalesce(doc->'charges', '[]')) WITH ORDINALITY AS e(a, i)) x;
	END IF;
	IF doc ? 'notes' THEN
		INSERT INTO invoice_note (invoice_id, seq, subject_code, content)
		SELECT new_id, i, nt->>'subject_code', coalesce(nt->>'text', nt #>> '{}')
		FROM jsonb_array_elements(doc->'notes') WITH ORDINALITY AS e(nt, i);
	END IF;
	IF doc ? 'attachments' THEN
		INSERT INTO invoice_attachment (invoice_id, seq, filename, mime_type, description, content)
		SELECT new_id, i, at->>'filename', coalesce(at->>'mime_type', 'application/pdf'),
			   at->>'description', decode(at->>'content_base64', 'base64')
		FROM jsonb_array_elements(doc->'attachments') WITH ORDINALITY AS e(at, i);
	END IF;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION create_invoice(jsonb) IS 'creates a draft invoice of the acting party from a JSON document keyed by EN 16931 names (see README); returns its id';
-- An invoice's way: submit (checks, totals, freeze, delivery), status moves,
-- the buyer's read receipt, time-driven moves.

CREATE TABLE chorus_outbox (
	invoice_id bigint PRIMARY KEY REFERENCES invoice,
	enqueued_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE chorus_outbox IS 'B2G invoices submitted for Chorus Pro, enqueued in the submitting transaction, for the worker to send';

-- The invoice, locked, if the acting party is its supplier or buyer.  C
-- (src/status/invoice_lock.c), shared with the payments written in C.
CREATE FUNCTION lock_invoice(invoice_id bigint, supplier_only boolean) RETURNS invoice
	AS 'MODULE_PATHNAME', 'lock_invoice' LANGUAGE C;
COMMENT ON FUNCTION lock_invoice(bigint, boolean) IS 'internal: locks an invoice the acting party may see (as supplier, or as supplier or buyer)';

-- Platform or Chorus move: the system actor stages it, the guard checks it.
CREATE FUNCTION system_move(invoice_id bigint, actor text, status text, reason text DEFAULT NULL,
							amount numeric DEFAULT NULL, raw_code text DEFAULT NULL) RETURNS void
	AS 'MODULE_PATHNAME', 'system_move' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION system_move(bigint, text, text, text, numeric, text) IS 'internal: a status move made by the platform or the Chorus Pro sync';
REVOKE ALL ON FUNCTION system_move(bigint, text, text, text, numeric, text) FROM PUBLIC;

-- Checks the VAT rates, computes the VAT breakdown and the totals (EN 16931
-- BR-CO-10..17: two decimals, halves away from zero; line amounts are
-- generated columns) and refuses stated amounts that do not add up.
CREATE FUNCTION compute_totals(inv invoice) RETURNS invoice
LANGUAGE plpgsql
AS $$
DECLARE
	bad record;
	mismatches text;
BEGIN
	-- BR-S-05, BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05, BR-O-05: rates per category
	SELECT 'lines[' || line_no || ']' AS at, vat_category, vat_rate INTO bad
	FROM invoice_line WHERE invoice_id = inv.id
	  AND CASE vat_category WHEN 'S' THEN coalesce(vat_rate, 0) <= 0
			WHEN 'O' THEN vat_rate IS NOT NULL ELSE coalesce(vat_rate, -1) <> 0 END
	UNION ALL
	SELECT CASE WHEN is_charge THEN 'charges' ELSE 'allowances' END || '[' || seq || ']',
		   vat_category, vat_rate
	FROM invoice_allowance_charge WHERE invoice_id = inv.id
	  AND CASE vat_category WHEN 'S' THEN coalesce(vat_rate, 0) <= 0
			WHEN 'O' THEN vat_rate IS NOT NULL ELSE coalesce(vat_rate, -1) <> 0 END
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
			USING ERRCODE = '22023',
				  DETAIL = format('%s: VAT category %s %s.', bad.at, bad.vat_category,
								  CASE bad.vat_category WHEN 'S' THEN 'needs a rate above 0'
									   WHEN 'O' THEN 'takes no rate' ELSE 'takes a rate of 0' END);
	END IF;

	SELECT string_agg(format('line %s: net amount %s stated, %s computed (quantity %s x price %s / %s - %s + %s)',
							 line_no, stated_net_amount, net_amount, quantity, net_price,
							 base_quantity, allowance_amount, charge_amount), '; ' ORDER BY line_no)
	INTO mismatches
	FROM invoice_line WHERE invoice_id = inv.id AND stated_net_amount <> net_amount;
	IF mismatches IS NOT NULL THEN
		RAISE EXCEPTION 'invoice % cannot be submitted: wrong line amounts', inv.id
			USING ERRCODE = '22023', DETAIL = mismatches || '.';
	END IF;

	INSERT INTO invoice_vat_breakdown (invoice_id, vat_category, vat_rate, taxable_amount, tax_amount)
	SELECT inv.id, vat_category, coalesce(vat_rate, 0), sum(amount),
		   round(sum(amount) * coalesce(vat_rate, 0) / 100, 2)
	FROM (SELECT vat_category, vat_rate, net_amount AS amount
		  FROM invoice_line WHERE invoice_id = inv.id
		  UNION ALL
		  SELECT vat_category, vat_rate, CASE WHEN is_charge THEN amount ELSE -amount END
		  FROM invoice_allowance_charge WHERE invoice_id = inv.id) parts
	GROUP BY vat_category, coalesce(vat_rate, 0);

	SELECT (SELECT sum(net_amount) FROM invoice_line WHERE invoice_id = inv.id),
		   coalesce(sum(amount) FILTER (WHERE NOT is_charge), 0),
		   coalesce(sum(amount) FILTER (WHERE is_charge), 0),
		   (SELECT sum(tax_amount) FROM invoice_vat_breakdown WHERE invoice_id = inv.id)
	INTO inv.line_total, inv.allowance_total, inv.charge_total, inv.vat_total
	FROM invoice_allowance_charge WHERE invoice_id = inv.id;
	inv.tax_exclusive_total := inv.line_total - inv.allowance_total + inv.charge_total;
	inv.tax_inclusive_total := inv.tax_exclusive_total + inv.vat_total;
	inv.payable_amount := inv.tax_inclusive_total - inv.prepaid_amount + inv.rounding_amount;

	IF inv.stated_totals IS NOT NULL THEN
		SELECT string_agg(format('%s (%s) is %s as stated, %s as computed', k, rule,
								 inv.stated_totals->>k, computed), '; ')
		INTO mismatches
		FROM (VALUES ('line_total', 'BR-CO-10', inv.line_total),
					 ('allowance_total', 'BR-CO-11', inv.allowance_total),
					 ('charge_total', 'BR-CO-12', inv.charge_total),
					 ('tax_exclusive_total', 'BR-CO-13', inv.tax_exclusive_total),
					 ('vat_total', 'BR-CO-14', inv.vat_total),
					 ('tax_inclusive_total', 'BR-CO-15', inv.tax_inclusive_total),
					 ('payable_amount', 'BR-CO-16', inv.payable_amount)) AS t(k, rule, computed)
		WHERE inv.stated_totals ? k
		  AND json_numeric(inv.stated_totals->k, 'totals.' || k) <> computed;
		IF mismatches IS NOT NULL THEN
			RAISE EXCEPTION 'invoice % cannot be submitted: wrong totals', inv.id
				USING ERRCODE = '22023', DETAIL = mismatches || '.';
		END IF;
	END IF;
	RETURN inv;
END
$$;
COMMENT ON FUNCTION compute_totals(invoice) IS 'internal: computes the VAT breakdown and totals of a draft, refusing stated amounts that differ';

CREATE FUNCTION submit(invoice_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice := lock_invoice(invoice_id, true);
	buyer party;
	clash bigint;
BEGIN
	IF inv.submitted_at IS NOT NULL THEN
		RAISE EXCEPTION 'invoice % is already submitted', inv.id USING ERRCODE = '55000';
	END IF;
	IF inv.b2b_status = 'cancelled' THEN
		RAISE EXCEPTION 'invoice % is cancelled', inv.id USING ERRCODE = '55000';
	END IF;
	SELECT * INTO buyer FROM party WHERE id = inv.buyer_id;
	IF inv.channel = 'B2G' THEN
		IF buyer.requires_service_code AND inv.buyer_reference IS NULL THEN
			RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
				USING ERRCODE = '22023',
					  DETAIL = format('%s requires a service code ("buyer_reference", BT-10).', buyer.name);
		END IF;
		IF inv.buyer_reference IS NOT NULL AND NOT EXISTS (
			SELECT FROM public_service s
			WHERE s.party_id = buyer.id AND s.code = inv.buyer_reference AND s.active) THEN
			RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
				USING ERRCODE = '22023',
					  DETAIL = format('"%s" is not an active service of %s.', inv.buyer_reference, buyer.name);
		END IF;
		IF buyer.requires_engagement AND inv.purchase_order IS NULL THEN
			RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
				USING ERRCODE = '22023',
					  DETAIL = format('%s requires a legal commitment number ("purchase_order", BT-13).', buyer.name);
		END IF;
	END IF;
	IF inv.due_date < inv.issue_date THEN
		RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
			USING ERRCODE = '22023',
				  DETAIL = format('Due date %s is before issue date %s.', inv.due_date, inv.issue_date);
	END IF;
	-- an intra-community supply says when and where it was delivered
	IF (coalesce(inv.delivery_date, inv.period_start, inv.period_end) IS NULL OR inv.deliver_to_country IS NULL)
	   AND (EXISTS (SELECT FROM invoice_line l WHERE l.invoice_id = inv.id AND l.vat_category = 'K')
			OR EXISTS (SELECT FROM invoice_allowance_charge a WHERE a.invoice_id = inv.id AND a.vat_category = 'K')) THEN
		RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
			USING ERRCODE = '22023',
				  DETAIL = CASE WHEN coalesce(inv.delivery_date, inv.period_start, inv.period_end) IS NULL
					THEN 'An intra-community supply (VAT category K) gives the actual delivery date ("delivery": {"date"}, BT-72) or the invoicing period ("invoicing_period", BG-14) (BR-IC-11).'
					ELSE 'An intra-community supply (VAT category K) gives the deliver to country ("delivery": {"country"}, BT-80) (BR-IC-12).' END;
	END IF;

	inv := compute_totals(inv);

	-- DOUBLON: same supplier, same number, same year of issue date
	SELECT id INTO clash FROM invoice i
	WHERE i.supplier_id = inv.supplier_id AND i.number = inv.number
	  AND extract(year FROM i.issue_date) = extract(year FROM inv.issue_date)
	  AND i.submitted_at IS NOT NULL
	  AND i.id <> inv.id;
	-- totals, the freeze, the deposit and the delivery (B2B, or B2G reached
	-- directly) in one UPDATE; the guard checks both moves
	IF clash IS NULL THEN
		BEGIN
			PERFORM stage_status_move(NULL, NULL, NULL, 'platform');
			IF inv.channel = 'B2B' THEN
				PERFORM stage_status_then('made_available');
			ELSIF inv.delivery = 'direct' THEN
				PERFORM stage_status_then('MISE_A_DISPOSITION');
			END IF;
			UPDATE invoice
			SET line_total = inv.line_total, allowance_total = inv.allowance_total,
				charge_total = inv.charge_total, tax_exclusive_total = inv.tax_exclusive_total,
				vat_total = inv.vat_total, tax_inclusive_total = inv.tax_inclusive_total,
				payable_amount = inv.payable_amount, submitted_at = now(),
				b2b_status = CASE WHEN channel = 'B2B' THEN 'deposited'::b2b_status END,
				b2g_status = CASE WHEN delivery = 'direct' THEN 'DEPOSEE'::b2g_status END
			WHERE id = inv.id;
		EXCEPTION WHEN unique_violation THEN
			clash := -1;	-- submitted concurrently by another session
		END;
	END IF;
	IF clash IS NOT NULL THEN
		RAISE EXCEPTION 'invoice % is a duplicate (DOUBLON)', inv.id
			USING ERRCODE = '23505',
				  DETAIL = format('Supplier %s already submitted invoice number "%s" in %s%s.',
								  inv.supplier_id, inv.number, extract(year FROM inv.issue_date),
								  CASE WHEN clash > 0 THEN format(' (invoice %s)', clash) ELSE '' END);
	END IF;

	IF inv.channel = 'B2B' THEN
		RETURN 'made_available';
	ELSIF inv.delivery = 'direct' THEN
		RETURN 'MISE_A_DISPOSITION';
	END IF;
	INSERT INTO chorus_outbox (invoice_id) VALUES (inv.id);
	RETURN 'queued';
END
$$;
COMMENT ON FUNCTION submit(bigint) IS 'checks, computes and freezes a draft of the acting supplier, then delivers it: B2B to the buyer''s inbox, B2G directly or queued for Chorus Pro; returns where it stands';

CREATE FUNCTION set_status(invoice_id bigint, status text, reason text DEFAULT NULL,
						   amount numeric DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'set_status' LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = bizinvoice, pg_catalog, pg_temp;
COMMENT ON FUNCTION set_status(bigint, text, text, numeric) IS 'moves an invoice to a status as the acting party (supplier, buyer, or the buyer''s accountant), as the rules allow; returns the status';

-- The read receipt: the buyer's first read moves made_available to in_hand.
CREATE FUNCTION acknowledge(invoice_id bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	-- a reporting tool's read, or one in a read-only transaction, is no receipt
	IF current_setting('transaction_read_only')::boolean
	   OR NOT caller_has_role('bizinvoice_user') THEN
		RETURN false;
	END IF;
	-- locked, so that the move staged below is the one the UPDATE makes
	PERFORM FROM invoice WHERE id = invoice_id AND buyer_id = current_party()
						   AND b2b_status = 'made_available'
	FOR UPDATE;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM stage_status_move(NULL, NULL, NULL, NULL);
	UPDATE invoice SET b2b_status = 'in_hand'
	WHERE id = invoice_id AND b2b_status = 'made_available';
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION acknowledge(bigint) IS 'internal: the buyer''s read receipt (made_available to in_hand) when one of its users reads it; true if this read moved it';

CREATE FUNCTION open_invoice(invoice_id bigint) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice := lock_invoice(invoice_id, false);
BEGIN
	PERFORM acknowledge(inv.id);
	RETURN (SELECT to_jsonb(i) - ARRAY['stated_totals', 'status_party']
				   || jsonb_build_object(
						'lines', (SELECT jsonb_agg(to_jsonb(l) - 'invoice_id' ORDER BY line_no)
								  FROM invoice_line l WHERE l.invoice_id = i.id),
						'allowances_charges', (SELECT jsonb_agg(to_jsonb(a) - 'invoice_id' ORDER BY seq)
											   FROM invoice_allowance_charge a WHERE a.invoice_id = i.id),
						'vat_breakdown', (SELECT jsonb_agg(to_jsonb(v) - 'invoice_id'
														   ORDER BY vat_category, vat_rate)
										  FROM invoice_vat_breakdown v WHERE v.invoice_id = i.id),
						'notes', (SELECT jsonb_agg(to_jsonb(n) - 'invoice_id' ORDER BY seq)
								  FROM invoice_note n WHERE n.invoice_id = i.id),
						'attachments', (SELECT jsonb_agg(jsonb_build_object('seq', seq, 'filename', filename,
														 'mime_type', mime_type, 'sha256', encode(sha256, 'hex'))
														 ORDER BY seq)
										FROM invoice_attachment t WHERE t.invoice_id = i.id))
			FROM invoice i WHERE i.id = inv.id);
END
$$;
COMMENT ON FUNCTION open_invoice(bigint) IS 'the whole invoice as JSON for its supplier or buyer; the buyer''s first read is the read receipt (in_hand)';

CREATE FUNCTION mark_overdue(as_of date DEFAULT current_date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv bigint;
	moved integer := 0;
BEGIN
	FOR inv IN
		SELECT id FROM invoice
		WHERE channel = 'B2B' AND due_date < as_of
		  AND b2b_status IN ('approved', 'partially_approved', 'payment_scheduled', 'partially_paid',
							 'netted', 'factored', 'factored_confidential', 'not_factored',
							 'payee_changed', 'direct_payment_requested')
		ORDER BY id
		FOR UPDATE SKIP LOCKED
	LOOP
		PERFORM system_move(inv, 'platform', 'overdue');
		moved := moved + 1;
	END LOOP;
	RETURN moved;
END
$$;
COMMENT ON FUNCTION mark_overdue(date) IS 'moves unpaid B2B invoices past their due date to overdue; called daily by the worker; returns how many moved';
REVOKE ALL ON FUNCTION mark_overdue(date) FROM PUBLIC;

CREATE FUNCTION chorus_record_status(invoice_id bigint, status text, raw_code text DEFAULT NULL,
									 comment text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM invoice WHERE id = invoice_id AND channel = 'B2G') THEN
		RAISE EXCEPTION 'invoice % is not a B2G invoice', invoice_id USING ERRCODE = '42704';
	END IF;
	PERFORM system_move(invoice_id, 'chorus', status, comment, NULL, coalesce(raw_code, status));
END
$$;
COMMENT ON FUNCTION chorus_record_status(bigint, text, text, text) IS 'the Chorus Pro sync''s way in: records a B2G status brought back from Chorus Pro (raw code kept); used by the worker and tests';
REVOKE ALL ON FUNCTION chorus_record_status(bigint, text, text, text) FROM PUBLIC;
-- Views for reporting tools.  security_invoker: each reader sees through
-- row-level security what its party may see.

CREATE VIEW invoice_status WITH (security_invoker = true) AS
SELECT i.id AS invoice_id, i.channel, i.delivery, i.number, i.issue_date, i.due_date, i.currency,
	   i.supplier_id, s.name AS supplier, i.buyer_id, b.name AS buyer,
	   i.tax_exclusive_total, i.vat_total, i.payable_amount,
	   st.status,
	   coalesce(c.label_fr, pre.label_fr) AS status_label_fr,
	   c.code AS status_code,
	   coalesce(i.status_changed_at, i.submitted_at, i.created_at) AS status_since,
	   CASE WHEN c.final THEN '{}'
			WHEN i.delivery = 'chorus' AND i.submitted_at IS NOT NULL THEN ARRAY['chorus']
			ELSE coalesce(c.next_actors, pre.next_actors) END AS next_actors,
	   coalesce(c.final, false) AS final,
	   i.submitted_at
FROM bizinvoice.invoice i
JOIN bizinvoice.party s ON s.id = i.supplier_id
JOIN bizinvoice.party b ON b.id = i.buyer_id
-- a B2G invoice has no status before Chorus Pro (or the platform) deposits it
CROSS JOIN LATERAL (SELECT coalesce(i.b2b_status::text, i.b2g_status::text,
									CASE WHEN i.submitted_at IS NULL THEN 'draft' ELSE 'queued' END)
						   AS status) st
LEFT JOIN bizinvoice.status_catalog c ON c.channel = i.channel AND c.status = st.status
LEFT JOIN (VALUES ('draft', 'Brouillon', ARRAY['supplier']),
				  ('queued', 'En attente d''envoi à Chorus Pro', ARRAY['platform']))
		  AS pre(status, label_fr, next_actors) ON c.status IS NULL AND pre.status = st.status;
COMMENT ON VIEW invoice_status IS 'every invoice the reader may see, B2B and B2G side by side: current status with French label and reform code, since when, whose move is next, final or not';

CREATE VIEW status_summary WITH (security_invoker = true) AS
SELECT channel, status, status_label_fr, count(*) AS invoices,
	   sum(payable_amount) AS payable_amount, currency
FROM bizinvoice.invoice_status
GROUP BY channel, status, status_label_fr, currency;
COMMENT ON VIEW status_summary IS 'invoices and amounts per channel, status and currency';

CREATE VIEW receivables_aging WITH (security_invoker = true) AS
SELECT supplier_id, supplier, buyer_id, buyer, currency,
	   coalesce(sum(payable_amount) FILTER (WHERE due_date IS NULL OR due_date >= current_date), 0) AS not_due,
	   coalesce(sum(payable_amount) FILTER (WHERE current_date - due_date BETWEEN 1 AND 30), 0) AS days_1_30,
	   coalesce(sum(payable_amount) FILTER (WHERE current_date - due_date BETWEEN 31 AND 60), 0) AS days_31_60,
	   coalesce(sum(payable_amount) FILTER (WHERE current_date - due_date BETWEEN 61 AND 90), 0) AS days_61_90,
	   coalesce(sum(payable_amount) FILTER (WHERE current_date - due_date > 90), 0) AS over_90,
	   sum(payable_amount) AS outstanding
FROM bizinvoice.invoice_status
WHERE submitted_at IS NOT NULL AND NOT final
  AND status NOT IN ('payment_sent', 'MISE_EN_PAIEMENT')
GROUP BY supplier_id, supplier, buyer_id, buyer, currency;
COMMENT ON VIEW receivables_aging IS 'amounts outstanding per supplier and buyer, by days past due: not due, 1-30, 31-60, 61-90, over 90';

CREATE VIEW inbox WITH (security_invoker = true) AS
SELECT s.*, bizinvoice.acknowledge(s.invoice_id) AS first_read
FROM bizinvoice.invoice_status s
WHERE s.buyer_id = bizinvoice.current_party() AND s.submitted_at IS NOT NULL;
COMMENT ON VIEW inbox IS 'invoices received by the acting party; a read by one of its users is the read receipt (made_available to in_hand, first_read true)';

CREATE VIEW outbox WITH (security_invoker = true) AS
SELECT s.*
FROM bizinvoice.invoice_status s
WHERE s.supplier_id = bizinvoice.current_party();
COMMENT ON VIEW outbox IS 'invoices issued by the acting party, drafts included';
-- The ledger: accounts, immutable transfers, idempotent requests.
--
-- Every movement debits one account and credits another by the same amount,
-- in the same currency, and updates both balances in its transaction: the
-- balances of a currency always add up to zero.  Money from and to banks
-- goes through the "outside" account, fee income to "platform_fees".

CREATE TABLE account (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('party', 'platform_fees', 'outside')),
	party_id bigint REFERENCES party,
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	balance numeric(19, 2) NOT NULL DEFAULT 0,
	reserved numeric(19, 2) NOT NULL DEFAULT 0 CHECK (reserved >= 0),
	overdraft_limit numeric(19, 2) NOT NULL DEFAULT 0 CHECK (overdraft_limit >= 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((kind = 'party') = (party_id IS NOT NULL)),
	CHECK (kind <> 'party' OR balance - reserved >= -overdraft_limit),
	CHECK (kind <> 'platform_fees' OR balance >= 0)
);
COMMENT ON TABLE account IS 'payment accounts: one per party and currency, plus the platform''s fee income and the outside world (banks) per currency';
COMMENT ON COLUMN account.balance IS 'credits minus debits; a party''s never goes below minus its overdraft limit';
COMMENT ON COLUMN account.reserved IS 'held by authorised payments not yet settled or voided';
CREATE UNIQUE INDEX account_party_currency ON account (party_id, currency) WHERE kind = 'party';
CREATE UNIQUE INDEX account_system_currency ON account (kind, currency) WHERE kind <> 'party';

CREATE TABLE transfer (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	debit_account bigint NOT NULL REFERENCES account,
	credit_account bigint NOT NULL REFERENCES account,
	amount numeric(19, 2) NOT NULL CHECK (amount > 0),
	currency text NOT NULL,
	kind text NOT NULL CHECK (kind IN ('funding', 'withdrawal', 'payment', 'fee', 'reversal')),
	invoice_id bigint REFERENCES invoice,
	reference text,
	reverses bigint REFERENCES transfer,
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by name NOT NULL,
	CHECK (debit_account <> credit_account),
	CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
);
COMMENT ON TABLE transfer IS 'every movement of money, append-only: one account debited, one credited; corrections are reversals';
COMMENT ON COLUMN transfer.reverses IS 'the transfer this one reverses (at most one reversal each)';
CREATE INDEX transfer_debit ON transfer (debit_account, id);
CREATE INDEX transfer_credit ON transfer (credit_account, id);
CREATE INDEX transfer_invoice ON transfer (invoice_id) WHERE invoice_id IS NOT NULL;
CREATE TRIGGER transfer_append_only BEFORE UPDATE OR DELETE ON transfer
	FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER transfer_no_truncate BEFORE TRUNCATE ON transfer
	FOR EACH STATEMENT EXECUTE FUNCTION append_only();

CREATE TABLE payment_authorization (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	invoice_id bigint NOT NULL REFERENCES invoice,
	account_id bigint NOT NULL REFERENCES account,
	amount numeric(19, 2) NOT NULL CHECK (amount > 0),
	state text NOT NULL DEFAULT 'authorized' CHECK (state IN ('authorized', 'settled', 'voided')),
	settled_transfer bigint REFERENCES transfer,
	created_at timestamptz NOT NULL DEFAULT now(),
	resolved_at timestamptz,
	CHECK ((state = 'settled') = (settled_transfer IS NOT NULL)),
	CHECK ((state = 'authorized') = (resolved_at IS NULL))
);
COMMENT ON TABLE payment_authorization IS 'two-phase payments: funds reserved on the buyer''s account, then settled (once) or voided (once)';
CREATE INDEX payment_authorization_invoice ON payment_authorization (invoice_id) WHERE state = 'authorized';

-- What has been paid on each invoice, kept by post_transfer with the
-- payments and their reversals, so that what remains is read, not summed.
CREATE TABLE invoice_paid (
	invoice_id bigint PRIMARY KEY REFERENCES invoice,
	paid numeric(19, 2) NOT NULL CHECK (paid >= 0)
);
COMMENT ON TABLE invoice_paid IS 'the net amount paid on each invoice (payments less their reversals), kept with the transfers';

-- Idempotency: a money-moving request carries a key; the same key again
-- with the same arguments returns the first result, with others is refused.
CREATE TABLE idempotency_key (
	party_id bigint NOT NULL,			-- keys are the acting party's own (0: none)
	key text NOT NULL CHECK (btrim(key) <> ''),
	operation text NOT NULL,
	arguments jsonb NOT NULL,
	result jsonb,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (party_id, key)
);
COMMENT ON TABLE idempotency_key IS 'money-moving requests by idempotency key, with their arguments and first result';

-- The system account of a kind and currency, created on first use.
CREATE FUNCTION system_account(kind text, currency text) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	found bigint;
BEGIN
	SELECT id INTO found FROM account a WHERE a.kind = system_account.kind AND a.currency = system_account.currency;
	IF found IS NULL THEN
		INSERT INTO account (kind, currency) VALUES (system_account.kind, system_account.currency)
		ON CONFLICT DO NOTHING RETURNING id INTO found;
		IF found IS NULL THEN		-- created concurrently
			SELECT id INTO found FROM account a
			WHERE a.kind = system_account.kind AND a.currency = system_account.currency;
		END IF;
	END IF;
	RETURN found;
END
$$;
COMMENT ON FUNCTION system_account(text, text) IS 'internal: the platform_fees or outside account of a currency, created on first use';

-- A new transfer's id, taken before the work so that an idempotency key
-- records it with the request.  (A bare SELECT: inlined where it is called.)
CREATE FUNCTION next_transfer_id() RETURNS bigint
LANGUAGE sql
AS $$ SELECT pg_catalog.nextval('bizinvoice.transfer_id_seq') $$;
COMMENT ON FUNCTION next_transfer_id() IS 'internal: the id of a transfer about to be posted';
REVOKE ALL ON FUNCTION next_transfer_id() FROM PUBLIC;

-- Moves amount from debit to credit: both accounts locked in id order (no
-- deadlock between opposite transfers), same currency, funds available,
-- under the id the caller took (next_transfer_id); a payment's (or its
-- reversal's) invoice paid total kept.  C (src/ledger/post.c): the rows
-- written without statements.
CREATE FUNCTION post_transfer(transfer_id bigint, debit bigint, credit bigint, amount numeric, kind text,
							  invoice_id bigint DEFAULT NULL, reference text DEFAULT NULL,
							  reverses bigint DEFAULT NULL) RETURNS bigint
	AS 'MODULE_PATHNAME', 'post_transfer' LANGUAGE C;
COMMENT ON FUNCTION post_transfer(bigint, bigint, bigint, numeric, text, bigint, text, bigint) IS 'internal: the one way money moves: locks both accounts, checks currency and funds, updates balances, records the transfer under the id given';
REVOKE ALL ON FUNCTION post_transfer(bigint, bigint, bigint, numeric, text, bigint, text, bigint) FROM PUBLIC;

-- Records a request under the acting party's idempotency key with the
-- result it will have (the caller allocates its ids first): NULL if the key
-- is new, else the first result of the same request.  The record and the
-- request's work commit or roll back together: no result is written later.
-- C (src/ledger/idempotent.c), shared with the payments written in C.
CREATE FUNCTION idempotent(key text, operation text, arguments jsonb, result jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'idempotent' LANGUAGE C;
COMMENT ON FUNCTION idempotent(text, text, jsonb, jsonb) IS 'internal: records a new request under its idempotency key with its result (NULL returned: the caller performs it), else returns the first result; refuses a key reused with other arguments';
REVOKE ALL ON FUNCTION idempotent(text, text, jsonb, jsonb) FROM PUBLIC;
-- The ledger's API: accounts, funding, withdrawal, invoice payments, checks.

-- A party's account in a currency.  PL/pgSQL, whose plans last the session:
-- a SQL function reading a table is not inlined, and would be planned anew
-- in every transaction of the PL/pgSQL callers.  Qualified names, no SET
-- clause: it runs with the caller's rights.
CREATE FUNCTION party_account(party bigint, currency text) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	RETURN (SELECT a.id FROM bizinvoice.account a
			WHERE a.kind = 'party' AND a.party_id = party AND a.currency = party_account.currency);
END
$$;
COMMENT ON FUNCTION party_account(bigint, text) IS 'internal: a party''s account in a currency, or NULL';

CREATE FUNCTION open_account(party bigint, currency text DEFAULT 'EUR',
							 overdraft_limit numeric DEFAULT 0) RETURNS bigint
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	new_id bigint;
BEGIN
	IF NOT EXISTS (SELECT FROM party p WHERE p.id = open_account.party) THEN
		RAISE EXCEPTION 'party % does not exist', party USING ERRCODE = '42704';
	END IF;
	IF upper(currency) !~ '^[A-Z]{3}$' THEN
		RAISE EXCEPTION 'invalid currency "%"', currency
			USING ERRCODE = '22023', DETAIL = 'A currency is an ISO 4217 code of 3 letters, such as EUR.';
	END IF;
	INSERT INTO account (kind, party_id, currency, overdraft_limit)
	VALUES ('party', open_account.party, upper(currency), open_account.overdraft_limit)
	ON CONFLICT DO NOTHING
	RETURNING id INTO new_id;
	IF new_id IS NULL THEN
		RAISE EXCEPTION 'party % already has an account in %', party, upper(currency)
			USING ERRCODE = '23505';
	END IF;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION open_account(bigint, text, numeric) IS 'opens a party''s payment account in a currency (one per currency), with an optional overdraft limit (bizinvoice_admin)';

-- The acting party's own account, or an error.
CREATE FUNCTION own_account(account_id bigint) RETURNS account
LANGUAGE plpgsql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	a account;
BEGIN
	SELECT * INTO a FROM account WHERE id = account_id AND kind = 'party';
	IF FOUND AND caller_has_role('bizinvoice_admin') THEN
		RETURN a;
	END IF;
	IF NOT FOUND OR a.party_id <> require_party() THEN
		RAISE EXCEPTION 'account % does not exist', account_id USING ERRCODE = '42704';
	END IF;
	RETURN a;
END
$$;
COMMENT ON FUNCTION own_account(bigint) IS 'internal: an account of the acting party (any, for bizinvoice_admin)';

CREATE FUNCTION fund(account_id bigint, amount numeric, reference text, idempotency_key text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	a account := own_account(account_id);
	tid bigint := next_transfer_id();
	prior jsonb := idempotent(idempotency_key, 'fund',
							  jsonb_build_object('account', account_id, 'amount', amount, 'reference', reference),
							  jsonb_build_object('transfer', tid));
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'transfer')::bigint;
	END IF;
	RETURN post_transfer(tid, system_account('outside', a.currency), a.id, amount, 'funding', NULL, reference);
END
$$;
COMMENT ON FUNCTION fund(bigint, numeric, text, text) IS 'money in from a bank to the account (from the outside account); idempotent by key; returns the transfer id';

CREATE FUNCTION withdraw(account_id bigint, amount numeric, iban iban, idempotency_key text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	a account := own_account(account_id);
	tid bigint := next_transfer_id();
	prior jsonb := idempotent(idempotency_key, 'withdraw',
							  jsonb_build_object('account', account_id, 'amount', amount, 'iban', iban),
							  jsonb_build_object('transfer', tid));
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'transfer')::bigint;
	END IF;
	RETURN post_transfer(tid, a.id, system_account('outside', a.currency), amount, 'withdrawal', NULL, iban::text);
END
$$;
COMMENT ON FUNCTION withdraw(bigint, numeric, iban, text) IS 'money out of the account to a bank account (IBAN); refused beyond what is available; idempotent by key; returns the transfer id';

-- What is still to pay on an invoice: payable amount less net payments.
-- (PL/pgSQL for its cached plan, as party_account)
CREATE FUNCTION invoice_outstanding(invoice_id bigint) RETURNS numeric
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	RETURN (SELECT i.payable_amount
				   - coalesce((SELECT p.paid FROM bizinvoice.invoice_paid p WHERE p.invoice_id = i.id), 0)
			FROM bizinvoice.invoice i WHERE i.id = invoice_outstanding.invoice_id);
END
$$;
COMMENT ON FUNCTION invoice_outstanding(bigint) IS 'what remains to be paid on an invoice: its payable amount less its payments (net of reversals)';

-- Every violated ledger invariant; empty when the ledger holds.
CREATE FUNCTION check_ledger(OUT invariant text, OUT detail text) RETURNS SETOF record
LANGUAGE sql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
	SELECT 'balances sum to zero', format('%s: balances add up to %s', currency, sum(balance))
	FROM account GROUP BY currency HAVING sum(balance) <> 0
	UNION ALL
	SELECT 'balance equals its transfers',
		   format('account %s: balance %s, transfers %s', a.id, a.balance, coalesce(t.net, 0))
	FROM account a
	LEFT JOIN (SELECT acc, sum(delta) AS net
			   FROM (SELECT credit_account AS acc, amount AS delta FROM transfer
					 UNION ALL
					 SELECT debit_account, -amount FROM transfer) m
			   GROUP BY acc) t ON t.acc = a.id
	WHERE a.balance <> coalesce(t.net, 0)
	UNION ALL
	SELECT 'transfers stay in one currency', format('transfer %s', t.id)
	FROM transfer t JOIN account d ON d.id = t.debit_account JOIN account c ON c.id = t.credit_account
	WHERE d.currency <> t.currency OR c.currency <> t.currency
	UNION ALL
	SELECT 'no account below its overdraft limit', format('account %s: %s', id, balance - reserved)
	FROM account WHERE kind = 'party' AND balance - reserved < -overdraft_limit
	UNION ALL
	SELECT 'reserved equals open authorisations',
		   format('account %s: %s reserved, %s authorised', a.id, a.reserved, coalesce(r.amount, 0))
	FROM account a
	LEFT JOIN (SELECT account_id, sum(amount) AS amount FROM payment_authorization
			   WHERE state = 'authorized' GROUP BY account_id) r ON r.account_id = a.id
	WHERE a.reserved <> coalesce(r.amount, 0)
	UNION ALL
	SELECT 'no invoice paid beyond its amount', format('invoice %s: %s outstanding', id, invoice_outstanding(id))
	FROM invoice WHERE id IN (SELECT invoice_id FROM transfer WHERE kind = 'payment')
	  AND invoice_outstanding(id) < 0
	UNION ALL
	SELECT 'paid totals match the payments', format('invoice %s: %s recorded, %s in transfers',
													 coalesce(p.invoice_id, t.invoice_id), p.paid, t.paid)
	FROM invoice_paid p
	FULL JOIN (SELECT t.invoice_id, sum(CASE WHEN t.kind = 'payment' THEN t.amount ELSE -t.amount END) AS paid
			   FROM transfer t LEFT JOIN transfer o ON o.id = t.reverses
			   WHERE t.kind = 'payment' OR o.kind = 'payment'
			   GROUP BY t.invoice_id) t ON t.invoice_id = p.invoice_id
	WHERE p.paid IS DISTINCT FROM t.paid
	UNION ALL
	SELECT 'a reversal mirrors its transfer', format('transfer %s', r.id)
	FROM transfer r JOIN transfer o ON o.id = r.reverses
	WHERE r.amount <> o.amount OR r.debit_account <> o.credit_account OR r.credit_account <> o.debit_account
$$;
COMMENT ON FUNCTION check_ledger() IS 'every violated ledger invariant (sums to zero per currency, balances match transfers, one currency per transfer, no overdraft, reservations match open authorisations, no overpaid invoice, paid totals match payments, reversals mirror); empty when all hold';

CREATE VIEW account_balances WITH (security_invoker = true) AS
SELECT a.id AS account_id, a.kind, a.party_id, p.name AS party, a.currency, a.balance, a.reserved,
	   a.balance - a.reserved AS available, a.overdraft_limit
FROM bizinvoice.account a LEFT JOIN bizinvoice.party p ON p.id = a.party_id;
COMMENT ON VIEW account_balances IS 'each visible account''s balance, reserved and available amounts';
-- The ledger, continued: fees, reversals, statements.

-- Prices are never edited: a new price is a new row from its date on, so
-- past fees keep the price they were charged at.  The rows the extension
-- itself brings are left out of dumps (CREATE EXTENSION brings them back).
CREATE TABLE fee_schedule (
	event text NOT NULL,
	valid_from timestamptz NOT NULL DEFAULT now(),
	amount numeric(19, 2) NOT NULL CHECK (amount > 0),
	currency text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
	description text NOT NULL,
	builtin boolean NOT NULL DEFAULT false,
	PRIMARY KEY (event, valid_from)
);
COMMENT ON TABLE fee_schedule IS 'what the platform charges suppliers per event, from a date on (append-only: a new price is a new row)';
CREATE TRIGGER fee_schedule_append_only BEFORE UPDATE OR DELETE ON fee_schedule
	FOR EACH ROW EXECUTE FUNCTION append_only();
INSERT INTO fee_schedule (event, valid_from, amount, currency, description, builtin) VALUES
	('chorus_transmission', '-infinity', 0.25, 'EUR',
	 'an invoice transmitted to Chorus Pro and integrated there', true);

CREATE TABLE fee_charge (
	invoice_id bigint NOT NULL REFERENCES invoice,
	event text NOT NULL,
	transfer_id bigint NOT NULL UNIQUE REFERENCES transfer,
	PRIMARY KEY (invoice_id, event)
);
COMMENT ON TABLE fee_charge IS 'each fee charged, once per invoice and event';

CREATE FUNCTION charge_fee(invoice_id bigint, event text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	fee fee_schedule;
	inv invoice;
	supplier_account bigint;
	tid bigint;
BEGIN
	SELECT * INTO fee FROM fee_schedule f
	WHERE f.event = charge_fee.event AND f.valid_from <= now()
	ORDER BY f.valid_from DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no fee for event "%"', event USING ERRCODE = '42704';
	END IF;
	SELECT * INTO inv FROM invoice i WHERE i.id = charge_fee.invoice_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'invoice % does not exist', invoice_id USING ERRCODE = '42704';
	END IF;
	-- once per invoice and event: a repeat returns the first charge
	SELECT transfer_id INTO tid FROM fee_charge c WHERE c.invoice_id = inv.id AND c.event = fee.event;
	IF FOUND THEN
		RETURN tid;
	END IF;
	supplier_account := party_account(inv.supplier_id, fee.currency);
	IF supplier_account IS NULL THEN
		RAISE EXCEPTION 'supplier % has no % account to charge the % fee', inv.supplier_id, fee.currency, fee.event
			USING ERRCODE = '42704';
	END IF;
	tid := post_transfer(next_transfer_id(), supplier_account,
						 system_account('platform_fees', fee.currency), fee.amount, 'fee', inv.id, fee.event);
	INSERT INTO fee_charge VALUES (inv.id, fee.event, tid);
	RETURN tid;
END
$$;
COMMENT ON FUNCTION charge_fee(bigint, text) IS 'charges the supplier of an invoice the current fee of an event (fee_schedule), to the platform''s fee account, exactly once per invoice and event; returns the transfer (bizinvoice_admin, the worker)';

CREATE FUNCTION reverse_transfer(transfer_id bigint, reason text, idempotency_key text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	tid bigint := next_transfer_id();
	prior jsonb := idempotent(idempotency_key, 'reverse_transfer',
							  jsonb_build_object('transfer', transfer_id, 'reason', reason),
							  jsonb_build_object('transfer', tid));
	t transfer;
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'transfer')::bigint;
	END IF;
	IF coalesce(btrim(reason), '') = '' THEN
		RAISE EXCEPTION 'a reversal needs a reason' USING ERRCODE = '22023';
	END IF;
	SELECT * INTO t FROM transfer WHERE id = transfer_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'transfer % does not exist', transfer_id USING ERRCODE = '42704';
	END IF;
	IF t.kind = 'reversal' THEN
		RAISE EXCEPTION 'transfer % is itself a reversal', transfer_id USING ERRCODE = '55000';
	END IF;
	IF EXISTS (SELECT FROM transfer r WHERE r.reverses = t.id) THEN
		RAISE EXCEPTION 'transfer % is already reversed', transfer_id USING ERRCODE = '55000';
	END IF;
	RETURN post_transfer(tid, t.credit_account, t.debit_account, t.amount, 'reversal', t.invoice_id, reason, t.id);
END
$$;
COMMENT ON FUNCTION reverse_transfer(bigint, text, text) IS 'corrects a transfer by its mirror image (never an edit), at most once; refused if the credited account can no longer pay it back (bizinvoice_admin)';

CREATE FUNCTION account_statement(account_id bigint, from_date date, to_date date)
RETURNS TABLE (transfer_id bigint, at timestamptz, kind text, reference text, invoice_id bigint,
			   debit numeric, credit numeric, balance numeric)
LANGUAGE sql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
	WITH opening AS (
		SELECT coalesce(sum(CASE WHEN t.credit_account = account_id THEN t.amount ELSE -t.amount END), 0) AS amount
		FROM transfer t
		WHERE account_id IN (t.debit_account, t.credit_account) AND t.created_at < from_date
	)
	-- nothing for an account the caller may not see (row-level security)
	SELECT NULL::bigint, from_date::timestamptz, 'opening balance', NULL, NULL::bigint, NULL::numeric,
		   NULL::numeric, (SELECT amount FROM opening)
	WHERE EXISTS (SELECT FROM account a WHERE a.id = account_id)
	UNION ALL
	SELECT t.id, t.created_at, t.kind, t.reference, t.invoice_id,
		   CASE WHEN t.debit_account = account_id THEN t.amount END,
		   CASE WHEN t.credit_account = account_id THEN t.amount END,
		   (SELECT amount FROM opening)
		   + sum(CASE WHEN t.credit_account = account_id THEN t.amount ELSE -t.amount END)
			 OVER (ORDER BY t.id)
	FROM transfer t
	WHERE account_id IN (t.debit_account, t.credit_account)
	  AND t.created_at >= from_date AND t.created_at < to_date + 1
	  AND EXISTS (SELECT FROM account a WHERE a.id = account_id)
$$;
COMMENT ON FUNCTION account_statement(bigint, date, date) IS 'an account''s statement between two dates (inclusive): opening balance, then each transfer with its running balance';

CREATE VIEW fees_by_month WITH (security_invoker = true) AS
SELECT date_trunc('month', t.created_at)::date AS month, i.supplier_id, p.name AS supplier,
	   t.reference AS event, t.currency, count(*) AS fees, sum(t.amount) AS amount
FROM bizinvoice.transfer t
JOIN bizinvoice.invoice i ON i.id = t.invoice_id
JOIN bizinvoice.party p ON p.id = i.supplier_id
WHERE t.kind = 'fee'
  AND NOT EXISTS (SELECT FROM bizinvoice.transfer r WHERE r.reverses = t.id)
GROUP BY 1, 2, 3, 4, 5;
COMMENT ON VIEW fees_by_month IS 'fees charged per month, supplier and event (reversed fees left out)';
-- Paying invoices: at once, in two phases (authorise, then settle or void),
-- or scheduled for the due date.

-- Refuses to pay an invoice that cannot be paid now, or by this party.
-- C (src/ledger/payable.c), shared with the payments written in C.
CREATE FUNCTION check_payable(inv invoice, by_platform boolean) RETURNS void
	AS 'MODULE_PATHNAME', 'check_payable' LANGUAGE C;
COMMENT ON FUNCTION check_payable(invoice, boolean) IS 'internal: refuses paying an invoice not yet approved (or mandated), or by anyone but its buyer (a B2G invoice: its accountant, not the role that certified the service)';

-- What remains to be paid on an invoice, and what of it may still be paid or
-- authorised (less open authorisations), read in one statement.  (PL/pgSQL
-- for its cached plan, as party_account.)
CREATE FUNCTION invoice_dues(invoice_id bigint, OUT outstanding numeric, OUT payable_now numeric)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	SELECT o.left_to_pay,
		   o.left_to_pay - coalesce((SELECT sum(a.amount) FROM bizinvoice.payment_authorization a
									 WHERE a.invoice_id = invoice_dues.invoice_id AND a.state = 'authorized'), 0)
	INTO outstanding, payable_now
	FROM (SELECT i.payable_amount - coalesce((SELECT p.paid FROM bizinvoice.invoice_paid p
											  WHERE p.invoice_id = i.id), 0) AS left_to_pay
		  FROM bizinvoice.invoice i WHERE i.id = invoice_dues.invoice_id) o;
END
$$;
COMMENT ON FUNCTION invoice_dues(bigint) IS 'what remains to be paid on an invoice (outstanding) and what may still be paid or authorised on it (payable_now: outstanding less open authorisations), as the caller may see it';

CREATE FUNCTION invoice_payable_now(invoice_id bigint) RETURNS numeric
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	RETURN (bizinvoice.invoice_dues(invoice_payable_now.invoice_id)).payable_now;
END
$$;
COMMENT ON FUNCTION invoice_payable_now(bigint) IS 'what may still be paid or authorised on an invoice: what remains less open authorisations';

-- Moves amount from the buyer to the supplier for inv under the transfer id
-- given, and the invoice's status with it; the amount is checked against
-- what may be paid now (due); it pays the invoice in full when it is all
-- that remained (outstanding).  C (src/ledger/pay.c), as pay_invoice.
CREATE FUNCTION apply_payment(transfer_id bigint, inv invoice, amount numeric, outstanding numeric,
							  due numeric, by_platform boolean) RETURNS bigint
	AS 'MODULE_PATHNAME', 'apply_payment' LANGUAGE C;
COMMENT ON FUNCTION apply_payment(bigint, invoice, numeric, numeric, numeric, boolean) IS 'internal: the payment transfer of an invoice and its status moves (partially_paid; payment_sent and cashed; MISE_EN_PAIEMENT)';
REVOKE ALL ON FUNCTION apply_payment(bigint, invoice, numeric, numeric, numeric, boolean) FROM PUBLIC;

-- C (src/ledger/pay.c): the request recorded under its key, the invoice
-- locked and checked, the transfer posted and the status moved without a
-- statement of PL/pgSQL between them.
CREATE FUNCTION pay_invoice(invoice_id bigint, amount numeric DEFAULT NULL, idempotency_key text DEFAULT NULL)
RETURNS bigint
	AS 'MODULE_PATHNAME', 'pay_invoice'
	LANGUAGE C SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp;
COMMENT ON FUNCTION pay_invoice(bigint, numeric, text) IS 'pays an invoice from the buyer''s account to the supplier''s (NULL: what remains); partial payments allowed, overpayment refused; moves it to partially_paid, or payment_sent and cashed (B2G: MISE_EN_PAIEMENT, by the accountant); idempotent by key; returns the transfer id';

CREATE FUNCTION authorize_payment(invoice_id bigint, amount numeric DEFAULT NULL, idempotency_key text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	new_id bigint := nextval('bizinvoice.payment_authorization_id_seq');
	prior jsonb := idempotent(idempotency_key, 'authorize_payment',
							  jsonb_build_object('invoice', invoice_id, 'amount', amount),
							  jsonb_build_object('authorization', new_id));
	inv invoice;
	due numeric;
	reserving numeric;
	acc account;
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'authorization')::bigint;
	END IF;
	inv := lock_invoice(invoice_id, false);
	PERFORM check_payable(inv, false);
	due := invoice_payable_now(inv.id);
	reserving := coalesce(amount, due);
	IF reserving <= 0 OR reserving <> round(reserving, 2) OR reserving > due THEN
		RAISE EXCEPTION 'cannot authorise % on invoice %', reserving, inv.id
			USING ERRCODE = '22023', DETAIL = format('%s %s may still be committed to it.', due, inv.currency);
	END IF;
	SELECT * INTO acc FROM account WHERE id = party_account(inv.buyer_id, inv.currency) FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no % account for the buyer', inv.currency USING ERRCODE = '42704';
	END IF;
	IF acc.balance - acc.reserved + acc.overdraft_limit < reserving THEN
		RAISE EXCEPTION 'insufficient funds in account %', acc.id
			USING ERRCODE = '23514',
				  DETAIL = format('%s %s to reserve, %s available.', reserving, acc.currency,
								  acc.balance - acc.reserved + acc.overdraft_limit);
	END IF;
	UPDATE account SET reserved = reserved + reserving WHERE id = acc.id;
	INSERT INTO payment_authorization (id, invoice_id, account_id, amount)
	OVERRIDING SYSTEM VALUE VALUES (new_id, inv.id, acc.id, reserving);
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION authorize_payment(bigint, numeric, text) IS 'reserves funds on the buyer''s account for an invoice (counted against its balance) until settle or void; idempotent by key; returns the authorisation id';

-- The authorisation, locked, if still open and the acting party's.
CREATE FUNCTION open_authorization(authorization_id bigint) RETURNS payment_authorization
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	a payment_authorization;
BEGIN
	SELECT * INTO a FROM payment_authorization WHERE id = authorization_id FOR UPDATE;
	IF NOT FOUND OR (SELECT party_id FROM account WHERE id = a.account_id) IS DISTINCT FROM current_party() THEN
		RAISE EXCEPTION 'authorisation % does not exist', authorization_id USING ERRCODE = '42704';
	END IF;
	IF a.state <> 'authorized' THEN
		RAISE EXCEPTION 'authorisation % is already %', authorization_id, a.state USING ERRCODE = '55000';
	END IF;
	RETURN a;
END
$$;
COMMENT ON FUNCTION open_authorization(bigint) IS 'internal: locks an open authorisation of the acting party';

CREATE FUNCTION settle(authorization_id bigint, amount numeric DEFAULT NULL, idempotency_key text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	tid bigint := next_transfer_id();
	prior jsonb := idempotent(idempotency_key, 'settle',
							  jsonb_build_object('authorization', authorization_id, 'amount', amount),
							  jsonb_build_object('transfer', tid));
	a payment_authorization;
	inv invoice;
	paying numeric;
	dues record;
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'transfer')::bigint;
	END IF;
	a := open_authorization(authorization_id);
	paying := coalesce(amount, a.amount);
	IF paying > a.amount THEN
		RAISE EXCEPTION 'cannot settle % on authorisation % of %', paying, a.id, a.amount
			USING ERRCODE = '22023';
	END IF;
	-- the invoice, then both accounts in id order, as every payment locks them
	inv := lock_invoice(a.invoice_id, false);
	PERFORM check_payable(inv, false);
	PERFORM FROM account
	WHERE id IN (a.account_id, party_account(inv.supplier_id, inv.currency))
	ORDER BY id FOR UPDATE;
	UPDATE account SET reserved = reserved - a.amount WHERE id = a.account_id;
	-- this authorisation is still open, and counted in what is committed
	dues := invoice_dues(inv.id);
	PERFORM apply_payment(tid, inv, paying, dues.outstanding, dues.payable_now + a.amount, false);
	UPDATE payment_authorization SET state = 'settled', settled_transfer = tid, resolved_at = now()
	WHERE id = a.id;
	RETURN tid;
END
$$;
COMMENT ON FUNCTION settle(bigint, numeric, text) IS 'settles an authorisation, at most once: pays the invoice the authorised amount or less, the rest released; idempotent by key; returns the transfer id';

CREATE FUNCTION void(authorization_id bigint, idempotency_key text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	prior jsonb := idempotent(idempotency_key, 'void', jsonb_build_object('authorization', authorization_id), '{}');
	a payment_authorization;
BEGIN
	IF prior IS NOT NULL THEN
		RETURN;
	END IF;
	a := open_authorization(authorization_id);
	UPDATE account SET reserved = reserved - a.amount WHERE id = a.account_id;
	UPDATE payment_authorization SET state = 'voided', resolved_at = now() WHERE id = a.id;
END
$$;
COMMENT ON FUNCTION void(bigint, text) IS 'voids an authorisation, at most once, releasing its reservation; idempotent by key';

-- CASH invoicing: the buyer schedules the payment; the platform pays on the
-- due date from the buyer's account, or marks it overdue and retries daily.
CREATE TABLE scheduled_payment (
	invoice_id bigint PRIMARY KEY REFERENCES invoice,
	scheduled_at timestamptz NOT NULL DEFAULT now(),
	scheduled_by name NOT NULL,
	attempts integer NOT NULL DEFAULT 0,
	last_attempt date,
	last_error text,
	paid_transfer bigint REFERENCES transfer,
	cancelled_at timestamptz
);
COMMENT ON TABLE scheduled_payment IS 'payments the buyer scheduled for the due date, with their attempts';

CREATE FUNCTION schedule_payment(invoice_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice := lock_invoice(invoice_id, false);
BEGIN
	PERFORM check_payable(inv, false);
	IF inv.channel <> 'B2B' OR inv.due_date IS NULL THEN
		RAISE EXCEPTION 'invoice % has no due date to pay it on', inv.id
			USING ERRCODE = '55000', HINT = 'Scheduled payments are for B2B invoices with a due date.';
	END IF;
	IF EXISTS (SELECT FROM scheduled_payment s WHERE s.invoice_id = inv.id
			   AND s.paid_transfer IS NULL AND s.cancelled_at IS NULL) THEN
		RAISE EXCEPTION 'the payment of invoice % is already scheduled', inv.id USING ERRCODE = '55000';
	END IF;
	PERFORM set_status(inv.id, 'payment_scheduled');
	INSERT INTO scheduled_payment (invoice_id, scheduled_by) VALUES (inv.id, caller_name())
	ON CONFLICT ON CONSTRAINT scheduled_payment_pkey DO UPDATE
		SET scheduled_at = now(), scheduled_by = caller_name(), attempts = 0, last_attempt = NULL,
			last_error = NULL, cancelled_at = NULL;
	RETURN 'payment_scheduled';
END
$$;
COMMENT ON FUNCTION schedule_payment(bigint) IS 'the buyer schedules the payment of an approved B2B invoice for its due date (status payment_scheduled); run_scheduled_payments pays it';

CREATE FUNCTION run_scheduled_payments(as_of date DEFAULT current_date)
RETURNS TABLE (invoice_id bigint, outcome text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	s scheduled_payment;
	inv invoice;
	dues record;
	tid bigint;
BEGIN
	FOR s IN
		SELECT sp.* FROM scheduled_payment sp JOIN invoice i ON i.id = sp.invoice_id
		WHERE sp.paid_transfer IS NULL AND sp.cancelled_at IS NULL AND i.due_date <= as_of
		  AND (sp.last_attempt IS NULL OR sp.last_attempt < as_of)
		ORDER BY i.due_date, sp.invoice_id
		FOR UPDATE OF sp SKIP LOCKED
	LOOP
		SELECT * INTO inv FROM invoice i WHERE i.id = s.invoice_id FOR UPDATE;
		invoice_id := inv.id;
		-- the buyer took the schedule back (moved the invoice on) meanwhile
		IF inv.b2b_status NOT IN ('payment_scheduled', 'overdue', 'reminded') THEN
			UPDATE scheduled_payment sp SET cancelled_at = now() WHERE sp.invoice_id = inv.id;
			outcome := 'cancelled';
			RETURN NEXT;
			CONTINUE;
		END IF;
		BEGIN
			dues := invoice_dues(inv.id);
			tid := apply_payment(next_transfer_id(), inv, dues.payable_now, dues.outstanding,
								 dues.payable_now, true);
			UPDATE scheduled_payment sp
			SET paid_transfer = tid, attempts = attempts + 1, last_attempt = as_of, last_error = NULL
			WHERE sp.invoice_id = inv.id;
			outcome := 'paid';
		EXCEPTION WHEN check_violation OR undefined_object THEN
			-- short of funds (or of an account): overdue, tried again tomorrow
			UPDATE scheduled_payment sp
			SET attempts = attempts + 1, last_attempt = as_of, last_error = SQLERRM
			WHERE sp.invoice_id = inv.id;
			IF inv.b2b_status = 'payment_scheduled' THEN
				PERFORM system_move(inv.id, 'platform', 'overdue');
			END IF;
			outcome := SQLERRM;
		END;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION run_scheduled_payments(date) IS 'pays the scheduled payments due by a date from the buyers'' accounts (as the platform); when funds are short the invoice becomes overdue and is tried again the next day; called daily by the worker (bizinvoice_admin); returns each invoice''s outcome';
-- Who sees and does what: grants, row-level security, and pg_dump.
--
-- Functions that run with raised rights (SECURITY DEFINER) pin search_path.
-- The internal functions only they call carry no SET clause: they run under
-- their caller's pinned path, and a SET clause costs each call a change of
-- configuration (a payment makes a dozen such calls: a sixth of its time).

GRANT USAGE ON SCHEMA bizinvoice TO PUBLIC;	-- the identifier types are for everyone

DO $$
BEGIN
	-- role hierarchy: admin > user > reader (once per cluster)
	IF NOT pg_has_role('bizinvoice_user', 'bizinvoice_reader', 'MEMBER') THEN
		GRANT bizinvoice_reader TO bizinvoice_user;
	END IF;
	IF NOT pg_has_role('bizinvoice_admin', 'bizinvoice_user', 'MEMBER') THEN
		GRANT bizinvoice_user TO bizinvoice_admin;
	END IF;
END
$$;

GRANT SELECT ON account, transfer, account_balances, invoice_paid TO bizinvoice_reader;
GRANT INSERT ON account TO bizinvoice_admin;
REVOKE ALL ON FUNCTION system_account(text, text), fund(bigint, numeric, text, text),
	withdraw(bigint, numeric, iban, text), pay_invoice(bigint, numeric, text),
	open_account(bigint, text, numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fund(bigint, numeric, text, text), withdraw(bigint, numeric, iban, text),
	pay_invoice(bigint, numeric, text) TO bizinvoice_user;
GRANT EXECUTE ON FUNCTION open_account(bigint, text, numeric) TO bizinvoice_admin;
-- the ledger's check needs every row: not for parties, who see their own
REVOKE ALL ON FUNCTION check_ledger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION check_ledger() TO bizinvoice_admin;
GRANT SELECT ON fee_schedule, fee_charge, fees_by_month, payment_authorization TO bizinvoice_reader;
REVOKE ALL ON FUNCTION authorize_payment(bigint, numeric, text), settle(bigint, numeric, text),
	void(bigint, text), check_payable(invoice, boolean), open_authorization(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authorize_payment(bigint, numeric, text), settle(bigint, numeric, text),
	void(bigint, text) TO bizinvoice_user;
GRANT SELECT ON scheduled_payment TO bizinvoice_reader;
REVOKE ALL ON FUNCTION schedule_payment(bigint), run_scheduled_payments(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION schedule_payment(bigint) TO bizinvoice_user;
GRANT EXECUTE ON FUNCTION run_scheduled_payments(date) TO bizinvoice_admin;
GRANT INSERT ON fee_schedule TO bizinvoice_admin;
REVOKE ALL ON FUNCTION charge_fee(bigint, text), reverse_transfer(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION charge_fee(bigint, text), reverse_transfer(bigint, text, text) TO bizinvoice_admin;

GRANT SELECT ON party, public_service, party_member, invoice, invoice_line,
	invoice_allowance_charge, invoice_vat_breakdown, invoice_note, invoice_attachment,
	status_history, chorus_outbox, status_catalog, status_transitions, invoice_status,
	status_summary, receivables_aging, inbox, outbox
	TO bizinvoice_reader;
GRANT INSERT, UPDATE, DELETE ON party, public_service, party_member TO bizinvoice_admin;

REVOKE ALL ON FUNCTION create_invoice(jsonb), submit(bigint), set_status(bigint, text, text, numeric),
	open_invoice(bigint), acknowledge(bigint), register_party(jsonb), lock_invoice(bigint, boolean),
	compute_totals(invoice) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION create_invoice(jsonb), submit(bigint),
	set_status(bigint, text, text, numeric), open_invoice(bigint) TO bizinvoice_user;
GRANT EXECUTE ON FUNCTION acknowledge(bigint) TO bizinvoice_reader;
GRANT EXECUTE ON FUNCTION register_party(jsonb), mark_overdue(date),
	chorus_record_status(bigint, text, text, text) TO bizinvoice_admin;

-- A party sees the invoices it issues or receives; bizinvoice_admin sees all.
CREATE FUNCTION is_admin() RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$ SELECT pg_has_role('bizinvoice_admin', 'USAGE') $$;
COMMENT ON FUNCTION is_admin() IS 'whether the current role acts as bizinvoice_admin';

ALTER TABLE invoice ENABLE ROW LEVEL SECURITY;
CREATE POLICY invoice_party ON invoice
	USING (supplier_id = (SELECT current_party()) OR buyer_id = (SELECT current_party())
		   OR (SELECT is_admin()));
COMMENT ON POLICY invoice_party ON invoice IS 'a party sees the invoices it issues or receives';

-- A party sees its own accounts and the transfers touching them.
ALTER TABLE account ENABLE ROW LEVEL SECURITY;
CREATE POLICY account_party ON account
	USING (party_id = (SELECT current_party()) OR (SELECT is_admin()));
COMMENT ON POLICY account_party ON account IS 'a party sees its own accounts';
ALTER TABLE transfer ENABLE ROW LEVEL SECURITY;
CREATE POLICY transfer_party ON transfer
	USING (EXISTS (SELECT FROM account a WHERE a.id IN (debit_account, credit_account)));
COMMENT ON POLICY transfer_party ON transfer IS 'a party sees the transfers touching its accounts';
ALTER TABLE idempotency_key ENABLE ROW LEVEL SECURITY;
CREATE POLICY idempotency_key_party ON idempotency_key
	USING (party_id = (SELECT current_party()) OR (SELECT is_admin()));
COMMENT ON POLICY idempotency_key_party ON idempotency_key IS 'a party sees its own requests';

ALTER TABLE party_member ENABLE ROW LEVEL SECURITY;
CREATE POLICY party_member_self ON party_member
	USING (pg_has_role(member, 'USAGE') OR (SELECT is_admin()));
COMMENT ON POLICY party_member_self ON party_member IS 'a role sees its own memberships';

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['invoice_line', 'invoice_allowance_charge', 'invoice_vat_breakdown',
							 'invoice_note', 'invoice_attachment', 'status_history', 'chorus_outbox',
							 'fee_charge', 'payment_authorization', 'scheduled_payment', 'invoice_paid']
	LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (EXISTS (SELECT FROM invoice i WHERE i.id = invoice_id))',
					   t || '_party', t);
		EXECUTE format('COMMENT ON POLICY %I ON %I IS %L', t || '_party', t,
					   'rows of the invoices the party may see');
	END LOOP;
END
$$;

-- pg_dump keeps the data of every table (the extension recreates the rest)
SELECT pg_catalog.pg_extension_config_dump('party', '');
SELECT pg_catalog.pg_extension_config_dump('public_service', '');
SELECT pg_catalog.pg_extension_config_dump('party_member', '');
SELECT pg_catalog.pg_extension_config_dump('invoice', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_line', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_allowance_charge', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_vat_breakdown', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_note', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_attachment', '');
SELECT pg_catalog.pg_extension_config_dump('status_history', '');
SELECT pg_catalog.pg_extension_config_dump('chorus_outbox', '');
-- and where the identity sequences stand, so that new ids follow restored ones
SELECT pg_catalog.pg_extension_config_dump('party_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('status_history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('account', '');
SELECT pg_catalog.pg_extension_config_dump('transfer', '');
SELECT pg_catalog.pg_extension_config_dump('idempotency_key', '');
SELECT pg_catalog.pg_extension_config_dump('fee_schedule', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('fee_charge', '');
SELECT pg_catalog.pg_extension_config_dump('payment_authorization', '');
SELECT pg_catalog.pg_extension_config_dump('payment_authorization_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('scheduled_payment', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_paid', '');
SELECT pg_catalog.pg_extension_config_dump('account_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('transfer_id_seq', '');
COMMENT ON SEQUENCE party_id_seq IS 'party ids';
COMMENT ON SEQUENCE invoice_id_seq IS 'invoice ids';
COMMENT ON SEQUENCE status_history_id_seq IS 'status history entry ids';
COMMENT ON SEQUENCE account_id_seq IS 'account ids';
COMMENT ON SEQUENCE transfer_id_seq IS 'transfer ids';
COMMENT ON SEQUENCE payment_authorization_id_seq IS 'payment authorisation ids';
-- EN 16931 documents (UBL 2.1, CII D16B): validation, import, export.
-- New in 0.2: this file is also the upgrade script from 0.1.

CREATE FUNCTION validate_invoice(document xml)
RETURNS TABLE (rule_id text, severity text, location text, message text)
	AS 'MODULE_PATHNAME', 'bizinvoice_validate_invoice' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION validate_invoice(document text)
RETURNS TABLE (rule_id text, severity text, location text, message text)
	AS 'MODULE_PATHNAME', 'bizinvoice_validate_invoice' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION validate_invoice(document bytea)
RETURNS TABLE (rule_id text, severity text, location text, message text)
	AS 'MODULE_PATHNAME', 'bizinvoice_validate_invoice' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION validate_invoice(xml) IS 'the EN 16931 rules a UBL or CII invoice breaks: rule, fatal or warning, XPath, message';
COMMENT ON FUNCTION validate_invoice(text) IS 'the EN 16931 rules a UBL or CII invoice (as text) breaks: rule, fatal or warning, XPath, message';
COMMENT ON FUNCTION validate_invoice(bytea) IS 'the EN 16931 rules a UBL or CII invoice file breaks (its encoding declaration followed): rule, fatal or warning, XPath, message';

CREATE FUNCTION read_invoice_document(document xml) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bizinvoice_read_invoice' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION read_invoice_document(document text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bizinvoice_read_invoice' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION read_invoice_document(document bytea) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bizinvoice_read_invoice' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION read_invoice_document(xml) IS 'internal: a UBL or CII invoice as create_invoice and register_party documents, with what was not mapped and the rule findings';
COMMENT ON FUNCTION read_invoice_document(text) IS 'internal: a UBL or CII invoice (as text) as create_invoice and register_party documents, with what was not mapped and the rule findings';
COMMENT ON FUNCTION read_invoice_document(bytea) IS 'internal: a UBL or CII invoice file as create_invoice and register_party documents, with what was not mapped and the rule findings';

CREATE FUNCTION invoice_xml(document jsonb, format text) RETURNS xml
	AS 'MODULE_PATHNAME', 'bizinvoice_invoice_xml' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice_xml(jsonb, text) IS 'internal: writes an invoice_document() as UBL 2.1 (ubl) or CII D16B (cii)';

-- What documents from other platforms carry that 0.1 did not hold.
ALTER TABLE party ADD COLUMN identifier text, ADD COLUMN identifier_scheme text;
COMMENT ON COLUMN party.identifier IS 'an identifier of another scheme than SIRET or SIREN (BT-29/46/60: a GLN, a foreign registration number)';
COMMENT ON COLUMN party.identifier_scheme IS 'the ISO 6523 scheme of identifier (0088 GLN, ...), if given';
ALTER TABLE invoice ADD COLUMN payment_account text;
COMMENT ON COLUMN invoice.payment_account IS 'BT-84 of an imported document when it is not a valid IBAN (kept as received; payments use payment_iban)';

CREATE TABLE invoice_source (
	invoice_id bigint PRIMARY KEY REFERENCES invoice ON DELETE CASCADE,
	syntax text NOT NULL CHECK (syntax IN ('ubl', 'cii')),
	document bytea NOT NULL,
	sha256 bytea GENERATED ALWAYS AS (sha256(document)) STORED,
	not_mapped text[] NOT NULL,
	findings jsonb NOT NULL,
	imported_at timestamptz NOT NULL DEFAULT now(),
	imported_by name NOT NULL DEFAULT current_user
);
COMMENT ON TABLE invoice_source IS 'the XML document an invoice was imported from, as received, with what the import did not map and the warnings it had';
COMMENT ON COLUMN invoice_source.not_mapped IS 'XPaths of the document''s elements whose values the invoice model does not hold';

-- A party of an imported document: found by SIRET, else (never as the party
-- named other: the seller, for the buyer) by SIREN, VAT id, another scheme's
-- identifier, or name and country among parties with none of those; else
-- registered as a company.
-- Identifiers that fail their check digits are dropped, with a warning: a
-- third party's document is not ours to refuse for them.
CREATE FUNCTION import_party(doc jsonb, role text, register boolean, other bigint,
							 INOUT warnings text[], OUT party_id bigint)
LANGUAGE plpgsql
AS $$
DECLARE
	kind text;
	ok boolean;
	clean jsonb := doc;
BEGIN
	IF doc IS NULL THEN
		RETURN;
	END IF;
	FOREACH kind IN ARRAY ARRAY['siret', 'siren', 'vat_id'] LOOP
		IF doc ? kind THEN
			ok := CASE kind WHEN 'siret' THEN is_valid_siret(doc->>kind)
							WHEN 'siren' THEN is_valid_siren(doc->>kind)
							ELSE is_valid_vat_id(doc->>kind) END;
			IF NOT ok THEN
				warnings := warnings || format('the %s''s %s %s is not valid and was not kept', role, kind, doc->>kind);
				clean := clean - kind;
			END IF;
		END IF;
	END LOOP;
	-- a SIRET names its SIREN
	IF clean ? 'siret' AND clean ? 'siren' AND left(clean->>'siret', 9) <> (clean->>'siren')::siren::text THEN
		warnings := warnings || format('the %s''s SIREN %s is not that of its SIRET %s; the SIRET was kept',
									   role, clean->>'siren', clean->>'siret');
		clean := clean - 'siren';
	END IF;
	SELECT p.id INTO party_id FROM party p
	WHERE (clean ? 'siret' AND p.siret = (clean->>'siret')::siret)
	ORDER BY p.id LIMIT 1;
	IF party_id IS NULL AND clean ? 'siren' THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.siren = (clean->>'siren')::siren AND p.siret IS NULL AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND clean ? 'vat_id' AND NOT clean ? 'siret' THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.vat_id = (clean->>'vat_id')::vat_id AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND clean ? 'identifier' AND NOT (clean ?| ARRAY['siret', 'siren', 'vat_id']) THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.identifier = clean->>'identifier'
		  AND p.identifier_scheme IS NOT DISTINCT FROM clean->>'identifier_scheme'
		  AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND NOT (clean ?| ARRAY['siret', 'siren', 'vat_id', 'identifier']) THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.name = clean->>'name' AND p.country_code = coalesce(clean->>'country_code', 'FR')
		  AND p.siret IS NULL AND p.siren IS NULL AND p.vat_id IS NULL
		  AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND register THEN
		INSERT INTO party (kind, name, siren, siret, vat_id, identifier, identifier_scheme,
						   address_line1, address_line2, postal_code, city, country_code, email)
		VALUES ('company', clean->>'name',
				coalesce((clean->>'siren')::siren, (clean->>'siret')::siret::siren),
				(clean->>'siret')::siret, (clean->>'vat_id')::vat_id,
				clean->>'identifier', clean->>'identifier_scheme',
				clean->>'address_line1', clean->>'address_line2', clean->>'postal_code',
				clean->>'city', coalesce(upper(clean->>'country_code'), 'FR'),
				CASE WHEN clean->>'email' ~ '^[^@[:space:]]+@[^@[:space:]]+$' THEN clean->>'email' END)
		RETURNING id INTO party_id;
		warnings := warnings || format('the %s %s was registered as party %s', role,
									   quote_literal(clean->>'name'), party_id);
	END IF;
END
$$;
COMMENT ON FUNCTION import_party(jsonb, text, boolean, bigint, text[]) IS 'internal: the party an imported document names, registered when unknown and asked to';

CREATE FUNCTION import_read(r jsonb, source bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	acting bigint := current_party();
	warnings text[] := '{}';
	fatal text;
	seller bigint;
	buyer bigint;
	payee bigint;
	doc jsonb := r->'invoice';
	account text;
	new_id bigint;
BEGIN
	SELECT string_agg(format('%s at %s: %s', f->>'rule', f->>'location', f->>'message'), E'\n'
					  ORDER BY i)
	INTO fatal
	FROM jsonb_array_elements(r->'findings') WITH ORDINALITY AS e(f, i)
	WHERE f->>'severity' = 'fatal';
	IF fatal IS NOT NULL THEN
		RAISE EXCEPTION 'invoice document breaks EN 16931 rules'
			USING ERRCODE = '22023', DETAIL = fatal,
				  HINT = 'bizinvoice.validate_invoice() lists every finding.';
	END IF;
	IF acting IS NULL AND NOT caller_has_role('bizinvoice_admin') THEN
		RAISE EXCEPTION 'no party is acting'
			USING ERRCODE = '42501', HINT = 'Call bizinvoice.act_as(party) first.';
	END IF;

	SELECT s.party_id, s.warnings INTO seller, warnings
	FROM import_party(r->'seller', 'seller', acting IS NULL, NULL, warnings) s;
	IF acting IS NOT NULL AND seller IS DISTINCT FROM acting THEN
		RAISE EXCEPTION 'the seller of the invoice document is not the acting party'
			USING ERRCODE = '42501',
				  DETAIL = format('The document''s seller %s is %s; party %s is acting.',
								  r->'seller', coalesce('party ' || seller, 'not a registered party'), acting),
				  HINT = 'A party imports its own invoices: act as the seller.';
	END IF;
	SELECT b.party_id, b.warnings INTO buyer, warnings
	FROM import_party(r->'buyer', 'buyer', true, seller, warnings) b;
	SELECT p.party_id, p.warnings INTO payee, warnings
	FROM import_party(r->'payee', 'payee', true, seller, warnings) p;

	account := doc #>> '{payment,iban}';
	IF account IS NOT NULL AND NOT is_valid_iban(account) THEN
		warnings := warnings || format('the payment account %s is not a valid IBAN: kept as received, not for payments', account);
		doc := doc #- '{payment,iban}';
	ELSE
		account := NULL;
	END IF;
	IF doc #>> '{payment,bic}' IS NOT NULL AND NOT is_valid_bic(doc #>> '{payment,bic}') THEN
		warnings := warnings || format('the BIC %s is not valid and was not kept', doc #>> '{payment,bic}');
		doc := doc #- '{payment,bic}';
	END IF;
	doc := doc || jsonb_build_object('buyer', buyer, 'payee', payee);

	IF acting IS NULL THEN
		-- an administrator imports for the seller, for this call only (an
		-- error undoes it with the (sub)transaction it aborts)
		PERFORM act_as(seller, true);
		new_id := create_invoice(doc);
		PERFORM act_as(NULL, true);
	ELSE
		new_id := create_invoice(doc);
	END IF;
	IF account IS NOT NULL THEN
		UPDATE invoice SET payment_account = account WHERE id = new_id;
	END IF;
	INSERT INTO invoice_source (invoice_id, syntax, document, not_mapped, findings)
	VALUES (new_id, r->>'syntax', source,
			ARRAY(SELECT jsonb_array_elements_text(r->'not_mapped')), r->'findings');

	warnings := warnings || ARRAY(SELECT format('%s at %s: %s', f->>'rule', f->>'location', f->>'message')
								  FROM jsonb_array_elements(r->'findings') f);
	IF cardinality(warnings) > 0 THEN
		RAISE WARNING 'invoice % imported with % warnings', new_id, cardinality(warnings)
			USING DETAIL = array_to_string(warnings, E'\n');
	END IF;
	IF jsonb_array_length(r->'not_mapped') > 0 THEN
		RAISE NOTICE 'invoice %: % elements of the document are not held by the invoice model', new_id,
			jsonb_array_length(r->'not_mapped')
			USING DETAIL = (SELECT string_agg(p, E'\n') FROM jsonb_array_elements_text(r->'not_mapped') p),
				  HINT = 'The document is kept as received in bizinvoice.invoice_source.';
	END IF;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION import_read(jsonb, bytea) IS 'internal: creates the draft of a read invoice document, refusing fatal findings and registering unknown parties';

-- plpgsql, not sql: a SECURITY DEFINER sql function is planned again at
-- every call
CREATE FUNCTION import_invoice(document xml) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$ BEGIN RETURN import_read(read_invoice_document(document), convert_to(document::text, 'UTF8')); END $$;
CREATE FUNCTION import_invoice(document text) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$ BEGIN RETURN import_read(read_invoice_document(document), convert_to(document, 'UTF8')); END $$;
COMMENT ON FUNCTION import_invoice(xml) IS 'creates a draft invoice from a UBL 2.1 Invoice or CreditNote or a CII D16B document; returns its id';
COMMENT ON FUNCTION import_invoice(text) IS 'creates a draft invoice from a UBL or CII document given as text; returns its id';
-- import_invoice(bytea), which takes Factur-X PDFs too: src/sql/facturx.sql

CREATE FUNCTION party_document(party_id bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'name', name, 'siren', siren, 'siret', siret, 'vat_id', vat_id,
		'identifier', identifier, 'identifier_scheme', identifier_scheme,
		'address_line1', address_line1, 'address_line2', address_line2,
		'postal_code', postal_code, 'city', city, 'country_code', country_code, 'email', email))
	FROM party WHERE id = party_id
$$;
COMMENT ON FUNCTION party_document(bigint) IS 'internal: a party as register_party''s document, for writing invoices';

-- The invoice as create_invoice's document, with its parties, VAT breakdown
-- and totals: what the writers read, and what a round trip compares.
-- plpgsql, whose body is not checked at creation: the install script defines
-- it before the columns of 0.4 (src/sql/delivery.sql) exist
CREATE FUNCTION invoice_document(invoice_id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	RETURN (SELECT jsonb_strip_nulls(jsonb_build_object(
		'number', i.number, 'issue_date', i.issue_date, 'type_code', i.type_code,
		'currency', i.currency, 'due_date', i.due_date,
		'buyer_reference', i.buyer_reference, 'purchase_order', i.purchase_order,
		'contract_reference', i.contract_reference,
		'preceding_invoice', CASE WHEN i.preceding_number IS NOT NULL THEN
			jsonb_build_object('number', i.preceding_number, 'issue_date', i.preceding_issue_date) END,
		'payment', jsonb_build_object('means_code', i.payment_means_code,
									  'iban', coalesce(i.payment_iban::text, i.payment_account),
									  'bic', i.payment_bic, 'terms', i.payment_terms),
		'invoicing_period', CASE WHEN coalesce(i.period_start, i.period_end) IS NOT NULL THEN
			jsonb_build_object('start_date', i.period_start, 'end_date', i.period_end) END,
		'delivery', CASE WHEN coalesce(i.delivery_date::text, i.deliver_to_name, i.deliver_to_country) IS NOT NULL
			THEN jsonb_build_object('date', i.delivery_date, 'name', i.deliver_to_name,
									'country', i.deliver_to_country) END,
		'seller', party_document(i.supplier_id), 'buyer', party_document(i.buyer_id),
		'payee', party_document(i.payee_id),
		'notes', (SELECT jsonb_agg(jsonb_build_object('subject_code', subject_code, 'text', content)
								   ORDER BY seq)
				  FROM invoice_note n WHERE n.invoice_id = i.id),
		'lines', (SELECT jsonb_agg(jsonb_build_object(
						'id', line_id, 'item_name', item_name, 'description', description,
						'quantity', quantity, 'unit_code', unit_code, 'net_price', net_price,
						'base_quantity', base_quantity, 'allowance_amount', allowance_amount,
						'charge_amount', charge_amount, 'vat_category', vat_category,
						'vat_rate', vat_rate, 'net_amount', net_amount) ORDER BY line_no)
				  FROM invoice_line l WHERE l.invoice_id = i.id),
		'allowances', (SELECT jsonb_agg(jsonb_build_object('amount', amount, 'vat_category', vat_category,
										'vat_rate', vat_rate, 'reason', reason, 'reason_code', reason_code)
										ORDER BY seq)
					   FROM invoice_allowance_charge a WHERE a.invoice_id = i.id AND NOT is_charge),
		'charges', (SELECT jsonb_agg(jsonb_build_object('amount', amount, 'vat_category', vat_category,
									 'vat_rate', vat_rate, 'reason', reason, 'reason_code', reason_code)
									 ORDER BY seq)
					FROM invoice_allowance_charge a WHERE a.invoice_id = i.id AND is_charge),
		'vat_breakdown', (SELECT jsonb_agg(jsonb_build_object(
								'vat_category', vat_category, 'vat_rate', vat_rate,
								'taxable_amount', taxable_amount, 'tax_amount', tax_amount,
								'exemption_reason', exemption_reason)
								ORDER BY vat_category, vat_rate)
						  FROM invoice_vat_breakdown v WHERE v.invoice_id = i.id),
		'prepaid_amount', i.prepaid_amount, 'rounding_amount', i.rounding_amount,
		'totals', jsonb_build_object(
			'line_total', i.line_total, 'allowance_total', i.allowance_total,
			'charge_total', i.charge_total, 'tax_exclusive_total', i.tax_exclusive_total,
			'vat_total', i.vat_total, 'tax_inclusive_total', i.tax_inclusive_total,
			'payable_amount', i.payable_amount)))
	FROM invoice i WHERE i.id = invoice_document.invoice_id);
END
$$;
COMMENT ON FUNCTION invoice_document(bigint) IS 'internal: an invoice as create_invoice''s document with its parties, VAT breakdown and totals';

CREATE FUNCTION export_invoice(invoice_id bigint, format text DEFAULT 'ubl') RETURNS xml
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice;
	p bigint := current_party();
BEGIN
	SELECT * INTO inv FROM invoice i WHERE i.id = invoice_id;
	-- an invoice of other parties does not exist for this one
	IF NOT FOUND OR NOT (inv.supplier_id = p OR inv.buyer_id = p
						 OR (p IS NULL AND caller_has_role('bizinvoice_admin'))) THEN
		RAISE EXCEPTION 'invoice % does not exist', invoice_id USING ERRCODE = '42704';
	END IF;
	IF inv.submitted_at IS NULL THEN
		RAISE EXCEPTION 'invoice % is a draft', invoice_id
			USING ERRCODE = '55000',
				  DETAIL = 'Its totals and VAT breakdown are computed when it is submitted.',
				  HINT = 'Submit it first with bizinvoice.submit().';
	END IF;
	RETURN invoice_xml(invoice_document(inv.id), lower(format));
END
$$;
COMMENT ON FUNCTION export_invoice(bigint, text) IS 'a submitted invoice as an EN 16931 document: UBL 2.1 (ubl, the default) or CII D16B (cii), with the Chorus Pro fields';

REVOKE ALL ON FUNCTION import_party(jsonb, text, boolean, bigint, text[]), import_read(jsonb, bytea),
	invoice_document(bigint), party_document(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION import_invoice(xml), import_invoice(text), export_invoice(bigint, text)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION import_invoice(xml), import_invoice(text), export_invoice(bigint, text)
	TO bizinvoice_user;
GRANT SELECT ON invoice_source TO bizinvoice_reader;
ALTER TABLE invoice_source ENABLE ROW LEVEL SECURITY;
CREATE POLICY invoice_source_party ON invoice_source USING (EXISTS (SELECT FROM invoice i WHERE i.id = invoice_id));
COMMENT ON POLICY invoice_source_party ON invoice_source IS 'rows of the invoices the party may see';
SELECT pg_catalog.pg_extension_config_dump('invoice_source', '');
-- Chorus Pro transmission: each B2G invoice's way through Chorus Pro, the
-- structure directory as last seen, the credentials, and the state machine
-- the background worker drives.  New in 0.3: this file is also the upgrade
-- script from 0.2.
--
-- The worker (src/worker/) is a generic HTTP executor: chorus_claim() hands
-- it the requests that are due, chorus_answer() takes each answer and may
-- hand back the next request of the same job.  Everything Chorus-specific
-- about what to ask and what an answer means lives here, in one place.

-- What the worker knows of each transmission.  States:
--   queued     waits for the directory check and the deposit
--   sending    deposit committed as started: if the worker dies now, the
--              deposit is in doubt
--   in_doubt   a deposit may have reached Chorus Pro: searched by number
--              before any new deposit
--   deposited  flux number known, the flux report is followed
--   integrated the flux is integrated, the invoice's Chorus id is searched
--   following  its status history is followed until a final status
--   done       final status reached
--   refused    refused before sending (directory check), never sent
--   rejected   the flux was rejected by Chorus Pro (its message in last_error)
--   failed     permanent error or retries exhausted before any deposit
ALTER TABLE chorus_outbox
	ADD COLUMN state text NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'sending', 'in_doubt', 'deposited', 'integrated', 'following',
						 'done', 'refused', 'rejected', 'failed')),
	ADD COLUMN attempts integer NOT NULL DEFAULT 0,
	ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
	ADD COLUMN sending_since timestamptz,
	ADD COLUMN last_error text,
	ADD COLUMN flux_number text UNIQUE,
	ADD COLUMN flux_state text,
	ADD COLUMN deposits integer NOT NULL DEFAULT 0,
	ADD COLUMN chorus_id bigint UNIQUE,
	ADD COLUMN chorus_status text,
	ADD COLUMN history_seen bigint NOT NULL DEFAULT 0,
	ADD COLUMN fee_transfer bigint,
	ADD COLUMN supplier_action jsonb,
	ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE FUNCTION chorus_touch() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
COMMENT ON FUNCTION chorus_touch() IS 'trigger: a transmission''s updated_at is the time of its last change';
CREATE TRIGGER chorus_touch BEFORE UPDATE ON chorus_outbox
	FOR EACH ROW EXECUTE FUNCTION chorus_touch();
CREATE INDEX chorus_outbox_due ON chorus_outbox (next_attempt_at)
	WHERE state IN ('queued', 'in_doubt', 'deposited', 'integrated', 'following');
COMMENT ON COLUMN chorus_outbox.state IS 'queued, sending, in_doubt, deposited, integrated, following, done, refused, rejected or failed';
COMMENT ON COLUMN chorus_outbox.sending_since IS 'when the last deposit started: an in-doubt deposit is searched for until bizinvoice.chorus_doubt_window after it';
COMMENT ON COLUMN chorus_outbox.deposits IS 'deposits Chorus Pro acknowledged with a flux number';
COMMENT ON COLUMN chorus_outbox.history_seen IS 'the last Chorus Pro status history entry (histoStatutId) applied';
COMMENT ON COLUMN chorus_outbox.supplier_action IS 'the supplier''s answer to a return, for the worker to send: {"step": "recycle" or "complete", "body": ...}';
COMMENT ON COLUMN chorus_outbox.fee_transfer IS 'the ledger transfer of the transmission fee, once charged';

-- Credentials: superusers only (no grant, RLS on with no policy for others).
CREATE TABLE chorus_credential (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),
	client_id text NOT NULL,
	client_secret text NOT NULL,
	login text NOT NULL,
	password text NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON chorus_credential FROM PUBLIC;
ALTER TABLE chorus_credential ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE chorus_credential IS 'the PISTE application and Chorus Pro technical user the worker signs in with; readable by superusers only';

CREATE FUNCTION chorus_set_credentials(client_id text, client_secret text, login text, password text)
RETURNS void
LANGUAGE sql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
	INSERT INTO chorus_credential AS c (client_id, client_secret, login, password)
	VALUES (client_id, client_secret, login, password)
	ON CONFLICT (id) DO UPDATE
	SET client_id = excluded.client_id, client_secret = excluded.client_secret,
		login = excluded.login, password = excluded.password, updated_at = now();
$$;
REVOKE ALL ON FUNCTION chorus_set_credentials(text, text, text, text) FROM PUBLIC;
COMMENT ON FUNCTION chorus_set_credentials(text, text, text, text) IS 'stores the PISTE client id and secret and the Chorus Pro technical login and password (superusers; the worker picks them up on its next sign-in)';

-- The Chorus Pro structure directory, as last seen by the worker.
CREATE TABLE chorus_structure (
	siret siret PRIMARY KEY,
	structure_id bigint,
	requires_service_code boolean NOT NULL DEFAULT false,
	requires_engagement boolean NOT NULL DEFAULT false,
	requires_either boolean NOT NULL DEFAULT false,
	refreshed_at timestamptz,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	attempts integer NOT NULL DEFAULT 0,
	last_error text
);
COMMENT ON TABLE chorus_structure IS 'public structures as the Chorus Pro directory showed them (structure_id NULL: not on Chorus Pro); refreshed by the worker';
COMMENT ON COLUMN chorus_structure.requires_either IS 'invoices must carry a service code or a legal commitment number';
COMMENT ON COLUMN chorus_structure.refreshed_at IS 'when the directory was last read completely (NULL: never)';

CREATE TABLE chorus_service (
	siret siret NOT NULL REFERENCES chorus_structure ON DELETE CASCADE,
	code text NOT NULL,
	name text,
	active boolean NOT NULL,
	PRIMARY KEY (siret, code)
);
COMMENT ON TABLE chorus_service IS 'the services of each structure in the Chorus Pro directory';

-- Why Chorus Pro would send this invoice back, going by the directory as
-- last seen (NULL: nothing known against it; unknown: not seen yet).
CREATE FUNCTION chorus_route_problem(inv invoice) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	buyer party;
	s chorus_structure;
BEGIN
	IF inv.buyer_reference = 'FACTURES_PUBLIQUES' THEN
		RETURN 'Service code FACTURES_PUBLIQUES is reserved for invoices between public bodies.';
	END IF;
	IF length(inv.purchase_order) > 50 THEN
		RETURN format('Legal commitment number "%s" is longer than the 50 characters Chorus Pro takes.',
					  inv.purchase_order);
	END IF;
	SELECT * INTO buyer FROM party WHERE id = inv.buyer_id;
	SELECT * INTO s FROM chorus_structure c WHERE c.siret = buyer.siret AND c.refreshed_at IS NOT NULL;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF s.structure_id IS NULL THEN
		RETURN format('%s (SIRET %s) is not a structure of the Chorus Pro directory.', buyer.name, buyer.siret);
	END IF;
	IF s.requires_service_code AND inv.buyer_reference IS NULL THEN
		RETURN format('%s requires a service code ("buyer_reference", BT-10) on Chorus Pro.', buyer.name);
	END IF;
	IF s.requires_engagement AND inv.purchase_order IS NULL THEN
		RETURN format('%s requires a legal commitment number ("purchase_order", BT-13) on Chorus Pro.', buyer.name);
	END IF;
	IF s.requires_either AND inv.buyer_reference IS NULL AND inv.purchase_order IS NULL THEN
		RETURN format('%s requires a service code (BT-10) or a legal commitment number (BT-13) on Chorus Pro.',
					  buyer.name);
	END IF;
	IF inv.buyer_reference IS NOT NULL AND NOT EXISTS (
		SELECT FROM chorus_service v
		WHERE v.siret = s.siret AND v.code = inv.buyer_reference AND v.active) THEN
		RETURN format('"%s" is not an active service of %s in the Chorus Pro directory.',
					  inv.buyer_reference, buyer.name);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION chorus_route_problem(invoice) IS 'internal: why Chorus Pro would send the invoice back, by the directory as last seen; NULL if nothing is known against it';

CREATE FUNCTION chorus_worker_database() RETURNS text
	AS 'MODULE_PATHNAME', 'chorus_worker_database' LANGUAGE C STABLE;
COMMENT ON FUNCTION chorus_worker_database() IS 'the database the Chorus Pro worker serves, NULL when no worker runs (not preloaded, or bizinvoice.chorus_database unset)';

CREATE FUNCTION chorus_wake_worker() RETURNS void
	AS 'MODULE_PATHNAME', 'chorus_wake_worker' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION chorus_wake_worker() IS 'internal: wakes the Chorus Pro worker when this transaction commits';
REVOKE ALL ON FUNCTION chorus_wake_worker() FROM PUBLIC;

-- Submitting: refused at once when the directory already says why, and
-- told when no worker will send it.
CREATE FUNCTION chorus_enqueue() RETURNS trigger
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	problem text := chorus_route_problem((SELECT i FROM invoice i WHERE i.id = NEW.invoice_id));
	worker text := chorus_worker_database();
BEGIN
	IF problem IS NOT NULL THEN
		RAISE EXCEPTION 'invoice % cannot be sent to Chorus Pro', NEW.invoice_id
			USING ERRCODE = '22023', DETAIL = problem;
	END IF;
	IF worker IS NULL THEN
		RAISE WARNING 'nothing will send invoice % to Chorus Pro', NEW.invoice_id
			USING DETAIL = 'The bizinvoice worker does not run: bizinvoice is not in shared_preload_libraries, or bizinvoice.chorus_database is not set.',
				  HINT = 'The invoice stays queued until a worker serves this database.';
	ELSIF worker <> current_database() THEN
		RAISE WARNING 'nothing will send invoice % to Chorus Pro', NEW.invoice_id
			USING DETAIL = format('The bizinvoice worker serves database "%s", not "%s".', worker, current_database()),
				  HINT = 'The invoice stays queued until a worker serves this database.';
	ELSE
		PERFORM chorus_wake_worker();
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION chorus_enqueue() IS 'trigger: refuses an invoice the Chorus Pro directory already refuses; warns when no worker will send it, else wakes it at commit';
CREATE TRIGGER chorus_enqueue BEFORE INSERT ON chorus_outbox
	FOR EACH ROW EXECUTE FUNCTION chorus_enqueue();

-- The Chorus Pro state machine the worker drives: which request is due for
-- each job ("invoice:<id>" or "siret:<siret>" for a directory read), and
-- what each answer means.  Called by the worker only.

CREATE FUNCTION chorus_setting(name text) RETURNS interval
	LANGUAGE sql STABLE
	AS $$ SELECT pg_catalog.current_setting('bizinvoice.chorus_' || name)::interval $$;
COMMENT ON FUNCTION chorus_setting(text) IS 'internal: a bizinvoice.chorus_* duration setting as an interval';

-- Exponential backoff with jitter: half the delay fixed, half random.
CREATE FUNCTION chorus_backoff(attempts integer) RETURNS timestamptz
	LANGUAGE sql VOLATILE SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$
	SELECT now() + least(chorus_setting('retry_max'),
						 chorus_setting('retry_base') * power(2, least(greatest(attempts, 1) - 1, 30)))
				   * (0.5 + random() / 2)
	$$;
COMMENT ON FUNCTION chorus_backoff(integer) IS 'internal: when to try again after this many failed attempts (exponential, capped by bizinvoice.chorus_retry_max, with jitter)';

-- A list an answer carries, or an empty one when it is absent or not a list.
CREATE FUNCTION chorus_list(value jsonb) RETURNS jsonb
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT CASE jsonb_typeof(value) WHEN 'array' THEN value ELSE '[]' END $$;
COMMENT ON FUNCTION chorus_list(jsonb) IS 'internal: a JSON array of an answer, or [] when it is absent or not an array';

CREATE FUNCTION chorus_request(for_job text, for_step text, request jsonb,
							   OUT job text, OUT step text, OUT path text, OUT body jsonb)
	LANGUAGE sql IMMUTABLE
	AS $$
	SELECT for_job, for_step,
		   CASE for_step
			   WHEN 'structure' THEN '/cpro/structures/v1/rechercher'
			   WHEN 'parameters' THEN '/cpro/structures/v1/consulter'
			   WHEN 'services' THEN '/cpro/structures/v1/rechercher/services'
			   WHEN 'deposit' THEN '/cpro/factures/v1/deposer/flux'
			   WHEN 'report' THEN '/cpro/transverses/v1/consulterCRDetaille'
			   WHEN 'find' THEN '/cpro/factures/v1/rechercher/fournisseur'
			   WHEN 'doubt' THEN '/cpro/factures/v1/rechercher/fournisseur'
			   WHEN 'history' THEN '/cpro/factures/v1/consulter/historique'
			   -- the supplier's answers to A_RECYCLER and SUSPENDUE
			   WHEN 'recycle' THEN '/cpro/factures/v1/recycler'
			   WHEN 'complete' THEN '/cpro/factures/v1/completer'
		   END,
		   request
	$$;
COMMENT ON FUNCTION chorus_request(text, text, jsonb) IS 'internal: a request of a step, with the API path it goes to';

-- A supplier-side search, one page: by the invoice's number when its deposit
-- is in doubt, by its flux once integrated.
CREATE FUNCTION chorus_search(id bigint, search text, page integer,
							  OUT job text, OUT step text, OUT path text, OUT body jsonb)
	LANGUAGE sql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$
	SELECT r.*
	FROM chorus_outbox o JOIN invoice i ON i.id = o.invoice_id,
		 chorus_request('invoice:' || o.invoice_id, search,
			CASE search WHEN 'doubt' THEN jsonb_build_object('numeroFacture', i.number)
						ELSE jsonb_build_object('numeroFluxDepot', o.flux_number) END
			|| jsonb_build_object('rechercheFactureParFournisseur',
				jsonb_build_object('nbResultatsParPage', 100, 'pageResultatDemandee', page,
								   'triColonne', 'IdentifiantFacture', 'triSens', 'Descendant'))) r
	WHERE o.invoice_id = chorus_search.id
	$$;
COMMENT ON FUNCTION chorus_search(bigint, text, integer) IS 'internal: one page of the search for an invoice on Chorus Pro: by number (doubt) or by flux (find)';

CREATE FUNCTION chorus_deposit_body(inv invoice) RETURNS jsonb
	LANGUAGE sql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$
	SELECT jsonb_build_object(
		'fichierFlux', translate(encode(convert_to(invoice_xml(invoice_document(inv.id), 'ubl')::text,
												   'UTF8'), 'base64'), E'\n', ''),
		'nomFichier', left(regexp_replace(inv.number, '[^A-Za-z0-9._-]', '_', 'g'), 190) || '.xml',
		'syntaxeFlux', 'IN_DP_E1_UBL_INVOICE',
		'avecSignature', false)
	$$;
COMMENT ON FUNCTION chorus_deposit_body(invoice) IS 'internal: the deposit of an invoice as one UBL flux';

-- After a crash or restart, a deposit that was started may have reached
-- Chorus Pro: it is searched for before any new deposit.
CREATE FUNCTION chorus_recover() RETURNS integer
	LANGUAGE sql SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$
	WITH moved AS (
		UPDATE chorus_outbox
		SET state = 'in_doubt', next_attempt_at = now(),
			last_error = 'the worker stopped during the deposit: searching Chorus Pro before any new deposit'
		WHERE state = 'sending' RETURNING 1)
	SELECT count(*)::integer FROM moved
	$$;
COMMENT ON FUNCTION chorus_recover() IS 'internal: at the worker''s start, deposits it may have left half-done become in doubt; returns how many';

CREATE FUNCTION chorus_claim(max_jobs integer, busy text[])
RETURNS TABLE (job text, step text, path text, body jsonb)
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	ttl CONSTANT interval := chorus_setting('directory_ttl');
	s text;
	o chorus_outbox;
	inv invoice;
	problem text;
	n integer := 0;
BEGIN
	-- the directory first: one read per structure due for one that queued
	-- invoices go to (from the structures, not the queue: a long queue of
	-- invoices to fresh entries costs nothing here)
	FOR s IN
		SELECT p.siret::text
		FROM party p
		LEFT JOIN chorus_structure c ON c.siret = p.siret
		WHERE p.kind = 'public_structure' AND p.delivery = 'chorus'
		  AND (c.siret IS NULL
			   OR ((c.refreshed_at IS NULL OR c.refreshed_at < now() - ttl) AND c.next_attempt_at <= now()))
		  AND NOT ('siret:' || p.siret) = ANY (busy)
		  AND EXISTS (SELECT FROM invoice i JOIN chorus_outbox q ON q.invoice_id = i.id
					  WHERE i.buyer_id = p.id AND q.state = 'queued')
		LIMIT max_jobs
	LOOP
		INSERT INTO chorus_structure (siret) VALUES (s::siret) ON CONFLICT DO NOTHING;
		RETURN QUERY SELECT * FROM chorus_request('siret:' || s, 'structure',
			jsonb_build_object('structure', jsonb_build_object('identifiantStructure', s,
															   'typeIdentifiantStructure', 'SIRET')));
		n := n + 1;
	END LOOP;

	FOR o IN
		SELECT q.* FROM chorus_outbox q
		WHERE q.state IN ('queued', 'in_doubt', 'deposited', 'integrated', 'following')
		  AND q.next_attempt_at <= now()
		  AND NOT ('invoice:' || q.invoice_id) = ANY (busy)
		  -- a deposit waits for a fresh directory entry of its buyer
		  AND (q.state <> 'queued' OR EXISTS (
				SELECT FROM invoice i JOIN party p ON p.id = i.buyer_id
				JOIN chorus_structure c ON c.siret = p.siret
				WHERE i.id = q.invoice_id AND c.refreshed_at >= now() - ttl))
		ORDER BY q.next_attempt_at
		LIMIT greatest(max_jobs - n, 0)
		FOR UPDATE OF q SKIP LOCKED
	LOOP
		SELECT * INTO inv FROM invoice i WHERE i.id = o.invoice_id;
		CASE o.state
			WHEN 'queued' THEN
				problem := chorus_route_problem(inv);
				IF problem IS NOT NULL THEN
					UPDATE chorus_outbox SET state = 'refused', last_error = problem
					WHERE invoice_id = o.invoice_id;
					CONTINUE;
				END IF;
				-- committed before the request leaves: from here the deposit may be in doubt
				UPDATE chorus_outbox SET state = 'sending', sending_since = now()
				WHERE invoice_id = o.invoice_id;
				RETURN QUERY SELECT * FROM chorus_request('invoice:' || o.invoice_id, 'deposit',
														  chorus_deposit_body(inv));
			WHEN 'in_doubt' THEN
				RETURN QUERY SELECT * FROM chorus_search(o.invoice_id, 'doubt', 1);
			WHEN 'deposited' THEN
				RETURN QUERY SELECT * FROM chorus_request('invoice:' || o.invoice_id, 'report',
					jsonb_build_object('numeroFluxDepot', o.flux_number));
			WHEN 'integrated' THEN
				RETURN QUERY SELECT * FROM chorus_search(o.invoice_id, 'find', 1);
			WHEN 'following' THEN
				IF o.supplier_action IS NOT NULL THEN
					RETURN QUERY SELECT * FROM chorus_request('invoice:' || o.invoice_id,
						o.supplier_action->>'step', o.supplier_action->'body');
				ELSE
					RETURN QUERY SELECT * FROM chorus_request('invoice:' || o.invoice_id, 'history',
						jsonb_build_object('idFacture', o.chorus_id));
				END IF;
		END CASE;
	END LOOP;
END
$$;
COMMENT ON FUNCTION chorus_claim(integer, text[]) IS 'internal: the requests due now, at most max_jobs, none for the jobs in busy; marks deposits as sending before they leave';

-- A failed try: again later with backoff.  Before any deposit, retries are
-- bounded (bizinvoice.chorus_max_attempts, then failed); once Chorus Pro has
-- the invoice it is followed whatever it takes.
CREATE FUNCTION chorus_retry(id bigint, next_state text, reason text) RETURNS void
	LANGUAGE sql SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$
	UPDATE chorus_outbox
	SET attempts = attempts + 1,
		state = CASE WHEN next_state = 'queued'
						  AND attempts + 1 >= current_setting('bizinvoice.chorus_max_attempts')::integer
					 THEN 'failed' ELSE next_state END,
		last_error = reason,
		next_attempt_at = chorus_backoff(attempts + 1)
	WHERE invoice_id = id
	$$;
COMMENT ON FUNCTION chorus_retry(bigint, text, text) IS 'internal: records a failed try and when to try again';

-- The ten B2G statuses from Chorus Pro's 56 codes (NULL: no move).
CREATE FUNCTION chorus_status_of(code text) RETURNS b2g_status
	LANGUAGE sql IMMUTABLE
	AS $$
	SELECT CASE
		WHEN code IN ('DEPOSEE', 'MISE_A_DISPOSITION', 'A_RECYCLER', 'REJETEE', 'SUSPENDUE',
					  'SERVICE_FAIT', 'MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE',
					  'MISE_EN_PAIEMENT') THEN code::bizinvoice.b2g_status
		-- completed by the supplier: back with the buyer
		WHEN code = 'COMPLETEE' THEN 'MISE_A_DISPOSITION'
		-- abandoned or deleted on the supplier's side: it ends there
		WHEN code IN ('ABANDONNEE', 'SUPPRIMEE') THEN 'REJETEE'
	END
	$$;
COMMENT ON FUNCTION chorus_status_of(text) IS 'internal: the B2G status a Chorus Pro status code stands for, NULL for transient codes';

-- Integrated: the DEPOSEE status, the transmission fee, then the history.
CREATE FUNCTION chorus_integrated(id bigint, chorus_id bigint, flux text) RETURNS void
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE chorus_outbox o
	SET state = 'following', chorus_id = chorus_integrated.chorus_id,
		flux_number = coalesce(o.flux_number, flux), attempts = 0, last_error = NULL,
		next_attempt_at = now()
	WHERE invoice_id = id;
	IF (SELECT b2g_status FROM invoice WHERE invoice.id = chorus_integrated.id) IS NULL THEN
		PERFORM system_move(id, 'chorus', 'DEPOSEE', NULL, NULL, 'DEPOSEE');
	END IF;
	PERFORM chorus_charge_fee(id);
END
$$;
COMMENT ON FUNCTION chorus_integrated(bigint, bigint, text) IS 'internal: an invoice Chorus Pro integrated: status DEPOSEE, the transmission fee, and its history followed from now';

-- The fee, once; a supplier short of funds does not stop the sync: the
-- charge is tried again at each later answer until it goes through.
CREATE FUNCTION chorus_charge_fee(id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	t bigint;
BEGIN
	IF (SELECT fee_transfer FROM chorus_outbox WHERE invoice_id = id) IS NOT NULL THEN
		RETURN;
	END IF;
	BEGIN
		t := charge_fee(id, 'chorus_transmission');
		UPDATE chorus_outbox SET fee_transfer = t WHERE invoice_id = id;
	EXCEPTION WHEN OTHERS THEN
		UPDATE chorus_outbox SET last_error = 'transmission fee not charged yet: ' || SQLERRM
		WHERE invoice_id = id;
	END;
END
$$;
COMMENT ON FUNCTION chorus_charge_fee(bigint) IS 'internal: charges the Chorus Pro transmission fee of an integrated invoice unless done; a failure is recorded and tried again later';

-- The invoice in a page of search results, if there; else the next page.
CREATE FUNCTION chorus_found(id bigint, search text, answer jsonb)
RETURNS TABLE (job text, step text, path text, body jsonb)
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice;
	hit jsonb;
	page integer := coalesce((answer->'parametresRetour'->>'pageCourante')::integer, 1);
	pages integer := coalesce((answer->'parametresRetour'->>'pages')::integer, 1);
BEGIN
	SELECT * INTO inv FROM invoice i WHERE i.id = chorus_found.id;
	SELECT f INTO hit
	FROM jsonb_array_elements(chorus_list(answer->'listeFactures')) f
	WHERE f->>'numeroFacture' = inv.number
	  AND (f->>'montantTTC' IS NULL OR (f->>'montantTTC')::numeric = inv.tax_inclusive_total)
	ORDER BY (f->>'identifiantFactureCPP')::bigint
	LIMIT 1;
	IF hit IS NOT NULL THEN
		PERFORM chorus_integrated(id, (hit->>'identifiantFactureCPP')::bigint, hit->>'numeroFluxDepot');
		RETURN;
	END IF;
	IF page < pages THEN
		RETURN QUERY SELECT * FROM chorus_search(id, search, page + 1);
		RETURN;
	END IF;
	IF search = 'doubt' THEN
		-- not there: deposit again once the window for a late integration is over
		IF now() - (SELECT sending_since FROM chorus_outbox WHERE invoice_id = id) > chorus_setting('doubt_window') THEN
			UPDATE chorus_outbox
			SET state = 'queued', next_attempt_at = now(),
				last_error = 'the deposit in doubt never reached Chorus Pro: deposited again'
			WHERE invoice_id = id;
		ELSE
			UPDATE chorus_outbox SET next_attempt_at = now() + chorus_setting('flux_interval')
			WHERE invoice_id = id;
		END IF;
	ELSE
		-- integrated but not found yet
		PERFORM chorus_retry(id, 'integrated', 'the integrated invoice is not in the flux''s search results yet');
	END IF;
END
$$;
COMMENT ON FUNCTION chorus_found(bigint, text, jsonb) IS 'internal: finds the invoice in a page of Chorus Pro search results; asks for the next page or tries again later';

-- The flux report: integrated, rejected, to send again, or still going.
CREATE FUNCTION chorus_flux_report(id bigint, answer jsonb)
RETURNS TABLE (job text, step text, path text, body jsonb)
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	o chorus_outbox;
	reported text := answer->>'etatCourantDepotFlux';
	errors text;
BEGIN
	SELECT * INTO o FROM chorus_outbox WHERE invoice_id = id;
	SELECT string_agg(e, '; ') INTO errors
	FROM (SELECT coalesce(x->>'libelleErreurDP', x->>'libelleErreur') AS e
		  FROM jsonb_array_elements(chorus_list(answer->'listeErreurDP')
									|| chorus_list(answer->'listeErreurTechnique')) x) m;
	UPDATE chorus_outbox SET flux_state = reported WHERE invoice_id = id;
	IF reported = 'IN_INTEGRE' OR (reported = 'IN_INTEGRE_PARTIEL' AND errors IS NULL) THEN
		UPDATE chorus_outbox SET state = 'integrated', attempts = 0, last_error = NULL WHERE invoice_id = id;
		RETURN QUERY SELECT * FROM chorus_search(id, 'find', 1);
	ELSIF reported IN ('IN_REJETE', 'IN_INTEGRE_PARTIEL') THEN
		UPDATE chorus_outbox
		SET state = 'rejected',
			last_error = format('Chorus Pro rejected flux %s (%s): %s', o.flux_number, reported,
								coalesce(errors, 'no reason given'))
		WHERE invoice_id = id;
	ELSIF reported = 'IN_INCIDENTE' THEN
		-- not processed at all: the whole flux is to be sent again
		UPDATE chorus_outbox SET flux_number = NULL, sending_since = NULL WHERE invoice_id = id;
		PERFORM chorus_retry(id, 'queued', format('Chorus Pro did not process flux %s (IN_INCIDENTE): sent again',
												  o.flux_number));
	ELSE
		UPDATE chorus_outbox SET next_attempt_at = now() + chorus_setting('flux_interval'), attempts = 0,
			last_error = NULL
		WHERE invoice_id = id;
	END IF;
END
$$;
COMMENT ON FUNCTION chorus_flux_report(bigint, jsonb) IS 'internal: applies a detailed flux report (consulterCRDetaille)';

-- The status history: every new entry, in order, onto the ten statuses.
CREATE FUNCTION chorus_history(id bigint, answer jsonb)
RETURNS TABLE (job text, step text, path text, body jsonb)
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	o chorus_outbox;
	h jsonb := answer->'historiquesDesStatuts';
	e record;
	target b2g_status;
	now_status b2g_status;
	problems text;
BEGIN
	SELECT * INTO o FROM chorus_outbox WHERE invoice_id = id;
	FOR e IN
		SELECT (x->>'histoStatutId')::bigint AS entry, x->>'histoStatutCode' AS code,
			   nullif(x->>'histoStatutCommentaire', '') AS comment
		FROM jsonb_array_elements(chorus_list(h->'histoStatut')) x
		WHERE (x->>'histoStatutId')::bigint > o.history_seen
		ORDER BY 1
	LOOP
		target := chorus_status_of(e.code);
		SELECT b2g_status INTO now_status FROM invoice WHERE invoice.id = chorus_history.id;
		IF target IS NOT NULL AND target IS DISTINCT FROM now_status THEN
			BEGIN
				PERFORM system_move(id, 'chorus', target::text, e.comment, NULL, e.code);
			EXCEPTION WHEN OTHERS THEN
				-- Chorus Pro is the reference: the entry is noted, the sync goes on
				problems := concat_ws('; ', problems, format('%s not applied: %s', e.code, SQLERRM));
			END;
		END IF;
		UPDATE chorus_outbox SET history_seen = e.entry WHERE invoice_id = id;
	END LOOP;
	SELECT b2g_status INTO now_status FROM invoice WHERE invoice.id = chorus_history.id;
	UPDATE chorus_outbox
	SET chorus_status = coalesce(answer->>'statutCourantCode', chorus_status),
		state = CASE WHEN now_status IN ('MISE_EN_PAIEMENT', 'REJETEE') THEN 'done' ELSE 'following' END,
		attempts = 0, last_error = problems,
		next_attempt_at = now() + chorus_setting('status_interval')
	WHERE invoice_id = id;
	PERFORM chorus_charge_fee(id);
	IF coalesce((h->>'pageCouranteHistoStatut')::integer, 1) < coalesce((h->>'pagesHistoStatut')::integer, 1) THEN
		RETURN QUERY SELECT * FROM chorus_request('invoice:' || id, 'history',
			jsonb_build_object('idFacture', o.chorus_id,
							   'pageResultatDemandee', (h->>'pageCouranteHistoStatut')::integer + 1));
	END IF;
END
$$;
COMMENT ON FUNCTION chorus_history(bigint, jsonb) IS 'internal: applies new entries of an invoice''s Chorus Pro status history (raw codes kept), until a final status';

-- A directory answer: structure, then its parameters, then its services.
CREATE FUNCTION chorus_directory(structure_siret text, part text, ok boolean, answer jsonb, reason text)
RETURNS TABLE (job text, step text, path text, body jsonb)
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	s chorus_structure;
	p jsonb := answer->'parametres';
BEGIN
	SELECT * INTO s FROM chorus_structure c WHERE c.siret = structure_siret::bizinvoice.siret FOR UPDATE;
	IF NOT ok THEN
		UPDATE chorus_structure c
		SET attempts = c.attempts + 1, last_error = 'Chorus Pro directory: ' || reason,
			next_attempt_at = chorus_backoff(c.attempts + 1)
		WHERE c.siret = s.siret;
		RETURN;
	END IF;
	CASE part
		WHEN 'structure' THEN
			IF chorus_list(answer->'listeStructures') <> '[]' THEN
				UPDATE chorus_structure c
				SET structure_id = (answer->'listeStructures'->0->>'idStructureCPP')::bigint
				WHERE c.siret = s.siret;
				RETURN QUERY SELECT * FROM chorus_request('siret:' || structure_siret, 'parameters',
					jsonb_build_object('idStructureCPP', (answer->'listeStructures'->0->>'idStructureCPP')::bigint));
			ELSE
				-- not on Chorus Pro: invoices to it are refused
				UPDATE chorus_structure c
				SET structure_id = NULL, refreshed_at = now(), attempts = 0, last_error = NULL
				WHERE c.siret = s.siret;
				DELETE FROM chorus_service v WHERE v.siret = s.siret;
			END IF;
		WHEN 'parameters' THEN
			UPDATE chorus_structure c
			SET requires_service_code = coalesce((p->>'codeServiceDoitEtreRenseigne')::boolean, false),
				requires_engagement = coalesce((p->>'numeroEJDoitEtreRenseigne')::boolean, false),
				requires_either = coalesce((p->>'gestionNumeroEJOuCodeService')::boolean, false)
			WHERE c.siret = s.siret;
			RETURN QUERY SELECT * FROM chorus_request('siret:' || structure_siret, 'services',
				jsonb_build_object('idStructure', s.structure_id,
								   'parametresRechercherServicesStructure',
								   jsonb_build_object('nbResultatsParPage', 10000)));
		WHEN 'services' THEN
			DELETE FROM chorus_service v WHERE v.siret = s.siret;
			INSERT INTO chorus_service (siret, code, name, active)
			SELECT DISTINCT ON (x->>'codeService') s.siret, x->>'codeService', x->>'libelleService',
				   coalesce((x->>'estActif')::boolean, true)
			FROM jsonb_array_elements(chorus_list(answer->'listeServices')) x
			WHERE coalesce(x->>'codeService', '') <> '';
			UPDATE chorus_structure c SET refreshed_at = now(), attempts = 0, last_error = NULL
			WHERE c.siret = s.siret;
			-- the platform's own record of the structure follows the directory
			UPDATE party SET requires_service_code = c.requires_service_code,
							 requires_engagement = c.requires_engagement
			FROM chorus_structure c
			WHERE c.siret = s.siret AND party.siret = c.siret AND party.kind = 'public_structure';
			INSERT INTO public_service (party_id, code, name, active)
			SELECT p.id, v.code, coalesce(v.name, v.code), v.active
			FROM chorus_service v JOIN party p ON p.siret = v.siret AND p.kind = 'public_structure'
			WHERE v.siret = s.siret
			ON CONFLICT (party_id, code) DO UPDATE SET name = excluded.name, active = excluded.active;
	END CASE;
END
$$;
COMMENT ON FUNCTION chorus_directory(text, text, boolean, jsonb, text) IS 'internal: applies a Chorus Pro directory answer (structure, parameters, services) and asks for the next part';

-- An answer to a request of chorus_claim() or of an earlier answer:
-- http_status 0 when none came (error says why), answer NULL unless it was
-- well-formed JSON.  Returns the job's next request, if any.
CREATE FUNCTION chorus_answer(answered_job text, answered_step text, http_status integer, answer jsonb,
							  error text)
RETURNS TABLE (job text, step text, path text, body jsonb)
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv_id bigint;
	code text := CASE jsonb_typeof(answer) WHEN 'object' THEN answer->>'codeRetour' END;
	functional boolean := http_status IN (200, 400) AND code IS NOT NULL;
	ok boolean := http_status = 200 AND coalesce(code = '0', false);
	no_result boolean := functional AND code = '20000';
	reason text := CASE
		WHEN functional AND NOT ok THEN format('Chorus Pro answered %s: %s', code, answer->>'libelle')
		WHEN error IS NOT NULL THEN error
		WHEN http_status = 200 THEN 'an answer without codeRetour'
		ELSE format('HTTP status %s', http_status) END;
	o chorus_outbox;
BEGIN
	IF answered_job LIKE 'siret:%' THEN
		RETURN QUERY SELECT * FROM chorus_directory(substr(answered_job, 7), answered_step,
			ok OR (no_result AND answered_step = 'structure'), CASE WHEN ok THEN answer ELSE '{}' END, reason);
		RETURN;
	END IF;
	inv_id := substr(answered_job, 9)::bigint;
	SELECT * INTO o FROM chorus_outbox q WHERE q.invoice_id = inv_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no Chorus Pro transmission for %', answered_job USING ERRCODE = '42704';
	END IF;

	IF answered_step = 'deposit' THEN
		IF ok AND coalesce(answer->>'numeroFluxDepot', '') <> '' THEN
			UPDATE chorus_outbox
			SET state = 'deposited', flux_number = answer->>'numeroFluxDepot', deposits = deposits + 1,
				attempts = 0, last_error = NULL,
				next_attempt_at = now() + chorus_setting('flux_interval')
			WHERE invoice_id = inv_id;
		ELSIF ok THEN
			-- acknowledged without its flux number: it may be there
			PERFORM chorus_retry(inv_id, 'in_doubt', 'deposit in doubt: an answer without numeroFluxDepot');
		ELSIF functional OR http_status BETWEEN 400 AND 499 AND http_status NOT IN (401, 408, 429) THEN
			-- refused for good: nothing was deposited
			UPDATE chorus_outbox SET state = 'failed', last_error = 'deposit refused: ' || reason
			WHERE invoice_id = inv_id;
		ELSIF http_status IN (401, 429, 503) THEN
			-- turned away at the door: nothing was deposited
			PERFORM chorus_retry(inv_id, 'queued', 'deposit: ' || reason);
		ELSE
			-- no answer, a server error, or an answer we cannot read: it may be there
			PERFORM chorus_retry(inv_id, 'in_doubt', 'deposit in doubt: ' || reason);
		END IF;
		RETURN;
	END IF;

	IF answered_step IN ('recycle', 'complete') AND (ok OR functional) THEN
		-- done, or refused by Chorus Pro with its reason: either way the history tells what follows
		UPDATE chorus_outbox
		SET supplier_action = NULL, attempts = 0, next_attempt_at = now(),
			last_error = CASE WHEN ok THEN NULL ELSE answered_step || ' refused: ' || reason END
		WHERE invoice_id = inv_id;
		RETURN;
	END IF;
	IF NOT ok AND NOT (no_result AND answered_step IN ('doubt', 'find')) THEN
		PERFORM chorus_retry(inv_id, o.state, answered_step || ': ' || reason);
		RETURN;
	END IF;
	CASE answered_step
		WHEN 'doubt', 'find' THEN
			RETURN QUERY SELECT * FROM chorus_found(inv_id, answered_step, answer);
		WHEN 'report' THEN
			RETURN QUERY SELECT * FROM chorus_flux_report(inv_id, answer);
		WHEN 'history' THEN
			RETURN QUERY SELECT * FROM chorus_history(inv_id, answer);
	END CASE;
END
$$;
COMMENT ON FUNCTION chorus_answer(text, text, integer, jsonb, text) IS 'internal: applies a Chorus Pro answer (or its absence) to a job; returns the job''s next request, if any';

-- An answer that could not be applied (a fault of ours): the job waits
-- with backoff rather than fail again at once.
CREATE FUNCTION chorus_answer_failed(failed_job text, message text) RETURNS void
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	IF failed_job LIKE 'siret:%' THEN
		PERFORM chorus_directory(substr(failed_job, 7), NULL, false, NULL, message);
	ELSE
		PERFORM chorus_retry(substr(failed_job, 9)::bigint, CASE state WHEN 'sending' THEN 'in_doubt' ELSE state END,
							 'answer not applied: ' || message)
		FROM chorus_outbox WHERE invoice_id = substr(failed_job, 9)::bigint;
	END IF;
END
$$;
COMMENT ON FUNCTION chorus_answer_failed(text, text) IS 'internal: a job whose answer could not be applied is tried again later, with backoff';

-- The supplier's way back: after a refusal, a rejected flux or a failure,
-- queued again (routing corrected if given); after A_RECYCLER, re-routed on
-- Chorus Pro; after SUSPENDUE, completed there (with a comment).
CREATE FUNCTION stage_reroute() RETURNS void
	AS 'MODULE_PATHNAME', 'stage_reroute' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION stage_reroute() IS 'internal: lets the next UPDATE of a submitted invoice in this transaction correct its service code and legal commitment (chorus_resend only)';

CREATE FUNCTION chorus_resend(invoice_id bigint, buyer_reference text DEFAULT NULL,
							  purchase_order text DEFAULT NULL, comment text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice;
	o chorus_outbox;
BEGIN
	IF current_party() IS NULL AND caller_has_role('bizinvoice_admin') THEN
		SELECT * INTO inv FROM invoice i WHERE i.id = chorus_resend.invoice_id FOR UPDATE;
	ELSE
		inv := lock_invoice(invoice_id, true);
	END IF;
	SELECT * INTO o FROM chorus_outbox q WHERE q.invoice_id = inv.id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'invoice % is not sent through Chorus Pro', invoice_id USING ERRCODE = '55000';
	END IF;
	IF o.state = 'following' AND inv.b2g_status = 'SUSPENDUE' AND o.supplier_action IS NULL THEN
		UPDATE chorus_outbox q
		SET supplier_action = jsonb_build_object('step', 'complete', 'body',
				jsonb_strip_nulls(jsonb_build_object('idFacture', o.chorus_id, 'commentaire', comment))),
			next_attempt_at = now()
		WHERE q.invoice_id = inv.id;
		PERFORM chorus_wake_worker();
		RETURN 'completed';
	END IF;
	IF o.state = 'following' AND inv.b2g_status = 'A_RECYCLER' AND o.supplier_action IS NULL THEN
		IF chorus_resend.buyer_reference IS NULL AND chorus_resend.purchase_order IS NULL THEN
			RAISE EXCEPTION 'invoice % cannot be re-routed', invoice_id
				USING ERRCODE = '22023',
					  DETAIL = 'Chorus Pro sent it back for its routing: give the service code (buyer_reference) or the legal commitment (purchase_order) to correct.';
		END IF;
	ELSIF o.state NOT IN ('refused', 'rejected', 'failed') THEN
		RAISE EXCEPTION 'invoice % cannot be sent again', invoice_id
			USING ERRCODE = '55000',
				  DETAIL = format('Its transmission is %s%s; a refused, rejected or failed one is sent again, one returned A_RECYCLER or SUSPENDUE answered.',
								  o.state, CASE WHEN o.state = 'following' THEN ' (' || coalesce(inv.b2g_status::text, '-') || ')' ELSE '' END);
	END IF;
	-- routing corrected: never integrated, or sent back for it
	IF chorus_resend.buyer_reference IS NOT NULL OR chorus_resend.purchase_order IS NOT NULL THEN
		IF chorus_resend.buyer_reference IS NOT NULL AND NOT EXISTS (
			SELECT FROM public_service s
			WHERE s.party_id = inv.buyer_id AND s.code = chorus_resend.buyer_reference AND s.active) THEN
			RAISE EXCEPTION 'invoice % cannot be sent again', invoice_id
				USING ERRCODE = '22023',
					  DETAIL = format('"%s" is not an active service of its buyer.', chorus_resend.buyer_reference);
		END IF;
		PERFORM stage_reroute();
		UPDATE invoice i
		SET buyer_reference = coalesce(chorus_resend.buyer_reference, i.buyer_reference),
			purchase_order = coalesce(chorus_resend.purchase_order, i.purchase_order)
		WHERE i.id = inv.id
		RETURNING * INTO inv;
		-- refused now rather than by Chorus Pro (a re-routing goes out unchecked otherwise)
		IF chorus_route_problem(inv) IS NOT NULL THEN
			RAISE EXCEPTION 'invoice % cannot be sent again', invoice_id
				USING ERRCODE = '22023', DETAIL = chorus_route_problem(inv);
		END IF;
	END IF;
	IF o.state = 'following' THEN
		UPDATE chorus_outbox q
		SET supplier_action = jsonb_build_object('step', 'recycle', 'body', jsonb_strip_nulls(jsonb_build_object(
				'idFacture', o.chorus_id, 'codeServiceExecutant', inv.buyer_reference,
				'numeroEngagement', inv.purchase_order))),
			next_attempt_at = now()
		WHERE q.invoice_id = inv.id;
		PERFORM chorus_wake_worker();
		RETURN 'recycled';
	END IF;
	-- the directory is read again before the new deposit
	UPDATE chorus_structure c SET refreshed_at = NULL, next_attempt_at = now()
	FROM party p WHERE p.id = inv.buyer_id AND c.siret = p.siret;
	UPDATE chorus_outbox q
	SET state = 'queued', attempts = 0, next_attempt_at = now(), last_error = NULL,
		flux_number = NULL, flux_state = NULL, sending_since = NULL
	WHERE q.invoice_id = inv.id;
	PERFORM chorus_wake_worker();
	RETURN 'queued';
END
$$;
COMMENT ON FUNCTION chorus_resend(bigint, text, text, text) IS 'the supplier''s answer to Chorus Pro (its supplier, or an administrator): a refused, rejected or failed transmission is queued again (the directory read again first), an invoice returned A_RECYCLER is re-routed, one SUSPENDUE completed with a comment; the service code (BT-10) and legal commitment (BT-13) may be corrected; returns queued, recycled or completed';

CREATE VIEW chorus_queue WITH (security_invoker = true) AS
SELECT o.invoice_id, i.number, i.supplier_id, i.buyer_id, o.state, o.attempts, o.next_attempt_at,
	   coalesce(o.last_error,
				CASE WHEN o.state = 'queued' THEN c.last_error END) AS last_error,
	   o.flux_number, o.flux_state, o.chorus_id, o.chorus_status, i.b2g_status,
	   o.supplier_action->>'step' AS supplier_action,
	   o.fee_transfer IS NOT NULL AS fee_charged, o.enqueued_at, o.updated_at
FROM bizinvoice.chorus_outbox o
JOIN bizinvoice.invoice i ON i.id = o.invoice_id
JOIN bizinvoice.party b ON b.id = i.buyer_id
LEFT JOIN bizinvoice.chorus_structure c ON c.siret = b.siret;
COMMENT ON VIEW chorus_queue IS 'each B2G invoice sent through Chorus Pro: transmission state, failed attempts, next attempt, last error (Chorus Pro''s own message for returns), flux number and state, Chorus id and status, the supplier''s answer to a return on its way (recycle, complete), fee';

CREATE FUNCTION chorus_worker_status(OUT running boolean, OUT pid integer, OUT database text,
									 OUT started_at timestamptz, OUT last_poll timestamptz,
									 OUT in_flight integer, OUT requests bigint, OUT answers bigint,
									 OUT retries bigint, OUT deposits bigint, OUT token_fetches bigint,
									 OUT errors bigint, OUT last_error text)
	AS 'MODULE_PATHNAME', 'chorus_worker_status' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION chorus_worker_status() IS 'internal: the Chorus Pro worker''s shared state';

CREATE VIEW worker_status AS SELECT * FROM chorus_worker_status();
COMMENT ON VIEW worker_status IS 'the Chorus Pro worker: running or not, its process, database, start, last poll, requests in flight, and counters since it started';

REVOKE ALL ON FUNCTION chorus_setting(text), chorus_backoff(integer), chorus_request(text, text, jsonb),
	chorus_search(bigint, text, integer), chorus_list(jsonb), chorus_deposit_body(invoice), chorus_recover(),
	chorus_claim(integer, text[]), chorus_retry(bigint, text, text), chorus_integrated(bigint, bigint, text),
	chorus_charge_fee(bigint), chorus_found(bigint, text, jsonb), chorus_flux_report(bigint, jsonb),
	chorus_history(bigint, jsonb), chorus_directory(text, text, boolean, jsonb, text),
	chorus_answer(text, text, integer, jsonb, text), chorus_answer_failed(text, text),
	chorus_route_problem(invoice),
	chorus_resend(bigint, text, text, text), stage_reroute() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chorus_resend(bigint, text, text, text) TO bizinvoice_user;
GRANT SELECT ON chorus_queue, worker_status, chorus_structure, chorus_service TO bizinvoice_reader;
GRANT EXECUTE ON FUNCTION chorus_worker_status() TO bizinvoice_reader;

SELECT pg_catalog.pg_extension_config_dump('chorus_credential', '');
SELECT pg_catalog.pg_extension_config_dump('chorus_structure', '');
SELECT pg_catalog.pg_extension_config_dump('chorus_service', '');
-- Exports for accounting software and public accounting platforms: the FEC
-- (Fichier des Écritures Comptables), CSV of invoices and of payments, and
-- invoices as UBL or CII documents in batches.  New in 0.3.

-- The chart of accounts: the defaults (party_id NULL) and each party's own.
CREATE TABLE accounting_account (
	party_id bigint REFERENCES party ON DELETE CASCADE,
	purpose text NOT NULL CHECK (purpose IN ('customers', 'suppliers', 'sales', 'purchases', 'vat_collected',
											 'vat_deductible', 'bank', 'fees', 'transfers')),
	number text NOT NULL CHECK (number ~ '^[0-9A-Z]{3,20}$'),
	label text NOT NULL CHECK (btrim(label) <> ''),
	UNIQUE NULLS NOT DISTINCT (party_id, purpose)
);
COMMENT ON TABLE accounting_account IS 'the accounts the FEC books on, per purpose: the French chart of accounts by default (party_id NULL), or a party''s own';
INSERT INTO accounting_account (purpose, number, label) VALUES
	('customers', '411000', 'Clients'),
	('suppliers', '401000', 'Fournisseurs'),
	('sales', '706000', 'Prestations de services'),
	('purchases', '607000', 'Achats de marchandises'),
	('vat_collected', '445710', 'TVA collectée'),
	('vat_deductible', '445660', 'TVA déductible sur autres biens et services'),
	('bank', '512000', 'Compte de paiement bizinvoice'),
	('fees', '627000', 'Services bancaires et assimilés'),
	('transfers', '580000', 'Virements internes');

CREATE FUNCTION set_accounting_account(party bigint, purpose text, number text, label text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM export_allowed(party);
	IF NOT EXISTS (SELECT FROM accounting_account a WHERE a.party_id IS NULL AND a.purpose = set_accounting_account.purpose) THEN
		RAISE EXCEPTION 'unknown account purpose "%"', purpose USING ERRCODE = '22023',
			HINT = 'Purposes: ' || (SELECT string_agg(a.purpose, ', ' ORDER BY a.number) FROM accounting_account a
									WHERE a.party_id IS NULL) || '.';
	END IF;
	IF upper(number) !~ '^[0-9A-Z]{3,20}$' THEN
		RAISE EXCEPTION 'invalid account number "%"', number USING ERRCODE = '22023',
			DETAIL = 'An account number is 3 to 20 digits or letters, starting with its class (411, 706, ...).';
	END IF;
	INSERT INTO accounting_account AS a (party_id, purpose, number, label)
	VALUES (party, purpose, upper(number), label)
	ON CONFLICT ON CONSTRAINT accounting_account_party_id_purpose_key
	DO UPDATE SET number = excluded.number, label = excluded.label;
END
$$;
COMMENT ON FUNCTION set_accounting_account(bigint, text, text, text) IS 'sets the account a party books one purpose on (customers, suppliers, sales, purchases, vat_collected, vat_deductible, bank, fees, transfers) in its FEC';

-- Whose exports the caller may take: the party it acts for, or any when an
-- administrator acting for none.
CREATE FUNCTION export_allowed(party bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	p bigint := current_party();
BEGIN
	IF NOT EXISTS (SELECT FROM bizinvoice.party x WHERE x.id = export_allowed.party)
	   OR (party IS DISTINCT FROM p AND NOT (p IS NULL AND caller_has_role('bizinvoice_admin'))) THEN
		RAISE EXCEPTION 'permission denied to export the books of party %', party
			USING ERRCODE = '42501',
				  HINT = 'Act for that party with bizinvoice.act_as() first.';
	END IF;
END
$$;
COMMENT ON FUNCTION export_allowed(bigint) IS 'internal: refuses an export of another party than the acting one (administrators acting for none may export any)';

-- Every accounting line of a party over a period, signed (+ debit, - credit):
-- sales (VT) and purchases (AC) on their issue date, the payment account's
-- movements (BQ) on their day.  Refused, rejected and cancelled invoices are
-- not booked; a credit note books the other way.  Euros only.
CREATE FUNCTION accounting_lines(party bigint, from_date date, to_date date)
RETURNS TABLE (journal text, entry_date date, source text, source_id bigint, purpose text,
			   counterpart bigint, piece_ref text, piece_date date, label text, amount numeric,
			   valid_date date)
LANGUAGE sql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
	WITH inv AS (
		SELECT i.*, i.supplier_id = party AS sale,
			   CASE WHEN i.supplier_id = party THEN i.buyer_id ELSE i.supplier_id END AS other,
			   CASE WHEN i.type_code = 381 THEN -1 ELSE 1 END AS sign
		FROM invoice i
		WHERE (i.supplier_id = party OR i.buyer_id = party) AND i.submitted_at IS NOT NULL
		  AND i.currency = 'EUR' AND i.issue_date BETWEEN from_date AND to_date
		  AND coalesce(i.b2b_status::text, i.b2g_status::text, '')
			  NOT IN ('refused', 'rejected', 'cancelled', 'REJETEE')
	), moves AS (
		-- a party's side of each transfer: + money in, - money out
		SELECT t.id, t.created_at::date AS day, coalesce(o.kind, t.kind) AS kind,
			   CASE WHEN c.party_id = party THEN t.amount ELSE -t.amount END AS amount,
			   i.supplier_id, i.buyer_id,
			   CASE WHEN t.kind = 'reversal' THEN 'Annulation ' ELSE '' END
			   || CASE coalesce(o.kind, t.kind)
					  WHEN 'payment' THEN 'Paiement ' || coalesce(i.number, '')
					  WHEN 'fee' THEN 'Frais ' || coalesce(i.number, t.reference, '')
					  WHEN 'funding' THEN 'Approvisionnement ' || coalesce(t.reference, '')
					  ELSE 'Retrait ' || coalesce(t.reference, '') END AS label
		FROM transfer t
		JOIN account d ON d.id = t.debit_account
		JOIN account c ON c.id = t.credit_account
		LEFT JOIN transfer o ON o.id = t.reverses
		LEFT JOIN invoice i ON i.id = t.invoice_id
		WHERE (d.party_id = party OR c.party_id = party) AND t.currency = 'EUR'
		  AND t.created_at::date BETWEEN from_date AND to_date
	)
	-- the third party: what the invoice says, all taxes included
	SELECT CASE WHEN sale THEN 'VT' ELSE 'AC' END, issue_date, 'invoice', id,
		   CASE WHEN sale THEN 'customers' ELSE 'suppliers' END, other, number, issue_date,
		   CASE WHEN type_code = 381 THEN 'Avoir ' ELSE 'Facture ' END || number,
		   CASE WHEN sale THEN 1 ELSE -1 END * sign * tax_inclusive_total, submitted_at::date
	FROM inv
	UNION ALL
	-- sales or purchases and VAT, per rate
	SELECT CASE WHEN sale THEN 'VT' ELSE 'AC' END, issue_date, 'invoice', id, x.purpose, NULL, number,
		   issue_date,
		   CASE WHEN type_code = 381 THEN 'Avoir ' ELSE 'Facture ' END || number || x.what,
		   CASE WHEN sale THEN -1 ELSE 1 END * sign * x.amount, submitted_at::date
	FROM inv
	JOIN invoice_vat_breakdown v ON v.invoice_id = inv.id
	CROSS JOIN LATERAL (VALUES
		(CASE WHEN sale THEN 'sales' ELSE 'purchases' END, v.taxable_amount,
		 format(' HT %s %%', v.vat_rate)),
		(CASE WHEN sale THEN 'vat_collected' ELSE 'vat_deductible' END, v.tax_amount,
		 format(' TVA %s %%', v.vat_rate))) x(purpose, amount, what)
	WHERE x.amount <> 0
	UNION ALL
	-- the payment account, and its counterpart: the customer or supplier
	-- paid, the fee, the bank
	SELECT 'BQ', day, 'transfer', m.id, x.purpose, x.counterpart, 'T' || m.id, day, label, x.amount, day
	FROM moves m
	CROSS JOIN LATERAL (VALUES
		('bank', NULL::bigint, m.amount),
		(CASE WHEN kind = 'payment' AND m.supplier_id = party THEN 'customers'
			  WHEN kind = 'payment' THEN 'suppliers'
			  WHEN kind = 'fee' THEN 'fees' ELSE 'transfers' END,
		 CASE WHEN kind = 'payment' THEN
			  CASE WHEN m.supplier_id = party THEN m.buyer_id ELSE m.supplier_id END END,
		 -m.amount)) x(purpose, counterpart, amount)
$$;
COMMENT ON FUNCTION accounting_lines(bigint, date, date) IS 'internal: a party''s accounting lines over a period, signed (+ debit, - credit), by journal: VT sales, AC purchases, BQ payment account';

CREATE FUNCTION fec_amount(amount numeric) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT
	AS $$ SELECT replace(to_char(amount, 'FM999999999999990.00'), '.', ',') $$;
COMMENT ON FUNCTION fec_amount(numeric) IS 'internal: an amount as the FEC writes it (comma decimals, two places)';

CREATE FUNCTION fec_entries(party bigint, from_date date, to_date date)
RETURNS TABLE ("JournalCode" text, "JournalLib" text, "EcritureNum" text, "EcritureDate" text,
			   "CompteNum" text, "CompteLib" text, "CompAuxNum" text, "CompAuxLib" text,
			   "PieceRef" text, "PieceDate" text, "EcritureLib" text, "Debit" text, "Credit" text,
			   "EcritureLet" text, "DateLet" text, "ValidDate" text, "Montantdevise" text,
			   "Idevise" text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM export_allowed(party);
	RETURN QUERY
	SELECT l.journal,
		   CASE l.journal WHEN 'VT' THEN 'Ventes' WHEN 'AC' THEN 'Achats' ELSE 'Banque' END,
		   -- gap-free per journal, in date order
		   dense_rank() OVER (PARTITION BY l.journal ORDER BY l.entry_date, l.source, l.source_id)::text,
		   to_char(l.entry_date, 'YYYYMMDD'),
		   a.number, a.label,
		   coalesce(o.siren::text, 'P' || o.id, ''), coalesce(o.name, ''),
		   l.piece_ref, to_char(l.piece_date, 'YYYYMMDD'), l.label,
		   fec_amount(greatest(l.amount, 0)), fec_amount(greatest(-l.amount, 0)),
		   '', '', to_char(l.valid_date, 'YYYYMMDD'), '', ''
	FROM accounting_lines(party, from_date, to_date) l
	JOIN LATERAL (SELECT x.number, x.label FROM accounting_account x
				  WHERE x.purpose = l.purpose AND (x.party_id = party OR x.party_id IS NULL)
				  ORDER BY x.party_id NULLS LAST LIMIT 1) a ON true
	LEFT JOIN party o ON o.id = l.counterpart
	ORDER BY l.entry_date, l.journal, l.source, l.source_id, l.amount < 0, a.number, l.label;
END
$$;
COMMENT ON FUNCTION fec_entries(bigint, date, date) IS 'the FEC (Fichier des Écritures Comptables) lines of a party over a period, its 18 columns as the DGFiP defines them: sales (VT), purchases (AC) and its payment account (BQ: payments, fees, fundings, withdrawals); each entry balanced, numbered without gaps per journal';

CREATE FUNCTION fec_file(party bigint, from_date date, to_date date, separator text DEFAULT '|')
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	IF separator NOT IN ('|', E'\t') THEN
		RAISE EXCEPTION 'invalid FEC separator' USING ERRCODE = '22023',
			DETAIL = 'The FEC separates its fields with "|" or a tab.';
	END IF;
	RETURN (SELECT string_agg(line, E'\r\n' ORDER BY n) || E'\r\n'
			FROM (SELECT 0 AS n, array_to_string(ARRAY['JournalCode', 'JournalLib', 'EcritureNum',
					'EcritureDate', 'CompteNum', 'CompteLib', 'CompAuxNum', 'CompAuxLib', 'PieceRef',
					'PieceDate', 'EcritureLib', 'Debit', 'Credit', 'EcritureLet', 'DateLet',
					'ValidDate', 'Montantdevise', 'Idevise'], separator) AS line
				  UNION ALL
				  -- the separator and line ends never inside a field
				  SELECT row_number() OVER (),
						 (SELECT string_agg(translate(coalesce(f.value, ''), E'|\t\r\n', '    '), separator ORDER BY f.n)
						  FROM json_each_text(row_to_json(e)) WITH ORDINALITY f(key, value, n))
				  FROM fec_entries(party, from_date, to_date) e) lines);
END
$$;
COMMENT ON FUNCTION fec_file(bigint, date, date, text) IS 'a party''s FEC over a period as the file itself: a header line, then one line per entry line, fields separated by | (or a tab), CRLF line ends; name it with fec_file_name()';

CREATE FUNCTION fec_file_name(party bigint, closing_date date) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	s siren;
BEGIN
	PERFORM export_allowed(party);
	SELECT coalesce(p.siren, p.siret::siren) INTO s FROM party p WHERE p.id = fec_file_name.party;
	IF s IS NULL THEN
		RAISE EXCEPTION 'party % has no SIREN', party USING ERRCODE = '55000',
			DETAIL = 'The FEC''s file name starts with the SIREN of the company it is for.';
	END IF;
	RETURN s::text || 'FEC' || to_char(closing_date, 'YYYYMMDD') || '.txt';
END
$$;
COMMENT ON FUNCTION fec_file_name(bigint, date) IS 'the official name of a party''s FEC for a financial year closing on that date: <SIREN>FEC<YYYYMMDD>.txt';

-- CSV (RFC 4180: comma, double quotes where needed, CRLF), for spreadsheets
-- and other software: dates ISO 8601, amounts with a dot.
CREATE FUNCTION csv_line(VARIADIC fields text[]) RETURNS text
	LANGUAGE sql IMMUTABLE
	AS $$
	SELECT string_agg(CASE WHEN f ~ '[",\r\n]' THEN '"' || replace(f, '"', '""') || '"'
						   ELSE coalesce(f, '') END, ',' ORDER BY n)
	FROM unnest(fields) WITH ORDINALITY u(f, n)
	$$;
COMMENT ON FUNCTION csv_line(text[]) IS 'internal: one CSV line (RFC 4180 quoting)';

CREATE FUNCTION invoices_csv(party bigint, from_date date, to_date date) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM export_allowed(party);
	RETURN (SELECT string_agg(line, E'\r\n' ORDER BY n) || E'\r\n'
			FROM (SELECT 0::bigint AS n, csv_line('invoice_id', 'direction', 'number', 'type_code',
					'issue_date', 'due_date', 'currency', 'supplier_siret', 'supplier', 'buyer_siret',
					'buyer', 'channel', 'tax_exclusive_total', 'vat_total', 'tax_inclusive_total',
					'payable_amount', 'paid', 'status') AS line
				  UNION ALL
				  SELECT i.id, csv_line(i.id::text, CASE WHEN i.supplier_id = party THEN 'sale' ELSE 'purchase' END,
					i.number, i.type_code::text, to_char(i.issue_date, 'YYYY-MM-DD'),
					to_char(i.due_date, 'YYYY-MM-DD'), i.currency,
					s.siret::text, s.name, b.siret::text, b.name, i.channel,
					i.tax_exclusive_total::text, i.vat_total::text, i.tax_inclusive_total::text,
					i.payable_amount::text, coalesce(pd.paid, 0)::numeric(19, 2)::text,
					coalesce(i.b2b_status::text, i.b2g_status::text, 'queued'))
				  FROM invoice i
				  JOIN party s ON s.id = i.supplier_id
				  JOIN party b ON b.id = i.buyer_id
				  LEFT JOIN invoice_paid pd ON pd.invoice_id = i.id
				  WHERE (i.supplier_id = party OR i.buyer_id = party) AND i.submitted_at IS NOT NULL
					AND i.issue_date BETWEEN from_date AND to_date) lines);
END
$$;
COMMENT ON FUNCTION invoices_csv(bigint, date, date) IS 'a party''s submitted invoices over a period (by issue date), issued and received, as CSV: invoice_id, direction (sale or purchase), number, type_code, issue_date, due_date, currency, supplier_siret, supplier, buyer_siret, buyer, channel, tax_exclusive_total, vat_total, tax_inclusive_total, payable_amount, paid, status';

CREATE FUNCTION payments_csv(party bigint, from_date date, to_date date) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM export_allowed(party);
	RETURN (SELECT string_agg(line, E'\r\n' ORDER BY n) || E'\r\n'
			FROM (SELECT 0::bigint AS n, csv_line('transfer_id', 'date', 'kind', 'direction', 'amount',
					'currency', 'invoice_number', 'counterparty', 'reference', 'reverses') AS line
				  UNION ALL
				  SELECT t.id, csv_line(t.id::text, to_char(t.created_at, 'YYYY-MM-DD'), t.kind,
					CASE WHEN c.party_id = party THEN 'in' ELSE 'out' END, t.amount::text, t.currency,
					i.number,
					CASE WHEN c.party_id = party THEN coalesce(dp.name, d.kind) ELSE coalesce(cp.name, c.kind) END,
					t.reference, t.reverses::text)
				  FROM transfer t
				  JOIN account d ON d.id = t.debit_account
				  JOIN account c ON c.id = t.credit_account
				  LEFT JOIN party dp ON dp.id = d.party_id
				  LEFT JOIN party cp ON cp.id = c.party_id
				  LEFT JOIN invoice i ON i.id = t.invoice_id
				  WHERE (d.party_id = party OR c.party_id = party)
					AND t.created_at::date BETWEEN from_date AND to_date) lines);
END
$$;
COMMENT ON FUNCTION payments_csv(bigint, date, date) IS 'the movements of a party''s payment accounts over a period as CSV: transfer_id, date, kind (funding, withdrawal, payment, fee, reversal), direction (in or out), amount, currency, invoice_number, counterparty (a party, or outside / platform_fees), reference, reverses';

CREATE FUNCTION export_invoices(party bigint, from_date date, to_date date, format text DEFAULT 'ubl')
RETURNS TABLE (invoice_id bigint, number text, file_name text, document xml)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM export_allowed(party);
	IF lower(format) NOT IN ('ubl', 'cii') THEN
		RAISE EXCEPTION 'unknown invoice format "%"', format USING ERRCODE = '22023',
			HINT = 'Use ubl or cii.';
	END IF;
	RETURN QUERY
	SELECT i.id, i.number,
		   left(regexp_replace(i.number, '[^A-Za-z0-9._-]', '_', 'g'), 180) || '-' || i.id || '.xml',
		   invoice_xml(invoice_document(i.id), lower(format))
	FROM invoice i
	WHERE (i.supplier_id = party OR i.buyer_id = party) AND i.submitted_at IS NOT NULL
	  AND i.issue_date BETWEEN from_date AND to_date
	ORDER BY i.issue_date, i.id;
END
$$;
COMMENT ON FUNCTION export_invoices(bigint, date, date, text) IS 'a party''s submitted invoices over a period (issued and received) as EN 16931 documents, UBL (the default) or CII, each with a file name, for public accounting platforms and archives';

REVOKE ALL ON FUNCTION set_accounting_account(bigint, text, text, text), export_allowed(bigint),
	accounting_lines(bigint, date, date), fec_entries(bigint, date, date),
	fec_file(bigint, date, date, text), fec_file_name(bigint, date), invoices_csv(bigint, date, date),
	payments_csv(bigint, date, date), export_invoices(bigint, date, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fec_entries(bigint, date, date), fec_file(bigint, date, date, text),
	fec_file_name(bigint, date), invoices_csv(bigint, date, date), payments_csv(bigint, date, date),
	export_invoices(bigint, date, date, text) TO bizinvoice_reader;
GRANT EXECUTE ON FUNCTION set_accounting_account(bigint, text, text, text) TO bizinvoice_user;
GRANT SELECT ON accounting_account TO bizinvoice_reader;
ALTER TABLE accounting_account ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounting_account_party ON accounting_account
	USING (party_id IS NULL OR party_id = (SELECT current_party()) OR (SELECT is_admin()));
COMMENT ON POLICY accounting_account_party ON accounting_account IS 'a party sees the default chart and its own accounts';
SELECT pg_catalog.pg_extension_config_dump('accounting_account', 'WHERE party_id IS NOT NULL');
-- Factur-X: a PDF/A-3 carrying its CII invoice.  validate_invoice(bytea)
-- and read_invoice_document(bytea) read the invoice a PDF embeds; importing
-- one keeps the PDF as the invoice's main attachment.  New in 0.3.

CREATE FUNCTION facturx_xml(pdf bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'bizinvoice_facturx_xml' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION facturx_xml(bytea) IS 'the invoice (factur-x.xml, or the ZUGFeRD or XRechnung name) a Factur-X PDF embeds';

CREATE FUNCTION import_invoice(document bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	pdf boolean := substr(document, 1, 5) = '\x255044462d'::bytea;	-- %PDF-
	source bytea;
	new_id bigint;
BEGIN
	source := CASE WHEN pdf THEN facturx_xml(document) ELSE document END;
	new_id := import_read(read_invoice_document(source), source);
	IF pdf THEN
		-- the PDF as received, before the attachments the invoice lists (seq 1, 2, ...)
		INSERT INTO invoice_attachment (invoice_id, seq, filename, mime_type, description, content)
		SELECT new_id, 0, left(regexp_replace(i.number, '[^A-Za-z0-9._-]', '_', 'g'), 190) || '.pdf',
			   'application/pdf', 'Factur-X: the invoice as received', document
		FROM invoice i WHERE i.id = new_id;
	END IF;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION import_invoice(bytea) IS 'creates a draft invoice from a UBL or CII file (its encoding declaration followed), or from a Factur-X PDF (kept as attachment 0); returns its id';
COMMENT ON FUNCTION validate_invoice(bytea) IS 'the EN 16931 rules a UBL or CII invoice file (its encoding declaration followed), or the invoice a Factur-X PDF embeds, breaks: rule, fatal or warning, XPath, message';
COMMENT ON FUNCTION read_invoice_document(bytea) IS 'internal: a UBL or CII invoice file, or the one a Factur-X PDF embeds, as create_invoice and register_party documents, with what was not mapped and the rule findings';
REVOKE ALL ON FUNCTION facturx_xml(bytea), import_invoice(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION facturx_xml(bytea), import_invoice(bytea) TO bizinvoice_user;
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
-- 0.4: the invoicing period (BG-14) and the delivery (BG-13): EN 16931 asks
-- for one of them on an intra-community supply (BR-IC-11, BR-IC-12), and a
-- round trip through UBL or CII keeps them.

ALTER TABLE invoice
	ADD COLUMN period_start date,
	ADD COLUMN period_end date,
	ADD COLUMN delivery_date date,
	ADD COLUMN deliver_to_name text,
	ADD COLUMN deliver_to_country text;
COMMENT ON COLUMN invoice.period_start IS 'BT-73 invoicing period start date';
COMMENT ON COLUMN invoice.period_end IS 'BT-74 invoicing period end date (BR-29: not before the start)';
COMMENT ON COLUMN invoice.delivery_date IS 'BT-72 actual delivery date';
COMMENT ON COLUMN invoice.deliver_to_name IS 'BT-70 deliver to party name';
COMMENT ON COLUMN invoice.deliver_to_country IS 'BT-80 deliver to country code (ISO 3166-1 alpha-2)';
-- 0.5: at most one reversal a transfer, through a partial unique index.  A
-- UNIQUE constraint indexed the NULL of every transfer that reverses
-- nothing, each insert on the index's last page.  (A database from an
-- earlier release has that constraint; a fresh one does not.)
DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_constraint
			   WHERE conrelid = 'transfer'::regclass AND conname = 'transfer_reverses_key') THEN
		ALTER TABLE transfer DROP CONSTRAINT transfer_reverses_key;
	END IF;
END
$$;
CREATE UNIQUE INDEX transfer_reverses ON transfer (reverses) WHERE reverses IS NOT NULL;
COMMENT ON INDEX transfer_reverses IS 'a transfer is reversed at most once';
-- 0.6: an imported document is compressed with lz4 where the server has it:
-- pglz cost a tenth of an import (50 µs a 10 kB invoice, lz4 12 µs), for
-- a quarter less space.  Documents stored before keep their compression.
DO $$
BEGIN
	ALTER TABLE invoice_source ALTER document SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	NULL;	-- a server built without lz4: default_toast_compression
END
$$;
-- 0.6: the invoicing period's order (BR-29) and the deliver to country's
-- form are checked by the status guard with the invoice's other invariants
-- (src/status/invoice_check.c): as CHECK constraints, PostgreSQL parsed them
-- again in every statement updating an invoice, status moves included.
ALTER TABLE invoice DROP CONSTRAINT IF EXISTS invoice_period_order,
	DROP CONSTRAINT IF EXISTS invoice_deliver_to_country;
-- 0.6: submit deposits and delivers in one UPDATE of the invoice (two
-- moves, two history entries): the move staged for the UPDATE goes on to a
-- second status, by the same actor, under the same rules.
CREATE FUNCTION stage_status_then(status text) RETURNS void
	AS 'MODULE_PATHNAME', 'stage_status_then' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION stage_status_then(text) IS 'internal: the move staged by stage_status_move goes on to this status in the same UPDATE; not granted to users';
REVOKE ALL ON FUNCTION stage_status_then(text) FROM PUBLIC;
