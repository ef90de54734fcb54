-- The ledger, continued: fees, reversals, statements.

-- Prices are never edited: a new price is a new row from its date on, so
-- past fees keep the price they were charged at.  The rows the extension
-- itself brings are left out of dumps (CREATE EXTENSION brings them back).
CREATE TABLE fee_schedule (
	event text NOT NULL,
	valid_from timestamptz NOT NULL DEFAULT now(),
	amount numeric(19, 2) NOT NULL CHECK (amount > 0),
	currency text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
	description text NOT NULL,
	builtin boolean NOT NULL DEFAULT false,
	PRIMARY KEY (event, valid_from)
);
COMMENT ON TABLE fee_schedule IS 'what the platform charges suppliers per event, from a date on (append-only: a new price is a new row)';
CREATE TRIGGER fee_schedule_append_only BEFORE UPDATE OR DELETE ON fee_schedule
	FOR EACH ROW EXECUTE FUNCTION append_only();
INSERT INTO fee_schedule (event, valid_from, amount, currency, description, builtin) VALUES
	('chorus_transmission', '-infinity', 0.25, 'EUR',
	 'an invoice transmitted to Chorus Pro and integrated there', true);

CREATE TABLE fee_charge (
	invoice_id bigint NOT NULL REFERENCES invoice,
	event text NOT NULL,
	transfer_id bigint NOT NULL UNIQUE REFERENCES transfer,
	PRIMARY KEY (invoice_id, event)
);
COMMENT ON TABLE fee_charge IS 'each fee charged, once per invoice and event';

CREATE FUNCTION charge_fee(invoice_id bigint, event text) RETURNS bigint
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

CREATE FUNCTION reverse_transfer(transfer_id bigint, reason text, idempotency_key text) RETURNS bigint
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

CREATE FUNCTION account_statement(account_id bigint, from_date date, to_date date)
RETURNS TABLE (transfer_id bigint, at timestamptz, kind text, reference text, invoice_id bigint,
			   debit numeric, credit numeric, balance numeric)
LANGUAGE sql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
	WITH opening AS (
		SELECT coalesce(sum(CASE WHEN t.credit_account = account_id THEN t.amount ELSE -t.amount END), 0) AS amount
		FROM transfer t
		WHERE account_id IN (t.debit_account, t.credit_account) AND t.created_at < from_date
	)
	-- nothing for an account the caller may not see (row-level security)
	SELECT NULL::bigint, from_date::timestamptz, 'opening balance', NULL, NULL::bigint, NULL::numeric,
		   NULL::numeric, (SELECT amount FROM opening)
	WHERE EXISTS (SELECT FROM account a WHERE a.id = account_id)
	UNION ALL
	SELECT t.id, t.created_at, t.kind, t.reference, t.invoice_id,
		   CASE WHEN t.debit_account = account_id THEN t.amount END,
		   CASE WHEN t.credit_account = account_id THEN t.amount END,
		   (SELECT amount FROM opening)
		   + sum(CASE WHEN t.credit_account = account_id THEN t.amount ELSE -t.amount END)
			 OVER (ORDER BY t.id)
	FROM transfer t
	WHERE account_id IN (t.debit_account, t.credit_account)
	  AND t.created_at >= from_date AND t.created_at < to_date + 1
	  AND EXISTS (SELECT FROM account a WHERE a.id = account_id)
$$;
COMMENT ON FUNCTION account_statement(bigint, date, date) IS 'an account''s statement between two dates (inclusive): opening balance, then each transfer with its running balance';

CREATE VIEW fees_by_month WITH (security_invoker = true) AS
SELECT date_trunc('month', t.created_at)::date AS month, i.supplier_id, p.name AS supplier,
	   t.reference AS event, t.currency, count(*) AS fees, sum(t.amount) AS amount
FROM bizinvoice.transfer t
JOIN bizinvoice.invoice i ON i.id = t.invoice_id
JOIN bizinvoice.party p ON p.id = i.supplier_id
WHERE t.kind = 'fee'
  AND NOT EXISTS (SELECT FROM bizinvoice.transfer r WHERE r.reverses = t.id)
GROUP BY 1, 2, 3, 4, 5;
COMMENT ON VIEW fees_by_month IS 'fees charged per month, supplier and event (reversed fees left out)';
