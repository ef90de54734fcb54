-- The extension's catalog: what users and DBAs rely on.
SET search_path = bizinvoice, public;

-- every object of the extension has a comment
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS uncommented
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'bizinvoice')
  AND d.deptype = 'e'
  AND NOT EXISTS (SELECT 1 FROM pg_description c
				  WHERE c.classoid = d.classid AND c.objoid = d.objid
					AND c.objsubid = d.objsubid)
ORDER BY 1;

-- everything it creates lives in schema bizinvoice
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS outside
FROM pg_depend d
JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'bizinvoice')
  AND p.pronamespace <> 'bizinvoice'::regnamespace;

-- functions running with raised rights pin search_path
SELECT p.oid::regprocedure AS unpinned
FROM pg_proc p
WHERE p.pronamespace = 'bizinvoice'::regnamespace AND p.prosecdef
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%');

-- the identifier types: btree and hash classes, binary I/O
SELECT t.typname, t.typlen, t.typbyval,
	   t.typsend <> 0 AND t.typreceive <> 0 AS binary_io,
	   (SELECT array_agg(am.amname ORDER BY am.amname)
		FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod
		WHERE c.opcintype = t.oid AND c.opcdefault) AS default_classes
FROM pg_type t
WHERE t.typnamespace = 'bizinvoice'::regnamespace AND t.typtype = 'b'
  AND t.typelem = 0
ORDER BY t.typname;
