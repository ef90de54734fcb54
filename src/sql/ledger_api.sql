-- The ledger's API: accounts, funding, withdrawal, invoice payments, checks.

-- A party's account in a currency.  PL/pgSQL, whose plans last the session:
-- a SQL function reading a table is not inlined, and would be planned anew
-- in every transaction of the PL/pgSQL callers.  Qualified names, no SET
-- clause: it runs with the caller's rights.
CREATE FUNCTION party_account(party bigint, currency text) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	RETURN (SELECT a.id FROM bizinvoice.account a
			WHERE a.kind = 'party' AND a.party_id = party AND a.currency = party_account.currency);
END
$$;
COMMENT ON FUNCTION party_account(bigint, text) IS 'internal: a party''s account in a currency, or NULL';

CREATE FUNCTION open_account(party bigint, currency text DEFAULT 'EUR',
							 overdraft_limit numeric DEFAULT 0) RETURNS bigint
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	new_id bigint;
BEGIN
	IF NOT EXISTS (SELECT FROM party p WHERE p.id = open_account.party) THEN
		RAISE EXCEPTION 'party % does not exist', party USING ERRCODE = '42704';
	END IF;
	IF upper(currency) !~ '^[A-Z]{3}$' THEN
		RAISE EXCEPTION 'invalid currency "%"', currency
			USING ERRCODE = '22023', DETAIL = 'A currency is an ISO 4217 code of 3 letters, such as EUR.';
	END IF;
	INSERT INTO account (kind, party_id, currency, overdraft_limit)
	VALUES ('party', open_account.party, upper(currency), open_account.overdraft_limit)
	ON CONFLICT DO NOTHING
	RETURNING id INTO new_id;
	IF new_id IS NULL THEN
		RAISE EXCEPTION 'party % already has an account in %', party, upper(currency)
			USING ERRCODE = '23505';
	END IF;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION open_account(bigint, text, numeric) IS 'opens a party''s payment account in a currency (one per currency), with an optional overdraft limit (bizinvoice_admin)';

-- The acting party's own account, or an error.
CREATE FUNCTION own_account(account_id bigint) RETURNS account
LANGUAGE plpgsql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	a account;
BEGIN
	SELECT * INTO a FROM account WHERE id = account_id AND kind = 'party';
	IF FOUND AND caller_has_role('bizinvoice_admin') THEN
		RETURN a;
	END IF;
	IF NOT FOUND OR a.party_id <> require_party() THEN
		RAISE EXCEPTION 'account % does not exist', account_id USING ERRCODE = '42704';
	END IF;
	RETURN a;
END
$$;
COMMENT ON FUNCTION own_account(bigint) IS 'internal: an account of the acting party (any, for bizinvoice_admin)';

CREATE FUNCTION fund(account_id bigint, amount numeric, reference text, idempotency_key text) RETURNS bigint
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

CREATE FUNCTION withdraw(account_id bigint, amount numeric, iban iban, idempotency_key text) RETURNS bigint
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

-- What is still to pay on an invoice: payable amount less net payments.
-- (PL/pgSQL for its cached plan, as party_account)
CREATE FUNCTION invoice_outstanding(invoice_id bigint) RETURNS numeric
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	RETURN (SELECT i.payable_amount
				   - coalesce((SELECT p.paid FROM bizinvoice.invoice_paid p WHERE p.invoice_id = i.id), 0)
			FROM bizinvoice.invoice i WHERE i.id = invoice_outstanding.invoice_id);
END
$$;
COMMENT ON FUNCTION invoice_outstanding(bigint) IS 'what remains to be paid on an invoice: its payable amount less its payments (net of reversals)';

-- Every violated ledger invariant; empty when the ledger holds.
CREATE FUNCTION check_ledger(OUT invariant text, OUT detail text) RETURNS SETOF record
LANGUAGE sql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
	SELECT 'balances sum to zero', format('%s: balances add up to %s', currency, sum(balance))
	FROM account GROUP BY currency HAVING sum(balance) <> 0
	UNION ALL
	SELECT 'balance equals its transfers',
		   format('account %s: balance %s, transfers %s', a.id, a.balance, coalesce(t.net, 0))
	FROM account a
	LEFT JOIN (SELECT acc, sum(delta) AS net
			   FROM (SELECT credit_account AS acc, amount AS delta FROM transfer
					 UNION ALL
					 SELECT debit_account, -amount FROM transfer) m
			   GROUP BY acc) t ON t.acc = a.id
	WHERE a.balance <> coalesce(t.net, 0)
	UNION ALL
	SELECT 'transfers stay in one currency', format('transfer %s', t.id)
	FROM transfer t JOIN account d ON d.id = t.debit_account JOIN account c ON c.id = t.credit_account
	WHERE d.currency <> t.currency OR c.currency <> t.currency
	UNION ALL
	SELECT 'no account below its overdraft limit', format('account %s: %s', id, balance - reserved)
	FROM account WHERE kind = 'party' AND balance - reserved < -overdraft_limit
	UNION ALL
	SELECT 'reserved equals open authorisations',
		   format('account %s: %s reserved, %s authorised', a.id, a.reserved, coalesce(r.amount, 0))
	FROM account a
	LEFT JOIN (SELECT account_id, sum(amount) AS amount FROM payment_authorization
			   WHERE state = 'authorized' GROUP BY account_id) r ON r.account_id = a.id
	WHERE a.reserved <> coalesce(r.amount, 0)
	UNION ALL
	SELECT 'no invoice paid beyond its amount', format('invoice %s: %s outstanding', id, invoice_outstanding(id))
	FROM invoice WHERE id IN (SELECT invoice_id FROM transfer WHERE kind = 'payment')
	  AND invoice_outstanding(id) < 0
	UNION ALL
	SELECT 'paid totals match the payments', format('invoice %s: %s recorded, %s in transfers',
													 coalesce(p.invoice_id, t.invoice_id), p.paid, t.paid)
	FROM invoice_paid p
	FULL JOIN (SELECT t.invoice_id, sum(CASE WHEN t.kind = 'payment' THEN t.amount ELSE -t.amount END) AS paid
			   FROM transfer t LEFT JOIN transfer o ON o.id = t.reverses
			   WHERE t.kind = 'payment' OR o.kind = 'payment'
			   GROUP BY t.invoice_id) t ON t.invoice_id = p.invoice_id
	WHERE p.paid IS DISTINCT FROM t.paid
	UNION ALL
	SELECT 'a reversal mirrors its transfer', format('transfer %s', r.id)
	FROM transfer r JOIN transfer o ON o.id = r.reverses
	WHERE r.amount <> o.amount OR r.debit_account <> o.credit_account OR r.credit_account <> o.debit_account
$$;
COMMENT ON FUNCTION check_ledger() IS 'every violated ledger invariant (sums to zero per currency, balances match transfers, one currency per transfer, no overdraft, reservations match open authorisations, no overpaid invoice, paid totals match payments, reversals mirror); empty when all hold';

CREATE VIEW account_balances WITH (security_invoker = true) AS
SELECT a.id AS account_id, a.kind, a.party_id, p.name AS party, a.currency, a.balance, a.reserved,
	   a.balance - a.reserved AS available, a.overdraft_limit
FROM bizinvoice.account a LEFT JOIN bizinvoice.party p ON p.id = a.party_id;
COMMENT ON VIEW account_balances IS 'each visible account''s balance, reserved and available amounts';
