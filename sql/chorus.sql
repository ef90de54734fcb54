-- The Chorus Pro state machine, driven by hand: the requests chorus_claim()
-- hands out and what chorus_answer() makes of each answer, good or bad.
-- (The worker and the network are tested in test/t/005-007.)
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
CREATE ROLE regress_c_alice LOGIN IN ROLE bizinvoice_user;
SELECT register_party('{"name": "Chorus Alice", "siret": "83451234500002", "members": ["regress_c_alice"]}') AS alice \gset
SELECT register_party('{"kind": "public_structure", "name": "Chorus Town", "siret": "21750001600001",
	"services": [{"code": "VOIRIE", "name": "Voirie"}]}') AS town \gset
SELECT register_party('{"kind": "public_structure", "name": "Unknown Board", "siret": "24350001400002"}') AS board \gset
SELECT fund(open_account(:alice), 10, 'initial', 'c-fund-1') IS NOT NULL AS funded;
-- earlier tests left B2G invoices queued: set aside, so that only this test's work is due
UPDATE chorus_outbox SET state = 'failed', last_error = 'set aside by the chorus test';
-- lets the test skip the waits the state machine sets
CREATE FUNCTION due_now() RETURNS void LANGUAGE sql AS $$
	UPDATE bizinvoice.chorus_outbox SET next_attempt_at = now();
	UPDATE bizinvoice.chorus_structure SET next_attempt_at = now();
$$;
CREATE FUNCTION g(number text, buyer text DEFAULT '21750001600001', service text DEFAULT 'VOIRIE')
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	id bigint;
BEGIN
	PERFORM act_as((SELECT p.id FROM party p WHERE p.name = 'Chorus Alice'), local => true);
	id := create_invoice(jsonb_build_object('number', number, 'issue_date', '2026-11-02',
		'buyer', jsonb_build_object('siret', buyer), 'buyer_reference', service,
		'lines', '[{"item_name": "Entretien", "quantity": 1, "net_price": 100, "vat_rate": 20}]'::jsonb));
	PERFORM submit(id);
	RETURN id;
END
$$;

-- Chorus Pro status codes onto the ten B2G statuses
SELECT code, chorus_status_of(code)
FROM unnest(ARRAY['DEPOSEE', 'MISE_EN_PAIEMENT', 'COMPLETEE', 'ABANDONNEE', 'SUPPRIMEE',
				  'EN_COURS_ACHEMINEMENT', 'A_VALIDER_1']) code;

-- submitting without a worker says so, and queues
SELECT g('C-1') AS c1 \gset
SELECT state, attempts, last_error FROM chorus_queue WHERE invoice_id = :c1;

-- the directory first: structure, parameters, services
SELECT job, step, path, body FROM chorus_claim(10, '{}');
SELECT job, step, path, body FROM chorus_claim(10, '{siret:21750001600001}');
SELECT * FROM chorus_answer('siret:21750001600001', 'structure', 200,
	'{"codeRetour": 0, "listeStructures": [{"idStructureCPP": 42}]}', NULL);
SELECT * FROM chorus_answer('siret:21750001600001', 'parameters', 200,
	'{"codeRetour": 0, "parametres": {"codeServiceDoitEtreRenseigne": true, "numeroEJDoitEtreRenseigne": false}}', NULL);
SELECT * FROM chorus_answer('siret:21750001600001', 'services', 200,
	'{"codeRetour": 0, "listeServices": [{"codeService": "VOIRIE", "libelleService": "Voirie", "estActif": true},
	  {"codeService": "ECOLES", "libelleService": "Écoles", "estActif": false}]}', NULL);
SELECT siret, structure_id, requires_service_code, requires_engagement, refreshed_at IS NOT NULL AS fresh
FROM chorus_structure;
-- the platform's record of the structure follows the directory
SELECT code, name, active FROM public_service WHERE party_id = :town ORDER BY code;
SELECT requires_service_code FROM party WHERE id = :town;

-- the deposit: marked as sending before it leaves
SELECT job, step, path, body - 'fichierFlux' AS body,
	   convert_from(decode(body->>'fichierFlux', 'base64'), 'UTF8') ~ '<cbc:ID>C-1</cbc:ID>' AS ubl_of_c1
FROM chorus_claim(10, '{}');
SELECT state, sending_since IS NOT NULL AS since FROM chorus_outbox WHERE invoice_id = :c1;
-- throttled: nothing was deposited, again later
SELECT * FROM chorus_answer('invoice:' || :c1, 'deposit', 429, NULL, NULL);
SELECT state, attempts, next_attempt_at > now() AS later, last_error FROM chorus_outbox WHERE invoice_id = :c1;
SELECT count(*) FROM chorus_claim(10, '{}');
SELECT due_now();
-- no answer at all: the deposit is in doubt
SELECT step FROM chorus_claim(10, '{}');
SELECT * FROM chorus_answer('invoice:' || :c1, 'deposit', 0, NULL, 'Operation timed out after 30000 milliseconds');
SELECT state, attempts, last_error FROM chorus_outbox WHERE invoice_id = :c1;
-- in doubt: searched by number, never deposited again within the window
SELECT due_now();
SELECT step, body FROM chorus_claim(10, '{}');
SELECT * FROM chorus_answer('invoice:' || :c1, 'doubt', 200,
	'{"codeRetour": 20000, "libelle": "la recherche n''a retourné aucun résultat"}', NULL);
