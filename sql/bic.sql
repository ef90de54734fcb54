-- bic: institution, country, location, optional branch
SET search_path = bizinvoice, public;

SELECT input, input::bic AS bic
FROM (VALUES ('BNPAFRPP'), ('bnpafrpp'), ('BNPA FR PP XXX'), ('AGRIFRPP882'),
			 ('DEUTDEFF'), ('DEUT DE FF 500'), ('PSSTFRPPPAR'), ('CEPAFRPP751'),
			 ('1234FRPP')) AS t(input);

-- the primary office's XXX branch is the 8-character BIC
SELECT 'BNPAFRPPXXX'::bic = 'BNPAFRPP'::bic AS same_office;

-- refusals
SELECT ''::bic;
SELECT 'BNPAFRP'::bic;
SELECT 'BNPAFRPPX'::bic;
SELECT 'BNPAFRPPXXXX'::bic;
SELECT 'BNPA1RPP'::bic;
SELECT 'BNPAZZPP'::bic;
SELECT 'BNPA/FRPP'::bic;

SELECT input, is_valid_bic(input)
FROM (VALUES ('BNPAFRPP'), ('BNPAZZPP'), ('BNPAFRPPXX'), (NULL)) AS t(input);

-- ordering is that of the text: the 8-character form before its branches
SELECT b FROM (VALUES ('DEUTDEFF500'::bic), ('BNPAFRPP'), ('BNPAFRPP0AB'),
						('AGRIFRPP882'), ('BNPAFRPPZZZ'), ('1234FRPP')) AS t(b)
ORDER BY b;
