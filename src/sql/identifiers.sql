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
