#!/bin/sh
# replace_function.sh FILE NAME: the definition of function NAME in FILE, from
# its "CREATE FUNCTION NAME(" line to its "COMMENT ON FUNCTION NAME(" line, as
# CREATE OR REPLACE, with the REVOKE or GRANT lines on NAME that follow the
# comment: what an upgrade script carries of a function changed in place or
# added (a new function is executable by PUBLIC until revoked).  Fails when
# FILE defines no such function.
set -e
awk -v name="$2" '
	index($0, "CREATE FUNCTION " name "(") == 1 { on = 1; sub(/^CREATE FUNCTION/, "CREATE OR REPLACE FUNCTION") }
	rights && (index($0, "REVOKE ALL ON FUNCTION " name "(") == 1 ||
			   index($0, "GRANT EXECUTE ON FUNCTION " name "(") == 1) { print; next }
	{ rights = 0 }
	on { print }
	on && index($0, "COMMENT ON FUNCTION " name "(") == 1 { on = 0; rights = 1; found = 1 }
	END { if (!found) { print "replace_function.sh: no function " name " in " FILENAME > "/dev/stderr"; exit 1 } }
' "$1"
