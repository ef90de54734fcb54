-- 0.6: the invoicing period's order (BR-29) and the deliver to country's
-- form are checked by the status guard with the invoice's other invariants
-- (src/status/invoice_check.c): as CHECK constraints, PostgreSQL parsed them
-- again in every statement updating an invoice, status moves included.
ALTER TABLE invoice DROP CONSTRAINT IF EXISTS invoice_period_order,
	DROP CONSTRAINT IF EXISTS invoice_deliver_to_country;
