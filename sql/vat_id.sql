-- vat_id: EU VAT numbers; French keys are checked
SET search_path = bizinvoice, public;

SELECT input, input::vat_id AS vat_id, vat_id_country(input::vat_id)
FROM (VALUES ('FR44732829320'), ('fr 44 732 829 320'), ('FR27 552 032 534'),
			 ('FRXX999999999'), ('DE136695976'), ('ATU13585627'), ('BE0411905847'),
			 ('NL004495445B01'), ('ESA28015865'), ('IE6388047V'), ('IE1234567WA'),
			 ('EL094014201'), ('IT00743110157'), ('SE556000000001'), ('RO18547290'),
			 ('XIGD123'), ('CY10259033P')) AS t(input);

-- the French VAT number of a SIREN
SELECT vat_id_from_siren('732 829 320'), vat_id_from_siren('005520135'),
	   vat_id_from_siren('356000000');
SELECT vat_id_from_siren(s) = ('FR' || lpad(((12 + 3 * (s::text::bigint % 97)) % 97)::text, 2, '0')
								|| s::text)::vat_id AS matches_formula
FROM (VALUES ('443061841'::siren), ('552032534'), ('130005481')) AS t(s);

-- refusals
SELECT ''::vat_id;
SELECT 'F'::vat_id;
SELECT '44732829320'::vat_id;
SELECT 'US123456789'::vat_id;
SELECT 'GR094014201'::vat_id;
SELECT 'FR4473282932'::vat_id;
SELECT 'FR45732829320'::vat_id;
SELECT 'DE13669597'::vat_id;
SELECT 'ATX13585627'::vat_id;
SELECT 'NL004495445A01'::vat_id;
SELECT 'FR44 732/829/320'::vat_id;

SELECT input, is_valid_vat_id(input)
FROM (VALUES ('FR44732829320'), ('FR45732829320'), ('GB123456789'), ('EL'), (NULL)) AS t(input);