SELECT state, next_attempt_at > now() AS later FROM chorus_outbox WHERE invoice_id = :c1;
-- found on a second page: integrated, DEPOSEE, the fee
SELECT * FROM chorus_answer('invoice:' || :c1, 'doubt', 200,
	'{"codeRetour": 0, "listeFactures": [{"identifiantFactureCPP": 8999, "numeroFacture": "C-1", "montantTTC": 99}],
	  "parametresRetour": {"pageCourante": 1, "pages": 2}}', NULL);
SELECT * FROM chorus_answer('invoice:' || :c1, 'doubt', 200,
	'{"codeRetour": 0, "listeFactures": [{"identifiantFactureCPP": 9001, "numeroFacture": "C-1",
	  "montantTTC": 120.00, "numeroFluxDepot": "CPP0001"}], "parametresRetour": {"pageCourante": 2, "pages": 2}}', NULL);
SELECT state, chorus_id, flux_number, b2g_status, fee_charged, last_error FROM chorus_queue WHERE invoice_id = :c1;
SELECT balance FROM account_balances WHERE party_id = :alice;

-- the history: new entries in order, transient codes kept out, raw codes in
SELECT due_now();
SELECT step, body FROM chorus_claim(10, '{}');
SELECT * FROM chorus_answer('invoice:' || :c1, 'history', 200,
	'{"codeRetour": 0, "statutCourantCode": "SERVICE_FAIT", "historiquesDesStatuts": {"histoStatut": [
	  {"histoStatutId": 3, "histoStatutCode": "SERVICE_FAIT"},
	  {"histoStatutId": 1, "histoStatutCode": "DEPOSEE"},
	  {"histoStatutId": 2, "histoStatutCode": "MISE_A_DISPOSITION"},
	  {"histoStatutId": 4, "histoStatutCode": "EN_COURS_ACHEMINEMENT"}]}}', NULL);
-- a malformed answer (the worker passes NULL and says why): tried again
SELECT * FROM chorus_answer('invoice:' || :c1, 'history', 200, NULL, 'HTTP status 200 with an answer that is not JSON');
SELECT state, attempts, last_error FROM chorus_outbox WHERE invoice_id = :c1;
-- then the end: MISE_EN_PAIEMENT is final
SELECT * FROM chorus_answer('invoice:' || :c1, 'history', 200,
	'{"codeRetour": 0, "statutCourantCode": "MISE_EN_PAIEMENT", "historiquesDesStatuts": {"histoStatut": [
	  {"histoStatutId": 4, "histoStatutCode": "EN_COURS_ACHEMINEMENT"},
	  {"histoStatutId": 5, "histoStatutCode": "MISE_EN_PAIEMENT", "histoStatutCommentaire": "payée"}]}}', NULL);
SELECT from_status, to_status, raw_code, actor, reason FROM status_history WHERE invoice_id = :c1 ORDER BY id;
SELECT state, attempts, chorus_status, b2g_status, last_error FROM chorus_queue WHERE invoice_id = :c1;

