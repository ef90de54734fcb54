-- siren: 9 digits, the last a Luhn check digit
SET search_path = bizinvoice, public;

-- what people type: spaces, dots, hyphens, no-break spaces, leading zeros
SELECT input, input::siren AS siren
FROM (VALUES ('732829320'), ('732 829 320'), ('732.829.320'), (' 552-032-534 '),
			 (E'356\u00a0000\u00a0000'), (E'443\u202f061\u202f841'),
			 (E'542\t051\t180'), ('005520135')) AS t(input);

-- every kind of refusal, each saying what is wrong
SELECT ''::siren;
SELECT '   '::siren;
SELECT '73282932'::siren;
SELECT '7328293200'::siren;
SELECT '73282932O'::siren;
SELECT 'abc'::siren;
SELECT '732,829,320'::siren;
SELECT '732829é20'::siren;
SELECT '+732829320'::siren;
SELECT '732829321'::siren;
SELECT '732829328'::siren;
SELECT '000000001'::siren;

-- a refused value writes nothing
CREATE TABLE siren_t (s siren PRIMARY KEY);
INSERT INTO siren_t VALUES ('732829320'), ('732829321');
SELECT count(*) FROM siren_t;

-- is_valid_siren never raises
SELECT input, is_valid_siren(input)
FROM (VALUES ('732 829 320'), ('732829321'), ('7328'), ('x'), (''), (NULL)) AS t(input);

-- comparisons follow the numbers
SELECT '005520135'::siren < '130005481'::siren AS lt,
	   '732 829 320'::siren = '732829320'::siren AS eq,
	   '732829320'::siren <> '552032534'::siren AS ne,
	   '552032534'::siren >= '552032534'::siren AS ge,
	   '855200887'::siren > '732829320'::siren AS gt,
	   '380129866'::siren <= '356000000'::siren AS le;
