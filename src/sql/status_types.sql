-- The status enums: labels in the order of src/status/catalog.c.

CREATE TYPE b2b_status AS ENUM (
	'deposited', 'issued', 'received', 'made_available', 'in_hand', 'approved',
	'partially_approved', 'disputed', 'suspended', 'completed', 'refused', 'payment_sent',
	'cashed', 'rejected', 'reviewed', 'cancelled', 'routing_error', 'direct_payment_requested',
	'factored', 'factored_confidential', 'payee_changed', 'not_factored', 'draft',
	'payment_scheduled', 'partially_paid', 'overdue', 'reminded', 'netted', 'credited',
	'archived');
COMMENT ON TYPE b2b_status IS 'the 30 B2B invoice statuses: the reform''s life cycle (200-228) and the platform''s own';

CREATE TYPE b2g_status AS ENUM (
	'DEPOSEE', 'MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE',
	'COMPTABILISEE', 'MISE_EN_PAIEMENT', 'A_RECYCLER', 'SUSPENDUE', 'REJETEE');
COMMENT ON TYPE b2g_status IS 'the 10 Chorus Pro invoice statuses followed for B2G invoices';
