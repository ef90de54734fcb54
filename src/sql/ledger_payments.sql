-- Paying invoices: at once, in two phases (authorise, then settle or void),
-- or scheduled for the due date.

-- Refuses to pay an invoice that cannot be paid now, or by this party.
-- C (src/ledger/payable.c), shared with the payments written in C.
CREATE FUNCTION check_payable(inv invoice, by_platform boolean) RETURNS void
	AS 'MODULE_PATHNAME', 'check_payable' LANGUAGE C;
COMMENT ON FUNCTION check_payable(invoice, boolean) IS 'internal: refuses paying an invoice not yet approved (or mandated), or by anyone but its buyer (a B2G invoice: its accountant, not the role that certified the service)';

-- What remains to be paid on an invoice, and what of it may still be paid or
-- authorised (less open authorisations), read in one statement.  (PL/pgSQL
-- for its cached plan, as party_account.)
CREATE FUNCTION invoice_dues(invoice_id bigint, OUT outstanding numeric, OUT payable_now numeric)
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

CREATE FUNCTION invoice_payable_now(invoice_id bigint) RETURNS numeric
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	RETURN (bizinvoice.invoice_dues(invoice_payable_now.invoice_id)).payable_now;
END
$$;
COMMENT ON FUNCTION invoice_payable_now(bigint) IS 'what may still be paid or authorised on an invoice: what remains less open authorisations';

-- Moves amount from the buyer to the supplier for inv under the transfer id
-- given, and the invoice's status with it; the amount is checked against
-- what may be paid now (due); it pays the invoice in full when it is all
-- that remained (outstanding).  C (src/ledger/pay.c), as pay_invoice.
CREATE FUNCTION apply_payment(transfer_id bigint, inv invoice, amount numeric, outstanding numeric,
							  due numeric, by_platform boolean) RETURNS bigint
	AS 'MODULE_PATHNAME', 'apply_payment' LANGUAGE C;
COMMENT ON FUNCTION apply_payment(bigint, invoice, numeric, numeric, numeric, boolean) IS 'internal: the payment transfer of an invoice and its status moves (partially_paid; payment_sent and cashed; MISE_EN_PAIEMENT)';
REVOKE ALL ON FUNCTION apply_payment(bigint, invoice, numeric, numeric, numeric, boolean) FROM PUBLIC;

-- C (src/ledger/pay.c): the request recorded under its key, the invoice
-- locked and checked, the transfer posted and the status moved without a
-- statement of PL/pgSQL between them.
CREATE FUNCTION pay_invoice(invoice_id bigint, amount numeric DEFAULT NULL, idempotency_key text DEFAULT NULL)
RETURNS bigint
	AS 'MODULE_PATHNAME', 'pay_invoice'
	LANGUAGE C SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp;
COMMENT ON FUNCTION pay_invoice(bigint, numeric, text) IS 'pays an invoice from the buyer''s account to the supplier''s (NULL: what remains); partial payments allowed, overpayment refused; moves it to partially_paid, or payment_sent and cashed (B2G: MISE_EN_PAIEMENT, by the accountant); idempotent by key; returns the transfer id';

CREATE FUNCTION authorize_payment(invoice_id bigint, amount numeric DEFAULT NULL, idempotency_key text DEFAULT NULL)
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

-- The authorisation, locked, if still open and the acting party's.
CREATE FUNCTION open_authorization(authorization_id bigint) RETURNS payment_authorization
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	a payment_authorization;
BEGIN
	SELECT * INTO a FROM payment_authorization WHERE id = authorization_id FOR UPDATE;
	IF NOT FOUND OR (SELECT party_id FROM account WHERE id = a.account_id) IS DISTINCT FROM current_party() THEN
		RAISE EXCEPTION 'authorisation % does not exist', authorization_id USING ERRCODE = '42704';
	END IF;
	IF a.state <> 'authorized' THEN
		RAISE EXCEPTION 'authorisation % is already %', authorization_id, a.state USING ERRCODE = '55000';
	END IF;
	RETURN a;
END
$$;
COMMENT ON FUNCTION open_authorization(bigint) IS 'internal: locks an open authorisation of the acting party';

CREATE FUNCTION settle(authorization_id bigint, amount numeric DEFAULT NULL, idempotency_key text DEFAULT NULL)
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

CREATE FUNCTION void(authorization_id bigint, idempotency_key text DEFAULT NULL) RETURNS void
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

-- CASH invoicing: the buyer schedules the payment; the platform pays on the
-- due date from the buyer's account, or marks it overdue and retries daily.
CREATE TABLE scheduled_payment (
	invoice_id bigint PRIMARY KEY REFERENCES invoice,
	scheduled_at timestamptz NOT NULL DEFAULT now(),
	scheduled_by name NOT NULL,
	attempts integer NOT NULL DEFAULT 0,
	last_attempt date,
	last_error text,
	paid_transfer bigint REFERENCES transfer,
	cancelled_at timestamptz
);
COMMENT ON TABLE scheduled_payment IS 'payments the buyer scheduled for the due date, with their attempts';

CREATE FUNCTION schedule_payment(invoice_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice := lock_invoice(invoice_id, false);
BEGIN
	PERFORM check_payable(inv, false);
	IF inv.channel <> 'B2B' OR inv.due_date IS NULL THEN
		RAISE EXCEPTION 'invoice % has no due date to pay it on', inv.id
			USING ERRCODE = '55000', HINT = 'Scheduled payments are for B2B invoices with a due date.';
	END IF;
	IF EXISTS (SELECT FROM scheduled_payment s WHERE s.invoice_id = inv.id
			   AND s.paid_transfer IS NULL AND s.cancelled_at IS NULL) THEN
		RAISE EXCEPTION 'the payment of invoice % is already scheduled', inv.id USING ERRCODE = '55000';
	END IF;
	PERFORM set_status(inv.id, 'payment_scheduled');
	INSERT INTO scheduled_payment (invoice_id, scheduled_by) VALUES (inv.id, caller_name())
	ON CONFLICT ON CONSTRAINT scheduled_payment_pkey DO UPDATE
		SET scheduled_at = now(), scheduled_by = caller_name(), attempts = 0, last_attempt = NULL,
			last_error = NULL, cancelled_at = NULL;
	RETURN 'payment_scheduled';
END
$$;
COMMENT ON FUNCTION schedule_payment(bigint) IS 'the buyer schedules the payment of an approved B2B invoice for its due date (status payment_scheduled); run_scheduled_payments pays it';

CREATE FUNCTION run_scheduled_payments(as_of date DEFAULT current_date)
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
