-- The official EN 16931 samples (test/corpus/en16931, see its SOURCES.tsv):
-- valid invoices raise no fatal finding; each rule test, official or ours,
-- fires, or does not fire, the rule it names.  The harness and `make installcheck` set
-- BIZINVOICE_CORPUS to that folder.
\getenv corpus BIZINVOICE_CORPUS
SET client_min_messages = warning;

-- every valid, paired and French sample: no fatal finding, and its warnings
SELECT d || '/' || f AS file,
	   count(*) FILTER (WHERE v.severity = 'fatal') AS fatal,
	   coalesce(string_agg(v.rule_id, ' ' ORDER BY v.rule_id) FILTER (WHERE v.severity = 'warning'), '') AS warnings
FROM unnest(ARRAY['valid', 'pairs', 'french']) d,
	 pg_ls_dir(:'corpus' || '/' || d) f
	 LEFT JOIN LATERAL bizinvoice.validate_invoice(pg_read_binary_file(:'corpus' || '/' || d || '/' || f)) v ON true
GROUP BY d, f ORDER BY d, f;

-- the rule tests: <success>R</success> means R must not fire, <error>R</error> that it must;
-- the official ones, and ours in the same format (test/corpus/platform-rule-tests)
CREATE TEMP TABLE rule_test AS
SELECT d || '/' || f AS file, t.i,
	   (xpath('string(/v:test/v:assert/v:success)', t.x, ns))[1]::text AS must_pass,
	   (xpath('string(/v:test/v:assert/v:error)', t.x, ns))[1]::text AS must_fire,
	   (xpath('/v:test/*[local-name() != "assert"]', t.x, ns))[1] AS document
FROM unnest(ARRAY['rule-tests', '../platform-rule-tests']) d,
	 pg_ls_dir(:'corpus' || '/' || d) f,
	 LATERAL (SELECT convert_from(pg_read_binary_file(:'corpus' || '/' || d || '/' || f), 'UTF8')::xml AS doc,
					 ARRAY[ARRAY['v', 'http://difi.no/xsd/vefa/validator/1.0']] AS ns) s,
	 LATERAL unnest(xpath('/v:testSet/v:test', s.doc, s.ns)) WITH ORDINALITY AS t(x, i);

SELECT file, count(*) AS tests,
	   count(*) FILTER (WHERE must_fire <> '') AS must_fire,
	   count(*) FILTER (WHERE must_pass <> '') AS must_pass
FROM rule_test GROUP BY file ORDER BY file;

-- every expectation that does not hold (none)
SELECT r.file, r.i, nullif(r.must_fire, '') AS must_fire, nullif(r.must_pass, '') AS must_pass,
	   (SELECT string_agg(v.rule_id || ': ' || v.message, '; ')
		FROM bizinvoice.validate_invoice(r.document) v
		WHERE v.rule_id = coalesce(nullif(r.must_fire, ''), r.must_pass)) AS fired
FROM rule_test r
WHERE (r.must_fire <> '') <> EXISTS (SELECT FROM bizinvoice.validate_invoice(r.document) v
									 WHERE v.rule_id = coalesce(nullif(r.must_fire, ''), r.must_pass))
ORDER BY r.file, r.i;
RESET client_min_messages;
