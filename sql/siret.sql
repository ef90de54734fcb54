-- siret: a SIREN and a 5-digit NIC, Luhn-checked; La Poste adds up to 5s
SET search_path = bizinvoice, public;

SELECT input, input::siret AS siret
FROM (VALUES ('44306184100047'), ('443 061 841 00047'), ('542.051.180.00066'),
			 ('552 100 554 00013'), ('35600000000048'), ('356 000 000 49837'),
			 (E'732\u00a0829\u00a0320\u00a000074')) AS t(input);

-- the SIREN inside
SELECT '443 061 841 00047'::siret::siren AS siren;
SELECT siret_to_siren('35600000049837');

-- refusals
SELECT '4430618410004'::siret;
SELECT '443061841000470'::siret;
SELECT '4430618410004X'::siret;
SELECT '44306184100048'::siret;
SELECT '44306184200047'::siret;
SELECT '35600000049838'::siret;
SELECT ''::siret;

-- at La Poste two digits fit: 2 as well as 7
SELECT '35600000049832'::siret, '35600000049837'::siret;

SELECT input, is_valid_siret(input)
FROM (VALUES ('44306184100047'), ('44306184100048'), ('35600000049837'),
			 ('35600000049838'), ('356'), (NULL)) AS t(input);

SELECT '44306184100047'::siret < '54205118000066'::siret AS lt,
	   '443 061 841 00047'::siret = '44306184100047'::siret AS eq,
	   '35600000000048'::siret > '35600000049837'::siret AS gt;
