-- Parties and acting for them.  Creates the roles and parties that the
-- following tests (invoices, statuses, security, reporting) use.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never

CREATE ROLE regress_alice LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_bob LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_carol LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_town_clerk LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_town_accountant LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_prefecture_clerk LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_reporter LOGIN IN ROLE bizinvoice_reader;
CREATE ROLE regress_admin LOGIN IN ROLE bizinvoice_admin;

-- only bizinvoice_admin registers parties
SET ROLE regress_alice;
SELECT register_party('{"name": "Alice SAS", "siret": "73282932000074"}');
RESET ROLE;

SET ROLE regress_admin;
SELECT register_party('{"name": "Alice SAS", "siret": "732 829 320 00074", "email": "billing@alice.example",
	"address_line1": "1 rue de la Paix", "postal_code": "75002", "city": "Paris",
	"members": ["regress_alice"]}') AS alice \gset
SELECT register_party('{"name": "Bob SARL", "siret": "44306184100047", "city": "Lyon",
	"members": ["regress_bob", {"role": "regress_reporter"}]}') AS bob \gset
SELECT register_party('{"name": "Carol SA", "siren": "552032534", "members": ["regress_carol"]}') AS carol \gset
SELECT register_party('{"kind": "public_structure", "name": "Commune de Sample", "siret": "35600000049837",
	"delivery": "direct", "requires_service_code": true, "city": "Sample",
	"services": [{"code": "VOIRIE", "name": "Voirie"}, {"code": "OLD", "name": "Ancien", "active": false}],
	"members": ["regress_town_clerk", {"role": "regress_town_accountant", "accountant": true}]}') AS town \gset
SELECT register_party('{"kind": "public_structure", "name": "Préfecture", "siret": "55210055400013",
	"chorus_structure_id": 25000123, "requires_engagement": true,
	"members": ["regress_prefecture_clerk"]}') AS prefecture \gset

SELECT name, kind, siren, siret, vat_id, delivery, requires_service_code, requires_engagement
FROM party ORDER BY id;
SELECT p.name, m.member, m.accountant FROM party_member m JOIN party p ON p.id = m.party_id
ORDER BY p.id, m.member::text;

-- refusals
SELECT register_party('{"name": "X", "siret": "73282932000075"}');
SELECT register_party('{"name": "X", "sirett": "73282932000074"}');
SELECT register_party('{"name": "", "siren": "552032534"}');
SELECT register_party('{"kind": "public_structure", "name": "Y"}');
SELECT register_party('{"name": "Alice again", "siret": "73282932000074"}');
SELECT register_party('[1, 2]');
SELECT register_party('{"name": "Z", "members": ["regress_nobody"]}');
SELECT count(*) FROM party;
RESET ROLE;

-- acting for a party: only its members (or bizinvoice_admin)
SET ROLE regress_alice;
SELECT current_party();
SELECT act_as(:alice);
SELECT current_party() = :alice AS acting_for_alice, acting_as_accountant();
SELECT act_as(:bob);
SELECT current_party() = :alice AS still_alice;
SELECT act_as(999999);
-- acting is transactional
BEGIN;
SELECT act_as(NULL);
ROLLBACK;
SELECT current_party() = :alice AS alice_after_rollback;
-- and follows savepoints: rolled back to, the party before comes back;
-- released, the change stays; so in a PL/pgSQL exception block
BEGIN;
SAVEPOINT s1;
SELECT act_as(NULL);
SAVEPOINT s2;
SELECT act_as(:alice, local => true);
ROLLBACK TO s2;
SELECT current_party() IS NULL AS none_after_rollback_to_s2;
ROLLBACK TO s1;
SELECT current_party() = :alice AS alice_after_rollback_to_s1;
SAVEPOINT s3;
SELECT act_as(NULL);
RELEASE s3;
SELECT current_party() IS NULL AS none_after_release;
ROLLBACK;
SELECT current_party() = :alice AS alice_after_rollback;
DO $$
BEGIN
	PERFORM bizinvoice.act_as(NULL);
	RAISE EXCEPTION 'fails after act_as';
EXCEPTION WHEN raise_exception THEN
	RAISE NOTICE 'acting for party % after the failed block', bizinvoice.current_party() IS NOT NULL;
END
$$;
-- for transaction poolers: acting only until the end of the transaction
BEGIN;
SELECT act_as(NULL, local => true);
SELECT current_party() IS NULL AS acting_for_none;
COMMIT;
SELECT current_party() = :alice AS alice_again;
-- the acting party cannot be set any other way
SET bizinvoice.party = 2;
SELECT current_party() = :alice AS still_alice;
RESET ROLE;
SET ROLE regress_town_accountant;
SELECT act_as(:town);
SELECT acting_as_accountant();
RESET ROLE;
SELECT act_as(NULL);
