-- bizinvoice 0.5 to 0.6: generated from src/sql by make; edit there.
\echo Use "ALTER EXTENSION bizinvoice UPDATE" to load this file. \quit
-- 0.6: an imported document is compressed with lz4 where the server has it:
-- pglz cost a tenth of an import (50 µs a 10 kB invoice, lz4 12 µs), for
-- a quarter less space.  Documents stored before keep their compression.
DO $$
BEGIN
	ALTER TABLE invoice_source ALTER document SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	NULL;	-- a server built without lz4: default_toast_compression
END
$$;
-- 0.6: the invoicing period's order (BR-29) and the deliver to country's
-- form are checked by the status guard with the invoice's other invariants
-- (src/status/invoice_check.c): as CHECK constraints, PostgreSQL parsed them
-- again in every statement updating an invoice, status moves included.
ALTER TABLE invoice DROP CONSTRAINT IF EXISTS invoice_period_order,
	DROP CONSTRAINT IF EXISTS invoice_deliver_to_country;
-- 0.6: submit deposits and delivers in one UPDATE of the invoice (two
-- moves, two history entries): the move staged for the UPDATE goes on to a
-- second status, by the same actor, under the same rules.
CREATE FUNCTION stage_status_then(status text) RETURNS void
	AS 'MODULE_PATHNAME', 'stage_status_then' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION stage_status_then(text) IS 'internal: the move staged by stage_status_move goes on to this status in the same UPDATE; not granted to users';
REVOKE ALL ON FUNCTION stage_status_then(text) FROM PUBLIC;
CREATE OR REPLACE FUNCTION invoice_parts_freeze() RETURNS trigger
	AS 'MODULE_PATHNAME', 'invoice_parts_freeze' LANGUAGE C;
