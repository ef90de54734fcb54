-- bizinvoice 0.7 to 0.8: generated from src/sql by make; edit there.
\echo Use "ALTER EXTENSION bizinvoice UPDATE" to load this file. \quit
CREATE OR REPLACE FUNCTION post_transfer(transfer_id bigint, debit bigint, credit bigint, amount numeric, kind text,
							  invoice_id bigint DEFAULT NULL, reference text DEFAULT NULL,
							  reverses bigint DEFAULT NULL) RETURNS bigint
	AS 'MODULE_PATHNAME', 'post_transfer' LANGUAGE C;
COMMENT ON FUNCTION post_transfer(bigint, bigint, bigint, numeric, text, bigint, text, bigint) IS 'internal: the one way money moves: locks both accounts, checks currency and funds, updates balances, records the transfer under the id given';
REVOKE ALL ON FUNCTION post_transfer(bigint, bigint, bigint, numeric, text, bigint, text, bigint) FROM PUBLIC;
CREATE OR REPLACE FUNCTION idempotent(key text, operation text, arguments jsonb, result jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'idempotent' LANGUAGE C;
COMMENT ON FUNCTION idempotent(text, text, jsonb, jsonb) IS 'internal: records a new request under its idempotency key with its result (NULL returned: the caller performs it), else returns the first result; refuses a key reused with other arguments';
REVOKE ALL ON FUNCTION idempotent(text, text, jsonb, jsonb) FROM PUBLIC;
CREATE OR REPLACE FUNCTION lock_invoice(invoice_id bigint, supplier_only boolean) RETURNS invoice
	AS 'MODULE_PATHNAME', 'lock_invoice' LANGUAGE C;
COMMENT ON FUNCTION lock_invoice(bigint, boolean) IS 'internal: locks an invoice the acting party may see (as supplier, or as supplier or buyer)';
CREATE OR REPLACE FUNCTION check_payable(inv invoice, by_platform boolean) RETURNS void
	AS 'MODULE_PATHNAME', 'check_payable' LANGUAGE C;
COMMENT ON FUNCTION check_payable(invoice, boolean) IS 'internal: refuses paying an invoice not yet approved (or mandated), or by anyone but its buyer (a B2G invoice: its accountant, not the role that certified the service)';
CREATE OR REPLACE FUNCTION apply_payment(transfer_id bigint, inv invoice, amount numeric, outstanding numeric,
							  due numeric, by_platform boolean) RETURNS bigint
	AS 'MODULE_PATHNAME', 'apply_payment' LANGUAGE C;
COMMENT ON FUNCTION apply_payment(bigint, invoice, numeric, numeric, numeric, boolean) IS 'internal: the payment transfer of an invoice and its status moves (partially_paid; payment_sent and cashed; MISE_EN_PAIEMENT)';
REVOKE ALL ON FUNCTION apply_payment(bigint, invoice, numeric, numeric, numeric, boolean) FROM PUBLIC;
CREATE OR REPLACE FUNCTION pay_invoice(invoice_id bigint, amount numeric DEFAULT NULL, idempotency_key text DEFAULT NULL)
RETURNS bigint
	AS 'MODULE_PATHNAME', 'pay_invoice'
	LANGUAGE C SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp;
COMMENT ON FUNCTION pay_invoice(bigint, numeric, text) IS 'pays an invoice from the buyer''s account to the supplier''s (NULL: what remains); partial payments allowed, overpayment refused; moves it to partially_paid, or payment_sent and cashed (B2G: MISE_EN_PAIEMENT, by the accountant); idempotent by key; returns the transfer id';
