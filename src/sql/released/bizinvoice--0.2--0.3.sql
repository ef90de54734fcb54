-- bizinvoice 0.2 to 0.3, as released: the upgrade script of that version, kept as it was.
\echo Use "ALTER EXTENSION bizinvoice UPDATE" to load this file. \quit
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

CREATE OR REPLACE FUNCTION import_invoice(document bytea) RETURNS bigint
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
REVOKE ALL ON FUNCTION facturx_xml(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION facturx_xml(bytea) TO bizinvoice_user;
