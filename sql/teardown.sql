-- Leave no role behind in the cluster (make installcheck runs on real servers).
DROP ROLE regress_alice, regress_bob, regress_carol, regress_town_clerk, regress_town_accountant,
	regress_prefecture_clerk, regress_reporter, regress_admin;
SELECT count(*) AS regress_roles_left FROM pg_roles WHERE rolname LIKE 'regress\_%';