COMMENT ON FUNCTION invoice_parts_freeze() IS 'trigger: refuses writing the lines and other parts of a submitted invoice';
CREATE OR REPLACE FUNCTION import_invoice(document xml) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$ BEGIN RETURN import_read(read_invoice_document(document), convert_to(document::text, 'UTF8')); END $$;
CREATE OR REPLACE FUNCTION import_invoice(document text) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$ BEGIN RETURN import_read(read_invoice_document(document), convert_to(document, 'UTF8')); END $$;
COMMENT ON FUNCTION import_invoice(xml) IS 'creates a draft invoice from a UBL 2.1 Invoice or CreditNote or a CII D16B document; returns its id';
CREATE OR REPLACE FUNCTION submit(invoice_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice := lock_invoice(invoice_id, true);
	buyer party;
	clash bigint;
BEGIN
	IF inv.submitted_at IS NOT NULL THEN
		RAISE EXCEPTION 'invoice % is already submitted', inv.id USING ERRCODE = '55000';
	END IF;
	IF inv.b2b_status = 'cancelled' THEN
		RAISE EXCEPTION 'invoice % is cancelled', inv.id USING ERRCODE = '55000';
	END IF;
	SELECT * INTO buyer FROM party WHERE id = inv.buyer_id;
	IF inv.channel = 'B2G' THEN
		IF buyer.requires_service_code AND inv.buyer_reference IS NULL THEN
			RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
				USING ERRCODE = '22023',
					  DETAIL = format('%s requires a service code ("buyer_reference", BT-10).', buyer.name);
		END IF;
		IF inv.buyer_reference IS NOT NULL AND NOT EXISTS (
			SELECT FROM public_service s
			WHERE s.party_id = buyer.id AND s.code = inv.buyer_reference AND s.active) THEN
			RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
				USING ERRCODE = '22023',
					  DETAIL = format('"%s" is not an active service of %s.', inv.buyer_reference, buyer.name);
		END IF;
		IF buyer.requires_engagement AND inv.purchase_order IS NULL THEN
			RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
				USING ERRCODE = '22023',
					  DETAIL = format('%s requires a legal commitment number ("purchase_order", BT-13).', buyer.name);
		END IF;
	END IF;
	IF inv.due_date < inv.issue_date THEN
		RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
			USING ERRCODE = '22023',
				  DETAIL = format('Due date %s is before issue date %s.', inv.due_date, inv.issue_date);
	END IF;
	-- an intra-community supply says when and where it was delivered
	IF (coalesce(inv.delivery_date, inv.period_start, inv.period_end) IS NULL OR inv.deliver_to_country IS NULL)
	   AND (EXISTS (SELECT FROM invoice_line l WHERE l.invoice_id = inv.id AND l.vat_category = 'K')
			OR EXISTS (SELECT FROM invoice_allowance_charge a WHERE a.invoice_id = inv.id AND a.vat_category = 'K')) THEN
		RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
			USING ERRCODE = '22023',
				  DETAIL = CASE WHEN coalesce(inv.delivery_date, inv.period_start, inv.period_end) IS NULL
					THEN 'An intra-community supply (VAT category K) gives the actual delivery date ("delivery": {"date"}, BT-72) or the invoicing period ("invoicing_period", BG-14) (BR-IC-11).'
					ELSE 'An intra-community supply (VAT category K) gives the deliver to country ("delivery": {"country"}, BT-80) (BR-IC-12).' END;
	END IF;

	inv := compute_totals(inv);

	-- DOUBLON: same supplier, same number, same year of issue date
	SELECT id INTO clash FROM invoice i
	WHERE i.supplier_id = inv.supplier_id AND i.number = inv.number
	  AND extract(year FROM i.issue_date) = extract(year FROM inv.issue_date)
	  AND i.submitted_at IS NOT NULL
	  AND i.id <> inv.id;
	-- totals, the freeze, the deposit and the delivery (B2B, or B2G reached
	-- directly) in one UPDATE; the guard checks both moves
	IF clash IS NULL THEN
		BEGIN
			PERFORM stage_status_move(NULL, NULL, NULL, 'platform');
			IF inv.channel = 'B2B' THEN
				PERFORM stage_status_then('made_available');
			ELSIF inv.delivery = 'direct' THEN
				PERFORM stage_status_then('MISE_A_DISPOSITION');
			END IF;
			UPDATE invoice
			SET line_total = inv.line_total, allowance_total = inv.allowance_total,
				charge_total = inv.charge_total, tax_exclusive_total = inv.tax_exclusive_total,
				vat_total = inv.vat_total, tax_inclusive_total = inv.tax_inclusive_total,
				payable_amount = inv.payable_amount, submitted_at = now(),
				b2b_status = CASE WHEN channel = 'B2B' THEN 'deposited'::b2b_status END,
				b2g_status = CASE WHEN delivery = 'direct' THEN 'DEPOSEE'::b2g_status END
			WHERE id = inv.id;
		EXCEPTION WHEN unique_violation THEN
			clash := -1;	-- submitted concurrently by another session
		END;
	END IF;
	IF clash IS NOT NULL THEN
		RAISE EXCEPTION 'invoice % is a duplicate (DOUBLON)', inv.id
			USING ERRCODE = '23505',
				  DETAIL = format('Supplier %s already submitted invoice number "%s" in %s%s.',
								  inv.supplier_id, inv.number, extract(year FROM inv.issue_date),
								  CASE WHEN clash > 0 THEN format(' (invoice %s)', clash) ELSE '' END);
	END IF;

	IF inv.channel = 'B2B' THEN
		RETURN 'made_available';
	ELSIF inv.delivery = 'direct' THEN
		RETURN 'MISE_A_DISPOSITION';
	END IF;
	INSERT INTO chorus_outbox (invoice_id) VALUES (inv.id);
	RETURN 'queued';
END
$$;
COMMENT ON FUNCTION submit(bigint) IS 'checks, computes and freezes a draft of the acting supplier, then delivers it: B2B to the buyer''s inbox, B2G directly or queued for Chorus Pro; returns where it stands';
