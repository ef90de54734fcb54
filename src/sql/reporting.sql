-- Views for reporting tools.  security_invoker: each reader sees through
-- row-level security what its party may see.

CREATE VIEW invoice_status WITH (security_invoker = true) AS
SELECT i.id AS invoice_id, i.channel, i.delivery, i.number, i.issue_date, i.due_date, i.currency,
	   i.supplier_id, s.name AS supplier, i.buyer_id, b.name AS buyer,
	   i.tax_exclusive_total, i.vat_total, i.payable_amount,
	   st.status,
	   coalesce(c.label_fr, pre.label_fr) AS status_label_fr,
	   c.code AS status_code,
	   coalesce(i.status_changed_at, i.submitted_at, i.created_at) AS status_since,
	   CASE WHEN c.final THEN '{}'
			WHEN i.delivery = 'chorus' AND i.submitted_at IS NOT NULL THEN ARRAY['chorus']
			ELSE coalesce(c.next_actors, pre.next_actors) END AS next_actors,
	   coalesce(c.final, false) AS final,
	   i.submitted_at
FROM bizinvoice.invoice i
JOIN bizinvoice.party s ON s.id = i.supplier_id
JOIN bizinvoice.party b ON b.id = i.buyer_id
-- a B2G invoice has no status before Chorus Pro (or the platform) deposits it
CROSS JOIN LATERAL (SELECT coalesce(i.b2b_status::text, i.b2g_status::text,
									CASE WHEN i.submitted_at IS NULL THEN 'draft' ELSE 'queued' END)
						   AS status) st
LEFT JOIN bizinvoice.status_catalog c ON c.channel = i.channel AND c.status = st.status
LEFT JOIN (VALUES ('draft', 'Brouillon', ARRAY['supplier']),
				  ('queued', 'En attente d''envoi à Chorus Pro', ARRAY['platform']))
		  AS pre(status, label_fr, next_actors) ON c.status IS NULL AND pre.status = st.status;
COMMENT ON VIEW invoice_status IS 'every invoice the reader may see, B2B and B2G side by side: current status with French label and reform code, since when, whose move is next, final or not';

CREATE VIEW status_summary WITH (security_invoker = true) AS
SELECT channel, status, status_label_fr, count(*) AS invoices,
	   sum(payable_amount) AS payable_amount, currency
FROM bizinvoice.invoice_status
GROUP BY channel, status, status_label_fr, currency;
COMMENT ON VIEW status_summary IS 'invoices and amounts per channel, status and currency';

CREATE VIEW receivables_aging WITH (security_invoker = true) AS
SELECT supplier_id, supplier, buyer_id, buyer, currency,
	   coalesce(sum(payable_amount) FILTER (WHERE due_date IS NULL OR due_date >= current_date), 0) AS not_due,
	   coalesce(sum(payable_amount) FILTER (WHERE current_date - due_date BETWEEN 1 AND 30), 0) AS days_1_30,
	   coalesce(sum(payable_amount) FILTER (WHERE current_date - due_date BETWEEN 31 AND 60), 0) AS days_31_60,
	   coalesce(sum(payable_amount) FILTER (WHERE current_date - due_date BETWEEN 61 AND 90), 0) AS days_61_90,
	   coalesce(sum(payable_amount) FILTER (WHERE current_date - due_date > 90), 0) AS over_90,
	   sum(payable_amount) AS outstanding
FROM bizinvoice.invoice_status
WHERE submitted_at IS NOT NULL AND NOT final
  AND status NOT IN ('payment_sent', 'MISE_EN_PAIEMENT')
GROUP BY supplier_id, supplier, buyer_id, buyer, currency;
COMMENT ON VIEW receivables_aging IS 'amounts outstanding per supplier and buyer, by days past due: not due, 1-30, 31-60, 61-90, over 90';

CREATE VIEW inbox WITH (security_invoker = true) AS
SELECT s.*, bizinvoice.acknowledge(s.invoice_id) AS first_read
FROM bizinvoice.invoice_status s
WHERE s.buyer_id = bizinvoice.current_party() AND s.submitted_at IS NOT NULL;
COMMENT ON VIEW inbox IS 'invoices received by the acting party; a read by one of its users is the read receipt (made_available to in_hand, first_read true)';

CREATE VIEW outbox WITH (security_invoker = true) AS
SELECT s.*
FROM bizinvoice.invoice_status s
WHERE s.supplier_id = bizinvoice.current_party();
COMMENT ON VIEW outbox IS 'invoices issued by the acting party, drafts included';
