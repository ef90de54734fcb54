-- bizinvoice 0.4 to 0.5: generated from src/sql by make; edit there.
\echo Use "ALTER EXTENSION bizinvoice UPDATE" to load this file. \quit
-- 0.5: at most one reversal a transfer, through a partial unique index.  A
-- UNIQUE constraint indexed the NULL of every transfer that reverses
-- nothing, each insert on the index's last page.  (A database from an
-- earlier release has that constraint; a fresh one does not.)
DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_constraint
			   WHERE conrelid = 'transfer'::regclass AND conname = 'transfer_reverses_key') THEN
		ALTER TABLE transfer DROP CONSTRAINT transfer_reverses_key;
	END IF;
END
$$;
CREATE UNIQUE INDEX transfer_reverses ON transfer (reverses) WHERE reverses IS NOT NULL;
COMMENT ON INDEX transfer_reverses IS 'a transfer is reversed at most once';
DROP FUNCTION json_is_decimal(jsonb);
CREATE OR REPLACE FUNCTION party_account(party bigint, currency text) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	RETURN (SELECT a.id FROM bizinvoice.account a
			WHERE a.kind = 'party' AND a.party_id = party AND a.currency = party_account.currency);
END
$$;
COMMENT ON FUNCTION party_account(bigint, text) IS 'internal: a party''s account in a currency, or NULL';
CREATE OR REPLACE FUNCTION invoice_outstanding(invoice_id bigint) RETURNS numeric
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	RETURN (SELECT i.payable_amount
				   - coalesce((SELECT p.paid FROM bizinvoice.invoice_paid p WHERE p.invoice_id = i.id), 0)
			FROM bizinvoice.invoice i WHERE i.id = invoice_outstanding.invoice_id);
END
$$;
COMMENT ON FUNCTION invoice_outstanding(bigint) IS 'what remains to be paid on an invoice: its payable amount less its payments (net of reversals)';
CREATE OR REPLACE FUNCTION invoice_payable_now(invoice_id bigint) RETURNS numeric
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	RETURN bizinvoice.invoice_outstanding(invoice_payable_now.invoice_id)
		   - coalesce((SELECT sum(a.amount) FROM bizinvoice.payment_authorization a
					   WHERE a.invoice_id = invoice_payable_now.invoice_id AND a.state = 'authorized'), 0);
END
$$;
COMMENT ON FUNCTION invoice_payable_now(bigint) IS 'what may still be paid or authorised on an invoice: what remains less open authorisations';
CREATE OR REPLACE FUNCTION idempotent_done(key text, result jsonb) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
	recorded jsonb;
BEGIN
	UPDATE idempotency_key k SET result = idempotent_done.result
	WHERE k.party_id = coalesce(current_party(), 0) AND k.key = idempotent_done.key
	RETURNING k.result INTO recorded;
	RETURN recorded;
