-- Roles.  They belong to the cluster, not to the extension: created once,
-- kept across DROP EXTENSION, shared by every database using bizinvoice.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bizinvoice_reader') THEN
		CREATE ROLE bizinvoice_reader NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bizinvoice_user') THEN
		CREATE ROLE bizinvoice_user NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bizinvoice_admin') THEN
		CREATE ROLE bizinvoice_admin NOLOGIN;
	END IF;
END
$$;
COMMENT ON ROLE bizinvoice_reader IS 'bizinvoice: reads the reporting views, for the parties it acts for';
COMMENT ON ROLE bizinvoice_user IS 'bizinvoice: acts for its parties (create, submit, move invoices)';
COMMENT ON ROLE bizinvoice_admin IS 'bizinvoice: registers parties and members; sees every party';
