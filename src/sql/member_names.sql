-- 0.9: a membership names its role as it was when written.  member is the
-- role's OID: once the role is dropped, PostgreSQL may give that OID to a new
-- role, which would then act for the party.  A membership now holds only
-- while the role of that OID still has the name it had (act_as() checks both,
-- src/status/members.c); a role renamed since acts again once an admin writes
-- its membership again (UPDATE party_member SET member = member ...).
ALTER TABLE party_member ADD COLUMN member_name name;
-- memberships of roles already dropped give no power: gone
DELETE FROM party_member m WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.oid = m.member);
UPDATE party_member m SET member_name = r.rolname FROM pg_catalog.pg_roles r WHERE r.oid = m.member;
ALTER TABLE party_member ALTER member_name SET NOT NULL;
COMMENT ON COLUMN party_member.member_name IS 'the role''s name when the membership was written: it holds only while the role of that OID has this name (a dropped role''s OID may go to a new role); written by a trigger';

CREATE FUNCTION party_member_name() RETURNS trigger
LANGUAGE plpgsql SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	SELECT rolname INTO NEW.member_name FROM pg_roles WHERE oid = NEW.member;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION party_member_name() IS 'trigger: writes the name of a membership''s role as it is now';
CREATE TRIGGER party_member_name BEFORE INSERT OR UPDATE ON party_member
	FOR EACH ROW EXECUTE FUNCTION party_member_name();

ALTER POLICY party_member_self ON party_member
	USING ((pg_has_role(member, 'USAGE')
			AND member_name = (SELECT rolname FROM pg_catalog.pg_roles WHERE oid = member))
		   OR (SELECT is_admin()));
