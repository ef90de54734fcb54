-- bizinvoice 0.6 to 0.7: generated from src/sql by make; edit there.
\echo Use "ALTER EXTENSION bizinvoice UPDATE" to load this file. \quit
DROP FUNCTION post_transfer(bigint,bigint,numeric,text,bigint,text,bigint);
DROP FUNCTION idempotent(text,text,jsonb);
DROP FUNCTION idempotent_done(text,jsonb);
DROP FUNCTION apply_payment(invoice,numeric,numeric,boolean);
CREATE OR REPLACE FUNCTION next_transfer_id() RETURNS bigint
LANGUAGE sql
AS $$ SELECT pg_catalog.nextval('bizinvoice.transfer_id_seq') $$;
COMMENT ON FUNCTION next_transfer_id() IS 'internal: the id of a transfer about to be posted';
REVOKE ALL ON FUNCTION next_transfer_id() FROM PUBLIC;
CREATE OR REPLACE FUNCTION post_transfer(transfer_id bigint, debit bigint, credit bigint, amount numeric, kind text,
							  invoice_id bigint DEFAULT NULL, reference text DEFAULT NULL,
							  reverses bigint DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	d account;
	c account;
	a account;
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
	INSERT INTO transfer (id, debit_account, credit_account, amount, currency, kind, invoice_id,
						  reference, reverses, created_by)
	OVERRIDING SYSTEM VALUE
	VALUES (transfer_id, d.id, c.id, amount, d.currency, kind, invoice_id, reference, reverses, caller_name());
	IF kind = 'payment' OR (kind = 'reversal' AND
							(SELECT t.kind FROM transfer t WHERE t.id = post_transfer.reverses) = 'payment') THEN
		INSERT INTO invoice_paid AS p (invoice_id, paid)
		VALUES (post_transfer.invoice_id, CASE kind WHEN 'payment' THEN amount ELSE -amount END)
		ON CONFLICT ON CONSTRAINT invoice_paid_pkey
		DO UPDATE SET paid = p.paid + EXCLUDED.paid;
	END IF;
	RETURN transfer_id;
END
$$;
COMMENT ON FUNCTION post_transfer(bigint, bigint, bigint, numeric, text, bigint, text, bigint) IS 'internal: the one way money moves: locks both accounts, checks currency and funds, updates balances, records the transfer under the id given';
REVOKE ALL ON FUNCTION post_transfer(bigint, bigint, bigint, numeric, text, bigint, text, bigint) FROM PUBLIC;
CREATE OR REPLACE FUNCTION idempotent(key text, operation text, arguments jsonb, result jsonb) RETURNS jsonb
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
	INSERT INTO idempotency_key (party_id, key, operation, arguments, result)
	VALUES (p, key, operation, arguments, result)
	ON CONFLICT DO NOTHING;
	IF FOUND THEN
		RETURN NULL;	-- new: the caller performs it
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
COMMENT ON FUNCTION idempotent(text, text, jsonb, jsonb) IS 'internal: records a new request under its idempotency key with its result (NULL returned: the caller performs it), else returns the first result; refuses a key reused with other arguments';
REVOKE ALL ON FUNCTION idempotent(text, text, jsonb, jsonb) FROM PUBLIC;
CREATE OR REPLACE FUNCTION fund(account_id bigint, amount numeric, reference text, idempotency_key text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	a account := own_account(account_id);
	tid bigint := next_transfer_id();
	prior jsonb := idempotent(idempotency_key, 'fund',
							  jsonb_build_object('account', account_id, 'amount', amount, 'reference', reference),
							  jsonb_build_object('transfer', tid));
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'transfer')::bigint;
	END IF;
	RETURN post_transfer(tid, system_account('outside', a.currency), a.id, amount, 'funding', NULL, reference);
END
$$;
COMMENT ON FUNCTION fund(bigint, numeric, text, text) IS 'money in from a bank to the account (from the outside account); idempotent by key; returns the transfer id';
CREATE OR REPLACE FUNCTION withdraw(account_id bigint, amount numeric, iban iban, idempotency_key text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	a account := own_account(account_id);
	tid bigint := next_transfer_id();
	prior jsonb := idempotent(idempotency_key, 'withdraw',
							  jsonb_build_object('account', account_id, 'amount', amount, 'iban', iban),
							  jsonb_build_object('transfer', tid));
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'transfer')::bigint;
	END IF;
	RETURN post_transfer(tid, a.id, system_account('outside', a.currency), amount, 'withdrawal', NULL, iban::text);
END
$$;
COMMENT ON FUNCTION withdraw(bigint, numeric, iban, text) IS 'money out of the account to a bank account (IBAN); refused beyond what is available; idempotent by key; returns the transfer id';
CREATE OR REPLACE FUNCTION charge_fee(invoice_id bigint, event text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	fee fee_schedule;
	inv invoice;
	supplier_account bigint;
	tid bigint;
BEGIN
	SELECT * INTO fee FROM fee_schedule f
	WHERE f.event = charge_fee.event AND f.valid_from <= now()
	ORDER BY f.valid_from DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no fee for event "%"', event USING ERRCODE = '42704';
	END IF;
	SELECT * INTO inv FROM invoice i WHERE i.id = charge_fee.invoice_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'invoice % does not exist', invoice_id USING ERRCODE = '42704';
	END IF;
	-- once per invoice and event: a repeat returns the first charge
	SELECT transfer_id INTO tid FROM fee_charge c WHERE c.invoice_id = inv.id AND c.event = fee.event;
	IF FOUND THEN
		RETURN tid;
	END IF;
	supplier_account := party_account(inv.supplier_id, fee.currency);
	IF supplier_account IS NULL THEN
		RAISE EXCEPTION 'supplier % has no % account to charge the % fee', inv.supplier_id, fee.currency, fee.event
			USING ERRCODE = '42704';
	END IF;
	tid := post_transfer(next_transfer_id(), supplier_account,
						 system_account('platform_fees', fee.currency), fee.amount, 'fee', inv.id, fee.event);
	INSERT INTO fee_charge VALUES (inv.id, fee.event, tid);
	RETURN tid;
END
$$;
COMMENT ON FUNCTION charge_fee(bigint, text) IS 'charges the supplier of an invoice the current fee of an event (fee_schedule), to the platform''s fee account, exactly once per invoice and event; returns the transfer (bizinvoice_admin, the worker)';
CREATE OR REPLACE FUNCTION reverse_transfer(transfer_id bigint, reason text, idempotency_key text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	tid bigint := next_transfer_id();
	prior jsonb := idempotent(idempotency_key, 'reverse_transfer',
							  jsonb_build_object('transfer', transfer_id, 'reason', reason),
							  jsonb_build_object('transfer', tid));
	t transfer;
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'transfer')::bigint;
	END IF;
	IF coalesce(btrim(reason), '') = '' THEN
		RAISE EXCEPTION 'a reversal needs a reason' USING ERRCODE = '22023';
	END IF;
	SELECT * INTO t FROM transfer WHERE id = transfer_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'transfer % does not exist', transfer_id USING ERRCODE = '42704';
	END IF;
	IF t.kind = 'reversal' THEN
		RAISE EXCEPTION 'transfer % is itself a reversal', transfer_id USING ERRCODE = '55000';
	END IF;
	IF EXISTS (SELECT FROM transfer r WHERE r.reverses = t.id) THEN
		RAISE EXCEPTION 'transfer % is already reversed', transfer_id USING ERRCODE = '55000';
	END IF;
	RETURN post_transfer(tid, t.credit_account, t.debit_account, t.amount, 'reversal', t.invoice_id, reason, t.id);
END
$$;
COMMENT ON FUNCTION reverse_transfer(bigint, text, text) IS 'corrects a transfer by its mirror image (never an edit), at most once; refused if the credited account can no longer pay it back (bizinvoice_admin)';
CREATE OR REPLACE FUNCTION invoice_dues(invoice_id bigint, OUT outstanding numeric, OUT payable_now numeric)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	SELECT o.left_to_pay,
		   o.left_to_pay - coalesce((SELECT sum(a.amount) FROM bizinvoice.payment_authorization a
									 WHERE a.invoice_id = invoice_dues.invoice_id AND a.state = 'authorized'), 0)
	INTO outstanding, payable_now
	FROM (SELECT i.payable_amount - coalesce((SELECT p.paid FROM bizinvoice.invoice_paid p
											  WHERE p.invoice_id = i.id), 0) AS left_to_pay
		  FROM bizinvoice.invoice i WHERE i.id = invoice_dues.invoice_id) o;
END
$$;
COMMENT ON FUNCTION invoice_dues(bigint) IS 'what remains to be paid on an invoice (outstanding) and what may still be paid or authorised on it (payable_now: outstanding less open authorisations), as the caller may see it';
CREATE OR REPLACE FUNCTION invoice_payable_now(invoice_id bigint) RETURNS numeric
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	RETURN (bizinvoice.invoice_dues(invoice_payable_now.invoice_id)).payable_now;
END
$$;
COMMENT ON FUNCTION invoice_payable_now(bigint) IS 'what may still be paid or authorised on an invoice: what remains less open authorisations';
CREATE OR REPLACE FUNCTION apply_payment(transfer_id bigint, inv invoice, amount numeric, outstanding numeric,
							  due numeric, by_platform boolean) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	from_account bigint := party_account(inv.buyer_id, inv.currency);
	to_account bigint := party_account(inv.supplier_id, inv.currency);
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
	PERFORM post_transfer(transfer_id, from_account, to_account, amount, 'payment', inv.id, inv.number);

	IF inv.channel = 'B2G' THEN
		PERFORM set_status(inv.id, 'MISE_EN_PAIEMENT', amount => amount);
	ELSIF amount < outstanding THEN
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
	RETURN transfer_id;
END
$$;
COMMENT ON FUNCTION apply_payment(bigint, invoice, numeric, numeric, numeric, boolean) IS 'internal: the payment transfer of an invoice and its status moves (partially_paid; payment_sent and cashed; MISE_EN_PAIEMENT)';
REVOKE ALL ON FUNCTION apply_payment(bigint, invoice, numeric, numeric, numeric, boolean) FROM PUBLIC;
CREATE OR REPLACE FUNCTION pay_invoice(invoice_id bigint, amount numeric DEFAULT NULL, idempotency_key text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	tid bigint := next_transfer_id();
	prior jsonb := idempotent(idempotency_key, 'pay_invoice',
							  jsonb_build_object('invoice', invoice_id, 'amount', amount),
							  jsonb_build_object('transfer', tid));
	inv invoice;
	dues record;
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'transfer')::bigint;
	END IF;
	inv := lock_invoice(invoice_id, false);
	PERFORM check_payable(inv, false);
	dues := invoice_dues(inv.id);
	RETURN apply_payment(tid, inv, coalesce(amount, dues.payable_now), dues.outstanding, dues.payable_now, false);
END
$$;
COMMENT ON FUNCTION pay_invoice(bigint, numeric, text) IS 'pays an invoice from the buyer''s account to the supplier''s (NULL: what remains); partial payments allowed, overpayment refused; moves it to partially_paid, or payment_sent and cashed (B2G: MISE_EN_PAIEMENT, by the accountant); idempotent by key; returns the transfer id';
CREATE OR REPLACE FUNCTION authorize_payment(invoice_id bigint, amount numeric DEFAULT NULL, idempotency_key text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	new_id bigint := nextval('bizinvoice.payment_authorization_id_seq');
	prior jsonb := idempotent(idempotency_key, 'authorize_payment',
							  jsonb_build_object('invoice', invoice_id, 'amount', amount),
							  jsonb_build_object('authorization', new_id));
	inv invoice;
	due numeric;
	reserving numeric;
	acc account;
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'authorization')::bigint;
	END IF;
	inv := lock_invoice(invoice_id, false);
	PERFORM check_payable(inv, false);
	due := invoice_payable_now(inv.id);
	reserving := coalesce(amount, due);
	IF reserving <= 0 OR reserving <> round(reserving, 2) OR reserving > due THEN
		RAISE EXCEPTION 'cannot authorise % on invoice %', reserving, inv.id
			USING ERRCODE = '22023', DETAIL = format('%s %s may still be committed to it.', due, inv.currency);
	END IF;
	SELECT * INTO acc FROM account WHERE id = party_account(inv.buyer_id, inv.currency) FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no % account for the buyer', inv.currency USING ERRCODE = '42704';
	END IF;
	IF acc.balance - acc.reserved + acc.overdraft_limit < reserving THEN
		RAISE EXCEPTION 'insufficient funds in account %', acc.id
			USING ERRCODE = '23514',
				  DETAIL = format('%s %s to reserve, %s available.', reserving, acc.currency,
								  acc.balance - acc.reserved + acc.overdraft_limit);
	END IF;
	UPDATE account SET reserved = reserved + reserving WHERE id = acc.id;
	INSERT INTO payment_authorization (id, invoice_id, account_id, amount)
	OVERRIDING SYSTEM VALUE VALUES (new_id, inv.id, acc.id, reserving);
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION authorize_payment(bigint, numeric, text) IS 'reserves funds on the buyer''s account for an invoice (counted against its balance) until settle or void; idempotent by key; returns the authorisation id';
CREATE OR REPLACE FUNCTION settle(authorization_id bigint, amount numeric DEFAULT NULL, idempotency_key text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	tid bigint := next_transfer_id();
	prior jsonb := idempotent(idempotency_key, 'settle',
							  jsonb_build_object('authorization', authorization_id, 'amount', amount),
							  jsonb_build_object('transfer', tid));
	a payment_authorization;
	inv invoice;
	paying numeric;
	dues record;
BEGIN
	IF prior IS NOT NULL THEN
		RETURN (prior->>'transfer')::bigint;
	END IF;
	a := open_authorization(authorization_id);
	paying := coalesce(amount, a.amount);
	IF paying > a.amount THEN
		RAISE EXCEPTION 'cannot settle % on authorisation % of %', paying, a.id, a.amount
			USING ERRCODE = '22023';
	END IF;
	-- the invoice, then both accounts in id order, as every payment locks them
	inv := lock_invoice(a.invoice_id, false);
	PERFORM check_payable(inv, false);
	PERFORM FROM account
	WHERE id IN (a.account_id, party_account(inv.supplier_id, inv.currency))
	ORDER BY id FOR UPDATE;
	UPDATE account SET reserved = reserved - a.amount WHERE id = a.account_id;
	-- this authorisation is still open, and counted in what is committed
	dues := invoice_dues(inv.id);
	PERFORM apply_payment(tid, inv, paying, dues.outstanding, dues.payable_now + a.amount, false);
	UPDATE payment_authorization SET state = 'settled', settled_transfer = tid, resolved_at = now()
	WHERE id = a.id;
	RETURN tid;
END
$$;
COMMENT ON FUNCTION settle(bigint, numeric, text) IS 'settles an authorisation, at most once: pays the invoice the authorised amount or less, the rest released; idempotent by key; returns the transfer id';
CREATE OR REPLACE FUNCTION void(authorization_id bigint, idempotency_key text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	prior jsonb := idempotent(idempotency_key, 'void', jsonb_build_object('authorization', authorization_id), '{}');
	a payment_authorization;
BEGIN
	IF prior IS NOT NULL THEN
		RETURN;
	END IF;
	a := open_authorization(authorization_id);
	UPDATE account SET reserved = reserved - a.amount WHERE id = a.account_id;
	UPDATE payment_authorization SET state = 'voided', resolved_at = now() WHERE id = a.id;
END
$$;
COMMENT ON FUNCTION void(bigint, text) IS 'voids an authorisation, at most once, releasing its reservation; idempotent by key';
CREATE OR REPLACE FUNCTION run_scheduled_payments(as_of date DEFAULT current_date)
RETURNS TABLE (invoice_id bigint, outcome text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	s scheduled_payment;
	inv invoice;
	dues record;
	tid bigint;
BEGIN
	FOR s IN
		SELECT sp.* FROM scheduled_payment sp JOIN invoice i ON i.id = sp.invoice_id
		WHERE sp.paid_transfer IS NULL AND sp.cancelled_at IS NULL AND i.due_date <= as_of
		  AND (sp.last_attempt IS NULL OR sp.last_attempt < as_of)
		ORDER BY i.due_date, sp.invoice_id
		FOR UPDATE OF sp SKIP LOCKED
	LOOP
		SELECT * INTO inv FROM invoice i WHERE i.id = s.invoice_id FOR UPDATE;
		invoice_id := inv.id;
		-- the buyer took the schedule back (moved the invoice on) meanwhile
		IF inv.b2b_status NOT IN ('payment_scheduled', 'overdue', 'reminded') THEN
			UPDATE scheduled_payment sp SET cancelled_at = now() WHERE sp.invoice_id = inv.id;
			outcome := 'cancelled';
			RETURN NEXT;
			CONTINUE;
		END IF;
		BEGIN
			dues := invoice_dues(inv.id);
			tid := apply_payment(next_transfer_id(), inv, dues.payable_now, dues.outstanding,
								 dues.payable_now, true);
			UPDATE scheduled_payment sp
			SET paid_transfer = tid, attempts = attempts + 1, last_attempt = as_of, last_error = NULL
			WHERE sp.invoice_id = inv.id;
			outcome := 'paid';
		EXCEPTION WHEN check_violation OR undefined_object THEN
			-- short of funds (or of an account): overdue, tried again tomorrow
			UPDATE scheduled_payment sp
			SET attempts = attempts + 1, last_attempt = as_of, last_error = SQLERRM
			WHERE sp.invoice_id = inv.id;
			IF inv.b2b_status = 'payment_scheduled' THEN
				PERFORM system_move(inv.id, 'platform', 'overdue');
			END IF;
			outcome := SQLERRM;
		END;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION run_scheduled_payments(date) IS 'pays the scheduled payments due by a date from the buyers'' accounts (as the platform); when funds are short the invoice becomes overdue and is tried again the next day; called daily by the worker (bizinvoice_admin); returns each invoice''s outcome';
