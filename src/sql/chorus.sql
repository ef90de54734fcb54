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

