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