-- a flux: in progress, not processed (sent again), rejected (with Chorus Pro's message)
SELECT g('C-2') AS c2 \gset
SELECT step FROM chorus_claim(10, '{}');
SELECT * FROM chorus_answer('invoice:' || :c2, 'deposit', 200,
	'{"codeRetour": 0, "libelle": "TRA_MSG_00.000", "numeroFluxDepot": "CPP0002"}', NULL);
SELECT due_now();
SELECT step, body FROM chorus_claim(10, '{}');
SELECT * FROM chorus_answer('invoice:' || :c2, 'report', 200,
	'{"codeRetour": 0, "etatCourantDepotFlux": "IN_EN_COURS_TRAITEMENT_CPP"}', NULL);
SELECT state, flux_state FROM chorus_outbox WHERE invoice_id = :c2;
SELECT * FROM chorus_answer('invoice:' || :c2, 'report', 200,
	'{"codeRetour": 0, "etatCourantDepotFlux": "IN_INCIDENTE"}', NULL);
SELECT state, flux_number, attempts, last_error FROM chorus_outbox WHERE invoice_id = :c2;
SELECT due_now();
SELECT step FROM chorus_claim(10, '{}');
SELECT * FROM chorus_answer('invoice:' || :c2, 'deposit', 200,
	'{"codeRetour": 0, "numeroFluxDepot": "CPP0003"}', NULL);
SELECT * FROM chorus_answer('invoice:' || :c2, 'report', 200,
	'{"codeRetour": 0, "etatCourantDepotFlux": "IN_REJETE",
	  "listeErreurDP": [{"numeroDP": "C-2", "libelleErreurDP": "Le montant total est incohérent."}]}', NULL);
SELECT state, last_error FROM chorus_queue WHERE invoice_id = :c2;
-- the supplier sends it again; the directory is read again first
SET ROLE regress_c_alice;
SELECT act_as(:alice);
SELECT chorus_resend(:c2);
SELECT chorus_resend(:c1);
SELECT state, flux_number FROM chorus_queue WHERE invoice_id = :c2;
RESET ROLE;
SELECT refreshed_at IS NULL AS to_read_again FROM chorus_structure WHERE siret = '21750001600001';
SELECT job, step FROM chorus_claim(10, '{}');

-- a refusal for good at the deposit
SELECT * FROM chorus_answer('siret:21750001600001', 'structure', 200,
	'{"codeRetour": 0, "listeStructures": [{"idStructureCPP": 42}]}', NULL);
SELECT * FROM chorus_answer('siret:21750001600001', 'parameters', 200, '{"codeRetour": 0, "parametres": {}}', NULL);
SELECT * FROM chorus_answer('siret:21750001600001', 'services', 200,
	'{"codeRetour": 0, "listeServices": [{"codeService": "VOIRIE", "estActif": true}]}', NULL);
SELECT step FROM chorus_claim(10, '{}');
SELECT * FROM chorus_answer('invoice:' || :c2, 'deposit', 200,
	'{"codeRetour": 20001, "libelle": "fichier illisible"}', NULL);
SELECT state, last_error FROM chorus_queue WHERE invoice_id = :c2;

-- the directory's refusals: unknown structure, inactive or missing service
SELECT g('C-3', buyer => '24350001400002', service => NULL) AS c3 \gset
SELECT job, step FROM chorus_claim(10, '{}');
SELECT * FROM chorus_answer('siret:24350001400002', 'structure', 200,
	'{"codeRetour": 20000, "libelle": "la recherche n''a retourné aucun résultat"}', NULL);
SELECT count(*) FROM chorus_claim(10, '{}');
SELECT state, last_error FROM chorus_queue WHERE invoice_id = :c3;
SELECT g('C-4', buyer => '24350001400002', service => NULL);
SELECT g('C-5', service => 'FACTURES_PUBLIQUES');
SELECT count(*) FROM invoice WHERE number IN ('C-4', 'C-5');
-- a directory read that fails waits with backoff
UPDATE chorus_structure SET refreshed_at = NULL WHERE siret = '24350001400002';
SELECT * FROM chorus_answer('siret:24350001400002', 'structure', 503, NULL, NULL);
SELECT attempts, next_attempt_at > now() AS later, last_error FROM chorus_structure WHERE siret = '24350001400002';

-- a flux Chorus Pro never integrated: its routing may be corrected when sent again
SET ROLE regress_c_alice;
SELECT act_as(:alice);
SELECT chorus_resend(:c2, buyer_reference => 'NOPE');
SELECT chorus_resend(:c2, purchase_order => repeat('9', 51));
SELECT chorus_resend(:c2, purchase_order => 'EJ-2026-7');
RESET ROLE;
SELECT i.number, i.buyer_reference, i.purchase_order, q.state FROM chorus_queue q JOIN invoice i ON i.id = q.invoice_id
WHERE invoice_id = :c2;
-- and only that way
UPDATE invoice SET purchase_order = 'EJ-X' WHERE id = :c2;
-- a deposit acknowledged without its flux number may be there: in doubt
SELECT job, step FROM chorus_claim(10, '{}');
SELECT * FROM chorus_answer('siret:21750001600001', 'structure', 200,
	'{"codeRetour": 0, "listeStructures": [{"idStructureCPP": 42}]}', NULL);
SELECT * FROM chorus_answer('siret:21750001600001', 'parameters', 200, '{"codeRetour": 0, "parametres": {}}', NULL);
SELECT * FROM chorus_answer('siret:21750001600001', 'services', 200,
	'{"codeRetour": 0, "listeServices": [{"codeService": "VOIRIE", "estActif": true}]}', NULL);
SELECT step FROM chorus_claim(10, '{}');
SELECT * FROM chorus_answer('invoice:' || :c2, 'deposit', 200, '{"codeRetour": 0, "libelle": "TRA_MSG_00.000"}', NULL);
SELECT state, last_error FROM chorus_outbox WHERE invoice_id = :c2;

-- what the worker shows without a worker
SELECT running, pid, database FROM worker_status;
SELECT chorus_worker_database();
-- credentials: superusers only
SELECT chorus_set_credentials('id', 'secret', 'login', 'password');
SET ROLE regress_c_alice;
SELECT * FROM chorus_credential;
SELECT chorus_set_credentials('id', 'secret', 'login', 'password');
SELECT count(*) FROM chorus_claim(10, '{}');
SELECT number, state FROM chorus_queue ORDER BY invoice_id;
RESET ROLE;
-- settings: only https, or http to this machine
SET bizinvoice.chorus_api_url = 'http://chorus.example';
ALTER SYSTEM SET bizinvoice.chorus_api_url = 'http://chorus.example';
ALTER SYSTEM SET bizinvoice.chorus_api_url = 'ftp://127.0.0.1';

DROP FUNCTION due_now();
DROP FUNCTION g(text, text, text);
DELETE FROM party_member WHERE member = 'regress_c_alice'::regrole;
DROP ROLE regress_c_alice;
