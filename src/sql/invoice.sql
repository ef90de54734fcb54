-- Invoices after the EN 16931 semantic model (business terms in comments).

CREATE TABLE invoice (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	supplier_id bigint NOT NULL REFERENCES party,
	buyer_id bigint NOT NULL REFERENCES party,
	payee_id bigint REFERENCES party,
	channel text NOT NULL,
	delivery text NOT NULL,
	number text NOT NULL,								-- BT-1
	issue_date date NOT NULL,							-- BT-2
	type_code smallint NOT NULL DEFAULT 380,			-- BT-3
	currency text NOT NULL DEFAULT 'EUR',				-- BT-5
	due_date date,										-- BT-9
	buyer_reference text,								-- BT-10: service code for B2G
	purchase_order text,								-- BT-13: engagement for B2G
	contract_reference text,							-- BT-12
	preceding_number text,								-- BG-3: BT-25
	preceding_issue_date date,							-- BG-3: BT-26
	payment_means_code text NOT NULL DEFAULT '58',		-- BT-81
	payment_iban iban,									-- BT-84
	payment_bic bic,									-- BT-86
	payment_terms text,									-- BT-20
	-- BG-22, computed by submit()
	line_total numeric(19, 2),							-- BT-106
	allowance_total numeric(19, 2),						-- BT-107
	charge_total numeric(19, 2),						-- BT-108
	tax_exclusive_total numeric(19, 2),					-- BT-109
	vat_total numeric(19, 2),							-- BT-110
	tax_inclusive_total numeric(19, 2),					-- BT-112
	prepaid_amount numeric(19, 2) NOT NULL DEFAULT 0,	-- BT-113
	rounding_amount numeric(19, 2) NOT NULL DEFAULT 0,	-- BT-114
	payable_amount numeric(19, 2),						-- BT-115
	-- totals the supplier stated, checked by submit()
	stated_totals jsonb,
	b2b_status b2b_status,
	b2g_status b2g_status,
	-- the last move, written by the status guard
	status_reason text,
	status_amount numeric(19, 2),
	status_raw_code text,
	status_actor text,
	status_party bigint,
	status_changed_at timestamptz,
	status_seq integer NOT NULL DEFAULT 0,
	submitted_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
-- The row's invariants (channel, delivery and statuses agreeing, number,
-- type code, currency, supplier not buyer, a credit note's preceding invoice)
-- are checked by the status guard trigger, in C: as CHECK constraints they
-- were parsed again by every status move.
COMMENT ON TABLE invoice IS 'invoices (EN 16931 semantic model); checked by the status guard, frozen once submitted';
COMMENT ON COLUMN invoice.channel IS 'B2B (buyer is a company) or B2G (buyer is a public structure)';
COMMENT ON COLUMN invoice.delivery IS 'platform (B2B), chorus (B2G through Chorus Pro) or direct (B2G on the platform)';
COMMENT ON COLUMN invoice.stated_totals IS 'the totals the supplier gave, checked against the computed ones at submit';
COMMENT ON COLUMN invoice.status_seq IS 'how many status moves the invoice has made';
COMMENT ON COLUMN invoice.status_actor IS 'who made the last status move: supplier, buyer, accountant, platform or chorus';
-- Only submitted_at in the predicate: status moves touch no indexed column
-- and stay HOT updates.  A submitted number stays taken, whatever follows.
CREATE UNIQUE INDEX invoice_number_unique ON invoice (supplier_id, number, (extract(year FROM issue_date)))
	WHERE submitted_at IS NOT NULL;
COMMENT ON INDEX invoice_number_unique IS 'one submitted invoice per supplier, number and year of issue (else DOUBLON), whatever its status';
CREATE INDEX invoice_buyer ON invoice (buyer_id);
CREATE INDEX invoice_supplier ON invoice (supplier_id);

CREATE TABLE invoice_line (
	invoice_id bigint NOT NULL REFERENCES invoice ON DELETE CASCADE,
	line_no integer NOT NULL CHECK (line_no > 0),
	line_id text NOT NULL,								-- BT-126
	item_name text NOT NULL CHECK (btrim(item_name) <> ''),	-- BT-153
	description text,									-- BT-154
	quantity numeric NOT NULL,							-- BT-129
	unit_code text NOT NULL DEFAULT 'C62',				-- BT-130
	net_price numeric NOT NULL CHECK (net_price >= 0),	-- BT-146
	base_quantity numeric NOT NULL DEFAULT 1 CHECK (base_quantity > 0),	-- BT-149
	allowance_amount numeric(19, 2) NOT NULL DEFAULT 0 CHECK (allowance_amount >= 0),	-- BT-136
	charge_amount numeric(19, 2) NOT NULL DEFAULT 0 CHECK (charge_amount >= 0),	-- BT-141
	vat_category text NOT NULL CHECK (vat_category IN ('S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M')),	-- BT-151
	vat_rate numeric(5, 2) CHECK (vat_rate >= 0),		-- BT-152
	stated_net_amount numeric(19, 2),					-- BT-131 as stated
	-- BT-131: halves away from zero, as numeric's round() does
	net_amount numeric(19, 2) GENERATED ALWAYS AS
		(round(quantity * net_price / base_quantity, 2) - allowance_amount + charge_amount) STORED,
	PRIMARY KEY (invoice_id, line_no)
);
COMMENT ON TABLE invoice_line IS 'invoice lines (BG-25)';

CREATE TABLE invoice_allowance_charge (
	invoice_id bigint NOT NULL REFERENCES invoice ON DELETE CASCADE,
	seq integer NOT NULL,
	is_charge boolean NOT NULL,
	amount numeric(19, 2) NOT NULL CHECK (amount >= 0),	-- BT-92 / BT-99
	vat_category text NOT NULL CHECK (vat_category IN ('S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M')),
	vat_rate numeric(5, 2) CHECK (vat_rate >= 0),
	reason text,										-- BT-97 / BT-104
	reason_code text,									-- BT-98 / BT-105
	PRIMARY KEY (invoice_id, seq)
);
COMMENT ON TABLE invoice_allowance_charge IS 'document-level allowances (BG-20) and charges (BG-21)';

CREATE TABLE invoice_vat_breakdown (
	invoice_id bigint NOT NULL REFERENCES invoice ON DELETE CASCADE,
	vat_category text NOT NULL,							-- BT-118
	vat_rate numeric(5, 2) NOT NULL,					-- BT-119
	taxable_amount numeric(19, 2) NOT NULL,				-- BT-116
	tax_amount numeric(19, 2) NOT NULL,					-- BT-117
	exemption_reason text,								-- BT-120
	PRIMARY KEY (invoice_id, vat_category, vat_rate)
);
COMMENT ON TABLE invoice_vat_breakdown IS 'VAT breakdown (BG-23), computed by submit()';

CREATE TABLE invoice_note (
	invoice_id bigint NOT NULL REFERENCES invoice ON DELETE CASCADE,
	seq integer NOT NULL,
	subject_code text,									-- BT-21
	content text NOT NULL,								-- BT-22
	PRIMARY KEY (invoice_id, seq)
);
COMMENT ON TABLE invoice_note IS 'invoice notes (BG-1): French mandatory mentions travel here (PMT, PMD, AAB)';

CREATE TABLE invoice_attachment (
	invoice_id bigint NOT NULL REFERENCES invoice ON DELETE CASCADE,
	seq integer NOT NULL,
	filename text NOT NULL,								-- BT-125 filename
	mime_type text NOT NULL,							-- BT-125 mime code
	description text,									-- BT-123
	content bytea NOT NULL,
	sha256 bytea GENERATED ALWAYS AS (sha256(content)) STORED,
	PRIMARY KEY (invoice_id, seq)
);
COMMENT ON TABLE invoice_attachment IS 'supporting documents (BG-24), with their SHA-256';

-- Once submitted, an invoice's content is frozen: only its status moves.
CREATE FUNCTION invoice_freeze() RETURNS trigger
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	IF OLD.submitted_at IS NOT NULL OR
	   EXISTS (SELECT FROM status_history WHERE invoice_id = OLD.id) THEN
		RAISE EXCEPTION 'invoice % cannot be deleted', OLD.id
			USING ERRCODE = '55000',
				  DETAIL = 'A submitted invoice, or one with a status history, is kept.',
				  HINT = 'Move a draft to cancelled; correct a submitted invoice with a credit note.';
	END IF;
	RETURN OLD;
END
$$;
COMMENT ON FUNCTION invoice_freeze() IS 'trigger: refuses deleting an invoice that was submitted or has a status history (UPDATEs are frozen by the status guard)';
CREATE TRIGGER invoice_freeze BEFORE DELETE ON invoice
	FOR EACH ROW EXECUTE FUNCTION invoice_freeze();

-- The parts of a submitted invoice are frozen: checked once per statement,
-- over the rows it wrote (transition tables).
CREATE FUNCTION invoice_parts_freeze() RETURNS trigger
	AS 'MODULE_PATHNAME', 'invoice_parts_freeze' LANGUAGE C;
COMMENT ON FUNCTION invoice_parts_freeze() IS 'trigger: refuses writing the lines and other parts of a submitted invoice';
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['invoice_line', 'invoice_allowance_charge', 'invoice_vat_breakdown',
							 'invoice_note', 'invoice_attachment']
	LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
						FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_freeze()', t || '_freeze_insert', t);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
						FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_freeze()', t || '_freeze_update', t);
		EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
						FOR EACH STATEMENT EXECUTE FUNCTION invoice_parts_freeze()', t || '_freeze_delete', t);
	END LOOP;
END
$$;
