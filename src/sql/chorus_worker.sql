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
