-- The ledger: accounts, immutable transfers, idempotent requests.
--
-- Every movement debits one account and credits another by the same amount,
-- in the same currency, and updates both balances in its transaction: the
-- balances of a currency always add up to zero.  Money from and to banks
-- goes through the "outside" account, fee income to "platform_fees".

CREATE TABLE account (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('party', 'platform_fees', 'outside')),
	party_id bigint REFERENCES party,
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	balance numeric(19, 2) NOT NULL DEFAULT 0,
	reserved numeric(19, 2) NOT NULL DEFAULT 0 CHECK (reserved >= 0),
	overdraft_limit numeric(19, 2) NOT NULL DEFAULT 0 CHECK (overdraft_limit >= 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((kind = 'party') = (party_id IS NOT NULL)),
	CHECK (kind <> 'party' OR balance - reserved >= -overdraft_limit),
	CHECK (kind <> 'platform_fees' OR balance >= 0)
);
COMMENT ON TABLE account IS 'payment accounts: one per party and currency, plus the platform''s fee income and the outside world (banks) per currency';
COMMENT ON COLUMN account.balance IS 'credits minus debits; a party''s never goes below minus its overdraft limit';
COMMENT ON COLUMN account.reserved IS 'held by authorised payments not yet settled or voided';
CREATE UNIQUE INDEX account_party_currency ON account (party_id, currency) WHERE kind = 'party';
CREATE UNIQUE INDEX account_system_currency ON account (kind, currency) WHERE kind <> 'party';

CREATE TABLE transfer (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	debit_account bigint NOT NULL REFERENCES account,
	credit_account bigint NOT NULL REFERENCES account,
	amount numeric(19, 2) NOT NULL CHECK (amount > 0),
	currency text NOT NULL,
	kind text NOT NULL CHECK (kind IN ('funding', 'withdrawal', 'payment', 'fee', 'reversal')),
	invoice_id bigint REFERENCES invoice,
	reference text,
	reverses bigint REFERENCES transfer,
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by name NOT NULL,
	CHECK (debit_account <> credit_account),
	CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
);
COMMENT ON TABLE transfer IS 'every movement of money, append-only: one account debited, one credited; corrections are reversals';
COMMENT ON COLUMN transfer.reverses IS 'the transfer this one reverses (at most one reversal each)';
CREATE INDEX transfer_debit ON transfer (debit_account, id);
CREATE INDEX transfer_credit ON transfer (credit_account, id);
CREATE INDEX transfer_invoice ON transfer (invoice_id) WHERE invoice_id IS NOT NULL;
CREATE TRIGGER transfer_append_only BEFORE UPDATE OR DELETE ON transfer
	FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER transfer_no_truncate BEFORE TRUNCATE ON transfer
	FOR EACH STATEMENT EXECUTE FUNCTION append_only();

CREATE TABLE payment_authorization (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	invoice_id bigint NOT NULL REFERENCES invoice,
	account_id bigint NOT NULL REFERENCES account,
	amount numeric(19, 2) NOT NULL CHECK (amount > 0),
	state text NOT NULL DEFAULT 'authorized' CHECK (state IN ('authorized', 'settled', 'voided')),
	settled_transfer bigint REFERENCES transfer,
	created_at timestamptz NOT NULL DEFAULT now(),
	resolved_at timestamptz,
	CHECK ((state = 'settled') = (settled_transfer IS NOT NULL)),
	CHECK ((state = 'authorized') = (resolved_at IS NULL))
);
COMMENT ON TABLE payment_authorization IS 'two-phase payments: funds reserved on the buyer''s account, then settled (once) or voided (once)';
CREATE INDEX payment_authorization_invoice ON payment_authorization (invoice_id) WHERE state = 'authorized';

-- What has been paid on each invoice, kept by post_transfer with the
-- payments and their reversals, so that what remains is read, not summed.
CREATE TABLE invoice_paid (
	invoice_id bigint PRIMARY KEY REFERENCES invoice,
	paid numeric(19, 2) NOT NULL CHECK (paid >= 0)
);
COMMENT ON TABLE invoice_paid IS 'the net amount paid on each invoice (payments less their reversals), kept with the transfers';

-- Idempotency: a money-moving request carries a key; the same key again
-- with the same arguments returns the first result, with others is refused.
CREATE TABLE idempotency_key (
	party_id bigint NOT NULL,			-- keys are the acting party's own (0: none)
	key text NOT NULL CHECK (btrim(key) <> ''),
	operation text NOT NULL,
	arguments jsonb NOT NULL,
	result jsonb,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (party_id, key)
);
COMMENT ON TABLE idempotency_key IS 'money-moving requests by idempotency key, with their arguments and first result';

-- The system account of a kind and currency, created on first use.
CREATE FUNCTION system_account(kind text, currency text) RETURNS bigint
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

-- A new transfer's id, taken before the work so that an idempotency key
-- records it with the request.  (A bare SELECT: inlined where it is called.)
CREATE FUNCTION next_transfer_id() RETURNS bigint
LANGUAGE sql
AS $$ SELECT pg_catalog.nextval('bizinvoice.transfer_id_seq') $$;
COMMENT ON FUNCTION next_transfer_id() IS 'internal: the id of a transfer about to be posted';
REVOKE ALL ON FUNCTION next_transfer_id() FROM PUBLIC;

-- Moves amount from debit to credit: both accounts locked in id order (no
-- deadlock between opposite transfers), same currency, funds available,
-- under the id the caller took (next_transfer_id); a payment's (or its
-- reversal's) invoice paid total kept.  C (src/ledger/post.c): the rows
-- written without statements.
CREATE FUNCTION post_transfer(transfer_id bigint, debit bigint, credit bigint, amount numeric, kind text,
							  invoice_id bigint DEFAULT NULL, reference text DEFAULT NULL,
							  reverses bigint DEFAULT NULL) RETURNS bigint
	AS 'MODULE_PATHNAME', 'post_transfer' LANGUAGE C;
COMMENT ON FUNCTION post_transfer(bigint, bigint, bigint, numeric, text, bigint, text, bigint) IS 'internal: the one way money moves: locks both accounts, checks currency and funds, updates balances, records the transfer under the id given';
REVOKE ALL ON FUNCTION post_transfer(bigint, bigint, bigint, numeric, text, bigint, text, bigint) FROM PUBLIC;

-- Records a request under the acting party's idempotency key with the
-- result it will have (the caller allocates its ids first): NULL if the key
-- is new, else the first result of the same request.  The record and the
-- request's work commit or roll back together: no result is written later.
-- C (src/ledger/idempotent.c), shared with the payments written in C.
CREATE FUNCTION idempotent(key text, operation text, arguments jsonb, result jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'idempotent' LANGUAGE C;
COMMENT ON FUNCTION idempotent(text, text, jsonb, jsonb) IS 'internal: records a new request under its idempotency key with its result (NULL returned: the caller performs it), else returns the first result; refuses a key reused with other arguments';
REVOKE ALL ON FUNCTION idempotent(text, text, jsonb, jsonb) FROM PUBLIC;
