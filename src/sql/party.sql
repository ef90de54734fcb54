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
