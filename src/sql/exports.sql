-- Exports for accounting software and public accounting platforms: the FEC
-- (Fichier des Écritures Comptables), CSV of invoices and of payments, and
-- invoices as UBL or CII documents in batches.  New in 0.3.

-- The chart of accounts: the defaults (party_id NULL) and each party's own.
CREATE TABLE accounting_account (
	party_id bigint REFERENCES party ON DELETE CASCADE,
	purpose text NOT NULL CHECK (purpose IN ('customers', 'suppliers', 'sales', 'purchases', 'vat_collected',
											 'vat_deductible', 'bank', 'fees', 'transfers')),
	number text NOT NULL CHECK (number ~ '^[0-9A-Z]{3,20}$'),
	label text NOT NULL CHECK (btrim(label) <> ''),
	UNIQUE NULLS NOT DISTINCT (party_id, purpose)
);
COMMENT ON TABLE accounting_account IS 'the accounts the FEC books on, per purpose: the French chart of accounts by default (party_id NULL), or a party''s own';
INSERT INTO accounting_account (purpose, number, label) VALUES
	('customers', '411000', 'Clients'),
	('suppliers', '401000', 'Fournisseurs'),
	('sales', '706000', 'Prestations de services'),
	('purchases', '607000', 'Achats de marchandises'),
	('vat_collected', '445710', 'TVA collectée'),
	('vat_deductible', '445660', 'TVA déductible sur autres biens et services'),
	('bank', '512000', 'Compte de paiement bizinvoice'),
	('fees', '627000', 'Services bancaires et assimilés'),
	('transfers', '580000', 'Virements internes');

