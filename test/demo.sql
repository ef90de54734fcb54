-- bizinvoice demo: what the extension does so far.
\pset footer off
\set ECHO queries
CREATE EXTENSION bizinvoice;
SET search_path = bizinvoice, public;

\echo
\echo '== Identifiers as people type them, stored and shown in canonical form.'
SELECT '732 829 320'::siren AS siren,
	   '732.829.320.00074'::siret AS siret,
	   'fr76 3000 6000 0112 3456 7890 189'::iban AS iban,
	   'bnpa fr pp xxx'::bic AS bic,
	   vat_id_from_siren('732829320') AS vat_id;

SELECT iban_print('FR7630006000011234567890189') AS printed,
	   iban_country('DE89370400440532013000') AS country,
	   '44306184100047'::siret::siren AS siren_of_siret;

\echo
\echo '== A mistyped identifier is refused with the reason.'
\set ON_ERROR_STOP 0
SELECT '732829321'::siren;
SELECT 'FR7630006000011234567890188'::iban;
SELECT 'FR45732829320'::vat_id;
\set ON_ERROR_STOP 1

\echo
\echo '== Checking without raising, e.g. in a form or a CHECK.'
SELECT input, is_valid_siren(input) AS siren, is_valid_siret(input) AS siret
FROM (VALUES ('732 829 320'), ('732829321'), ('35600000049837')) AS t(input);

\echo
\echo '== Identifiers as keys: typed any way, one company.'
CREATE TABLE company (siren siren PRIMARY KEY, name text NOT NULL);
INSERT INTO company VALUES ('732829320', 'Sample SA');
\set ON_ERROR_STOP 0
INSERT INTO company VALUES ('732 829 320', 'Sample SA again');
\set ON_ERROR_STOP 1
SELECT * FROM company;
