-- The identifier types together: uniqueness, indexes, joins, binary COPY.
SET search_path = bizinvoice, public;

CREATE TABLE company (
	siren siren PRIMARY KEY,
	siret siret UNIQUE,
	iban iban UNIQUE,
	bic bic,
	vat vat_id UNIQUE
);
INSERT INTO company VALUES
	('732829320', '73282932000074', 'FR7630006000011234567890189', 'BNPAFRPP', 'FR44732829320'),
	('443061841', '44306184100047', 'DE89370400440532013000', 'DEUTDEFF', 'FR64443061841'),
	('356000000', '35600000049837', 'GB29NWBK60161331926819', 'PSSTFRPPPAR', 'FR39356000000');

-- UNIQUE sees through the way a value was typed
INSERT INTO company (siren) VALUES ('732 829 320');
INSERT INTO company (siren, iban) VALUES ('552032534', 'fr76 3000 6000 0112 3456 7890 189');
INSERT INTO company (siren, vat) VALUES ('552032534', 'fr 64 443 061 841');
SELECT count(*) FROM company;

-- many rows, so that the planner has choices
INSERT INTO company (siren, siret, iban, vat)
SELECT s, (s::text || '00017')::siret, NULL, vat_id_from_siren(s)
FROM (SELECT (n::text || d::text)::siren AS s
	  FROM generate_series(10000000, 10002000) AS n, generate_series(0, 9) AS d
	  WHERE is_valid_siren(n::text || d::text)) AS v
WHERE is_valid_siret(s::text || '00017');
ANALYZE company;

-- btree index scans on each indexed type
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM company WHERE siren = '732829320';
SELECT siren, siret FROM company WHERE siren = '732 829 320';
EXPLAIN (COSTS OFF) SELECT * FROM company WHERE siret = '44306184100047';
SELECT siren FROM company WHERE siret = '443 061 841 00047';
EXPLAIN (COSTS OFF) SELECT * FROM company WHERE iban = 'GB29NWBK60161331926819';
SELECT siren FROM company WHERE iban = 'gb29 nwbk 6016 1331 9268 19';
EXPLAIN (COSTS OFF) SELECT * FROM company WHERE vat = 'FR64443061841';
SELECT siren FROM company WHERE vat = 'FR 64 443061841';
EXPLAIN (COSTS OFF) SELECT siren FROM company WHERE siren BETWEEN '100000009' AND '100000108' ORDER BY siren;
SELECT count(*) FROM company WHERE siren BETWEEN '100000009' AND '100000108';
CREATE INDEX company_bic ON company (bic);
CREATE INDEX company_bic_hash ON company USING hash (bic);
EXPLAIN (COSTS OFF) SELECT siren FROM company WHERE bic = 'DEUTDEFF';
SELECT siren FROM company WHERE bic = 'deut de ff';
RESET enable_seqscan;
RESET enable_bitmapscan;

-- hash joins and merge joins on every type
CREATE TABLE payment_order (siren siren, siret siret, iban iban, bic bic, vat vat_id);
INSERT INTO payment_order SELECT siren, siret, iban, bic, vat FROM company;
ANALYZE payment_order;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM company c JOIN payment_order p USING (siren);
SELECT count(*) FROM company c JOIN payment_order p USING (siren);
SELECT count(*) FROM company c JOIN payment_order p USING (siret);
SELECT count(*) FROM company c JOIN payment_order p USING (iban);
SELECT count(*) FROM company c JOIN payment_order p USING (bic);
EXPLAIN (COSTS OFF) SELECT count(*) FROM company c JOIN payment_order p USING (vat);
SELECT count(*) FROM company c JOIN payment_order p USING (vat);
RESET enable_mergejoin;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM company c JOIN payment_order p USING (iban);
SELECT count(*) FROM company c JOIN payment_order p USING (siren);
SELECT count(*) FROM company c JOIN payment_order p USING (siret);
SELECT count(*) FROM company c JOIN payment_order p USING (iban);
SELECT count(*) FROM company c JOIN payment_order p USING (bic);
SELECT count(*) FROM company c JOIN payment_order p USING (vat);
RESET enable_hashjoin;
RESET enable_nestloop;

-- hash aggregation and DISTINCT
SELECT count(DISTINCT siren), count(DISTINCT vat) FROM payment_order;

-- binary COPY round trip keeps every value
\getenv abs_builddir PG_ABS_BUILDDIR
\set copyfile :abs_builddir '/results/identifiers.bin'
COPY company TO :'copyfile' (FORMAT binary);
CREATE TABLE company_copy (LIKE company);
COPY company_copy FROM :'copyfile' (FORMAT binary);
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE c IS NOT DISTINCT FROM k) AS identical
FROM company c FULL JOIN company_copy k USING (siren);

-- binary input is checked like text input: bad values written in binary
-- by other types are refused
CREATE TABLE raw_values (i int4, l int8, t text);
INSERT INTO raw_values VALUES (732829321, 44306184100048, 'FR7630006000011234567890188');
COPY raw_values TO :'copyfile' (FORMAT binary);
CREATE TABLE typed_values (s siren, r siret, i iban);
COPY typed_values FROM :'copyfile' (FORMAT binary);
UPDATE raw_values SET i = 732829320;
COPY raw_values TO :'copyfile' (FORMAT binary);
COPY typed_values FROM :'copyfile' (FORMAT binary);
UPDATE raw_values SET l = 44306184100047;
COPY raw_values TO :'copyfile' (FORMAT binary);
COPY typed_values FROM :'copyfile' (FORMAT binary);
UPDATE raw_values SET i = -5;
COPY raw_values TO :'copyfile' (FORMAT binary);
COPY typed_values FROM :'copyfile' (FORMAT binary);
UPDATE raw_values SET i = 732829320, t = 'fr76 3000 6000 0112 3456 7890 189';
COPY raw_values TO :'copyfile' (FORMAT binary);
COPY typed_values FROM :'copyfile' (FORMAT binary);
SELECT * FROM typed_values;
CREATE TABLE typed_codes (b bic, v vat_id);
COPY (SELECT 'BNPAZZPP', 'FR44732829320') TO :'copyfile' (FORMAT binary);
COPY typed_codes FROM :'copyfile' (FORMAT binary);
COPY (SELECT 'BNPAFRPP', 'FR45732829320') TO :'copyfile' (FORMAT binary);
COPY typed_codes FROM :'copyfile' (FORMAT binary);
COPY (SELECT 'bnpa frpp xxx', 'fr44 732829320') TO :'copyfile' (FORMAT binary);
COPY typed_codes FROM :'copyfile' (FORMAT binary);
SELECT * FROM typed_codes;

-- casts to and from text
SELECT '732829320'::siren::text, 'FR44732829320'::vat_id::text,
	   ('BNPA' || 'FRPP')::bic, 'FR7630006000011234567890189'::text::iban;

DROP TABLE company, payment_order, company_copy, raw_values, typed_values, typed_codes;
