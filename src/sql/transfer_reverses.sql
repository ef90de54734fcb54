-- 0.5: at most one reversal a transfer, through a partial unique index.  A
-- UNIQUE constraint indexed the NULL of every transfer that reverses
-- nothing, each insert on the index's last page.  (A database from an
-- earlier release has that constraint; a fresh one does not.)
DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_constraint
			   WHERE conrelid = 'transfer'::regclass AND conname = 'transfer_reverses_key') THEN
		ALTER TABLE transfer DROP CONSTRAINT transfer_reverses_key;
	END IF;
END
$$;
CREATE UNIQUE INDEX transfer_reverses ON transfer (reverses) WHERE reverses IS NOT NULL;
COMMENT ON INDEX transfer_reverses IS 'a transfer is reversed at most once';