CREATE FUNCTION set_accounting_account(party bigint, purpose text, number text, label text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM export_allowed(party);
	IF NOT EXISTS (SELECT FROM accounting_account a WHERE a.party_id IS NULL AND a.purpose = set_accounting_account.purpose) THEN
		RAISE EXCEPTION 'unknown account purpose "%"', purpose USING ERRCODE = '22023',
			HINT = 'Purposes: ' || (SELECT string_agg(a.purpose, ', ' ORDER BY a.number) FROM accounting_account a
									WHERE a.party_id IS NULL) || '.';
	END IF;
	IF upper(number) !~ '^[0-9A-Z]{3,20}$' THEN
		RAISE EXCEPTION 'invalid account number "%"', number USING ERRCODE = '22023',
			DETAIL = 'An account number is 3 to 20 digits or letters, starting with its class (411, 706, ...).';
	END IF;
	INSERT INTO accounting_account AS a (party_id, purpose, number, label)
	VALUES (party, purpose, upper(number), label)
	ON CONFLICT ON CONSTRAINT accounting_account_party_id_purpose_key
	DO UPDATE SET number = excluded.number, label = excluded.label;
END
$$;
COMMENT ON FUNCTION set_accounting_account(bigint, text, text, text) IS 'sets the account a party books one purpose on (customers, suppliers, sales, purchases, vat_collected, vat_deductible, bank, fees, transfers) in its FEC';

-- Whose exports the caller may take: the party it acts for, or any when an
-- administrator acting for none.
CREATE FUNCTION export_allowed(party bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	p bigint := current_party();
BEGIN
	IF NOT EXISTS (SELECT FROM bizinvoice.party x WHERE x.id = export_allowed.party)
	   OR (party IS DISTINCT FROM p AND NOT (p IS NULL AND caller_has_role('bizinvoice_admin'))) THEN
		RAISE EXCEPTION 'permission denied to export the books of party %', party
			USING ERRCODE = '42501',
				  HINT = 'Act for that party with bizinvoice.act_as() first.';
	END IF;
END
$$;
COMMENT ON FUNCTION export_allowed(bigint) IS 'internal: refuses an export of another party than the acting one (administrators acting for none may export any)';

-- Every accounting line of a party over a period, signed (+ debit, - credit):
-- sales (VT) and purchases (AC) on their issue date, the payment account's
-- movements (BQ) on their day.  Refused, rejected and cancelled invoices are
-- not booked; a credit note books the other way.  Euros only.
CREATE FUNCTION accounting_lines(party bigint, from_date date, to_date date)
RETURNS TABLE (journal text, entry_date date, source text, source_id bigint, purpose text,
			   counterpart bigint, piece_ref text, piece_date date, label text, amount numeric,
			   valid_date date)
LANGUAGE sql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
	WITH inv AS (
		SELECT i.*, i.supplier_id = party AS sale,
			   CASE WHEN i.supplier_id = party THEN i.buyer_id ELSE i.supplier_id END AS other,
			   CASE WHEN i.type_code = 381 THEN -1 ELSE 1 END AS sign
		FROM invoice i
		WHERE (i.supplier_id = party OR i.buyer_id = party) AND i.submitted_at IS NOT NULL
		  AND i.currency = 'EUR' AND i.issue_date BETWEEN from_date AND to_date
		  AND coalesce(i.b2b_status::text, i.b2g_status::text, '')
			  NOT IN ('refused', 'rejected', 'cancelled', 'REJETEE')
	), moves AS (
		-- a party's side of each transfer: + money in, - money out
		SELECT t.id, t.created_at::date AS day, coalesce(o.kind, t.kind) AS kind,
			   CASE WHEN c.party_id = party THEN t.amount ELSE -t.amount END AS amount,
			   i.supplier_id, i.buyer_id,
			   CASE WHEN t.kind = 'reversal' THEN 'Annulation ' ELSE '' END
			   || CASE coalesce(o.kind, t.kind)
					  WHEN 'payment' THEN 'Paiement ' || coalesce(i.number, '')
					  WHEN 'fee' THEN 'Frais ' || coalesce(i.number, t.reference, '')
					  WHEN 'funding' THEN 'Approvisionnement ' || coalesce(t.reference, '')
					  ELSE 'Retrait ' || coalesce(t.reference, '') END AS label
		FROM transfer t
		JOIN account d ON d.id = t.debit_account
		JOIN account c ON c.id = t.credit_account
		LEFT JOIN transfer o ON o.id = t.reverses
		LEFT JOIN invoice i ON i.id = t.invoice_id
		WHERE (d.party_id = party OR c.party_id = party) AND t.currency = 'EUR'
		  AND t.created_at::date BETWEEN from_date AND to_date
	)
	-- the third party: what the invoice says, all taxes included
	SELECT CASE WHEN sale THEN 'VT' ELSE 'AC' END, issue_date, 'invoice', id,
		   CASE WHEN sale THEN 'customers' ELSE 'suppliers' END, other, number, issue_date,
		   CASE WHEN type_code = 381 THEN 'Avoir ' ELSE 'Facture ' END || number,
		   CASE WHEN sale THEN 1 ELSE -1 END * sign * tax_inclusive_total, submitted_at::date
	FROM inv
	UNION ALL
	-- sales or purchases and VAT, per rate
	SELECT CASE WHEN sale THEN 'VT' ELSE 'AC' END, issue_date, 'invoice', id, x.purpose, NULL, number,
		   issue_date,
		   CASE WHEN type_code = 381 THEN 'Avoir ' ELSE 'Facture ' END || number || x.what,
		   CASE WHEN sale THEN -1 ELSE 1 END * sign * x.amount, submitted_at::date
	FROM inv
	JOIN invoice_vat_breakdown v ON v.invoice_id = inv.id
	CROSS JOIN LATERAL (VALUES
		(CASE WHEN sale THEN 'sales' ELSE 'purchases' END, v.taxable_amount,
		 format(' HT %s %%', v.vat_rate)),
		(CASE WHEN sale THEN 'vat_collected' ELSE 'vat_deductible' END, v.tax_amount,
		 format(' TVA %s %%', v.vat_rate))) x(purpose, amount, what)
	WHERE x.amount <> 0
	UNION ALL
	-- the payment account, and its counterpart: the customer or supplier
	-- paid, the fee, the bank
	SELECT 'BQ', day, 'transfer', m.id, x.purpose, x.counterpart, 'T' || m.id, day, label, x.amount, day
	FROM moves m
	CROSS JOIN LATERAL (VALUES
		('bank', NULL::bigint, m.amount),
		(CASE WHEN kind = 'payment' AND m.supplier_id = party THEN 'customers'
			  WHEN kind = 'payment' THEN 'suppliers'
			  WHEN kind = 'fee' THEN 'fees' ELSE 'transfers' END,
		 CASE WHEN kind = 'payment' THEN
			  CASE WHEN m.supplier_id = party THEN m.buyer_id ELSE m.supplier_id END END,
		 -m.amount)) x(purpose, counterpart, amount)
$$;
COMMENT ON FUNCTION accounting_lines(bigint, date, date) IS 'internal: a party''s accounting lines over a period, signed (+ debit, - credit), by journal: VT sales, AC purchases, BQ payment account';

CREATE FUNCTION fec_amount(amount numeric) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT
	AS $$ SELECT replace(to_char(amount, 'FM999999999999990.00'), '.', ',') $$;
COMMENT ON FUNCTION fec_amount(numeric) IS 'internal: an amount as the FEC writes it (comma decimals, two places)';

CREATE FUNCTION fec_entries(party bigint, from_date date, to_date date)
RETURNS TABLE ("JournalCode" text, "JournalLib" text, "EcritureNum" text, "EcritureDate" text,
			   "CompteNum" text, "CompteLib" text, "CompAuxNum" text, "CompAuxLib" text,
			   "PieceRef" text, "PieceDate" text, "EcritureLib" text, "Debit" text, "Credit" text,
			   "EcritureLet" text, "DateLet" text, "ValidDate" text, "Montantdevise" text,
			   "Idevise" text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM export_allowed(party);
	RETURN QUERY
	SELECT l.journal,
		   CASE l.journal WHEN 'VT' THEN 'Ventes' WHEN 'AC' THEN 'Achats' ELSE 'Banque' END,
		   -- gap-free per journal, in date order
		   dense_rank() OVER (PARTITION BY l.journal ORDER BY l.entry_date, l.source, l.source_id)::text,
		   to_char(l.entry_date, 'YYYYMMDD'),
		   a.number, a.label,
		   coalesce(o.siren::text, 'P' || o.id, ''), coalesce(o.name, ''),
		   l.piece_ref, to_char(l.piece_date, 'YYYYMMDD'), l.label,
		   fec_amount(greatest(l.amount, 0)), fec_amount(greatest(-l.amount, 0)),
		   '', '', to_char(l.valid_date, 'YYYYMMDD'), '', ''
	FROM accounting_lines(party, from_date, to_date) l
	JOIN LATERAL (SELECT x.number, x.label FROM accounting_account x
				  WHERE x.purpose = l.purpose AND (x.party_id = party OR x.party_id IS NULL)
				  ORDER BY x.party_id NULLS LAST LIMIT 1) a ON true
	LEFT JOIN party o ON o.id = l.counterpart
	ORDER BY l.entry_date, l.journal, l.source, l.source_id, l.amount < 0, a.number, l.label;
END
$$;
COMMENT ON FUNCTION fec_entries(bigint, date, date) IS 'the FEC (Fichier des Écritures Comptables) lines of a party over a period, its 18 columns as the DGFiP defines them: sales (VT), purchases (AC) and its payment account (BQ: payments, fees, fundings, withdrawals); each entry balanced, numbered without gaps per journal';

CREATE FUNCTION fec_file(party bigint, from_date date, to_date date, separator text DEFAULT '|')
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	IF separator NOT IN ('|', E'\t') THEN
		RAISE EXCEPTION 'invalid FEC separator' USING ERRCODE = '22023',
			DETAIL = 'The FEC separates its fields with "|" or a tab.';
	END IF;
	RETURN (SELECT string_agg(line, E'\r\n' ORDER BY n) || E'\r\n'
			FROM (SELECT 0 AS n, array_to_string(ARRAY['JournalCode', 'JournalLib', 'EcritureNum',
					'EcritureDate', 'CompteNum', 'CompteLib', 'CompAuxNum', 'CompAuxLib', 'PieceRef',
					'PieceDate', 'EcritureLib', 'Debit', 'Credit', 'EcritureLet', 'DateLet',
					'ValidDate', 'Montantdevise', 'Idevise'], separator) AS line
				  UNION ALL
				  -- the separator and line ends never inside a field
				  SELECT row_number() OVER (),
						 (SELECT string_agg(translate(coalesce(f.value, ''), E'|\t\r\n', '    '), separator ORDER BY f.n)
						  FROM json_each_text(row_to_json(e)) WITH ORDINALITY f(key, value, n))
				  FROM fec_entries(party, from_date, to_date) e) lines);
END
$$;
COMMENT ON FUNCTION fec_file(bigint, date, date, text) IS 'a party''s FEC over a period as the file itself: a header line, then one line per entry line, fields separated by | (or a tab), CRLF line ends; name it with fec_file_name()';

CREATE FUNCTION fec_file_name(party bigint, closing_date date) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	s siren;
BEGIN
	PERFORM export_allowed(party);
	SELECT coalesce(p.siren, p.siret::siren) INTO s FROM party p WHERE p.id = fec_file_name.party;
	IF s IS NULL THEN
		RAISE EXCEPTION 'party % has no SIREN', party USING ERRCODE = '55000',
			DETAIL = 'The FEC''s file name starts with the SIREN of the company it is for.';
	END IF;
	RETURN s::text || 'FEC' || to_char(closing_date, 'YYYYMMDD') || '.txt';
END
$$;
COMMENT ON FUNCTION fec_file_name(bigint, date) IS 'the official name of a party''s FEC for a financial year closing on that date: <SIREN>FEC<YYYYMMDD>.txt';

-- CSV (RFC 4180: comma, double quotes where needed, CRLF), for spreadsheets
-- and other software: dates ISO 8601, amounts with a dot.
CREATE FUNCTION csv_line(VARIADIC fields text[]) RETURNS text
	LANGUAGE sql IMMUTABLE
	AS $$
	SELECT string_agg(CASE WHEN f ~ '[",\r\n]' THEN '"' || replace(f, '"', '""') || '"'
						   ELSE coalesce(f, '') END, ',' ORDER BY n)
	FROM unnest(fields) WITH ORDINALITY u(f, n)
	$$;
COMMENT ON FUNCTION csv_line(text[]) IS 'internal: one CSV line (RFC 4180 quoting)';

CREATE FUNCTION invoices_csv(party bigint, from_date date, to_date date) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM export_allowed(party);
	RETURN (SELECT string_agg(line, E'\r\n' ORDER BY n) || E'\r\n'
			FROM (SELECT 0::bigint AS n, csv_line('invoice_id', 'direction', 'number', 'type_code',
					'issue_date', 'due_date', 'currency', 'supplier_siret', 'supplier', 'buyer_siret',
					'buyer', 'channel', 'tax_exclusive_total', 'vat_total', 'tax_inclusive_total',
					'payable_amount', 'paid', 'status') AS line
				  UNION ALL
				  SELECT i.id, csv_line(i.id::text, CASE WHEN i.supplier_id = party THEN 'sale' ELSE 'purchase' END,
					i.number, i.type_code::text, to_char(i.issue_date, 'YYYY-MM-DD'),
					to_char(i.due_date, 'YYYY-MM-DD'), i.currency,
					s.siret::text, s.name, b.siret::text, b.name, i.channel,
					i.tax_exclusive_total::text, i.vat_total::text, i.tax_inclusive_total::text,
					i.payable_amount::text, coalesce(pd.paid, 0)::numeric(19, 2)::text,
					coalesce(i.b2b_status::text, i.b2g_status::text, 'queued'))
				  FROM invoice i
				  JOIN party s ON s.id = i.supplier_id
				  JOIN party b ON b.id = i.buyer_id
				  LEFT JOIN invoice_paid pd ON pd.invoice_id = i.id
				  WHERE (i.supplier_id = party OR i.buyer_id = party) AND i.submitted_at IS NOT NULL
					AND i.issue_date BETWEEN from_date AND to_date) lines);
END
$$;
COMMENT ON FUNCTION invoices_csv(bigint, date, date) IS 'a party''s submitted invoices over a period (by issue date), issued and received, as CSV: invoice_id, direction (sale or purchase), number, type_code, issue_date, due_date, currency, supplier_siret, supplier, buyer_siret, buyer, channel, tax_exclusive_total, vat_total, tax_inclusive_total, payable_amount, paid, status';

CREATE FUNCTION payments_csv(party bigint, from_date date, to_date date) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM export_allowed(party);
	RETURN (SELECT string_agg(line, E'\r\n' ORDER BY n) || E'\r\n'
			FROM (SELECT 0::bigint AS n, csv_line('transfer_id', 'date', 'kind', 'direction', 'amount',
					'currency', 'invoice_number', 'counterparty', 'reference', 'reverses') AS line
				  UNION ALL
				  SELECT t.id, csv_line(t.id::text, to_char(t.created_at, 'YYYY-MM-DD'), t.kind,
					CASE WHEN c.party_id = party THEN 'in' ELSE 'out' END, t.amount::text, t.currency,
					i.number,
					CASE WHEN c.party_id = party THEN coalesce(dp.name, d.kind) ELSE coalesce(cp.name, c.kind) END,
					t.reference, t.reverses::text)
				  FROM transfer t
				  JOIN account d ON d.id = t.debit_account
				  JOIN account c ON c.id = t.credit_account
				  LEFT JOIN party dp ON dp.id = d.party_id
				  LEFT JOIN party cp ON cp.id = c.party_id
				  LEFT JOIN invoice i ON i.id = t.invoice_id
				  WHERE (d.party_id = party OR c.party_id = party)
					AND t.created_at::date BETWEEN from_date AND to_date) lines);
END
$$;
COMMENT ON FUNCTION payments_csv(bigint, date, date) IS 'the movements of a party''s payment accounts over a period as CSV: transfer_id, date, kind (funding, withdrawal, payment, fee, reversal), direction (in or out), amount, currency, invoice_number, counterparty (a party, or outside / platform_fees), reference, reverses';

CREATE FUNCTION export_invoices(party bigint, from_date date, to_date date, format text DEFAULT 'ubl')
RETURNS TABLE (invoice_id bigint, number text, file_name text, document xml)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM export_allowed(party);
	IF lower(format) NOT IN ('ubl', 'cii') THEN
		RAISE EXCEPTION 'unknown invoice format "%"', format USING ERRCODE = '22023',
			HINT = 'Use ubl or cii.';
	END IF;
	RETURN QUERY
	SELECT i.id, i.number,
		   left(regexp_replace(i.number, '[^A-Za-z0-9._-]', '_', 'g'), 180) || '-' || i.id || '.xml',
		   invoice_xml(invoice_document(i.id), lower(format))
	FROM invoice i
	WHERE (i.supplier_id = party OR i.buyer_id = party) AND i.submitted_at IS NOT NULL
	  AND i.issue_date BETWEEN from_date AND to_date
	ORDER BY i.issue_date, i.id;
END
$$;
COMMENT ON FUNCTION export_invoices(bigint, date, date, text) IS 'a party''s submitted invoices over a period (issued and received) as EN 16931 documents, UBL (the default) or CII, each with a file name, for public accounting platforms and archives';

REVOKE ALL ON FUNCTION set_accounting_account(bigint, text, text, text), export_allowed(bigint),
	accounting_lines(bigint, date, date), fec_entries(bigint, date, date),
	fec_file(bigint, date, date, text), fec_file_name(bigint, date), invoices_csv(bigint, date, date),
	payments_csv(bigint, date, date), export_invoices(bigint, date, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fec_entries(bigint, date, date), fec_file(bigint, date, date, text),
	fec_file_name(bigint, date), invoices_csv(bigint, date, date), payments_csv(bigint, date, date),
	export_invoices(bigint, date, date, text) TO bizinvoice_reader;
GRANT EXECUTE ON FUNCTION set_accounting_account(bigint, text, text, text) TO bizinvoice_user;
GRANT SELECT ON accounting_account TO bizinvoice_reader;
ALTER TABLE accounting_account ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounting_account_party ON accounting_account
	USING (party_id IS NULL OR party_id = (SELECT current_party()) OR (SELECT is_admin()));
COMMENT ON POLICY accounting_account_party ON accounting_account IS 'a party sees the default chart and its own accounts';
SELECT pg_catalog.pg_extension_config_dump('accounting_account', 'WHERE party_id IS NOT NULL');