END
$$;
COMMENT ON FUNCTION idempotent_done(text, jsonb) IS 'internal: records the result of a new idempotent request';
CREATE OR REPLACE FUNCTION post_transfer(debit bigint, credit bigint, amount numeric, kind text,
							  invoice_id bigint DEFAULT NULL, reference text DEFAULT NULL,
							  reverses bigint DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	d account;
	c account;
	a account;
	new_id bigint;
BEGIN
	IF amount IS NULL OR amount <= 0 OR amount <> round(amount, 2) THEN
		RAISE EXCEPTION 'invalid amount %', amount
			USING ERRCODE = '22023', DETAIL = 'An amount is positive, to the cent.';
	END IF;
	FOR a IN SELECT * FROM account WHERE id IN (debit, credit) ORDER BY id FOR UPDATE LOOP
		IF a.id = debit THEN d := a; ELSE c := a; END IF;
	END LOOP;
	IF d.id IS NULL OR c.id IS NULL THEN
		RAISE EXCEPTION 'account % does not exist', CASE WHEN d.id IS NULL THEN debit ELSE credit END
			USING ERRCODE = '42704';
	END IF;
	IF d.currency <> c.currency THEN
		RAISE EXCEPTION 'cannot transfer between accounts in different currencies'
			USING ERRCODE = '22023',
				  DETAIL = format('Account %s holds %s, account %s holds %s.', d.id, d.currency, c.id, c.currency);
	END IF;
	IF d.kind = 'party' AND d.balance - d.reserved + d.overdraft_limit < amount THEN
		RAISE EXCEPTION 'insufficient funds in account %', d.id
			USING ERRCODE = '23514',
				  DETAIL = format('%s %s requested, %s available (balance %s, reserved %s, overdraft limit %s).',
								  amount, d.currency, d.balance - d.reserved + d.overdraft_limit,
								  d.balance, d.reserved, d.overdraft_limit);
	END IF;
	-- one statement for both: the account rows' constraints are read once
	UPDATE account SET balance = balance + CASE id WHEN d.id THEN -amount ELSE amount END
	WHERE id IN (d.id, c.id);
	INSERT INTO transfer (debit_account, credit_account, amount, currency, kind, invoice_id,
						  reference, reverses, created_by)
	VALUES (d.id, c.id, amount, d.currency, kind, invoice_id, reference, reverses, caller_name())
	RETURNING id INTO new_id;
	IF kind = 'payment' OR (kind = 'reversal' AND
							(SELECT t.kind FROM transfer t WHERE t.id = post_transfer.reverses) = 'payment') THEN
		INSERT INTO invoice_paid AS p (invoice_id, paid)
		VALUES (post_transfer.invoice_id, CASE kind WHEN 'payment' THEN amount ELSE -amount END)
		ON CONFLICT ON CONSTRAINT invoice_paid_pkey
		DO UPDATE SET paid = p.paid + EXCLUDED.paid;
	END IF;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION post_transfer(bigint, bigint, numeric, text, bigint, text, bigint) IS 'internal: the one way money moves: locks both accounts, checks currency and funds, updates balances, records the transfer';
CREATE OR REPLACE FUNCTION idempotent(key text, operation text, arguments jsonb) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
	prior idempotency_key;
	p bigint := coalesce(current_party(), 0);
BEGIN
	IF key IS NULL OR btrim(key) = '' THEN
		RAISE EXCEPTION 'an idempotency key is required'
			USING ERRCODE = '22023',
				  HINT = 'Pass idempotency_key => a value unique to this request, e.g. a UUID.';
	END IF;
	INSERT INTO idempotency_key (party_id, key, operation, arguments)
	VALUES (p, key, operation, arguments)
	ON CONFLICT DO NOTHING;
	IF FOUND THEN
		RETURN NULL;	-- new: the caller performs it and records the result
	END IF;
	SELECT * INTO prior FROM idempotency_key k WHERE k.party_id = p AND k.key = idempotent.key;
	IF prior.operation <> operation OR prior.arguments <> arguments THEN
		RAISE EXCEPTION 'idempotency key "%" was already used for another request', key
			USING ERRCODE = '22023',
				  DETAIL = format('First %s %s, now %s %s.', prior.operation, prior.arguments,
								  operation, arguments);
	END IF;
	RETURN prior.result;
END
$$;
COMMENT ON FUNCTION idempotent(text, text, jsonb) IS 'internal: NULL if this idempotency key is new (the caller then records its result), else the first result; refuses a key reused with other arguments';
CREATE OR REPLACE FUNCTION system_account(kind text, currency text) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	found bigint;
BEGIN
	SELECT id INTO found FROM account a WHERE a.kind = system_account.kind AND a.currency = system_account.currency;
	IF found IS NULL THEN
		INSERT INTO account (kind, currency) VALUES (system_account.kind, system_account.currency)
		ON CONFLICT DO NOTHING RETURNING id INTO found;
		IF found IS NULL THEN		-- created concurrently
			SELECT id INTO found FROM account a
			WHERE a.kind = system_account.kind AND a.currency = system_account.currency;
		END IF;
	END IF;
	RETURN found;
END
$$;
COMMENT ON FUNCTION system_account(text, text) IS 'internal: the platform_fees or outside account of a currency, created on first use';
CREATE OR REPLACE FUNCTION check_payable(inv invoice, by_platform boolean) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	IF NOT by_platform AND inv.buyer_id IS DISTINCT FROM current_party() THEN
		RAISE EXCEPTION 'only the buyer of invoice % pays it', inv.id USING ERRCODE = '42501';
	END IF;
	IF inv.channel = 'B2B' AND inv.b2b_status IN ('deposited', 'issued', 'received', 'made_available',
			'in_hand', 'reviewed', 'disputed', 'suspended', 'completed', 'routing_error') THEN
		RAISE EXCEPTION 'invoice % cannot be paid while %', inv.id, inv.b2b_status
			USING ERRCODE = '55000', HINT = 'The buyer approves an invoice before paying it.';
	END IF;
	IF inv.channel = 'B2B' AND inv.b2b_status NOT IN ('approved', 'partially_approved', 'payment_scheduled',
			'partially_paid', 'overdue', 'reminded', 'netted', 'factored', 'factored_confidential',
			'not_factored', 'payee_changed', 'direct_payment_requested') THEN
		RAISE EXCEPTION 'invoice % cannot be paid while %', inv.id, inv.b2b_status USING ERRCODE = '55000';
	END IF;
	IF inv.channel = 'B2G' THEN
		IF inv.delivery <> 'direct' OR inv.b2g_status NOT IN ('MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE') THEN
			RAISE EXCEPTION 'invoice % cannot be paid while %', inv.id, coalesce(inv.b2g_status::text, 'queued')
				USING ERRCODE = '55000',
					  HINT = 'A public structure pays, through its accountant, invoices received on the platform and mandated.';
		END IF;
		IF by_platform OR NOT acting_as_accountant() THEN
			RAISE EXCEPTION 'only the public accountant of % pays its invoices', inv.buyer_id
				USING ERRCODE = '42501';
		END IF;
		-- separation of duties: who certified the service does not pay it
		IF EXISTS (SELECT FROM status_history h WHERE h.invoice_id = inv.id
				   AND h.to_status = 'SERVICE_FAIT' AND h.changed_by = caller_name()) THEN
			RAISE EXCEPTION 'role % certified the service of invoice % and may not also pay it', caller_name(), inv.id
				USING ERRCODE = '42501';
		END IF;
	END IF;
END
$$;
COMMENT ON FUNCTION check_payable(invoice, boolean) IS 'internal: refuses paying an invoice not yet approved (or mandated), or by anyone but its buyer (a B2G invoice: its accountant, not the role that certified the service)';
CREATE OR REPLACE FUNCTION apply_payment(inv invoice, amount numeric, due numeric, by_platform boolean) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	from_account bigint := party_account(inv.buyer_id, inv.currency);
	to_account bigint := party_account(inv.supplier_id, inv.currency);
	tid bigint;
BEGIN
	IF due <= 0 THEN
		RAISE EXCEPTION 'invoice % is paid', inv.id USING ERRCODE = '55000';
	END IF;
	IF amount > due THEN
		RAISE EXCEPTION 'payment of % exceeds what is due on invoice %', amount, inv.id
			USING ERRCODE = '22023', DETAIL = format('%s %s remains to be paid.', due, inv.currency);
	END IF;
	IF inv.channel = 'B2G' AND amount <> due THEN
		RAISE EXCEPTION 'a B2G invoice is paid in full: % % is due on invoice %', due, inv.currency, inv.id
			USING ERRCODE = '22023';
	END IF;
	IF from_account IS NULL OR to_account IS NULL THEN
		RAISE EXCEPTION 'no % account for the %', inv.currency,
			CASE WHEN from_account IS NULL THEN 'buyer' ELSE 'supplier' END
			USING ERRCODE = '42704', HINT = 'bizinvoice.open_account(party, currency) opens one.';
	END IF;
	tid := post_transfer(from_account, to_account, amount, 'payment', inv.id, inv.number);

	IF inv.channel = 'B2G' THEN
		PERFORM set_status(inv.id, 'MISE_EN_PAIEMENT', amount => amount);
	ELSIF invoice_outstanding(inv.id) > 0 THEN
		IF by_platform THEN
			PERFORM system_move(inv.id, 'platform', 'partially_paid', NULL, amount);
		ELSE
			PERFORM set_status(inv.id, 'partially_paid', amount => amount);
		END IF;
	ELSE
		IF by_platform THEN
			PERFORM system_move(inv.id, 'platform', 'payment_sent', NULL, amount);
		ELSE
			PERFORM set_status(inv.id, 'payment_sent', amount => amount);
		END IF;
		PERFORM system_move(inv.id, 'platform', 'cashed');	-- the money is in the supplier's account
	END IF;
	RETURN tid;
END
$$;
COMMENT ON FUNCTION apply_payment(invoice, numeric, numeric, boolean) IS 'internal: the payment transfer of an invoice and its status moves (partially_paid; payment_sent and cashed; MISE_EN_PAIEMENT)';
CREATE OR REPLACE FUNCTION lock_invoice(invoice_id bigint, supplier_only boolean) RETURNS invoice
LANGUAGE plpgsql
AS $$
DECLARE
	p bigint := require_party();
	inv invoice;
BEGIN
	SELECT * INTO inv FROM invoice WHERE id = invoice_id FOR UPDATE;
	-- an invoice of other parties does not exist for this one
	IF NOT FOUND OR (inv.supplier_id <> p AND inv.buyer_id <> p) THEN
		RAISE EXCEPTION 'invoice % does not exist', invoice_id USING ERRCODE = '42704';
	END IF;
	IF supplier_only AND inv.supplier_id <> p THEN
		RAISE EXCEPTION 'only the supplier of invoice % may do this', invoice_id
			USING ERRCODE = '42501';
	END IF;
	RETURN inv;
END
$$;
COMMENT ON FUNCTION lock_invoice(bigint, boolean) IS 'internal: locks an invoice the acting party may see (as supplier, or as supplier or buyer)';
CREATE OR REPLACE FUNCTION compute_totals(inv invoice) RETURNS invoice
LANGUAGE plpgsql
AS $$
DECLARE
	bad record;
	mismatches text;
BEGIN
	-- BR-S-05, BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05, BR-O-05: rates per category
	SELECT 'lines[' || line_no || ']' AS at, vat_category, vat_rate INTO bad
	FROM invoice_line WHERE invoice_id = inv.id
	  AND CASE vat_category WHEN 'S' THEN coalesce(vat_rate, 0) <= 0
			WHEN 'O' THEN vat_rate IS NOT NULL ELSE coalesce(vat_rate, -1) <> 0 END
	UNION ALL
	SELECT CASE WHEN is_charge THEN 'charges' ELSE 'allowances' END || '[' || seq || ']',
		   vat_category, vat_rate
	FROM invoice_allowance_charge WHERE invoice_id = inv.id
	  AND CASE vat_category WHEN 'S' THEN coalesce(vat_rate, 0) <= 0
			WHEN 'O' THEN vat_rate IS NOT NULL ELSE coalesce(vat_rate, -1) <> 0 END
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
			USING ERRCODE = '22023',
				  DETAIL = format('%s: VAT category %s %s.', bad.at, bad.vat_category,
								  CASE bad.vat_category WHEN 'S' THEN 'needs a rate above 0'
									   WHEN 'O' THEN 'takes no rate' ELSE 'takes a rate of 0' END);
	END IF;

	SELECT string_agg(format('line %s: net amount %s stated, %s computed (quantity %s x price %s / %s - %s + %s)',
							 line_no, stated_net_amount, net_amount, quantity, net_price,
							 base_quantity, allowance_amount, charge_amount), '; ' ORDER BY line_no)
	INTO mismatches
	FROM invoice_line WHERE invoice_id = inv.id AND stated_net_amount <> net_amount;
	IF mismatches IS NOT NULL THEN
		RAISE EXCEPTION 'invoice % cannot be submitted: wrong line amounts', inv.id
			USING ERRCODE = '22023', DETAIL = mismatches || '.';
	END IF;

	INSERT INTO invoice_vat_breakdown (invoice_id, vat_category, vat_rate, taxable_amount, tax_amount)
	SELECT inv.id, vat_category, coalesce(vat_rate, 0), sum(amount),
		   round(sum(amount) * coalesce(vat_rate, 0) / 100, 2)
	FROM (SELECT vat_category, vat_rate, net_amount AS amount
		  FROM invoice_line WHERE invoice_id = inv.id
		  UNION ALL
		  SELECT vat_category, vat_rate, CASE WHEN is_charge THEN amount ELSE -amount END
		  FROM invoice_allowance_charge WHERE invoice_id = inv.id) parts
	GROUP BY vat_category, coalesce(vat_rate, 0);

	SELECT (SELECT sum(net_amount) FROM invoice_line WHERE invoice_id = inv.id),
		   coalesce(sum(amount) FILTER (WHERE NOT is_charge), 0),
		   coalesce(sum(amount) FILTER (WHERE is_charge), 0),
		   (SELECT sum(tax_amount) FROM invoice_vat_breakdown WHERE invoice_id = inv.id)
	INTO inv.line_total, inv.allowance_total, inv.charge_total, inv.vat_total
	FROM invoice_allowance_charge WHERE invoice_id = inv.id;
	inv.tax_exclusive_total := inv.line_total - inv.allowance_total + inv.charge_total;
	inv.tax_inclusive_total := inv.tax_exclusive_total + inv.vat_total;
	inv.payable_amount := inv.tax_inclusive_total - inv.prepaid_amount + inv.rounding_amount;

	IF inv.stated_totals IS NOT NULL THEN
		SELECT string_agg(format('%s (%s) is %s as stated, %s as computed', k, rule,
								 inv.stated_totals->>k, computed), '; ')
		INTO mismatches
		FROM (VALUES ('line_total', 'BR-CO-10', inv.line_total),
					 ('allowance_total', 'BR-CO-11', inv.allowance_total),
					 ('charge_total', 'BR-CO-12', inv.charge_total),
					 ('tax_exclusive_total', 'BR-CO-13', inv.tax_exclusive_total),
					 ('vat_total', 'BR-CO-14', inv.vat_total),
					 ('tax_inclusive_total', 'BR-CO-15', inv.tax_inclusive_total),
					 ('payable_amount', 'BR-CO-16', inv.payable_amount)) AS t(k, rule, computed)
		WHERE inv.stated_totals ? k
		  AND json_numeric(inv.stated_totals->k, 'totals.' || k) <> computed;
		IF mismatches IS NOT NULL THEN
			RAISE EXCEPTION 'invoice % cannot be submitted: wrong totals', inv.id
				USING ERRCODE = '22023', DETAIL = mismatches || '.';
		END IF;
	END IF;
	RETURN inv;
END
$$;
COMMENT ON FUNCTION compute_totals(invoice) IS 'internal: computes the VAT breakdown and totals of a draft, refusing stated amounts that differ';
CREATE OR REPLACE FUNCTION system_move(invoice_id bigint, actor text, status text, reason text DEFAULT NULL,
							amount numeric DEFAULT NULL, raw_code text DEFAULT NULL) RETURNS void
	AS 'MODULE_PATHNAME', 'system_move' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION system_move(bigint, text, text, text, numeric, text) IS 'internal: a status move made by the platform or the Chorus Pro sync';
CREATE OR REPLACE FUNCTION require_party() RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE
	p bigint := current_party();
BEGIN
	IF p IS NULL THEN
		RAISE EXCEPTION 'no party is acting'
			USING ERRCODE = '42501', HINT = 'Call bizinvoice.act_as(party) first.';
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION require_party() IS 'internal: the acting party, or an error when none acts';
CREATE OR REPLACE FUNCTION json_check_keys(obj jsonb, known text[], what text, where_ text) RETURNS void
	AS 'MODULE_PATHNAME', 'json_check_keys' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_check_keys(jsonb, text[], text, text) IS 'internal: refuses unknown keys in a JSON document, naming where';
CREATE OR REPLACE FUNCTION json_numeric(v jsonb, where_ text) RETURNS numeric
	AS 'MODULE_PATHNAME', 'json_numeric' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_numeric(jsonb, text) IS 'internal: a JSON number (or numeric string) as exact numeric, with a clear error';
CREATE OR REPLACE FUNCTION json_date(v jsonb, where_ text) RETURNS date
	AS 'MODULE_PATHNAME', 'json_date' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_date(jsonb, text) IS 'internal: a JSON "YYYY-MM-DD" string as date, with a clear error';
CREATE OR REPLACE FUNCTION resolve_party(ref jsonb, where_ text) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE
	found bigint;
	n integer;
BEGIN
	IF ref IS NULL OR jsonb_typeof(ref) = 'null' THEN
		RETURN NULL;
	ELSIF jsonb_typeof(ref) = 'number' THEN
		SELECT id INTO found FROM party WHERE id = ref::bigint;
	ELSE
		PERFORM json_check_keys(ref, ARRAY['siret', 'siren', 'vat_id'], 'invoice', where_);
		SELECT min(id), count(*) INTO found, n FROM party
		WHERE (ref ? 'siret' AND siret = (ref->>'siret')::siret)
		   OR (ref ? 'siren' AND NOT ref ? 'siret' AND siren = (ref->>'siren')::siren)
		   OR (ref ? 'vat_id' AND NOT ref ? 'siret' AND NOT ref ? 'siren'
			   AND vat_id = (ref->>'vat_id')::vat_id);
		IF n > 1 THEN
			RAISE EXCEPTION 'invalid invoice document'
				USING ERRCODE = '22023',
					  DETAIL = format('%s %s names %s registered parties; give a SIRET.', where_, ref, n);
		END IF;
	END IF;
	IF found IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = format('%s %s is not a registered party.', where_, ref),
				  HINT = 'Register it first with bizinvoice.register_party().';
	END IF;
	RETURN found;
END
$$;
COMMENT ON FUNCTION resolve_party(jsonb, text) IS 'internal: the party an invoice document names, by id, SIRET, SIREN or VAT id';
CREATE OR REPLACE FUNCTION import_party(doc jsonb, role text, register boolean, other bigint,
							 INOUT warnings text[], OUT party_id bigint)
LANGUAGE plpgsql
AS $$
DECLARE
	kind text;
	ok boolean;
	clean jsonb := doc;
BEGIN
	IF doc IS NULL THEN
		RETURN;
	END IF;
	FOREACH kind IN ARRAY ARRAY['siret', 'siren', 'vat_id'] LOOP
		IF doc ? kind THEN
			ok := CASE kind WHEN 'siret' THEN is_valid_siret(doc->>kind)
							WHEN 'siren' THEN is_valid_siren(doc->>kind)
							ELSE is_valid_vat_id(doc->>kind) END;
			IF NOT ok THEN
				warnings := warnings || format('the %s''s %s %s is not valid and was not kept', role, kind, doc->>kind);
				clean := clean - kind;
			END IF;
		END IF;
	END LOOP;
	-- a SIRET names its SIREN
	IF clean ? 'siret' AND clean ? 'siren' AND left(clean->>'siret', 9) <> (clean->>'siren')::siren::text THEN
		warnings := warnings || format('the %s''s SIREN %s is not that of its SIRET %s; the SIRET was kept',
									   role, clean->>'siren', clean->>'siret');
		clean := clean - 'siren';
	END IF;
	SELECT p.id INTO party_id FROM party p
	WHERE (clean ? 'siret' AND p.siret = (clean->>'siret')::siret)
	ORDER BY p.id LIMIT 1;
	IF party_id IS NULL AND clean ? 'siren' THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.siren = (clean->>'siren')::siren AND p.siret IS NULL AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND clean ? 'vat_id' AND NOT clean ? 'siret' THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.vat_id = (clean->>'vat_id')::vat_id AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND clean ? 'identifier' AND NOT (clean ?| ARRAY['siret', 'siren', 'vat_id']) THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.identifier = clean->>'identifier'
		  AND p.identifier_scheme IS NOT DISTINCT FROM clean->>'identifier_scheme'
		  AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND NOT (clean ?| ARRAY['siret', 'siren', 'vat_id', 'identifier']) THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.name = clean->>'name' AND p.country_code = coalesce(clean->>'country_code', 'FR')
		  AND p.siret IS NULL AND p.siren IS NULL AND p.vat_id IS NULL
		  AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND register THEN
		INSERT INTO party (kind, name, siren, siret, vat_id, identifier, identifier_scheme,
						   address_line1, address_line2, postal_code, city, country_code, email)
		VALUES ('company', clean->>'name',
				coalesce((clean->>'siren')::siren, (clean->>'siret')::siret::siren),
				(clean->>'siret')::siret, (clean->>'vat_id')::vat_id,
				clean->>'identifier', clean->>'identifier_scheme',
				clean->>'address_line1', clean->>'address_line2', clean->>'postal_code',
				clean->>'city', coalesce(upper(clean->>'country_code'), 'FR'),
				CASE WHEN clean->>'email' ~ '^[^@[:space:]]+@[^@[:space:]]+$' THEN clean->>'email' END)
		RETURNING id INTO party_id;
		warnings := warnings || format('the %s %s was registered as party %s', role,
									   quote_literal(clean->>'name'), party_id);
	END IF;
END
$$;
COMMENT ON FUNCTION import_party(jsonb, text, boolean, bigint, text[]) IS 'internal: the party an imported document names, registered when unknown and asked to';
CREATE OR REPLACE FUNCTION json_check_part_keys(doc jsonb, line_keys text[], part_keys text[]) RETURNS void
	AS 'MODULE_PATHNAME', 'json_check_part_keys' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_check_part_keys(jsonb, text[], text[]) IS 'internal: refuses lines, allowances and charges of an invoice document that are not objects of known keys';
CREATE OR REPLACE FUNCTION json_check_part_values(doc jsonb) RETURNS void
	AS 'MODULE_PATHNAME', 'json_check_part_values' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_check_part_values(jsonb) IS 'internal: refuses missing, non-decimal or negative numbers, missing item names and zero base quantities in the lines, allowances and charges of an invoice document';
CREATE OR REPLACE FUNCTION create_invoice(doc jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	top_keys CONSTANT text[] := ARRAY['number', 'issue_date', 'type_code', 'currency', 'due_date',
		'buyer', 'payee', 'buyer_reference', 'purchase_order', 'contract_reference',
		'preceding_invoice', 'payment', 'notes', 'lines', 'allowances', 'charges', 'totals',
		'prepaid_amount', 'rounding_amount', 'attachments', 'invoicing_period', 'delivery'];
	line_keys CONSTANT text[] := ARRAY['id', 'item_name', 'description', 'quantity', 'unit_code',
		'net_price', 'base_quantity', 'allowance_amount', 'charge_amount', 'vat_category',
		'vat_rate', 'net_amount'];
	ac_keys CONSTANT text[] := ARRAY['amount', 'vat_category', 'vat_rate', 'reason', 'reason_code'];
	total_keys CONSTANT text[] := ARRAY['line_total', 'allowance_total', 'charge_total',
		'tax_exclusive_total', 'vat_total', 'tax_inclusive_total', 'payable_amount'];
	supplier bigint := require_party();
	buyer bigint;
	buyer_row party;
	new_id bigint;
BEGIN
	PERFORM json_check_keys(doc, top_keys, 'invoice', 'the invoice');
	IF coalesce(btrim(doc->>'number'), '') = '' THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The invoice number ("number", BT-1) is missing.';
	END IF;
	IF doc->'issue_date' IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The issue date ("issue_date", BT-2) is missing.';
	END IF;
	IF doc->'buyer' IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The buyer ("buyer") is missing.';
	END IF;
	IF jsonb_typeof(doc->'lines') IS DISTINCT FROM 'array' OR jsonb_array_length(doc->'lines') = 0 THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'An invoice has at least one line ("lines", BG-25).';
	END IF;
	PERFORM json_check_keys(doc->'payment', ARRAY['means_code', 'iban', 'bic', 'terms'],
							'invoice', 'payment');
	PERFORM json_check_keys(doc->'preceding_invoice', ARRAY['number', 'issue_date'],
							'invoice', 'preceding_invoice');
	PERFORM json_check_keys(doc->'totals', total_keys, 'invoice', 'totals');
	PERFORM json_check_keys(doc->'invoicing_period', ARRAY['start_date', 'end_date'],
							'invoice', 'invoicing_period');
	PERFORM json_check_keys(doc->'delivery', ARRAY['date', 'name', 'country'], 'invoice', 'delivery');
	IF json_date(doc #> '{invoicing_period,end_date}', 'invoicing_period.end_date')
	   < json_date(doc #> '{invoicing_period,start_date}', 'invoicing_period.start_date') THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = format('The invoicing period ends (%s) before it starts (%s) (BR-29).',
								  doc #>> '{invoicing_period,end_date}', doc #>> '{invoicing_period,start_date}');
	END IF;
	IF doc #>> '{delivery,country}' !~ '^[A-Za-z]{2}$' THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = format('delivery.country (BT-80) must be an ISO 3166-1 alpha-2 code, not "%s".',
								  doc #>> '{delivery,country}');
	END IF;
	PERFORM json_check_part_keys(doc, line_keys, ac_keys);

	IF coalesce(json_numeric(doc->'type_code', 'type_code'), 380) NOT IN (380, 381, 384, 389) THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = format('type_code (BT-3) %s is none of 380 (invoice), 381 (credit note), 384 (corrective), 389 (self-billed).',
								  doc->'type_code');
	END IF;
	IF doc->>'type_code' = '381' AND doc #>> '{preceding_invoice,number}' IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = 'A credit note names the invoice it corrects ("preceding_invoice": {"number", "issue_date"}, BG-3).';
	END IF;
	PERFORM json_check_part_values(doc);

	buyer := resolve_party(doc->'buyer', 'buyer');
	SELECT * INTO buyer_row FROM party WHERE id = buyer;
	IF buyer = supplier THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The buyer is the supplier itself.';
	END IF;

	INSERT INTO invoice (supplier_id, buyer_id, payee_id, channel, delivery, number, issue_date,
						 type_code, currency, due_date, buyer_reference, purchase_order,
						 contract_reference, preceding_number, preceding_issue_date,
						 payment_means_code, payment_iban, payment_bic, payment_terms,
						 prepaid_amount, rounding_amount, stated_totals, b2b_status,
						 period_start, period_end, delivery_date, deliver_to_name, deliver_to_country)
	VALUES (supplier, buyer, resolve_party(doc->'payee', 'payee'),
			CASE buyer_row.kind WHEN 'company' THEN 'B2B' ELSE 'B2G' END,
			coalesce(buyer_row.delivery, 'platform'),
			btrim(doc->>'number'), json_date(doc->'issue_date', 'issue_date'),
			coalesce(json_numeric(doc->'type_code', 'type_code'), 380),
			coalesce(upper(doc->>'currency'), 'EUR'),
			json_date(doc->'due_date', 'due_date'),
			doc->>'buyer_reference', doc->>'purchase_order', doc->>'contract_reference',
			doc #>> '{preceding_invoice,number}',
			json_date(doc #> '{preceding_invoice,issue_date}', 'preceding_invoice.issue_date'),
			coalesce(doc #>> '{payment,means_code}', '58'),
			(doc #>> '{payment,iban}')::iban, (doc #>> '{payment,bic}')::bic,
			doc #>> '{payment,terms}',
			coalesce(json_numeric(doc->'prepaid_amount', 'prepaid_amount'), 0),
			coalesce(json_numeric(doc->'rounding_amount', 'rounding_amount'), 0),
			doc->'totals',
			CASE buyer_row.kind WHEN 'company' THEN 'draft'::b2b_status END,
			json_date(doc #> '{invoicing_period,start_date}', 'invoicing_period.start_date'),
			json_date(doc #> '{invoicing_period,end_date}', 'invoicing_period.end_date'),
			json_date(doc #> '{delivery,date}', 'delivery.date'),
			doc #>> '{delivery,name}', upper(doc #>> '{delivery,country}'))
	RETURNING id INTO new_id;

	-- the numbers were checked above; jsonb_to_recordset reads each line once
	INSERT INTO invoice_line (invoice_id, line_no, line_id, item_name, description, quantity,
							  unit_code, net_price, base_quantity, allowance_amount, charge_amount,
							  vat_category, vat_rate, stated_net_amount)
	SELECT new_id, i, coalesce(l.id, i::text), l.item_name, l.description, l.quantity,
		   coalesce(l.unit_code, 'C62'), l.net_price, coalesce(l.base_quantity, 1),
		   coalesce(l.allowance_amount, 0), coalesce(l.charge_amount, 0),
		   coalesce(upper(l.vat_category), 'S'), l.vat_rate, l.net_amount
	FROM ROWS FROM (jsonb_to_recordset(doc->'lines') AS (id text, item_name text, description text,
		quantity numeric, unit_code text, net_price numeric, base_quantity numeric,
		allowance_amount numeric, charge_amount numeric, vat_category text, vat_rate numeric,
		net_amount numeric))
		WITH ORDINALITY AS l(id, item_name, description, quantity, unit_code, net_price, base_quantity,
							 allowance_amount, charge_amount, vat_category, vat_rate, net_amount, i);

	IF doc ? 'allowances' OR doc ? 'charges' THEN
		INSERT INTO invoice_allowance_charge (invoice_id, seq, is_charge, amount, vat_category,
											  vat_rate, reason, reason_code)
		SELECT new_id, row_number() OVER (ORDER BY is_charge, i), is_charge, (a->>'amount')::numeric,
			   coalesce(upper(a->>'vat_category'), 'S'), (a->>'vat_rate')::numeric,
			   a->>'reason', a->>'reason_code'
		FROM (SELECT a, i, false AS is_charge
			  FROM jsonb_array_elements(coalesce(doc->'allowances', '[]')) WITH ORDINALITY AS e(a, i)
			  UNION ALL
			  SELECT a, i, true
			  FROM jsonb_array_elements(coalesce(doc->'charges', '[]')) WITH ORDINALITY AS e(a, i)) x;
	END IF;
	IF doc ? 'notes' THEN
		INSERT INTO invoice_note (invoice_id, seq, subject_code, content)
		SELECT new_id, i, nt->>'subject_code', coalesce(nt->>'text', nt #>> '{}')
		FROM jsonb_array_elements(doc->'notes') WITH ORDINALITY AS e(nt, i);
	END IF;
	IF doc ? 'attachments' THEN
		INSERT INTO invoice_attachment (invoice_id, seq, filename, mime_type, description, content)
		SELECT new_id, i, at->>'filename', coalesce(at->>'mime_type', 'application/pdf'),
			   at->>'description', decode(at->>'content_base64', 'base64')
		FROM jsonb_array_elements(doc->'attachments') WITH ORDINALITY AS e(at, i);
	END IF;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION create_invoice(jsonb) IS 'creates a draft invoice of the acting party from a JSON document keyed by EN 16931 names (see README); returns its id';
